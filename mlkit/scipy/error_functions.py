"""The error-function family of scipy.special (erf, erfc, their inverses, the normal cdf, its
log and its inverse) with their slopes, whose derivatives keep their limits at the ends:
0 at +-inf for erf, erfc and ndtr and at +inf for log_ndtr, infinite slopes met by zero
(co)tangents for the inverses."""

import math

import numpy
import scipy.special

import mlkit.numpy as mnp
from mlkit.numpy.rules.elementwise import (
    def_elementwise,
    elementwise,
    flat_at_infinity,
    where_primitive,
)
from mlkit.numpy.rules.unbounded import times_either, unbounded
from mlkit.numpy.wrap import raw_array, wrap

__all__ = ["erf", "erfc", "erfcinv", "erfinv", "gaussian", "log_ndtr", "ndtr", "ndtri",
           "overflowing_exp"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _exp(x):
    return numpy.exp(x)


# exp for slopes that overflow at an edge (log_ndtr's far left, the inverses' ends): its own
# slope is then infinite and meets a zero cotangent with times_partial. mnp.exp keeps the
# plain, cheaper product.
overflowing_exp = def_elementwise(wrap(_exp, "exp"), unbounded(lambda ans, x: ans))


def _exp_square(x, scale=1.0):
    """exp(scale x^2), the inverses' slope, infinite at the ends of their domains (x infinite)."""
    return overflowing_exp(scale * times_either(x, x))


def _exp_minus_square(x, scale):
    return numpy.exp(-scale * numpy.square(x))


# exp(-scale x^2), the normal density's shape: its slope -2 scale x ans is 0 at x = +-inf,
# where exp(-x^2) outruns every power of x, so times_either gives that 0, not inf * 0 = nan,
# and its own derivatives keep it: every derivative of erf, ndtr and the normal pdf there is 0.
gaussian = def_elementwise(wrap(_exp_minus_square, "gaussian"),
                            lambda ans, x, scale: -2 * scale * times_either(x, ans), None)
erf = elementwise(scipy.special.erf, lambda ans, x: _TWO_OVER_SQRT_PI * gaussian(x, 1.0))
erfc = elementwise(scipy.special.erfc, lambda ans, x: -_TWO_OVER_SQRT_PI * gaussian(x, 1.0))
# Infinite (or, outside the domain, nan) slopes: the inverses' at the ends of their range,
# log_ndtr's far left (x * x overflows).
erfinv = elementwise(scipy.special.erfinv,
                     unbounded(lambda ans, x: _SQRT_PI_OVER_TWO * _exp_square(ans)))
erfcinv = elementwise(scipy.special.erfcinv,
                      unbounded(lambda ans, x: -_SQRT_PI_OVER_TWO * _exp_square(ans)))
ndtr = elementwise(scipy.special.ndtr, lambda ans, x: _INV_SQRT_2PI * gaussian(x, 0.5))


def _far_left_slope(x):
    """pdf / cdf for x << 0 from its asymptotic series u + 1/u - 2/u^3 + 10/u^5 - 74/u^7 +
    706/u^9 (u = -x; the first omitted term is 8162/u^11): +inf at x = -inf with slope -1 and
    every further derivative 0, the limits, where the log form is inf - inf."""
    r = mnp.reciprocal(-x)
    r2 = r * r
    return -x + r * (1 + r2 * (-2 + r2 * (10 + r2 * (-74 + 706 * r2))))


def _slope_in_logs(ans, x):
    return _INV_SQRT_2PI * overflowing_exp(-0.5 * times_either(x, x) - ans)


def _log_ndtr_slope(ans, x):
    """pdf / cdf, formed in logs: both shrink like exp(-x^2/2) in the left tail. Below -40
    (-10 in float32) the series above is closer than the log form, whose exponent -x^2/2 -
    log_ndtr(x) loses x^2/2 ulps of log_ndtr."""
    raw = raw_array(x)
    left = raw < (-40 if raw.dtype.itemsize >= 8 else -10)
    if not numpy.any(left):
        return _slope_in_logs(ans, x)
    series = _far_left_slope(where_primitive(left, x, -40.0))
    return where_primitive(left, series, _slope_in_logs(where_primitive(left, 0, ans),
                                                        where_primitive(left, 0, x)))


# At +inf the log form meets inf * 0, where every derivative is 0.
log_ndtr = elementwise(scipy.special.log_ndtr,
                       unbounded(flat_at_infinity(_log_ndtr_slope, numpy.isposinf)))
ndtri = elementwise(scipy.special.ndtri,
                    unbounded(lambda ans, x: _SQRT_2PI * _exp_square(ans, 0.5)))
