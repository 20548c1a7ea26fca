"""x**y (power, float_power). Its two slopes are primitives of their own whose partials in
the other argument are one expression, the mixed partial x**(y-1) (1 + y log x): so the
second derivative is the same number whichever argument is differentiated first, in either
mode, also at x == 0 (where the pieces of the product rule are infinite) and x < 0 (where
log x, and so every derivative in y, is nan). A real base under a complex exponent is raised
by numpy as x + 0j, so its log there is the complex one (log 2 + i pi at x = -2)."""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import is_complex, mask_like
from mlkit.numpy.rules.elementwise import def_elementwise, log, where_primitive
from mlkit.numpy.rules.unbounded import times_either, times_partial, unbounded
from mlkit.numpy.wrap import wrap

__all__ = ["float_power", "power"]


def _exponent_of_slope(x, y):
    """y - 1, but 1 where y == 0 at x == 0, so that 0 * 0**-1 is not nan (x**0 is flat) and
    x**1's second derivative is 0 there; at x != 0 it is kept, as the slope's own derivative
    in y there is x**-1."""
    return numpy.where((y == 0) & (x == 0), 1, y - 1)


@numpy.errstate(divide="ignore", invalid="ignore")
def _base_slope_raw(x, y):
    return y * numpy.power(x, _exponent_of_slope(x, y))


def _base_as_raised(ans, x):
    """``x`` as numpy raised it to give ``ans``: complex when ``ans`` is, so that log x is."""
    return x + 0j if is_complex(ans) and not is_complex(x) else x


@numpy.errstate(divide="ignore", invalid="ignore")
def _exponent_slope_raw(ans, x, y):
    """log(x) x**y from ``ans`` = x**y, its limit where log x is infinite: 0 where x**y is 0
    there (x = 0, y > 0 and x = inf, y < 0: the power outruns the log), else ans times the
    infinite log (at 0**0 = 1 the limit from x > 0 of log x, -inf)."""
    log_x = numpy.log(_base_as_raised(ans, x))
    return numpy.where((ans == 0) & ~numpy.isfinite(log_x), 0, ans * log_x)


base_slope = wrap(_base_slope_raw, "power_base_slope")
# ``ans`` is x**y, passed to save recomputing it: its dependence on x and y is counted in the
# partials of x and y, so it has none of its own.
exponent_slope = wrap(_exponent_slope_raw, "power_exponent_slope")


def _mixed_at_zero(x, y):
    """The limit of x**(y-1) (1 + y log x) as x -> 0+ at fixed y, in the dtype of x and y:
    +inf for y <= 0 (1 / x at y == 0), -inf for 0 < y <= 1, 0 for y > 1."""
    real = numpy.real(y)
    limit = numpy.where(real <= 0, numpy.inf, numpy.where(real <= 1, -numpy.inf, 0.0))
    return mask_like(limit, numpy.result_type(x, y))


def mixed_partial(x, y):
    """d2/dxdy x**y = x**(y-1) (1 + y log x); at x == 0 its limit from x > 0 (the slopes there
    are limits too), nan for x < 0 (not real in y)."""
    x = _base_as_raised(y, x)
    raw_x = getval(x)
    zero = raw_x == 0
    safe = where_primitive(zero, 1, x)
    away = times_partial(power(safe, y - 1), 1 + y * log(safe))
    return where_primitive(zero, _mixed_at_zero(raw_x, getval(y)), away)


def _times_log(ans, x):
    """``ans`` log x, 0 where x == 0 and ``ans`` is 0 (y > 0: the power outruns the logs), as
    the y-slope of x**y there; ans times -inf at 0 otherwise."""
    x = _base_as_raised(ans, x)
    flat = (getval(x) == 0) & (getval(ans) == 0)
    return where_primitive(flat, 0, times_partial(ans, log(where_primitive(flat, 1, x))))


def_elementwise(base_slope, unbounded(lambda ans, x, y: times_either(y, base_slope(x, y - 1))),
                unbounded(lambda ans, x, y: mixed_partial(x, y)))
def_elementwise(exponent_slope, None, unbounded(lambda ans, p, x, y: mixed_partial(x, y)),
                unbounded(lambda ans, p, x, y: _times_log(ans, x)))


def _power_dbase(ans, x, y):
    """d/dx x**y = y x**(y-1) (``base_slope``); a constant exponent keeps the plain product,
    whose derivative in y is never asked for (x**0's slope is 0 everywhere)."""
    if type(y) in (int, float):
        return y * power(x, y - 1 if y != 0 else 1)
    return base_slope(x, y)


def _slope_may_be_infinite(ans, x, y):
    """Whether x**y's slope y x**(y-1) can be infinite: at x == 0 for y < 1, y != 0, and where
    it overflows for y > 2. For 1 < y <= 2 it overflows only within a factor y of the largest
    float, so x**2 (taylor series, squares) keeps the plain, cheaper product."""
    return type(y) not in (int, float) or y > 2 or (y < 1 and y != 0)  # a traced y: a box


# Infinite slopes: x**y's in x at 0 for y < 1 and where it overflows, in y where it overflows
# or x < 0 (log x is nan; the product with it still takes a zero cotangent to 0).
unbounded(_power_dbase, _slope_may_be_infinite)
_power_dexponent = unbounded(lambda ans, x, y: exponent_slope(ans, x, y))  # log(x) x**y
power = def_elementwise(wrap(numpy.power, "power", operands_only=True),
                        _power_dbase, _power_dexponent)
float_power = def_elementwise(wrap(numpy.float_power, "float_power", operands_only=True),
                              _power_dbase, _power_dexponent)
