"""Traces: how a primitive call on a differentiated value gets recorded.

A value being differentiated is wrapped in a Box (``mlkit.autodiff.boxes``) that carries the id
of its trace and the node that produced it. Every trace has its own increasing id, so a box of a
box (a derivative of a derivative) is recorded by the innermost trace first and independent
traces never mix. A value is traced when its type is a Box subclass.
"""

import functools
import inspect
import warnings

from mlkit.autodiff.boxes import Box, Node, box_classes, new_box, new_trace_id
from mlkit.tree import tree_map

__all__ = ["Box", "Node", "any_box", "bind_traced_keywords", "concrete",
           "current_recorder", "differentiated", "draw", "getval", "is_box", "new_box",
           "new_trace_id", "primitive", "rawval", "record_outside", "set_recorder", "trace"]

def trace(start_node, fun, x):
    """Run ``fun(x)`` with ``x`` boxed under a new trace whose root is ``start_node``.

    Every primitive applied on the way makes a node of ``start_node``'s class, so a Node
    subclass of one's own (one that prints each call, or builds a graph) sees the whole
    computation. Returns ``(output value, output node)``, or ``(output, None)`` with a warning
    when the output does not depend on ``x``.
    """
    trace_id = new_trace_id()
    out = fun(new_box(x, trace_id, start_node))
    if issubclass(type(out), Box) and out._trace == trace_id:
        return out._value, out._node
    warnings.warn(f"the output of {getattr(fun, '__name__', fun)!s} does not depend on its "
                  "input, so no node of the trace produced it", stacklevel=2)
    return out, None


def is_box(x) -> bool:
    """Whether ``x`` is a traced value (a box around the raw value)."""
    return issubclass(type(x), Box)


def any_box(*values) -> bool:
    """Whether any of ``values`` is traced (a box of any trace)."""
    return any(issubclass(type(x), Box) for x in values)


def differentiated(*values) -> bool:
    """Whether a derivative is being taken through any of ``values``: a box of a
    differentiating trace at any depth, also inside lists and tuples (a value mlkit.jit only
    records is not)."""
    for x in values:
        kind = type(x)
        while issubclass(kind, Box):
            if not x._node.opaque:
                return True
            x = x._value
            kind = type(x)
        if (kind is list or kind is tuple) and differentiated(*x):
            return True
    return False


def getval(x):
    """The raw value under any number of boxes (down to a recording trace's box, which stands
    for the value at replay)."""
    while issubclass(type(x), Box) and not x._node.opaque:
        x = x._value
    return x


def rawval(x):
    """The raw value under every box, a recording trace's included."""
    while issubclass(type(x), Box):
        x = x._value
    return x


def concrete(x, convert):
    """``convert`` of the raw value of box ``x``, as a plain Python (or numpy) value; the
    recording trace among its boxes, if any, is told, so that it checks it again at replay."""
    node = None
    while issubclass(type(x), Box):
        if x._node.opaque:
            node = x._node
        x = x._value
    value = convert(x)
    return value if node is None else node.concrete(convert, value)


# The recording trace that is running (mlkit.jit sets it), or None. It hears of the calls made
# on its values outside the primitives (non-differentiable functions) and of random draws.
_recorder = None


def current_recorder():
    """The running recording trace, or None."""
    return _recorder


def set_recorder(recorder):
    """Make ``recorder`` the running recording trace; return the one it replaces."""
    global _recorder
    previous, _recorder = _recorder, recorder
    return previous


def record_outside(raw, args, kwargs):
    """``raw(*args, **kwargs)`` on the raw values of arguments that hold a recording trace's
    boxes (a non-differentiable function): the running recording trace records the call."""
    if _recorder is None:
        return raw(*tree_map(rawval, args, exact=True), **tree_map(rawval, kwargs, exact=True))
    return _recorder.outside(raw, args, kwargs)


def draw(sample, *args, **kwargs):
    """``sample(*args, **kwargs)``, a random draw: a recording trace makes it an input of its
    program (drawn afresh at each replay) instead of a constant."""
    if _recorder is None:
        return sample(*args, **kwargs)
    return _recorder.draw(sample, args, kwargs)


def _box_or_hand_over(ans, trace, node, f_raw, args, kwargs):
    """Box ``ans``, unless one argument's own type took the call over and returned its type
    (an array wrapper that defers to numpy, such as an xarray.DataArray, holding traced
    values). Then ``f_raw`` runs again on the traced arguments themselves, so that the wrapper
    hands them on to the traced primitives and the derivative flows through it."""
    kind = type(ans)
    if kind not in (list, tuple, dict) and any(type(arg) is kind for arg in args):
        return f_raw(*args, **kwargs)
    return new_box(ans, trace, node)


ARGNUM_0, ARGNUM_1 = (0,), (1,)


def _holds_box(kwargs) -> bool:
    return any(issubclass(type(value), Box) for value in kwargs.values())


@functools.cache
def _positional_parameters(f_raw):
    """The parameters of ``f_raw`` that can be given by position, in order (empty when the
    signature cannot be read, as for numpy's ufuncs, whose arguments are positional only)."""
    try:
        parameters = inspect.signature(f_raw).parameters.values()
    except (TypeError, ValueError):
        return ()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p for p in parameters if p.kind in kinds)


def bind_traced_keywords(f_raw, args, kwargs):
    """``(args, kwargs)`` with each traced keyword argument moved to its position (and the
    keyword arguments before it, or their defaults), so that rules, which read arguments by
    position, see it and the call records it as an argument."""
    parameters = _positional_parameters(f_raw)
    names = [p.name for p in parameters]
    traced = [name for name, value in kwargs.items() if issubclass(type(value), Box)]
    outside = [name for name in traced if name not in names]
    if outside:
        name = getattr(f_raw, "__name__", repr(f_raw))
        raise TypeError(
            f"{name}() cannot be differentiated with respect to its keyword-only argument "
            f"{outside[0]!r}; pass it by position, or through the mlkit.numpy function of the "
            "same name"
        )
    last = max(names.index(name) for name in traced)
    kwargs = dict(kwargs)
    args = list(args)
    for parameter in parameters[len(args):last + 1]:
        if parameter.name in kwargs:
            args.append(kwargs.pop(parameter.name))
        elif parameter.default is not inspect.Parameter.empty:
            args.append(parameter.default)
        else:
            raise TypeError(f"{getattr(f_raw, '__name__', f_raw)}() missing required argument "
                            f"{parameter.name!r}")
    return args, kwargs


_SEQUENCES = frozenset((list, tuple))


def _nests_box(args) -> bool:
    """True if a list or tuple argument holds a box (an index tuple with a recorded array):
    the call is then a recording trace's to make, though no argument is itself traced."""
    return any(issubclass(type(item), Box)
               for arg in args if type(arg) in _SEQUENCES for item in arg)


def primitive(f_raw, pack=None, pack_dicts=False):
    """Make ``f_raw`` traceable: called on boxes, it records a node and returns a box.

    Only the boxes of the newest (innermost) trace among the arguments are unwrapped; the call
    recurses so that boxes of older traces are recorded by their own traces in turn. With
    ``pack``, a positional list or tuple argument (and dict, with ``pack_dicts``) is first
    replaced by ``pack(argument)`` (which turns one holding boxes into a single traced value,
    and returns any other as is).
    """
    packable = _SEQUENCES | {dict} if pack_dicts else _SEQUENCES

    def packed(args):
        """``args`` with their lists and tuples packed, or None if none held a box."""
        new = [pack(arg) if type(arg) in packable else arg for arg in args]
        return None if all(n is old for n, old in zip(new, args)) else new

    @functools.wraps(f_raw)
    def f_wrapped(*args, **kwargs):
        if len(args) == 1:
            # The most common call, a function of one traced array, without the general scan.
            (arg,) = args
            if not issubclass(type(arg), Box):
                if pack is not None and type(arg) in packable:
                    new_args = packed(args)
                    if new_args is not None:
                        return f_wrapped(*new_args, **kwargs)
                if _recorder is not None and _nests_box(args):
                    return _recorder.outside(f_raw, args, kwargs)
                try:  # free unless it raises
                    return f_raw(arg, **kwargs)
                except Exception:  # re-raised unless a keyword argument is traced
                    if not (kwargs and _holds_box(kwargs)):
                        raise
                args, kwargs = bind_traced_keywords(f_raw, args, kwargs)
                return f_wrapped(*args, **kwargs)
            if kwargs and _holds_box(kwargs):
                args, kwargs = bind_traced_keywords(f_raw, args, kwargs)
                return f_wrapped(*args, **kwargs)
            value = arg._value
            ans = (f_wrapped if issubclass(type(value), Box) else f_raw)(value, **kwargs)
            node = arg._node.__class__(ans, f_wrapped, [value], kwargs, ARGNUM_0,
                                       (arg._node,))
            try:
                return box_classes[type(ans)](ans, arg._trace, node)
            except KeyError:
                return _box_or_hand_over(ans, arg._trace, node, f_raw, args, kwargs)
        if len(args) == 2:
            # Binary calls with one traced argument (x * 2.0, A @ w) skip the general scan.
            first, second = args
            first_boxed = issubclass(type(first), Box)
            second_boxed = issubclass(type(second), Box)
            if not (first_boxed or second_boxed) and (
                    pack is None
                    or (type(first) not in packable and type(second) not in packable)):
                if _recorder is not None and _nests_box(args):
                    return _recorder.outside(f_raw, args, kwargs)
                try:  # a traced keyword argument that numpy could not take is bound below
                    return f_raw(first, second, **kwargs)
                except Exception:  # re-raised unless a keyword argument is traced
                    if not (kwargs and _holds_box(kwargs)):
                        raise
                args, kwargs = bind_traced_keywords(f_raw, args, kwargs)
                return f_wrapped(*args, **kwargs)
            if first_boxed != second_boxed and (pack is None
                                                or type(second if first_boxed else first)
                                                not in packable):
                if kwargs and _holds_box(kwargs):
                    args, kwargs = bind_traced_keywords(f_raw, args, kwargs)
                    return f_wrapped(*args, **kwargs)
                arg, argnums = (first, ARGNUM_0) if first_boxed else (second, ARGNUM_1)
                value = arg._value
                argvals = [value, second] if first_boxed else [first, value]
                other = second if first_boxed else first
                nested = issubclass(type(value), Box) or issubclass(type(other), Box)
                ans = f_wrapped(*argvals, **kwargs) if nested else f_raw(*argvals, **kwargs)
                node = arg._node.__class__(ans, f_wrapped, argvals, kwargs, argnums,
                                           (arg._node,))
                try:
                    return box_classes[type(ans)](ans, arg._trace, node)
                except KeyError:
                    return _box_or_hand_over(ans, arg._trace, node, f_raw, args, kwargs)
        top = -1  # trace ids are >= 0: 0 is valid, as for a trace driven by hand
        sequences = False
        for arg in args:
            if issubclass(type(arg), Box):
                if arg._trace > top:
                    top = arg._trace
            elif type(arg) in packable:
                sequences = True
        if sequences and pack is not None:
            new_args = packed(args)
            if new_args is not None:
                return f_wrapped(*new_args, **kwargs)
        if kwargs and _holds_box(kwargs):
            args, kwargs = bind_traced_keywords(f_raw, args, kwargs)
            return f_wrapped(*args, **kwargs)
        if top < 0:
            if _recorder is not None and _nests_box(args):
                return _recorder.outside(f_raw, args, kwargs)
            return f_raw(*args, **kwargs)
        argvals = list(args)
        argnums = []
        parents = []
        nested = False
        for i, arg in enumerate(args):
            if issubclass(type(arg), Box):
                if arg._trace == top:
                    value = argvals[i] = arg._value
                    argnums.append(i)
                    parents.append(arg._node)
                    nested = nested or issubclass(type(value), Box)
                else:
                    nested = True
        ans = f_wrapped(*argvals, **kwargs) if nested else f_raw(*argvals, **kwargs)
        node = parents[0].__class__(ans, f_wrapped, argvals, kwargs, argnums, parents)
        try:
            return box_classes[type(ans)](ans, top, node)
        except KeyError:
            return _box_or_hand_over(ans, top, node, f_raw, args, kwargs)

    f_wrapped.fun = f_raw
    f_wrapped._is_primitive = True
    return f_wrapped
