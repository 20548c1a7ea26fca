"""The one logistic family (in mlkit.scipy.special): derivatives against finite differences and
against exact tail formulas (relative accuracy where the true value is tiny, never a 0), in
float64 and float32, and the same functions under mlkit.nn and mlkit.scipy.special."""

import math

import numpy
import pytest
import scipy.special
from numpy.testing import assert_allclose, assert_array_equal

from mlkit import elementwise_grad, grad, make_jvp, nn
from mlkit.scipy import special
from mlkit.testing import check_grads

MODERATE = numpy.array([[-3.0, -0.4, 0.9], [2.5, -1.2, 0.3]])
# Where the function's own values carry the tail (tiny, not rounded to 1), so that finite
# differences resolve the derivatives to relative accuracy.
FD_TAILS = {"expit": (-700.0, -300.0, -40.0), "log_expit": (40.0, 300.0, 700.0)}
TAILS = (-700.0, -300.0, -40.0, 40.0, 300.0, 700.0)


def _expit_derivatives(x):
    """expit', expit'' and expit''' at a Python float, from e = exp(-|x|): each is ``e`` times
    a factor near 1 in both tails, so rounding leaves them relatively exact."""
    e = math.exp(-abs(x))
    d1 = e / (1 + e) ** 2
    slope = math.copysign(1.0, x) * (e - 1) / (1 + e)  # 1 - 2 expit(x)
    return d1, d1 * slope, d1 * (slope * slope - 2 * d1)


def _nth(fun, n):
    for _ in range(n):
        fun = elementwise_grad(fun)
    return fun


@pytest.mark.parametrize("fun", [nn.sigmoid, special.expit])
@pytest.mark.parametrize("x", [40.0, -40.0])
def test_sigmoid_gradient_at_forty_is_exact_and_nonzero(fun, x):
    exact = math.exp(-40.0) / (1 + math.exp(-40.0)) ** 2
    value = grad(fun)(x)
    assert value != 0.0
    assert abs(value - exact) <= 1e-12 * exact


@pytest.mark.parametrize("x", TAILS)
def test_expit_derivatives_keep_relative_accuracy_in_both_tails(x):
    for order, exact in enumerate(_expit_derivatives(x), start=1):
        value = float(_nth(special.expit, order)(numpy.array(x)))
        assert value != 0.0
        assert abs(value - exact) <= 1e-12 * abs(exact), (order, value, exact)
    # forward mode says the same
    tangent = make_jvp(special.expit)(x)(1.0)[1]
    assert abs(tangent - _expit_derivatives(x)[0]) <= 1e-12 * _expit_derivatives(x)[0]


@pytest.mark.parametrize("x", TAILS)
def test_log_expit_and_softplus_derivatives_are_sigmoids_in_both_tails(x):
    d1, d2, _ = _expit_derivatives(x)
    sig = scipy.special.expit(x)
    assert_allclose(grad(special.log_expit)(x), scipy.special.expit(-x), rtol=1e-14)
    assert_allclose(grad(grad(special.log_expit))(x), -d1, rtol=1e-12)
    assert_allclose(grad(nn.softplus)(x), sig, rtol=1e-14)
    assert_allclose(grad(grad(nn.softplus))(x), d1, rtol=1e-12)
    assert_allclose(grad(grad(grad(nn.softplus)))(x), d2, rtol=1e-12)
    assert grad(grad(nn.softplus))(x) != 0.0


@pytest.mark.parametrize("x", [-80.0, -40.0, -3.0, 0.5, 40.0, 80.0])
def test_float32_derivatives_stay_float32_and_accurate(x):
    x32 = numpy.array([x], numpy.float32)
    for order, exact in enumerate(_expit_derivatives(float(x32[0])), start=1):
        value = _nth(special.expit, order)(x32)
        assert value.dtype == numpy.float32
        assert_allclose(value, [exact], rtol=2e-5 * order)
    softplus_grad = elementwise_grad(elementwise_grad(nn.softplus))(x32)
    assert softplus_grad.dtype == numpy.float32 and softplus_grad[0] != 0
    assert_allclose(softplus_grad, [_expit_derivatives(float(x32[0]))[0]], rtol=2e-5)


@pytest.mark.parametrize("name", ["expit", "log_expit"])
def test_elementwise_functions_match_finite_differences(name):
    fun = getattr(special, name)
    check_grads(fun)(MODERATE)
    for x in FD_TAILS[name]:
        check_grads(fun, rtol=1e-5, atol=0.0)(x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [None, 0, -1])
@pytest.mark.parametrize("offset", [0.0, 700.0, -700.0])
def test_softmaxes_match_finite_differences_at_any_offset(name, axis, offset):
    check_grads(getattr(special, name), rtol=1e-5, atol=1e-12)(MODERATE + offset, axis=axis)


def test_log_softmax_over_a_huge_spread():
    x = numpy.array([700.0, -700.0, 0.5, -0.5])
    check_grads(special.log_softmax)(x)
    with numpy.errstate(over="raise", invalid="raise"):
        assert_allclose(special.log_softmax(x), [0.0, -1400.0, -699.5, -700.5])
        assert_allclose(special.softmax(x), [1.0, 0.0, math.exp(-699.5), math.exp(-700.5)])


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_softmaxes_keep_the_dtype_and_match_scipy(dtype):
    x = (MODERATE * 30).astype(dtype)
    for name in ("softmax", "log_softmax", "expit", "log_expit"):
        fun = getattr(special, name)
        assert fun(x).dtype == dtype
        assert_allclose(fun(x), getattr(scipy.special, name)(x),
                        rtol=1e-6 if dtype == numpy.float32 else 1e-14, atol=1e-30)
        gradient = elementwise_grad(lambda x, fun=fun: fun(x) * 1.0)(x)
        assert gradient.dtype == dtype


def test_nn_and_scipy_special_are_the_same_functions():
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(3, 4)) * 50
    assert nn.sigmoid is special.expit
    assert_array_equal(nn.softplus(x), -special.log_expit(-x))
    for axis in (0, -1):
        assert_array_equal(nn.softmax(x, axis=axis), special.softmax(x, axis=axis))
        assert_array_equal(nn.log_softmax(x, axis=axis), special.log_softmax(x, axis=axis))
    assert_array_equal(nn.log_softmax(x), special.log_softmax(x, axis=-1))
    weights = rng.normal(size=(3, 4))
    for nn_fun, fun in ((nn.softmax, special.softmax), (nn.log_softmax, special.log_softmax)):
        assert_array_equal(grad(lambda x: numpy.sum(nn_fun(x) * weights))(x),
                           grad(lambda x: numpy.sum(fun(x, axis=-1) * weights))(x))


def test_scipy_expit_on_a_traced_value_reaches_the_one_implementation():
    x = numpy.array([-40.0, 40.0])
    assert_array_equal(elementwise_grad(scipy.special.expit)(x), elementwise_grad(nn.sigmoid)(x))


def test_complex_input_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="expit: complex input"):
        special.expit(numpy.array([1j]))


@pytest.mark.parametrize("x", [-40.0, 40.0, -700.0, 700.0])
def test_logit_cross_entropy_gradient_is_exact_for_both_labels(x):
    for label in (0.0, 1.0):
        value = grad(nn.binary_cross_entropy_with_logits)(numpy.array([x]), numpy.array([label]))
        exact = scipy.special.expit(x) if label == 0.0 else -scipy.special.expit(-x)
        assert value[0] == pytest.approx(exact, rel=1e-14) and value[0] != 0.0
    second = grad(grad(lambda x: nn.binary_cross_entropy_with_logits(x, numpy.array(1.0))))(x)
    assert second == pytest.approx(_expit_derivatives(x)[0], rel=1e-12)


@pytest.mark.parametrize("x", [numpy.array([1, 2, -3]), numpy.array([True, False]),
                               numpy.array([-800.0, -30.0, -0.5, 0.0, 0.5, 30.0, 800.0]),
                               numpy.array([-90.0, 0.25, 90.0], numpy.float32), 2.5])
def test_log_expit_values_and_dtypes_match_scipy(x):
    value = special.log_expit(x)
    expected = scipy.special.log_expit(x)
    assert numpy.result_type(value) == numpy.result_type(expected)
    assert_allclose(value, expected, rtol=4 * numpy.finfo(numpy.result_type(value)).eps)
    with pytest.raises(TypeError, match="complex"):
        special.log_expit(numpy.array([1j]))


# Row 0 of each sums to a negative number (its log is undefined), the others to positive ones.
SIGNED = [([0.5, 1.0, -0.3], [1.0, -2.0, 0.5]),
          ([[0.5, 1.0, -0.3], [0.2, -1.1, 0.4]], [[1.0, -2.0, 0.5], [1.0, 2.0, -0.5]]),
          ([[3.0, 2.0], [-1.0, 0.0], [700.0, 699.0]], [[-1.0, 0.5], [0.25, 0.5], [-1.0, 3.0]])]


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.filterwarnings("ignore:invalid value encountered")
@pytest.mark.parametrize("a, b", SIGNED, ids=["vector", "matrix", "large"])
def test_logsumexp_of_a_negative_sum_is_nan_with_nan_derivatives(dtype, a, b):
    a, b = numpy.array(a, dtype), numpy.array(b, dtype)

    def lse(a, b):
        return special.logsumexp(a, axis=-1, b=b)

    expected_nan = numpy.atleast_1d(numpy.isnan(scipy.special.logsumexp(a, -1, b=b)))
    assert_array_equal(numpy.atleast_1d(numpy.isnan(lse(a, b))), expected_nan)
    # Where the sum is positive: b exp(a) / sum in a, exp(a) / sum in b.
    weights = b * numpy.exp(a - a.max(-1, keepdims=True))
    exact = weights / weights.sum(-1, keepdims=True)
    for argnum, expected in ((0, exact), (1, exact / b)):
        g = numpy.atleast_2d(grad(lambda a, b: numpy.sum(lse(a, b)), argnum)(a, b))
        assert g.dtype == dtype
        assert_array_equal(numpy.isnan(g).all(-1), expected_nan)
        assert_allclose(g[~expected_nan], numpy.atleast_2d(expected)[~expected_nan], rtol=1e-5)
    tangent = make_jvp(lambda a: lse(a, b))(a)(numpy.ones_like(a))[1]
    assert_array_equal(numpy.atleast_1d(numpy.isnan(tangent)), expected_nan)
    # log|sum| stays differentiable with return_sign.
    check_grads(lambda a: special.logsumexp(a, -1, b=b, return_sign=True)[0],
                modes=("fwd", "rev"), order=2)(a.astype(numpy.float64))


# Complex rows whose sums have a negative real part (row 0) or lie on the negative real axis
# (row 1): the complex log is defined there, as in scipy; only a real negative sum is nan.
COMPLEX_ROWS = numpy.array([[-0.958j, 1.6j, 0.203j, -1.732j], [0.5 + 3.0j, 0.2 - 3.0j, 0.1, 0.0]])


@pytest.mark.parametrize("b", [None, numpy.array([1.0, 0.5, -0.25, 2.0])], ids=["plain", "b"])
def test_logsumexp_of_a_complex_sum_left_of_the_imaginary_axis(b):
    want = scipy.special.logsumexp(COMPLEX_ROWS, axis=1, b=b)
    assert numpy.all(numpy.isfinite(want)) and numpy.any(numpy.real(numpy.exp(want)) < 0)
    assert_allclose(special.logsumexp(COMPLEX_ROWS, axis=1, b=b), want, rtol=1e-12)
    # holomorphic in a: the derivative of row i's value in a[i, j] is b_j exp(a_ij) / sum_i
    weights = (1 if b is None else b) * numpy.exp(COMPLEX_ROWS)
    slope = weights / weights.sum(1, keepdims=True)
    tangent = make_jvp(lambda a: special.logsumexp(a, axis=1, b=b))(COMPLEX_ROWS)(
        numpy.ones_like(COMPLEX_ROWS))[1]
    assert_allclose(tangent, slope.sum(1), rtol=1e-10)
    check_grads(lambda a: special.logsumexp(a, axis=1, b=b), modes=("fwd", "rev"),
                order=2)(COMPLEX_ROWS)
