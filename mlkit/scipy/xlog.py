"""xlogy(x, y) = x log(y) and xlog1py(x, y) = x log1p(y), 0 where x == 0 for every y.

Their slope in y, x / y, is 0 on the line x == 0 (the function is flat there), also at
y == 0 where x / y is 0 / 0. That 0 still varies with x: its x-derivative is 1 / y, infinite
at y == 0, as the other order (d/dy of the x-slope log y) gives. So the slope is a primitive
of its own whose partials say so, rather than a quotient whose divisor is swapped for 1.
"""

import numpy
import scipy.special

import mlkit.numpy as mnp
from mlkit.numpy.rules.unbounded import unbounded
from mlkit.scipy.ufuncs import wrap_ufunc

__all__ = ["xlog1py", "xlogy"]


def _quotient(x, y, n):
    """x / y^n, and 0 (with the sign of x) where x == 0 and y^n == 0."""
    power = numpy.power(y, n)
    out = numpy.divide(x, numpy.where((numpy.asarray(x) == 0) & (power == 0), 1, power))
    return out[()] if numpy.ndim(out) == 0 else out


# d/dx (x / y^n) = 1 / y^n, infinite at y == 0 for x == 0 too; d/dy (x / y^n) = -n x / y^(n+1),
# again 0 where x == 0, so it is this primitive once more, and every order keeps the same care.
# (Not x / (y * y) for n = 2: the zero slope 2 y of y * y at y == 0 hid the infinite slope of
# x / y^2 there, and the third y-derivative of xlogy(1, y) at 0 came out -0.0 or nan.)
# (mnp.divide: 1 / 0 is +-inf for Python numbers too, not ZeroDivisionError)
_x_over_power = wrap_ufunc(
    _quotient, "x_over_power", unbounded(lambda ans, x, y, n: mnp.divide(1.0, y ** n)),
    unbounded(lambda ans, x, y, n: -n * _x_over_power(x, y, n + 1)), None)

# scipy's own loops would turn a Python number with float32 values into float64.
# (y + 0.0: the y-slope at y = -0.0 is the limit from y > 0, as log's, not x / -0.0)
xlogy = wrap_ufunc(scipy.special.xlogy, "xlogy", unbounded(lambda ans, x, y: mnp.log(y)),
                   unbounded(lambda ans, x, y: _x_over_power(x, y + 0.0, 1)))
xlog1py = wrap_ufunc(scipy.special.xlog1py, "xlog1py", unbounded(lambda ans, x, y: mnp.log1p(y)),
                     unbounded(lambda ans, x, y: _x_over_power(x, 1 + y, 1)))
