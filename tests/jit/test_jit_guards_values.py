"""Guards compare the recorded Python value bit for bit: -0.0 is not 0.0, a NaN is a NaN."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import jit


def _from_float(x):
    s = float(np.max(x))  # a guard; the rest of the program is a constant built from s
    return onp.full(2, s)


def test_negative_zero_takes_its_own_path():
    jitted = jit(_from_float)
    for value in (0.0, -0.0, 0.0, -0.0):
        x = onp.array([value, value])
        got, want = jitted(x), _from_float(x)
        onp.testing.assert_array_equal(onp.signbit(got), onp.signbit(want))
    assert jitted.cache_info()["paths"] == [2]


def test_a_nan_guard_replays_its_path_instead_of_recording_again():
    jitted = jit(_from_float)
    for value in (1.0, onp.nan, onp.nan, onp.nan, 1.0, onp.nan):
        x = onp.array([value, value])
        onp.testing.assert_array_equal(jitted(x), _from_float(x))
    assert jitted.cache_info()["paths"] == [2]


def test_integer_scalar_comparisons_guard_as_operators():
    def f(x, labels):
        if np.min(labels) < 0 or np.max(labels) >= x.shape[1]:
            raise ValueError("labels out of range")
        return np.sum(x[onp.arange(len(x)), labels])

    jitted = jit(f)
    x = onp.linspace(0.0, 1.0, 12).reshape(4, 3)
    text = jitted.listing(x, onp.array([0, 1, 2, 1]))
    assert " < 0" in text and " >= 3" in text
    for labels in ([0, 1, 2, 1], [2, 2, 0, 1]):
        assert jitted(x, onp.array(labels)) == f(x, onp.array(labels))
    for bad in ([0, -1, 2, 1], [0, 3, 2, 1]):
        with pytest.raises(ValueError, match="out of range"):
            jitted(x, onp.array(bad))
    assert jitted.cache_info()["paths"] == [1]


def test_item_at_an_index_is_a_guard_as_numpy_s_item_is_a_number():
    def scaled(x):
        return x * x.item(0) if x.item(1) > 0 else -x

    jitted = jit(scaled)
    for values in ([1.5, 2.0, 3.0], [2.5, 2.0, 3.0], [1.5, -2.0, 3.0], [1.5, 2.0, 3.0]):
        x = onp.array(values)
        onp.testing.assert_array_equal(jitted(x), scaled(x))
    assert jitted.cache_info()["paths"] == [3]


def test_a_static_negative_zero_has_a_signature_of_its_own():
    def reciprocal_scaled(x, n):
        return x / n

    jitted = jit(reciprocal_scaled, static_argnums=(1,))
    x = onp.array([1.0, -2.0])
    for n in (-0.0, 0.0, -0.0, 2.0, 0.0):
        with onp.errstate(divide="ignore"):
            onp.testing.assert_array_equal(jitted(x, n), x / n)
    assert jitted.cache_info()["signatures"] == 3


def test_an_unhashable_static_argument_is_named_with_the_way_out():
    jitted = jit(lambda x, n: x * n, static_argnums=(1,))
    with pytest.raises(TypeError, match=r"static argument 1, of type ndarray, cannot.*not static"):
        jitted(onp.ones(2), onp.ones(2))
    by_name = jit(lambda x, *, scale: x * scale, static_argnames="scale")
    with pytest.raises(TypeError, match=r"static argument .scale., of type list"):
        by_name(onp.ones(2), scale=[2.0])
