"""psi(x + h) - psi(x) for x, x + h > 0, without the cancellation of two digamma values: where
h is small beside x (betaln's slope in b at b >> a, psi(b) - psi(a + b)), that difference lost
all its digits (0 at a = 3, b = 1e16, where it is -4e-16).

From psi(x + 1) = psi(x) + 1/x, the gap at x is the gap at y = x + 20 plus the 20 steps
h / ((x + k)(x + k + h)); at y, psi's asymptotic series, each term's difference formed from
log1p(h / y) (first omitted term below 1e-16 of the gap). Every derivative is the formula's own.
"""

import numpy

import mlkit.numpy as mnp

__all__ = ["digamma_gap"]

_STEPS = 20
# psi(y) = log y - 1/(2y) - sum of c_k / y^(2k)
_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132)


def digamma_gap(x, h):
    """psi(x + h) - psi(x), for x > 0 and x + h > 0."""
    y = x + _STEPS
    ratio = mnp.log1p(h / y)
    out = ratio + h / (2 * y * (y + h))
    for k, c in enumerate(_SERIES, start=1):
        out = out - c * mnp.power(y, -2 * k) * mnp.expm1(-2 * k * ratio)
    steps = mnp.expand_dims(x, -1) + numpy.arange(_STEPS, dtype=numpy.float64)
    return out + h * mnp.sum(1 / (steps * (steps + mnp.expand_dims(h, -1))), axis=-1)
