"""The inverse circular and hyperbolic functions. Their slopes are square roots, whose branch
must be the one numpy's own value is on: on a branch cut (arcsin's real x > 1, arcsinh's
imaginary axis beyond i) the sign of a zero part names the side, and x * x or x + 1 drop it."""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import is_complex, mask_like
from mlkit.numpy.rules.elementwise import elementwise, flat_at_infinity, reciprocal, sqrt
from mlkit.numpy.rules.unbounded import times_either, unbounded

__all__ = ["arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh"]


def _on_numpys_side(slope, ans, x, reciprocal_of_ans):
    """``slope``, negated where it is not the reciprocal of ``reciprocal_of_ans(ans)``
    (cos(arcsin x), say) from numpy's value. Real ``x`` has no cut and keeps ``slope``."""
    if not is_complex(x):
        return slope
    wrong = numpy.real(getval(slope) * reciprocal_of_ans(getval(ans))) < 0
    return slope * (1 - 2 * mask_like(wrong, slope))


arcsin = elementwise(numpy.arcsin, unbounded(lambda ans, x: _on_numpys_side(
    reciprocal(sqrt(1 - x * x)), ans, x, numpy.cos)))
arccos = elementwise(numpy.arccos, unbounded(lambda ans, x: _on_numpys_side(
    -reciprocal(sqrt(1 - x * x)), ans, x, lambda a: -numpy.sin(a))))
arctan = elementwise(numpy.arctan, flat_at_infinity(lambda ans, x: 1 / (1 + x * x)))
arcsinh = elementwise(numpy.arcsinh, flat_at_infinity(lambda ans, x: _on_numpys_side(
    1 / sqrt(x * x + 1), ans, x, numpy.cosh)))
# (x - 1)^-1/2 (x + 1)^-1/2, not (x^2 - 1)^-1/2: for complex x left of the imaginary axis the
# principal roots differ in sign
arccosh = elementwise(numpy.arccosh, unbounded(lambda ans, x: _on_numpys_side(
    reciprocal(times_either(sqrt(x - 1), sqrt(x + 1))), ans, x, numpy.sinh)))
arctanh = elementwise(numpy.arctanh, unbounded(lambda ans, x: reciprocal(1 - x * x)))
