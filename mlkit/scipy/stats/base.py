"""What the distributions share: logs that keep Python numbers Python numbers, the namespace
object each distribution is, and the masks that give scipy's values off the support (0, -inf)
and for invalid parameters (nan) without evaluating a formula where it is undefined.
"""

import functools
from types import SimpleNamespace

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.wrap import composite
from mlkit.scipy.special import gammaln

__all__ = ["lgamma_of", "log_of", "masked", "namespace", "positive", "weak"]


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


def namespace(name, raw, **functions):
    """A distribution: its methods named ``name.method``, each a composite standing in for
    scipy's ``raw.method`` (so scipy's own method called on a traced value runs it)."""
    for method, fun in functions.items():
        fun.__name__ = fun.__qualname__ = f"{name}.{method}"
        composite(fun, getattr(raw, method))
    return SimpleNamespace(**functions)
