"""The optimizers' update loops give the same bits compiled and run by Python as numpy
operations on whole vectors, each rounded to the parameters' dtype (a nan may come out with the
other sign: the compiler may fold a negation into a subtraction)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.optim import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, kernel

SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e30]

OPTIONS = {
    SGD: st.fixed_dictionaries({"lr": st.sampled_from([0.1, 1e-3]),
                                "momentum": st.sampled_from([0.0, 0.9]),
                                "dampening": st.sampled_from([0.0, 0.3]),
                                "nesterov": st.booleans(),
                                "weight_decay": st.sampled_from([0.0, 0.01]),
                                "maximize": st.booleans()}),
    Adam: st.fixed_dictionaries({"lr": st.sampled_from([0.1, 1e-3]),
                                 "weight_decay": st.sampled_from([0.0, 0.01]),
                                 "amsgrad": st.booleans(), "maximize": st.booleans()}),
    AdamW: st.fixed_dictionaries({"lr": st.sampled_from([0.1, 1e-3]),
                                  "weight_decay": st.sampled_from([0.0, 0.01]),
                                  "amsgrad": st.booleans(), "maximize": st.booleans()}),
    RMSprop: st.fixed_dictionaries({"lr": st.sampled_from([0.1, 1e-3]),
                                    "momentum": st.sampled_from([0.0, 0.9]),
                                    "centered": st.booleans(),
                                    "weight_decay": st.sampled_from([0.0, 0.01]),
                                    "maximize": st.booleans()}),
    Adagrad: st.fixed_dictionaries({"lr": st.sampled_from([0.1, 1e-3]),
                                    "lr_decay": st.sampled_from([0.0, 0.1]),
                                    "initial_accumulator_value": st.sampled_from([0.0, 0.5]),
                                    "weight_decay": st.sampled_from([0.0, 0.01]),
                                    "maximize": st.booleans()}),
    NAdam: st.fixed_dictionaries({"lr": st.sampled_from([0.1, 1e-3]),
                                  "weight_decay": st.sampled_from([0.0, 0.01]),
                                  "momentum_decay": st.sampled_from([4e-3, 0.1]),
                                  "decoupled_weight_decay": st.booleans(),
                                  "maximize": st.booleans()}),
    RAdam: st.fixed_dictionaries({"lr": st.sampled_from([0.1, 1e-3]),
                                  "betas": st.sampled_from([(0.9, 0.999), (0.8, 0.5)]),
                                  "weight_decay": st.sampled_from([0.0, 0.01]),
                                  "decoupled_weight_decay": st.booleans(),
                                  "maximize": st.booleans()}),
    Adamax: st.fixed_dictionaries({"lr": st.sampled_from([0.1, 1e-3]),
                                   "weight_decay": st.sampled_from([0.0, 0.01]),
                                   "maximize": st.booleans()}),
    Adadelta: st.fixed_dictionaries({"lr": st.sampled_from([1.0, 1e-3]),
                                     "rho": st.sampled_from([0.9, 0.5]),
                                     "weight_decay": st.sampled_from([0.0, 0.01]),
                                     "maximize": st.booleans()}),
}


def trajectory(optimizer, dtype, seed, steps=4):
    """Parameters and optimizer state after ``steps`` steps on gradients of many magnitudes,
    some of them nan, inf or signed zeros."""
    rng = np.random.default_rng(seed)
    params = {"w": rng.standard_normal((3, 7)).astype(dtype), "b": np.zeros(5, dtype)}
    for _ in range(steps):
        grads = {key: (rng.standard_normal(p.shape) * 10.0 ** rng.integers(-8, 4, p.shape))
                 .astype(dtype) for key, p in params.items()}
        grads["w"].flat[:len(SPECIAL)] = SPECIAL
        with np.errstate(all="ignore"):
            params = optimizer.step(params, grads)
    return params, optimizer.state_dict()


def same_bits(a, b):
    """Equal dtypes, and equal bits wherever not both nan."""
    both_nan = np.isnan(a) & np.isnan(b)
    return a.dtype == b.dtype and a[~both_nan].tobytes() == b[~both_nan].tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", list(OPTIONS), ids=lambda c: c.__name__)
@settings(max_examples=12, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_the_compiled_loop_gives_the_bits_of_numpy_operations(cls, dtype, data, seed):
    options = data.draw(OPTIONS[cls])
    if cls is SGD and (options["momentum"] == 0.0 or options["dampening"] != 0.0):
        options["nesterov"] = False  # nesterov needs momentum and no dampening
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernel, "COMPILED_FROM", 0)  # every vector runs compiled
        compiled = trajectory(cls(**options), dtype, seed)
    interpreted = trajectory(cls(**options), dtype, seed)  # small: numpy operations
    for key in ("w", "b"):
        assert same_bits(compiled[0][key], interpreted[0][key]), key
    assert compiled[1].keys() == interpreted[1].keys()
    for key, value in compiled[1].items():
        assert same_bits(np.asarray(value), np.asarray(interpreted[1][key])), key


@pytest.mark.parametrize("cls", list(OPTIONS), ids=lambda c: c.__name__)
def test_float16_parameters_step_in_float16_near_the_float64_steps(cls):
    start = np.array([0.6, -1.5, 2.0, 0.3])  # no zero gradient: eps is 0 in float16
    low, high = cls(lr=0.01), cls(lr=0.01)
    p16, p64 = {"w": start.astype(np.float16)}, {"w": start}
    for t in range(1, 4):
        p16 = low.step(p16, {"w": (p16["w"] * 2 - t).astype(np.float16)})
        p64 = high.step(p64, {"w": p64["w"] * 2 - t})
    assert p16["w"].dtype == np.float16
    assert not np.array_equal(p64["w"], start)
    np.testing.assert_allclose(p16["w"], p64["w"], rtol=3e-3, atol=3e-3)


def test_parameters_must_be_contiguous_to_be_moved_in_place():
    state = {"sum": np.zeros((4, 4))[:, ::2]}
    with pytest.raises(ValueError, match="C-contiguous"):
        Adagrad().apply(np.zeros((4, 2)), np.ones((4, 2)), state, 1)


def test_a_large_float16_vector_steps_as_numpy_operations():
    params = {"w": np.linspace(-1, 1, kernel.COMPILED_FROM, dtype=np.float16)}
    stepped = SGD(lr=0.25, momentum=0.5).step(params, {"w": params["w"] * 2})["w"]
    assert stepped.dtype == np.float16
    np.testing.assert_array_equal(stepped, params["w"] * np.float16(0.5))
