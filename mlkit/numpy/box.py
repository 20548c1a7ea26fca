"""ArrayBox: a traced array that behaves like an ndarray (operators, methods, indexing).

numpy's own functions called on a traced value dispatch to mlkit's versions through
``__array_ufunc__``/``__array_function__``; anything without a version, and any attempt to
turn a traced value into a plain array or write into it, fails with a message saying what to
use instead.
"""

import functools
import operator
import threading

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import (
    Box,
    bind_traced_keywords,
    concrete,
    current_recorder,
    differentiated,
    rawval,
)
from mlkit.numpy.rules.base import conj, imag, real, reshape
from mlkit.numpy.rules.construction import floor_divide
from mlkit.numpy.rules.elementwise import (
    absolute,
    add,
    divide,
    equal,
    greater,
    greater_equal,
    less,
    less_equal,
    mod,
    multiply,
    negative,
    not_equal,
    positive,
    subtract,
)
from mlkit.numpy.rules.floating import divmod
from mlkit.numpy.rules.indexing import AtIndexer, getitem
from mlkit.numpy.rules.powers import power
from mlkit.numpy.rules.products import matmul
from mlkit.numpy.utilities import bitwise_and, bitwise_or, bitwise_xor, invert
from mlkit.numpy.vspaces import ArrayVSpace, array_vspace
from mlkit.numpy.wrap import wrapped_for

__all__ = ["ArrayBox", "IndexableArrayBox", "ScalarBox"]

_IN_PLACE_HINT = (
    "traced arrays cannot be written in place (their old value is part of the derivative's "
    "record); build a new array instead: x = x.at[index].set(value) or x.at[index].add(value), "
    "or mlkit.numpy.where / concatenate"
)

_BUILD_HINT = (
    "build the array from traced pieces instead, with np.array([...]), np.stack or "
    "np.concatenate, or update a traced array with x = x.at[index].set(value)"
)

_TO_NUMBER_HINT = (
    "{}() of a traced value (also when it is written into a numpy array, a[i] = x) would drop "
    "its derivative; keep it as an array and use mlkit.numpy functions; " + _BUILD_HINT
    + "; or, for a constant on purpose, use mlkit.extend.getval(x)"
)


class _ArrayBoxClass(type):
    """The class of the ArrayBox classes: ``type(x) == ArrayBox`` holds for every traced array
    and scalar, as in HIPS autograd, where all are of that one class (programs test it to take
    a value out of its box, a derivative cut on purpose); they hash as ArrayBox, so a table keyed
    by it (``{ArrayBox: f}.get(type(x))``) finds them; ``is`` stays theirs. The engine tests
    boxes by subclass, hashing a box class only to box a box again (a higher derivative)."""

    def __eq__(cls, other):
        if cls is other:
            return True
        if not isinstance(other, type):
            return NotImplemented
        return (cls is ArrayBox and other in _ENGINE_KINDS
                or other is ArrayBox and cls in _ENGINE_KINDS)

    def __ne__(cls, other):
        equal = _ArrayBoxClass.__eq__(cls, other)
        return equal if equal is NotImplemented else not equal

    def __hash__(cls):
        return type.__hash__(ArrayBox if cls in _ENGINE_KINDS else cls)


class ArrayBox(Box, metaclass=_ArrayBoxClass):
    """A traced ndarray or scalar."""

    __slots__ = ()
    __array_priority__ = 100.0

    def __init__(self, value, trace, node):
        # Built by hand around an array (as a library boxing an ndarray subclass of its own
        # does, through ``Box.type_mappings``), the box becomes the indexable kind, as it would
        # be had the engine boxed it; the engine itself boxes with the subclasses below.
        if isinstance(value, numpy.ndarray):
            self.__class__ = IndexableArrayBox
        self._value = value
        self._trace = trace
        self._node = node

    # -- array protocol ------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(_defers_to_numpy(type(x)) for x in inputs):
            return NotImplemented  # numpy asks that wrapper, which unwraps and calls again
        fun = wrapped_for(ufunc)
        if "out" in kwargs:
            raise TypeError(f"numpy.{ufunc.__name__}(..., out=...) on a traced value: "
                            + _IN_PLACE_HINT)
        if fun is not None and method == "__call__":
            if current_recorder() is None:
                return fun(*inputs, **kwargs)
            return _recording_dispatch(fun, ufunc, inputs, kwargs)
        if fun is not None and hasattr(fun, method):  # outer, reduce, accumulate
            return getattr(fun, method)(*inputs, **kwargs)
        raise TypeError(_no_rule_message(f"numpy.{ufunc.__name__}.{method}"))

    def __array_function__(self, func, types, args, kwargs):
        if any(_defers_to_numpy(kind) for kind in types):
            return NotImplemented
        fun = wrapped_for(func)
        if fun is None:
            module = getattr(func, "__module__", None) or "numpy"
            raise TypeError(_no_rule_message(f"{module}.{func.__name__}"))
        if any(issubclass(type(value), Box) for value in kwargs.values()):
            # A traced value given by keyword: by position, so it is traced as an argument.
            args, kwargs = bind_traced_keywords(func, args, kwargs)
        if current_recorder() is None:
            return fun(*args, **kwargs)
        return _recording_dispatch(fun, func, args, kwargs)

    def __array__(self, dtype=None, copy=None):
        if (numpy.result_type(rawval(self)).kind in "biu" or not differentiated(self)
                or dtype is not None and numpy.dtype(dtype).kind in "biu"):
            # Integers and booleans carry no derivative: they may index, count or be stored
            # (and a value only recorded, not differentiated, is a plain array to its code).
            # Converting to them (np.int64(x), np.asarray(x, dtype=int)) truncates, which is
            # piecewise constant: its zero derivative is exact, as for int(x).
            return concrete(self, lambda value: numpy.array(value, dtype=dtype, copy=copy))
        raise TypeError(
            "a traced value cannot become a plain numpy array (this happens with np.asarray, "
            "writing it into a numpy array, a[i] = x, a plain array's method such as A.dot(x), "
            "or a numpy function mlkit does not wrap): use mlkit.numpy functions on it (for "
            "A.dot(x), np.dot(A, x) or A @ x); to fill an array, " + _BUILD_HINT
        )

    def __setitem__(self, index, value):
        raise TypeError("x[index] = value on a traced array: " + _IN_PLACE_HINT)

    # -- attributes ----------------------------------------------------------------------------
    shape = property(lambda self: numpy.shape(rawval(self)))
    ndim = property(lambda self: numpy.ndim(rawval(self)))
    size = property(lambda self: numpy.size(rawval(self)))
    dtype = property(lambda self: numpy.result_type(rawval(self)))
    itemsize = property(lambda self: self.dtype.itemsize)
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    device = property(lambda self: "cpu")
    T = property(lambda self: mnp.transpose(self))
    mT = property(lambda self: mnp.matrix_transpose(self))
    real = property(lambda self: real(self))
    imag = property(lambda self: imag(self))
    at = property(lambda self: AtIndexer(self))

    def to_device(self, device, /, *, stream=None):
        """The array API's move between devices: numpy, and so mlkit, has the CPU only."""
        if device != "cpu":
            raise ValueError(f"to_device({device!r}): mlkit arrays live on the 'cpu' only")
        return self

    def __float__(self):
        if differentiated(self):
            raise TypeError(_TO_NUMBER_HINT.format("float"))
        return concrete(self, float)

    def __complex__(self):
        if differentiated(self):
            raise TypeError(_TO_NUMBER_HINT.format("complex"))
        return concrete(self, complex)

    def __int__(self):
        # Truncation is piecewise constant: its derivative is zero, so the plain int is exact.
        return concrete(self, int)

    def __index__(self):
        if numpy.result_type(rawval(self)).kind not in "biu":
            raise TypeError("a traced floating-point value cannot be used as an index or a "
                            "count; convert it first with int(x) or x.astype(int)")
        return concrete(self, operator.index)

    def __bool__(self):
        return concrete(self, bool)

    def __hash__(self):
        return id(self)

    def item(self, *args):
        """The plain Python number (at ``args``, as numpy's ``item``), for values with no
        derivative (integers, booleans, values only recorded by jit); a floating value being
        differentiated is refused."""
        _refuse_dropping_a_derivative(self, "item")
        return concrete(self, functools.partial(_item, args=args) if args else _item)

    def tolist(self):
        _refuse_dropping_a_derivative(self, "tolist")
        return concrete(self, _tolist)

    # -- operators -----------------------------------------------------------------------------
    __invert__ = lambda self: invert(self)
    __neg__ = lambda self: negative(self)
    __pos__ = lambda self: positive(self)
    __abs__ = lambda self: absolute(self)
    __eq__ = lambda self, other: equal(self, other)
    __ne__ = lambda self, other: not_equal(self, other)
    __lt__ = lambda self, other: less(self, other)
    __le__ = lambda self, other: less_equal(self, other)
    __gt__ = lambda self, other: greater(self, other)
    __ge__ = lambda self, other: greater_equal(self, other)

    def __array_namespace__(self, *, api_version=None):
        """The array API namespace of a traced array: mlkit.numpy (so generic code stays
        differentiable)."""
        return mnp

    # -- methods (the ndarray ones that make sense on a traced value) --------------------------
    def reshape(self, *shape, order="C"):
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        return reshape(self, shape, order=order)

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes
        return mnp.transpose(self, axes or None)

    def conj(self):
        return conj(self)

    conjugate = conj

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        return mnp.astype(self, dtype, order=order, casting=casting, copy=copy)

    def flatten(self):
        return reshape(self, (-1,))

    def compress(self, condition, axis=None):
        return mnp.compress(condition, self, axis)

    def sort(self, *args, **kwargs):
        raise TypeError("x.sort() sorts in place, which a traced array cannot do: "
                        "use x = np.sort(x) instead")


def _operator(fun, reflected):
    if reflected:
        return lambda self, other: fun(other, self)
    return lambda self, other: fun(self, other)


# Python's binary operators, each with its reflected form (``2.0 * x`` calls ``x.__rmul__``).
for _name, _fun in (("add", add), ("sub", subtract), ("mul", multiply), ("truediv", divide),
                    ("pow", power), ("matmul", matmul), ("mod", mod), ("floordiv", floor_divide),
                    ("divmod", divmod), ("and", bitwise_and), ("or", bitwise_or),
                    ("xor", bitwise_xor)):
    setattr(ArrayBox, f"__{_name}__", _operator(_fun, reflected=False))
    setattr(ArrayBox, f"__r{_name}__", _operator(_fun, reflected=True))


def _method(name):
    def method(self, *args, **kwargs):
        return getattr(mnp, name)(self, *args, **kwargs)

    method.__name__ = name
    return method


# ptp is no longer an ndarray method in numpy 2, but HIPS autograd's traced arrays keep it.
for _name in ("sum", "mean", "prod", "max", "min", "var", "std", "cumsum", "cumprod", "ravel",
              "squeeze", "swapaxes", "dot", "clip", "argmax", "argmin", "argsort", "nonzero",
              "round", "any", "all", "trace", "diagonal", "repeat", "take", "copy", "ptp",
              "argpartition", "searchsorted"):
    setattr(ArrayBox, _name, _method(_name))


def _item(value, args=()):
    return numpy.asarray(value).item(*args)


def _tolist(value):
    return numpy.asarray(value).tolist()


def _refuse_dropping_a_derivative(box, method):
    if differentiated(box) and numpy.result_type(rawval(box)).kind in "fc":
        raise TypeError(
            f"x.{method}() of a traced floating-point value would drop its derivative (it "
            "gives plain constants, so the derivative through them would silently be zero); "
            "keep it as an array and use mlkit.numpy functions on it, or, for a constant on "
            f"purpose, call it on mlkit.extend.getval(x)")


# The mlkit functions numpy's dispatch is running while mlkit.jit records, per thread (each
# thread records its own programs).
_dispatching = threading.local()


def _recording_dispatch(fun, raw, args, kwargs):
    """``fun(*args, **kwargs)``, mlkit's version of numpy's ``raw``, while mlkit.jit records.
    ``fun`` reached again with a value being recorded means its own code called ``raw`` on that
    value, which numpy would hand back to ``fun`` without end: refused by name instead."""
    entered = _dispatching.__dict__.setdefault("functions", set())
    if fun in entered:
        if any(issubclass(type(a), Box) and a._node.opaque for a in args):
            name = f"{getattr(fun, '__module__', 'mlkit')}.{fun.__name__}"
            raise TypeError(
                f"mlkit.jit cannot record {name}: its code calls numpy's {raw.__name__} on the "
                f"value being recorded, which numpy hands back to {name} without end. Call "
                "it outside mlkit.jit; to fix the function, read the values it needs with "
                "mlkit.numpy.wrap.value_array (a guard checked at replay) or compute them "
                "with mlkit.numpy operations")
        return fun(*args, **kwargs)
    entered.add(fun)
    try:
        return fun(*args, **kwargs)
    finally:
        entered.discard(fun)


def _defers_to_numpy(kind):
    """True for a foreign array wrapper with its own numpy override (as xarray.DataArray has):
    it unwraps itself and calls numpy again, so a traced value inside it comes back here."""
    if issubclass(kind, Box) or kind is numpy.ndarray:
        return False
    handler = getattr(kind, "__array_ufunc__", None)
    return handler is not None and handler is not numpy.ndarray.__array_ufunc__


def _no_rule_message(name):
    return (
        f"{name} was called on a traced value, but mlkit has no derivative rule for it. Use the "
        "mlkit.numpy version if there is one (see mlkit.numpy.coverage()), or define it as a "
        "primitive: f = mlkit.primitive(raw_f); mlkit.defvjp(f, ...); mlkit.defjvp(f, ...)"
    )


class IndexableArrayBox(ArrayBox):
    """A traced ndarray: an ArrayBox that can also be indexed, sliced and iterated. Traced
    scalars are ScalarBoxes, which take only a numpy scalar's indices (``x[()]``) and are not
    iterable."""

    __slots__ = ()
    __init__ = Box.__init__  # the engine boxes arrays with this class directly

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return (getitem(self, i) for i in range(len(self._value)))

    def __getitem__(self, index):
        return getitem(self, index)


class ScalarBox(ArrayBox):
    """A traced float or numpy scalar: the engine boxes scalars with this class directly, so
    that ArrayBox's check for an array boxed by hand stays off the per-operation path."""

    __slots__ = ()
    __init__ = Box.__init__

    def __getitem__(self, index):
        """``x[()]`` and ``x[...]``, as a numpy scalar allows (``out[()]`` unwraps a 0-d result
        in code written for arrays and scalars alike); other indices fail as numpy's do."""
        return getitem(self, index)

    def __iter__(self):
        raise TypeError(f"a traced {type(self._value).__name__} scalar is not iterable")


# The classes the engine boxes arrays and scalars with: each is ``== ArrayBox``.
_ENGINE_KINDS = (IndexableArrayBox, ScalarBox)
IndexableArrayBox.register(numpy.ndarray)
ArrayVSpace.register(numpy.ndarray, array_vspace)
_SCALAR_TYPES = [float, complex] + [
    t for t in set(numpy.sctypeDict.values()) if issubclass(t, (numpy.inexact, numpy.integer))
]
for _type in _SCALAR_TYPES:
    ScalarBox.register(_type)
    ArrayVSpace.register(_type, array_vspace)
# A boolean scalar has no derivative (no vector space), but mlkit.jit records boolean arrays
# as inputs of the program, and their reductions (np.any, np.max) are boolean scalars.
ArrayBox.register(numpy.bool_)
