"""Rewrites of a recorded path that keep every value bit for bit, and cost fewer numpy calls.

- A call that gives back its argument's values unchanged is dropped, its readers reading the
  argument: a product with constant ones (the cotangent seed of a derivative), a first power
  (the derivative of a square), a reshape to the same shape (in any order), a cast to the
  same dtype, a transpose of a transpose, a negation of a negation. The type, dtype and shape
  must stay the same (``x * 1.0`` of a float32 array is float64), and a returned value is
  folded only into an array a ufunc made, so that no output is a caller's input or a view of
  one.
- A broadcast materialised for an elementwise call (the derivative of a broadcast sum, say),
  or a reshape that only adds leading ones, is left to the ufunc's own broadcasting where the
  call's other operands already have the broadcast shape: the ufunc reads the small array, and
  the copy is dropped if nothing else reads it. The C-ordered copy made numpy lay the result
  out in C order, so the ufunc is told ``order="C"``: a sum over it adds in the same order.
- Taking an item out of a container of traced values gives that very value.
- A real product with the constant -1 is a negation, and a real product of two negations is
  the product of the negated values (``_signs_taken_out``): IEEE rounding is symmetric in
  sign, so both are exact (only the sign of a NaN, which IEEE leaves to the hardware, may
  differ). The derivative of a negated log-sigmoid, say, loses both its signs this way.
- Arithmetic and comparisons on numpy float scalars are written as Python operators
  (``scalar_operator``): numpy's scalar math gives the ufunc's result, without its dispatch.
- numpy's reshape and transpose of an ndarray, and its dot of two, are written as the
  ndarray's methods, and mlkit's getitem of an ndarray at a constant index (or a
  concatenation's piece) as a subscript (``method_call``): what the functions run, without
  their dispatch (the views of a flat parameter vector, say).
- A Python number passed to an arithmetic ufunc with float arrays of one dtype is converted
  by numpy to that dtype at each call, which costs more than the arithmetic on small arrays;
  a 0-d array of that dtype holding the number gives the same loop and values
  (``number_dtype``).
"""

import numpy

from mlkit.autodiff.containers import container_take
from mlkit.jit.concatenation import _piece
from mlkit.jit.recording import Call, Guard, Ref, refs, renamed
from mlkit.numpy.rules.base import _broadcast_to
from mlkit.numpy.rules.construction import _cast
from mlkit.numpy.rules.indexing import _getitem

__all__ = ["fold_identities", "method_call", "number_dtype", "real_note", "scalar_operator",
           "value_notes"]

_BINARY = {numpy.add: "+", numpy.subtract: "-", numpy.multiply: "*", numpy.divide: "/",
           numpy.greater: ">", numpy.greater_equal: ">=", numpy.less: "<",
           numpy.less_equal: "<=", numpy.equal: "==", numpy.not_equal: "!="}
_UNARY = {numpy.negative: "-{}", numpy.absolute: "abs({})"}
_COMPARISONS = frozenset((numpy.greater, numpy.greater_equal, numpy.less, numpy.less_equal,
                          numpy.equal, numpy.not_equal))
# Ufuncs whose loops take both operands in one float dtype (not ldexp's int exponent, say).
_SAME_DTYPE_UFUNCS = frozenset((
    numpy.add, numpy.subtract, numpy.multiply, numpy.divide, numpy.power, numpy.maximum,
    numpy.minimum, numpy.fmax, numpy.fmin, numpy.arctan2, numpy.hypot, numpy.logaddexp,
    numpy.logaddexp2, numpy.greater, numpy.greater_equal, numpy.less, numpy.less_equal,
    numpy.equal, numpy.not_equal))
_SCALAR_DTYPES = frozenset(numpy.dtype(kind) for kind in (numpy.float32, numpy.float64))
_NUMPY_SCALARS = (numpy.float32, numpy.float64)
_METHODS = {numpy.reshape: ("reshape", {"order"}), numpy.transpose: ("transpose", set())}
_INTEGER_SCALARS = (numpy.int32, numpy.int64)


def value_notes(inputs, steps):
    """``{slot: describe(value)}`` for the inputs' notes and every call's value."""
    notes = dict(inputs)
    notes.update((step.slot, step.note) for step in steps if type(step) is Call)
    return notes


def fold_identities(steps, outputs, notes):
    """``steps`` without the calls that return their argument's values (and with ufuncs
    reading materialised broadcasts' sources), and ``outputs`` renamed to match."""
    returned = set(refs(outputs))
    made, rename, kept = {}, {}, []
    for step in steps:
        if type(step) is Guard:
            kept.append(Guard(rename.get(step.slot, step.slot), step.convert, step.value))
            continue
        args, kwargs = renamed(step.args, rename), renamed(step.kwargs, rename)
        if not kwargs and isinstance(step.fun, numpy.ufunc) and step.fun.signature is None:
            args, copied = list(args), False
            for position in range(len(args)):  # one at a time: each sees the others' shapes
                source = _unbroadcast(position, args, step.note, made, notes)
                while source is not args[position]:  # a reshape under a broadcast, say
                    copied = copied or made[args[position].slot].fun is _broadcast_to
                    args[position] = source
                    source = _unbroadcast(position, args, step.note, made, notes)
            if copied and len(step.note[1]) > 1:  # the copy, C-ordered, made the result so
                kwargs = {"order": "C"}
        step = _signs_taken_out(Call(step.fun, args, kwargs, step.slot, step.note, step.draw),
                                made, notes)
        same = None if step.draw else _same_as(step, made, notes)
        if same is not None and step.slot in returned and not _owned(same, made):
            same = None  # the caller would get an input, or a view of one
        if same is not None and _lays_out(step):
            step, same = Call(numpy.ascontiguousarray, [Ref(same)], {}, step.slot, step.note), None
        if same is None:
            made[step.slot] = step
            kept.append(step)
        else:
            rename[step.slot] = same
    return kept, [renamed(leaf, rename) for leaf in outputs]


def _lays_out(step):
    """Whether a constant C-ordered operand of two or more dimensions (a seed of ones) decides
    the layout of ``step``'s result: numpy gives a C-ordered result then, whatever the other
    operand's layout, and a sum over it adds in that order; dropping the call would keep the
    other's layout (a transposed view's, say), so it becomes a C-ordered copy where needed."""
    return len(step.note[1]) > 1 and any(
        isinstance(arg, numpy.ndarray) and arg.ndim > 1 and arg.flags.c_contiguous
        for arg in step.args)


def _same_as(step, made, notes):
    """The slot already holding ``step``'s value (same type, dtype, shape, elements), or
    None."""
    fun, args, note = step.fun, step.args, step.note
    if type(note) is not tuple:
        return None
    if step.kwargs:  # a reshape to the same shape gives the same elements in any order
        if fun is numpy.reshape and set(step.kwargs) == {"order"} and len(args) == 2:
            if type(args[0]) is Ref and notes.get(args[0].slot) == note:
                return args[0].slot
        return None
    if fun is numpy.multiply and len(args) == 2:
        for this, other in (args, args[::-1]):
            if type(this) is Ref and _is_one(other) and notes.get(this.slot) == note:
                return this.slot
    elif fun is container_take.fun and len(args) == 2 and type(args[1]) is int:
        if type(args[0]) in (tuple, list) and type(args[0][args[1]]) is Ref:
            return args[0][args[1]].slot  # the very object
    elif fun is numpy.negative and len(args) == 1 and type(args[0]) is Ref:
        inner = made.get(args[0].slot)  # -(-x) is x, exactly
        if (inner is not None and inner.fun is numpy.negative and not inner.kwargs
                and len(inner.args) == 1 and type(inner.args[0]) is Ref
                and notes.get(inner.args[0].slot) == note):
            return inner.args[0].slot
    elif fun is numpy.power and len(args) == 2 and type(args[0]) is Ref and _is_one(args[1]):
        if notes.get(args[0].slot) == note:  # x ** 1 is x, exactly
            return args[0].slot
    elif fun in (numpy.reshape, _cast) and len(args) == 2 and type(args[0]) is Ref:
        if notes.get(args[0].slot) == note:  # to the same shape, or to the same dtype
            return args[0].slot
    elif fun is numpy.swapaxes and len(args) == 3 and type(args[0]) is Ref:
        inner = made.get(args[0].slot)
        if (inner is not None and inner.fun is numpy.swapaxes and not inner.kwargs
                and len(inner.args) == 3 and type(inner.args[0]) is Ref
                and _axes(args[1:], note) == _axes(inner.args[1:], note)
                and notes.get(inner.args[0].slot) == note):
            return inner.args[0].slot
    return None


def _signs_taken_out(step, made, notes):
    """``step`` with its product's signs taken out: ``x * -1`` as ``negative(x)``, and
    ``negative(a) * negative(b)`` as ``a * b``, where the dtype, shape and type stay the
    same; else ``step`` itself."""
    if (step.fun is not numpy.multiply or len(step.args) != 2 or step.kwargs or step.draw
            or not real_note(step.note)):
        return step  # a complex product mixes its operands' parts (x * -1 may give nan)
    first, second = step.args
    for this, other in ((first, second), (second, first)):
        if type(this) is Ref and _is_minus_one(other) and notes.get(this.slot) == step.note:
            return Call(numpy.negative, [this], {}, step.slot, step.note, step.draw)
    negated = [_negated(arg, made, notes) for arg in step.args]
    if None in negated:
        return step
    return Call(numpy.multiply, negated, {}, step.slot, step.note, step.draw)


def real_note(note):
    """Whether ``note`` is an array's or scalar's, of a boolean, integer or real float dtype:
    where a product or sum is one correctly rounded operation per element, so its operands'
    order and signs can be moved (complex products round in fused, operand-ordered steps)."""
    return type(note) is tuple and numpy.dtype(note[0]).kind in "biuf"


def _negated(arg, made, notes):
    """The operand ``x`` of the call ``negative(x)`` that made ``arg``, when ``x`` has the same
    dtype, shape and type as ``arg``; else None."""
    inner = made.get(arg.slot) if type(arg) is Ref else None
    if (inner is None or inner.fun is not numpy.negative or inner.kwargs
            or len(inner.args) != 1 or type(inner.args[0]) is not Ref):
        return None
    source = inner.args[0]
    return source if notes.get(source.slot) == notes.get(arg.slot) else None


def _owned(slot, made):
    """Whether the value in ``slot`` is an array a ufunc made in this program (no view)."""
    return slot in made and isinstance(made[slot].fun, numpy.ufunc)


def _is_one(x):
    """A constant whose elements are all one (the result's shape is checked by the caller)."""
    if type(x) in (int, float):
        return x == 1
    return (isinstance(x, (numpy.generic, numpy.ndarray)) and x.dtype.kind in "biuf"
            and x.size > 0 and bool((x == 1).all()))


def _is_minus_one(x):
    """A constant whose elements are all -1 (the result's dtype and shape are checked by the
    caller)."""
    if type(x) in (int, float):
        return x == -1
    return (isinstance(x, (numpy.generic, numpy.ndarray)) and x.dtype.kind in "iuf"
            and x.size > 0 and bool((x == -1).all()))


def _axes(pair, note):
    """Two swapped axes as a set of non-negative axes (None if they are not plain ints)."""
    ndim = len(note[1])
    if not all(type(axis) is int and -ndim <= axis < ndim for axis in pair):
        return None
    return frozenset(axis % ndim for axis in pair)


def _unbroadcast(position, args, note, made, notes):
    """The source of ``args[position]`` if it is a materialised broadcast that the ufunc
    reading it (with operands ``args``, result ``note``) would broadcast alike, else the
    argument itself."""
    arg = args[position]
    copy = made.get(arg.slot) if type(arg) is Ref else None
    if (copy is None or copy.fun not in (_broadcast_to, numpy.reshape) or copy.kwargs
            or len(copy.args) != 2 or type(copy.args[0]) is not Ref or type(note) is not tuple):
        return arg
    source = notes.get(copy.args[0].slot)
    if type(source) is not tuple or source[0] != copy.note[0]:
        return arg
    if copy.fun is numpy.reshape and _unit_free(source[1]) != _unit_free(copy.note[1]):
        return arg  # a reshape that does more than add or drop leading ones
    shapes = [source[1] if index == position else _shape(other, notes)
              for index, other in enumerate(args)]
    if None in shapes or _broadcast_shape(shapes) != note[1]:
        return arg
    return copy.args[0]


def _unit_free(shape):
    """``shape`` without its leading ones (what broadcasting sees of it)."""
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def _shape(x, notes):
    if type(x) is Ref:
        note = notes.get(x.slot)
        return note[1] if type(note) is tuple else ()
    return numpy.shape(x) if isinstance(x, (numpy.ndarray, numpy.generic, int, float)) else None


def _broadcast_shape(shapes):
    try:
        return numpy.broadcast_shapes(*shapes)
    except ValueError:
        return None


def scalar_operator(step, notes, expression):
    """``step`` as a Python operator expression (operands rendered by ``expression``) when
    numpy's scalar math computes it exactly as the ufunc does, else None: an arithmetic ufunc
    or comparison on float32/float64 numpy scalars and Python numbers, at least one operand a
    numpy scalar (two Python floats would give a Python float), or a comparison of int32/int64
    numpy scalars and small Python ints; no keyword arguments."""
    if step.kwargs or step.draw or type(step.note) is not tuple or step.note[1] != ():
        return None
    fun, args = step.fun, step.args
    kinds = [_scalar_kind(arg, notes) for arg in args]
    if "integer" in kinds:  # comparisons of int32/int64 scalars with ints (a label's range)
        if fun not in _COMPARISONS or not set(kinds) <= {"integer", "int"}:
            return None
    elif None in kinds or "numpy" not in kinds:
        return None
    if len(args) == 2 and fun in _BINARY:
        return f"{expression(args[0])} {_BINARY[fun]} {expression(args[1])}"
    if len(args) == 1 and fun in _UNARY:
        return _UNARY[fun].format(expression(args[0]))
    return None


def _scalar_kind(x, notes):
    """'numpy' for a float32/float64 numpy scalar, 'integer' for an int32/int64 one, 'python'
    for a Python float, 'int' for a Python int, else None."""
    if type(x) is Ref:
        note = notes.get(x.slot)
        if type(note) is tuple:
            _, _, kind = note
            if kind in _NUMPY_SCALARS:
                return "numpy"
            return "integer" if kind in _INTEGER_SCALARS else None
        return "python" if note == "float" else None
    if type(x) is int:
        return "int" if -2**31 <= x < 2**31 else None
    if type(x) is float:
        return "python"
    if type(x) in _NUMPY_SCALARS:
        return "numpy"
    return "integer" if type(x) in _INTEGER_SCALARS else None


def number_dtype(step, notes):
    """The dtype to which the ufunc ``step`` converts its Python number arguments, when the
    others are arrays of that one float dtype (float32 or float64), else None."""
    if step.fun not in _SAME_DTYPE_UFUNCS or set(step.kwargs) - {"out", "order"} or step.draw:
        return None  # an ``out=`` of the result's dtype and shape changes no loop
    dtypes, numbers = set(), 0
    for arg in step.args:
        if type(arg) is Ref:
            note = notes.get(arg.slot)
            if type(note) is not tuple or note[2] is not numpy.ndarray:
                return None
            dtypes.add(note[0])
        elif type(arg) in (int, float):
            numbers += 1
        else:
            return None
    if len(dtypes) != 1 or not numbers:
        return None
    dtype = dtypes.pop()
    return dtype if dtype in _SCALAR_DTYPES else None


def _plain_array(x, notes):
    """Whether ``x`` is an ndarray (not a subclass), traced or constant."""
    if type(x) is Ref:
        note = notes.get(x.slot)
        return type(note) is tuple and note[2] is numpy.ndarray
    return type(x) is numpy.ndarray


def method_call(step, notes, expression):
    """``step`` as what its function runs on an ndarray operand (numpy's reshape or transpose
    as the method, numpy's dot of two ndarrays as the method, mlkit's getitem at an index
    holding no traced value as a subscript, a concatenation's piece as a slice), with operands
    rendered by ``expression``; else None."""
    if step.draw or not step.args or type(step.args[0]) is not Ref:
        return None
    note = notes.get(step.args[0].slot)
    if type(note) is not tuple or note[2] is not numpy.ndarray:
        return None
    target = expression(step.args[0])
    if step.fun is _piece:  # start, stop and shape are ints
        start, stop, shape = step.args[1:]
        return f"{target}[{start}:{stop}].reshape({shape!r})"
    if step.fun is _getitem:
        if len(step.args) != 2 or step.kwargs or refs(step.args[1]):
            return None
        return f"{target}[{expression(step.args[1])}]"
    if step.fun is numpy.dot:  # an operand of another type could take over numpy.dot
        if len(step.args) != 2 or step.kwargs or not _plain_array(step.args[1], notes):
            return None
        return f"{target}.dot({expression(step.args[1])})"
    name, options = _METHODS.get(step.fun, (None, set()))
    if name is None or not set(step.kwargs) <= options:
        return None
    parts = [expression(arg) for arg in step.args[1:]]
    parts += [f"{key}={expression(value)}" for key, value in step.kwargs.items()]
    return f"{target}.{name}({', '.join(parts)})"
