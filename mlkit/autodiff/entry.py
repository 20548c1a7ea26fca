"""Entry points of both modes: trace a function at an input, then pull back or push forward.

A tuple/list/dict input is not boxed whole: each of its leaves gets its own root node, so the
function sees an ordinary container of traced values (indexing it records nothing) and the
gradient of each leaf is collected separately.
"""

import functools
import warnings

import numpy

from mlkit.autodiff.containers import pack_traced
from mlkit.autodiff.forward import JVPNode, defjvp_argnum
from mlkit.autodiff.reverse import VJPNode, backward_pass, defvjp_argnum
from mlkit.autodiff.tracer import Box, getval, new_box, new_trace_id
from mlkit.autodiff.vspace import vspace
from mlkit.tree import is_container, tree_map

__all__ = ["derivative_of", "def_rules_of", "fun_name", "make_jvp", "make_vjp", "trace_call",
           "unary_of"]


def fun_name(fun):
    """The name of ``fun`` for messages (its type's name when it has none)."""
    return getattr(fun, "__name__", type(fun).__name__)


def derivative_of(fun, operator, argnum, extra_argument=False):
    """Decorator naming a function that ``operator`` made of ``fun``: ``__name__`` is
    ``{operator}_of_{fun}_wrt_argnum_{argnum}``, as HIPS autograd names it (so what prints or
    logs it reads alike), and ``__wrapped__`` is ``fun``, so ``inspect.signature`` gives fun's,
    unless the made function takes an ``extra_argument`` after fun's (a vector)."""

    def named(derivative):
        functools.update_wrapper(derivative, fun)
        if extra_argument:
            del derivative.__wrapped__
        name = fun_name(fun)
        derivative.__name__ = derivative.__qualname__ = (
            f"{operator}_of_{name}_wrt_argnum_{argnum}")
        derivative.__doc__ = (f"The {operator} of {name} with respect to argument {argnum}, "
                              f"called with {name}'s arguments.")
        return derivative

    return named


def _position(fun, i, count):
    """Argument index ``i`` (negative counts from the end) as a position in ``range(count)``."""
    if not -count <= i < count:
        raise TypeError(f"{fun_name(fun)} was given {count} arguments, so argnum {i} is out of "
                        f"range; pick one of 0 to {count - 1}, or count from the end with -1")
    return i % count


def unary_of(fun, argnum, args, kwargs):
    """``(g, x)``: fun as a function of its argument(s) ``argnum`` alone, and their values.

    ``argnum`` is an int (x is that argument), a tuple of ints or None for every argument (x is
    the tuple of them); negative numbers count from the end. ``g.func`` is ``fun`` (as for a
    ``functools.partial``), so messages can name it."""
    if isinstance(argnum, int):
        argnum = _position(fun, argnum, len(args))
        if argnum == len(args) - 1:  # the last one: bind the others without a Python frame
            return (functools.partial(fun, *args[:argnum], **kwargs) if argnum or kwargs
                    else fun), args[argnum]

        def unary(x):
            return fun(*args[:argnum], x, *args[argnum + 1:], **kwargs)

        unary.func = fun
        return unary, args[argnum]
    positions = (range(len(args)) if argnum is None
                 else [_position(fun, i, len(args)) for i in argnum])

    def unary_tuple(xs):
        new_args = list(args)
        for i, x in zip(positions, xs):
            new_args[i] = x
        return fun(*new_args, **kwargs)

    unary_tuple.func = fun
    return unary_tuple, tuple(args[i] for i in positions)


def trace_call(fun, x, make_root, tangent=None):
    """Call ``fun`` on ``x`` traced under a new trace.

    Returns ``(output value, output node, roots)``; the node is None when the output does
    not depend on ``x`` (a constant), in which case a warning says so.
    """
    trace = new_trace_id()
    roots = []

    def box(leaf, leaf_tangent=None):
        root = make_root(leaf_tangent)
        roots.append(root)
        return new_box(leaf, trace, root)

    if tangent is None:
        boxed = tree_map(box, x, exact=True)
    else:  # a tangent is matched to x by key, and taken whole at each of x's leaves
        boxed = tree_map(box, x, tangent, exact=True, prefix=True)
    out = pack_traced(fun(boxed), trace)
    if issubclass(type(out), Box) and out._trace == trace:
        return out._value, out._node, roots
    # Worded as HIPS autograd's warning begins, so filters written for it catch this one too.
    warnings.warn(
        f"Output seems independent of input: the output of "
        f"{getattr(getattr(fun, 'func', fun), '__name__', fun)!s} does not depend on its input; "
        "its derivative is zero",
        stacklevel=3,
    )
    return out, None, roots


def make_vjp(fun, x):
    """Trace ``fun`` at ``x``; return ``(vjp, fun(x))`` where ``vjp(g)`` pulls g back to x."""
    end_value, end_node, roots = trace_call(fun, x, lambda _: VJPNode.root())
    if not is_container(x, exact=True):  # one leaf: its root's cotangent is the answer
        (root,) = roots

        def vjp_leaf(g):
            g = _shaped_cotangent(fun, g, end_value)
            if end_node is not None:
                grads = backward_pass(g, end_node, roots)
                if root in grads:
                    return grads[root]
            return vspace(x).zeros()

        return vjp_leaf, end_value

    def vjp(g):
        g = _shaped_cotangent(fun, g, end_value)
        grads = {} if end_node is None else backward_pass(g, end_node, roots)
        in_order = iter(roots)  # the roots were made in the order tree_map visits the leaves

        def cotangent(leaf):
            root = next(in_order)
            return grads[root] if root in grads else vspace(leaf).zeros()

        return tree_map(cotangent, x, exact=True)

    return vjp, end_value


def _shaped_cotangent(fun, g, end_value):
    """``g`` in the output's shape: one of the output's size in another shape (a (1, n) row
    for an (n,) output) is reshaped, since every rule expects the output's shape; one of
    another size is refused here, by name, rather than as a reshape error deep in the
    backward pass."""
    if is_container(g, exact=True) or is_container(end_value, exact=True):
        return g
    got, want = numpy.shape(getval(g)), numpy.shape(getval(end_value))
    if got == want:
        return g
    if numpy.size(getval(g)) == numpy.size(getval(end_value)) and not issubclass(type(g), Box):
        return numpy.reshape(g, want)
    raise ValueError(
        f"vjp of {fun_name(fun)}: the cotangent has shape {got} but the output has shape "
        f"{want}; pass a cotangent shaped like the output")


def make_jvp(fun, x):
    """Return ``jvp(v) -> (fun(x), the derivative of fun at x along v)``."""

    def jvp(v):
        end_value, end_node, _ = trace_call(fun, x, JVPNode.root, tangent=v)
        if end_node is None:
            try:
                return end_value, vspace(end_value).zeros()
            except TypeError:
                raise TypeError(
                    f"forward mode: the output of {getattr(fun, '__name__', fun)!s} is a "
                    f"{type(end_value).__name__}, which has no tangent; differentiate a function "
                    "whose output is a float, complex number or array of them") from None
        return end_value, end_node.tangent

    return jvp


def def_rules_of(fun, reference):
    """Give primitive ``fun`` the derivatives of ``reference``, a function of the same
    arguments made of traced calls, by tracing it whenever a rule is asked for: ``fun``'s
    value may be computed another way (faster, or keeping no intermediates), while every
    derivative, of any order and in both modes, is the reference's own. Rules registered
    for single arguments (``defvjp``/``defjvp`` with ``argnums``) take precedence, so a
    cheaper form known for some arguments (a linear one, say) replaces the tracing there."""

    def vjp(argnum, ans, args, kwargs):
        return make_vjp(*unary_of(reference, argnum, args, kwargs))[0]

    def jvp(argnum, g, ans, args, kwargs):
        return make_jvp(*unary_of(reference, argnum, args, kwargs))(g)[1]

    defvjp_argnum(fun, vjp)
    defjvp_argnum(fun, jvp)
