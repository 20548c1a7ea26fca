"""Order statistics and NaN-ignoring reductions: quantile, percentile, median, ptp, and the
nan* versions of max, min, prod, var, std, cumulative sums and products.

Quantiles interpolate between elements of the sorted array (``sort`` passes the cotangent back
to the elements it moved), so they are differentiable in the array and in ``q``. NaN-ignoring
reductions replace NaNs by the operation's identity with ``where``, so NaNs get derivative 0.
"""

import math

import numpy

from mlkit.autodiff.tracer import Box, getval
from mlkit.numpy.rules.arrangement import sort
from mlkit.numpy.rules.base import (
    axes_tuple,
    conj,
    is_complex,
    mask_like,
    real,
    reshape,
    shape_of,
    sum,
)
from mlkit.numpy.rules.construction import asarray, astype
from mlkit.numpy.rules.elementwise import sqrt, where
from mlkit.numpy.rules.elementwise import where as where_
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.products import matmul
from mlkit.numpy.rules.reductions import cumprod, cumsum, max, min, prod
from mlkit.numpy.rules.shape import concatenate, moveaxis
from mlkit.numpy.wrap import composite, raw_array, refuse_out, value_array

__all__ = ["quantile", "percentile", "median", "nanquantile", "nanpercentile", "nanmedian",
           "ptp", "nanmax", "nanmin", "nanprod", "nancumsum", "nancumprod",
           "cov", "corrcoef", "histogram_bin_edges"]

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _reduced_last(a, axis):
    """``a`` with the reduced axes moved to the end and merged into one, and the shape of the
    remaining axes."""
    shape = tuple(shape_of(a))
    axes = tuple(range(len(shape))) if axis is None else axes_tuple(axis, len(shape))
    rest = tuple(n for k, n in enumerate(shape) if k not in axes)
    moved = moveaxis(a, axes, tuple(range(-len(axes), 0))) if axes else a
    return reshape(moved, rest + (-1,)), rest, axes


def _quantile(a, q, axis, method, keepdims, ignore_nan):
    """method None is numpy's median: the middle element, or the mean of the middle two."""
    if method is not None and method not in _METHODS:
        raise ValueError(f"quantile method {method!r} is not supported; mlkit has {_METHODS}")
    dtype = numpy.result_type(getval(a))
    if dtype.kind not in "fc":
        a, dtype = astype(a, numpy.float64), numpy.dtype(numpy.float64)
    if dtype.kind == "c":
        raise TypeError("quantiles of complex arrays are not defined; take real or abs first")
    raw_q = raw_array(q)
    if numpy.any((raw_q < 0) | (raw_q > 1)):
        raise ValueError("quantiles must lie in [0, 1] (percentiles in [0, 100])")
    if numpy.size(getval(a)) == 0:  # nothing to differentiate: numpy's nan, empty or error
        if method is None:
            fun = numpy.nanmedian if ignore_nan else numpy.median
            return fun(getval(a), axis=axis, keepdims=keepdims)
        fun = numpy.nanquantile if ignore_nan else numpy.quantile
        return fun(getval(a), raw_q, axis=axis, method=method, keepdims=keepdims)
    flat, rest, axes = _reduced_last(a, axis)
    raw = raw_array(flat)
    n = raw.shape[-1]
    rows = math.prod(rest)
    ordered = reshape(sort(flat, axis=-1), (rows, n))  # NaNs sort to the end
    nan_rows = numpy.isnan(raw).reshape(rows, n)
    counts = n - nan_rows.sum(-1) if ignore_nan else numpy.full(rows, n)
    last = numpy.maximum(counts - 1, 0)
    q_col = reshape(asarray(q), raw_q.shape + (1,))
    position = q_col * last.astype(dtype)  # shape q.shape + (rows,)
    raw_position = raw_array(position)
    low = numpy.floor(raw_position).astype(numpy.intp)
    high = numpy.minimum(low + 1, last)
    if method == "lower":
        high = low
    elif method == "higher":
        low = high = numpy.ceil(raw_position).astype(numpy.intp)
    elif method == "nearest":
        low = high = numpy.around(raw_position).astype(numpy.intp)
    row_index = numpy.arange(rows)
    below, above = getitem(ordered, (row_index, low)), getitem(ordered, (row_index, high))
    if method == "midpoint":  # as numpy: halfway unless the position is a whole index
        weight = mask_like((high > low) & (raw_position > low), below) * 0.5
    elif method == "linear":
        weight = position - low.astype(dtype)
        weight = weight if numpy.result_type(getval(weight)) == dtype else astype(weight, dtype)
    else:
        weight = None
    if method is None:  # the middle element itself: [1, 2, inf] has median 2, not 2 + inf * 0
        halfway = (high > low) & (raw_position > low)
        out = where(halfway, (below + above) * 0.5, below) if halfway.any() else below
    else:
        out = below if weight is None else below + (above - below) * weight
    undefined = (counts == 0) if ignore_nan else nan_rows.any(-1)
    if undefined.any():
        out = where(numpy.broadcast_to(undefined, raw_position.shape), numpy.nan, out)
    out = reshape(out, raw_q.shape + rest)
    if keepdims:
        shape = list(shape_of(a))
        for k in axes:
            shape[k] = 1
        out = reshape(out, raw_q.shape + tuple(shape))
    return out


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False):
    """The ``q``-th quantiles (``q`` in [0, 1]) over ``axis``; NaN where a slice holds NaN."""
    refuse_out("quantile", out)
    return _quantile(a, q, axis, method, keepdims, ignore_nan=False)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False):
    refuse_out("percentile", out)
    return _quantile(a, asarray(q) / 100.0, axis, method, keepdims, ignore_nan=False)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    refuse_out("median", out)
    return _quantile(a, 0.5, axis, None, keepdims, ignore_nan=False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False):
    """Quantiles of the non-NaN elements (NaN for a slice with none)."""
    refuse_out("nanquantile", out)
    return _quantile(a, q, axis, method, keepdims, ignore_nan=True)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False):
    refuse_out("nanpercentile", out)
    return _quantile(a, asarray(q) / 100.0, axis, method, keepdims, ignore_nan=True)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    refuse_out("nanmedian", out)
    return _quantile(a, 0.5, axis, None, keepdims, ignore_nan=True)


def ptp(a, axis=None, out=None, keepdims=False):
    """The range, max - min (the cotangent goes to the extreme elements)."""
    refuse_out("ptp", out)
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


def _nan_extremum(extremum, fill, a, axis, keepdims, initial, where):
    """numpy's nanmax/nanmin of an array: NaNs are left out (``fill`` stands in for them);
    NaN where no other element is selected and there is no ``initial``."""
    raw = numpy.isnan(getval(a))
    extra = {} if initial is None else {"initial": initial}
    if where is not True:
        extra["where"] = where
    out = extremum(where_(raw, fill, a), axis=axis, keepdims=keepdims, **extra)
    if initial is not None:
        return out
    empty = ~numpy.any(~raw & where, axis=axis, keepdims=keepdims)
    return where_(empty, numpy.nan, out) if numpy.any(empty) else out


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    """The maximum ignoring NaNs (NaN for an all-NaN slice)."""
    refuse_out("nanmax", out)
    return _nan_extremum(max, -numpy.inf, a, axis, keepdims, initial, where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=True):
    refuse_out("nanmin", out)
    return _nan_extremum(min, numpy.inf, a, axis, keepdims, initial, where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    refuse_out("nanprod", out)
    extra = {} if initial is None else {"initial": initial}
    if where is not True:
        extra["where"] = where
    return prod(where_(numpy.isnan(getval(a)), 1, a), axis=axis, dtype=dtype,
                keepdims=keepdims, **extra)


def nancumsum(a, axis=None, dtype=None, out=None):
    refuse_out("nancumsum", out)
    return cumsum(where(numpy.isnan(getval(a)), 0, a), axis=axis, dtype=dtype)


def nancumprod(a, axis=None, dtype=None, out=None):
    refuse_out("nancumprod", out)
    return cumprod(where(numpy.isnan(getval(a)), 1, a), axis=axis, dtype=dtype)


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """The covariance matrix of the variables in the rows (columns if not ``rowvar``) of
    ``m`` (and ``y``), with optional frequency and reliability weights."""
    if ddof is not None and ddof != int(ddof):
        raise ValueError("cov: ddof must be an integer")
    x = asarray(m)
    if len(shape_of(x)) > 2:
        raise ValueError("cov: m has more than 2 dimensions")
    x = _rows(x, rowvar, dtype)
    if y is not None:
        x = concatenate([x, _rows(asarray(y), rowvar, dtype)], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = shape_of(x)[1]
    weights = None
    if fweights is not None:
        weights = numpy.asarray(getval(fweights), dtype=numpy.float64)
    if aweights is not None:
        a = asarray(aweights)
        weights = a if weights is None else a * weights
    if weights is None:
        total = n
        mean = sum(x, axis=1, keepdims=True) / n
        fact = n - ddof
    else:
        total = sum(weights)
        mean = sum(x * weights, axis=1, keepdims=True) / total
        if ddof == 0:
            fact = total
        elif aweights is None:
            fact = total - ddof
        else:
            fact = total - ddof * sum(weights * asarray(aweights)) / total
    centred = x - mean
    scaled = centred if weights is None else centred * weights
    c = matmul(centred, conj(_transposed(scaled))) / fact
    return reshape(c, tuple(k for k in shape_of(c) if k != 1))


def _transposed(x):
    return moveaxis(x, 0, 1)


def _rows(x, rowvar, dtype):
    x = reshape(x, (1, -1)) if len(shape_of(x)) < 2 else x
    if not rowvar and shape_of(x)[0] != 1:
        x = _transposed(x)
    target = numpy.result_type(getval(x), numpy.float64) if dtype is None else dtype
    return x if numpy.result_type(getval(x)) == target else astype(x, target)


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """Pearson correlation coefficients: the covariance scaled by both standard deviations."""
    c = cov(x, y, rowvar, dtype=dtype)
    if len(shape_of(c)) == 0:
        return c / c
    d = sqrt(real(_diagonal(c)) if is_complex(c) else _diagonal(c))
    return c / reshape(d, (-1, 1)) / reshape(d, (1, -1))


def _diagonal(c):
    n = shape_of(c)[0]
    return getitem(c, (numpy.arange(n), numpy.arange(n)))


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """numpy's bin edges; without ``range`` or explicit edges they span the data, so they move
    with its smallest and largest elements (numpy decides how many there are)."""
    if numpy.ndim(getval(bins)) == 1 and issubclass(type(bins), Box):  # traced edges, as given
        if not numpy.all(bins[1:] >= bins[:-1]):  # a guard under mlkit.jit
            raise ValueError("`bins` must increase monotonically, when an array")
        return bins
    raw = value_array(a)
    # numpy reads only the shape of the weights (their values are not read, so not guarded).
    shaped = None if weights is None else numpy.ones(numpy.shape(getval(weights)))
    edges = numpy.histogram_bin_edges(raw, bins, range, shaped)
    if range is not None or numpy.ndim(getval(bins)) == 1 or raw.size == 0:
        return edges
    low, high = raw.min(), raw.max()
    flat = reshape(a, (-1,))
    smallest = min(flat)
    if low == high:  # numpy widens an empty range by 1/2 on each side: a shift of the value
        return smallest + (edges - low).astype(edges.dtype)
    largest = max(flat)
    fraction = ((edges - low) / (high - low)).astype(edges.dtype)
    return smallest + (largest - smallest) * fraction


for _fun in (quantile, percentile, median, nanquantile, nanpercentile, nanmedian, ptp, nanmax,
             nanmin, nanprod, nancumsum, nancumprod, cov, corrcoef,
             histogram_bin_edges):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
