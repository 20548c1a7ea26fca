"""Functions of a float's representation: ldexp, frexp, modf, divmod, nextafter, spacing.

Their integer parts (exponents, integral parts, quotients) and ``spacing`` are locally
constant, so they carry no derivative; the remaining part is written with primitives so its
derivative is exact: ``ldexp(x, n) = x 2**n``, the mantissa ``x / 2**e``, the fractional part
``x - trunc(x)``, the remainder ``mod``, and ``nextafter(x, y)`` moves x by a constant.
"""

import numpy

from mlkit.autodiff.tracer import getval, rawval
from mlkit.numpy.rules.construction import floor_divide
from mlkit.numpy.rules.elementwise import mod, multiply, trunc, where
from mlkit.numpy.wrap import composite, nondifferentiable, value_array

__all__ = ["ldexp", "frexp", "modf", "divmod", "nextafter", "spacing"]


def ldexp(x1, x2):
    """``x1 * 2**x2`` for integer ``x2``."""
    dtype = numpy.ldexp(numpy.ones((), numpy.result_type(rawval(x1))),
                        numpy.zeros((), numpy.result_type(rawval(x2)))).dtype
    return multiply(x1, _powers_of_two(getval(x2), dtype))


def frexp(x):
    """``(mantissa, exponent)`` with ``x = mantissa * 2**exponent``; the exponent is an
    integer constant."""
    exponent = _exponent(getval(x))
    dtype = numpy.frexp(numpy.ones((), numpy.result_type(rawval(x))))[0].dtype
    half = -exponent // 2  # in two factors: 2**1073 for a subnormal would overflow to inf
    scaled = multiply(x, _powers_of_two(half, dtype))
    return multiply(scaled, _powers_of_two(-exponent - half, dtype)), exponent


# Values read off the data with numpy: constants, and under mlkit.jit steps of the program.
def _powers_of_two(exponents, dtype):
    return numpy.ldexp(numpy.ones((), dtype), exponents)


def _exponent(x):
    return numpy.frexp(x)[1]


_powers_of_two = nondifferentiable(_powers_of_two)
_exponent = nondifferentiable(_exponent)


def modf(x):
    """``(fractional part, integral part)``, both with the sign of x."""
    if numpy.result_type(rawval(x)).kind not in "fc":  # integers and booleans: no derivative
        return numpy.modf(value_array(x))
    integral = trunc(x)  # traced (derivative zero), so jit replays it for new values
    # -(trunc(x) - x) keeps the sign of a negative x where the difference is 0 (-3., -0.)
    infinite = numpy.isinf(getval(x))  # inf - inf is nan; numpy's fractional part there is 0
    with numpy.errstate(invalid="ignore"):
        fraction = where(numpy.signbit(getval(x)), -(integral - x), x - integral)
    if not numpy.any(infinite):
        return fraction, integral
    return where(infinite, numpy.modf(value_array(x))[0], fraction), integral


def divmod(x1, x2):
    """``(floor(x1 / x2), mod(x1, x2))``; the quotient is a constant, the remainder is
    differentiable in both."""
    return floor_divide(x1, x2), mod(x1, x2)


def nextafter(x1, x2):
    """The next float after ``x1`` towards ``x2`` (derivative 1 in x1, 0 in x2): ``x1`` plus
    the step to it, exact, a constant (under mlkit.jit a step of the program)."""
    infinite = numpy.isinf(getval(x1))  # inf plus a step of -inf is nan: numpy's value there
    if not numpy.any(infinite):
        return x1 + _step_to_next(getval(x1), getval(x2))
    with numpy.errstate(invalid="ignore"):
        moved = x1 + _step_to_next(getval(x1), getval(x2))
    return where(infinite, numpy.nextafter(value_array(x1), value_array(x2)), moved)


def _step_to_next(x1, x2):
    return numpy.nextafter(x1, x2) - x1


_step_to_next = nondifferentiable(_step_to_next)


spacing = nondifferentiable(numpy.spacing)

for _fun in (ldexp, frexp, modf, divmod, nextafter):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
