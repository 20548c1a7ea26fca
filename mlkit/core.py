"""The engine's entry points under HIPS autograd's module path ``autograd.core``.

``make_vjp(fun, x)`` and ``make_jvp(fun, x)`` here are the one-argument forms that operators of
one's own build on (with ``mlkit.wrap_util.unary_to_nary``); ``mlkit.make_vjp`` is the
many-argument operator.
"""

from mlkit.autodiff.entry import make_jvp, make_vjp
from mlkit.autodiff.forward import JVPNode, def_linear, defjvp, defjvp_argnum
from mlkit.autodiff.reverse import VJPNode, defvjp, defvjp_argnum
from mlkit.autodiff.tracer import Node, getval
from mlkit.autodiff.vspace import VSpace, vspace
from mlkit.extend import defjvp_argnums, defvjp_argnums, primitive

__all__ = ["make_vjp", "make_jvp", "VJPNode", "JVPNode", "Node", "VSpace", "vspace", "primitive",
           "getval", "defvjp", "defjvp", "defvjp_argnum", "defjvp_argnum", "defvjp_argnums",
           "defjvp_argnums", "def_linear"]
