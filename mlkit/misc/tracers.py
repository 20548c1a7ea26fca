"""``const_graph``: trace a function once, then replay only its primitive calls.

The first call runs the function under a trace that records each primitive call (the
function, its constant arguments and which arguments came from traced values); later calls
feed new inputs through that record, skipping the Python between the calls. This is exact
only for a function whose sequence of primitive calls does not depend on its inputs (no
branching on their values): a function of constants, as far as its control flow goes.
"""

import functools
import itertools
import warnings

from mlkit.autodiff.entry import trace_call
from mlkit.autodiff.tracer import Node
from mlkit.tree import tree_leaves

__all__ = ["const_graph"]

_creation = itertools.count()


class _Call(Node):
    """One recorded primitive call, with its traced arguments' slots left empty."""

    __slots__ = ("args", "argnums", "fun", "kwargs", "order")

    def __init__(self, ans, fun, args, kwargs, argnums, parents):
        self.parents = parents
        self.fun = fun
        self.args = [None if i in argnums else arg for i, arg in enumerate(args)]
        self.kwargs = kwargs
        self.argnums = argnums
        self.order = next(_creation)

    @classmethod
    def root(cls):
        node = cls.__new__(cls)
        node.parents = ()
        node.order = next(_creation)
        return node


def _calls_in_order(end_node):
    """Every recorded call ``end_node`` depends on, in the order they ran."""
    seen, stack = {end_node}, [end_node]
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted((node for node in seen if node.parents), key=lambda node: node.order)


def _replay(calls, end_node, roots, leaves):
    values = dict(zip(roots, leaves))
    for call in calls:
        args = list(call.args)
        for argnum, parent in zip(call.argnums, call.parents):
            args[argnum] = values[parent]
        values[call] = call.fun(*args, **call.kwargs)
    return values[end_node]


def const_graph(fun, *args, **kwargs):
    """``fun`` with ``args`` and ``kwargs`` bound, traced at its first call and replayed at
    every later call; raises ValueError if the output does not depend on the arguments."""
    bound = functools.partial(fun, *args, **kwargs)
    recorded = []

    @functools.wraps(fun)
    def cached(*call_args):
        if recorded:
            return _replay(*recorded, tree_leaves(call_args, exact=True))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*does not depend on its input")
            value, end_node, roots = trace_call(lambda xs: bound(*xs), call_args, _root)
        if end_node is None:
            name = getattr(fun, "__name__", repr(fun))
            raise ValueError(f"const_graph: the output of {name} does not depend on its "
                             "arguments, so there is no graph to record; call it directly")
        recorded.extend((_calls_in_order(end_node), end_node, roots))
        return value

    return cached


def _root(_tangent):
    return _Call.root()
