"""Boxes, nodes and tracing under HIPS autograd's module path ``autograd.tracer``: what a
library needs to box values of its own types (``Box.type_mappings``) or to drive a trace
(``with trace_stack.new_trace() as t``, then ``new_box(x, t, node)``)."""

import contextlib

from mlkit.autodiff.tracer import Box, Node, getval, new_box, new_trace_id, trace
from mlkit.extend import isbox, notrace_primitive, primitive

__all__ = ["Box", "Node", "getval", "isbox", "new_box", "notrace_primitive", "primitive", "trace",
           "trace_stack"]


class _TraceStack:
    """Where a trace of one's own gets its id: newer traces nest inside older ones."""

    @contextlib.contextmanager
    def new_trace(self):
        yield new_trace_id()


trace_stack = _TraceStack()
