"""Differential operators: grad, jacobian, hessian, HVPs, JVPs and friends.

Each takes a function and returns a function with the same arguments. ``argnum`` picks the
argument to differentiate (an int, or a tuple of ints for a tuple of gradients); everything else
is held constant. All are built on ``make_vjp`` and ``make_jvp``, so they nest to any order.
"""

import functools
import inspect

import numpy

import mlkit.numpy as mnp
from mlkit.autodiff.containers import ContainerVSpace
from mlkit.autodiff.entry import make_jvp as _make_jvp
from mlkit.autodiff.entry import make_vjp as _make_vjp
from mlkit.autodiff.forward import defjvp_argnum
from mlkit.autodiff.reverse import defvjp_argnum
from mlkit.autodiff.tracer import getval, primitive
from mlkit.autodiff.vspace import vspace
from mlkit.tree import flatten_named, tree_map

__all__ = [
    "checkpoint",
    "deriv",
    "elementwise_grad",
    "grad",
    "grad_and_aux",
    "grad_named",
    "hessian",
    "hessian_tensor_product",
    "hessian_vector_product",
    "holomorphic_grad",
    "jacobian",
    "make_ggnvp",
    "make_hvp",
    "make_jvp",
    "make_vjp",
    "value_and_grad",
    "vector_jacobian_product",
]


def _name(fun):
    return getattr(fun, "__name__", type(fun).__name__)


def _unary(fun, argnum, args, kwargs):
    """``(g, x)``: fun as a function of its argument(s) ``argnum`` alone, and their values."""
    if isinstance(argnum, int):
        if argnum >= len(args):
            raise TypeError(f"{_name(fun)} was given {len(args)} positional arguments; cannot "
                            f"differentiate with respect to argument {argnum}")

        def unary(x):
            return fun(*args[:argnum], x, *args[argnum + 1:], **kwargs)

        return unary, args[argnum]

    def unary_tuple(xs):
        new_args = list(args)
        for i, x in zip(argnum, xs):
            new_args[i] = x
        return fun(*new_args, **kwargs)

    return unary_tuple, tuple(args[i] for i in argnum)


def _leaf_kind(leaf):
    """The numpy dtype kind of a leaf ('f', 'c', 'i', 'b', ... or 'O' for non-numbers)."""
    dtype = getattr(leaf, "dtype", None)
    if dtype is not None:
        return dtype.kind
    try:
        return numpy.result_type(leaf).kind
    except TypeError:
        return "O"


def _leaves_of(x):
    """The leaves of a value (nested tuples, lists and dicts), in order."""
    kind = type(x)
    if kind is dict:
        return [leaf for item in x.values() for leaf in _leaves_of(item)]
    if kind is tuple or kind is list:
        return [leaf for item in x for leaf in _leaves_of(item)]
    return [x]


def _check_differentiable(fun, argnum, x):
    """Refuse integer, boolean and non-numeric inputs with a message saying what to pass."""
    x = getval(x)
    if all(_leaf_kind(getval(leaf)) in "fc" for leaf in _leaves_of(x)):
        return
    leaves = flatten_named(x) if type(x) in (tuple, list, dict) else {"": x}
    for path, leaf in leaves.items():
        kind = _leaf_kind(getval(leaf))
        if kind not in "fc":
            where = f"argument {argnum}" + (f" at {path}" if path else "")
            got = type(getval(leaf)).__name__
            raise TypeError(
                f"cannot differentiate {_name(fun)} with respect to {where}: it is {got} of "
                f"kind '{kind}', not floating-point or complex. Pass a float (1.0 instead of 1) "
                "or convert with x.astype(float); use argnum to pick which argument to "
                "differentiate"
            )


def _traced(fun, argnum, args, kwargs):
    unary, x = _unary(fun, argnum, args, kwargs)
    _check_differentiable(fun, argnum, x)
    vjp, ans = _make_vjp(unary, x)
    return _in_input_dtypes(vjp, x), ans


def _in_input_dtypes(vjp, x):
    """Cotangents in the dtype of the input they belong to (a float32 input gets a float32
    gradient even when float64 constants took part in the computation)."""

    def cast(g, leaf):
        target = getattr(leaf, "dtype", None)
        if type(g) is not numpy.ndarray or target is None or g.dtype == target:
            return g
        return (numpy.real(g) if target.kind != "c" else g).astype(target)

    if type(x) is numpy.ndarray:
        return lambda g: cast(vjp(g), x)
    if type(x) not in (tuple, list, dict):
        return vjp

    def cast_tree(g, like):
        kind = type(like)
        if kind is dict:
            return {k: cast_tree(g[k], v) for k, v in like.items()}
        if kind is tuple or kind is list:
            return kind([cast_tree(gi, v) for gi, v in zip(g, like)])
        return cast(g, like)

    return lambda g: cast_tree(vjp(g), x)


def _scalar_ones(fun, ans, operator="grad"):
    if type(ans) is float:
        return 1.0
    dtype = getattr(ans, "dtype", None)
    if dtype is not None and dtype.kind == "f" and ans.shape == ():
        return dtype.type(1)
    space = vspace(ans)
    if isinstance(space, ContainerVSpace) or space.shape != () or space.iscomplex:
        what = ("complex scalar" if not isinstance(space, ContainerVSpace)
                and space.shape == () else f"value of {space!r}")
        raise TypeError(
            f"{operator} needs {_name(fun)} to return a real scalar, but it returned a {what}. "
            "Use elementwise_grad for an elementwise function, jacobian for the full Jacobian, "
            "holomorphic_grad for a complex function, or reduce the output (e.g. np.sum)"
        )
    return space.ones()


def grad(fun, argnum=0):
    """The gradient of a real-scalar-valued ``fun`` with respect to argument(s) ``argnum``."""

    @functools.wraps(fun)
    def gradfun(*args, **kwargs):
        vjp, ans = _traced(fun, argnum, args, kwargs)
        return vjp(_scalar_ones(fun, ans))

    return gradfun


def value_and_grad(fun, argnum=0):
    """Both ``fun(*args)`` and its gradient, from one forward and one backward pass."""

    @functools.wraps(fun)
    def value_and_gradfun(*args, **kwargs):
        vjp, ans = _traced(fun, argnum, args, kwargs)
        return ans, vjp(_scalar_ones(fun, ans, "value_and_grad"))

    return value_and_gradfun


def grad_and_aux(fun, argnum=0):
    """For ``fun`` returning ``(value, aux)``: the gradient of value, and aux as plain values.

    aux may hold anything (strings, metrics, arrays); it is not differentiated.
    """

    @functools.wraps(fun)
    def grad_and_auxfun(*args, **kwargs):
        kept = []

        def value_only(*a, **k):
            ans, aux = fun(*a, **k)
            kept.append(aux)
            return ans

        vjp, ans = _traced(value_only, argnum, args, kwargs)
        ones = _scalar_ones(fun, ans, "grad_and_aux")
        return vjp(ones), tree_map(getval, kept[0])

    return grad_and_auxfun


def elementwise_grad(fun, argnum=0):
    """The sum of the Jacobian's rows: the derivative of each output element, for an
    elementwise ``fun``."""

    @functools.wraps(fun)
    def elementwise_gradfun(*args, **kwargs):
        vjp, ans = _traced(fun, argnum, args, kwargs)
        return vjp(vspace(ans).ones())

    return elementwise_gradfun


def deriv(fun, argnum=0):
    """The derivative of a function of one scalar, in forward mode."""

    @functools.wraps(fun)
    def derivfun(*args, **kwargs):
        unary, x = _unary(fun, argnum, args, kwargs)
        _check_differentiable(fun, argnum, x)
        return _make_jvp(unary, x)(vspace(x).ones())[1]

    return derivfun


def _leaves(value, space):
    """The array leaves of ``value`` (raw or traced) in the order of ``space``."""
    if not isinstance(space, ContainerVSpace):
        return [value]
    out = []
    for key, sub in zip(space.keys, space.spaces):
        out.extend(_leaves(value[key], sub))
    return out


def _shapes(space):
    if not isinstance(space, ContainerVSpace):
        return [space.shape]
    return [s for sub in space.spaces for s in _shapes(sub)]


def _rebuild(space, leaves):
    """A value shaped like ``space`` from an iterator of leaves."""
    if not isinstance(space, ContainerVSpace):
        return next(leaves)
    return space.build([_rebuild(sub, leaves) for sub in space.spaces])


def jacobian(fun, argnum=0):
    """The Jacobian: for array input and output, an array of shape out.shape + in.shape.

    With container inputs or outputs (tuples, lists, dicts, or a tuple ``argnum``) the result
    is shaped like the output, each leaf holding a structure shaped like the input whose
    leaves are the blocks d out_leaf / d in_leaf of shape out_leaf.shape + in_leaf.shape.
    """

    @functools.wraps(fun)
    def jacfun(*args, **kwargs):
        vjp, ans = _traced(fun, argnum, args, kwargs)
        in_space, out_space = vspace(_unary(fun, argnum, args, kwargs)[1]), vspace(ans)
        rows = [mnp.concatenate([mnp.reshape(leaf, (-1,)) for leaf in _leaves(vjp(e), in_space)])
                for e in out_space.standard_basis()]
        matrix = mnp.stack(rows)
        in_shapes, out_shapes = _shapes(in_space), _shapes(out_space)
        if len(in_shapes) == 1 and len(out_shapes) == 1:
            return mnp.reshape(matrix, tuple(out_shapes[0]) + tuple(in_shapes[0]))
        return _blocks(matrix, in_space, out_space, in_shapes, out_shapes)

    return jacfun


def _blocks(matrix, in_space, out_space, in_shapes, out_shapes):
    in_sizes = [int(numpy.prod(s)) for s in in_shapes]
    in_starts = numpy.concatenate([[0], numpy.cumsum(in_sizes)]).astype(int)
    out_blocks, row = [], 0
    for out_shape in out_shapes:
        size = int(numpy.prod(out_shape))
        blocks = [mnp.reshape(matrix[row:row + size, start:start + n],
                              tuple(out_shape) + tuple(in_shape))
                  for start, n, in_shape in zip(in_starts, in_sizes, in_shapes)]
        out_blocks.append(_rebuild(in_space, iter(blocks)))
        row += size
    return _rebuild(out_space, iter(out_blocks))


def hessian(fun, argnum=0):
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    return jacobian(jacobian(fun, argnum), argnum)


def make_vjp(fun, argnum=0):
    """``make_vjp(f)(*args) -> (vjp, f(*args))`` with ``vjp(g)`` the pullback of ``g``."""

    def vjp_maker(*args, **kwargs):
        return _traced(fun, argnum, args, kwargs)

    return vjp_maker


def make_jvp(fun, argnum=0):
    """``make_jvp(f)(*args)(v) -> (f(*args), J v)``: forward mode, the push-forward of ``v``."""

    def jvp_maker(*args, **kwargs):
        unary, x = _unary(fun, argnum, args, kwargs)
        _check_differentiable(fun, argnum, x)
        return _make_jvp(unary, x)

    return jvp_maker


def make_hvp(fun, argnum=0):
    """``make_hvp(f)(*args) -> (hvp, grad f(*args))`` with ``hvp(v) = H v``.

    The gradient is computed once, traced; each ``hvp(v)`` is one backward pass through that
    trace (reverse-over-reverse), so H is never formed and the gradient comes for free.
    """

    def hvp_maker(*args, **kwargs):
        return _traced(grad(fun, argnum), argnum, args, kwargs)

    return hvp_maker


def hessian_tensor_product(fun, argnum=0):
    """``f(*args, vector) -> H . vector``, contracting the Hessian with ``vector``.

    Forward-over-reverse: the derivative of the gradient along ``vector``, one pass.
    """
    grad_fun = grad(fun, argnum)

    def htp(*args, **kwargs):
        *args, vector = args
        unary, x = _unary(grad_fun, argnum, tuple(args), kwargs)
        _check_differentiable(fun, argnum, x)
        return _make_jvp(unary, x)(vector)[1]

    return htp


hessian_vector_product = hessian_tensor_product


def vector_jacobian_product(fun, argnum=0):
    """``f(*args, vector) -> vector^T J``: the gradient of ``<fun(*args), vector>``."""

    def vjp_fun(*args, **kwargs):
        *args, vector = args
        return _traced(fun, argnum, tuple(args), kwargs)[0](vector)

    return vjp_fun


def make_ggnvp(fun, g=None, f_argnum=0):
    """``make_ggnvp(f, g)(*args)(v) = J^T H_g J v``: the generalized Gauss-Newton product of
    the loss ``g(f(x))`` (g defaults to half the squared norm)."""
    g = g or (lambda y: 0.5 * mnp.sum(y * y))

    def ggnvp_maker(*args, **kwargs):
        f_vjp, f_x = _traced(fun, f_argnum, args, kwargs)
        f_jvp = make_jvp(fun, f_argnum)(*args, **kwargs)
        g_hvp, _ = make_hvp(g)(f_x)
        return lambda v: f_vjp(g_hvp(f_jvp(v)[1]))

    return ggnvp_maker


def holomorphic_grad(fun, argnum=0):
    """f'(z) for a holomorphic ``fun`` of a complex argument."""
    return grad(lambda *args, **kwargs: mnp.real(fun(*args, **kwargs)), argnum)


def grad_named(fun, argname):
    """The gradient with respect to the argument called ``argname``."""
    names = list(inspect.signature(fun).parameters)
    if argname not in names:
        raise TypeError(f"{_name(fun)} has no argument named {argname!r}; it has {names}")
    return grad(fun, names.index(argname))


def checkpoint(fun):
    """``fun`` that keeps no intermediate values: the backward pass recomputes them.

    Trades compute for memory on long chains; the derivative is unchanged.
    """
    wrapped = primitive(fun)

    def vjp(argnum, ans, args, kwargs):
        return make_vjp(fun, argnum)(*args, **kwargs)[0]

    def jvp(argnum, g, ans, args, kwargs):
        return make_jvp(fun, argnum)(*args, **kwargs)(g)[1]

    defvjp_argnum(wrapped, vjp)
    defjvp_argnum(wrapped, jvp)
    return wrapped
