"""numpy's variants of ``asarray`` that ask for a memory layout, a subclass or finiteness.

A traced value is an array whose layout numpy decides when it computes it, so these are
``asarray`` for traced values (``asarray_chkfinite`` still checks the values)."""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.construction import asarray
from mlkit.numpy.rules.shape import atleast_1d
from mlkit.numpy.wrap import composite

__all__ = ["asanyarray", "ascontiguousarray", "asfortranarray", "asarray_chkfinite", "require"]


def asanyarray(a, dtype=None, order=None, **kwargs):
    return asarray(a, dtype=dtype)


def ascontiguousarray(a, dtype=None, **kwargs):
    """At least 1-d, as in numpy (a traced scalar becomes shape (1,))."""
    out = asarray(a, dtype=dtype)
    return numpy.ascontiguousarray(out) if type(out) is numpy.ndarray else atleast_1d(out)


def asfortranarray(a, dtype=None, **kwargs):
    out = asarray(a, dtype=dtype)
    return numpy.asfortranarray(out) if type(out) is numpy.ndarray else atleast_1d(out)


def asarray_chkfinite(a, dtype=None, order=None):
    """``asarray`` that raises ValueError if any element is infinite or NaN."""
    out = asarray(a, dtype=dtype)
    raw = numpy.asarray(getval(out))
    if raw.dtype.kind in "fc" and not numpy.isfinite(raw).all():
        raise ValueError("array must not contain infs or NaNs")
    return out


def require(a, dtype=None, requirements=None, *, like=None):
    """``asarray`` with a dtype; layout requirements are met by plain arrays only."""
    out = asarray(a, dtype=dtype)
    if type(out) is numpy.ndarray:
        return numpy.require(out, dtype=dtype, requirements=requirements)
    return out


for _fun in (asanyarray, ascontiguousarray, asfortranarray, asarray_chkfinite, require):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
