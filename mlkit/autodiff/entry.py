"""Entry points of both modes: trace a function at an input, then pull back or push forward."""

import warnings

from mlkit.autodiff.containers import pack_output
from mlkit.autodiff.forward import JVPNode
from mlkit.autodiff.reverse import VJPNode, backward_pass
from mlkit.autodiff.tracer import box_types, new_box, new_trace_id
from mlkit.autodiff.vspace import vspace

__all__ = ["trace_call", "make_vjp", "make_jvp"]


def trace_call(fun, x, root):
    """Call ``fun(x)`` with ``x`` boxed under a new trace rooted at ``root``.

    Returns ``(output value, output node)``; the node is None when the output does not depend
    on ``x`` (a constant), in which case a warning says so.
    """
    trace = new_trace_id()
    out = pack_output(fun(new_box(x, trace, root)), trace)
    if type(out) in box_types and out._trace == trace:
        return out._value, out._node
    warnings.warn(
        f"the output of {getattr(fun, '__name__', fun)!s} does not depend on its input; "
        "its derivative is zero",
        stacklevel=3,
    )
    return out, None


def make_vjp(fun, x):
    """Trace ``fun`` at ``x``; return ``(vjp, fun(x))`` where ``vjp(g)`` pulls g back to x."""
    start = VJPNode.root()
    end_value, end_node = trace_call(fun, x, start)

    def vjp(g):
        if end_node is None:
            return vspace(x).zeros()
        result = backward_pass(g, end_node, start)
        return vspace(x).zeros() if result is None else result

    return vjp, end_value


def make_jvp(fun, x):
    """Return ``jvp(v) -> (fun(x), the derivative of fun at x along v)``."""

    def jvp(v):
        end_value, end_node = trace_call(fun, x, JVPNode.root(v))
        if end_node is None:
            return end_value, vspace(end_value).zeros()
        return end_value, end_node.tangent

    return jvp
