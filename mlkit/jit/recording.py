"""The recording trace: runs a function once and writes down its numpy calls as steps.

Its boxes are ordinary traced values whose node is a ``RecordNode``: a primitive call that
reaches them (after any differentiation traces inside have unwrapped their own boxes) records
the raw function, its constant arguments and the slots its traced arguments came from. A value
that becomes a plain Python value records a guard, and so does the shape of a result as long
as the data says (a selection by a traced mask, ``nonzero``); a random draw records a step
that draws afresh at replay.
"""

import functools
import operator

import numpy

from mlkit.autodiff.tracer import Box, Node, new_box, rawval
from mlkit.numpy.box import ArrayBox
from mlkit.tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["Call", "Guard", "RecordNode", "Recorder", "Ref", "refs", "renamed"]

# Functions of shapes and dtypes only: fixed by the signature, so constants (no step, no guard).
_STATIC = frozenset((numpy.shape, numpy.ndim, numpy.size, numpy.result_type, numpy.iscomplexobj,
                     numpy.isrealobj, numpy.isscalar, numpy.zeros_like, numpy.ones_like))
# What a tree returned by an outside call may hold to be traced on (the rest is guarded on).
_TREE_LEAVES = (numpy.ndarray, numpy.inexact, float, complex)


class Ref:
    """Where an argument of a step comes from: the slot of an earlier value."""

    __slots__ = ("slot",)

    def __init__(self, slot):
        self.slot = slot

    def __repr__(self):
        return f"v{self.slot}"


def refs(x):
    """The slots ``x`` reads (a step's arguments: inside lists, tuples and dicts too).
    Written out: program passes call it for every step."""
    kind = type(x)
    if kind is Ref:
        return [x.slot]
    if kind is list or kind is tuple:
        return [slot for item in x for slot in refs(item)]
    if kind is dict:
        return [slot for item in x.values() for slot in refs(item)]
    return []


def renamed(x, rename):
    """``x`` with each ``Ref`` to a slot in ``rename`` pointing at ``rename[slot]`` instead."""
    kind = type(x)
    if kind is Ref:
        return Ref(rename[x.slot]) if x.slot in rename else x
    if kind is list or kind is tuple:
        return kind([renamed(item, rename) for item in x])
    if kind is dict:
        return {key: renamed(value, rename) for key, value in x.items()}
    return x


class Call:
    """``slot = fun(*args, **kwargs)``; a draw (``draw``) is never skipped, merged or folded.
    ``note`` describes the value (``describe``) for listings and for the optimisations."""

    __slots__ = ("args", "draw", "fun", "kwargs", "note", "slot")

    def __init__(self, fun, args, kwargs, slot, note, draw=False):
        self.fun, self.args, self.kwargs, self.slot = fun, args, kwargs, slot
        self.note, self.draw = note, draw


def describe(value):
    """``(dtype, shape, type)`` of an array or numpy scalar, else the type's name (formatted
    only when a listing asks: formatting a dtype costs more than recording the call)."""
    if isinstance(value, (numpy.ndarray, numpy.generic)):
        return (value.dtype, value.shape, type(value))
    return type(value).__name__


class Guard:
    """``convert(slot's value)`` must equal ``value`` for the rest of the program to hold."""

    __slots__ = ("convert", "slot", "value")

    def __init__(self, slot, convert, value):
        self.slot, self.convert, self.value = slot, convert, value


class RecordNode(Node):
    """A recording trace's node: the slot its value lives in at replay."""

    __slots__ = ("recorder", "slot")
    opaque = True

    def __init__(self, ans, fun, args, kwargs, argnums, parents):
        self.parents = ()
        self.recorder = recorder = parents[0].recorder
        self.slot = recorder.call(fun.fun, args, kwargs, argnums, parents, ans)

    @classmethod
    def at(cls, recorder, slot):
        node = cls.__new__(cls)
        node.parents, node.recorder, node.slot = (), recorder, slot
        return node

    def concrete(self, convert, value):
        self.recorder.steps.append(Guard(self.slot, convert, value))
        return value


class Recorder:
    """The steps of one run of a function, in the order they ran.

    ``drawn`` holds random values already drawn for this call (by a replay that stopped at a
    failed guard): the first draws take them instead of drawing again. ``taken`` holds every
    value the run drew, in order, so that a replay can reproduce the run.
    """

    def __init__(self, trace, drawn=()):
        self.trace = trace
        self.steps = []
        self.inputs = []
        self.notes = {}  # input slot -> describe(value)
        self.slots = 0
        self.drawn = list(drawn)
        self.taken = []

    def _slot(self):
        self.slots += 1
        return self.slots - 1

    def box(self, value, slot):
        node = RecordNode.at(self, slot)
        if type(value) is int:  # an integer drawn (randint): no derivative boxes it
            return ArrayBox(value, self.trace, node)
        return new_box(value, self.trace, node)

    def input(self, value):
        """Box one array argument of the program as its next input."""
        slot = self._slot()
        self.inputs.append(slot)
        self.notes[slot] = describe(value)
        return self.box(value, slot)

    def template(self, x):
        """``x`` with this trace's boxes replaced by references to their slots (inside lists,
        tuples and dicts too)."""
        return tree_map(self._ref, x, exact=True)

    def _ref(self, x):
        if not issubclass(type(x), Box):
            return x
        if x._node.opaque and x._node.recorder is self:
            return Ref(x._node.slot)
        raise TypeError(
            "mlkit.jit: the function reads a value traced outside it (a variable it closes "
            "over, being differentiated by an enclosing grad); pass that value as an "
            "argument of the jitted function instead")

    def call(self, fun, args, kwargs, argnums, parents, ans):
        masked = _masked(fun, args, argnums, kwargs)
        args = list(args)
        for argnum, parent in zip(argnums, parents):
            args[argnum] = Ref(parent.slot)
        args = [a if type(a) is Ref else self.template(a) for a in args]
        slot = self._slot()
        self.steps.append(Call(fun, args, self.template(kwargs), slot, describe(ans)))
        if masked:
            self.steps.append(Guard(slot, numpy.shape, numpy.shape(ans)))
        return slot

    def outside(self, raw, args, kwargs):
        """A non-differentiable function of recorded values: a step of its own, whose array
        result (or each array and float of a tuple, list or dict result) is traced on; a
        result of another kind (a Python bool) is guarded on."""
        value = raw(*tree_map(rawval, list(args), exact=True),
                    **tree_map(rawval, kwargs, exact=True))
        if raw in _STATIC:
            return value
        leaves, structure = tree_flatten(value)
        if structure is not None and leaves and all(
                isinstance(leaf, _TREE_LEAVES) for leaf in leaves):
            return self._outside_tree(raw, args, kwargs, value, leaves, structure)
        slot = self._slot()
        self.steps.append(Call(raw, self.template(list(args)), self.template(kwargs), slot,
                               describe(value)))
        if isinstance(value, (numpy.ndarray, numpy.generic)):
            self._guard_shape(raw, slot, value)
            return self.box(value, slot)
        self.steps.append(Guard(slot, _same, value))
        return value

    def _outside_tree(self, raw, args, kwargs, value, leaves, structure):
        """A call returning a tree of arrays: one step for the call, one per leaf taken out
        (out of the call's own tuple or list when its items are the leaves, else out of the
        list of its leaves)."""
        slot = self._slot()
        flat = type(value) in (tuple, list) and len(value) == len(leaves) and all(
            item is leaf for item, leaf in zip(value, leaves))
        fun = raw if flat else functools.partial(_flat_leaves, raw)
        self.steps.append(Call(fun, self.template(list(args)), self.template(kwargs), slot,
                               type(value).__name__ if flat else "list"))
        boxes = []
        for index, leaf in enumerate(leaves):
            taken = self._slot()
            self.steps.append(Call(operator.getitem, [Ref(slot), index], {}, taken,
                                   describe(leaf)))
            self._guard_shape(raw, taken, leaf)
            boxes.append(self.box(leaf, taken))
        return tree_unflatten(structure, boxes)

    def _guard_shape(self, raw, slot, value):
        """A guard on the shape of a non-differentiable function's array result, unless an
        elementwise ufunc made it: ``nonzero``, ``unique`` or ``argwhere`` give as many
        elements as the data says, and a replay must not carry on with another count."""
        if not isinstance(raw, numpy.ufunc) and numpy.ndim(value):
            self.steps.append(Guard(slot, numpy.shape, numpy.shape(value)))

    def draw(self, sample, args, kwargs):
        """A random draw: a step run afresh at each replay (or the value already drawn). Its
        parameters may be values of the program, but not differentiated ones."""
        if any(issubclass(type(a), Box) and not (a._node.opaque and a._node.recorder is self)
               for a in (*args, *kwargs.values())):
            raise TypeError("mlkit.jit: a random draw whose parameters are differentiated; "
                            "draw standard samples and transform them with mlkit.numpy instead")
        value = self.drawn.pop(0) if self.drawn else sample(
            *tree_map(rawval, list(args), exact=True), **tree_map(rawval, kwargs, exact=True))
        self.taken.append(value)
        slot = self._slot()
        self.steps.append(Call(sample, self.template(list(args)), self.template(kwargs), slot,
                               describe(value), draw=True))
        return self.box(value, slot)


def _masked(fun, args, argnums, kwargs):
    """Whether a call other than ``where`` reads a traced boolean array (a mask): its result
    then has as many elements as the mask has true ones (``x[x > 0]``), a count that a
    replay must guard."""
    if fun is numpy.where or isinstance(fun, numpy.ufunc):
        return False
    traced = tree_flatten([args[argnum] for argnum in argnums])[0]
    traced += [leaf for leaf in tree_flatten([args, kwargs])[0] if issubclass(type(leaf), Box)]
    return any(getattr(rawval(leaf), "dtype", None) == numpy.bool_ for leaf in traced)


def _flat_leaves(raw, *args, **kwargs):
    """The leaves of ``raw``'s result, a tree of arrays, as one list."""
    return tree_flatten(raw(*args, **kwargs))[0]


def _same(value):
    """The identity, as a guard's conversion for a value compared as it is."""
    return value
