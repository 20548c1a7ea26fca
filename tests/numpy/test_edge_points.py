"""Values and derivatives at edge points (signed zeros, infinities, subnormals, 0-d inputs):
numpy's values and shapes, and the one-sided slopes where a function ends at the point."""

import numpy as onp
import pytest
from numpy.testing import assert_array_equal

import mlkit.numpy as np
from mlkit import elementwise_grad, grad, make_jvp

EDGES = onp.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, 1e300, -1e300, onp.inf, -onp.inf,
                   onp.nan, 0.5, -2.5, 3.0])


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_frexp_of_subnormals_gives_numpys_mantissa(dtype):
    # The mantissa of 5e-324 is 0.5 (x * 2**1074); 2**1074 alone overflows to inf.
    with onp.errstate(over="ignore"):
        x = onp.concatenate([EDGES.astype(dtype), onp.array([1e-45, -1e-40], dtype)])
    for ours, numpys in zip(np.frexp(x), onp.frexp(x)):
        assert ours.dtype == numpys.dtype
        assert_array_equal(ours, numpys)
    tiniest = onp.finfo(dtype).smallest_subnormal
    assert np.frexp(tiniest)[0] == 0.5
    assert grad(lambda x: np.frexp(x)[0])(dtype(3.0)) == 0.25


def test_modf_and_nextafter_of_infinities_give_numpys_values_and_slope_zero_there():
    x = onp.array([onp.inf, -onp.inf, 2.5, -0.75])
    with onp.errstate(all="raise"):
        fraction = np.modf(x)[0]
        moved = np.nextafter(x, 0.0)
    assert_array_equal(fraction, [0.0, -0.0, 0.5, -0.75])
    assert_array_equal(moved, onp.nextafter(x, 0.0))
    assert moved[0] == onp.finfo(onp.float64).max
    for fun in (lambda x: np.modf(x)[0], lambda x: np.nextafter(x, 0.0)):
        assert_array_equal(elementwise_grad(fun)(x), [0.0, 0.0, 1.0, 1.0])
        assert_array_equal(make_jvp(fun)(x)(onp.ones(4))[1], [0.0, 0.0, 1.0, 1.0])


@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_median_is_the_middle_element_next_to_an_infinity(name):
    """numpy's median takes the middle element (or the mean of the middle two), where an
    interpolation 2 + (inf - 2) * 0 would give nan."""
    median = getattr(np, name)
    x = onp.array([[1.0, onp.inf, 2.0], [-onp.inf, 1.0, onp.inf], [4.0, 1.0, -3.0]])
    assert_array_equal(median(x, axis=1), [2.0, 1.0, 1.0])
    assert_array_equal(median(onp.array([1.0, onp.inf, 2.0, 3.0])), 2.5)
    assert_array_equal(grad(lambda x: median(x, axis=1).sum())(x),
                       [[0, 0, 1], [0, 1, 0], [0, 1, 0]])
    assert_array_equal(grad(median)(onp.array([3.0, 1.0, 2.0, 5.0])), [0.5, 0, 0.5, 0])
    tangent = make_jvp(lambda x: median(x, axis=1))(x)(onp.arange(9.0).reshape(3, 3))[1]
    assert_array_equal(tangent, [2.0, 4.0, 7.0])


def test_sqrt_at_negative_zero_has_the_slopes_of_sqrt_at_zero():
    """sqrt(-0.) is -0.; its slope is +inf (not 0.5 / -0. = -inf), its curvature -inf."""
    x = onp.array([0.0, -0.0, 4.0])
    assert_array_equal(elementwise_grad(np.sqrt)(x), [onp.inf, onp.inf, 0.25])
    assert_array_equal(make_jvp(np.sqrt)(x)(onp.ones(3))[1], [onp.inf, onp.inf, 0.25])
    assert_array_equal(elementwise_grad(elementwise_grad(np.sqrt))(x),
                       [-onp.inf, -onp.inf, -1 / 32])


@pytest.mark.parametrize("name", ["ascontiguousarray", "asfortranarray"])
def test_layout_conversions_of_a_traced_scalar_are_one_dimensional_as_in_numpy(name):
    fun = getattr(np, name)
    value, tangent = make_jvp(fun)(0.37)(2.0)
    assert value.shape == tangent.shape == getattr(onp, name)(0.37).shape == (1,)
    assert_array_equal((value, tangent), ([0.37], [2.0]))
    assert grad(lambda x: fun(x)[0] * 3.0)(0.37) == 3.0


@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_median_of_empty_slices_is_nan_as_in_numpy(name):
    """numpy gives nan for an empty slice (with a warning) and an empty result for no slices;
    mlkit raised IndexError or ValueError. The gradient is the empty input's zeros."""
    median = getattr(np, name)
    with pytest.warns(RuntimeWarning):
        assert onp.isnan(median(onp.zeros(0)))
        kept = median(onp.zeros((3, 0)), axis=1, keepdims=True)
        assert_array_equal(kept, onp.full((3, 1), onp.nan))
    assert median(onp.zeros((0, 3)), axis=1).shape == (0,)
    assert np.quantile(onp.zeros((0, 3)), 0.5, axis=1).shape == (0,)
    with pytest.warns(RuntimeWarning):
        assert grad(lambda x: np.sum(median(x, axis=0)))(onp.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("shape, ord, axis", [((0,), onp.inf, None), ((0, 3), onp.inf, None),
                                              ((3, 0), 1, None), ((0, 3), 2, None),
                                              ((3, 0), "nuc", None), ((0, 3), onp.inf, 0)])
def test_norms_of_empty_arrays_are_zero_as_in_numpy(shape, ord, axis):
    """numpy's maxima in norms start from 0; mlkit's raised on the empty reduction (and the
    derivative of the svd-based ones did, in the gaps between singular values)."""
    x = onp.zeros(shape)
    assert_array_equal(np.linalg.norm(x, ord, axis), onp.linalg.norm(x, ord, axis))
    assert grad(lambda x: np.sum(np.linalg.norm(x, ord, axis)))(x).shape == shape


def test_det_of_empty_matrices_is_one_with_an_empty_derivative():
    x = onp.zeros((2, 0, 0))
    assert_array_equal(np.linalg.det(x), [1.0, 1.0])
    assert grad(lambda x: np.sum(np.linalg.det(x)))(x).shape == (2, 0, 0)
    assert_array_equal(make_jvp(np.linalg.det)(x)(x)[1], [0.0, 0.0])


@pytest.mark.parametrize("name, slope", [("prod", [onp.inf, 2.0, onp.inf]),
                                         ("cumprod", [onp.inf, 3.0, onp.inf])])
def test_products_next_to_an_infinity_have_the_finite_slopes_of_the_other_factors(name, slope):
    """d prod([1, inf, 2]) / dx_1 = 1 * 2, not prod / x_1 = inf / inf = nan (cumprod: 1 + 2)."""
    fun = getattr(np, name)
    x = onp.array([1.0, onp.inf, 2.0])
    with onp.errstate(invalid="ignore"):
        assert_array_equal(grad(lambda x: np.sum(fun(x)))(x), slope)
        assert make_jvp(lambda x: np.sum(fun(x)))(x)(onp.ones(3))[1] == onp.inf


def test_modf_keeps_the_sign_of_negative_integers_and_negative_zero():
    x = onp.array([-3.0, -0.0, 0.0, 3.0, -2.5])
    fraction, integral = np.modf(x)
    assert_array_equal(onp.signbit(fraction), [True, True, False, False, True])
    assert_array_equal(fraction, [0.0, 0.0, 0.0, 0.0, -0.5])
    assert_array_equal(integral, [-3.0, -0.0, 0.0, 3.0, -2.0])
    assert onp.signbit(np.modf(-0.0)[0])
    assert_array_equal(elementwise_grad(lambda x: np.modf(x)[0])(x), onp.ones(5))


def test_negative_order_norms_are_zero_at_a_zero_element_and_inf_when_empty():
    x = onp.array([[2.0, 1.0], [0.0, 3.0]])
    # (2**-1 + 1**-1)**-1 = 2/3; a zero element makes the norm 0, not (3**-1)**-1 = 3
    assert_array_equal(np.linalg.norm(x, -1, axis=1), [2.0 / 3.0, 0.0])
    assert np.linalg.norm(onp.array([0.0, 1.0]), -2) == 0.0
    with onp.errstate(divide="ignore"):
        assert np.linalg.norm(onp.zeros(0), -1) == onp.inf
        assert_array_equal(np.linalg.norm(onp.zeros((2, 0)), -0.5, axis=1), [onp.inf, onp.inf])
    # d/dx (1/x + 1/y)**-1 = (n/x)**2 with n = 2/3 at (2, 1): 1/9 and 4/9
    assert onp.allclose(grad(lambda v: np.linalg.norm(v, -1))(onp.array([2.0, 1.0])),
                        [1.0 / 9.0, 4.0 / 9.0])
    assert_array_equal(grad(lambda v: np.linalg.norm(v, -1))(onp.array([0.0, 1.0])), [0.0, 0.0])
