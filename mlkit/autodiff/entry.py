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
from mlkit.tree import is_container, tree_map

__all__ = ["make_jvp", "make_vjp", "trace_call"]


def trace_call(fun, x, make_root, tangent=None):
    """Call ``fun`` on ``x`` traced under a new trace.

    Returns ``(output value, output node, roots)``; the node is None when the output does
    not depend on ``x`` (a constant), in which case a warning says so.
    """
    trace = new_trace_id()
    roots = []

    def box(leaf, leaf_tangent=None):
        root = make_root(leaf_tangent)
        roots.append(root)
        return new_box(leaf, trace, root)

    if tangent is None:
        boxed = tree_map(box, x, exact=True)
    else:  # a tangent is matched to x by key, and taken whole at each of x's leaves
        boxed = tree_map(box, x, tangent, exact=True, prefix=True)
    out = pack_output(fun(boxed), trace)
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
    if not is_container(x, exact=True):  # one leaf: its root's cotangent is the answer
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
        in_order = iter(roots)  # the roots were made in the order tree_map visits the leaves

        def cotangent(leaf):
            root = next(in_order)
            return grads[root] if root in grads else vspace(leaf).zeros()

        return tree_map(cotangent, x, exact=True)

    return vjp, end_value


def make_jvp(fun, x):
    """Return ``jvp(v) -> (fun(x), the derivative of fun at x along v)``."""

    def jvp(v):
        end_value, end_node, _ = trace_call(fun, x, JVPNode.root, tangent=v)
        if end_node is None:
            return end_value, vspace(end_value).zeros()
        return end_value, end_node.tangent

    return jvp
