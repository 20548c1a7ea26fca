"""The engine's entry points under HIPS autograd's module path ``autograd.core``.

``make_vjp(fun, x)`` and ``make_jvp(fun, x)`` here are the one-argument forms that operators of
one's own build on (with ``mlkit.wrap_util.unary_to_nary``); ``mlkit.make_vjp`` is the
many-argument operator. ``backward_pass(g, end_node)`` is the reverse pass of a trace driven by
hand (a root from ``VJPNode.new_root()``, boxed with ``mlkit.tracer.new_box``), as pymoo does.
``primitive_vjps``/``primitive_jvps`` are the rule registries as autograd's tables.
"""

from mlkit.autodiff.entry import make_jvp, make_vjp
from mlkit.autodiff.forward import JVPNode, def_linear, defjvp, defjvp_argnum
from mlkit.autodiff.reverse import VJPNode, defvjp, defvjp_argnum
from mlkit.autodiff.reverse import backward_pass as _backward_pass
from mlkit.autodiff.rule_tables import primitive_jvps, primitive_vjps
from mlkit.autodiff.tracer import Node, getval
from mlkit.autodiff.vspace import VSpace, vspace
from mlkit.extend import defjvp_argnums, defvjp_argnums, primitive

__all__ = ["make_vjp", "make_jvp", "VJPNode", "JVPNode", "Node", "VSpace", "vspace", "primitive",
           "getval", "defvjp", "defjvp", "defvjp_argnum", "defjvp_argnum", "defvjp_argnums",
           "defjvp_argnums", "def_linear", "backward_pass", "primitive_vjps", "primitive_jvps"]


def backward_pass(g, end_node):
    """The cotangent ``g`` of ``end_node`` pulled back to the one root its trace started from
    (0 if no path to it carries a derivative)."""
    roots, seen, stack = [], set(), [end_node]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.parents)
            if not node.parents:
                roots.append(node)
    if len(roots) != 1:
        raise ValueError(
            f"backward_pass: the trace ending at this node starts from {len(roots)} roots; "
            "this form returns the cotangent of one, so trace from a single root (or use "
            "mlkit.make_vjp, which takes several arguments)")
    return _backward_pass(g, end_node, roots).get(roots[0], 0.0)
