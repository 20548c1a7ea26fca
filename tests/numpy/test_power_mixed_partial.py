"""x**y's mixed second partial d2/dxdy = x**(y-1) (1 + y log x) is one number whichever
argument is differentiated first, in reverse and forward mode and under jit.

At x == 0 it is the limit from x > 0 at fixed y: +inf for y <= 0 (1 / x at y == 0), -inf for
0 < y <= 1, 0 for y > 1. For x < 0
x**y is not real as a function of y (log x is nan), so every derivative in y is nan, the
mixed one included. At x != 0, y == 0 it is x**-1, which replacing the slope's exponent (to
keep 0 * 0**-1 from being nan at x == 0) must not change."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import elementwise_grad, grad, hessian, jit, make_jvp

INF, NAN = onp.inf, onp.nan


def _mixed_in_every_mode(f, x, y):
    pair = lambda v: f(v[0], v[1])  # noqa: E731
    both = hessian(pair)(onp.array([x, y]))
    return [grad(grad(f, 0), 1)(x, y), grad(grad(f, 1), 0)(x, y),
            jit(grad(grad(f, 0), 1))(x, y), jit(grad(grad(f, 1), 0))(x, y),
            make_jvp(lambda v: grad(f, 0)(x, v))(y)(1.0)[1],  # forward over reverse
            grad(lambda v: make_jvp(lambda u: f(u, v))(x)(1.0)[1])(y),  # reverse over forward
            make_jvp(lambda v: make_jvp(lambda u: f(u, v))(x)(1.0)[1])(y)(1.0)[1],
            jit(lambda u, v: make_jvp(lambda t: grad(f, 0)(u, t))(v)(1.0)[1])(x, y),
            both[0, 1], both[1, 0]]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", ["power", "float_power"])
@pytest.mark.parametrize("x, y, mixed", [
    (0.0, 0.5, -INF), (-0.0, 0.5, -INF), (0.0, 1.0, -INF), (0.0, 1.5, 0.0), (0.0, 2.0, 0.0),
    (0.0, 3.0, 0.0), (0.0, -0.5, INF), (0.0, 0.0, INF), (-1.0, 0.0, NAN), (-1.0, 2.0, NAN),
    (-2.0, 0.5, NAN), (1e-8, 0.5, 1e4 * (1 + 0.5 * onp.log(1e-8))), (2.0, 0.0, 0.5),
    (0.5, 1.5, 0.5 ** 0.5 * (1 + 1.5 * onp.log(0.5))), (700.0, 0.0, 1 / 700.0)])
def test_the_mixed_partial_is_the_same_in_every_order_and_mode(name, x, y, mixed):
    assert_allclose(_mixed_in_every_mode(getattr(np, name), x, y), mixed, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("x, y, value, slope_x, slope_y", [
    (0.0, 0.5, 0.0, INF, 0.0), (0.0, 1.0, 0.0, 1.0, 0.0), (0.0, 0.0, 1.0, 0.0, -INF),
    (0.0, -0.5, INF, -INF, -INF), (-1.0, 0.0, 1.0, 0.0, NAN), (-1.0, 2.0, 1.0, -2.0, NAN)])
def test_values_and_first_derivatives_keep_their_conventions(x, y, value, slope_x, slope_y):
    assert_allclose([np.power(x, y), grad(np.power, 0)(x, y), grad(np.power, 1)(x, y)],
                    [value, slope_x, slope_y])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_arrays_keep_float32_and_the_slope_zero_at_the_origin():
    x = onp.array([0.0, 2.0, 0.5, 0.0, 0.0, 0.0, 0.0], onp.float32)
    y = onp.array([0.0, 0.0, 0.0, 0.5, 1.0, 1.5, -0.5], onp.float32)
    mixed = elementwise_grad(lambda v: elementwise_grad(lambda u: np.power(u, v))(x))(y)
    assert mixed.dtype == onp.float32
    assert_allclose(mixed, [INF, 0.5, 2.0, -INF, -INF, 0.0, INF])
    assert_allclose(elementwise_grad(lambda u: np.power(u, y[:3]))(x[:3]), [0.0, 0.0, 0.0])
    second = elementwise_grad(elementwise_grad(lambda u: np.power(u, onp.ones(3))))(x[:3])
    assert_allclose(second, [0.0, 0.0, 0.0])  # x**1 is a line, also at 0
