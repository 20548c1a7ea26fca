"""polygamma(n, z) for complex z, which scipy computes for real z only (its zeta is real): the
derivatives of digamma (and so gamma's second) on complex input.

psi_n(z) = psi_n(z + 1) + (-1)^(n+1) n! / z^(n+1) moves z to Re z >= 20, where the series
psi_n(w) ~ (-1)^(n+1) [(n-1)!/w^n + n!/(2 w^(n+1)) + sum_k B_2k (2k+n-1)!/((2k)! w^(2k+n))]
is exact to double rounding with the Bernoulli numbers B_2 .. B_20. Left of Re z = 1/2 the
reflection psi_n(z) = (-1)^n psi_n(1 - z) - pi d^n/dz^n cot(pi z) first moves z to the right
half-plane, so a very negative Re z costs no more than a positive one.
"""

import functools
import math

import numpy
from numpy.polynomial import polynomial

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
    left = w.real < 0.5
    if left.any():
        out = _right_half(order, numpy.where(left, 1 - w, w))
        with numpy.errstate(all="ignore"):
            reflected = (-1) ** order * out - _cot_derivative(order, w)
        out = numpy.where(left, reflected, out)
    else:
        out = _right_half(order, w)
    return out.astype(z.dtype)[()] if out.ndim == 0 else out.astype(z.dtype)


def _right_half(order, w):
    """psi_n(w) by the recurrence up to Re w >= 20, then the asymptotic series."""
    lowest = numpy.min(w.real, initial=_START, where=numpy.isfinite(w.real))  # nan stays nan
    steps = int(max(0.0, math.ceil(_START - lowest)))
    shifted = numpy.zeros_like(w)
    for k in range(steps):  # the terms the recurrence peels off, below Re w = 20
        shifted += (w + k) ** -(order + 1)
    w = w + steps
    series = math.factorial(order - 1) / w ** order + math.factorial(order) / (2 * w ** (order + 1))
    for k, b in enumerate(_BERNOULLI, start=1):
        series += (b * math.factorial(2 * k + order - 1) / math.factorial(2 * k)
                   / w ** (2 * k + order))
    return (-1) ** (order + 1) * (series + math.factorial(order) * shifted)


def _expm1(w):
    """exp(w) - 1 for complex w, exact near w = 0 in both parts (numpy's complex expm1 is
    not): e^a cos b - 1 = expm1(a) cos b - 2 sin^2(b/2)."""
    a, b = w.real, w.imag
    half = numpy.sin(0.5 * b)
    return (numpy.expm1(a) * numpy.cos(b) - 2 * half * half) + 1j * numpy.exp(a) * numpy.sin(b)


@functools.cache
def _eulerian(order):
    """The Eulerian numbers A(n, k), k < n: sum_m m^n e^m = e sum_k A(n, k) e^k / (1 - e)^(n+1)."""
    return numpy.array([sum((-1) ** j * math.comb(order + 1, j) * (k + 1 - j) ** order
                            for j in range(k + 1)) for k in range(order)], dtype=float)


def _cot_derivative(order, z):
    """pi d^n/dz^n cot(pi z). With e = exp(2 i s x), x = pi z and s the sign of Im z (so
    |e| <= 1), cot(x) = -i s (1 + 2 sum_m e^m), whose n-th derivative -2 i s (2 i s)^n sum_m
    m^n e^m has a closed form with positive coefficients: no digits cancel as Im z grows
    (p(cot(x)) from cot' = -(1 + cot^2) would lose them all). x is taken at z minus its
    nearest integer (cot has period pi), so a large Re z costs no digits either."""
    x = numpy.pi * (z - numpy.round(z.real))
    s = numpy.where(x.imag > 0, 1, -1)
    w = 2j * s * x
    e = numpy.exp(w)  # and 1 - e from expm1, to full precision next to a pole
    power_sum = e * polynomial.polyval(e, _eulerian(order)) / (-_expm1(w)) ** (order + 1)
    return numpy.pi ** (order + 1) * (-2j * s) * (2j * s) ** order * power_sum
