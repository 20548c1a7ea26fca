"""Indexing of traced arrays and functional indexed updates (``x.at[idx].set(v)``).

Arrays that are being traced cannot be written in place (their old value is part of the
record); ``index_update`` and ``index_add`` return a new array instead, and are differentiable
in both the array and the values written.
"""

import numpy

from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp, defvjp_argnum
from mlkit.autodiff.tracer import Box, getval, rawval
from mlkit.autodiff.vspace import Deferred, add_values
from mlkit.numpy.rules.base import def_linear_jointly, unbroadcast
from mlkit.numpy.wrap import wrap

__all__ = ["index_update", "index_add"]


def _is_basic(index) -> bool:
    """True for an index of ints, slices, None and Ellipsis (no repeated elements possible)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, slice, type(None), type(Ellipsis))) for p in parts)


def _plain(index):
    """``index`` with every box removed: an index carries no derivative, and a recording
    trace (mlkit.jit) records the index's own slot with the call."""
    if type(index) is tuple:
        return tuple(_plain(part) for part in index)
    return rawval(index)


def _getitem(x, index):
    return x[_plain(index)]


def _untake(g, index, shape_and_dtype):
    """Zeros of the given shape and dtype with ``g`` added at ``index`` (repeated indices
    accumulate)."""
    return _untake_all(shape_and_dtype, (index,), g)


def _index_update(x, index, values):
    result = numpy.array(x, copy=True)
    result[_plain(index)] = values
    return result


def _index_add(x, index, values):
    result = numpy.array(x, copy=True)
    numpy.add.at(result, _plain(index), values)
    return result


# An index tuple is a tuple of separate indices, not one array: it is never packed.
getitem = wrap(_getitem, "getitem", pack_sequences=False)
untake = wrap(_untake, "untake", pack_sequences=False)
index_update = wrap(_index_update, "index_update", pack_sequences=False)
index_add = wrap(_index_add, "index_add", pack_sequences=False)

# An index computed from traced values (integers) has no derivative: its rules are None.
defvjp(getitem, lambda ans, x, index: _untake_vjp(_shape_and_dtype(x), index), None)
defvjp(untake, lambda ans, g, index, shape_and_dtype: lambda c: getitem(c, index), None)
def_linear(getitem, argnums=(0,))
def_linear(untake, argnums=(0,))
defjvp(getitem, None, argnums=(1,))
defjvp(untake, None, argnums=(1,))


def _shape_and_dtype(x):
    raw = getval(x)
    if type(raw) is numpy.ndarray:
        return raw.shape, raw.dtype
    return numpy.shape(raw), numpy.result_type(raw)


def _untake_vjp(shape_and_dtype, index):
    parts = index if type(index) is tuple else (index,)
    traced = any(issubclass(type(part), Box) for part in parts)  # a data-dependent index, in jit

    def vjp(g):
        return untake(g, index, shape_and_dtype) if traced else _Slices(g, index, shape_and_dtype)

    return vjp


def _add_at(result, index, g):
    """``result += untake(g, index)``, in place and touching only the indexed elements: an
    index repeating an element sums that element's parts first, as untake does."""
    if _is_basic(index):
        g = numpy.asarray(g).astype(result.dtype, copy=False)  # as untake's zeros hold it
        if index is Ellipsis:
            numpy.add(result, g, out=result)
        else:
            result[index] += g
    else:
        before = numpy.copy(result[index])  # a view for a numpy integer index
        result[index] = 0
        numpy.add.at(result, index, g)
        result[index] += before


def _untake_all(shape_and_dtype, indices, *gs):
    """Zeros with each ``g`` added at its index in turn: the sum of untake of each, to the
    last bit, at the cost of one array (``...`` stands for a whole-array addend)."""
    result = numpy.zeros(*shape_and_dtype)
    for index, g in zip(indices, gs):
        _add_at(result, _plain(index), g)
    return result


def _untake_all_vjp(argnum, ans, args, kwargs):
    index = args[1][argnum - 2]
    return lambda c: c if index is Ellipsis else getitem(c, index)


untake_all = wrap(_untake_all, "untake_all", pack_sequences=False)
defvjp_argnum(untake_all, _untake_all_vjp)
def_linear_jointly(untake_all, first=2)


class _Slices(Deferred):
    """The cotangents of slices of one array (and whole-array ones among them), summed as
    the sum of one zero-filled array per slice would be but costing O(n + slices), not one
    whole array per slice (as HIPS autograd's sparse cotangents). Plain ones are added in
    place into one array this object makes; from the first traced one on (a recorded
    program step, a higher derivative) the rest are kept in order and added by one
    untake_all call, so that what is recorded, and its derivatives, stay linear too."""

    __slots__ = ("entries", "owned", "shape_and_dtype")

    def __init__(self, g, index, shape_and_dtype):
        self.entries, self.owned, self.shape_and_dtype = [(g, index)], False, shape_and_dtype

    def resolve(self):
        entries = self.entries
        if self.owned and len(entries) == 1:
            return entries[0][0]
        return untake_all(self.shape_and_dtype, tuple(index for _, index in entries),
                          *[g for g, _ in entries])

    def add(self, other):
        if type(other) is _Slices and other.shape_and_dtype == self.shape_and_dtype:
            new = other.entries
        else:
            other = other.resolve() if isinstance(other, Deferred) else other
            shape, dtype = self.shape_and_dtype
            raw = rawval(other)
            if not (type(raw) is numpy.ndarray and raw.shape == shape
                    and numpy.result_type(raw, dtype) == dtype):
                return add_values(self.resolve(), other)
            new = [(other, Ellipsis)]
        entries = self.entries
        for g, index in new:
            if len(entries) > 1 or issubclass(type(g), Box) or issubclass(type(entries[0][0]), Box):
                entries.append((g, index))
                continue
            if not self.owned:
                first, first_index = entries[0]
                entries[0] = (_untake_all(self.shape_and_dtype, (first_index,), first), Ellipsis)
                self.owned = True
            _add_at(entries[0][0], _plain(index), g)
        return self


defvjp(index_update,
       lambda ans, x, index, v: lambda g: index_update(g, index, 0),
       None,
       lambda ans, x, index, v: lambda g: unbroadcast(getitem(g, index), v))
defjvp(index_update,
       lambda t, ans, x, index, v: index_update(t, index, 0),
       None,
       lambda t, ans, x, index, v: index_update(ans * 0, index, t))
defvjp(index_add,
       lambda ans, x, index, v: lambda g: g,
       None,
       lambda ans, x, index, v: lambda g: unbroadcast(getitem(g, index), v))
defjvp(index_add,
       lambda t, ans, x, index, v: t,
       None,
       lambda t, ans, x, index, v: index_add(ans * 0, index, t))


class AtIndexer:
    """``x.at[index]``: the functional counterpart of ``x[index] = v`` and ``x[index] += v``."""

    __slots__ = ("_array",)

    def __init__(self, array):
        self._array = array

    def __getitem__(self, index):
        return _IndexedRef(self._array, index)


class _IndexedRef:
    __slots__ = ("_array", "_index")

    def __init__(self, array, index):
        self._array = array
        self._index = index

    def set(self, values):
        """A copy of the array with ``values`` written at the index."""
        return index_update(self._array, self._index, values)

    def add(self, values):
        """A copy of the array with ``values`` added at the index (repeats accumulate)."""
        return index_add(self._array, self._index, values)

    def get(self):
        return getitem(self._array, self._index)
