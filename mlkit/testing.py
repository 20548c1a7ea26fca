"""``check_grads``: compare a function's derivative rules with finite differences.

Reverse mode is checked through the adjoint identity <w, J u> = <J^T w, u> with random u and w,
forward mode by comparing J u with a central difference; both recurse to higher orders by
checking the derivative functions themselves. Public so users can check their own primitives;
``check_grads(fun, argnum, modes, order)(*args)`` and ``combo_check`` take HIPS autograd's
arguments, so its test code runs unchanged.
"""

import inspect
import itertools
import warnings

import numpy

from mlkit.autodiff.entry import make_jvp, make_vjp, unary_of
from mlkit.autodiff.vspace import vspace

__all__ = ["check_equivalent", "check_grads", "check_jvp", "check_vjp", "combo_check",
           "make_numerical_jvp", "numerical_jvp", "scalar_close"]

_MODES = ("fwd", "rev")
_NAMES = {"fwd": "forward-mode (JVP)", "rev": "reverse-mode (VJP)"}


def _axpy(space, a, x, y):
    """``a * x + y`` in ``space``."""
    return space.add(space.scalar_mul(x, a), y)


def numerical_jvp(f, x, v, eps=1e-6):
    """The central difference ``(f(x + eps v) - f(x - eps v)) / (2 eps)``."""
    space = vspace(x)
    f_plus, f_minus = f(_axpy(space, eps, v, x)), f(_axpy(space, -eps, v, x))
    return _axpy(vspace(f_plus), -1.0, f_minus, f_plus), 1.0 / (2 * eps)


def make_numerical_jvp(f, x, eps=1e-6):
    """``v -> J v`` of ``f`` at ``x`` by central differences (``numerical_jvp`` as a function
    of the direction)."""

    def jvp(v):
        difference, scale = numerical_jvp(f, x, v, eps)
        space = vspace(difference)
        return space.scalar_mul(difference, scale)

    return jvp


def scalar_close(a, b, rtol=1e-5, atol=1e-5):
    """Whether two numbers agree to ``atol`` absolutely or ``rtol`` relative to their sum's
    magnitude (the comparison behind every check here that has no tolerance of its own)."""
    error = abs(a - b)
    return bool(error < atol or error < rtol * abs(a + b))


def check_equivalent(x, y, seed=None):
    """Assert that ``x`` and ``y`` are the same value up to rounding: the same vector space
    (structure, shapes, dtypes) and every number close (``scalar_close``); for a space of
    one's own that cannot flatten its values, the same inner product with a random direction."""
    space = vspace(x)
    if space != vspace(y):
        raise AssertionError(f"different vector spaces: {space} and {vspace(y)}")
    try:
        pairs = zip(space.flatten(x), space.flatten(y))
    except NotImplementedError:
        pass
    else:
        if not all(scalar_close(a, b) for a, b in pairs):
            raise AssertionError(f"values differ: {x!r} and {y!r}")
        return
    direction = _randn(space, numpy.random.default_rng(seed))
    along_x, along_y = space.inner_prod(x, direction), space.inner_prod(y, direction)
    if not scalar_close(along_x, along_y):
        raise AssertionError(f"values differ: {x!r} and {y!r} (projections {along_x:.10g} and "
                             f"{along_y:.10g} on a random direction)")


def check_vjp(f, x, seed=None, rtol=1e-5, atol=1e-6):
    """Check ``f``'s reverse-mode derivative at ``x``, to first order, against finite
    differences (one order of ``check_grads(f, modes=["rev"])``)."""
    _check_rev(f, x, numpy.random.default_rng(seed), 1, _name(f), (rtol, atol))


def check_jvp(f, x, seed=None, rtol=1e-5, atol=1e-6):
    """Check ``f``'s forward-mode derivative at ``x``, to first order, against finite
    differences (one order of ``check_grads(f, modes=["fwd"])``)."""
    _check_fwd(f, x, numpy.random.default_rng(seed), 1, _name(f), (rtol, atol))


def _randn(space, rng):
    """A random value of ``space`` from ``rng``; a space of one's own written for HIPS
    autograd takes no generator (``randn(self)``) and draws from numpy's global state."""
    if inspect.signature(space.randn).parameters:
        return space.randn(rng)
    return space.randn()


def _name(fun):
    return getattr(fun, "__name__", repr(fun))


def _scaled_inner(space, w, pair):
    difference, scale = pair
    return space.inner_prod(w, difference) * scale


def _number(value):
    """A real or complex Python number (real when its imaginary part is zero)."""
    value = complex(value)
    return value.real if value.imag == 0 else value


def _compare(analytic, numeric, mode, order, name, rtol, atol):
    analytic, numeric = _number(analytic), _number(numeric)
    error = abs(analytic - numeric)
    if not error <= atol + rtol * abs(numeric):
        raise AssertionError(
            f"{_NAMES[mode]} check of {name} failed at order {order}: largest "
            f"error {error:.3g} (analytic {analytic:.10g}, numerical {numeric:.10g}, "
            f"rtol {rtol:g}, atol {atol:g})"
        )


def _check_fwd(f, x, rng, order, name, tol):
    space = vspace(x)
    v = _randn(space, rng)
    y, tangent = make_jvp(f, x)(v)
    out_space = vspace(y)
    w = _randn(out_space, rng)
    exact = out_space.inner_prod(w, tangent)
    numeric = _scaled_inner(out_space, w, numerical_jvp(f, x, v))
    _compare(exact, numeric, "fwd", order, name, *tol)
    return v


def _check_rev(f, x, rng, order, name, tol):
    space = vspace(x)
    vjp, y = make_vjp(f, x)
    out_space = vspace(y)
    u, w = _randn(space, rng), _randn(out_space, rng)
    exact = space.inner_prod(u, space.covector(vjp(out_space.covector(w))))
    numeric = _scaled_inner(out_space, w, numerical_jvp(f, x, u))
    _compare(exact, numeric, "rev", order, name, *tol)
    return w


def _check(f, x, modes, order, max_order, rng, name, tol):
    if "fwd" in modes:
        v = _check_fwd(f, x, rng, order, name, tol)
        if order < max_order:
            def tangent_of(x, _v=v):
                return make_jvp(f, x)(_v)[1]
            _check(tangent_of, x, modes, order + 1, max_order, rng, f"jvp_{name}", tol)
    if "rev" in modes:
        w = _check_rev(f, x, rng, order, name, tol)
        if order < max_order:
            def cotangent_of(pair):
                point, weight = pair
                return make_vjp(f, point)[0](weight)
            _check(cotangent_of, (x, w), modes, order + 1, max_order, rng, f"vjp_{name}", tol)


def _check_argnum(argnum):
    if argnum is None or isinstance(argnum, int) and not isinstance(argnum, bool):
        return argnum
    if isinstance(argnum, (tuple, list)) and all(
            isinstance(i, int) and not isinstance(i, bool) for i in argnum):
        return tuple(argnum)
    raise TypeError(
        f"check_grads: argnum must be an int, a tuple of ints or None (every argument), got "
        f"{argnum!r}; the modes come after it: check_grads(f, modes=('fwd', 'rev'))"
    )


def check_grads(fun, argnum=0, modes=_MODES, order=2, rtol=1e-5, atol=1e-6, seed=0):
    """``check_grads(f, argnum=0, modes, order)(*args)`` checks f's derivatives to ``order``.

    ``argnum`` picks the argument checked (an int, a tuple of them, or None for all of them);
    ``modes`` is any of ``"fwd"`` and ``"rev"``. Raises AssertionError naming the mode, the
    order and the largest error when an analytic derivative disagrees with finite
    differences. Use float64 arguments.
    """
    argnum = _check_argnum(argnum)
    if isinstance(modes, str) or any(m not in _MODES for m in modes):
        raise ValueError(f"unknown modes {modes!r}; use a list of 'fwd' and/or 'rev'")

    def checker(*args, **kwargs):
        name = _name(fun)
        rng = numpy.random.default_rng(seed)
        of_checked, x = unary_of(fun, argnum, args, kwargs)

        with warnings.catch_warnings():
            # Derivatives of piecewise-linear functions are constants; that is not a failure.
            warnings.filterwarnings("ignore", message=".*does not depend on its input")
            _check(of_checked, x, tuple(modes), 1, order, rng, name, (rtol, atol))

    return checker


def combo_check(fun, *check_args, **check_kwargs):
    """``combo_check(f, argnum, modes, order)(xs, ys, ..., key=values)`` runs ``check_grads``
    at every combination of one value from each list of arguments and keyword values."""

    def checker(*arg_choices, **kwarg_choices):
        keyword_options = [[(key, value) for value in values]
                           for key, values in kwarg_choices.items()]
        for args in itertools.product(*arg_choices):
            for keywords in itertools.product(*keyword_options):
                check_grads(fun, *check_args, **check_kwargs)(*args, **dict(keywords))

    return checker
