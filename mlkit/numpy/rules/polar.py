"""hypot and arctan2, whose partials are quotients t / d: 0 at the origin (a subgradient) and
their limits where an argument is infinite (inf / inf as written), with every higher
derivative."""

import numpy

from mlkit.numpy.rules.elementwise import (
    binary,
    def_elementwise,
    divide,
    where_primitive,
    zeros_as_ones,
)
from mlkit.numpy.wrap import raw_array, wrap

__all__ = ["arctan2", "hypot"]

# A slope t / d that is 0 where d is 0 (the subgradient) but whose own partials, 1 / d and
# -t / d^2, are nan there: hypot's and arctan2's second partials do not exist at the origin.
_slope = def_elementwise(wrap(lambda t, d: t / zeros_as_ones(d), "slope"),
                         lambda ans, t, d: divide(1.0, d), lambda ans, t, d: -divide(t, d) / d)


def _slope_or_limit(t, d, limit, at):
    """``_slope(t, d)``, but the raw constant ``limit`` where the raw mask ``at`` holds (t / d
    is inf / inf there); t and d are 1 there, so that their partials stay finite."""
    if not numpy.any(at):
        return _slope(t, d)
    return where_primitive(at, limit, _slope(where_primitive(at, 1, t), where_primitive(at, 1, d)))


def _hypot_slope(ans, own, other):
    """own / hypot: sign(own) where own alone is infinite, 0 where other alone is (every
    higher derivative 0 there); nan at (inf, inf), where it depends on the direction."""
    a, b = numpy.broadcast_arrays(raw_array(own), raw_array(other))
    at = (numpy.isinf(a) ^ numpy.isinf(b)) & ~(numpy.isnan(a) | numpy.isnan(b))
    return _slope_or_limit(own, ans, numpy.where(numpy.isinf(a), numpy.sign(a), 0), at)


def _arctan2_slope(ans, y, x, numerator):
    """arctan2's partial ``numerator(y, x) / (x^2 + y^2)``: 0, with every higher derivative,
    where x or y is infinite (|x| / (x^2 + y^2) <= 1 / max(|x|, |y|)); x and y are 1 there,
    so that the derivatives of x^2 + y^2 are not inf."""
    a, b = numpy.broadcast_arrays(raw_array(y), raw_array(x))
    at = (numpy.isinf(a) | numpy.isinf(b)) & ~(numpy.isnan(a) | numpy.isnan(b))
    if numpy.any(at):
        y, x = where_primitive(at, 1, y), where_primitive(at, 1, x)
    return _slope_or_limit(numerator(y, x), y * y + x * x, 0, at)


hypot = binary(numpy.hypot, "hypot", lambda ans, x, y: _hypot_slope(ans, x, y),
               lambda ans, x, y: _hypot_slope(ans, y, x))
arctan2 = binary(numpy.arctan2, "arctan2",
                 lambda ans, y, x: _arctan2_slope(ans, y, x, lambda y, x: x),
                 lambda ans, y, x: _arctan2_slope(ans, y, x, lambda y, x: -y))
