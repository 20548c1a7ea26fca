"""A concatenation whose pieces are written straight into it, rather than copied in after.

A derivative laid out as one flat vector (the gradient of a training step) ends with
``concatenate(0, reshape(dW1, (-1,)), db1, ...)``: one more pass over every element. When each
piece is a fresh array that a matrix product, an elementwise ufunc or mlkit's sum makes and
only the concatenation reads (through at most a C-order reshape), the rewrite allocates the
result first (``numpy.empty``, once per replay, so the caller gets a fresh array as before:
a kept gradient is never overwritten by the next replay) and hands each producer the slice
where its piece goes as ``out=``. A C-contiguous ``out=`` of the right shape and dtype takes
the same loop (the same BLAS call) as a fresh result, so every element keeps its bits.
"""

import numpy

from mlkit.jit.buffers import PRODUCTS
from mlkit.jit.recording import Call, Guard, Ref, refs
from mlkit.numpy.rules.base import _sum
from mlkit.numpy.rules.shape import _concatenate

__all__ = ["write_pieces_in_place"]


def write_pieces_in_place(steps, outputs, notes):
    """``steps`` with each qualifying one-dimensional concatenation's pieces written into it
    (new views are noted in ``notes``)."""
    reads = _read_counts(steps, outputs)
    made = {step.slot: step for step in steps if type(step) is Call}
    position = {slot: index for index, slot in enumerate(made)}
    fresh = max([*notes, *made], default=-1) + 1
    before, dropped = {}, set()  # producer slot -> steps to insert before it; slots dropped
    for step in steps:
        producers = _producers(step, made, reads)
        if producers is None:
            continue
        dtype = step.note[0]
        first = min((producer.slot for producer, _ in producers), key=position.__getitem__)
        before.setdefault(first, []).append(
            Call(numpy.empty, [step.note[1]], {"dtype": dtype}, step.slot, step.note))
        start = 0
        for producer, reshape in producers:
            shape = producer.note[1]
            stop = start + _size(shape)
            notes[fresh] = (dtype, shape, numpy.ndarray)
            before.setdefault(producer.slot, []).append(
                Call(_piece, [Ref(step.slot), start, stop, shape], {}, fresh, notes[fresh]))
            made[producer.slot] = Call(producer.fun, producer.args,
                                       {**producer.kwargs, "out": Ref(fresh)}, producer.slot,
                                       producer.note)
            dropped.update(() if reshape is None else (reshape.slot,))
            fresh, start = fresh + 1, stop
        dropped.add(step.slot)
    rewritten = []
    for step in steps:
        if type(step) is Guard:
            rewritten.append(step)
        elif step.slot not in dropped:
            rewritten.extend(before.get(step.slot, ()))
            rewritten.append(made[step.slot])
    return rewritten


def _piece(out, start, stop, shape):
    """The C-contiguous view of ``out[start:stop]`` shaped as its producer's result."""
    return out[start:stop].reshape(shape)


def _producers(step, made, reads):
    """``[(producer, reshape or None), ...]`` for the pieces of a concatenation ``step`` that
    can all be written into it, else None."""
    if (type(step) is not Call or step.fun is not _concatenate or set(step.kwargs) - {"ends"}
            or type(step.note) is not tuple or step.note[2] is not numpy.ndarray
            or len(step.note[1]) != 1 or len(step.args) < 2 or step.args[0] not in (0, -1)):
        return None
    dtype, pieces = step.note[0], []
    for arg in step.args[1:]:
        if type(arg) is not Ref or reads.get(arg.slot) != 1 or arg.slot not in made:
            return None
        producer, reshape = made[arg.slot], None
        if producer.fun is numpy.reshape:
            reshape = producer
            source = reshape.args[0] if reshape.args else None
            if (len(reshape.args) != 2 or reshape.kwargs not in ({}, {"order": "C"})
                    or type(source) is not Ref or reads.get(source.slot) != 1
                    or source.slot not in made):
                return None
            producer = made[source.slot]
        if not _writes_out(producer, dtype):
            return None
        pieces.append((producer, reshape))
    return pieces


def _writes_out(step, dtype):
    """Whether ``step`` makes a fresh array of ``dtype`` that it could write into ``out=``
    with the same values: a matrix product, a plain elementwise ufunc, or mlkit's sum over
    axes (with keepdims, no other options)."""
    note = step.note
    if (step.draw or type(note) is not tuple or note[2] is not numpy.ndarray
            or note[0] != dtype):
        return False
    fun = step.fun
    if fun in PRODUCTS:
        return not step.kwargs
    if isinstance(fun, numpy.ufunc):
        return not step.kwargs and fun.nout == 1 and fun.signature is None
    return fun is _sum and len(step.args) == 1 and set(step.kwargs) <= {"axis", "keepdims"}


def _read_counts(steps, outputs):
    """``{slot: how many times a step, a guard or the outputs read it}``."""
    counts = {}
    for slot in refs(outputs):
        counts[slot] = counts.get(slot, 0) + 1
    for step in steps:
        read = [step.slot] if type(step) is Guard else [*refs(step.args), *refs(step.kwargs)]
        for slot in read:
            counts[slot] = counts.get(slot, 0) + 1
    return counts


def _size(shape):
    size = 1
    for length in shape:
        size *= length
    return size
