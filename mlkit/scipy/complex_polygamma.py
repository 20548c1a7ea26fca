"""polygamma(n, z) for complex z, which scipy computes for real z only (its zeta is real): the
derivatives of digamma (and so gamma's second) on complex input.

psi_n(z) = psi_n(z + 1) + (-1)^(n+1) n! / z^(n+1) moves z to Re z >= 20, where the series
psi_n(w) ~ (-1)^(n+1) [(n-1)!/w^n + n!/(2 w^(n+1)) + sum_k B_2k (2k+n-1)!/((2k)! w^(2k+n))]
is exact to double rounding with the Bernoulli numbers B_2 .. B_20.
"""

import math

import numpy

__all__ = ["complex_polygamma"]

_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330]  # B_2, B_4, ..., B_20
_START = 20.0  # the series' |w| from which its terms fall below double rounding


def complex_polygamma(n, z):
    """The n-th derivative of digamma at complex ``z`` (one integer n >= 1 for all of z),
    complex128 or complex64 as z."""
    if numpy.ndim(n) != 0 or n != int(n) or n < 1:
        raise ValueError(f"mlkit's polygamma(n, z) for complex z takes one integer n >= 1 for "
                         f"all of z, got n={n!r}: call it once per order (n=0 is digamma)")
    order = int(n)
    z = numpy.asarray(z)
    w = z.astype(numpy.complex128)
    lowest = numpy.min(w.real, initial=_START, where=numpy.isfinite(w.real))  # nan stays nan
    steps = int(max(0.0, math.ceil(_START - lowest)))
    shifted = numpy.zeros_like(w)
    for k in range(steps):  # the terms the recurrence peels off, below Re z = 20
        shifted += (w + k) ** -(order + 1)
    w = w + steps
    series = math.factorial(order - 1) / w ** order + math.factorial(order) / (2 * w ** (order + 1))
    for k, b in enumerate(_BERNOULLI, start=1):
        series += (b * math.factorial(2 * k + order - 1) / math.factorial(2 * k)
                   / w ** (2 * k + order))
    out = (-1) ** (order + 1) * (series + math.factorial(order) * shifted)
    return out.astype(z.dtype)[()] if out.ndim == 0 else out.astype(z.dtype)
