"""Choosing values by condition: clip, select, nan_to_num, heaviside, real_if_close.

Each but clip is a composite of ``where`` (whose rules send the cotangent to the branch chosen)
or of ``real``: the chosen values carry their derivatives and constants replacing values carry
none. clip is an elementwise primitive of x and its two bounds, whose one partial derivative
per argument says which of the three the output is.
"""

import numpy

from mlkit.autodiff.tracer import getval, rawval
from mlkit.numpy.rules.base import broadcast_to, imag, is_complex, mask_like, real, shape_of
from mlkit.numpy.rules.construction import astype
from mlkit.numpy.rules.elementwise import def_elementwise, where
from mlkit.numpy.wrap import composite, nondifferentiable, refuse_out, wrap

__all__ = ["clip", "select", "nan_to_num", "heaviside", "real_if_close"]


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


# --- clip: x between its bounds; each bound and x are differentiable ---------------------
clip_primitive = wrap(numpy.clip, "clip")


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    """numpy.clip; the bounds are ``a_min``/``a_max`` or numpy 2's ``min``/``max``, by position
    or by keyword, and either may be traced."""
    refuse_out("clip", out)
    if min is not None:
        if a_min is not None:
            raise TypeError("clip got both a_min and min; pass only one")
        a_min = min
    if max is not None:
        if a_max is not None:
            raise TypeError("clip got both a_max and max; pass only one")
        a_max = max
    return clip_primitive(a, a_min, a_max)


def _clip_inside(ans, x, lo, hi):
    """Gradient passes where lo <= x <= hi (the boundary counts as inside), unless lo >= hi:
    numpy then gives hi whatever x is, so x has derivative 0 even at x == lo == hi."""
    rx = getval(x)
    inside = numpy.ones(numpy.shape(rx), dtype=bool)
    if lo is not None:
        inside = inside & (rx >= getval(lo))
    if hi is not None:
        inside = inside & (rx <= getval(hi))
    if lo is not None and hi is not None:
        inside = inside & (getval(lo) < getval(hi))
    return mask_like(inside, ans)


def _clip_at_low(ans, x, lo, hi):
    """The output is lo where x < lo, unless lo >= hi (numpy then gives hi everywhere)."""
    below = getval(x) < getval(lo)
    if hi is not None:
        below = below & (getval(lo) < getval(hi))
    return mask_like(below, ans)


def _clip_at_high(ans, x, lo, hi):
    """The output is hi where max(x, lo) > hi, and wherever lo >= hi."""
    if lo is None:
        return mask_like(getval(x) > getval(hi), ans)
    raised = numpy.maximum(getval(x), getval(lo))
    return mask_like((raised > getval(hi)) | (getval(lo) >= getval(hi)), ans)


def_elementwise(
    clip_primitive,
    _clip_inside,
    _clip_at_low,
    _clip_at_high,
)


clip = composite(clip, numpy.clip)
