"""Set operations on the values of arrays: unique_values, unique_counts, unique_inverse,
unique_all, union1d, intersect1d, setdiff1d, setxor1d.

numpy finds the values; each is then gathered from the first place it occurs in the input,
so the derivative of a value in the result reaches that element (a repeated value is one
element of the result, and the first of its copies stands for it). Counts, indices and
inverses are integer constants.
"""

import numpy

from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.shape import concatenate, ravel
from mlkit.numpy.wrap import composite, value_array

__all__ = ["unique_values", "unique_counts", "unique_inverse", "unique_all", "union1d",
           "intersect1d", "setdiff1d", "setxor1d"]


def _gather_first(flat, values):
    """``values`` (all present in the 1-d ``flat``) taken from where they first occur."""
    raw = value_array(flat)
    distinct, first = numpy.unique(raw, return_index=True)
    return getitem(flat, first[numpy.searchsorted(distinct, numpy.asarray(values))])


def unique_values(x):
    flat = ravel(x)
    return _gather_first(flat, numpy.unique_values(value_array(flat)))


def unique_counts(x):
    flat = ravel(x)
    result = numpy.unique_counts(value_array(flat))
    return type(result)(_gather_first(flat, result.values), result.counts)


def unique_inverse(x):
    result = numpy.unique_inverse(value_array(x))
    return type(result)(_gather_first(ravel(x), result.values), result.inverse_indices)


def unique_all(x):
    result = numpy.unique_all(value_array(x))
    return type(result)(_gather_first(ravel(x), result.values), result.indices,
                        result.inverse_indices, result.counts)


def union1d(ar1, ar2):
    pool = concatenate([ravel(ar1), ravel(ar2)])
    return _gather_first(pool, numpy.union1d(value_array(ar1), value_array(ar2)))


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    values, first1, first2 = numpy.intersect1d(value_array(ar1), value_array(ar2), assume_unique,
                                               return_indices=True)
    out = getitem(ravel(ar1), first1)
    return (out, first1, first2) if return_indices else out


def setdiff1d(ar1, ar2, assume_unique=False):
    flat = ravel(ar1)
    raw = value_array(flat)
    if assume_unique:
        return getitem(flat, numpy.flatnonzero(~numpy.isin(raw, value_array(ar2))))
    return _gather_first(flat, numpy.setdiff1d(raw, value_array(ar2)))


def setxor1d(ar1, ar2, assume_unique=False):
    pool = concatenate([ravel(ar1), ravel(ar2)])
    return _gather_first(pool, numpy.setxor1d(value_array(ar1), value_array(ar2), assume_unique))


for _fun in (unique_values, unique_counts, unique_inverse, unique_all, union1d, intersect1d,
             setdiff1d, setxor1d):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
