"""Choosing values by condition: select, nan_to_num, heaviside, real_if_close.

Each is a composite of ``where`` (whose rules send the cotangent to the branch chosen) or of
``real``: the chosen values carry their derivatives and constants replacing values carry none.
"""

import numpy

from mlkit.autodiff.tracer import getval, rawval
from mlkit.numpy.rules.base import broadcast_to, imag, is_complex, real, shape_of
from mlkit.numpy.rules.construction import astype
from mlkit.numpy.rules.elementwise import where
from mlkit.numpy.wrap import composite, nondifferentiable

__all__ = ["select", "nan_to_num", "heaviside", "real_if_close"]


def select(condlist, choicelist, default=0):
    """The first choice whose condition holds, elementwise; ``default`` where none does."""
    condlist, choicelist = list(condlist), list(choicelist)
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions but {len(choicelist)} choices; "
                         "give one condition per choice")
    if not choicelist:
        raise ValueError("select needs at least one condition and choice")
    conditions = [numpy.asarray(getval(c)) for c in condlist]
    for i, c in enumerate(conditions):
        if c.dtype != bool:
            raise TypeError(f"select: condition {i} has dtype {c.dtype}; conditions must be "
                            "boolean arrays (compare first, e.g. x > 0)")
    dtype = numpy.result_type(*[getval(c) for c in choicelist], getval(default))
    out = default
    for c, choice in reversed(list(zip(conditions, choicelist))):
        out = where(c, choice, out)
    shape = numpy.broadcast_shapes(*[c.shape for c in conditions],
                                   *[shape_of(c) for c in choicelist], shape_of(default))
    if shape_of(out) != shape:
        out = broadcast_to(out, shape)
    return astype(out, dtype) if numpy.result_type(getval(out)) != dtype else out


def _finite_real(x, nan, posinf, neginf):
    info = numpy.finfo(numpy.result_type(getval(x)))
    raw = getval(x)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = where(numpy.isnan(raw), nan, x)
    out = where(numpy.isposinf(raw), posinf, out)
    return where(numpy.isneginf(raw), neginf, out)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """nan becomes ``nan``, infinities the largest finite values (or the ones given); for
    complex input, real and imaginary parts separately."""
    kind = numpy.result_type(getval(x)).kind
    if kind not in "fc":
        return x
    if kind == "c":
        return (_finite_real(real(x), nan, posinf, neginf)
                + 1j * _finite_real(imag(x), nan, posinf, neginf))
    return _finite_real(x, nan, posinf, neginf)


def heaviside(x1, x2):
    """0 where ``x1 < 0``, 1 where ``x1 > 0`` and ``x2`` where ``x1 == 0`` (nan stays nan); the
    derivative reaches ``x2`` where it is chosen, and ``x1`` gets none (a step)."""
    x1 = getval(x1)  # no derivative: under mlkit.jit, the steps are a step of the program
    steps = _steps(x1, numpy.result_type(rawval(x1), rawval(x2)))
    return where(x1 == 0, x2, steps)


def _steps(x1, dtype):
    return numpy.heaviside(x1, numpy.zeros((), dtype=dtype))


_steps = nondifferentiable(_steps)


def real_if_close(a, tol=100):
    """The real part when every imaginary part is within ``tol`` machine epsilons of zero
    (``tol`` <= 1 is an absolute bound), else ``a`` unchanged."""
    if not is_complex(a):
        return a
    raw = numpy.asarray(getval(a))
    bound = tol * numpy.finfo(raw.dtype).eps if tol > 1 else tol
    return real(a) if numpy.all(numpy.abs(raw.imag) < bound) else a


for _fun in (nan_to_num, heaviside, real_if_close):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
composite(select, numpy.select, pack_sequences=False)  # lists of separate arrays
