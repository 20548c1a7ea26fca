"""Derivatives through an infinite or nan slope, to second order: where a zero (co)tangent
meets a partial derivative's own infinite factor (reciprocal's -ans^2 at 0, erfinv's exp(ans^2)
at 1, Gamma's slope at a pole, x**3's 3 x^2 where it overflows) the hidden element's first and
second derivatives are 0, not nan, in every mode and under jit, while the visible element keeps
its finite-difference value."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mlkit
import mlkit.numpy as np
import mlkit.scipy.special as special
from mlkit import elementwise_grad, grad, hessian, make_jvp

_BIG = {onp.float32: 1e30, onp.float64: 1e200}  # x * x overflows
# (function, point with an infinite or nan slope, point inside)
_EDGES = {
    "reciprocal": (np.reciprocal, lambda big: 0.0, 2.0),
    "reciprocal-negative-zero": (np.reciprocal, lambda big: -0.0, -2.0),
    "arccosh-outside": (np.arccosh, lambda big: 0.5, 2.0),
    "arccosh-far-outside": (np.arccosh, lambda big: -2.0, 3.0),
    "erfinv": (special.erfinv, lambda big: 1.0, 0.5),
    "erfinv-outside": (special.erfinv, lambda big: 2.0, -0.5),
    "erfcinv": (special.erfcinv, lambda big: 0.0, 0.5),
    "erfcinv-far-end": (special.erfcinv, lambda big: 2.0, 1.5),
    "ndtri": (special.ndtri, lambda big: 1.0, 0.3),
    "ndtri-zero": (special.ndtri, lambda big: 0.0, 0.7),
    "log_ndtr": (special.log_ndtr, lambda big: -big, -1.0),
    "gamma": (special.gamma, lambda big: 0.0, 2.5),
    "gamma-pole": (special.gamma, lambda big: -2.0, 1.5),
    "gamma-overflow": (special.gamma, lambda big: 200.0, 2.5),
    "rgamma": (special.rgamma, lambda big: -1000.0, 2.5),
    "beta-pole-in-a": (lambda a: special.beta(a, 2.0), lambda big: 0.0, 1.5),
    "beta-pole-in-b": (lambda b: special.beta(2.0, b), lambda big: -1000.0, 2.5),
    "beta-deep-pole-in-a": (lambda a: special.beta(a, 2.0), lambda big: -big, -2.5),
    "beta-deep-pole-in-b": (lambda b: special.beta(3.0, b), lambda big: -big, -2.5),
    # x**k's slope k x**(k-1) overflows for k > 2 where the value does (or sooner)
    "cube": (lambda x: x ** 3, lambda big: big, 1.5),
    "fourth-power": (lambda x: x ** 4, lambda big: -big, -1.5),
    "power-two-and-a-half": (lambda x: x ** 2.5, lambda big: 1e300 if big > 1e100 else 1e30, 1.5),
    "logit": (special.logit, lambda big: 0.0, 0.3),
    "logit-one": (special.logit, lambda big: 1.0, 0.3),
}
_MASK = onp.array([False, True])


def _quiet(f, *args):
    with onp.errstate(all="ignore"):
        return f(*args)


def _curvature(f, inside):
    """f'' at ``inside``, checked against a central difference of f' in float64."""
    curvature = float(hessian(f)(inside))
    h = 1e-5
    slope = grad(f)
    assert_allclose(curvature, (slope(inside + h) - slope(inside - h)) / (2 * h), rtol=1e-5)
    return curvature


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
@pytest.mark.parametrize("name", sorted(_EDGES))
def test_a_hidden_edge_has_a_zero_second_derivative_in_every_mode(name, dtype):
    f, edge, inside = _EDGES[name]
    x, t = onp.array([edge(_BIG[dtype]), inside], dtype), onp.array([0.0, 1.0], dtype)
    curvature = _curvature(f, inside)
    rtol = 1e-5 if dtype is onp.float32 else 1e-12

    def hidden(x):
        return np.sum(np.where(_MASK, f(x), 0.0))

    slope = _quiet(grad(hidden), x)
    assert slope[0] == 0.0
    assert_array_equal(_quiet(make_jvp(f)(x), t)[1], slope)
    second = _quiet(hessian(hidden), x)
    assert second.dtype == dtype
    assert_array_equal(second[0], [0.0, 0.0])
    assert second[1, 0] == 0.0
    assert_allclose(second[1, 1], curvature, rtol=rtol)
    diagonal = _quiet(elementwise_grad(grad(hidden)), x)
    assert diagonal[0] == 0.0
    assert_allclose(diagonal[1], curvature, rtol=rtol)
    forward_over_reverse = _quiet(make_jvp(grad(hidden))(x), t)[1]
    forward_twice = _quiet(make_jvp(lambda y: make_jvp(f)(y)(t)[1])(x), t)[1]
    for result in (forward_over_reverse, forward_twice):
        assert result.dtype == dtype
        assert result[0] == 0.0
        assert_allclose(result[1], curvature, rtol=rtol)
    assert_array_equal(_quiet(mlkit.jit(elementwise_grad(grad(hidden))), x), diagonal)
    assert_array_equal(_quiet(mlkit.jit(hessian(hidden)), x), second)
