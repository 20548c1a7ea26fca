"""``jit``: record a function once per signature, then replay the recorded program.

The signature of a call is the structure of its arguments, the shape and dtype of each array
(and the type of each number) in them, and the value of everything else (the static
arguments, Python ints and bools, strings, None). A signature seen before replays its
program; a failed guard replays, or records, the program of the other path; a new signature
records anew. Called on values another trace follows (inside ``grad``, or inside another
jitted function while it records), the function simply runs, so that the enclosing trace
sees every call.
"""

import collections
import functools
import time
import warnings

import numpy

from mlkit.autodiff.tracer import Box, current_recorder, new_trace_id, rawval, set_recorder
from mlkit.jit.profile import Profile
from mlkit.jit.program import Miss, Program, fresh, value_key
from mlkit.jit.recording import Recorder, Ref
from mlkit.tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["jit"]

# Leaf types traced as inputs of the program (the others are part of the signature).
_TRACED = frozenset([float, complex] + [
    kind for kind in set(numpy.sctypeDict.values())
    if issubclass(kind, (numpy.inexact, numpy.integer))])
_CONSTANT_OUTPUTS = (numpy.ndarray, numpy.generic, float, complex, int, bool, type(None))


class _Traced(Exception):  # noqa: N818 (control flow: an argument is traced already)
    pass


def jit(fun, static_argnums=(), static_argnames=(), *, cache_size=32, max_paths=16):
    """``fun`` recorded at its first call with each signature and replayed at later ones.

    ``static_argnums``/``static_argnames`` name the arguments that are part of the signature
    by value (a new value records anew) instead of traced. At most ``cache_size`` signatures
    are kept (the least recently used goes first), each with at most ``max_paths`` programs
    (one per path through its Python control flow); past that, calls run ``fun`` eagerly,
    with one warning. ``jit(fun).listing(*args)`` shows the program those arguments run.
    """
    return Jitted(fun, static_argnums, static_argnames, cache_size, max_paths)


class _Entry:
    __slots__ = ("first_call", "paths", "root")

    def __init__(self, root, first_call):
        self.root, self.paths, self.first_call = root, 1, first_call


class Jitted:
    """A jitted function: call it like ``fun``; ``listing(*args)`` shows its program and
    ``profile(*args)`` where a call's time goes."""

    def __init__(self, fun, static_argnums, static_argnames, cache_size, max_paths):
        if not callable(fun):
            raise TypeError(f"mlkit.jit expects a function, got {type(fun).__name__}")
        functools.update_wrapper(self, fun, updated=())  # its name, not its attributes
        self.fun = fun
        self.static_argnums = frozenset(
            (static_argnums,) if isinstance(static_argnums, int) else static_argnums)
        self.static_argnames = frozenset(
            (static_argnames,) if isinstance(static_argnames, str) else static_argnames)
        self.cache_size, self.max_paths = int(cache_size), int(max_paths)
        self._cache = collections.OrderedDict()
        self._warned = False

    def __call__(self, *args, **kwargs):
        if current_recorder() is not None:
            return self.fun(*args, **kwargs)  # recorded by the enclosing jit
        try:
            key, leaves = self._signature(args, kwargs)
        except _Traced:
            return self.fun(*args, **kwargs)  # followed by the enclosing trace
        return self._dispatch(key, leaves, args, kwargs)[1]

    def listing(self, *args, **kwargs):
        """The program that a call with these arguments runs, one numpy call per line."""
        key, leaves = self._signature(args, kwargs)
        program = self._dispatch(key, leaves, args, kwargs)[0]
        if program is None:
            return f"# {self.__name__}: this path runs eagerly (more than {self.max_paths} paths)"
        return program.listing()

    def profile(self, *args, **kwargs):
        """A call with these arguments, its replay timed numpy call by numpy call.

        Returns a ``Profile`` (print it for a table): the call's result (``.value``), the
        first call's seconds for this signature, and the replay's calls and seconds by kind
        (GEMM, reduction, elementwise, data movement, other) with the Python overhead between
        them. A call that records (a new signature, or a new path at a failed guard) records
        as a plain call does, then times a replay of the new program with the same random
        draws, so the result and the generators' states are those of a plain call.
        """
        if current_recorder() is not None:
            raise RuntimeError(f"mlkit.jit: {self.__name__}.profile() was called while a jitted "
                               "function records; profile the outermost jitted function")
        try:
            key, leaves = self._signature(args, kwargs)
        except _Traced:
            raise TypeError(f"mlkit.jit: {self.__name__}.profile() got a value traced by a "
                            "derivative; profile the jitted derivative instead") from None
        report = Profile(self.__name__)
        entry, drawn = self._cache.get(key), []
        if entry is None:
            start = time.perf_counter()
            program, report.value, drawn = self._record(args, kwargs, ())
            entry = self._cache[key] = _Entry(program, time.perf_counter() - start)
            report.recording = entry.first_call
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        self._cache.move_to_end(key)
        report.first_call = entry.first_call
        program = entry.root
        while program is not None:
            program, drawn = self._profiled_run(entry, program, drawn, leaves, args, kwargs,
                                                report)
        return report

    def _profiled_run(self, entry, program, drawn, leaves, args, kwargs, report):
        """Replay ``program`` timed into ``report``; the program to replay next (after a
        failed guard) and its draws, or ``(None, None)`` once the call's value is known."""
        run = program.profiled()
        start = time.perf_counter()
        try:
            out = run(report.spent, report.count, list(reversed(drawn)), *leaves)
        except Miss as miss:
            report.replay += time.perf_counter() - start
            following = program.branches.get((miss.index, miss.key))
            if following is not None:
                return following, miss.drawn
            if entry.paths >= self.max_paths:
                start = time.perf_counter()
                report.value = self._record_branch(entry, program, miss, args, kwargs)[1]
                report.eager += time.perf_counter() - start
                return None, None
            start = time.perf_counter()
            following, report.value, taken = self._record(args, kwargs, miss.drawn)
            report.recording += time.perf_counter() - start
            program.branches[(miss.index, miss.key)] = following
            entry.paths += 1
            return following, taken
        report.replay += time.perf_counter() - start
        if report.recording == 0.0:  # else the value is the recording's, as in a plain call
            report.value = out if program.rebuild is None else program.rebuild(out)
        return None, None

    def cache_info(self):
        """``{"signatures": n, "paths": [programs per signature, ...]}``."""
        return {"signatures": len(self._cache),
                "paths": [entry.paths for entry in self._cache.values()]}

    # -- the signature ------------------------------------------------------------------------
    def _signature(self, args, kwargs):
        leaves = []
        parts = []
        static = self.static_argnums
        for position, arg in enumerate(args):
            if type(arg) is numpy.ndarray and position not in static:  # _describe's first case
                leaves.append(arg)
                parts.append((arg.shape, arg.dtype))
            elif position in static:
                parts.append(("static", _hashable(arg, position)))
            else:
                parts.append(_describe(arg, leaves))
        if not kwargs:
            return tuple(parts), leaves
        for name in sorted(kwargs):
            value = kwargs[name]
            if name in self.static_argnames:
                parts.append((name, "static", _hashable(value, name)))
            else:
                parts.append((name, _describe(value, leaves)))
        return tuple(parts), leaves

    # -- replay, or record ---------------------------------------------------------------------
    def _dispatch(self, key, leaves, args, kwargs):
        entry = self._cache.get(key)
        if entry is None:
            start = time.perf_counter()
            program, value, _ = self._record(args, kwargs, ())
            self._cache[key] = _Entry(program, time.perf_counter() - start)
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return program, value
        if len(self._cache) > 1:  # the order of the least recently used
            self._cache.move_to_end(key)
        program, drawn = entry.root, []
        while True:
            try:
                out = program.run(drawn, *leaves)
            except Miss as miss:
                following = program.branches.get((miss.index, miss.key))
                if following is None:
                    return self._record_branch(entry, program, miss, args, kwargs)
                program, drawn = following, list(reversed(miss.drawn))
                continue
            return program, out if program.rebuild is None else program.rebuild(out)

    def _record_branch(self, entry, program, miss, args, kwargs):
        if entry.paths >= self.max_paths:
            if not self._warned:
                self._warned = True
                warnings.warn(f"mlkit.jit: {self.__name__} took more than {self.max_paths} "
                              "paths through its Python control flow for one signature; "
                              "the others run eagerly", RuntimeWarning, stacklevel=4)
            previous = set_recorder(_Redraw(miss.drawn))
            try:
                return None, self.fun(*args, **kwargs)
            finally:
                set_recorder(previous)
        following, value, _ = self._record(args, kwargs, miss.drawn)
        program.branches[(miss.index, miss.key)] = following
        entry.paths += 1
        return following, value

    def _record(self, args, kwargs, drawn):
        recorder = Recorder(new_trace_id(), drawn)
        boxed_args = [arg if position in self.static_argnums else _boxed(arg, recorder)
                      for position, arg in enumerate(args)]
        boxed_kwargs = {name: kwargs[name] if name in self.static_argnames
                        else _boxed(kwargs[name], recorder) for name in sorted(kwargs)}
        previous = set_recorder(recorder)
        try:
            out = self.fun(*boxed_args, **boxed_kwargs)
        finally:
            set_recorder(previous)
        leaves, structure = tree_flatten(out)
        single = structure is None
        program = Program(recorder, [self._output(recorder, leaf) for leaf in leaves],
                          structure)
        values = [rawval(leaf) if type(ref) is Ref else fresh(leaf)
                  for leaf, ref in zip(leaves, program.outputs)]
        value = values[0] if single else tree_unflatten(structure, values)
        return program, value, recorder.taken

    def _output(self, recorder, leaf):
        if issubclass(type(leaf), Box):
            node = leaf._node
            if node.opaque and node.recorder is recorder:
                return Ref(node.slot)
            raise TypeError(f"mlkit.jit: {self.__name__} returned a value still traced by a "
                            "derivative taken inside it; return the derivative's result instead")
        if isinstance(leaf, _CONSTANT_OUTPUTS):
            return leaf
        raise TypeError(f"mlkit.jit: {self.__name__} returned a {type(leaf).__name__}; a jitted "
                        "function returns arrays and numbers (or tuples, lists and dicts of "
                        "them)")


class _Redraw:
    """Stands in for a recording trace while a path runs eagerly: it hands out the random
    values already drawn for this call, then draws afresh."""

    def __init__(self, drawn):
        self.drawn = list(drawn)

    def draw(self, sample, args, kwargs):
        return self.drawn.pop(0) if self.drawn else sample(*args, **kwargs)

    def outside(self, raw, args, kwargs):
        return raw(*args, **kwargs)


def _describe(x, leaves):
    """A hashable description of ``x``'s structure and leaves; traced leaves go to ``leaves``
    (in ``_boxed``'s order). Written out rather than through ``tree_fold``: it runs at every
    call, and an array costs its shape and dtype objects only."""
    kind = type(x)
    if kind is numpy.ndarray:
        leaves.append(x)
        return (x.shape, x.dtype)
    if kind is tuple or kind is list:
        return (kind, tuple([_describe(item, leaves) for item in x]))
    if kind is dict:
        return (dict, tuple([(key, _describe(value, leaves)) for key, value in x.items()]))
    if kind in _TRACED:
        leaves.append(x)
        return kind
    if issubclass(kind, Box):
        raise _Traced
    return ("static", _hashable(x, None))


def _hashable(x, where):
    """``x`` as part of a signature: by ``value_key``, so that a static -0.0 is not 0.0
    (``1 / n`` has another sign) and a NaN is the same as another NaN."""
    try:
        hash(x)
    except TypeError:
        if where is not None:  # named static: its value is part of the signature
            raise TypeError(f"mlkit.jit: the static argument {where!r}, of type "
                            f"{type(x).__name__}, cannot be hashed into the signature; pass "
                            "it as a traced argument (not static), or as a tuple") from None
        raise TypeError(f"mlkit.jit: an argument of type {type(x).__name__} is neither an "
                        "array, a number, a tuple/list/dict of them, nor hashable, so it cannot "
                        "be part of the signature") from None
    return value_key(x)


def _boxed(x, recorder):
    """``x`` with each traced leaf boxed as the recorder's next input (in ``_describe``'s
    order)."""

    def leaf(value):
        kind = type(value)
        return recorder.input(value) if kind is numpy.ndarray or kind in _TRACED else value

    return tree_map(leaf, x, exact=True)
