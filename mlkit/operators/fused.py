"""A function whose gradient a hand-written kernel computes during the forward pass.

Some objectives have a much faster value-and-gradient than tracing gives: one pass over a
large data matrix that computes both, instead of a forward pass and a backward pass that each
read it. ``with_fused_gradient`` lets such a kernel stand in for the traced computation
without losing anything: the first derivative is the kernel's, and every derivative of the
gradient (Hessian products, third derivatives, forward mode) comes from the engine
differentiating the reference function, so derivatives of any order stay exact.
"""

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import primitive
from mlkit.operators.argnum import fun_name
from mlkit.operators.gradients import grad
from mlkit.operators.products import make_jvp, vector_jacobian_product

__all__ = ["with_fused_gradient"]


def with_fused_gradient(fun, kernel, argnum=0):
    """``fun``, evaluated by ``kernel``, which also returns the gradient in argument ``argnum``.

    ``fun`` is the reference: a real-scalar function written with ``mlkit.numpy``.
    ``kernel(*args, **kwargs)`` returns ``(value, gradient)`` from plain arrays, faster
    (typically one fused pass over the data). The result computes ``fun``'s value as a
    primitive in argument ``argnum`` (the others are held constant): a gradient asks for no
    backward work beyond scaling the kernel's gradient, and derivatives of the gradient are
    the engine's derivatives of ``grad(fun)``. The engine takes the kernel's gradient on
    trust: test it against ``value_and_grad(fun)``.
    """
    if not isinstance(argnum, int):
        raise TypeError(f"with_fused_gradient differentiates one argument; argnum must be an "
                        f"int, got {argnum!r}")
    name = fun_name(fun)
    grad_fun = grad(fun, argnum)
    latest = [None, None]  # the last value computed (a fresh 0-d array) and its gradient

    def value(*args, **kwargs):
        result, gradient = kernel(*args, **kwargs)
        result = numpy.array(result)
        latest[:] = result, gradient
        return result

    def gradient(*args, **kwargs):
        return kernel(*args, **kwargs)[1]

    value.__name__ = value.__qualname__ = f"with_fused_gradient({name})"
    gradient.__name__ = gradient.__qualname__ = f"with_fused_gradient({name}).gradient"
    value, gradient = primitive(value), primitive(gradient)

    def gradient_at(ans, args, kwargs):
        """The kernel's gradient kept from computing ``ans``, else computed (and traced)."""
        kept_value, kept_gradient = latest
        return kept_gradient if kept_value is ans else gradient(*args, **kwargs)

    defvjp(value, lambda ans, *args, **kwargs: lambda g: g * gradient_at(ans, args, kwargs),
           argnums=(argnum,))
    defjvp(value, lambda t, ans, *args, **kwargs: mnp.vdot(gradient_at(ans, args, kwargs), t),
           argnums=(argnum,))
    hessian_vjp = vector_jacobian_product(grad_fun, argnum)
    defvjp(gradient, lambda ans, *args, **kwargs: lambda g: hessian_vjp(*args, g, **kwargs),
           argnums=(argnum,))
    defjvp(gradient, lambda t, ans, *args, **kwargs:
           make_jvp(grad_fun, argnum)(*args, **kwargs)(t)[1], argnums=(argnum,))
    return value
