"""Parameter initializers; every random draw comes from an explicit ``numpy.random.Generator``.

Random initializers have the signature ``f(rng, shape, dtype=float32, *, options)``. Draws are made
in float64 and then cast, so a seed gives the same model bit for bit, and a float32 model is
the rounded float64 one. Fans follow mlkit's weight layout ``(in, out)``: for a shape
``(..., fan_in, fan_out)`` the leading axes multiply both (a receptive field); a 1-D shape has
fan_in = fan_out = its length. Scales and gains are PyTorch's (``torch.nn.init``).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy

from mlkit.options import checked

__all__ = ["INITIALIZERS", "as_rng", "calculate_gain", "constant", "fans", "floating",
           "get_initializer", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
           "kaiming_normal", "kaiming_uniform", "lecun_normal", "lecun_uniform", "normal",
           "ones", "uniform", "xavier_normal", "xavier_uniform", "zeros"]

_DEFAULT_DTYPE = numpy.float32
FanMode = Literal["fan_in", "fan_out"]
"""Which fan a He (kaiming) initializer scales by."""


def as_rng(rng) -> numpy.random.Generator:
    """A Generator from a Generator (returned as is), an int seed, or None (fresh entropy)."""
    if isinstance(rng, numpy.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, numpy.integer)) and not isinstance(rng, bool):
        if rng is not None and rng < 0:
            raise ValueError(f"rng: a seed must be an int >= 0, got {rng}")
        return numpy.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got "
                    f"{type(rng).__name__}")


def _shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, (int, numpy.integer)) else tuple(shape)


def floating(dtype) -> numpy.dtype:
    """``dtype`` as a numpy floating-point dtype, or a TypeError naming the argument ``dtype``
    (numpy's own message names neither it nor the fix)."""
    try:
        resolved = numpy.dtype(dtype)
    except (TypeError, ValueError):
        resolved = None
    if resolved is None or resolved.kind != "f":
        raise TypeError(f"dtype must be a floating-point dtype such as numpy.float32 or "
                        f"numpy.float64, got {dtype!r}")
    return resolved


def fans(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape`` in the ``(..., in, out)`` layout."""
    shape = _shape(shape)
    if len(shape) == 0:
        raise ValueError("fans are undefined for a scalar (shape ())")
    if len(shape) == 1:
        return shape[0], shape[0]
    field = int(numpy.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * field, shape[-1] * field


_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "conv1d": 1.0, "conv2d": 1.0,
          "conv3d": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}
Nonlinearity = Literal[(*_GAINS, "leaky_relu")]
"""The nonlinearities :func:`calculate_gain` knows."""


@checked
def calculate_gain(nonlinearity: Nonlinearity, param=None) -> float:
    """The recommended gain for ``nonlinearity``, as ``torch.nn.init.calculate_gain``.

    linear, identity, sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu with slope ``param``
    (default 0.01): sqrt(2 / (1 + slope^2)); selu: 3/4.
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope * slope))
    return _GAINS[nonlinearity]


def zeros(shape, dtype=_DEFAULT_DTYPE) -> numpy.ndarray:
    """An array of zeros."""
    return numpy.zeros(_shape(shape), floating(dtype))


def ones(shape, dtype=_DEFAULT_DTYPE) -> numpy.ndarray:
    """An array of ones."""
    return numpy.ones(_shape(shape), floating(dtype))


def constant(shape, value, dtype=_DEFAULT_DTYPE) -> numpy.ndarray:
    """An array filled with ``value``."""
    return numpy.full(_shape(shape), value, floating(dtype))


def normal(rng, shape, dtype=_DEFAULT_DTYPE, *, mean=0.0, std=1.0) -> numpy.ndarray:
    """Draws from N(mean, std^2)."""
    dtype = floating(dtype)
    return as_rng(rng).normal(mean, std, _shape(shape)).astype(dtype)


def uniform(rng, shape, dtype=_DEFAULT_DTYPE, *, low=0.0, high=1.0) -> numpy.ndarray:
    """Draws from U(low, high)."""
    dtype = floating(dtype)
    return as_rng(rng).uniform(low, high, _shape(shape)).astype(dtype)


def xavier_uniform(rng, shape, dtype=_DEFAULT_DTYPE, *, gain=1.0) -> numpy.ndarray:
    """Glorot: U(-b, b) with ``b = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(rng, shape, dtype, low=-bound, high=bound)


def xavier_normal(rng, shape, dtype=_DEFAULT_DTYPE, *, gain=1.0) -> numpy.ndarray:
    """Glorot: N(0, s^2) with ``s = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = fans(shape)
    return normal(rng, shape, dtype, std=gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(shape, a, mode, nonlinearity):
    fan = fans(shape)[0 if mode == "fan_in" else 1]
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


@checked
def kaiming_uniform(rng, shape, dtype=_DEFAULT_DTYPE, *, a=0.0, mode: FanMode = "fan_in",
                    nonlinearity: Nonlinearity = "leaky_relu") -> numpy.ndarray:
    """He: U(-b, b) with ``b = gain * sqrt(3 / fan)``; ``a`` is the leaky_relu slope."""
    bound = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity)
    return uniform(rng, shape, dtype, low=-bound, high=bound)


@checked
def kaiming_normal(rng, shape, dtype=_DEFAULT_DTYPE, *, a=0.0, mode: FanMode = "fan_in",
                   nonlinearity: Nonlinearity = "leaky_relu") -> numpy.ndarray:
    """He: N(0, s^2) with ``s = gain / sqrt(fan)``; ``a`` is the leaky_relu slope."""
    return normal(rng, shape, dtype, std=_kaiming_std(shape, a, mode, nonlinearity))


def lecun_uniform(rng, shape, dtype=_DEFAULT_DTYPE) -> numpy.ndarray:
    """LeCun: U(-b, b) with ``b = sqrt(3 / fan_in)`` (unit variance for unit inputs)."""
    return kaiming_uniform(rng, shape, dtype, nonlinearity="linear")


def lecun_normal(rng, shape, dtype=_DEFAULT_DTYPE) -> numpy.ndarray:
    """LeCun: N(0, 1 / fan_in)."""
    return kaiming_normal(rng, shape, dtype, nonlinearity="linear")


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
he_uniform = kaiming_uniform
he_normal = kaiming_normal


def _default(rng, shape, dtype=_DEFAULT_DTYPE):
    """PyTorch's Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1.0 / math.sqrt(fans(shape)[0])
    return uniform(rng, shape, dtype, low=-bound, high=bound)


# name -> f(rng, shape, dtype): what layers accept as ``init="name"``.
INITIALIZERS = {
    "default": _default,
    "zeros": lambda rng, shape, dtype: zeros(shape, dtype),
    "ones": lambda rng, shape, dtype: ones(shape, dtype),
    "normal": lambda rng, shape, dtype: normal(rng, shape, dtype, std=0.01),
    "uniform": lambda rng, shape, dtype: uniform(rng, shape, dtype, low=-0.05, high=0.05),
    "xavier_uniform": xavier_uniform, "glorot_uniform": xavier_uniform,
    "xavier_normal": xavier_normal, "glorot_normal": xavier_normal,
    "kaiming_uniform": kaiming_uniform, "he_uniform": kaiming_uniform,
    "kaiming_normal": kaiming_normal, "he_normal": kaiming_normal,
    "lecun_uniform": lecun_uniform, "lecun_normal": lecun_normal,
}
InitName = Literal[tuple(INITIALIZERS)]
"""The names of :data:`INITIALIZERS`, as a type."""


def get_initializer(init):
    """``f(rng, shape, dtype)`` for a name in ``INITIALIZERS`` or a callable (returned as is).

    The named "normal" is N(0, 0.01^2) and "uniform" U(-0.05, 0.05), small scales suited to
    weights; call :func:`normal` and :func:`uniform` directly for other ones.
    """
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except KeyError:
        raise ValueError(f"unknown initializer {init!r}; choose one of {sorted(INITIALIZERS)}") \
            from None
