"""Boxes, nodes and tracing under HIPS autograd's module path ``autograd.tracer``: what a
library needs to box values of its own types (``Box.type_mappings``) or to drive a trace."""

from mlkit.autodiff.tracer import Box, Node, getval, new_box, primitive, trace
from mlkit.extend import isbox, notrace_primitive

__all__ = ["Box", "Node", "getval", "isbox", "new_box", "notrace_primitive", "primitive", "trace"]
