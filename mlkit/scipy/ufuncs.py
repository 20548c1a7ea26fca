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


def no_closed_form_inside(fun_name, arg_name, at_end):
    """``no_closed_form``, except where every value of the last argument is at an end of
    its range (``at_end`` of the raw values): there the function is constant in
    ``arg_name`` (gammainc(a, 0) is 0 for every a), so its derivative is 0."""
    refused = no_closed_form(fun_name, arg_name)

    def derivative(ans, *args):
        raw = getval(args[-1])
        if bool(numpy.all(at_end(raw))):
            return numpy.zeros(numpy.shape(getval(ans)), numpy.result_type(getval(ans)))
        return refused(ans, *args)

    return derivative
