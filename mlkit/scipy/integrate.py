"""``odeint``: scipy.integrate.odeint, differentiable with respect to y0, t and the extra args.

Reverse mode is the adjoint method: the cotangent ``a`` of the state runs backward in time
with ``da/dt = -a . df/dy`` from each output time to the one before (picking up that output's
cotangent there), and the args' cotangent accumulates ``a . df/dargs`` along the way; both ride
with the state in one augmented system solved backward by scipy's odeint. Forward mode solves
the sensitivity system ``ds/dt = df/dy s + df/dargs . dargs`` forward with the state. The
products with f's Jacobians come from mlkit's own ``make_vjp``/``make_jvp`` on ``func``, so
``func`` is written with mlkit.numpy. A moved output time t_j adds ``f(y_j, t_j) dt_j``, and a
moved start ``-J(t_j, t_0) f(y_0, t_0) dt_0``, to the output.

Both derivatives are computed by numerical integration, outside any trace: differentiating
them again raises an error instead of giving a wrong zero.
"""

import warnings

import numpy
import scipy.integrate

from mlkit.autodiff.containers import make_sequence
from mlkit.autodiff.entry import make_jvp, make_vjp
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import box_types, getval, primitive
from mlkit.numpy.wrap import composite
from mlkit.tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["odeint"]

# Options of scipy's odeint that also govern the backward (or sensitivity) integration; the
# others (Dfun, banded Jacobians, the first step) describe the original system only.
_SHARED_OPTIONS = ("rtol", "atol", "tcrit", "hmax", "hmin", "mxstep", "printmessg")


class _System:
    """The user's right-hand side with its constant arguments in place and its traced
    arguments (``params``) passed separately: ``rhs(y, s, params)``."""

    def __init__(self, func, structure, constants, tfirst, options):
        self.func, self.structure, self.constants = func, structure, constants
        self.tfirst = tfirst
        self.options = {k: v for k, v in options.items() if k in _SHARED_OPTIONS}

    def args(self, params):
        params = iter(params)
        leaves = [next(params) if c is _TRACED else c for c in self.constants]
        return tree_unflatten(self.structure, leaves)

    def rhs(self, y, s, params):
        args = self.args(params)
        return self.func(s, y, *args) if self.tfirst else self.func(y, s, *args)

    def jacobian(self, dfun):
        """The user's ``Dfun`` in the calling convention of ``rhs``."""
        def call(y, s, params):
            args = self.args(params)
            return dfun(s, y, *args) if self.tfirst else dfun(y, s, *args)

        return call

    def raw_rhs(self, y, s, params):
        return numpy.ravel(numpy.asarray(self.rhs(y, s, params), dtype=float))


_TRACED = object()  # marks an argument slot filled from the traced params


def _flat(parts):
    return numpy.concatenate([numpy.ravel(numpy.asarray(p, dtype=float)) for p in parts])


def _unflat(vector, likes):
    out, start = [], 0
    for like in likes:
        size = numpy.size(like)
        out.append(vector[start:start + size].reshape(numpy.shape(like)))
        start += size
    return out


def _solve(inputs, system, options):
    y0, t, *params = inputs
    options = dict(options)
    if options["Dfun"] is not None:
        options["Dfun"] = system.jacobian(options["Dfun"])
    return scipy.integrate.odeint(system.rhs, y0, t, args=(params,), **options)


solve = primitive(_solve)


def _integrate(rhs, state, times, options):
    """scipy's odeint of a derivative system whose Jacobian products may not depend on every
    input (a function of t alone, say): their zeros are expected, not worth a warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not depend on its input")
        return scipy.integrate.odeint(rhs, state, times, **options)


def _cast_like(values, likes):
    return tuple(numpy.asarray(v, dtype=numpy.result_type(like)).reshape(numpy.shape(like))[()]
                 for v, like in zip(values, likes))


def _adjoint(g, ans, inputs, system):
    """The cotangents of (y0, t, *params) for the output cotangent ``g``."""
    _, t, *params = inputs
    ans, g, t_flat = numpy.asarray(ans), numpy.asarray(g), numpy.ravel(t)
    n, size = ans.shape[1], sum(numpy.size(p) for p in params)

    def backward(state, s):
        y, a = state[:n], state[n:2 * n]
        vjp, dy = make_vjp(lambda x: system.rhs(x[0], s, x[1]), (y, list(params)))
        a_y, a_params = vjp(-a)
        return _flat([dy, a_y, *a_params]) if size else _flat([dy, a_y])

    a = g[-1].astype(float)
    params_bar = numpy.zeros(size)
    t_bar = numpy.zeros(len(t_flat))
    for j in range(len(t_flat) - 1, 0, -1):
        t_bar[j] = g[j] @ system.raw_rhs(ans[j], t_flat[j], params)
        state = numpy.concatenate([ans[j], a, params_bar])
        end = _integrate(backward, state, [t_flat[j], t_flat[j - 1]], system.options)[-1]
        a, params_bar = end[n:2 * n] + g[j - 1], end[2 * n:]
    t_bar[0] = -(a - g[0]) @ system.raw_rhs(ans[0], t_flat[0], params)
    return _cast_like([a, t_bar, *_unflat(params_bar, params)], inputs)


def _tangent(tangents, ans, inputs, system):
    """The output's tangent for the input tangents ``tangents`` = (dy0, dt, *dparams)."""
    _, t, *params = inputs
    dy0, dt, *dparams = (numpy.asarray(x, dtype=float) for x in tangents)
    ans, t_flat, dt = numpy.asarray(ans), numpy.ravel(t), numpy.ravel(dt)
    n = ans.shape[1]

    def forward(state, s):
        y, sens = state[:n], state[n:]
        jvp = make_jvp(lambda x: system.rhs(x[0], s, x[1]), (y, list(params)))
        dy, dsens = jvp((sens, list(dparams)))
        return _flat([dy, dsens])

    start = numpy.ravel(dy0) - system.raw_rhs(ans[0], t_flat[0], params) * dt[0]
    path = _integrate(forward, numpy.concatenate([ans[0], start]), t_flat, system.options)
    moved = numpy.stack([system.raw_rhs(y, s, params) for y, s in zip(ans, t_flat)])
    return (path[:, n:] + moved * dt[:, None]).astype(ans.dtype)


def _no_higher_order(name):
    def refuse(*args, **kwargs):
        raise NotImplementedError(
            f"odeint has first derivatives only (its {name} is computed by numerical "
            "integration outside the trace); for second derivatives, differentiate a "
            "solver written in mlkit.numpy, or use finite differences of the gradient")

    return refuse


adjoint = primitive(_adjoint)
tangent = primitive(_tangent)
for _fun, _name in ((adjoint, "reverse-mode derivative"), (tangent, "forward-mode derivative")):
    defvjp(_fun, *[_no_higher_order(_name)] * 3)
    defjvp(_fun, *[_no_higher_order(_name)] * 3)
defvjp(solve, lambda ans, inputs, system, options: lambda g: adjoint(
    g, ans, inputs, system=system))
defjvp(solve, lambda dt, ans, inputs, system, options: tangent(dt, ans, inputs, system=system))


def _expand(x):
    """``x`` with traced tuples, lists and dicts opened up into plain ones (leaves stay)."""
    return tree_map(lambda leaf: leaf, x, look_through=getval)


def _as_float(name, x):
    raw = numpy.asarray(getval(x))
    if raw.dtype.kind not in "fiub":
        raise TypeError(f"odeint: {name} must be real numbers, got dtype {raw.dtype}")
    return x if type(x) in box_types else raw.astype(numpy.result_type(raw, float))


def odeint(func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, ml=None, mu=None,
           rtol=None, atol=None, tcrit=None, h0=0.0, hmax=0.0, hmin=0.0, ixpr=0, mxstep=0,
           printmessg=0, tfirst=False):
    """scipy.integrate.odeint(func, y0, t, args, ...), differentiable with respect to ``y0``,
    ``t`` and the arrays inside ``args`` (a tuple of arrays, or of nested tuples, lists and
    dicts of them): reverse mode by the adjoint method, forward mode by sensitivities, both
    to first order. ``func(y, t, *args)`` (``func(t, y, *args)`` with ``tfirst``) must be
    written with mlkit.numpy."""
    options = {"Dfun": Dfun, "col_deriv": col_deriv, "ml": ml, "mu": mu, "rtol": rtol,
               "atol": atol, "tcrit": tcrit, "h0": h0, "hmax": hmax, "hmin": hmin,
               "ixpr": ixpr, "mxstep": mxstep, "printmessg": printmessg}
    if not isinstance(getval(args), (tuple, list)):
        args = (args,)
    args = tuple(_expand(args))
    leaves, structure = tree_flatten(args)
    traced = [type(leaf) in box_types for leaf in leaves]
    if not (any(traced) or type(y0) in box_types or type(t) in box_types):
        return scipy.integrate.odeint(func, y0, t, args=args, full_output=full_output,
                                      tfirst=tfirst, **options)
    if full_output:
        raise NotImplementedError(
            "odeint: full_output is not available while differentiating; call odeint again "
            "outside the differentiated function to get the solver's report")
    if numpy.ndim(getval(y0)) > 1:
        raise ValueError(f"odeint: y0 must be a scalar or a vector, got shape "
                         f"{numpy.shape(getval(y0))}")
    if numpy.ndim(getval(t)) != 1:
        raise ValueError(f"odeint: t must be a vector of times, got shape "
                         f"{numpy.shape(getval(t))}")
    constants = tuple(_TRACED if is_traced else leaf for is_traced, leaf in zip(traced, leaves))
    system = _System(func, structure, constants, tfirst, options)
    params = [leaf for is_traced, leaf in zip(traced, leaves) if is_traced]
    inputs = make_sequence(tuple, _as_float("y0", y0), _as_float("t", t), *params)
    return solve(inputs, system=system, options=options)


composite(odeint, scipy.integrate.odeint, pack_sequences=False)  # args is a tree of arrays
