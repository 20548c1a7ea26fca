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
from mlkit.scipy import special
from mlkit.scipy.special import erf, expit, log_expit

__all__ = [
    "ACTIVATIONS",
    "elu",
    "gelu",
    "get_activation",
    "leaky_relu",
    "log_softmax",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]


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
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise (no overflow for large x)."""
    negative = np.expm1(np.minimum(x, 0))
    return np.where(getval(x) > 0, x, alpha * negative)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x, approximate="tanh"):
    """Gaussian error linear unit ``x * Phi(x)``.

    ``approximate="tanh"`` uses ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``;
    ``approximate="none"`` uses the exact ``0.5 x (1 + erf(x / sqrt(2)))``.
    """
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))
        return 0.5 * x * (1 + np.tanh(inner))
    if approximate == "none":
        return 0.5 * x * (1 + erf(x * (1 / math.sqrt(2.0))))
    raise ValueError(f"gelu: approximate must be 'tanh' or 'none', got {approximate!r}")


def silu(x):
    """``x * sigmoid(x)`` (also called swish)."""
    return x * sigmoid(x)


def tanh(x):
    """The hyperbolic tangent."""
    return np.tanh(x)


def softplus(x, beta=1.0):
    """``log(1 + exp(beta x)) / beta``, computed as ``-log_expit(-beta x) / beta``: its
    derivative is ``sigmoid(beta x)`` at every order, never rounded to 0 or 1."""
    if beta == 1.0:
        return -log_expit(-x)
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
