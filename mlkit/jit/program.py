"""A recorded path, optimised and compiled: one Python function of plain numpy calls.

The steps a ``Recorder`` wrote down become straight-line Python source (one call per line,
guards as ``if ... raise``), compiled once, so a replay costs the numpy calls and a local
variable per value: no boxes, nodes, rule look-ups or graph walks. Before compiling, calls that
give back their argument are dropped (simplify.py), identical calls (a real sum or product
with its operands swapped included) are merged, calls whose values nothing reads are dropped, the
pieces of a concatenation that only it reads are written straight into it
(concatenation.py), and each value is released after its last reader; scalar
arithmetic is written as Python operators, and a Python number that an elementwise call on
float arrays converts at each call is converted once, to a 0-d array. Constants were folded
while tracing (a call on constants only is never recorded); an output that is a constant is
copied at each call, so that callers never share a buffer, and nothing writes into an input,
or into an output once it is made (a concatenation's pieces are written before it is).

Large elementwise and matrix-product intermediates are written into buffers the program owns
(``ufunc(..., out=b)``, see buffers.py): a buffer is taken again once the value in it has had
its last reader, so a replay allocates little beyond its outputs. A program is therefore not
re-entrant: two threads must not replay the same program at once.
"""

import keyword
import math
import re
import time

import numpy

from mlkit.jit.buffers import in_buffer, last_uses, plan_buffers
from mlkit.jit.concatenation import write_pieces_in_place
from mlkit.jit.kinds import kind_of
from mlkit.jit.recording import Call, Guard, Ref, refs, renamed
from mlkit.jit.simplify import (
    fold_identities,
    method_call,
    number_dtype,
    real_note,
    scalar_operator,
    value_notes,
)
from mlkit.tree import tree_builder, tree_fold

__all__ = ["Miss", "Program", "fresh", "value_key"]


class Miss(Exception):  # noqa: N818 (control flow, not an error)
    """A guard failed at replay: the guard's index, the value seen, and the draws made so far."""

    def __init__(self, index, seen, drawn):
        super().__init__(index)
        self.index, self.key, self.drawn = index, value_key(seen), drawn


def value_key(value):
    """A hashable stand-in for a guarded value: arrays by dtype, shape and bytes, floats by
    their text (so that -0.0 is not 0.0, and a NaN is the same as another NaN)."""
    if isinstance(value, numpy.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (float, numpy.floating, complex, numpy.complexfloating)):
        return (type(value), repr(value))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return (type(value), value)


def _equal(seen, expected):
    """Whether a guarded value is the one recorded: bit for bit for arrays and floats."""
    if isinstance(expected, (numpy.ndarray, float, numpy.inexact)):
        return type(seen) is type(expected) and value_key(seen) == value_key(expected)
    return type(seen) is type(expected) and bool(seen == expected)


def fresh(value):
    """A constant output, copied so that no two calls return the same buffer."""
    return value.copy() if isinstance(value, numpy.ndarray) else value


_SIMPLE = (bool, int, str, type(None))
# Ufuncs whose two operands can be swapped without changing the result (see _merge_identical).
_COMMUTATIVE = (numpy.add, numpy.multiply)


class Program:
    """The compiled program of one path through the function.

    ``run(drawn, *inputs)`` returns the function's value or raises ``Miss``; ``branches``
    maps ``(guard index, value seen)`` to the program recorded for that other path. The value
    is built in the program when ``structure`` (``tree_flatten``'s, None for one leaf) holds
    only plain tuples, lists and dicts of string keys; else ``run`` returns the output leaves
    and ``rebuild(leaves)`` builds the value.
    """

    def __init__(self, recorder, outputs, structure=None):
        self.inputs = list(recorder.inputs)
        self._notes = value_notes(recorder.notes, recorder.steps)
        steps, outputs = fold_identities(recorder.steps, outputs, self._notes)
        steps, outputs = _merge_identical(steps, outputs)
        self.steps = write_pieces_in_place(_drop_dead(steps, outputs), outputs, self._notes)
        self.outputs = outputs
        self.structure = structure
        self.rebuild = None if _plain(structure) else tree_builder(structure)
        self.branches = {}
        self._names = {}
        self._numbers = {}
        self._namespace = {"_Miss": Miss, "_equal": _equal, "_fresh": fresh}
        self.source = self._source()
        code = compile(self.source, "<mlkit.jit program>", "exec")
        exec(code, self._namespace)  # noqa: S102 (source generated above, from the steps)
        self.run = self._namespace["program"]

    def profiled(self):
        """The same program with each call timed: ``profiled(spent, count, drawn, *inputs)``
        adds each call's seconds to ``spent[kind]`` and counts it in ``count[kind]`` (kinds as
        in ``kinds.KINDS``). Compiled at its first use, so that plain replays never pay for it.
        """
        if "profiled" not in self._namespace:
            self._namespace["_clock"] = time.perf_counter
            code = compile(self._source(profile=True), "<mlkit.jit profiled program>", "exec")
            exec(code, self._namespace)  # noqa: S102 (source generated from the steps)
        return self._namespace["profiled"]

    def listing(self):
        """The program as text: one numpy call per line, with its result's shape and dtype."""
        return self._source(annotate=True)

    # -- source generation ---------------------------------------------------------------------
    def _source(self, annotate=False, profile=False):
        kept = {ref.slot for ref in self.outputs if type(ref) is Ref}
        kept.update(step.slot for step in self.steps if type(step) is Call and step.draw)
        released = {}  # step index -> the slots no later step reads
        for slot, end in last_uses(self.steps).items():
            if slot not in kept:
                released.setdefault(end, []).append(slot)
        buffers = {}
        for slot, (number, dtype, shape) in plan_buffers(self.steps, kept).items():
            buffers[slot] = f"b{number}"
            if buffers[slot] not in self._namespace:
                self._namespace[buffers[slot]] = numpy.empty(shape, dtype)
        params = ", ".join((["_spent", "_count"] if profile else []) + ["_drawn"]
                           + [f"v{slot}" for slot in self.inputs])
        lines = [f"def {'profiled' if profile else 'program'}({params}):"]
        drawn, guards = [], 0
        made = {step.slot: step.fun for step in self.steps if type(step) is Call}
        for position, step in enumerate(self.steps):
            if type(step) is Guard:
                lines.extend(self._guard(step, guards, drawn))
                guards += 1
            else:
                call = (scalar_operator(step, self._notes, self._expression)
                        or method_call(step, self._notes, self._expression))
                if call is None:
                    call = f"{self._name(step.fun)}({self._arguments(step, annotate)})"
                    if step.slot in buffers:
                        call = in_buffer(call, buffers[step.slot], step, made, self._notes)
                if step.draw:
                    call = f"_drawn.pop() if _drawn else {call}"
                    drawn.append(f"v{step.slot}")
                note = f"  # {_note(step.note)}" if annotate else ""
                if profile:
                    kind = kind_of(step.fun)
                    lines.append("    _start = _clock()")
                lines.append(f"    v{step.slot} = {call}{note}")
                if profile:
                    lines.append(f"    _spent[{kind}] += _clock() - _start; _count[{kind}] += 1")
            dead = released.get(position)
            if dead and not annotate:
                lines.append("    del " + ", ".join(f"v{slot}" for slot in sorted(dead)))
        leaves, returned = [], set()
        for leaf in self.outputs:  # a value returned twice is copied (merged calls, say)
            text = self._output(leaf)
            leaves.append(f"_fresh({text})" if text in returned else text)
            returned.add(text)
        if self.rebuild is None:
            lines.append(f"    return {_tree_source(self.structure, iter(leaves))}")
        else:
            lines.append(f"    return ({', '.join(leaves)}{',' if len(leaves) == 1 else ''})")
        return "\n".join(lines) + "\n"

    def _guard(self, guard, index, drawn):
        value = f"v{guard.slot}"
        draws = f"({', '.join(drawn)}{',' if len(drawn) == 1 else ''})"
        if guard.convert is bool:
            test = f"not {value}" if guard.value else value
            seen = f"{not guard.value}"
        else:
            seen = f"{self._name(guard.convert)}({value})"
            if type(guard.value) in (bool, int) or (type(guard.value) is float and guard.value
                                                    and math.isfinite(guard.value)):
                test = f"{seen} != {guard.value!r}"
            else:
                test = f"not _equal({seen}, {self._constant(guard.value)})"
        return [f"    if {test}:", f"        raise _Miss({index}, {seen}, {draws})"]

    def _output(self, leaf):
        if type(leaf) is Ref:
            return f"v{leaf.slot}"
        return f"_fresh({self._constant(leaf)})"

    def _arguments(self, step, annotate=False):
        dtype = None if annotate else number_dtype(step, self._notes)
        if dtype is None:
            parts = [self._expression(arg) for arg in step.args]
        else:
            parts = [self._number(arg, dtype) if type(arg) in (int, float) else
                     self._expression(arg) for arg in step.args]
        parts += [f"{key}={self._expression(value)}" for key, value in step.kwargs.items()]
        return ", ".join(parts)

    def _expression(self, x):
        kind = type(x)
        if kind is Ref:
            return f"v{x.slot}"
        if kind is tuple or kind is list:
            inner = ", ".join(self._expression(item) for item in x)
            return f"({inner}{',' if len(x) == 1 else ''})" if kind is tuple else f"[{inner}]"
        if kind is dict and all(type(key) is str for key in x):
            return "{" + ", ".join(f"{k!r}: {self._expression(v)}" for k, v in x.items()) + "}"
        if kind in _SIMPLE or (kind is float and math.isfinite(x)):
            return repr(x)
        return self._constant(x)

    def _number(self, number, dtype):
        """A Python number as the 0-d array of ``dtype`` a ufunc would convert it to, made
        once per program (a listing shows the number)."""
        key = (type(number), repr(number), dtype.str)  # 0.0 and -0.0 apart
        if key not in self._numbers:
            with numpy.errstate(over="ignore"):
                array = numpy.array(number, dtype)  # rounded as numpy rounds it at each call
            if not numpy.isfinite(array):
                return self._expression(number)  # numpy would warn of the overflow each call
            array.flags.writeable = False
            self._numbers[key] = self._constant(array)
        return self._numbers[key]

    def _constant(self, value):
        name = f"c{len(self._namespace)}"
        self._namespace[name] = value
        return name

    def _name(self, fun):
        if id(fun) in self._names:
            return self._names[id(fun)]
        base = re.sub(r"\W", "_", getattr(fun, "__name__", "") or "fun")
        if (base.startswith("_") or base[0].isdigit() or keyword.iskeyword(base)
                or re.fullmatch(r"[vbc]\d+", base) or base in ("program", "profiled")):
            base = "f_" + base
        name, n = base, 1
        while name in self._namespace:
            n += 1
            name = f"{base}_{n}"
        self._namespace[name] = fun
        self._names[id(fun)] = name
        return name


def _plain(structure):
    """Whether ``structure`` holds only plain tuples, lists and dicts of string keys."""
    kind = type(structure)
    if kind is tuple or kind is list:
        return all(_plain(child) for child in structure)
    if kind is dict:
        return all(type(key) is str and _plain(child) for key, child in structure.items())
    return not isinstance(structure, (tuple, list, dict))


def _tree_source(node, leaves):
    """The expression building the ``_plain`` structure ``node`` from the leaves' texts."""
    kind = type(node)
    if kind is dict:
        return "{" + ", ".join(f"{key!r}: {_tree_source(child, leaves)}"
                               for key, child in node.items()) + "}"
    if kind is tuple or kind is list:
        inner = ", ".join(_tree_source(child, leaves) for child in node)
        return f"({inner}{',' if len(node) == 1 else ''})" if kind is tuple else f"[{inner}]"
    return next(leaves)


def _note(note):
    return note if type(note) is str else f"{note[0]} {note[1]}"


def _leaf_key(x):
    kind = type(x)
    if kind is Ref:
        return ("v", x.slot)
    if kind in _SIMPLE:
        return (kind, x)
    if kind is float:  # by its text: 0.0 and -0.0 are equal, and give different results
        return (kind, repr(x))
    return ("id", id(x))


def _node_key(node, keys):
    if type(node) is dict:
        return ("dict", *zip(node, keys))
    return (type(node).__name__, *keys)


def _call_key(x):
    """A hashable description of a step's arguments: slots by number, constants by identity
    (plain Python scalars by value)."""
    return tree_fold(x, _leaf_key, _node_key, exact=True)


def _merge_identical(steps, outputs):
    """Compute each repeated call (same function, same arguments) once. A real sum or product
    of two operands is also the same call with its operands swapped, where the result's dtype,
    shape and type are the same: IEEE addition and multiplication commute exactly (only which
    NaN comes out of two NaNs may differ). Complex products do not: numpy fuses their
    multiply-adds in operand order."""
    rename, seen, merged = {}, {}, []
    for step in steps:
        if type(step) is Guard:
            merged.append(Guard(rename.get(step.slot, step.slot), step.convert, step.value))
            continue
        args, kwargs = renamed(step.args, rename), renamed(step.kwargs, rename)
        if not step.draw:
            key = (id(step.fun), _call_key(args), _call_key(kwargs))
            if key in seen:
                rename[step.slot] = seen[key][0]
                continue
            swapped = _swapped_key(step.fun, args, kwargs)
            if swapped in seen and seen[swapped][1] == step.note and real_note(step.note):
                rename[step.slot] = seen[swapped][0]
                continue
            seen[key] = (step.slot, step.note)
        merged.append(Call(step.fun, args, kwargs, step.slot, step.note, step.draw))
    return merged, [renamed(leaf, rename) for leaf in outputs]


def _swapped_key(fun, args, kwargs):
    """The merging key of ``fun`` on ``args`` in the other order, for a sum or product of two
    operands (no keyword arguments); else None."""
    if fun not in _COMMUTATIVE or kwargs or len(args) != 2:
        return None
    return (id(fun), _call_key(args[::-1]), _call_key(kwargs))


def _drop_dead(steps, outputs):
    """The steps without the calls whose values no output, guard or kept call reads."""
    needed = {slot for leaf in outputs for slot in refs(leaf)}
    kept = []
    for step in reversed(steps):
        if type(step) is Guard:
            needed.add(step.slot)
        elif step.draw or step.slot in needed:
            needed.update(refs(step.args))
            needed.update(refs(step.kwargs))
        else:
            continue
        kept.append(step)
    return kept[::-1]
