"""Turn numpy callables into mlkit ones: traced primitives, composites, or non-differentiable.

Every wrapped callable is remembered by its numpy original, so that a numpy function called
directly on a traced value (``numpy.sum(x)``) dispatches to mlkit's version, and so that the
namespace can say which of its names have which rules.
"""

import functools

from mlkit.autodiff.tracer import box_types, getval, primitive

__all__ = ["wrap", "nondifferentiable", "composite", "dispatch_from", "wrapped_for", "kind_of",
           "strip", "in_place"]

_wrapped_for_raw: dict = {}
_kinds: dict = {}


def wrap(raw, name=None):
    """A traced primitive of numpy's ``raw``; its rules are registered next to it."""
    fun = primitive(raw)
    if name:
        fun.__name__ = fun.__qualname__ = name
    _wrapped_for_raw[raw] = fun
    _kinds[fun] = "primitive"
    return fun


def composite(fun, raw=None):
    """Mark ``fun`` as built from primitives (so it needs no rules), standing in for ``raw``."""
    if raw is not None:
        _wrapped_for_raw[raw] = fun
    _kinds[fun] = "composite"
    return fun


def strip(x):
    """``x`` with every box removed, inside lists and tuples too."""
    if type(x) in box_types:
        return getval(x)
    if type(x) in (list, tuple):
        return type(x)(strip(item) for item in x)
    return x


def nondifferentiable(raw):
    """numpy's ``raw`` applied to the raw values of traced arguments (a constant result)."""

    @functools.wraps(raw)
    def fun(*args, **kwargs):
        return raw(*[strip(a) for a in args], **{k: strip(v) for k, v in kwargs.items()})

    _wrapped_for_raw[raw] = fun
    _kinds[fun] = "nondifferentiable"
    return fun


def dispatch_from(fun, *raws):
    """Let each numpy callable in ``raws``, called on a traced value, run ``fun`` (for aliases
    such as numpy.amax, and for primitives wrapping a private helper instead of numpy's own)."""
    for raw in raws:
        if raw is not None:
            _wrapped_for_raw[raw] = fun


def wrapped_for(raw):
    """mlkit's version of numpy's ``raw``, or None."""
    return _wrapped_for_raw.get(raw)


def kind_of(fun):
    """'primitive', 'composite', 'nondifferentiable', or None for an unknown callable."""
    return _kinds.get(fun)


def _traced(x):
    """True if ``x`` is a box, or a list or tuple holding one."""
    if type(x) in (list, tuple):
        return any(_traced(item) for item in x)
    return type(x) in box_types


def in_place(raw):
    """numpy's ``raw``, which writes into one of its arguments: run on plain arrays, refused
    with a clear error when any argument is traced (a traced value cannot be written into, and
    a value written into a plain array would lose its derivative)."""

    @functools.wraps(raw)
    def fun(*args, **kwargs):
        for value in (*args, *kwargs.values()):
            if _traced(value):
                raise TypeError(
                    f"np.{raw.__name__} writes into an array in place, which traced values "
                    "cannot take part in; build a new array instead, with "
                    "np.index_update(x, index, values) or x.at[index].set(values)")
        return raw(*args, **kwargs)

    _wrapped_for_raw[raw] = fun
    _kinds[fun] = "nondifferentiable"
    return fun
