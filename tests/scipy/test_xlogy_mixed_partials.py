"""xlogy and xlog1py: the mixed partial 1 / y (1 / (1 + y)) is the same in both orders and
every mode, infinite at x == 0, y == 0 (y == -1), where the y-slope is 0 but moves with x."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as mnp
from mlkit import grad, hessian, jit, make_jvp
from mlkit.scipy import special


def _mixed_in_every_mode(f, x, y):
    pair = lambda v: f(v[0], v[1])  # noqa: E731
    return [grad(grad(f, 0), 1)(x, y), grad(grad(f, 1), 0)(x, y),
            jit(grad(grad(f, 1), 0))(x, y),
            make_jvp(lambda t: grad(f, 1)(t, y))(x)(1.0)[1],
            make_jvp(lambda u: make_jvp(lambda t: f(u, t))(y)(1.0)[1])(x)(1.0)[1],
            hessian(pair)(onp.array([x, y]))[0, 1], hessian(pair)(onp.array([x, y]))[1, 0]]


@pytest.mark.parametrize("f, y, shift", [(special.xlogy, 0.0, 0.0),
                                         (special.xlog1py, -1.0, 1.0)])
def test_mixed_partial_is_infinite_at_the_pole_in_every_order(f, y, shift):
    assert f(0.0, y) == 0.0 and grad(f, 1)(0.0, y) == 0.0  # flat in y on x == 0
    assert grad(f, 0)(0.0, y) == -onp.inf
    assert all(onp.isposinf(m) for m in _mixed_in_every_mode(f, 0.0, y))
    near = y + 1e-3
    assert_allclose(_mixed_in_every_mode(f, 0.0, near), 1 / (near + shift), rtol=1e-12)
    assert_allclose(_mixed_in_every_mode(f, 2.0, 3.0), 1 / (3.0 + shift), rtol=1e-12)
    # on x == 0 the function is 0 for every y, so its second y-derivative is 0 there too
    assert grad(grad(f, 1), 1)(0.0, y) == 0.0
    # and the third partial d/dx d2/dy2 is -1 / y^2 (-1 / (1 + y)^2) whichever order
    assert grad(grad(grad(f, 1), 1), 0)(0.0, y) == grad(grad(grad(f, 0), 1), 1)(0.0, y) == -onp.inf


def test_float32_kept_and_mixed_partial_elementwise():
    x = onp.array([0.0, 0.0, 2.0], onp.float32)
    y = onp.array([0.0, 2.0, 4.0], onp.float32)
    mixed = grad(lambda a: mnp.sum(grad(lambda t: mnp.sum(special.xlogy(a, t)))(y)))(x)
    assert mixed.dtype == onp.float32
    assert_allclose(mixed, [onp.inf, 0.5, 0.25])
    assert special.xlogy(x, y).dtype == onp.float32
