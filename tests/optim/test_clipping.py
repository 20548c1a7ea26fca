"""Gradient clipping by global norm and by value, of trees and of flat vectors (clip_flat)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import mlkit
from mlkit.optim import FlatParameters, clip_flat, clip_grad_norm, clip_grad_value


def test_global_norm_by_hand():
    grads = {"a": np.array([3.0, 0.0]), "b": [np.array([[4.0]]), None]}  # norm 5
    clipped, total = clip_grad_norm(grads, max_norm=1.0)
    assert total == 5.0
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(clipped["a"], [3.0 * scale, 0.0], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"][0], [[4.0 * scale]], rtol=1e-15)
    assert clipped["b"][1] is None
    np.testing.assert_array_equal(grads["a"], [3.0, 0.0])


def test_small_gradients_are_returned_as_they_are():
    grads = [np.array([0.3, 0.4])]
    clipped, total = clip_grad_norm(grads, max_norm=1.0)
    assert clipped is grads and total == pytest.approx(0.5)


def test_other_norms():
    grads = (np.array([1.0, -2.0]), np.array([2.0]))
    assert clip_grad_norm(grads, 10.0, norm_type=1)[1] == 5.0
    assert clip_grad_norm(grads, 10.0, norm_type=math.inf)[1] == 2.0
    clipped, _ = clip_grad_norm(grads, 1.0, norm_type=math.inf)
    np.testing.assert_allclose(clipped[0], [0.5, -1.0], rtol=1e-6)


@pytest.mark.parametrize("norm_type", [math.inf, 2.0, 1.0])
def test_a_nan_entry_makes_the_norm_and_every_clipped_entry_nan(norm_type):
    """A nan in any leaf (here after the largest one) is not hidden by the other leaves."""
    grads = [np.array([3.0, -4.0]), np.array([np.nan, 1.0])]
    clipped, total = clip_grad_norm(grads, 1.0, norm_type=norm_type)
    assert math.isnan(total)
    assert all(np.isnan(leaf).all() for leaf in clipped)


@settings(max_examples=40, deadline=None)
@given(
    values=arrays(np.float32, st.integers(1, 6), elements=st.floats(-1e3, 1e3, width=32)),
    max_norm=st.floats(0.01, 100.0),
)
def test_clipped_norm_never_exceeds_the_limit_and_dtype_is_kept(values, max_norm):
    grads = {"w": values, "frozen": None}
    clipped, total = clip_grad_norm(grads, max_norm)
    assert total == pytest.approx(float(np.linalg.norm(values.astype(np.float64))), rel=1e-6)
    assert clipped["w"].dtype == np.float32 and clipped["frozen"] is None
    assert np.linalg.norm(clipped["w"].astype(np.float64)) <= max_norm * (1 + 1e-5)


def test_clip_by_value_keeps_dtype_and_none():
    grads = {"w": np.array([-3.0, 0.5, 2.0], np.float32), "skip": None}
    clipped = clip_grad_value(grads, 1.0)
    np.testing.assert_array_equal(clipped["w"], [-1.0, 0.5, 1.0])
    assert clipped["w"].dtype == np.float32 and clipped["skip"] is None


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: clip_grad_norm([np.ones(2)], 0.0), r"clip_grad_norm: max_norm .*> 0, got 0.0"),
        (lambda: clip_grad_norm([np.ones(2)], 1.0, norm_type=-2), "norm_type"),
        (lambda: clip_grad_value([np.ones(2)], -1.0), r"clip_grad_value: clip_value .*>= 0"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_clip_flat_is_the_tree_clipping_by_norm_then_by_value():
    rng = np.random.default_rng(0)
    tree = {"a": rng.normal(size=(3, 2)), "b": rng.normal(size=4).astype(np.float32),
            "c": rng.normal(size=2)}
    flat = FlatParameters(tree)
    vectors = flat.join(tree)
    for max_norm, max_value in [(0.5, None), (0.5, 0.1), (None, 0.3), (100.0, None),
                                (None, None)]:
        clipped = clip_flat(vectors, max_norm=max_norm, max_value=max_value)
        expected = tree
        if max_norm is not None:
            expected = clip_grad_norm(expected, max_norm)[0]
        if max_value is not None:
            expected = clip_grad_value(expected, max_value)
        for got, want in zip(clipped, flat.join(expected)):
            assert got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=1e-6)
    norm = np.sqrt(sum(float(v.astype(np.float64) @ v) for v in vectors))
    scaled = clip_flat(vectors, max_norm=0.5)
    np.testing.assert_allclose(scaled[0], vectors[0] * 0.5 / (norm + 1e-6), rtol=1e-6)
    assert np.array_equal(clip_flat(vectors, max_norm=100.0)[0], vectors[0])


def test_clip_flat_under_jit_and_in_float32():
    vectors = [np.array([3.0, 0.0, -4.0], np.float32)]
    jitted = mlkit.jit(lambda v: clip_flat([v], max_norm=1.0, max_value=0.7)[0])
    for scale in (1.0, 0.1, 2.0):
        v = vectors[0] * np.float32(scale)
        eager = clip_flat([v], max_norm=1.0, max_value=0.7)[0]
        got = jitted(v)
        assert got.dtype == np.float32 and eager.dtype == np.float32
        np.testing.assert_allclose(got, eager, rtol=1e-6)
        np.testing.assert_allclose(eager, np.clip(v * min(1.0, 1.0 / (5.0 * scale + 1e-6)),
                                                  -0.7, 0.7), rtol=1e-6)
    with pytest.raises(ValueError, match="clip_flat: max_norm must be"):
        clip_flat(vectors, max_norm=0.0)
