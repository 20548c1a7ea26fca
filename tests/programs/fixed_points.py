"""Square roots as fixed points of Newton's iteration, differentiated through the fixed point
rather than through the iterations."""

import mlkit.numpy as np
from mlkit import grad
from mlkit.misc.fixed_points import fixed_point


def newton_step(a):
    return lambda x: 0.5 * (x + a / x)


def descent_step(a):
    return lambda x: x - 0.05 * (x**2 - a)


def gap(x, y):
    return np.abs(x - y)


def root(a, step=newton_step, guess=10.0, tol=1e-10):
    return fixed_point(step, a, guess, gap, tol)


def derivatives(a):
    """The root and its first two derivatives by both iterations."""
    return {name: (root(a, step), grad(lambda a: root(a, step))(a),
                   grad(grad(lambda a: root(a, step)))(a))
            for name, step in (("newton", newton_step), ("descent", descent_step))}
