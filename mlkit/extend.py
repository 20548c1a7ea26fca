"""The extension API: define new primitives and their derivative rules.

A primitive is a plain function made traceable with ``primitive``; ``defvjp`` gives one VJP
maker per argument (``maker(ans, *args, **kwargs) -> (g -> cotangent)``, None for zero) and
``defjvp`` one JVP rule per argument (``rule(g, ans, *args, **kwargs) -> tangent``). Write the
rules with ``mlkit.numpy`` and higher derivatives come for free. ``custom_vjp`` wraps a
reference function with a faster hand-written first reverse derivative (a fused kernel).
``trace(node, fun, x)`` drives a Node class of one's own (a printer, a graph builder) through
a computation.
"""

import functools
import warnings

from mlkit.autodiff.containers import ContainerVSpace, pack_traced
from mlkit.autodiff.custom import custom_vjp
from mlkit.autodiff.entry import derivative_of, fun_name, unary_of
from mlkit.autodiff.forward import JVPNode, def_linear, defjvp, defjvp_argnum
from mlkit.autodiff.reverse import DeprecatedFormWarning, VJPNode, defvjp, defvjp_argnum
from mlkit.autodiff.rule_tables import defjvp_argnums, defvjp_argnums
from mlkit.autodiff.tracer import Box, Node, draw, getval, trace
from mlkit.autodiff.tracer import is_box as isbox
from mlkit.autodiff.tracer import primitive as _primitive
from mlkit.autodiff.vspace import VSpace, vspace
from mlkit.numpy.rules.base import broadcast_like, unbroadcast
from mlkit.numpy.rules.elementwise import def_elementwise
from mlkit.numpy.wrap import nondifferentiable

__all__ = ["primitive", "custom_vjp", "defvjp", "defjvp", "defvjp_argnum", "defjvp_argnum",
           "def_linear",
           "def_elementwise", "nondifferentiable", "unbroadcast", "broadcast_like", "Box",
           "VSpace", "ContainerVSpace", "vspace", "getval", "notrace_primitive",
           "defvjp_argnums", "defjvp_argnums", "draw", "isbox", "unary_to_nary",
           "Node", "VJPNode", "JVPNode", "trace", "DeprecatedFormWarning"]


def primitive(f_raw):
    """``f_raw`` made traceable: called on traced values it records a call, whose rules are
    given with ``defvjp``/``defjvp``. Programs written for older HIPS autograd may instead use
    its deprecated method forms, kept with a DeprecatedFormWarning: ``f.defvjp(vjp, argnum)``
    with ``vjp(g, ans, vs, gvs, *args)``, ``f.defgrad(maker, argnum)`` and
    ``f.defvjp_is_zero(argnums)``. A list, tuple or dict argument holding traced values is one
    traced argument: ``f_raw`` gets the container of their values and the argument's VJP
    returns a container of cotangents (``grad`` of a function of a tuple passes one)."""
    fun = _primitive(f_raw, pack=pack_traced, pack_dicts=True)
    fun.defvjp = functools.partial(_old_defvjp, fun)
    fun.defgrad = functools.partial(_old_defgrad, fun)
    fun.defvjp_is_zero = functools.partial(_old_defvjp_is_zero, fun)
    return fun


def _deprecated(form):
    warnings.warn(f"{form} is HIPS autograd's deprecated rule form; write "
                  "mlkit.defvjp(fun, maker_for_arg0, maker_for_arg1, ...) with "
                  "maker(ans, *args) -> (g -> cotangent)", DeprecatedFormWarning, stacklevel=3)


def _old_defvjp(fun, vjp, argnum=0):
    _deprecated("f.defvjp(vjp, argnum)")

    def maker(ans, *args, **kwargs):
        return lambda g: vjp(g, ans, vspace(args[argnum]), vspace(g), *args, **kwargs)

    defvjp(fun, maker, argnums=(argnum,))


def _old_defgrad(fun, maker, argnum=0):
    _deprecated("f.defgrad(maker, argnum)")
    defvjp(fun, maker, argnums=(argnum,))


def _old_defvjp_is_zero(fun, argnums=(0,)):
    _deprecated("f.defvjp_is_zero(argnums)")
    defvjp(fun, *[None] * len(argnums), argnums=tuple(argnums))


def notrace_primitive(fun):
    """``fun`` called on the raw values under any boxes, so its result is a constant: for
    functions whose output carries no derivative (shapes, types, comparisons, counters)."""

    @functools.wraps(fun)
    def untraced(*args, **kwargs):
        return fun(*[getval(a) for a in args], **{k: getval(v) for k, v in kwargs.items()})

    return untraced


def unary_to_nary(unary_operator):
    """Make ``unary_operator(f, x, *options)``, an operator on functions of one argument,
    into ``operator(fun, argnum=0, *options)(*args, **kwargs)`` for functions of many, as
    ``grad`` and the other operators are: ``argnum`` picks the argument (an int), or the
    arguments (a tuple or list, which ``x`` then is a tuple of)."""

    @functools.wraps(unary_operator)
    def nary_operator(fun, argnum=0, *options, **option_keywords):
        @derivative_of(fun, fun_name(unary_operator), argnum)
        def nary_fun(*args, **kwargs):
            unary, x = unary_of(fun, argnum, args, kwargs)
            return unary_operator(unary, x, *options, **option_keywords)

        return nary_fun

    return nary_operator
