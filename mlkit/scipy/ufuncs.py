"""Wrapping scipy's ufuncs as primitives: results keep the precision of their floating inputs,
and a derivative that has no closed form is refused by name instead of being taken as zero.
"""

import functools

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.elementwise import def_elementwise
from mlkit.numpy.wrap import dispatch_from, wrap

__all__ = ["no_closed_form", "no_closed_form_inside", "refuse", "wrap_ufunc"]


def _is_integer(value):
    return numpy.result_type(value).kind in "biu"


def wrap_ufunc(raw, name, *derivatives):
    """A primitive of scipy's ``raw`` whose real result has the dtype of its floating inputs,
    with its rules from one partial derivative per argument (``def_elementwise``).

    scipy picks a float64 loop for some mixes (an integer order with float32 values, ``yn``);
    integer arguments (orders, counts) do not decide the precision, the others do.
    """

    @functools.wraps(raw)  # keeps raw's signature, so arguments given by keyword are bound
    def in_input_precision(*args, **kwargs):
        out = raw(*args, **kwargs)
        floating = [a for a in args if not _is_integer(a)]
        if floating and not numpy.iscomplexobj(out):
            dtype = numpy.result_type(*floating)
            if dtype.kind == "f" and numpy.result_type(out) != dtype:
                out = numpy.asarray(out, dtype=dtype)
                out = out[()] if out.ndim == 0 else out
        return out

    fun = wrap(in_input_precision, name)
    dispatch_from(fun, raw)
    return def_elementwise(fun, *derivatives)


def refuse(fun_name, arg_name, reason):
    """A partial derivative that raises, naming the function, the argument and ``reason``:
    for arguments where a zero derivative would be a wrong answer."""

    def derivative(ans, *args):
        raise NotImplementedError(
            f"{fun_name} has no derivative with respect to its argument {arg_name!r} in mlkit "
            f"({reason}); pass {arg_name} as a constant, not a traced value, or differentiate "
            f"with respect to the other arguments only"
        )

    return derivative


def no_closed_form(fun_name, arg_name):
    """``refuse`` for the derivatives scipy has no closed form for: the incomplete beta and
    gamma functions in their shape parameters, Bessel functions in their order."""
    return refuse(fun_name, arg_name, "it has no closed form")


def no_closed_form_inside(fun_name, arg_name, at_end, mixed=None):
    """``no_closed_form``, except where every value of the last argument is at an end of
    its range (``at_end`` of the raw values): there the function is constant in
    ``arg_name`` (gammainc(a, 0) is 0 for every a), so its derivative is 0.

    That 0 still varies with the last argument: its slope there is the mixed partial,
    ``mixed(*args)`` (d/dt d/ddf stdtr at t = 0 is d/ddf of the t density), refused by name
    when not given. In the other arguments it stays 0 at every order (the function is constant
    in all of them there), a 0 whose own mixed partial is refused."""
    refused = no_closed_form(fun_name, arg_name)
    unwritten = "the mixed partial at the end of the range is not written"
    across = refuse(fun_name, f"{arg_name} and the last argument together", unwritten)
    vanishing = []  # the primitives of those zeros, made on first use, when the arity is known

    def zero_again(ans, *args):
        return vanishing[1](*args)

    def derivative(ans, *args):
        if not bool(numpy.all(at_end(getval(args[-1])))):
            return refused(ans, *args)
        if not vanishing:
            last = (lambda ans, *a: mixed(*a)) if mixed else across
            others = [zero_again] * (len(args) - 1)
            vanishing.append(wrap_ufunc(_zeros_of, f"d{fun_name}/d{arg_name} at an end",
                                        *others, last))
            vanishing.append(wrap_ufunc(_zeros_of, f"d{fun_name}/d{arg_name} again at an end",
                                        *others, across))
        return vanishing[0](*args)

    return derivative


def _zeros_of(*args):
    """A partial derivative's value 0 at an end: zeros shaped and typed as the arguments."""
    shape = numpy.broadcast_shapes(*map(numpy.shape, args))
    out = numpy.zeros(shape, numpy.result_type(*args, 0.5))
    return out[()] if out.ndim == 0 else out
