"""What the distributions share: logs that keep Python numbers Python numbers, the masks that
give scipy's values off the support (0, -inf) and for invalid parameters (nan) without
evaluating a formula where it is undefined, and the registration of each method.
"""

import functools

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval, rawval
from mlkit.numpy.wrap import composite
from mlkit.scipy.special import gammaln

__all__ = ["flat_ends", "lgamma_of", "log_of", "masked", "positive", "register", "standardized",
           "weak"]


def weak(fun, *args):
    """``fun(*args)``, as a Python float when every argument is a Python number: scipy and
    numpy return a float64 scalar there, which would turn float32 arrays it meets into float64.
    """
    out = fun(*args)
    if all(isinstance(a, (int, float)) for a in args):
        return float(out)
    return out


def log_of(value):
    return weak(mnp.log, value)


def lgamma_of(value):
    return weak(gammaln, value)


def positive(*values):
    """A raw mask, True where every value (parameters such as scale or a shape) is > 0."""
    return functools.reduce(numpy.logical_and, [numpy.greater(getval(v), 0) for v in values])


def masked(keep, value, other):
    """``value`` where the raw mask ``keep`` holds, else ``other``; used on inputs (a stand-in
    point where a formula would be undefined) and on outputs (scipy's 0, -inf or nan there,
    constants, so their derivative is zero). Where ``keep`` holds everywhere, ``value`` itself."""
    if numpy.all(keep):
        return value
    return mnp.where(keep, value, other)


def flat_ends(x, loc, fun, lower, upper):
    """fun(x), and at x = -inf (+inf) the constant ``lower`` (``upper``) where it is not None:
    a cdf's value there for every loc, scale and shape, so each derivative is 0, its limit;
    through z, z's slope in scale (-z / scale, infinite) met the zero slope in z as nan in
    forward mode. There fun sees x = loc, z = 0 (an end for stdtr's rule in df, as +-inf)."""
    raw = getval(x)
    flat = ((numpy.isneginf(raw) if lower is not None else False)
            | (numpy.isposinf(raw) if upper is not None else False))
    if not numpy.any(flat):
        return fun(x)
    limit = numpy.where(numpy.isposinf(raw), upper or 0.0, lower or 0.0)
    return mnp.where(flat, limit, fun(mnp.where(flat, loc, x)))


def standardized(x, loc, scale, *shapes):
    """``(z, scale, shapes, valid)``: z = (x - loc) / scale and the raw mask of valid parameters
    (scale and shapes > 0); invalid entries are replaced by 1, so that no formula downstream
    takes the log or gammaln of them (the result is nan there)."""
    valid = positive(scale, *shapes)
    scale, *shapes = [masked(positive(p), p, 1.0) for p in (scale, *shapes)]
    return (x - loc) / scale, scale, shapes, valid


def register(name, raw, *functions):
    """Name each method of distribution ``name`` ``name.method`` (for error messages) and mark
    it a composite standing in for scipy's ``raw.method``; returns the functions to publish,
    in order."""
    published = []
    for fun in functions:
        method = fun.__name__
        fun.__name__ = fun.__qualname__ = f"{name}.{method}"
        published.append(composite(_weak_scalars(fun), getattr(raw, method)))
    return published


def _weak_scalars(fun):
    """``fun`` with its result in the dtype numpy's promotion gives its arguments, Python
    numbers weak: arithmetic on a traced Python float gives a float64 scalar, which would
    make the result of float32 data float64 (untraced, that float stays a Python float)."""

    @functools.wraps(fun)
    def method(*args, **kwargs):
        out = fun(*args, **kwargs)
        want = numpy.result_type(*[v if type(v) in (int, float) else numpy.asarray(v) for v in
                                   map(rawval, (*args, *kwargs.values())) if v is not None])
        have = numpy.result_type(rawval(out))
        if have.kind == want.kind == "f" and want.itemsize < have.itemsize:
            return mnp.astype(out, want)
        return out

    return method
