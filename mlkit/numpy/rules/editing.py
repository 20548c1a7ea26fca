"""Selecting, removing, inserting and repeating elements: delete, insert, compress, extract,
choose, resize, trim_zeros, sort_complex, block, broadcast_arrays.

Each works out, with raw numpy on integer positions, where every output element comes from,
then gathers it with ``getitem`` (whose VJP scatters back), so derivatives flow to the
elements kept, at every order.
"""

import math

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.arrangement import take_along_axis
from mlkit.numpy.rules.base import axis_index, broadcast_to, reshape, shape_of
from mlkit.numpy.rules.construction import asarray, astype
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.shape import concatenate, ravel, stack
from mlkit.numpy.wrap import composite, refuse_out

__all__ = ["delete", "insert", "compress", "extract", "choose", "resize", "trim_zeros",
           "sort_complex", "block", "broadcast_arrays"]


def _positions(shape, start=0):
    """Each element's position in a flat pool, laid out as an array of ``shape``."""
    return numpy.arange(start, start + math.prod(shape)).reshape(shape)


def delete(arr, obj, axis=None):
    """``arr`` without the entries ``obj`` along ``axis`` (of the flattened array if None)."""
    if axis is None:
        arr, axis = ravel(arr), 0
    axis = axis_index(axis, len(shape_of(arr)))
    kept = numpy.delete(numpy.arange(shape_of(arr)[axis]), getval(obj))
    return getitem(arr, (slice(None),) * axis + (kept,))


def insert(arr, obj, values, axis=None):
    """``values`` inserted before the entries ``obj`` along ``axis``, in ``arr``'s dtype."""
    if axis is None:
        arr, axis = ravel(arr), 0
    dtype = numpy.result_type(getval(arr))
    values = asarray(values)
    values_shape = numpy.shape(getval(values))
    where_from = numpy.insert(_positions(shape_of(arr)), getval(obj),
                              _positions(values_shape, math.prod(shape_of(arr))), axis=axis)
    if numpy.result_type(getval(values)) != dtype:
        values = astype(values, dtype)
    pool = concatenate([ravel(arr), reshape(values, (-1,))])
    return getitem(pool, where_from)


def compress(condition, a, axis=None):
    """The slices of ``a`` along ``axis`` where ``condition`` is true."""
    if axis is None:
        a, axis = ravel(a), 0
    chosen = numpy.flatnonzero(numpy.asarray(getval(condition)))
    return getitem(a, (slice(None),) * axis_index(axis, len(shape_of(a))) + (chosen,))


def extract(condition, arr):
    """The elements of ``arr`` where ``condition`` is true, flattened."""
    return getitem(ravel(arr), numpy.flatnonzero(numpy.asarray(getval(condition))))


def choose(a, choices, out=None, mode="raise"):
    """Elementwise, the entry of ``choices[a]`` (all broadcast together)."""
    refuse_out("choose", out)
    choices = list(choices)
    index = numpy.asarray(getval(a))
    shape = numpy.broadcast_shapes(index.shape, *[shape_of(c) for c in choices])
    size = math.prod(shape)
    codes = [_positions(shape, k * size) for k in range(len(choices))]
    where_from = numpy.choose(index, codes, mode=mode)
    pool = stack([broadcast_to(c, shape) for c in choices])
    return getitem(reshape(pool, (-1,)), where_from)


def resize(a, new_shape):
    """``a``'s elements repeated in order to fill ``new_shape``."""
    new_shape = (new_shape,) if isinstance(new_shape, int) else tuple(new_shape)
    flat = ravel(a)
    n = shape_of(flat)[0]
    if n == 0 or math.prod(new_shape) == 0:
        return numpy.resize(getval(a), new_shape)
    return reshape(getitem(flat, numpy.arange(math.prod(new_shape)) % n), new_shape)


def trim_zeros(filt, trim="fb", axis=None):
    """``filt`` without its leading (``'f'``) and trailing (``'b'``) zeros along ``axis``
    (along every axis, to the box holding all nonzeros, when None)."""
    raw = numpy.asarray(getval(filt))
    axes = range(raw.ndim) if axis is None else [axis % raw.ndim]
    index = [slice(None)] * raw.ndim
    trim = trim.lower()
    for k in axes:
        hits = numpy.flatnonzero(numpy.any(raw != 0, axis=tuple(j for j in range(raw.ndim)
                                                                  if j != k)))
        if hits.size == 0:
            index[k] = slice(0, 0)
            continue
        index[k] = slice(hits[0] if "f" in trim else None,
                         hits[-1] + 1 if "b" in trim else None)
    return getitem(filt, tuple(index))


def sort_complex(a):
    """``a`` sorted by real part, then imaginary part, as a complex array."""
    raw = numpy.asarray(getval(a))
    order = numpy.lexsort((raw.imag, raw.real), axis=-1)
    out = take_along_axis(a, order, axis=-1)
    target = numpy.sort_complex(raw[..., :0]).dtype
    return out if raw.dtype == target else astype(out, target)


def _depth(arrays):
    return 1 + _depth(arrays[0]) if isinstance(arrays, list) and arrays else 0


def block(arrays):
    """Nested lists of arrays joined from the innermost list (last axis) outwards."""
    depth = _depth(arrays)
    leaves = []

    def collect(x):
        if isinstance(x, list):
            for item in x:
                collect(item)
        else:
            leaves.append(x)

    collect(arrays)
    ndim = max([depth] + [len(shape_of(x)) for x in leaves])

    def join(x, level):
        if not isinstance(x, list):
            shape = tuple(shape_of(x))
            return reshape(x, (1,) * (ndim - len(shape)) + shape)
        return concatenate([join(item, level + 1) for item in x], axis=level - depth)

    return join(arrays, 0)


def broadcast_arrays(*args, subok=False):
    """The arrays broadcast to their common shape (as a tuple)."""
    shape = numpy.broadcast_shapes(*[shape_of(a) for a in args])
    return tuple(broadcast_to(a, shape) for a in args)


for _fun in (delete, insert, compress, extract, resize, trim_zeros, sort_complex,
             broadcast_arrays):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
# Each takes a sequence of separate arrays (of different shapes, possibly): not one array.
composite(choose, numpy.choose, pack_sequences=False)
composite(block, numpy.block, pack_sequences=False)
