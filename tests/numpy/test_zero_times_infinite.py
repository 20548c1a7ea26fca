"""A zero tangent or cotangent element meeting an infinite partial derivative contributes 0
(a linear map takes 0 to 0; the function does not move along that direction), not
0 * inf = nan: a root's slope at 0, a zero divisor, a special function's pole or overflow, a
where that hides a branch, a product with an infinite factor, to second order and under jit."""

import math

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mlkit
import mlkit.numpy as np
import mlkit.scipy.special as special
from mlkit import grad, hessian, make_jvp


def _quiet(f, *args):
    with onp.errstate(all="ignore"):
        return f(*args)


def test_a_zero_tangent_at_a_roots_infinite_slope_gives_zero():
    x, t = onp.array([0.0, 1.0]), onp.array([0.0, 1.0])
    value, tangent = _quiet(make_jvp(np.sqrt)(x), t)
    assert_array_equal(tangent, [0.0, 0.5])
    h = 1e-6  # the finite difference along t: sqrt(0 + h 0) does not move
    assert_allclose((onp.sqrt(x + h * t) - onp.sqrt(x)) / h, tangent, atol=1e-6)
    assert_array_equal(_quiet(make_jvp(lambda x: x ** 0.5)(x), t)[1], [0.0, 0.5])
    assert_array_equal(_quiet(make_jvp(np.arcsin)(onp.array([1.0, 0.0])), t)[1], [0.0, 1.0])


@pytest.mark.parametrize("root", [np.sqrt, lambda x: x ** 0.5], ids=["sqrt", "power"])
def test_a_where_that_hides_a_root_at_zero_has_finite_derivatives(root):
    def f(x):
        return np.sum(np.where(x > 0, root(x), 0.0))

    x = onp.array([0.0, 4.0])
    assert_array_equal(_quiet(grad(f), x), [0.0, 0.25])
    assert_array_equal(_quiet(hessian(f), x), [[0.0, 0.0], [0.0, -1.0 / 32.0]])  # -x**-1.5 / 4
    jitted = mlkit.jit(grad(f))
    for point in (x, onp.array([9.0, 0.0]), onp.array([1.0, 4.0])):
        assert_array_equal(_quiet(jitted, point), _quiet(grad(f), point))
    assert_array_equal(_quiet(jitted, onp.array([9.0, 0.0])), [1.0 / 6.0, 0.0])


def test_a_traced_zero_tangent_keeps_its_own_derivative():
    # d/dy of the JVP of sqrt(1 + x^2) along 1 at y is d/dy y / sqrt(1 + y^2) = 1 at 0,
    # although the tangent of 1 + x^2 there is 0 (a guard on its value alone would give 0).
    def slope(y):
        return make_jvp(lambda x: np.sqrt(1.0 + x * x))(y)(1.0)[1]

    assert grad(slope)(0.0) == 1.0
    assert_allclose(grad(slope)(0.5), 1.25 ** -1.5)


def test_products_with_an_infinite_factor_have_exact_second_derivatives():
    a = onp.array([onp.inf, 2.0, 3.0])
    # x0 x1 x2: the mixed partials are the third factor, the diagonal 0 (linear in each)
    assert_array_equal(_quiet(hessian(np.prod), a),
                       [[0.0, 3.0, 2.0], [3.0, 0.0, onp.inf], [2.0, onp.inf, 0.0]])
    # x0 + x0 x1 + x0 x1 x2
    assert_array_equal(_quiet(hessian(lambda x: np.sum(np.cumprod(x))), a),
                       [[0.0, 4.0, 2.0], [4.0, 0.0, onp.inf], [2.0, onp.inf, 0.0]])
    assert _quiet(make_jvp(np.prod)(onp.array([onp.inf, 2.0])), onp.array([0.0, 1.0]))[1] == onp.inf
    assert_array_equal(
        _quiet(make_jvp(np.cumprod)(a), onp.array([0.0, 1.0, 0.0]))[1], [0.0, onp.inf, onp.inf])


@pytest.mark.parametrize("name", ["gammainc", "gammaincc", "betainc", "xlogy", "entr", "logit"])
def test_scipy_functions_with_an_infinite_slope_at_an_end_give_zero_along_a_zero_tangent(name):
    f, x = {
        "gammainc": (lambda x: special.gammainc(0.5, x), onp.array([0.0, 1.0])),
        "gammaincc": (lambda x: special.gammaincc(0.5, x), onp.array([0.0, 1.0])),
        "betainc": (lambda x: special.betainc(0.5, 2.0, x), onp.array([0.0, 0.5])),
        "xlogy": (lambda x: special.xlogy(x, x), onp.array([0.0, 1.0])),
        "entr": (special.entr, onp.array([0.0, 1.0])),
        "logit": (special.logit, onp.array([0.0, 0.5])),
    }[name]
    t = onp.array([0.0, 1.0])
    tangent = _quiet(make_jvp(f)(x), t)[1]
    h = 1e-6
    assert tangent[0] == 0.0
    assert_allclose(tangent[1], (f(x[1] + h) - f(x[1] - h)) / (2 * h), rtol=1e-6)
    assert_array_equal(_quiet(grad(lambda x: np.sum(np.where(x > 0, f(x), 0.0))), x), tangent)


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_safe_division_has_the_piecewise_derivatives_at_a_zero_divisor(dtype):
    # where(y != 0, x / y, 0): 0 where y == 0, and 1 / y, -x / y^2, 2 x / y^3 elsewhere
    x, y = onp.array([1.0, 2.0], dtype), onp.array([0.0, 4.0], dtype)

    def in_x(x):
        return np.sum(np.where(y != 0, x / y, 0.0))

    def in_y(y):
        return np.sum(np.where(y != 0, x / y, 0.0))

    assert_array_equal(_quiet(grad(in_x), x), onp.array([0.0, 0.25], dtype))
    gradient, second = _quiet(grad(in_y), y), _quiet(hessian(in_y), y)
    assert gradient.dtype == second.dtype == dtype
    assert_array_equal(gradient, [0.0, -0.125])
    assert_array_equal(second, [[0.0, 0.0], [0.0, 0.0625]])
    assert_array_equal(_quiet(mlkit.elementwise_grad(grad(in_y)), y), [0.0, 0.0625])
    # forward: x / y along a tangent that leaves the zero divisor alone, to second order
    t = onp.array([0.0, 1.0], dtype)
    along = make_jvp(lambda y: x / y)
    assert_array_equal(_quiet(along(y), t)[1], [0.0, -0.125])
    assert_array_equal(_quiet(make_jvp(lambda y: along(y)(t)[1])(y), t)[1], [0.0, 0.0625])
    assert_array_equal(_quiet(make_jvp(lambda x: x / y)(x), t)[1], [0.0, 0.25])


def test_safe_division_under_jit_replays_the_eager_gradient_wherever_the_zeros_are():
    x = onp.array([1.0, 2.0])

    def f(y):
        return np.sum(np.where(y != 0, x / y, 0.0))

    jitted = mlkit.jit(grad(f))
    for y in ([0.0, 4.0], [4.0, 0.0], [1.0, 2.0], [0.0, 0.0], [0.0, 4.0]):
        y = onp.array(y)
        assert_array_equal(_quiet(jitted, y), _quiet(grad(f), y))
    assert_array_equal(_quiet(jitted, onp.array([4.0, 0.0])), [-1.0 / 16.0, 0.0])
    # a Python divisor 0 is guarded too: the hidden branch gives 0, not nan
    assert_array_equal(_quiet(grad(lambda x: np.sum(np.where(x > 5, x / 0.0, x))), x), [1, 1])


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_hidden_branches_of_mod_and_power_with_infinite_slopes_give_zero(dtype):
    x, y = onp.array([5.0, 5.0], dtype), onp.array([0.0, 3.0], dtype)
    for mod, slope in ((np.mod, -1.0), (np.fmod, -1.0)):  # d/dy = -floor(5 / 3), -trunc(5 / 3)
        def f(y, mod=mod):
            return np.sum(np.where(y != 0, mod(x, y), 0.0))

        assert_array_equal(_quiet(grad(f), y), onp.array([0.0, slope], dtype))
        assert_array_equal(_quiet(make_jvp(lambda y, mod=mod: mod(x, y))(y),
                                  onp.array([0.0, 1.0], dtype))[1], [0.0, slope])
    # d/dy b**y = log(b) b**y: nan for b < 0 (log), infinite where 10**y overflows
    b, e = onp.array([-2.0, 2.0], dtype), onp.array([3.0, 400.0], dtype)

    def g(e):
        return np.sum(np.where((b > 0) & (e < 100), b ** e, 0.0))

    assert_array_equal(_quiet(grad(g), onp.array([3.0, 2.0], dtype)), [0.0, 4 * onp.log(dtype(2))])
    assert_array_equal(_quiet(grad(lambda e: np.sum(np.where(e < 100, 10.0 ** e, 0.0))), e),
                       onp.array([1000 * onp.log(10.0), 0.0], dtype))
    assert_array_equal(_quiet(hessian(g), onp.array([3.0, 2.0], dtype)),
                       onp.diag([0.0, 4 * onp.log(dtype(2)) ** 2]).astype(dtype))


_BIG = {onp.float32: 1e30, onp.float64: 1e200}  # x * x overflows
# (function, point with an infinite or nan slope, point inside)
_SPECIAL_EDGES = {
    "erfinv": (special.erfinv, lambda big: 1.0, 0.5),
    "erfcinv": (special.erfcinv, lambda big: 0.0, 0.5),
    "ndtri": (special.ndtri, lambda big: 1.0, 0.3),
    "log_ndtr": (special.log_ndtr, lambda big: -big, -1.0),
    "gammaln": (special.gammaln, lambda big: 0.0, 2.5),
    "digamma": (special.digamma, lambda big: 0.0, 2.5),
    "polygamma": (lambda x: special.polygamma(1, x), lambda big: 0.0, 2.5),
    "gamma": (special.gamma, lambda big: 0.0, 2.5),
    "gamma-overflow": (special.gamma, lambda big: 200.0, 2.5),
    "rgamma": (special.rgamma, lambda big: -1000.0, 2.5),
    "betaln": (lambda a: special.betaln(a, 2.0), lambda big: 0.0, 1.5),
    "i0": (special.i0, lambda big: 1000.0, 1.0),
    "i1": (special.i1, lambda big: 1000.0, 1.0),
    "iv": (lambda x: special.iv(2, x), lambda big: 1000.0, 1.0),
    "y0": (special.y0, lambda big: 0.0, 1.0),
    "y1": (special.y1, lambda big: 0.0, 1.0),
    "yn": (lambda x: special.yn(2, x), lambda big: 0.0, 1.0),
    "xlogy-in-y": (lambda y: special.xlogy(1.0, y), lambda big: 0.0, 2.0),
}


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
@pytest.mark.parametrize("name", sorted(_SPECIAL_EDGES))
def test_special_functions_give_zero_through_an_infinite_slope_along_a_zero_tangent(name, dtype):
    f, edge, inside = _SPECIAL_EDGES[name]
    x, t = onp.array([edge(_BIG[dtype]), inside], dtype), onp.array([0.0, 1.0], dtype)
    tangent = _quiet(make_jvp(f)(x), t)[1]
    assert tangent.dtype == dtype
    assert tangent[0] == 0.0
    h = 1e-6
    assert_allclose(tangent[1], (f(inside + h) - f(inside - h)) / (2 * h),
                    rtol=1e-5 if dtype is onp.float32 else 1e-7)

    def hidden(x):
        return np.sum(np.where(onp.array([False, True]), f(x), 0.0))

    assert_array_equal(_quiet(grad(hidden), x), tangent)
    assert_array_equal(_quiet(mlkit.jit(grad(hidden)), x), tangent)


@pytest.mark.parametrize("shape", [(2,), (100,), (2, 50), ()], ids=["short", "long", "2d", "0d"])
def test_the_guarded_product_is_the_plain_one_whenever_the_partial_is_finite(shape):
    # log's slope 1 / x is finite at 1e-308 though its sum or sum of squares overflows
    # (the cheap finiteness check says no): the product keeps every value
    x = onp.full(shape, 1e-308)
    assert_array_equal(make_jvp(np.log)(x)(onp.ones(shape))[1], onp.full(shape, 1e308))
    x = onp.full(shape, 4.0)
    x.flat[0] = 0.0
    t = onp.full(shape, 2.0)
    t.flat[0] = 0.0
    expected = onp.full(shape, 0.5)
    expected.flat[0] = 0.0
    assert_array_equal(_quiet(make_jvp(np.sqrt)(x), t)[1], expected)
    complex_x = x.astype(onp.complex64)
    tangent = _quiet(make_jvp(np.sqrt)(complex_x), t.astype(onp.complex64))[1]
    assert tangent.dtype == onp.complex64
    assert_array_equal(tangent, expected)


def test_a_hidden_sinc_far_out_has_a_zero_second_derivative():
    # sinc's slope near 0 is a polynomial in x * x, which overflows at 1e300 (unread there)
    def hidden(x):
        return np.sum(np.where(onp.array([False, True]), np.sinc(x), 0.0))

    x = onp.array([1e300, 0.5])
    # sinc'' = (2 sin(pi x) - 2 pi x cos(pi x) - pi^2 x^2 sin(pi x)) / (pi x^3)
    curvature = hessian(np.sinc)(0.5)
    assert_allclose(curvature, (2 - math.pi ** 2 / 4) / (math.pi / 8), rtol=1e-12)
    assert_array_equal(_quiet(hessian(hidden), x), [[0.0, 0.0], [0.0, curvature]])
