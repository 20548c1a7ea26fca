"""Activation functions as pure, numerically stable functions of ``mlkit.numpy`` arrays.

``relu`` is a primitive; ``sigmoid``, ``softmax``, ``log_softmax`` and ``softplus`` are
mlkit.scipy.special's logistic family (derivatives exact in both tails), the class axis last by
default. All keep the input's dtype.
"""

from __future__ import annotations

import math

import numpy

import mlkit.numpy as np
from mlkit.extend import def_elementwise, getval, primitive
from mlkit.nn.loss_checks import float_dtype
from mlkit.scipy import special
from mlkit.scipy.special import expit, log_expit, ndtr

__all__ = ["ACTIVATIONS", "elu", "gelu", "get_activation", "leaky_relu", "log_softmax", "relu",
           "sigmoid", "silu", "softmax", "softplus", "tanh"]


@primitive
def relu(x):
    """``max(x, 0)``; the derivative at 0 is taken as 0."""
    return numpy.maximum(x, 0)


def_elementwise(relu, lambda ans, x: getval(ans) > 0)


sigmoid = expit


def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis`` (the last by default): log-probabilities."""
    return special.log_softmax(x, axis=axis)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis`` (the last by default): probabilities."""
    return special.softmax(x, axis=axis)


def leaky_relu(x, negative_slope=0.01):
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise."""
    return np.where(getval(x) > 0, x, negative_slope * x)


def elu(x, alpha=1.0):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise (no overflow for large x).

    The derivative at 0 is ``alpha`` (the left one, as PyTorch's): 1 for ``alpha = 1``, where
    the function is smooth."""
    positive = getval(x) > 0
    return np.where(positive, x, alpha * np.expm1(np.where(positive, 0, x)))


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x, approximate="tanh"):
    """Gaussian error linear unit ``x * Phi(x)``.

    ``approximate="tanh"`` uses ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``;
    ``approximate="none"`` uses the exact ``0.5 x (1 + erf(x / sqrt(2)))``. Both keep their
    relative accuracy, and finite derivatives, at every x.
    """
    if approximate == "tanh":
        # 0.5 (1 + tanh(z)) = sigmoid(2 z): no 1 - 1 cancellation in the left tail. Past
        # |x| = 100 the sigmoid is 0 or 1 to every precision, so |x| is capped there inside
        # x^3, which cannot overflow (that made the derivative 0 * inf = nan past 1.8e19 in
        # float32).
        capped = np.minimum(np.abs(x), 100.0)
        cube = x * (capped * capped)
        return x * sigmoid(2 * _SQRT_2_OVER_PI * (x + 0.044715 * cube))
    if approximate == "none":
        return x * ndtr(x)  # Phi(x) keeps its relative accuracy in the left tail
    raise ValueError(f"gelu: approximate must be 'tanh' or 'none', got {approximate!r}")


def silu(x):
    """``x * sigmoid(x)`` (also called swish)."""
    return x * sigmoid(x)


def tanh(x):
    """The hyperbolic tangent."""
    return np.tanh(x)


def softplus(x, beta=1.0):
    """``log(1 + exp(beta x)) / beta``, computed as ``-log_expit(-beta x) / beta``: its
    derivative is ``sigmoid(beta x)`` at every order, never rounded to 0 or 1. Where ``beta x``
    would overflow the dtype, softplus is ``relu(x)`` to every precision, derivatives included
    (``beta x`` was inf there, and the value and slope nan)."""
    if beta == 1.0:
        return -log_expit(-x)
    limit = float(numpy.finfo(float_dtype(x)).max) / max(beta, 1.0)  # x may be a Python float
    inside = np.abs(getval(x)) <= limit
    if not bool(np.all(inside)):
        return np.where(inside, softplus(np.where(inside, x, 0), beta), relu(x))
    return -log_expit(-(beta * x)) / beta


ACTIVATIONS = {
    "relu": relu, "leaky_relu": leaky_relu, "elu": elu, "gelu": gelu, "silu": silu,
    "swish": silu, "tanh": tanh, "sigmoid": sigmoid, "softplus": softplus,
    "identity": lambda x: x,
}


def get_activation(name):
    """The activation function called ``name`` (a callable is returned unchanged)."""
    if callable(name):
        return name
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}") \
            from None
