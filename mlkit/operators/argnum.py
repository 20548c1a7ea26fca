"""The adapter under every operator: check the argument(s) ``argnum`` picks (integer arrays
become float64), then trace.

It also gives each cotangent its input's dtype and checks that ``grad`` and its kin see a real
scalar output, so every operator reports these mistakes the same way, naming the function.
"""

import numpy

from mlkit.autodiff.containers import ContainerVSpace
from mlkit.autodiff.entry import fun_name, unary_of
from mlkit.autodiff.entry import make_vjp as _make_vjp
from mlkit.autodiff.tracer import getval, rawval
from mlkit.autodiff.vspace import has_vspace, vspace
from mlkit.tree import flatten_named, is_container, tree_leaves, tree_map

__all__ = ["differentiable", "in_output_dtypes", "scalar_ones", "traced"]


def _leaf_kind(leaf):
    """The numpy dtype kind of a leaf ('f', 'c', 'i', 'b', ... or 'O' for non-numbers); a
    value of a type of one's own with a registered VSpace counts as real ('f')."""
    dtype = getattr(leaf, "dtype", None)
    if dtype is not None:
        return dtype.kind
    try:
        kind = numpy.result_type(leaf).kind
    except TypeError:
        kind = "O"
    return "f" if kind == "O" and has_vspace(type(leaf)) else kind


def _integer_array(leaf) -> bool:
    raw = rawval(leaf)
    return type(raw) is numpy.ndarray and raw.dtype.kind in "iub"


def differentiable(fun, argnum, x):
    """``x`` ready to trace: integer and boolean arrays become float64, as HIPS autograd
    differentiates them (a timeline of whole days is still a point on the real line); integer,
    boolean and non-numeric scalars are refused with a message saying what to pass."""
    if type(x) is numpy.ndarray and x.dtype.kind in "fc":
        return x
    if _integer_array(x):
        return x.astype(float)  # traced when x is (under jit, or a higher derivative)
    if all(_leaf_kind(getval(leaf)) in "fc" for leaf in tree_leaves(getval(x), exact=True)):
        return x
    for path, leaf in flatten_named(getval(x), exact=True).items():
        kind = _leaf_kind(getval(leaf))
        if kind not in "fc" and not _integer_array(leaf):
            where = f"argument {argnum}" + (f" at {path}" if path else "")
            got = type(getval(leaf)).__name__
            raise TypeError(
                f"cannot differentiate {fun_name(fun)} with respect to {where}: it is {got} of "
                f"kind '{kind}', not floating-point or complex. Pass a float (1.0 instead of 1) "
                "or convert with x.astype(float); use argnum to pick which argument to "
                "differentiate"
            )
    return tree_map(lambda leaf: leaf.astype(float) if _integer_array(leaf) else leaf, x,
                    exact=True)


def traced(fun, argnum, args, kwargs):
    """``(vjp, ans)`` of ``fun`` at ``args``, as a function of argument(s) ``argnum``."""
    unary, x = unary_of(fun, argnum, args, kwargs)
    x = differentiable(fun, argnum, x)
    vjp, ans = _make_vjp(unary, x)
    return _in_input_dtypes(vjp, x), ans


_NUMPY_VALUES = (numpy.ndarray, numpy.generic)  # arrays, 0-d ones and numpy scalars alike


_PYTHON_NUMBERS = {float: numpy.float64, complex: numpy.complex128}


def _cast_like(g, leaf):
    """``g`` in the dtype of ``leaf`` (a float32 value gets a float32 derivative even when
    float64 constants took part in the computation); for a Python float or complex, a numpy
    scalar, as HIPS autograd gives (a rule may have returned a Python number)."""
    target = getattr(leaf, "dtype", None)
    raw = rawval(g)  # under jit or a higher derivative, g is traced: cast it traced too
    if type(raw) in (int, float, complex) and raw is g and type(leaf) in _PYTHON_NUMBERS:
        return _PYTHON_NUMBERS[type(leaf)](g.real if type(leaf) is float else g)
    if not isinstance(raw, _NUMPY_VALUES) or target is None or raw.dtype == target:
        return g
    return (g if target.kind == "c" else g.real).astype(target)


def in_output_dtypes(jvp):
    """``jvp(v) -> (ans, tangent)`` with the tangent in the dtype of ``ans``, leaf by leaf."""

    def cast_jvp(v):
        ans, tangent = jvp(v)
        if isinstance(rawval(ans), _NUMPY_VALUES):
            return ans, _cast_like(tangent, ans)
        if not is_container(ans, exact=True):
            return ans, tangent
        return ans, tree_map(_cast_like, tangent, ans, exact=True, prefix=True)

    return cast_jvp


def _in_input_dtypes(vjp, x):
    """Cotangents in the dtype of the input they belong to."""
    if isinstance(rawval(x), _NUMPY_VALUES) or type(x) in _PYTHON_NUMBERS:
        return lambda g: _cast_like(vjp(g), x)
    if not is_container(x, exact=True):
        return vjp
    return lambda g: tree_map(lambda leaf, gi: _cast_like(gi, leaf), x, vjp(g), exact=True,
                              prefix=True)


def scalar_ones(fun, ans, operator="grad"):
    """The seed 1 of a real output of size one (0-d, or shaped (1,), (1, 1) ... as a reduction
    with keepdims gives); a TypeError naming ``operator`` otherwise."""
    if type(ans) is float:
        return 1.0
    dtype = getattr(ans, "dtype", None)
    if dtype is not None and dtype.kind == "f" and ans.shape == ():
        return dtype.type(1)
    space = vspace(ans)
    if isinstance(space, ContainerVSpace) or space.entries != 1 or space.iscomplex:
        what = ("complex scalar" if not isinstance(space, ContainerVSpace)
                and space.entries == 1 else f"value of {space!r}")
        raise TypeError(
            f"{operator} needs {fun_name(fun)} to return a real scalar (any value of size one), "
            f"but it returned a {what}. "
            "Use elementwise_grad for an elementwise function, jacobian for the full Jacobian, "
            "holomorphic_grad for a complex function, or reduce the output (e.g. np.sum)"
        )
    return space.ones()
