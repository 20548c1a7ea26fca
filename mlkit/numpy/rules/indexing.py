"""Indexing of traced arrays and functional indexed updates (``x.at[idx].set(v)``).

Arrays that are being traced cannot be written in place (their old value is part of the
record); ``index_update`` and ``index_add`` return a new array instead, and are differentiable
in both the array and the values written.
"""

import numpy

from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import box_types, getval, rawval
from mlkit.autodiff.vspace import Deferred, add_values
from mlkit.numpy.rules.base import unbroadcast
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
    result = numpy.zeros(*shape_and_dtype)
    index = _plain(index)
    if _is_basic(index):
        result[index] = g
    else:
        numpy.add.at(result, index, g)
    return result


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
    traced = any(type(part) in box_types for part in parts)  # a data-dependent index, in jit

    def vjp(g):
        if traced or type(g) in box_types:  # recorded: a program step or a higher derivative
            return untake(g, index, shape_and_dtype)
        return _Slices(g, index, shape_and_dtype)

    return vjp


class _Slices(Deferred):
    """The cotangents of slices of one array: the first kept as it came, the later ones
    added in place into zeros this object made, so a loop over k slices of an n-element
    array costs O(n + k * slice) rather than k whole arrays (as HIPS autograd's sparse
    cotangents)."""

    __slots__ = ("buffer", "first")

    def __init__(self, g, index, shape_and_dtype):
        self.first, self.buffer = (g, index, shape_and_dtype), None

    def resolve(self):
        return _untake(*self.first) if self.buffer is None else self.buffer

    def add(self, other):
        shape, dtype = self.first[2]
        # An advanced index (repeats possible) is added whole, below: its sum keeps its order.
        if type(other) is _Slices and other.buffer is None and _is_basic(other.first[1]):
            self.buffer = self.resolve()
            g, index = other.first[0], _plain(other.first[1])
            self.buffer[index] += numpy.asarray(g).astype(dtype, copy=False)
            return self
        other = other.resolve() if isinstance(other, Deferred) else other
        if (type(other) is numpy.ndarray and other.shape == shape
                and numpy.result_type(other, dtype) == dtype):
            self.buffer = self.resolve()
            numpy.add(self.buffer, other, out=self.buffer)
            return self
        return add_values(self.resolve(), other)


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
