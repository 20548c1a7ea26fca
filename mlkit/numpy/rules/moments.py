"""Moments over a selection: var, std and their NaN-ignoring versions, and nansum, nanmean,
each with numpy's ``where=`` (var's also with ``mean=``, a mean already computed). A NaN and an
element ``where=`` leaves out are the same thing here, an element outside the selection: one
masked variance serves var(where=) and nanvar.
"""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules import reductions
from mlkit.numpy.rules.base import conj, is_complex, mask_like, real, shape_of, sum
from mlkit.numpy.rules.construction import astype
from mlkit.numpy.rules.elementwise import sqrt, zero_at_zero
from mlkit.numpy.rules.elementwise import where_primitive as _select
from mlkit.numpy.wrap import composite, refuse_out

__all__ = ["nanmean", "nanstd", "nansum", "nanvar", "std", "var"]


def _in_dtype(a, dtype):
    return a if dtype is None else astype(a, dtype)


def _ddof(ddof, correction):
    """numpy's ``correction=``, the array-API name of ``ddof``; one of the two, as numpy's."""
    if correction is None:
        return ddof
    if ddof != 0:
        raise ValueError("var/std: ddof and correction can't be provided simultaneously; "
                         "pass one of them")
    return correction


def _squares(centered):
    return real(centered * conj(centered)) if is_complex(centered) else centered * centered


def _selection(a, where, drop_nan):
    """The raw mask of the elements a reduction takes: ``where`` broadcast to a's shape,
    less the NaNs when ``drop_nan``."""
    keep = numpy.broadcast_to(numpy.asarray(where, dtype=bool), shape_of(a))
    return keep & ~numpy.isnan(getval(a)) if drop_nan else keep


def _selected_variance(a, axis, ddof, keepdims, keep, center=None):
    """The variance of the elements ``keep`` selects about their mean (or ``center``), over
    their count less ``ddof``; NaN, as numpy's, where that is <= 0 (with the derivative nan
    there, not 0)."""
    count = numpy.sum(keep, axis=axis, keepdims=True)
    if center is None:
        center = sum(_select(keep, a, 0), axis=axis, keepdims=True) / mask_like(
            numpy.maximum(count, 1), a).real
    centered = _select(keep, a - center, 0)
    squares = _squares(centered)
    divisor = count - ddof if keepdims else numpy.sum(keep, axis=axis) - ddof
    undefined = divisor <= 0
    divisor = mask_like(numpy.where(undefined, 1, divisor), squares).real
    variance = sum(squares, axis=axis, keepdims=keepdims) / divisor
    return _select(undefined, numpy.nan, variance) if numpy.any(undefined) else variance


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=None, correction=None):
    """Variance (in ``dtype``, as numpy's) about the mean, or about ``mean`` when given (shaped
    as with keepdims, as numpy's; its derivative flows too). Built from mean and sum, so it
    needs no rules."""
    refuse_out("var", out)
    a, ddof = _in_dtype(a, dtype), _ddof(ddof, correction)
    if where is not True:
        return _selected_variance(a, axis, ddof, keepdims, _selection(a, where, False), mean)
    if mean is None:
        mean = reductions.mean(a, axis=axis, keepdims=True)
    squares = _squares(a - mean)
    n = reductions.reduced_count(
        shape_of(a), shape_of(reductions.mean(getval(a), axis=axis, keepdims=keepdims)))
    if n == 0:  # nan, as numpy's, and mean's tangent 0 (a division by 0 would give 0 * inf)
        return reductions.mean(squares, axis=axis, keepdims=keepdims)
    return sum(squares, axis=axis, keepdims=keepdims) / (n - ddof)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=None, correction=None):
    """Square root of the variance; where all values are equal the subgradient 0 is used."""
    refuse_out("std", out)
    return zero_at_zero(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
                            where=where, mean=mean, correction=correction), sqrt)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=None, correction=None):
    """The variance of the non-NaN elements (about ``mean`` when given), divided by their
    count less ``ddof``."""
    refuse_out("nanvar", out)
    a, ddof = _in_dtype(a, dtype), _ddof(ddof, correction)
    return _selected_variance(a, axis, ddof, keepdims, _selection(a, where, True), mean)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=None, correction=None):
    """The square root of ``nanvar``, with the subgradient 0 where the variance is 0."""
    refuse_out("nanstd", out)
    return zero_at_zero(nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
                               where=where, mean=mean, correction=correction), sqrt)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """Sum ignoring NaNs (their gradient is 0)."""
    refuse_out("nansum", out)
    keep = ~numpy.isnan(getval(a))
    return sum(_select(keep, a, 0), axis=axis, dtype=dtype, keepdims=keepdims,
               **({} if where is True else {"where": where}))


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """The mean of the non-NaN elements (NaN where there are none, as numpy's)."""
    refuse_out("nanmean", out)
    a = _in_dtype(a, dtype)
    keep = _selection(a, where, True)
    # The count in a's precision: an integer array would promote float32 to float64.
    count = mask_like(numpy.sum(keep, axis=axis, keepdims=keepdims), a).real
    return sum(_select(keep, a, 0), axis=axis, keepdims=keepdims) / count


for _fun in (var, std, nanvar, nanstd, nansum, nanmean):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
