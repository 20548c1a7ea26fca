"""A function whose gradient a hand-written kernel computes during the forward pass.

Some objectives have a much faster value-and-gradient than tracing gives: one pass over a
large data matrix that computes both, instead of a forward pass and a backward pass that each
read it. ``with_fused_gradient`` is :class:`mlkit.custom_vjp` for that case: the kernel is
the forward pass and its gradient the residual, so a gradient asks for no backward work beyond
scaling it; every other derivative is the engine's derivative of the reference function.
"""

from mlkit.autodiff.custom import custom_vjp

__all__ = ["with_fused_gradient"]


def _scaled(gradient, g):
    return (g * gradient,)


def with_fused_gradient(fun, kernel, argnum=0):
    """``fun``, whose gradient in argument ``argnum`` ``kernel`` computes with its value.

    ``fun`` is the reference: a real-scalar function written with ``mlkit.numpy``.
    ``kernel(*args, **kwargs)`` returns ``(value, gradient)`` from plain arrays, faster
    (typically one fused pass over the data). The engine takes the kernel's gradient on
    trust: test it against ``value_and_grad(fun)``.
    """
    if not isinstance(argnum, int):
        raise TypeError(f"with_fused_gradient differentiates one argument; argnum must be an "
                        f"int, got {argnum!r}")
    return custom_vjp(fun, argnums=(argnum,)).defvjp(kernel, _scaled)
