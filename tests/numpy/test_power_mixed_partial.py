"""x**y's mixed second derivative at y == 0: d/dy (y x**(y-1)) is x**-1 there, which replacing
the exponent (to keep 0 * 0**-1 from being nan at x == 0) must not change at x != 0."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import elementwise_grad, grad, jit, make_jvp


@pytest.mark.parametrize("name", ["power", "float_power"])
@pytest.mark.parametrize("x", [0.5, 2.0, 700.0])
def test_the_mixed_partial_at_a_zero_exponent_is_the_reciprocal_in_every_mode(name, x):
    fun = getattr(np, name)
    base_slope = grad(fun, 0)
    assert_allclose(grad(base_slope, 1)(x, 0.0), 1 / x)  # a Python float exponent
    assert_allclose(jit(grad(base_slope, 1))(x, 0.0), 1 / x)
    assert_allclose(make_jvp(lambda y: base_slope(x, y))(0.0)(1.0)[1], 1 / x)
    assert_allclose(grad(grad(fun, 1), 0)(x, 0.0), 1 / x)  # the other order agrees


def test_arrays_keep_the_slope_zero_at_the_origin_and_float32():
    x = onp.array([0.0, 2.0, 0.5], onp.float32)
    y = onp.zeros(3, onp.float32)
    mixed = elementwise_grad(lambda v: elementwise_grad(lambda u: np.power(u, v))(x))(y)
    assert mixed.dtype == onp.float32
    assert_allclose(mixed, [0.0, 0.5, 2.0])  # 0 where x**-1 is infinite, as before
    assert_allclose(elementwise_grad(lambda u: np.power(u, y))(x), [0.0, 0.0, 0.0])
    second = elementwise_grad(elementwise_grad(lambda u: np.power(u, onp.ones(3))))(x)
    assert_allclose(second, [0.0, 0.0, 0.0])  # x**1 is a line, also at 0
