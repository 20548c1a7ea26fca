"""x**x and x**y with both operands traced at x = 0: the slopes are the one-sided limits from
x > 0 at fixed y, so the chain through both operands adds up to the true slope.

d/dx x**x = x**x (log x + 1) tends to -inf as x -> 0+, and d2/dx2 x**x = x**x ((log x + 1)**2
+ 1 / x) to +inf: the y-slope x**y log x is -inf at 0**0 = 1 (and for y < 0), 0 for y > 0."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian, jit, make_hvp, make_jvp

INF = onp.inf


pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _self_power(x):
    return x ** x


def _slopes(f, x):
    """The first derivative of f at x in reverse, forward and jitted reverse mode."""
    return [grad(f)(x), make_jvp(f)(x)(onp.ones_like(x))[1], jit(grad(f))(x)]


def _curvatures(f, x):
    """The second derivative in every order: reverse over reverse, forward over reverse,
    reverse over forward, forward over forward, hessian, hvp and jitted."""
    one = onp.ones_like(x)
    return [grad(grad(f))(x), make_jvp(grad(f))(x)(one)[1],
            grad(lambda u: make_jvp(f)(u)(one)[1])(x),
            make_jvp(lambda u: make_jvp(f)(u)(one)[1])(x)(one)[1],
            hessian(f)(x), make_hvp(f)(x)[0](one), jit(grad(grad(f)))(x)]


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_self_power_at_zero_has_the_one_sided_limits(dtype):
    x = dtype(0.0)
    for got in _slopes(_self_power, x):
        assert got == -INF and onp.result_type(got) == dtype
    for got in _curvatures(_self_power, x):
        assert got == INF and onp.result_type(got) == dtype


def test_self_power_near_zero_heads_for_those_limits():
    # mpmath's derivatives of x**x from x > 0 (30 digits) keep growing toward the limits at 0
    for x, slope, curvature in ((1e-3, -5.867086577700651, 1027.77736012259),
                                (1e-8, -17.420677534944677, 100000285.05938263)):
        assert_allclose(grad(_self_power)(x), slope, rtol=1e-9)
        assert_allclose(grad(grad(_self_power))(x), curvature, rtol=1e-9)
    assert grad(_self_power)(1e-300) < grad(_self_power)(1e-8) < -17


@pytest.mark.parametrize("name", ["power", "float_power"])
@pytest.mark.parametrize("y, slope_x, slope_y, hess", [
    (0.0, 0.0, -INF, [[0.0, INF], [INF, INF]]),    # x**0 flat in x; log x at 0**0
    (-1.0, -INF, -INF, [[INF, INF], [INF, INF]]),  # x**-1 log x -> -inf
    (0.5, INF, 0.0, [[-INF, -INF], [-INF, 0.0]]),  # x**y log x -> 0 for y > 0
    (2.0, 0.0, 0.0, [[2.0, 0.0], [0.0, 0.0]])])
def test_both_operands_traced_at_zero(name, y, slope_x, slope_y, hess):
    f = lambda v: getattr(np, name)(v[0], v[1])  # noqa: E731
    v = onp.array([0.0, y])
    assert_allclose(grad(f)(v), [slope_x, slope_y])
    assert_allclose(jit(grad(f))(v), [slope_x, slope_y])
    assert_allclose([make_jvp(f)(v)(e)[1] for e in onp.eye(2)], [slope_x, slope_y])
    assert_allclose(hessian(f)(v), hess)
    assert_allclose([make_hvp(f)(v)[0](e) for e in onp.eye(2)], hess)
    assert_allclose(jit(hessian(f))(v), hess)
