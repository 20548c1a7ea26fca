"""The contract every first-order optimizer keeps, checked for each class in one loop."""

import inspect

import numpy as np
import pytest

import mlkit.optim as optim
from mlkit.optim import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    NAdam,
    Optimizer,
    RAdam,
    RMSprop,
)

# One configuration per optimizer that exercises all of its state arrays.
FACTORIES = {
    SGD: lambda: SGD(0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    Adam: lambda: Adam(0.05, amsgrad=True, weight_decay=1e-3),
    AdamW: lambda: AdamW(0.05, amsgrad=True),
    RMSprop: lambda: RMSprop(0.01, momentum=0.5, centered=True, weight_decay=1e-3),
    Adagrad: lambda: Adagrad(0.5, lr_decay=1e-3, initial_accumulator_value=0.1),
    NAdam: lambda: NAdam(0.05, weight_decay=1e-3),
    RAdam: lambda: RAdam(0.05, weight_decay=1e-3, decoupled_weight_decay=True),
    Adamax: lambda: Adamax(0.05, weight_decay=1e-3),
    Adadelta: lambda: Adadelta(1.0, eps=1e-3, weight_decay=1e-3),
}
ALL = list(FACTORIES)


def test_every_exported_optimizer_is_covered():
    exported = {
        value for value in vars(optim).values()
        if inspect.isclass(value) and issubclass(value, Optimizer) and value is not Optimizer
    }
    assert exported == set(FACTORIES)


def quadratic_grads(params):
    """Gradient of sum((w - 1)^2) over every leaf."""
    return leafwise(lambda w: 2.0 * (w - 1.0), params)


def leafwise(fn, tree):
    if isinstance(tree, dict):
        return {key: leafwise(fn, value) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(leafwise(fn, value) for value in tree)
    return fn(tree)


def nested(dtype=np.float64):
    rng = np.random.default_rng(0)
    return {
        "layers": [
            {"w": rng.normal(size=(3, 2)).astype(dtype), "b": np.zeros(2, dtype)},
            (rng.normal(size=4).astype(dtype), np.array(0.5, dtype)),
        ],
        "scale": np.ones((), dtype),
    }


TREES = {
    "dict": lambda: {"a": np.ones(3), "b": np.full((2, 2), -1.0)},
    "list": lambda: [np.ones(3), np.zeros(2)],
    "tuple": lambda: (np.ones(3), np.zeros((1, 2))),
    "nested": nested,
    "leaf": lambda: np.arange(3.0),
}


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("kind", TREES)
def test_structure_preserved_and_inputs_untouched(cls, kind):
    params = TREES[kind]()
    before = leafwise(np.copy, params)
    grads = quadratic_grads(params)
    grads_before = leafwise(np.copy, grads)
    new = cls.step(FACTORIES[cls](), params, grads)
    assert _structure(new) == _structure(params)
    for old, kept in zip(_leaves(params), _leaves(before)):
        np.testing.assert_array_equal(old, kept)
    for old, kept in zip(_leaves(grads), _leaves(grads_before)):
        np.testing.assert_array_equal(old, kept)
    for old, updated in zip(_leaves(params), _leaves(new)):
        assert isinstance(updated, np.ndarray) and updated.shape == old.shape
        assert updated is not old


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept_for_params_and_state(cls, dtype):
    opt = FACTORIES[cls]()
    params = nested(dtype)
    for _ in range(3):
        params = opt.step(params, leafwise(lambda w: (2.0 * (w - 1.0)).astype(np.float64),
                                                  params))
    assert {leaf.dtype for leaf in _leaves(params)} == {np.dtype(dtype)}
    floats = [v for k, v in opt.state_dict().items() if k.startswith("state.") and
              not k.endswith(".step")]
    assert floats and {v.dtype for v in floats} == {np.dtype(dtype)}


@pytest.mark.parametrize("cls", ALL)
def test_converges_on_a_quadratic(cls):
    opt = FACTORIES[cls]()
    params = nested()
    for _ in range(400):
        params = opt.step(params, quadratic_grads(params))
    for leaf in _leaves(params):
        np.testing.assert_allclose(leaf, 1.0, atol=2e-2)


@pytest.mark.parametrize("cls", ALL)
def test_state_round_trip_through_npz_is_bit_identical(cls, tmp_path):
    reference = FACTORIES[cls]()
    params = nested(np.float32)
    for _ in range(3):
        params = reference.step(params, quadratic_grads(params))
    np.savez(tmp_path / "state.npz", **reference.state_dict())
    resumed = FACTORIES[cls]()
    with np.load(tmp_path / "state.npz", allow_pickle=False) as saved:
        resumed.load_state_dict(dict(saved))
    assert resumed.step_count == 3
    mine = params
    for _ in range(4):
        params = reference.step(params, quadratic_grads(params))
        mine = resumed.step(mine, quadratic_grads(mine))
    for a, b in zip(_leaves(params), _leaves(mine)):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)
    state_a, state_b = reference.state_dict(), resumed.state_dict()
    assert state_a.keys() == state_b.keys()
    for key in state_a:
        np.testing.assert_array_equal(state_a[key], state_b[key])


@pytest.mark.parametrize("cls", ALL)
def test_load_state_dict_errors(cls):
    opt = FACTORIES[cls]()
    params = {"w": np.ones(3)}
    opt.step(params, {"w": np.ones(3)})
    state = opt.state_dict()
    key = next(k for k in state if k.startswith("state.w.") and not k.endswith("step"))
    with pytest.raises(KeyError, match=key):
        opt.load_state_dict({k: v for k, v in state.items() if k != key})
    with pytest.raises(KeyError, match="unexpected.*state.v.extra"):
        opt.load_state_dict({**state, "state.v.extra": np.zeros(3)})
    with pytest.raises(KeyError, match=r"unexpected keys \['state.v.step'\]"):  # no arrays
        opt.load_state_dict({**state, "state.v.step": np.array(2)})
    with pytest.raises(KeyError, match=r"unexpected keys \['extra'\]"):
        opt.load_state_dict({**state, "extra": np.zeros(3)})
    with pytest.raises(ValueError, match=r"\(4,\).*expected \(3,\)"):
        opt.load_state_dict({**state, key: np.zeros(4)})
    fresh = FACTORIES[cls]()
    fresh.load_state_dict(state)
    with pytest.raises(KeyError, match="missing"):
        fresh.step({"v": np.ones(3)}, {"v": np.ones(3)})


@pytest.mark.parametrize("cls", ALL)
def test_mismatched_grads_name_the_path(cls):
    opt = FACTORIES[cls]()
    params = nested()
    grads = quadratic_grads(params)
    del grads["layers"][0]["b"]
    with pytest.raises(ValueError, match=r"layers\.0.*missing keys \['b'\]"):
        opt.step(params, grads)
    grads = quadratic_grads(params)
    grads["layers"][1] = (grads["layers"][1][0],)
    with pytest.raises(ValueError, match=r"layers\.1.*length 2"):
        opt.step(params, grads)
    grads = quadratic_grads(params)
    grads["layers"][0]["w"] = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"layers\.0\.w.*\(2, 3\).*\(3, 2\)"):
        opt.step(params, grads)


@pytest.mark.parametrize("cls", ALL)
def test_none_gradient_leaves_parameter_untouched(cls):
    opt = FACTORIES[cls]()
    params = {"frozen": np.ones(2), "free": np.ones(2)}
    for _ in range(3):
        params = opt.step(params, {"frozen": None, "free": np.ones(2)})
    np.testing.assert_array_equal(params["frozen"], 1.0)
    assert not np.allclose(params["free"], 1.0)
    state = opt.state_dict()
    assert state["state.frozen.step"] == 0 and state["state.free.step"] == 3


@pytest.mark.parametrize("cls", ALL)
def test_dict_order_of_grads_does_not_matter(cls):
    a, b = FACTORIES[cls](), FACTORIES[cls]()
    params = {"x": np.array([1.0, 2.0]), "y": np.array([-1.0])}
    grads = {"x": np.array([0.5, -0.5]), "y": np.array([2.0])}
    one = a.step(params, grads)
    two = b.step(params, {"y": grads["y"], "x": grads["x"]})
    for key in params:
        np.testing.assert_array_equal(one[key], two[key])


@pytest.mark.parametrize("cls", ALL)
def test_update_on_a_duck_typed_model(cls):
    class Model:
        def __init__(self):
            self.params = {"w": np.ones(2)}

        def parameters(self):
            return self.params

        def update(self, tree):
            self.params = tree

    model, opt, reference = Model(), FACTORIES[cls](), FACTORIES[cls]()
    expected = reference.step(model.parameters(), {"w": np.ones(2)})
    assert opt.update(model, {"w": np.ones(2)}) is None
    np.testing.assert_array_equal(model.params["w"], expected["w"])


@pytest.mark.parametrize("cls", ALL)
def test_lr_is_settable_and_validated(cls):
    opt = FACTORIES[cls]()
    opt.lr = np.float64(0.25)
    assert opt.lr == 0.25 and type(opt.lr) is float
    assert opt.state_dict()["lr"] == 0.25
    with pytest.raises(ValueError, match=r"lr must be .*>= 0.*-1"):
        opt.lr = -1
    with pytest.raises(ValueError, match=r"lr must be"):
        cls(lr=-0.1)


@pytest.mark.parametrize("cls", ALL)
def test_non_float_parameters_are_refused(cls):
    with pytest.raises(TypeError, match=r"'a\.1'.*floating-point.*int64"):
        FACTORIES[cls]().step({"a": [np.ones(2), np.arange(2)]}, {"a": [np.ones(2), None]})


BAD_ARGUMENTS = [
    (SGD, dict(lr=0.1, momentum=-0.5), "momentum"),
    (SGD, dict(lr=0.1, dampening=1.5), "dampening"),
    (SGD, dict(lr=0.1, nesterov=True), "nesterov"),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    (SGD, dict(lr=0.1, weight_decay=-1), "weight_decay"),
    (SGD, dict(lr=float("nan")), "lr"),
    (Adam, dict(betas=(1.0, 0.999)), r"betas\[0\]"),
    (Adam, dict(betas=(0.9, -0.1)), r"betas\[1\]"),
    (Adam, dict(betas=0.9), "betas"),
    (Adam, dict(eps=-1e-8), "eps"),
    (AdamW, dict(weight_decay=-0.01), "weight_decay"),
    (AdamW, dict(amsgrad="yes"), "amsgrad"),
    (RMSprop, dict(alpha=1.5), "alpha"),
    (RMSprop, dict(momentum=-1), "momentum"),
    (RMSprop, dict(centered=1), "centered"),
    (Adagrad, dict(lr_decay=-1), "lr_decay"),
    (Adagrad, dict(initial_accumulator_value=-0.1), "initial_accumulator_value"),
    (Adagrad, dict(maximize=None), "maximize"),
    (NAdam, dict(momentum_decay=-0.1), "momentum_decay"),
    (RAdam, dict(decoupled_weight_decay=0), "decoupled_weight_decay"),
    (Adamax, dict(betas=(0.9,)), "betas"),
    (Adadelta, dict(rho=-0.1), "rho"),
]


@pytest.mark.parametrize("cls, options, name", BAD_ARGUMENTS)
def test_bad_arguments_fail_at_construction(cls, options, name):
    with pytest.raises((ValueError, TypeError), match=rf"{cls.__name__}: .*{name}.*(must|needs)"):
        cls(**options)


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _leaves(value)]
    if isinstance(tree, (list, tuple)):
        return [leaf for value in tree for leaf in _leaves(value)]
    return [tree]


def _structure(tree):
    if isinstance(tree, dict):
        return {key: _structure(value) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        return (type(tree).__name__, [_structure(value) for value in tree])
    return None
