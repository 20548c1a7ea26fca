"""hypot at the origin: its first partials are mlkit's subgradient 0, and it has no second
derivative there (y^2 / r^3 grows like 1 / r and its limit depends on the direction), so every
second partial is nan in every order and mode, not 1 on the diagonal."""

import numpy as onp
from numpy.testing import assert_allclose

import mlkit.numpy as mnp
from mlkit import grad, hessian, jit, make_jvp


def _second_partials(x, y):
    f = mnp.hypot
    pair = lambda v: f(v[0], v[1])  # noqa: E731
    return [grad(grad(f, 0), 1)(x, y), grad(grad(f, 1), 0)(x, y), grad(grad(f, 0), 0)(x, y),
            grad(grad(f, 1), 1)(x, y), jit(grad(grad(f, 0), 0))(x, y),
            jit(grad(grad(f, 1), 0))(x, y), make_jvp(lambda t: grad(f, 0)(t, y))(x)(1.0)[1],
            make_jvp(lambda u: make_jvp(lambda t: f(u, t))(y)(1.0)[1])(x)(1.0)[1],
            make_jvp(lambda u: make_jvp(lambda t: f(t, y))(u)(1.0)[1])(x)(1.0)[1],
            *hessian(pair)(onp.array([x, y])).ravel()]


def test_second_partials_are_nan_at_the_origin_first_partials_and_value_kept():
    assert mnp.hypot(0.0, 0.0) == 0.0
    assert grad(mnp.hypot, 0)(0.0, 0.0) == 0.0 and grad(mnp.hypot, 1)(0.0, 0.0) == 0.0
    assert all(onp.isnan(p) for p in _second_partials(0.0, 0.0))


def test_first_and_second_partials_near_the_origin_match_the_formulas():
    x, y = 1e-3, 2e-3
    r = onp.hypot(x, y)
    assert_allclose([grad(mnp.hypot, 0)(x, y), grad(mnp.hypot, 1)(x, y)], [x / r, y / r],
                    rtol=1e-14)
    xx, mixed, yy = y * y / r**3, -x * y / r**3, x * x / r**3
    expected = [mixed, mixed, xx, yy, xx, mixed, xx, mixed, xx, xx, mixed, mixed, yy]
    assert_allclose(_second_partials(x, y), expected, rtol=1e-12)


def test_huge_arguments_keep_finite_slopes():
    x, y = 3e200, 4e200
    assert_allclose([grad(mnp.hypot, 0)(x, y), grad(grad(mnp.hypot, 0), 0)(x, y)],
                    [0.6, 0.64 / 5e200], rtol=1e-14)


def test_float32_kept_and_origin_elementwise():
    x = onp.array([0.0, 3.0], onp.float32)
    y = onp.array([0.0, 4.0], onp.float32)
    slope = grad(lambda a: mnp.sum(grad(lambda b: mnp.sum(mnp.hypot(b, y)))(a)))(x)
    assert slope.dtype == onp.float32
    assert onp.isnan(slope[0])
    assert_allclose(slope[1], 16.0 / 125.0, rtol=1e-6)  # y^2 / r^3 at (3, 4)
