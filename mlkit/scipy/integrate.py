"""``odeint``: scipy.integrate.odeint, differentiable with respect to y0, t and the extra args,
to any order.

Reverse mode is the adjoint method: the cotangent ``a`` of the state runs backward in time
with ``da/dt = -a . df/dy`` from each output time to the one before (picking up that output's
cotangent there), and the args' cotangent accumulates ``a . df/dargs`` along the way; both ride
with the state in one augmented system solved backward. Forward mode solves the sensitivity
system ``ds/dt = df/dy s + df/dargs . dargs`` forward with the state. The products with f's
Jacobians come from mlkit's own ``make_vjp``/``make_jvp`` on ``func``, so ``func`` is written
with mlkit.numpy. A moved output time t_j adds ``f(y_j, t_j) dt_j``, and a moved start
``-J(t_j, t_0) f(y_0, t_0) dt_0``, to the output.

Both passes are mlkit.numpy code whose integrations call the ``solve`` primitive itself on the
augmented system (a ``_System`` of its own), so differentiating a derivative differentiates
those solves in turn, by the same two methods, with the right-hand sides' derivatives nested.
"""

import contextlib
import functools
import warnings

import numpy
import scipy.integrate

import mlkit.numpy as np
from mlkit.autodiff.containers import make_sequence
from mlkit.autodiff.entry import make_jvp, make_vjp
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import Box, getval, primitive, rawval
from mlkit.numpy.wrap import composite
from mlkit.tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["odeint"]

# Options of scipy's odeint that also govern the backward (or sensitivity) integration; the
# others (Dfun, banded Jacobians, the first step) describe the original system only.
_SHARED_OPTIONS = ("rtol", "atol", "tcrit", "hmax", "hmin", "mxstep", "printmessg")


class _System:
    """A right-hand side (the user's, or a derivative pass's augmented one) with its constant
    arguments in place and its traced arguments (``params``) passed separately:
    ``rhs(y, s, params)``."""

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

    @classmethod
    def derived(cls, rate, count, options):
        """The system of a derivative pass: ``rate(y, s, *params)`` of ``count`` params."""
        return cls(rate, tree_flatten((0.0,) * count)[1], (_TRACED,) * count, False, options)


_TRACED = object()  # marks an argument slot filled from the traced params


def _solve(inputs, system, options):
    y0, t, *params = inputs
    options = dict(options)
    if options.get("Dfun") is not None:
        options["Dfun"] = system.jacobian(options["Dfun"])
    return scipy.integrate.odeint(system.rhs, y0, t, args=(params,), **options)


solve = primitive(_solve)


def _rate(system, y, s, params):
    """``f(y, s)`` as a flat float vector."""
    return np.ravel(system.rhs(y, s, params)).astype(float)


@contextlib.contextmanager
def _quietly():
    """A right-hand side free of the state or of some args has zero derivatives there: expected
    in a derivative pass, so not worth the warning the engine gives for it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not depend on its input")
        yield


def _backward_rate(system, n, state, s, *params):
    """The adjoint system on ``state = [y, a, args_bar]``: ``dy/ds = f``, ``da/ds = -a . df/dy``
    and ``d args_bar/ds = -a . df/dargs``, integrated from one output time to the one before."""
    y, a = state[:n], state[n:2 * n]
    with _quietly():
        vjp, dy = make_vjp(lambda x: system.rhs(x[0], s, x[1]), (y, list(params)))
        a_y, a_params = vjp(-a)
    return np.concatenate([np.ravel(dy), a_y, *[np.ravel(p) for p in a_params]])


def _forward_rate(system, n, count, state, s, *params):
    """The sensitivity system on ``state = [y, dy]``: ``dy/ds = f`` and
    ``d dy/ds = df/dy dy + df/dargs dargs``; ``params`` are the args, then their tangents."""
    y, sens = state[:n], state[n:]
    with _quietly():
        jvp = make_jvp(lambda x: system.rhs(x[0], s, x[1]), (y, list(params[:count])))
        dy, dsens = jvp((sens, list(params[count:])))
    return np.concatenate([np.ravel(dy), np.ravel(dsens)])


def _solve_derived(rate, state, times, params, system):
    """``solve`` of a derivative pass's system ``rate(state, s, *params)``, with the options
    the original shares with it."""
    derived = _System.derived(rate, len(params), system.options)
    inputs = make_sequence(tuple, state, times, *params)
    return solve(inputs, system=derived, options=derived.options)


def _like(value, like):
    """``value`` in the shape and dtype of the input ``like`` (a scalar for a scalar)."""
    raw = rawval(like)
    value = np.reshape(value, numpy.shape(raw))
    dtype = numpy.result_type(raw)
    if value.dtype != dtype:
        value = value.astype(dtype)
    return value[()] if value.ndim == 0 else value


def _adjoint(g, ans, inputs, system):
    """The cotangents of (y0, t, *params) for the output cotangent ``g``."""
    y0, t, *params = inputs
    n = ans.shape[1]
    rate = functools.partial(_backward_rate, system, n)
    a = g[-1]
    params_bar = np.zeros(sum(numpy.size(rawval(p)) for p in params))
    t_bar = []
    for j in range(len(t) - 1, 0, -1):
        t_bar.append(np.dot(g[j], _rate(system, ans[j], t[j], params)))
        state = np.concatenate([ans[j], a, params_bar])
        end = _solve_derived(rate, state, np.stack([t[j], t[j - 1]]), params, system)[-1]
        a, params_bar = end[n:2 * n] + g[j - 1], end[2 * n:]
    t_bar.append(-np.dot(a - g[0], _rate(system, ans[0], t[0], params)))
    bars, start = [], 0
    for p in params:
        size = numpy.size(rawval(p))
        bars.append(params_bar[start:start + size])
        start += size
    cotangents = [a, np.stack(t_bar[::-1]), *bars]
    return make_sequence(tuple, *[_like(c, x) for c, x in zip(cotangents, [y0, t, *params])])


def _tangent(tangents, ans, inputs, system):
    """The output's tangent for the input tangents ``tangents`` = (dy0, dt, *dparams)."""
    _, t, *params = inputs
    dy0, dt, *dparams = tangents
    n = ans.shape[1]
    rate = functools.partial(_forward_rate, system, n, len(params))
    start = np.ravel(dy0) - _rate(system, ans[0], t[0], params) * dt[0]
    path = _solve_derived(rate, np.concatenate([ans[0], start]), t, [*params, *dparams], system)
    moved = np.stack([_rate(system, ans[j], t[j], params) for j in range(len(t))])
    return path[:, n:] + moved * dt[:, None]


defvjp(solve, lambda ans, inputs, system, options: lambda g: _adjoint(g, ans, inputs, system))
defjvp(solve, lambda tangents, ans, inputs, system, options: _tangent(
    tangents, ans, inputs, system))


def _expand(x):
    """``x`` with traced tuples, lists and dicts opened up into plain ones (leaves stay)."""
    return tree_map(lambda leaf: leaf, x, look_through=getval)


def _as_float(name, x):
    # rawval, not getval: reading a jit-recorded value's numbers would guard on them
    raw = numpy.asarray(rawval(x))
    if raw.dtype.kind not in "fiub":
        raise TypeError(f"odeint: {name} must be real numbers, got dtype {raw.dtype}")
    return x if issubclass(type(x), Box) else raw.astype(numpy.result_type(raw, float))


def odeint(func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, ml=None, mu=None,
           rtol=None, atol=None, tcrit=None, h0=0.0, hmax=0.0, hmin=0.0, ixpr=0, mxstep=0,
           printmessg=0, tfirst=False):
    """scipy.integrate.odeint(func, y0, t, args, ...), differentiable with respect to ``y0``,
    ``t`` and the arrays inside ``args`` (a tuple of arrays, or of nested tuples, lists and
    dicts of them): reverse mode by the adjoint method, forward mode by sensitivities, to
    any order. ``func(y, t, *args)`` (``func(t, y, *args)`` with ``tfirst``) must be
    written with mlkit.numpy."""
    options = {"Dfun": Dfun, "col_deriv": col_deriv, "ml": ml, "mu": mu, "rtol": rtol,
               "atol": atol, "tcrit": tcrit, "h0": h0, "hmax": hmax, "hmin": hmin,
               "ixpr": ixpr, "mxstep": mxstep, "printmessg": printmessg}
    if not isinstance(getval(args), (tuple, list)):
        args = (args,)
    args = tuple(_expand(args))
    leaves, structure = tree_flatten(args)
    traced = [issubclass(type(leaf), Box) for leaf in leaves]
    if not (any(traced) or issubclass(type(y0), Box) or issubclass(type(t), Box)):
        return scipy.integrate.odeint(func, y0, t, args=args, full_output=full_output,
                                      tfirst=tfirst, **options)
    if full_output:
        raise NotImplementedError(
            "odeint: full_output is not available while differentiating; call odeint again "
            "outside the differentiated function to get the solver's report")
    if numpy.ndim(rawval(y0)) > 1:
        raise ValueError(f"odeint: y0 must be a scalar or a vector, got shape "
                         f"{numpy.shape(rawval(y0))}")
    if numpy.ndim(rawval(t)) != 1:
        raise ValueError(f"odeint: t must be a vector of times, got shape "
                         f"{numpy.shape(rawval(t))}")
    constants = tuple(_TRACED if is_traced else leaf for is_traced, leaf in zip(traced, leaves))
    system = _System(func, structure, constants, tfirst, options)
    params = [leaf for is_traced, leaf in zip(traced, leaves) if is_traced]
    inputs = make_sequence(tuple, _as_float("y0", y0), _as_float("t", t), *params)
    return solve(inputs, system=system, options=options)


composite(odeint, scipy.integrate.odeint, pack_sequences=False)  # args is a tree of arrays
