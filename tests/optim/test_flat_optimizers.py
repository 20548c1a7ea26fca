"""Optimizers on FlatParameters: whole-vector steps in place, bit for bit the tree path."""

import numpy as np
import pytest

from mlkit.optim import (
    LBFGS,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    FlatParameters,
    NAdam,
    Optimizer,
    RAdam,
    RMSprop,
)
from mlkit.tree import tree_leaves, tree_map

STEPS = 5

# Every optimizer with each of its options, several together.
CASES = {
    "sgd": lambda: SGD(0.1),
    "sgd-momentum": lambda: SGD(0.1, momentum=0.9),
    "sgd-dampening-decay": lambda: SGD(0.1, momentum=0.8, dampening=0.3, weight_decay=0.05),
    "sgd-nesterov-maximize": lambda: SGD(0.1, momentum=0.9, nesterov=True, maximize=True),
    "sgd-decay-maximize": lambda: SGD(0.1, weight_decay=0.1, maximize=True),
    "adam": lambda: Adam(0.05),
    "adam-amsgrad-decay": lambda: Adam(0.05, betas=(0.8, 0.9), amsgrad=True, weight_decay=0.1),
    "adam-maximize": lambda: Adam(0.05, eps=1e-3, maximize=True),
    "adamw": lambda: AdamW(0.05),
    "adamw-amsgrad-maximize": lambda: AdamW(0.05, weight_decay=0.2, amsgrad=True, maximize=True),
    "rmsprop": lambda: RMSprop(0.01),
    "rmsprop-centered-momentum": lambda: RMSprop(0.01, momentum=0.5, centered=True),
    "rmsprop-decay-maximize": lambda: RMSprop(0.01, alpha=0.9, weight_decay=0.1, maximize=True),
    "rmsprop-momentum": lambda: RMSprop(0.01, momentum=0.9, eps=1e-4),
    "adagrad": lambda: Adagrad(0.5),
    "adagrad-all": lambda: Adagrad(0.5, lr_decay=0.1, weight_decay=0.05,
                                   initial_accumulator_value=0.2, maximize=True),
    "nadam-decay-maximize": lambda: NAdam(0.05, weight_decay=0.1, maximize=True),
    "nadam-decoupled": lambda: NAdam(0.05, weight_decay=0.1, decoupled_weight_decay=True),
    "radam-decay": lambda: RAdam(0.05, betas=(0.8, 0.9), weight_decay=0.1),
    "radam-decoupled-maximize": lambda: RAdam(0.05, betas=(0.8, 0.9), weight_decay=0.1,
                                              decoupled_weight_decay=True, maximize=True),
    "adamax-decay-maximize": lambda: Adamax(0.05, weight_decay=0.1, maximize=True),
    "adadelta-decay-maximize": lambda: Adadelta(0.5, rho=0.8, weight_decay=0.1, maximize=True),
}


def tree_of(dtypes):
    """A tree of four leaves whose dtypes are ``dtypes`` (two groups when they mix)."""
    rng = np.random.default_rng(3)
    shapes = [(3, 2), (2,), (), (4, 1)]
    leaves = [rng.normal(size=shape).astype(dtype) for shape, dtype in zip(shapes, dtypes)]
    return {"w": leaves[0], "b": leaves[1], "rest": [leaves[2], (leaves[3],)]}


DTYPES = {
    "float64": [np.float64] * 4,
    "float32": [np.float32] * 4,
    "mixed": [np.float32, np.float64, np.float64, np.float32],
}


def gradient(tree, t):
    """A gradient that depends on the parameters and the step (changes sign across leaves)."""
    return tree_map(lambda p: (2.0 * p - 0.5 + 0.3 * t * np.cos(np.arange(p.size) + t)
                               .reshape(p.shape)).astype(p.dtype), tree)


def run_tree(opt, tree, steps, start=1):
    for t in range(start, start + steps):
        tree = opt.step(tree, gradient(tree, t))
    return tree


def run_flat(opt, flat, steps, start=1):
    for t in range(start, start + steps):
        def closure(t=t):
            return float(t), flat.join(gradient(flat.tree, t))

        loss, grads = opt.descend(flat, closure)
        assert loss == float(t) and len(grads) == len(flat.vectors)
    return flat


def assert_same_trees(a, b):
    for x, y in zip(tree_leaves(a), tree_leaves(b), strict=True):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y)


def assert_same_states(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("kind", list(DTYPES))
@pytest.mark.parametrize("case", list(CASES))
def test_descend_on_flat_parameters_is_bit_identical_to_the_tree_path(case, kind):
    tree = tree_of(DTYPES[kind])
    flat = FlatParameters(tree)
    vectors = list(flat.vectors)
    flat_opt, tree_opt = CASES[case](), CASES[case]()
    run_flat(flat_opt, flat, STEPS)
    expected = run_tree(tree_opt, tree, STEPS)
    assert_same_trees(flat.tree, expected)
    assert_same_states(flat_opt.state_dict(), tree_opt.state_dict())
    moved = tree_leaves(expected)[0] - tree_leaves(tree)[0]
    assert np.abs(moved).min() > 1e-4  # the steps did move every entry
    # The vectors were moved in place: same objects, the tree still views them.
    assert all(a is b for a, b in zip(flat.vectors, vectors)) and flat.holds(flat.tree)
    assert np.shares_memory(flat.tree["w"], flat.vectors[0])
    assert [v.dtype for v in flat.vectors] == list(dict.fromkeys(np.dtype(d) for d in
                                                                 DTYPES[kind]))


@pytest.mark.parametrize("case", ["sgd-momentum", "adam-amsgrad-decay", "rmsprop-centered-momentum",
                                  "adagrad-all", "adamw", "nadam-decoupled", "radam-decay",
                                  "adamax-decay-maximize", "adadelta-decay-maximize"])
def test_the_state_lives_in_one_vector_per_key_and_dtype(case):
    opt = CASES[case]()
    flat = FlatParameters(tree_of(DTYPES["mixed"]))
    run_flat(opt, flat, 2)
    for group, members in enumerate(opt._members):
        vectors = opt._packed[group]
        assert vectors and all(v.size == flat.vectors[group].size for v in vectors.values())
        for i in members:
            for key, value in opt._states[i].items():
                assert np.shares_memory(value, vectors[key])


@pytest.mark.parametrize("case", ["sgd-nesterov-maximize", "adam-amsgrad-decay",
                                  "rmsprop-centered-momentum", "adagrad-all", "adamw"])
def test_state_dicts_cross_between_the_flat_and_the_tree_path(case):
    tree = tree_of(DTYPES["mixed"])
    flat = FlatParameters(tree)
    flat_opt = CASES[case]()
    run_flat(flat_opt, flat, 3)
    reference = run_tree(CASES[case](), tree, 3)
    # flat -> tree: a new optimizer loads the flat state and continues on a tree.
    resumed = CASES[case]()
    resumed.load_state_dict(flat_opt.state_dict())
    continued = run_tree(resumed, flat.tree, 2, start=4)
    tree_opt = CASES[case]()
    expected = run_tree(tree_opt, tree, 5)
    assert_same_trees(continued, expected)
    assert_same_states(resumed.state_dict(), tree_opt.state_dict())
    # tree -> flat: the tree path's state continues on a FlatParameters, loaded before or after
    # the optimizer has seen the model.
    tree_opt = CASES[case]()
    run_tree(tree_opt, tree, 3)
    for early in (True, False):
        again = FlatParameters(reference)
        resumed = CASES[case]()
        if early:
            resumed.load_state_dict(tree_opt.state_dict())
        else:
            resumed.init(again.tree)
            resumed.load_state_dict(tree_opt.state_dict())
        run_flat(resumed, again, 2, start=4)
        assert_same_trees(again.tree, expected)


@pytest.mark.parametrize("case", ["sgd-momentum", "adam-amsgrad-decay", "adagrad-all",
                                  "rmsprop-centered-momentum", "nadam-decoupled",
                                  "adadelta-decay-maximize"])
def test_parameters_with_different_step_counts_fall_back_to_a_loop_over_leaves(case):
    tree = tree_of(DTYPES["mixed"])
    flat = FlatParameters(tree)
    flat_opt, tree_opt = CASES[case](), CASES[case]()
    for t in (1, 2):  # "b" (float64) and the last leaf (float32) are frozen for two steps
        grads = gradient(tree, t)
        grads["b"] = None
        grads["rest"][1] = (None,)
        tree = tree_opt.step(tree, grads)
        flat.update(flat_opt.step(flat.tree, grads))
    assert_same_trees(flat.tree, tree)
    counts = flat_opt.state_dict()
    assert counts["state.b.step"] == 0 and counts["state.w.step"] == 2
    run_flat(flat_opt, flat, 3, start=3)
    expected = run_tree(tree_opt, tree, 3, start=3)
    assert_same_trees(flat.tree, expected)
    assert_same_states(flat_opt.state_dict(), tree_opt.state_dict())


def without_b(tree):
    return {key: value for key, value in tree.items() if key != "b"}


def step_freezing_b(opt, tree, grads, t, flat_path):
    """One step of ``opt`` from ``tree``; at steps 3 and 4 "b" is frozen: out of the tree."""
    params, grads = (without_b(tree), without_b(grads)) if t in (3, 4) else (tree, grads)
    if flat_path:
        flat = FlatParameters(params)
        opt.descend(flat, lambda: (0.0, flat.join(grads)))
        params = flat.tree
    else:
        params = opt.step(params, grads)
    return dict(tree, **params)


@pytest.mark.parametrize("case", ["sgd-momentum", "adam-amsgrad-decay", "adagrad-all",
                                  "rmsprop-centered-momentum", "nadam-decoupled",
                                  "adadelta-decay-maximize"])
@pytest.mark.parametrize("flat_path", [False, True])
def test_a_parameter_frozen_then_unfrozen_keeps_its_state_as_with_none_gradients(case,
                                                                                 flat_path):
    tree = tree_of(DTYPES["mixed"])
    reference, opt = CASES[case](), CASES[case]()
    frozen = {}
    for t in range(1, 7):
        grads = gradient(tree, t)
        expected = reference.step(tree, dict(grads, b=None) if t in (3, 4) else grads)
        tree = step_freezing_b(opt, tree, grads, t, flat_path)
        assert_same_trees(tree, expected)
        if t == 4:
            frozen = opt.state_dict()
    assert frozen["state.b.step"] == 2 and frozen["state.w.step"] == 4
    assert_same_states(opt.state_dict(), reference.state_dict())
    assert opt.state_dict()["state.b.step"] == 4


@pytest.mark.parametrize("case", ["sgd", "sgd-momentum", "adam-amsgrad-decay", "adagrad-all",
                                  "rmsprop-centered-momentum", "nadam-decoupled",
                                  "adadelta-decay-maximize"])
@pytest.mark.parametrize("flat_path", [False, True])
def test_state_saved_while_a_parameter_is_frozen_resumes_exactly(case, flat_path, tmp_path):
    """The frozen parameter's state goes through the .npz too: once unfrozen it moves as in
    the run that was never interrupted."""
    def run(opt, tree, steps):
        for t in steps:
            tree = step_freezing_b(opt, tree, gradient(tree, t), t, flat_path)
        return tree

    start = tree_of(DTYPES["mixed"])
    expected = run(CASES[case](), start, range(1, 7))
    saved = CASES[case]()
    tree = run(saved, start, range(1, 4))  # "b" frozen at step 3: out of the tree at the save
    np.savez(tmp_path / "state.npz", **saved.state_dict())
    resumed = CASES[case]()
    with np.load(tmp_path / "state.npz", allow_pickle=False) as arrays:
        resumed.load_state_dict(dict(arrays))
    assert_same_trees(run(resumed, tree, range(4, 7)), expected)
    assert resumed.state_dict()["state.b.step"] == 4


def test_a_known_parameter_with_another_shape_or_dtype_is_refused():
    for flat_path in (False, True):
        opt = Adam(0.1)
        opt.step({"w": np.ones(3)}, {"w": np.ones(3)})
        params = {"w": np.ones(2), "v": np.ones(2)}
        with pytest.raises(ValueError, match="'w' was a float64 array of shape \\(3,\\), now a "
                                             "float64 array of shape \\(2,\\)"):
            if flat_path:
                opt.descend(FlatParameters(params), lambda: (0.0, [np.ones(4)]))
            else:
                opt.step(params, params)
    with pytest.raises(ValueError, match="grads tree does not match"):
        opt.step({"w": np.ones(3)}, {"v": np.ones(3)})


def test_wrong_gradient_vectors_are_refused():
    opt = Adam(0.1)
    flat = FlatParameters(tree_of(DTYPES["mixed"]))
    run_flat(opt, flat, 1)
    with pytest.raises(ValueError, match="expected 2 gradient vectors"):
        opt.descend(flat, lambda: (0.0, [np.zeros(7, np.float32)]))
    with pytest.raises(ValueError, match="gradient vector 1 has shape \\(7,\\), expected \\(3,\\)"):
        opt.descend(flat, lambda: (0.0, [np.zeros(10, np.float32), np.zeros(7)]))


def test_gradient_vectors_of_another_dtype_are_cast():
    flat, tree = FlatParameters({"w": np.ones(3, np.float32)}), {"w": np.ones(3, np.float32)}
    grad = np.array([0.1, 0.2, 0.3])
    Adam(0.1).descend(flat, lambda: (0.0, [grad]))
    expected = Adam(0.1).step(tree, {"w": grad.astype(np.float32)})
    assert flat.vectors[0].dtype == np.float32
    np.testing.assert_array_equal(flat.tree["w"], expected["w"])


def quadratic(tree):
    """Loss and gradient of a badly scaled quadratic plus a quartic term, on every leaf."""
    leaves = tree_leaves(tree)
    loss = sum(float(np.sum((k + 1) * (p - 0.3) ** 2 + 0.1 * p**4)) for k, p in enumerate(leaves))
    weights = iter(range(1, len(leaves) + 1))  # tree_map visits the leaves in the same order
    grads = tree_map(lambda p: (2 * next(weights) * (p - 0.3) + 0.4 * p**3).astype(p.dtype), tree)
    return loss, grads


class TreeModel:
    """A model holding a plain tree: ``descend`` on it takes the tree path."""

    def __init__(self, tree):
        self.tree = tree

    def parameters(self):
        return self.tree

    def update(self, tree):
        self.tree = tree


@pytest.mark.parametrize("search", [None, "strong_wolfe"])
@pytest.mark.parametrize("kind", ["float64", "float32"])
def test_lbfgs_descend_on_flat_parameters_has_the_iterates_of_the_tree_path(search, kind):
    model = TreeModel(tree_of(DTYPES[kind]))
    flat = FlatParameters(model.tree)
    opt, reference = (LBFGS(lr=0.5, max_iter=6, line_search_fn=search) for _ in range(2))
    points, tree_points = [], []

    def closure():
        points.append(flat.vectors[0].copy())
        loss, grads = quadratic(flat.tree)
        return loss, flat.join(grads)

    def tree_closure():
        tree_points.append(flat.join(model.tree)[0])
        return quadratic(model.tree)

    for _ in range(2):  # the second step continues the kept history
        loss, grads = opt.descend(flat, closure)
        ref_loss, ref_grads = reference.descend(model, tree_closure)
        assert_same_trees(flat.tree, model.tree)
        assert loss == ref_loss and opt.n_evals == reference.n_evals
        for a, b in zip(grads, flat.join(ref_grads), strict=True):
            np.testing.assert_array_equal(a, b)
    assert len(points) >= opt.n_evals and not np.array_equal(points[0], points[-1])
    for a, b in zip(points, tree_points, strict=True):
        np.testing.assert_array_equal(a, b)
    assert opt.reason == reference.reason and flat.vectors[0].dtype == np.dtype(kind)
    assert_same_states(opt.state_dict(), reference.state_dict())


def test_lbfgs_descend_on_mixed_dtypes_matches_the_tree_path():
    tree = tree_of(DTYPES["mixed"])
    flat = FlatParameters(tree)
    opt = LBFGS(lr=0.5, max_iter=10, line_search_fn="strong_wolfe")
    loss, grads = opt.descend(flat, lambda: (quadratic(flat.tree)[0],
                                             flat.join(quadratic(flat.tree)[1])))
    expected, _ = LBFGS(lr=0.5, max_iter=10, line_search_fn="strong_wolfe").step(tree, quadratic)
    assert [g.dtype for g in grads] == flat.dtypes
    for a, b in zip(tree_leaves(flat.tree), tree_leaves(expected)):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert loss < quadratic(tree_of(DTYPES["mixed"]))[0] / 2
    with pytest.raises(ValueError, match="expected 2 gradient vectors"):
        LBFGS().descend(flat, lambda: (0.0, [np.zeros(7)]))


class ScaledSign(Optimizer):
    """A rule of its own, with a state only for matrices: the flat path loops over leaves."""

    def init_state(self, param):
        return {"seen": np.zeros_like(param)} if param.ndim == 2 else {}

    def apply(self, param, grad, state, step):
        if "seen" in state:
            state["seen"] += np.abs(grad)
        param -= np.sign(grad) * (self.lr / step)


def test_a_subclass_with_uneven_states_steps_flat_parameters_leaf_by_leaf():
    tree = tree_of(DTYPES["mixed"])
    flat = FlatParameters(tree)
    flat_opt, tree_opt = ScaledSign(0.1), ScaledSign(0.1)
    run_flat(flat_opt, flat, 3)
    expected = run_tree(tree_opt, tree, 3)
    assert_same_trees(flat.tree, expected)
    assert_same_states(flat_opt.state_dict(), tree_opt.state_dict())
    assert "state.w.seen" in flat_opt.state_dict() and "state.b.seen" not in flat_opt.state_dict()
    np.testing.assert_allclose(flat.tree["b"], tree["b"] - 0.1 * (1 + 1 / 2 + 1 / 3) * np.sign(
        gradient(tree, 1)["b"]), rtol=1e-12)
