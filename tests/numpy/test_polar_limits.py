"""hypot and arctan2 where an argument is infinite: the limits of their partials (sign or 0)
and 0 for every higher derivative, in every mode, where inf / inf used to give nan."""

import numpy
import pytest

import mlkit
import mlkit.numpy as np
from mlkit import grad, hessian, jacobian, make_jvp

INF = numpy.inf


def _hypot(v):
    return np.hypot(v[0], v[1])


def _arctan2(v):
    return np.arctan2(v[0], v[1])


def _forward_hessian(f, p):
    """Forward over forward: each column the JVP of a JVP."""
    def along(e):
        return lambda q: make_jvp(f)(q)(e)[1]
    return numpy.stack([[make_jvp(along(e))(p)(u)[1] for u in numpy.eye(2)]
                        for e in numpy.eye(2)])


def _modes(f, p):
    """The gradient (reverse, forward) and the Hessian (reverse over reverse, forward over
    reverse, forward over forward)."""
    p = numpy.array(p, dtype=float)
    slopes = numpy.array([make_jvp(f)(p)(e)[1] for e in numpy.eye(2)])
    return (grad(f)(p), slopes), (hessian(f)(p), jacobian(grad(f))(p), _forward_hessian(f, p))


@pytest.mark.parametrize("f, point, slope", [
    (_hypot, (INF, 2.0), (1.0, 0.0)), (_hypot, (-INF, 2.0), (-1.0, 0.0)),
    (_hypot, (2.0, INF), (0.0, 1.0)), (_hypot, (-3.0, -INF), (0.0, -1.0)),
    (_arctan2, (INF, 2.0), (0.0, 0.0)), (_arctan2, (-INF, -2.0), (0.0, 0.0)),
    (_arctan2, (2.0, INF), (0.0, 0.0)), (_arctan2, (2.0, -INF), (0.0, 0.0)),
    (_arctan2, (INF, -INF), (0.0, 0.0)),
])
def test_limits_where_an_argument_is_infinite(f, point, slope):
    gradients, hessians = _modes(f, point)
    for g in gradients:
        numpy.testing.assert_array_equal(g, slope)
    for h in hessians:
        numpy.testing.assert_array_equal(h, numpy.zeros((2, 2)))


def test_hypot_at_two_infinities_has_no_limit():
    gradients, hessians = _modes(_hypot, (INF, INF))
    assert all(numpy.isnan(g).all() for g in gradients)


@pytest.mark.parametrize("f", [_hypot, _arctan2])
def test_finite_points_beside_infinite_ones_keep_their_derivatives(f):
    x = numpy.array([3.0, INF, -1.5, 2.0])
    y = numpy.array([4.0, 1.0, 0.5, -INF])
    weights = numpy.array([1.0, 2.0, -3.0, 0.5])
    total = lambda x, y: np.sum(f((x, y)) * weights)  # noqa: E731
    gx, gy = grad(total, (0, 1))(x, y)
    step = 1e-6
    for i in (0, 2):  # each element's own term, the infinite elements' left out
        term = lambda a, b: weights[i] * float(f((a, b)))  # noqa: E731
        slope_x = (term(x[i] + step, y[i]) - term(x[i] - step, y[i])) / (2 * step)
        slope_y = (term(x[i], y[i] + step) - term(x[i], y[i] - step)) / (2 * step)
        assert gx[i] == pytest.approx(slope_x, rel=1e-7)
        assert gy[i] == pytest.approx(slope_y, rel=1e-7)
    assert numpy.isfinite(gx).all() and numpy.isfinite(gy).all()


@pytest.mark.parametrize("f", [np.hypot, np.arctan2])
def test_float32_and_jit_keep_the_limits(f):
    x = numpy.array([INF, 2.0], dtype=numpy.float32)
    y = numpy.array([2.0, 3.0], dtype=numpy.float32)
    loss = lambda x, y: np.sum(f(x, y))  # noqa: E731
    eager = grad(loss)(x, y)
    jitted = mlkit.jit(grad(loss))
    jitted(x + 1, y)
    assert eager.dtype == numpy.float32
    numpy.testing.assert_array_equal(jitted(x, y), eager)
    assert numpy.isfinite(eager).all()
