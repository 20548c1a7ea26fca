"""A zero tangent or cotangent element meeting an infinite partial derivative contributes 0
(a linear map takes 0 to 0; the function does not move along that direction), not
0 * inf = nan: a root's slope at 0, a where that hides a branch, a product with an infinite
factor, to second order and under jit."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mlkit
import mlkit.numpy as np
import mlkit.scipy.special as special
from mlkit import grad, hessian, make_jvp


def _quiet(f, *args):
    with onp.errstate(divide="ignore", invalid="ignore"):
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
