"""Entry points of both modes: trace a function at an input, then pull back or push forward.

A tuple/list/dict input is not boxed whole: each of its leaves gets its own root node, so the
function sees an ordinary container of traced values (indexing it records nothing) and the
gradient of each leaf is collected separately.
"""

import warnings

from mlkit.autodiff.containers import pack_output
from mlkit.autodiff.forward import JVPNode
from mlkit.autodiff.reverse import VJPNode, backward_pass
from mlkit.autodiff.tracer import box_types, new_box, new_trace_id
from mlkit.autodiff.vspace import vspace

__all__ = ["make_jvp", "make_vjp", "trace_call"]

_CONTAINERS = (tuple, list, dict)


def _box_leaves(x, tangent, trace, make_root, roots):
    """``x`` with each leaf boxed under its own root (appended to ``roots`` in leaf order)."""
    kind = type(x)
    if kind is dict:
        return {k: _box_leaves(v, _part(tangent, k), trace, make_root, roots) for k, v in x.items()}
    if kind is tuple or kind is list:
        boxed = [_box_leaves(v, _part(tangent, i), trace, make_root, roots)
                 for i, v in enumerate(x)]
        return boxed if kind is list else tuple(boxed)
    root = make_root(tangent)
    roots.append(root)
    return new_box(x, trace, root)


def _part(tangent, key):
    return None if tangent is None else tangent[key]


def _rebuild(x, leaves):
    """A value shaped like ``x`` from an iterator of its leaves' replacements."""
    kind = type(x)
    if kind is dict:
        return {k: _rebuild(v, leaves) for k, v in x.items()}
    if kind is tuple or kind is list:
        return kind(_rebuild(v, leaves) for v in x)
    return next(leaves)


def leaf_values(x):
    """The leaves of a value (nested tuples, lists and dicts), in order."""
    kind = type(x)
    if kind is dict:
        return [leaf for v in x.values() for leaf in leaf_values(v)]
    if kind is tuple or kind is list:
        return [leaf for v in x for leaf in leaf_values(v)]
    return [x]


def trace_call(fun, x, make_root, tangent=None):
    """Call ``fun`` on ``x`` traced under a new trace.

    Returns ``(output value, output node, roots)``; the node is None when the output does
    not depend on ``x`` (a constant), in which case a warning says so.
    """
    trace = new_trace_id()
    roots = []
    out = pack_output(fun(_box_leaves(x, tangent, trace, make_root, roots)), trace)
    if type(out) in box_types and out._trace == trace:
        return out._value, out._node, roots
    warnings.warn(
        f"the output of {getattr(getattr(fun, 'func', fun), '__name__', fun)!s} does not depend "
        "on its input; its derivative is zero",
        stacklevel=3,
    )
    return out, None, roots


def make_vjp(fun, x):
    """Trace ``fun`` at ``x``; return ``(vjp, fun(x))`` where ``vjp(g)`` pulls g back to x."""
    end_value, end_node, roots = trace_call(fun, x, lambda _: VJPNode.root())
    if type(x) not in _CONTAINERS:  # one leaf: its root's cotangent is the answer
        (root,) = roots

        def vjp_leaf(g):
            if end_node is not None:
                grads = backward_pass(g, end_node, roots)
                if root in grads:
                    return grads[root]
            return vspace(x).zeros()

        return vjp_leaf, end_value

    def vjp(g):
        grads = {} if end_node is None else backward_pass(g, end_node, roots)
        leaves = leaf_values(x)
        return _rebuild(x, iter([grads[root] if root in grads else vspace(leaf).zeros()
                                 for root, leaf in zip(roots, leaves)]))

    return vjp, end_value


def make_jvp(fun, x):
    """Return ``jvp(v) -> (fun(x), the derivative of fun at x along v)``."""

    def jvp(v):
        end_value, end_node, _ = trace_call(fun, x, JVPNode.root, tangent=v)
        if end_node is None:
            return end_value, vspace(end_value).zeros()
        return end_value, end_node.tangent

    return jvp
