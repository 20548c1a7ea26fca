"""Bessel functions of scipy.special with derivatives in x, from the recurrences
J_n' = (J_{n-1} - J_{n+1}) / 2 (Y likewise) and I_v' = (I_{v-1} + I_{v+1}) / 2.

The derivative in the order has no closed form: requesting it raises (``no_closed_form``),
except for ``yn``, whose order scipy truncates to an integer (a flat function of it).
"""

import numpy
import scipy.special

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.unbounded import unbounded
from mlkit.scipy.ufuncs import no_closed_form, refuse, wrap_ufunc

__all__ = ["i0", "i1", "iv", "ive", "j0", "j1", "jn", "y0", "y1", "yn"]

j0 = wrap_ufunc(scipy.special.j0, "j0", lambda ans, x: -j1(x))
j1 = wrap_ufunc(scipy.special.j1, "j1", lambda ans, x: 0.5 * (j0(x) - jn(2, x)))
jn = wrap_ufunc(scipy.special.jn, "jn", no_closed_form("jn", "n"),
                lambda ans, n, x: 0.5 * (jn(n - 1, x) - jn(n + 1, x)))
# y0, y1, yn have infinite slopes at 0, i0, i1, iv, ive where they overflow.
y0 = wrap_ufunc(scipy.special.y0, "y0", unbounded(lambda ans, x: -y1(x)))
y1 = wrap_ufunc(scipy.special.y1, "y1", unbounded(lambda ans, x: 0.5 * (y0(x) - yn(2, x))))


def _yn_derivative(ans, n, x):
    """The recurrence from the order scipy uses: a fractional n truncated toward 0."""
    n = numpy.trunc(getval(n))
    return 0.5 * (yn(n - 1, x) - yn(n + 1, x))


yn = wrap_ufunc(scipy.special.yn, "yn", None, unbounded(_yn_derivative))
i0 = wrap_ufunc(scipy.special.i0, "i0", unbounded(lambda ans, x: i1(x)))
i1 = wrap_ufunc(scipy.special.i1, "i1", unbounded(lambda ans, x: 0.5 * (i0(x) + iv(2, x))))
iv = wrap_ufunc(scipy.special.iv, "iv", no_closed_form("iv", "v"),
                unbounded(lambda ans, v, x: 0.5 * (iv(v - 1, x) + iv(v + 1, x))))
_complex_ive = refuse("ive", "x", "for complex x it scales by exp(-|Re x|), which is not "
                                  "holomorphic; use iv(v, x) * exp(-abs(real(x)))")


def _ive_derivative(ans, v, x):
    """ive(v, x) = iv(v, x) exp(-|x|): the slope ``ive_slope`` (real x only)."""
    if numpy.iscomplexobj(getval(x)):
        _complex_ive(ans, v, x)
    return ive_slope(v, x)


def _ive_slope_raw(v, x):
    """d/dx ive(v, x): the recurrence for the scaled functions, less sign(x) ive (the slope of
    exp(-|x|); 0 at its kink x == 0, the mean of its two sides)."""
    return (0.5 * (scipy.special.ive(v - 1, x) + scipy.special.ive(v + 1, x))
            - numpy.sign(x) * scipy.special.ive(v, x))


def _ive_curvature(ans, v, x):
    """The slope's own slope: the same recurrence on the slopes, plus ive(v, 0) at x == 0.
    There, the mean of the two one-sided values (as the slope's mean is its value) is the
    formula's with sign(x)**2 = 1, not sign(0)**2 = 0: ive(0, x) = 1 - |x| + 3/4 x**2 + ...
    has 3/2 on both sides, where the formula alone gives 1/2."""
    kink = mnp.where(getval(x) == 0, ive(v, x), 0)
    return 0.5 * (ive_slope(v - 1, x) + ive_slope(v + 1, x)) - mnp.sign(x) * ive_slope(v, x) + kink


ive = wrap_ufunc(scipy.special.ive, "ive", no_closed_form("ive", "v"), unbounded(_ive_derivative))
ive_slope = wrap_ufunc(_ive_slope_raw, "ive_slope", no_closed_form("ive", "v"),
                       unbounded(_ive_curvature))
