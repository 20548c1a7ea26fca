"""Arrays built from traced values: fills, ranges, spaced samples, grids, weighted counts.

Each takes numpy's own path when nothing is traced. With a traced fill value, endpoint, step,
base, grid vector or weight, the result is written with differentiable primitives so that its
derivative is the true one (a fill value's cotangent is the sum over the filled array, an
endpoint's is weighted by each sample's position). A result of an integer dtype has no
derivative and is computed by numpy from the raw values.
"""

import numpy

from mlkit.autodiff.tracer import any_box, differentiated, getval, rawval
from mlkit.numpy.rules.base import broadcast_to, reshape, shape_of
from mlkit.numpy.rules.construction import asarray, astype
from mlkit.numpy.rules.elementwise import exp, log, where_primitive
from mlkit.numpy.rules.indexing import getitem, index_add
from mlkit.numpy.rules.powers import power
from mlkit.numpy.rules.shape import expand_dims, moveaxis
from mlkit.numpy.wrap import composite, nondifferentiable, value_array

__all__ = ["arange", "bincount", "full", "full_like", "geomspace", "histogram", "histogram2d",
           "histogramdd", "linspace", "logspace", "meshgrid", "unique"]


def _integral(dtype):
    return dtype is not None and numpy.dtype(dtype).kind in "biu"


def _cast(x, dtype):
    if dtype is None or numpy.result_type(getval(x)) == numpy.dtype(dtype):
        return x
    return astype(x, dtype)


def full(shape, fill_value, dtype=None, order="C", **kwargs):
    """numpy.full; the derivative in ``fill_value`` sums the cotangent over the array."""
    if not any_box(fill_value) or _integral(dtype):
        return numpy.full(shape, getval(fill_value), dtype, order, **kwargs)
    return broadcast_to(_cast(fill_value, dtype), shape)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kwargs):
    """numpy.full_like: only the shape and dtype of ``a`` are used (no derivative in ``a``)."""
    raw = rawval(a)
    dtype = numpy.result_type(raw) if dtype is None else numpy.dtype(dtype)
    if not any_box(fill_value) or _integral(dtype):
        return numpy.full_like(raw, getval(fill_value), dtype, order, subok, shape, **kwargs)
    return broadcast_to(_cast(fill_value, dtype), numpy.shape(raw) if shape is None else shape)


def arange(start, stop=None, step=None, dtype=None, **kwargs):
    """numpy.arange; element i is start + i * step, differentiable in ``start`` and ``step``
    (the length, and so the dependence on ``stop``, is piecewise constant)."""
    raw = numpy.arange(getval(start), *[getval(v) for v in (stop, step) if v is not None],
                       dtype=dtype, **kwargs)
    if stop is None or not any_box(start, step) or raw.dtype.kind not in "fc":
        return raw
    positions = numpy.arange(raw.size).astype(raw.dtype)
    return start + (positions if step is None else step * positions)


def _fractions(num, endpoint, dtype):
    """The position of each sample between the endpoints, from 0 to 1 (or 1 - 1/num)."""
    divisions = num - 1 if endpoint else num
    positions = numpy.arange(num, dtype=numpy.float64)
    fractions = positions / divisions if divisions > 0 else positions * 0
    return fractions.astype(dtype), divisions


def _place(out, axis):
    return out if axis == 0 else moveaxis(out, 0, axis)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, **kwargs):
    """numpy.linspace; sample i is start (1 - t_i) + stop t_i, so d/dstart = 1 - t_i and
    d/dstop = t_i."""
    if not any_box(start, stop) or _integral(dtype):
        return numpy.linspace(getval(start), getval(stop), num, endpoint, retstep, dtype, axis,
                              **kwargs)
    compute = numpy.result_type(getval(start), getval(stop), float(num))
    fractions, divisions = _fractions(num, endpoint, compute)
    ndim = max(numpy.ndim(getval(start)), numpy.ndim(getval(stop)))
    t = fractions.reshape((-1,) + (1,) * ndim)
    out = _cast(_place(start * (1 - t) + stop * t, axis), dtype)
    if retstep:
        step = (stop - start) / divisions if divisions > 0 else (stop - start) * numpy.nan
        return out, step
    return out


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """numpy.logspace: ``base`` to the powers of ``linspace(start, stop)``."""
    if not any_box(start, stop, base) or _integral(dtype):
        return numpy.logspace(getval(start), getval(stop), num, endpoint, getval(base), dtype,
                              axis)
    exponents = linspace(start, stop, num, endpoint, axis=axis)
    if numpy.ndim(getval(base)) > 0:
        base = expand_dims(base, axis)
    return _cast(power(base, exponents), dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """numpy.geomspace: start (stop / start) ** t_i, with the endpoints exact as in numpy."""
    raw_start, raw_stop = getval(start), getval(stop)
    if not any_box(start, stop) or _integral(dtype):
        return numpy.geomspace(raw_start, raw_stop, num, endpoint, dtype, axis)
    if numpy.any(numpy.asarray(raw_start) == 0) or numpy.any(numpy.asarray(raw_stop) == 0):
        raise ValueError("geometric sequence cannot include zero")
    compute = numpy.result_type(raw_start, raw_stop, float(num), numpy.float64)  # as numpy
    fractions, _ = _fractions(num, endpoint, compute)
    ndim = max(numpy.ndim(raw_start), numpy.ndim(raw_stop))
    t = fractions.reshape((-1,) + (1,) * ndim)
    if compute.kind == "c" or numpy.any(numpy.sign(raw_start) != numpy.sign(raw_stop)):
        # numpy's path turns by the angle of stop / start: log(stop) - log(start) differs by
        # 2 pi i where the two sit on either side of the negative real axis
        out = start * exp(t * log(stop / start))
    else:
        out = start * power(stop / start, t)
    shape = shape_of(out)
    out = where_primitive(numpy.broadcast_to(t == 0, shape), start, out)
    if endpoint and num > 1:
        out = where_primitive(numpy.broadcast_to(t == 1, shape), stop, out)
    return _cast(_place(out, axis), dtype)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """numpy.meshgrid: each grid is its vector broadcast, so its cotangent is summed back."""
    if not any_box(*xi):
        return numpy.meshgrid(*[getval(x) for x in xi], copy=copy, sparse=sparse,
                              indexing=indexing)
    if indexing not in ("xy", "ij"):
        raise ValueError("valid values for indexing are 'xy' and 'ij'")
    ndim = len(xi)
    shapes = [(1,) * i + (-1,) + (1,) * (ndim - i - 1) for i in range(ndim)]
    if indexing == "xy" and ndim > 1:
        shapes[0], shapes[1] = (1, -1) + (1,) * (ndim - 2), (-1, 1) + (1,) * (ndim - 2)
    grids = [reshape(asarray(x), s) for x, s in zip(xi, shapes)]
    if not sparse:
        full_shape = numpy.broadcast_shapes(*[shape_of(g) for g in grids])
        grids = [broadcast_to(g, full_shape) for g in grids]
    return tuple(grids)


def bincount(x, weights=None, minlength=0):
    """numpy.bincount; with traced ``weights`` each bin is the sum of its weights."""
    raw_x = numpy.asarray(getval(x))
    if not any_box(weights):
        return numpy.bincount(raw_x, getval(weights), minlength)
    length = max(int(raw_x.max()) + 1 if raw_x.size else 0, minlength)
    zeros = numpy.zeros(length, dtype=numpy.result_type(getval(weights), numpy.float64))
    return index_add(zeros, raw_x, weights)


def histogram(a, bins=10, range=None, density=None, weights=None):
    """numpy.histogram. Counts are piecewise constant in ``a``, so a traced ``a`` is fine
    when the bin edges are given; edges found from a traced ``a`` (its minimum and maximum),
    traced edges or range, and traced weights are refused rather than given a zero
    derivative."""
    edges_from_a = numpy.ndim(getval(bins)) == 0 and range is None
    traced_range = range is not None and differentiated(*range)
    if (edges_from_a and differentiated(a)) or differentiated(bins, weights) or traced_range:
        raise NotImplementedError(
            "histogram is not differentiable in its weights, its bin edges or its range, and "
            "with a traced array it needs constant edges: pass bins as an array of constant "
            "edges, or range=(lo, hi) of constants")
    return _counts(numpy.histogram, a, bins, range, density, weights)


def _counts(raw, *args):
    """``raw(*args)`` of the raw values: no derivative, and under mlkit.jit a step of the
    program (not numpy called on the recorded values, which would come back here)."""
    return raw(*args)


_counts = nondifferentiable(_counts)


def _refuse_traced_counts(traced_samples, bins, range, weights):
    """histogram's rules for any number of axes: traced samples need constant edges (one edge
    array per axis, or a constant range); traced weights, edges or range are refused."""
    per_axis = isinstance(bins, (list, tuple))
    edges_given = per_axis and all(numpy.ndim(getval(b)) == 1 for b in bins)
    traced_bins = differentiated(*bins) if per_axis else differentiated(bins)
    traced_range = range is not None and any(differentiated(*pair) for pair in range)
    if (traced_samples and range is None and not edges_given) or traced_bins or traced_range \
            or differentiated(weights):
        raise NotImplementedError(
            "histogramdd and histogram2d are not differentiable in their weights, bin edges or "
            "range, and with traced samples they need constant edges: pass bins as a list of "
            "constant edge arrays, one per axis, or range=[(lo, hi), ...] of constants")


def histogramdd(sample, bins=10, range=None, density=None, weights=None):
    """numpy.histogramdd: counts, piecewise constant in the samples (see histogram)."""
    samples = sample if isinstance(sample, (list, tuple)) else [sample]
    _refuse_traced_counts(differentiated(*samples), bins, range, weights)
    return _counts(numpy.histogramdd, sample, bins, range, density, weights)


def histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    """numpy.histogram2d: counts over two axes, piecewise constant in x and y."""
    if not isinstance(bins, (list, tuple)) and numpy.ndim(getval(bins)) == 1 \
            and len(getval(bins)) != 2:  # one edge array for both axes
        bins = [bins, bins]
    _refuse_traced_counts(differentiated(x, y), bins, range, weights)
    return _counts(numpy.histogram2d, x, y, bins, range, density, weights)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           **kwargs):
    """numpy.unique: the unique values are taken from ``ar`` (at their first occurrence), so
    each receives the cotangent of its entry."""
    if not any_box(ar):
        return numpy.unique(getval(ar), return_index, return_inverse, return_counts, axis,
                            **kwargs)
    raw = value_array(ar)
    found = numpy.unique(raw, True, return_inverse, return_counts, axis, **kwargs)
    index = found[1]
    if axis is None:
        values = getitem(reshape(ar, (-1,)), index)
    else:
        values = getitem(ar, (slice(None),) * (axis % numpy.ndim(raw)) + (index,))
    extras = found[1:] if return_index else found[2:]  # numpy omits the parts not asked for
    return (values, *extras) if extras else values


for _name in __all__:
    if not _name.startswith("histogram"):
        globals()[_name] = composite(globals()[_name], getattr(numpy, _name))
nondifferentiable(numpy.histogram, histogram)
nondifferentiable(numpy.histogramdd, histogramdd)
nondifferentiable(numpy.histogram2d, histogram2d)
