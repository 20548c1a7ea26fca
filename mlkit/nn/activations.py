"""Activation functions as pure, numerically stable functions of ``mlkit.numpy`` arrays.

``relu``, ``sigmoid``, ``softmax`` and ``log_softmax`` are primitives with their derivative
said once (one recorded op instead of several, and exact for any input magnitude); the others
are compositions. All keep the input's dtype.
"""

from __future__ import annotations

import math

import numpy

import mlkit.numpy as np
from mlkit.extend import def_elementwise, defjvp, defvjp, getval, primitive
from mlkit.scipy.special import erf

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


@primitive
def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed from ``exp(-|x|)`` so it never overflows."""
    e = numpy.exp(-numpy.abs(x))
    return numpy.where(x >= 0, 1, e) / (1 + e)


def_elementwise(sigmoid, lambda ans, x: ans * (1 - ans))


@primitive
def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis``, shifted by the maximum for stability."""
    x = numpy.asarray(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - numpy.log(numpy.exp(shifted).sum(axis=axis, keepdims=True))


defvjp(log_softmax, lambda ans, x, axis=-1: lambda g: (
    g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True)))
defjvp(log_softmax, lambda t, ans, x, axis=-1: (
    t - np.sum(np.exp(ans) * t, axis=axis, keepdims=True)))


@primitive
def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``, shifted by the maximum for stability."""
    x = numpy.asarray(x)
    e = numpy.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


defvjp(softmax, lambda ans, x, axis=-1: lambda g: (
    ans * (g - np.sum(g * ans, axis=axis, keepdims=True))))
defjvp(softmax, lambda t, ans, x, axis=-1: ans * (t - np.sum(t * ans, axis=axis, keepdims=True)))


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
    """``log(1 + exp(beta x)) / beta``, computed as ``logaddexp(beta x, 0) / beta``."""
    if beta == 1.0:
        return np.logaddexp(x, 0)
    return np.logaddexp(beta * x, 0) / beta


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
