"""Elementwise functions: each derivative is said once and gives both the VJP and the JVP.

``def_elementwise(f, d0, d1, ...)`` takes, per argument, the partial derivative ``d(ans, *args)``
(or a constant such as 1 or -1): the VJP is ``unbroadcast(g * d)`` and the JVP is ``t * d``
broadcast to the output. Subgradients at kinks are documented where they are chosen.
"""

import cmath
import math

import numpy

from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import Box, getval
from mlkit.numpy.rules.base import (
    broadcast_like,
    conj,
    imag,
    is_complex,
    mask_like,
    real,
    unbroadcast,
)
from mlkit.numpy.rules.unbounded import times_either, times_partial, unbounded
from mlkit.numpy.wrap import composite, nondifferentiable, raw_array, wrap

__all__ = ["absolute", "add", "angle", "cbrt", "ceil", "copysign", "cos", "cosh",
           "deg2rad", "degrees", "divide", "equal", "exp", "exp2", "expm1", "fabs", "fix", "floor",
           "fmax", "fmin", "fmod", "greater", "greater_equal", "isfinite", "isinf",
           "isnan", "less", "less_equal", "log", "log1p", "log2", "log10", "logaddexp",
           "logaddexp2", "logical_and", "logical_not", "logical_or", "logical_xor", "maximum",
           "minimum", "mod", "multiply", "negative", "not_equal", "positive", "rad2deg", "radians",
           "reciprocal", "remainder", "rint", "round", "sign", "signbit", "sin", "sinc", "sinh",
           "sqrt", "square", "subtract", "tan", "tanh", "true_divide", "trunc", "where"]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _scaled(g, d):
    if d == 1:
        return g
    if d == -1:
        return negative(g)
    return g * d


def def_elementwise(fun, *derivatives):
    """Register VJPs and JVPs of ``fun`` from one partial derivative per argument; returns
    ``fun``."""
    for argnum, d in enumerate(derivatives):
        if d is None:  # not differentiable in this argument (an integer order, a sign)
            defvjp(fun, None, argnums=(argnum,))
            defjvp(fun, None, argnums=(argnum,))
            continue
        if callable(d):
            defvjp(fun, _vjp_maker(argnum, d, getattr(d, "unbounded", None)), argnums=(argnum,))
            defjvp(fun, _jvp_rule(d, getattr(d, "unbounded", None)), argnums=(argnum,))
        else:
            defvjp(fun, lambda ans, *args, _i=argnum, _d=d: lambda g: unbroadcast(
                _scaled(g, _d), args[_i]), argnums=(argnum,))
            defjvp(fun, lambda g, ans, *args, _d=d: broadcast_like(_scaled(g, _d), ans),
                   argnums=(argnum,))
    return fun


def elementwise(raw, *derivatives):
    """A primitive of numpy's elementwise ``raw``, under raw's name, with its rules from one
    partial derivative per argument (``def_elementwise``)."""
    return def_elementwise(wrap(raw, raw.__name__), *derivatives)


def _vjp_maker(argnum, d, unbounded):
    def maker(ans, *args, **kwargs):
        target = args[argnum]
        return lambda g: unbroadcast(g * d(ans, *args), target)

    def guarded_maker(ans, *args, **kwargs):
        target = args[argnum]
        if unbounded(ans, *args):
            return lambda g: unbroadcast(times_partial(g, d(ans, *args)), target)
        return lambda g: unbroadcast(g * d(ans, *args), target)

    return maker if unbounded is None else guarded_maker


def _jvp_rule(d, unbounded):
    if unbounded is None:
        return lambda g, ans, *args: broadcast_like(g * d(ans, *args), ans)
    return lambda g, ans, *args: broadcast_like(
        times_partial(g, d(ans, *args)) if unbounded(ans, *args) else g * d(ans, *args), ans)


def flat_at_infinity(d, ends=numpy.isinf):
    """The partial derivative ``d(ans, *args)`` of an ``f`` whose every derivative tends to 0
    as its last argument x goes to +-inf (arctan's 1 / (1 + x^2), stdtr's density in t), or to
    the infinities ``ends`` picks: 0 there, for every value of the other arguments, where the
    formula's own derivatives meet inf / inf or 0 * inf. The formula sees x = ans = 0 in place
    of the infinities (finite stand-ins whose result is not used: its derivatives are 0)."""

    def partial(ans, *args):
        *others, x = args
        infinite = ends(raw_array(x))
        if not numpy.any(infinite):
            return d(ans, *args)
        finite_ans, finite_x = where_primitive(infinite, 0, ans), where_primitive(infinite, 0, x)
        return where_primitive(infinite, 0, d(finite_ans, *others, finite_x))

    return partial


# --- unary ----------------------------------------------------------------------------------
negative = elementwise(numpy.negative, -1)
positive = elementwise(numpy.positive, 1)
exp = elementwise(numpy.exp, lambda ans, x: ans)
exp2 = elementwise(numpy.exp2, lambda ans, x: ans * _LN2)
expm1 = elementwise(numpy.expm1, lambda ans, x: exp(x))  # not ans + 1, which rounds to 0 for x << 0
# The logs' slopes at -0.0 are their limits from x > 0, the only side (+inf, as sqrt's), not
# 1 / -0.0 = -inf: adding 0.0 turns -0.0 into 0.0. (1 + x at x = -1 is 0.0 already.)
log = elementwise(numpy.log, unbounded(lambda ans, x: reciprocal(x + 0.0)))
log2 = elementwise(numpy.log2, unbounded(lambda ans, x: reciprocal(x * _LN2 + 0.0)))
log10 = elementwise(numpy.log10, unbounded(lambda ans, x: reciprocal(x * _LN10 + 0.0)))
log1p = elementwise(numpy.log1p, unbounded(lambda ans, x: reciprocal(1 + x)))
sqrt = elementwise(numpy.sqrt, unbounded(lambda ans, x: 0.5 * reciprocal(ans + 0.0)))  # inf at -0.
cbrt = elementwise(numpy.cbrt,
                   unbounded(flat_at_infinity(lambda ans, x: reciprocal(3 * ans * ans))))
square = elementwise(numpy.square, lambda ans, x: 2 * x)
reciprocal = elementwise(numpy.reciprocal,
                         unbounded(lambda ans, x: -times_either(ans, ans)))
sin = elementwise(numpy.sin, lambda ans, x: cos(x))
cos = elementwise(numpy.cos, lambda ans, x: -sin(x))
tan = elementwise(numpy.tan, lambda ans, x: 1 + ans * ans)
sinh = elementwise(numpy.sinh, lambda ans, x: cosh(x))
cosh = elementwise(numpy.cosh, lambda ans, x: sinh(x))
tanh = elementwise(numpy.tanh, lambda ans, x: sech_squared(x))
deg2rad = elementwise(numpy.deg2rad, math.pi / 180)
radians = elementwise(numpy.radians, math.pi / 180)
rad2deg = elementwise(numpy.rad2deg, 180 / math.pi)
degrees = elementwise(numpy.degrees, 180 / math.pi)
# |x| and fabs: the subgradient 0 is used at x == 0.
fabs = elementwise(numpy.fabs, lambda ans, x: mask_like(numpy.sign(getval(x)), x))
absolute = wrap(numpy.absolute, "absolute")
angle = wrap(numpy.angle, "angle")


# The Taylor coefficients of sinc'(x) = sum_k (-1)^k 2k pi^2k x^(2k-1) / (2k+1)!, k = 1..4.
_SINC_SLOPE = [(-1) ** k * 2 * k * math.pi ** (2 * k) / math.factorial(2 * k + 1)
               for k in range(1, 5)]


def _sinc_derivative(ans, x):
    """d/dx sin(pi x)/(pi x) = (cos(pi x) - sinc(x)) / x. Near 0, where that difference
    cancels, its Taylor polynomial: exact to rounding below 0.01 (0.1 in single precision),
    and with the right derivatives at 0 (sinc''(0) = -pi^2 / 3)."""
    raw = getval(x)
    single = numpy.asarray(raw).dtype in (numpy.float16, numpy.float32, numpy.complex64)
    limit = 0.1 if single else 0.01
    small = numpy.abs(raw) < limit
    safe_x = where_primitive(small, 1, x)
    near = where_primitive(small, x, 0)  # not x: x * x overflows for |x| > 1e154
    square = near * near
    near_zero = 0
    for coefficient in reversed(_SINC_SLOPE):
        near_zero = near_zero * square + coefficient
    return where_primitive(small, near * near_zero, (cos(math.pi * x) - ans) / safe_x)


sinc = elementwise(numpy.sinc, flat_at_infinity(_sinc_derivative))


@numpy.errstate(over="ignore")  # as a decorator: half the cost of a with block per call
def _sech_squared_raw(x):
    """1 / cosh(x)**2, tanh's derivative, to relative accuracy for every x: 1 - tanh(x)**2
    cancels as tanh(x) nears 1 (rounding to 0 from |x| > 19). 0 where cosh overflows. An
    array is computed in place in cosh's result (the same values, without two allocations:
    a tanh layer's gradient calls it once per step, a long chain of small tanh once a link)."""
    reciprocal = numpy.cosh(x)
    if not isinstance(reciprocal, numpy.ndarray):  # a scalar
        reciprocal = 1 / reciprocal
        return reciprocal * reciprocal
    numpy.reciprocal(reciprocal, out=reciprocal)
    return numpy.multiply(reciprocal, reciprocal, out=reciprocal)


sech_squared = def_elementwise(wrap(_sech_squared_raw, "sech_squared"),
                               lambda ans, x: -2 * ans * tanh(x))


def _abs_vjp(ans, x):
    if is_complex(x):
        return lambda g: g * conj(x) / where_primitive(getval(ans) == 0, 1, ans)
    return lambda g: g * mask_like(numpy.sign(getval(x)), x)


def _abs_jvp(g, ans, x):
    if is_complex(x):
        return real(conj(x) * g) / where_primitive(getval(ans) == 0, 1, ans)
    return g * mask_like(numpy.sign(getval(x)), x)


defvjp(absolute, _abs_vjp)
defjvp(absolute, _abs_jvp)


def _angle_vjp(ans, x, deg=False):
    if not is_complex(x):
        return lambda g: 0 * g
    scale = -180j / math.pi if deg else -1j
    return lambda g: g * scale * conj(x) / _abs_squared_or_one(x)


def _angle_jvp(g, ans, x, deg=False):
    if not is_complex(x):
        return 0 * g
    radians = imag(conj(x) * g) / _abs_squared_or_one(x)
    return radians * (180 / math.pi) if deg else radians


def _abs_squared_or_one(x):
    squared = real(x * conj(x))
    return where_primitive(getval(squared) == 0, 1, squared)


defvjp(angle, _angle_vjp)
defjvp(angle, _angle_jvp)

# Piecewise-constant functions: derivative zero everywhere it exists.
sign_real = elementwise(numpy.sign, None)
floor = elementwise(numpy.floor, None)
ceil = elementwise(numpy.ceil, None)
trunc = elementwise(numpy.trunc, None)
rint = elementwise(numpy.rint, None)
fix = elementwise(numpy.fix, None)
round = elementwise(numpy.round, None)


def sign(x):
    """numpy.sign: piecewise constant for real ``x``; for complex ``x`` it is x / |x| (0 at
    0), which varies smoothly and is differentiated as such."""
    if not is_complex(x):
        return sign_real(x)
    zero = getval(x) == 0
    return where_primitive(zero, 0, x / absolute(where_primitive(zero, 1, x)))


# --- binary ---------------------------------------------------------------------------------
def binary(raw, name, *derivatives):
    """A binary elementwise primitive whose list or tuple operands become arrays, so that its
    rules see arrays (``x / [2.0, 4.0]`` differentiates as ``x / array([2.0, 4.0])``)."""
    return def_elementwise(wrap(raw, name, operands_only=True), *derivatives)


def _divide_dx(ans, x, y):
    """d/dx x / y = 1 / y; a Python divisor 0 gives numpy's inf, not ZeroDivisionError (a
    mean or variance over no elements divides by the count 0)."""
    if type(y) in (bool, int, float, complex) and y == 0:
        return complex(numpy.inf, numpy.nan) if type(y) is complex else numpy.inf
    return 1 / y


def _reciprocal_may_be_infinite(ans, x, y):
    """Whether 1 / y can be infinite: for an array or traced y, and a Python number whose
    reciprocal overflows (0, or tiny); other constant divisors keep the plain product."""
    return type(y) not in (bool, int, float, complex) or y == 0 or not cmath.isfinite(1 / y)


def _share(x, y, winner):
    """The weight of ``x`` in max/min: 1 where it wins, 1/2 at a tie, 0 where it loses."""
    rx, ry = getval(x), getval(y)
    return mask_like(numpy.where(rx == ry, 0.5, winner(rx, ry)), numpy.result_type(rx, ry))


def _ignoring_nan(winner):
    """fmax/fmin's comparison: a number also wins against a NaN (which fmax/fmin skip)."""
    return lambda rx, ry: winner(rx, ry) | (numpy.isnan(ry) & ~numpy.isnan(rx))


def zeros_as_ones(x):
    """``x`` with zeros replaced by ones, so that 0/0 at a kink gives the subgradient 0."""
    return where_primitive(getval(x) == 0, 1, x)


add = binary(numpy.add, "add", 1, 1)
subtract = binary(numpy.subtract, "subtract", 1, -1)
multiply = binary(numpy.multiply, "multiply", lambda ans, x, y: y, lambda ans, x, y: x)
# Infinite slopes: x / y's at y == 0, mod's and fmod's in y at y == 0.
divide = binary(numpy.divide, "divide", unbounded(_divide_dx, _reciprocal_may_be_infinite),
                unbounded(lambda ans, x, y: -ans / y))
true_divide = divide
maximum = binary(numpy.maximum, "maximum", lambda ans, x, y: _share(x, y, numpy.greater),
                 lambda ans, x, y: _share(y, x, numpy.greater))
minimum = binary(numpy.minimum, "minimum", lambda ans, x, y: _share(x, y, numpy.less),
                 lambda ans, x, y: _share(y, x, numpy.less))
fmax = binary(numpy.fmax, "fmax", lambda ans, x, y: _share(x, y, _ignoring_nan(numpy.greater)),
              lambda ans, x, y: _share(y, x, _ignoring_nan(numpy.greater)))
fmin = binary(numpy.fmin, "fmin", lambda ans, x, y: _share(x, y, _ignoring_nan(numpy.less)),
              lambda ans, x, y: _share(y, x, _ignoring_nan(numpy.less)))
# d/dx log(e^x + e^y) = 1 / (1 + e^(y - x)), written as exp(-logaddexp(0, y - x)) rather than
# exp(x - ans): that rounds to 1 when x >> y, and its own derivative would then be exactly 0.
logaddexp = binary(numpy.logaddexp, "logaddexp", lambda ans, x, y: exp(-logaddexp(0.0, y - x)),
                   lambda ans, x, y: exp(-logaddexp(0.0, x - y)))
logaddexp2 = binary(numpy.logaddexp2, "logaddexp2",
                    lambda ans, x, y: exp2(-logaddexp2(0.0, y - x)),
                    lambda ans, x, y: exp2(-logaddexp2(0.0, x - y)))
def _quotient(x, y):
    """x / y for mod's and fmod's slope in y, nan where y == 0 (there the value is nan and
    the sawtooth's period shrinks to nothing); numpy's division, also for Python floats."""
    return divide(x, where_primitive(getval(y) == 0, numpy.nan, y))


mod = binary(numpy.mod, "mod", 1, unbounded(lambda ans, x, y: -floor(_quotient(x, y))))
remainder = mod
fmod = binary(numpy.fmod, "fmod", 1, unbounded(lambda ans, x, y: -trunc(_quotient(x, y))))
copysign = binary(numpy.copysign, "copysign",
                  lambda ans, x, y: mask_like(numpy.sign(getval(ans) * getval(x)), x), None)


def zero_at_zero(total, finish):
    """``finish(total)`` with the value and derivative 0 where ``total`` is 0: the finite
    subgradient at the kink of a root (a norm, a standard deviation) of a zero total."""
    zero = raw_array(total) == 0
    return where_primitive(zero, 0, finish(where_primitive(zero, 1, total)))


# --- selection ------------------------------------------------------------------------------
where_primitive = wrap(numpy.where, "where")
# numpy takes a nonzero condition as true, so a float condition picks by truth, not by value.
# The rules select (an infinite (co)tangent of the branch not taken gives 0, not inf * 0).
defvjp(where_primitive, None,
       lambda ans, c, x, y: lambda g: unbroadcast(where_primitive(c, g, 0), x),
       lambda ans, c, x, y: lambda g: unbroadcast(where_primitive(c, 0, g), y))
defjvp(where_primitive, None,
       lambda g, ans, c, x, y: broadcast_like(where_primitive(c, g, 0), ans),
       lambda g, ans, c, x, y: broadcast_like(where_primitive(c, 0, g), ans))

_NOT_GIVEN = object()


def _holds_array(x):
    """Whether ``x`` is, or a list/tuple holds at any depth, a numpy array/scalar or a box."""
    if isinstance(x, (numpy.ndarray, numpy.generic, Box)):
        return True
    return isinstance(x, (list, tuple)) and any(_holds_array(item) for item in x)


def where(condition, x=_NOT_GIVEN, y=_NOT_GIVEN):
    """numpy.where, with ``x`` and ``y`` by position or by keyword; plain Python inputs (scalars,
    lists, tuples) give plain Python out (``.tolist()``) as HIPS autograd's does, and
    ``where(condition)`` alone gives the indices of the true entries."""
    if x is _NOT_GIVEN and y is _NOT_GIVEN:
        return numpy.nonzero(getval(condition))
    if x is _NOT_GIVEN or y is _NOT_GIVEN:
        raise ValueError("where takes either both x and y or neither")
    out = where_primitive(condition, x, y)
    if not (_holds_array(condition) or _holds_array(x) or _holds_array(y)):
        return out.tolist()
    return out


where = composite(where, numpy.where, pack_sequences=False)  # where_primitive packs them
sign = composite(sign, numpy.sign)

# Comparisons and tests on values: constant results, traced values pass through.
isfinite = nondifferentiable(numpy.isfinite)
isnan = nondifferentiable(numpy.isnan)
isinf = nondifferentiable(numpy.isinf)
greater = nondifferentiable(numpy.greater)
greater_equal = nondifferentiable(numpy.greater_equal)
less = nondifferentiable(numpy.less)
less_equal = nondifferentiable(numpy.less_equal)
equal = nondifferentiable(numpy.equal)
not_equal = nondifferentiable(numpy.not_equal)
logical_and = nondifferentiable(numpy.logical_and)
logical_or = nondifferentiable(numpy.logical_or)
logical_not = nondifferentiable(numpy.logical_not)
logical_xor = nondifferentiable(numpy.logical_xor)
signbit = nondifferentiable(numpy.signbit)
