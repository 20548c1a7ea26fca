"""Gradients: grad and its variants, each one backward pass (deriv: one forward pass)."""

import functools
import inspect
import warnings

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.entry import derivative_of, fun_name, unary_of
from mlkit.autodiff.entry import make_jvp as _make_jvp
from mlkit.autodiff.tracer import getval, rawval
from mlkit.autodiff.vspace import vspace
from mlkit.operators.argnum import differentiable, scalar_ones, traced
from mlkit.operators.complex_outputs import check_holomorphic, complex_derivative
from mlkit.tree import tree_leaves, tree_map

__all__ = ["deriv", "elementwise_grad", "grad", "grad_and_aux", "grad_named",
           "holomorphic_grad", "multigrad_dict", "value_and_grad"]


def grad(fun, argnum=0):
    """The gradient of a real-scalar-valued ``fun`` with respect to argument(s) ``argnum``."""

    @derivative_of(fun, "grad", argnum)
    def gradfun(*args, **kwargs):
        vjp, ans = traced(fun, argnum, args, kwargs)
        return vjp(scalar_ones(fun, ans))

    return gradfun


def value_and_grad(fun, argnum=0):
    """Both ``fun(*args)`` and its gradient, from one forward and one backward pass."""

    @derivative_of(fun, "value_and_grad", argnum)
    def value_and_gradfun(*args, **kwargs):
        vjp, ans = traced(fun, argnum, args, kwargs)
        return ans, vjp(scalar_ones(fun, ans, "value_and_grad"))

    return value_and_gradfun


def grad_and_aux(fun, argnum=0):
    """For ``fun`` returning ``(value, aux)``: the gradient of value, and aux as plain values.

    aux may hold anything (strings, metrics, arrays); it is not differentiated.
    """

    @derivative_of(fun, "grad_and_aux", argnum)
    def grad_and_auxfun(*args, **kwargs):
        kept = []

        def value_only(*a, **k):
            ans, aux = fun(*a, **k)
            kept.append(aux)
            return ans

        vjp, ans = traced(value_only, argnum, args, kwargs)
        ones = scalar_ones(fun, ans, "grad_and_aux")
        return vjp(ones), tree_map(getval, kept[0])

    return grad_and_auxfun


def elementwise_grad(fun, argnum=0):
    """The sum of the Jacobian's rows: the derivative of each output element, for an
    elementwise ``fun`` (complex for a complex output, as ``jacobian`` says)."""

    @derivative_of(fun, "elementwise_grad", argnum)
    def elementwise_gradfun(*args, **kwargs):
        vjp, ans = traced(fun, argnum, args, kwargs)
        space = vspace(ans)
        if space.iscomplex:
            return complex_derivative(vjp, space.entry_ones(), fun, "elementwise_grad")
        return vjp(space.ones())

    return elementwise_gradfun


def deriv(fun, argnum=0):
    """The derivative of a function of one scalar, in forward mode."""

    @derivative_of(fun, "deriv", argnum)
    def derivfun(*args, **kwargs):
        unary, x = unary_of(fun, argnum, args, kwargs)
        x = differentiable(fun, argnum, x)
        return _make_jvp(unary, x)(vspace(x).entry_ones())[1]

    return derivfun


def holomorphic_grad(fun, argnum=0):
    """f'(z) for a ``fun`` holomorphic in its complex argument (the gradient of its real part);
    one that is not holomorphic there has no f', and raises ValueError (for the gradient of a
    real-valued function of z, use grad). A real input gets grad of the real part, with
    HIPS autograd's UserWarning."""
    real_part = grad(lambda *args, **kwargs: mnp.real(fun(*args, **kwargs)), argnum)
    imaginary_part = grad(lambda *args, **kwargs: mnp.imag(fun(*args, **kwargs)), argnum)

    @derivative_of(fun, "holomorphic_grad", argnum)
    def holomorphic_gradfun(*args, **kwargs):
        derivative = real_part(*args, **kwargs)
        z = unary_of(fun, argnum, args, kwargs)[1]
        complex_inputs = [numpy.iscomplexobj(rawval(leaf))
                          for leaf in tree_leaves(z, look_through=getval)]
        if any(complex_inputs):
            # For holomorphic f, grad(Im f) = -i f' (Cauchy-Riemann), in each complex argument
            # (of several, with a tuple argnum).
            leaves_i = tree_leaves(imaginary_part(*args, **kwargs), look_through=getval)
            leaves = tree_leaves(derivative, look_through=getval)
            for is_complex, along_i, d in zip(complex_inputs, leaves_i, leaves):
                if is_complex:
                    check_holomorphic(along_i, -1j * getval(d), fun, "holomorphic_grad")
        else:  # worded as HIPS autograd's warning begins, so filters written for it catch it
            warnings.warn(f"Input to holomorphic_grad is not complex: argument {argnum} of "
                          f"{fun_name(fun)} is real, so this is grad of its real part; use "
                          "grad for a real input", stacklevel=2)
        return derivative

    return holomorphic_gradfun


def grad_named(fun, argname):
    """The gradient with respect to the argument called ``argname``."""
    names = list(inspect.signature(fun).parameters)
    if argname not in names:
        raise TypeError(f"{fun_name(fun)} has no argument named {argname!r}; it has {names}")
    return grad(fun, names.index(argname))


def multigrad_dict(fun):
    """The gradients with respect to all arguments at once, as ``{argument name: gradient}``.

    Defaults count as arguments; ``*args`` gets a tuple of gradients and ``**kwargs`` a dict.
    """
    signature = inspect.signature(fun)

    @functools.wraps(fun)
    def multigradfun(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()

        def of_all(values):
            rebound = signature.bind(*args, **kwargs)
            rebound.arguments.update(values)
            return fun(*rebound.args, **rebound.kwargs)

        return grad(of_all)(dict(bound.arguments))

    return multigradfun
