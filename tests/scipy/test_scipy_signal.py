"""mlkit.scipy.signal.convolve computes scipy.signal.convolve's values in the plain case, sums
over ``dot_axes`` and lays out its axes as documented, keeps float32, and refuses bad axes and
modes clearly. (Finite-difference checks in both modes to order 2 are in tests/numpy/specs.py.)"""

import hypothesis.extra.numpy as hnp
import numpy as onp
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, make_jvp
from mlkit.scipy.signal import convolve

RNG = onp.random.default_rng(3)
PLAIN = [((5,), (3,)), ((3,), (5,)), ((4, 5), (2, 3)), ((2, 3), (4, 5)), ((3, 4, 2), (2, 2, 2)),
         ((1,), (4,)), ((4,), (4,))]


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("shapes", PLAIN, ids=str)
def test_values_match_scipy(shapes, mode):
    a, b = RNG.standard_normal(shapes[0]), RNG.standard_normal(shapes[1])
    expected = scipy.signal.convolve(a, b, mode=mode, method="direct")
    assert_allclose(convolve(a, b, mode=mode), expected, atol=1e-12)
    # traced, the same values come out
    value, _ = make_jvp(lambda x: convolve(x, b, mode=mode))(a)(onp.ones_like(a))
    assert_allclose(value, expected, atol=1e-12)


def test_complex_values_match_scipy():
    a = RNG.standard_normal((4, 3)) + 1j * RNG.standard_normal((4, 3))
    b = RNG.standard_normal((2, 2)) + 1j * RNG.standard_normal((2, 2))
    for mode in ("full", "valid", "same"):
        assert_allclose(convolve(a, b, mode=mode), scipy.signal.convolve(a, b, mode=mode))


def test_axes_and_dot_axes_follow_the_documented_layout():
    # a batch of 2 signals with 3 channels, against 4 filters of the same 3 channels
    a = RNG.standard_normal((2, 6, 3))
    b = RNG.standard_normal((3, 3, 4))
    out = convolve(a, b, axes=([1], [0]), dot_axes=([2], [1]), mode="valid")
    expected = onp.zeros((2, 4, 4))
    for i in range(2):
        for j in range(4):
            for c in range(3):
                expected[i, j] += onp.convolve(a[i, :, c], b[:, c, j], mode="valid")
    assert out.shape == (2, 4, 4)  # (a's batch, b's filters, convolved)
    assert_allclose(out, expected)


def test_convolving_over_two_axes_in_different_orders():
    a = RNG.standard_normal((4, 2, 3))
    b = RNG.standard_normal((2, 5, 2))
    out = convolve(a, b, axes=([0, 2], [2, 0]), mode="full")
    expected = onp.stack([[scipy.signal.convolve(a[:, i, :], b[:, j, :].T)
                           for j in range(5)] for i in range(2)])
    assert_allclose(out, expected)


def test_gradient_of_a_convolution_layer_against_a_hand_derivation():
    # d/dw sum(conv(x, w, valid) * g) = correlation of x with g
    x, w, g = RNG.standard_normal(7), RNG.standard_normal(3), RNG.standard_normal(5)
    got = grad(lambda w: np.sum(convolve(x, w, mode="valid") * g))(w)
    expected = [sum(g[n] * x[n + 2 - k] for n in range(5)) for k in range(3)]
    assert_allclose(got, expected)


def test_float32_stays_float32():
    a = RNG.standard_normal((5, 2)).astype(onp.float32)
    b = RNG.standard_normal((3, 2)).astype(onp.float32)
    assert convolve(a, b).dtype == onp.float32
    ga, gb = grad(lambda a, b: np.sum(convolve(a, b, mode="same") ** 2), argnum=(0, 1))(a, b)
    assert ga.dtype == gb.dtype == onp.float32


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(onp.float64, st.integers(1, 5), elements=st.floats(-3, 3)),
       hnp.arrays(onp.float64, st.integers(1, 5), elements=st.floats(-3, 3)))
def test_full_convolution_is_commutative_and_sums_multiply(a, b):
    out = convolve(a, b)
    assert_allclose(out, convolve(b, a), atol=1e-12)
    assert_allclose(onp.sum(out), onp.sum(a) * onp.sum(b), atol=1e-9)


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "circular"}, "mode must be one of"),
    ({"axes": ([0], [0, 1])}, "same length"),
    ({"axes": ([3], [0])}, "out of range"),
    ({"axes": ([0], [0]), "dot_axes": ([0], [1])}, "both convolved and contracted"),
    ({"axes": ([0], [0]), "dot_axes": ([1], [1])}, "contracted axes differ in size"),
    ({"axes": "rows"}, "pair of axis lists"),
    ({"mode": "valid"}, "at least as large as the other"),
])
def test_bad_arguments_are_explained(kwargs, message):
    a, b = onp.ones((4, 2)), onp.ones((2, 3))
    with pytest.raises(ValueError, match=message):
        convolve(a, b, **kwargs)


def test_different_ranks_need_axes():
    with pytest.raises(ValueError, match="give axes"):
        convolve(onp.ones(3), onp.ones((2, 2)))
