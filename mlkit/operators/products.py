"""Products with derivatives that never form a matrix: VJPs, JVPs, Hessian-vector and
Gauss-Newton products, and checkpointing, whose rules are such products."""

import mlkit.numpy as mnp
from mlkit.autodiff.entry import def_rules_of, derivative_of, unary_of
from mlkit.autodiff.entry import make_jvp as _make_jvp
from mlkit.autodiff.tracer import primitive
from mlkit.autodiff.vspace import vspace
from mlkit.operators.argnum import differentiable, in_output_dtypes, traced
from mlkit.operators.gradients import grad
from mlkit.operators.jacobians import jacobian

__all__ = ["checkpoint", "hessian_tensor_product", "hessian_vector_product", "make_ggnvp",
           "make_hvp", "make_jvp", "make_jvp_reversemode", "make_vjp", "tensor_jacobian_product",
           "vector_jacobian_product"]


def make_vjp(fun, argnum=0):
    """``make_vjp(f)(*args) -> (vjp, f(*args))`` with ``vjp(g)`` the pullback of ``g``."""

    @derivative_of(fun, "make_vjp", argnum)
    def vjp_maker(*args, **kwargs):
        return traced(fun, argnum, args, kwargs)

    return vjp_maker


def make_jvp(fun, argnum=0):
    """``make_jvp(f)(*args)(v) -> (f(*args), J v)``: forward mode, the push-forward of ``v``."""

    @derivative_of(fun, "make_jvp", argnum)
    def jvp_maker(*args, **kwargs):
        unary, x = unary_of(fun, argnum, args, kwargs)
        x = differentiable(fun, argnum, x)
        return in_output_dtypes(_make_jvp(unary, x))

    return jvp_maker


def make_jvp_reversemode(fun, argnum=0):
    """``make_jvp_reversemode(f)(*args)(v) -> J v`` from two reverse passes: the pullback is
    linear in its cotangent, so its own pullback along ``v`` is ``J v``. For functions whose
    primitives have VJP rules but no JVP rules."""

    @derivative_of(fun, "make_jvp_reversemode", argnum)
    def jvp_maker(*args, **kwargs):
        vjp, ans = traced(fun, argnum, args, kwargs)
        return traced(vjp, 0, (vspace(ans).zeros(),), {})[0]

    return jvp_maker


def make_hvp(fun, argnum=0):
    """``make_hvp(f)(*args) -> (hvp, grad f(*args))`` with ``hvp(v) = H v``.

    The gradient is computed once, traced; each ``hvp(v)`` is one backward pass through that
    trace (reverse-over-reverse), so H is never formed and the gradient comes for free.
    """

    @derivative_of(fun, "make_hvp", argnum)
    def hvp_maker(*args, **kwargs):
        return traced(grad(fun, argnum), argnum, args, kwargs)

    return hvp_maker


def hessian_tensor_product(fun, argnum=0):
    """``f(*args, vector) -> H . vector``, contracting the Hessian with ``vector``.

    Reverse-over-reverse, as ``make_hvp``: the gradient's trace pulled back along ``vector``.
    Forward-over-reverse costs more here, since its tangents of a container of parameters
    are whole containers, zero-filled and added per parameter.
    """
    hvp_maker = make_hvp(fun, argnum)

    @derivative_of(fun, "hessian_tensor_product", argnum, extra_argument=True)
    def htp(*args, **kwargs):
        *args, vector = args
        return hvp_maker(*args, **kwargs)[0](vector)

    return htp


hessian_vector_product = hessian_tensor_product


def vector_jacobian_product(fun, argnum=0):
    """``f(*args, vector) -> vector^T J``: the gradient of ``<fun(*args), vector>``."""

    @derivative_of(fun, "vector_jacobian_product", argnum, extra_argument=True)
    def vjp_fun(*args, **kwargs):
        *args, vector = args
        return traced(fun, argnum, tuple(args), kwargs)[0](vector)

    return vjp_fun


def tensor_jacobian_product(fun, argnum=0):
    """``f(*args, tensor) -> tensor . J``: ``tensor`` contracted with the leading axes of the
    Jacobian (all of fun's output axes when it has the output's shape, giving ``vector^T J``).
    """

    def contracted(*args, **kwargs):
        *args, tensor = args
        return mnp.tensordot(tensor, fun(*args, **kwargs), axes=mnp.ndim(tensor))

    return derivative_of(fun, "tensor_jacobian_product", argnum, extra_argument=True)(
        jacobian(contracted, argnum))


def make_ggnvp(fun, g=None, f_argnum=0):
    """``make_ggnvp(f, g)(*args)(v) = J^T H_g J v``: the generalized Gauss-Newton product of
    the loss ``g(f(x))`` (g defaults to half the squared norm)."""
    g = g or (lambda y: 0.5 * mnp.sum(y * y))

    @derivative_of(fun, "make_ggnvp", f_argnum)
    def ggnvp_maker(*args, **kwargs):
        f_vjp, f_x = traced(fun, f_argnum, args, kwargs)
        f_jvp = make_jvp(fun, f_argnum)(*args, **kwargs)
        g_hvp, _ = make_hvp(g)(f_x)
        return lambda v: f_vjp(g_hvp(f_jvp(v)[1]))

    return ggnvp_maker


def checkpoint(fun):
    """``fun`` that keeps no intermediate values: the backward pass recomputes them.

    Trades compute for memory on long chains; the derivative is unchanged.
    """
    wrapped = primitive(fun)
    def_rules_of(wrapped, fun)
    return wrapped
