"""Rearranging elements: splits, tiles, repeats, rolls, pads, gathers, sorts, diagonals.

Almost everything here only moves or copies elements, so it is written as a composite of
``getitem`` (whose VJP scatters with add.at semantics), ``reshape``, ``broadcast_to``, ``flip``
and ``transpose``: no rules of its own, and derivatives of every order for free. Index maps
are computed with raw numpy from shapes and from ``getval``, which is fine because they are
constants. The one primitive is zero-padding, whose VJP is a plain slice.
"""

import numpy

from mlkit.autodiff.forward import def_linear
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import axis_index, broadcast_to, reshape, shape_of, sum
from mlkit.numpy.rules.construction import asarray
from mlkit.numpy.rules.elementwise import multiply
from mlkit.numpy.rules.elementwise import where_primitive as where
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.reductions import flip
from mlkit.numpy.rules.shape import moveaxis, transpose
from mlkit.numpy.wrap import composite, holds_box, raw_array, refuse_out, wrap

__all__ = ["array_split", "diag", "diagflat", "diagonal", "dsplit", "fliplr", "flipud", "hsplit",
           "kron", "pad", "partition", "repeat", "roll", "rot90", "sort", "split", "take",
           "take_along_axis", "tile", "trace", "tril", "triu", "vsplit", "make_diagonal"]


def _ndim(x):
    return len(shape_of(x))


def _along(axis, ndim, index):
    """A tuple index that applies ``index`` along ``axis`` and takes everything elsewhere."""
    return (slice(None),) * axis_index(axis, ndim) + (index,)


# --- splits ---------------------------------------------------------------------------------
def _split_by(x, indices_or_sections, axis, raw_split):
    """Slice ``x`` where numpy's ``raw_split`` would cut it (found on a cheap index vector)."""
    n = shape_of(x)[axis_index(axis, _ndim(x))]
    pieces = raw_split(numpy.empty(n, dtype=numpy.int8), indices_or_sections)
    stops = numpy.cumsum([len(p) for p in pieces])
    starts = stops - [len(p) for p in pieces]
    ndim = _ndim(x)
    return [getitem(x, _along(axis, ndim, slice(int(a), int(b)))) for a, b in zip(starts, stops)]


def split(ary, indices_or_sections, axis=0):
    """numpy.split: a list of traced slices (equal sections must divide the axis)."""
    return _split_by(ary, indices_or_sections, axis, numpy.split)


def array_split(ary, indices_or_sections, axis=0):
    """numpy.array_split: like split, but sections may differ in size by one."""
    return _split_by(ary, indices_or_sections, axis, numpy.array_split)


def hsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, axis=1 if _ndim(ary) > 1 else 0)


def vsplit(ary, indices_or_sections):
    if _ndim(ary) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, axis=0)


def dsplit(ary, indices_or_sections):
    if _ndim(ary) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, axis=2)


# --- copies of the whole array or of its elements -------------------------------------------
def tile(A, reps):
    """numpy.tile as an interleaved broadcast: each axis of size n becomes (reps, n)."""
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    shape = tuple(shape_of(A))
    depth = max(len(shape), len(reps))
    shape = (1,) * (depth - len(shape)) + shape
    reps = (1,) * (depth - len(reps)) + reps
    spread = tuple(n for pair in zip((1,) * depth, shape) for n in pair)
    grown = tuple(n for pair in zip(reps, shape) for n in pair)
    out = broadcast_to(reshape(A, spread), grown)
    return reshape(out, tuple(r * n for r, n in zip(reps, shape)))


def take(a, indices, axis=None, out=None, mode="raise"):
    """numpy.take: a gather whose VJP adds each cotangent back at its index (repeats sum)."""
    refuse_out("take", out)
    if axis is None:
        a, axis = reshape(a, (-1,)), 0
    if mode in ("clip", "wrap"):
        n, indices = shape_of(a)[axis], raw_array(indices)
        indices = numpy.clip(indices, 0, n - 1) if mode == "clip" else numpy.mod(indices, n)
    return getitem(a, _along(axis, _ndim(a), indices))


def repeat(a, repeats, axis=None):
    """numpy.repeat as a gather of each index repeated; its VJP sums over the repeats."""
    if axis is None:
        a = reshape(a, (-1,))
        axis = 0
    n = shape_of(a)[axis_index(axis, _ndim(a))]
    return take(a, numpy.repeat(numpy.arange(n), getval(repeats)), axis=axis)


def roll(a, shift, axis=None):
    """numpy.roll as a gather of cyclically shifted indices (several axes roll in turn)."""
    if axis is None:
        return reshape(roll(reshape(a, (-1,)), shift, 0), shape_of(a))
    shifts, axes = numpy.broadcast_arrays(getval(shift), axis)
    for s, ax in zip(shifts.ravel(), axes.ravel()):
        n = shape_of(a)[axis_index(ax, _ndim(a))]
        a = take(a, (numpy.arange(n) - int(s)) % max(n, 1), axis=int(ax))
    return a


def take_along_axis(arr, indices, axis=-1):
    """numpy.take_along_axis as one fancy index (the other axes take their own position)."""
    indices = raw_array(indices)
    if axis is None:
        return getitem(reshape(arr, (-1,)), indices)
    ndim = _ndim(arr)
    axis = axis_index(axis, ndim)
    index = []
    for k in range(ndim):
        if k == axis:
            index.append(indices)
        else:
            position = [1] * ndim
            position[k] = shape_of(arr)[k]
            index.append(numpy.arange(shape_of(arr)[k]).reshape(position))
    return getitem(arr, tuple(index))


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """numpy.sort: the elements gathered in argsort order, so the cotangent follows them back.

    Tied elements keep a stable order whatever ``kind`` and ``stable`` say; each receives its
    own cotangent entry.
    """
    if axis is None:
        a = reshape(a, (-1,))
        axis = -1
    return take_along_axis(a, numpy.argsort(getval(a), axis=axis, kind="stable"), axis)


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """numpy.partition: the elements gathered in argpartition order."""
    if axis is None:
        a = reshape(a, (-1,))
        axis = -1
    return take_along_axis(a, numpy.argpartition(getval(a), kth, axis=axis), axis)


# --- padding --------------------------------------------------------------------------------
def _pad_pairs(pad_width, ndim):
    pairs = numpy.broadcast_to(numpy.asarray(pad_width, dtype=numpy.intp), (ndim, 2))
    return tuple((int(b), int(e)) for b, e in pairs)


def _pad_zeros(x, pairs):
    return numpy.pad(x, pairs)


pad_zeros = wrap(_pad_zeros, "pad_zeros")


def _unpad_vjp(ans, x, pairs):
    index = tuple(slice(b, b + n) for (b, _), n in zip(pairs, shape_of(x)))
    return lambda g: getitem(g, index)


defvjp(pad_zeros, _unpad_vjp)
def_linear(pad_zeros, argnums=(0,))


def pad(array, pad_width, mode="constant", **kwargs):
    """numpy.pad. ``constant`` pads zeros and adds the (optionally traced scalar) fill; the
    copying modes (edge, reflect, symmetric, wrap, ...) gather through numpy's own index map.
    """
    shape = shape_of(array)
    pairs = _pad_pairs(pad_width, len(shape))
    if mode == "constant":
        fill = kwargs.pop("constant_values", 0)
        if kwargs:
            raise TypeError(f"pad(mode='constant') got unexpected arguments {sorted(kwargs)}")
        out = pad_zeros(array, pairs)
        if numpy.ndim(getval(fill)) == 0:
            if fill is None or (type(fill) in (int, float) and fill == 0):
                return out
            border = numpy.pad(numpy.zeros(shape, dtype=bool), pairs, constant_values=True)
            return where(border, fill, out)
        if holds_box(fill):
            return _pad_traced_values(array, pairs, fill)
        dtype = numpy.result_type(getval(array))
        fills = numpy.pad(numpy.zeros(shape, dtype), pairs, constant_values=getval(fill))
        return out + fills
    if callable(mode):
        raise NotImplementedError("pad with a callable mode is not differentiable in mlkit")
    source = numpy.pad(numpy.arange(int(numpy.prod(shape))).reshape(shape), pairs, mode=mode,
                       **kwargs)
    return getitem(reshape(array, (-1,)), source)


def _pad_traced_values(array, pairs, fill):
    """Constant padding with traced per-axis ``(before, after)`` values: axis by axis, as
    numpy does, so the corners take the values of the later axis."""
    ndim = len(pairs)
    values = broadcast_to(asarray(fill), (ndim, 2))
    out = array
    for axis, (before, after) in enumerate(pairs):
        out = pad_zeros(out, tuple((before, after) if k == axis else (0, 0) for k in range(ndim)))
        n = shape_of(out)[axis]
        position = numpy.arange(n).reshape((-1,) + (1,) * (ndim - axis - 1))
        out = where(position < before, getitem(values, (axis, 0)),
                    where(position >= n - after, getitem(values, (axis, 1)), out))
    return out


# --- diagonals and triangles ----------------------------------------------------------------
def _diagonal_indices(n_rows, n_cols, offset):
    length = max(0, min(n_rows + min(offset, 0), n_cols - max(offset, 0)))
    steps = numpy.arange(length)
    return steps - min(offset, 0), steps + max(offset, 0)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """numpy.diagonal: the diagonal becomes the last axis, as in numpy."""
    a = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = _diagonal_indices(*shape_of(a)[-2:], offset)
    return getitem(a, (Ellipsis, rows, cols))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def diag(v, k=0):
    """numpy.diag: the k-th diagonal of a 2-D array, or a 2-D array with ``v`` on it."""
    ndim = _ndim(v)
    if ndim == 2:
        return diagonal(v, k)
    if ndim != 1:
        raise ValueError("diag takes a 1-D or 2-D array")
    n = shape_of(v)[0] + abs(k)
    rows, cols = _diagonal_indices(n, n, k)
    # Gather from v with one appended zero: off-diagonal places read the zero.
    source = numpy.full((n, n), shape_of(v)[0])
    source[rows, cols] = numpy.arange(shape_of(v)[0])
    padded = pad_zeros(v, ((0, 1),))
    return getitem(padded, source)


def diagflat(v, k=0):
    return diag(reshape(v, (-1,)), k)


def _triangle(m, keep):
    shape = shape_of(m)
    if len(shape) < 1:
        raise ValueError("tril/triu need an array of at least one dimension")
    mask = keep(*shape[-2:]) if len(shape) >= 2 else keep(shape[0], shape[0])
    return where(mask, m, 0)


def tril(m, k=0):
    """The lower triangle (on and below the k-th diagonal) of the last two axes."""
    return _triangle(m, lambda r, c: numpy.tri(r, c, k, dtype=bool))


def triu(m, k=0):
    """The upper triangle (on and above the k-th diagonal) of the last two axes."""
    return _triangle(m, lambda r, c: ~numpy.tri(r, c, k - 1, dtype=bool))


# --- products and flips ---------------------------------------------------------------------
def kron(a, b):
    """numpy.kron as an outer product with interleaved axes, reshaped into blocks."""
    a_shape, b_shape = tuple(shape_of(a)), tuple(shape_of(b))
    depth = max(len(a_shape), len(b_shape))
    a_shape = (1,) * (depth - len(a_shape)) + a_shape
    b_shape = (1,) * (depth - len(b_shape)) + b_shape
    a_spread = tuple(n for pair in zip(a_shape, (1,) * depth) for n in pair)
    b_spread = tuple(n for pair in zip((1,) * depth, b_shape) for n in pair)
    blocks = multiply(reshape(a, a_spread), reshape(b, b_spread))
    return reshape(blocks, tuple(p * q for p, q in zip(a_shape, b_shape)))


def fliplr(m):
    if _ndim(m) < 2:
        raise ValueError("fliplr needs an array of at least 2 dimensions")
    return flip(m, 1)


def flipud(m):
    if _ndim(m) < 1:
        raise ValueError("flipud needs an array of at least 1 dimension")
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """numpy.rot90 from flips and one transposition of ``axes``."""
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    order = list(range(_ndim(m)))
    first, second = axes[0] % len(order), axes[1] % len(order)
    order[first], order[second] = order[second], order[first]
    if k == 1:
        return transpose(flip(m, axes[1]), order)
    return flip(transpose(m, order), axes[1])


def make_diagonal(D, offset=0, axis1=0, axis2=1):
    """The array whose ``diagonal(offset, axis1, axis2)`` is ``D``, zero elsewhere (the
    inverse of ``diagonal``; the new axis pair has length ``D.shape[-1] + |offset|``)."""
    shape = shape_of(D)
    if not shape:
        raise ValueError("make_diagonal needs an array of at least one axis, got a scalar")
    ndim = len(shape) + 1
    first, second = axis_index(axis1, ndim, "axis1"), axis_index(axis2, ndim, "axis2")
    if first == second:
        raise ValueError(f"make_diagonal: axis1 and axis2 name the same axis ({first})")
    k = shape[-1]
    square = multiply(reshape(D, tuple(shape) + (1,)),
                      numpy.eye(k, dtype=numpy.result_type(getval(D))))
    lead = [(0, 0)] * (ndim - 2)
    rows, cols = ((0, offset), (offset, 0)) if offset >= 0 else ((-offset, 0), (0, -offset))
    if offset:
        square = pad(square, lead + [rows, cols])
    return moveaxis(square, (-2, -1), (first, second))


for _name in __all__:
    globals()[_name] = composite(globals()[_name], getattr(numpy, _name, None))
