"""arctan2 at the origin: its first partials are mlkit's subgradient 0, and it has no second
derivative there (the mixed partial (y^2 - x^2) / (x^2 + y^2)^2 has no limit), so every
second partial is nan in every order and mode, not +1 in one order and -1 in the other."""

import numpy as onp
from numpy.testing import assert_allclose

import mlkit.numpy as mnp
from mlkit import grad, hessian, jit, make_jvp


def _second_partials(y, x):
    f = mnp.arctan2
    pair = lambda v: f(v[0], v[1])  # noqa: E731
    return [grad(grad(f, 0), 1)(y, x), grad(grad(f, 1), 0)(y, x), grad(grad(f, 0), 0)(y, x),
            grad(grad(f, 1), 1)(y, x), jit(grad(grad(f, 1), 0))(y, x),
            make_jvp(lambda t: grad(f, 1)(t, x))(y)(1.0)[1],
            make_jvp(lambda u: make_jvp(lambda t: f(u, t))(x)(1.0)[1])(y)(1.0)[1],
            *hessian(pair)(onp.array([y, x])).ravel()]


def test_second_partials_are_nan_at_the_origin_first_partials_zero():
    assert grad(mnp.arctan2, 0)(0.0, 0.0) == 0.0 and grad(mnp.arctan2, 1)(0.0, 0.0) == 0.0
    assert all(onp.isnan(p) for p in _second_partials(0.0, 0.0))


def test_second_partials_near_the_origin_match_the_formulas():
    y, x = 1e-3, 2e-3
    r4 = (x * x + y * y) ** 2
    mixed, yy, xx = (y * y - x * x) / r4, -2 * x * y / r4, 2 * x * y / r4
    expected = [mixed, mixed, yy, xx, mixed, mixed, mixed, yy, mixed, mixed, xx]
    assert_allclose(_second_partials(y, x), expected, rtol=1e-12)


def test_float32_kept_and_origin_elementwise():
    y = onp.array([0.0, 1.0], onp.float32)
    x = onp.array([0.0, 1.0], onp.float32)
    slope = grad(lambda a: mnp.sum(grad(lambda b: mnp.sum(mnp.arctan2(b, x)))(a)))(y)
    assert slope.dtype == onp.float32
    assert onp.isnan(slope[0]) and slope[1] == onp.float32(-0.5)
