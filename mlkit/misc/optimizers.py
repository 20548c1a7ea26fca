"""Functional gradient-descent loops: ``sgd``, ``rmsprop`` and ``adam`` over any parameter tree.

Each takes ``grad(x, i)`` (the gradient at ``x`` on iteration ``i``) and a starting tree ``x0``,
runs ``num_iters`` steps and returns the final tree; ``callback(x, i, g)`` sees every iterate
before its step. The steps are written with ``mlkit.numpy`` and never update in place, so a
whole run can itself be differentiated (with respect to ``x0`` or a step size, say).

These are HIPS autograd's loops and formulas, which differ from ``mlkit.optim``'s PyTorch
ones: momentum here is an exponential average of ``-g`` with weight ``1 - mass``, and RMSprop's
running square starts at one, not zero.
"""

import functools

import mlkit.numpy as np
from mlkit.misc.flatten import concatenated, flatten

__all__ = ["adam", "rmsprop", "sgd", "unflatten_optimizer"]


def unflatten_optimizer(optimize):
    """Lift a loop over one flat vector to trees: flatten ``x0``, the gradients and the
    callback's arguments, and hand back a tree shaped like ``x0``. A decorator for writing
    your own loop: ``optimize(grad, x, callback, ...)`` sees flat vectors only."""

    @functools.wraps(optimize)
    def optimize_tree(grad, x0, callback=None, *args, **kwargs):
        flat_x0, unflatten = flatten(x0)

        def flat_grad(x, i):
            return concatenated(grad(unflatten(x), i))

        flat_callback = None
        if callback:
            def flat_callback(x, i, g):
                return callback(unflatten(x), i, unflatten(g))

        return unflatten(optimize(flat_grad, flat_x0, flat_callback, *args, **kwargs))

    return optimize_tree


def _descend(grad, x, callback, num_iters, step, state):
    """Run ``x, state = step(x, g, i, state)`` for ``num_iters`` iterations."""
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        x, state = step(x, g, i, state)
    return x


@unflatten_optimizer
def sgd(grad, x, callback=None, num_iters=200, step_size=0.1, mass=0.9):
    """Gradient descent with momentum: ``v = mass v - (1 - mass) g``, ``x = x + step_size v``
    (``v`` starts at zero)."""

    def step(x, g, i, velocity):
        velocity = mass * velocity - (1.0 - mass) * g
        return x + step_size * velocity, velocity

    return _descend(grad, x, callback, num_iters, step, np.zeros_like(x))


@unflatten_optimizer
def rmsprop(grad, x, callback=None, num_iters=100, step_size=0.1, gamma=0.9, eps=10**-8):
    """RMSprop: ``s = gamma s + (1 - gamma) g^2`` (from ``s = 1``), then
    ``x = x - step_size g / (sqrt(s) + eps)``."""

    def step(x, g, i, mean_square):
        mean_square = gamma * mean_square + (1 - gamma) * g**2
        return x - step_size * g / (np.sqrt(mean_square) + eps), mean_square

    return _descend(grad, x, callback, num_iters, step, np.ones_like(x))


@unflatten_optimizer
def adam(grad, x, callback=None, num_iters=100, step_size=0.001, b1=0.9, b2=0.999, eps=10**-8):
    """Adam: bias-corrected averages ``m`` of ``g`` and ``v`` of ``g^2`` (from zero), then
    ``x = x - step_size m_hat / (sqrt(v_hat) + eps)``."""

    def step(x, g, i, moments):
        first, second = moments
        first = b1 * first + (1 - b1) * g
        second = b2 * second + (1 - b2) * g**2
        first_hat = first / (1 - b1 ** (i + 1))
        second_hat = second / (1 - b2 ** (i + 1))
        return x - step_size * first_hat / (np.sqrt(second_hat) + eps), (first, second)

    return _descend(grad, x, callback, num_iters, step, (np.zeros_like(x), np.zeros_like(x)))
