"""Buffers a compiled program owns: which intermediates are written with ``out=``, and where.

Large elementwise and matrix-product results go into buffers (``ufunc(..., out=b)``) that are
taken again once the value in them has had its last reader, so a replay allocates little
beyond its outputs.
"""

import math

import numpy

from mlkit.jit.recording import Call, Guard, Ref, refs
from mlkit.numpy.rules.base import _sum
from mlkit.numpy.rules.products import _matmul_transposed

__all__ = ["PRODUCTS", "in_buffer", "last_uses", "plan_buffers"]

# Fewest elements worth a buffer: below this, allocating is as cheap as passing ``out=``.
_MIN_BUFFERED = 1024
_C_ORDER = {"order": "C"}  # a result laid out in C order whatever its operands' layouts
# Matrix products taking ``out=`` (the one of transposed operands calls numpy's matmul).
PRODUCTS = (numpy.matmul, _matmul_transposed)


def _elementwise(fun):
    """A plain ufunc of one result (no generalised signature such as matmul's)."""
    return isinstance(fun, numpy.ufunc) and fun.nout == 1 and fun.signature is None


def _fresh_reader(fun):
    """Whether ``fun`` returns new arrays whatever its arguments, never a view of one: a ufunc
    (matmul included), a matrix product of transposed operands, or mlkit's sum (a ufunc
    reduction)."""
    return isinstance(fun, numpy.ufunc) or fun is _matmul_transposed or fun is _sum


def _bufferable(step):
    """Whether ``step`` is a plain ufunc call or matrix product whose large array result could
    go into ``out=`` (an ``out=`` array that is C-contiguous takes the same BLAS path as a
    fresh result, so the values are the same)."""
    if (type(step) is not Call or step.draw or step.kwargs not in ({}, _C_ORDER)
            or type(step.note) is not tuple):
        return False
    fun, (dtype, shape, _) = step.fun, step.note
    return ((_elementwise(fun) or fun in PRODUCTS) and not dtype.hasobject
            and math.prod(shape) >= _MIN_BUFFERED)


def plan_buffers(steps, kept):
    """``{slot: (buffer number, dtype, shape)}`` for the intermediates written into buffers.

    A value qualifies when a plain ufunc or a matrix product makes it (``_bufferable``), it is
    not kept (an output or a draw) and only ``_fresh_reader`` functions read it: they make fresh
    arrays, whereas any other reader might return a view of the buffer that outlives the value.
    Its buffer is free again after the value's last reader, and is one of the arguments of the
    call that fills it only when that call is elementwise and reads the argument for the last
    time (in place).
    """
    others = set(kept)
    for step in steps:
        if type(step) is Guard:
            others.add(step.slot)
        elif not _fresh_reader(step.fun):
            others.update(refs(step.args))
            others.update(refs(step.kwargs))
    last = last_uses(steps)
    free, shapes, owner, released = [], [], {}, {}
    for position, step in enumerate(steps):
        if _bufferable(step) and step.slot not in others:
            dtype, shape, _ = step.note
            match = _in_place(step, owner, shapes, released.get(position, []))
            if match is not None:
                released[position].remove(match)
            else:  # the buffer freed last: the likeliest to be in cache still
                match = next((n for n in reversed(free) if shapes[n] == (dtype, shape)), None)
                if match is None:
                    match = len(shapes)
                    shapes.append((dtype, shape))
                else:
                    free.remove(match)
            owner[step.slot] = match
            released.setdefault(last[step.slot], []).append(match)
        free.extend(released.pop(position, ()))
    return {slot: (number, *shapes[number]) for slot, number in owner.items()}


def in_buffer(call, buffer, step, made, notes):
    """The source of ``call`` (ending in ``)``) writing into ``buffer``. An elementwise
    result is laid out as its operands are (a transposed operand gives a transposed result,
    which a later sum adds up in another order), so it goes into the C-ordered buffer only
    where each operand of two or more dimensions is C-contiguous at the call (an input or a
    view may not be); a matrix product's result is C-ordered whatever its operands."""
    buffered = f"{call[:-1]}, out={buffer})"
    tests = dict.fromkeys(f"v{arg.slot}.flags.c_contiguous" for arg in step.args
                          if type(arg) is Ref and len(notes[arg.slot][1]) > 1
                          and made.get(arg.slot) not in PRODUCTS)
    if any(isinstance(arg, numpy.ndarray) and arg.ndim > 1 and not arg.flags.c_contiguous
           for arg in step.args):
        return call  # a constant laid out otherwise
    if step.fun in PRODUCTS or step.kwargs == _C_ORDER or not tests:
        return buffered
    return f"{buffered} if {' and '.join(tests)} else {call}"


def _in_place(step, owner, shapes, ending):
    """The buffer of an operand of the elementwise ``step`` read for the last time by it, of
    the result's dtype and shape, or None: an elementwise ufunc reads each element before it
    writes it, so writing in place keeps the values and the working set small."""
    if not _elementwise(step.fun):
        return None
    for arg in step.args:
        if type(arg) is Ref and arg.slot in owner:
            number = owner[arg.slot]
            if number in ending and shapes[number] == step.note[:2]:
                return number
    return None


def last_uses(steps):
    """``{slot: index of the last step that reads or writes it}``."""
    last = {}
    for position, step in enumerate(steps):
        if type(step) is Guard:
            last[step.slot] = position
            continue
        last[step.slot] = position
        for slot in (*refs(step.args), *refs(step.kwargs)):
            last[slot] = position
    return last
