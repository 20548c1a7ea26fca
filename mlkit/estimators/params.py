"""The estimators' hyperparameter constraints, derived from type hints and checked at the top
of ``fit`` as scikit-learn checks its own.

scikit-learn reads ``_parameter_constraints`` (one entry per ``__init__`` parameter, in its
vocabulary). Each estimator's are derived from type hints: a parameter handed to a component
takes that component option's hint (``dropout`` is :class:`mlkit.nn.MLP`'s), any other the hint
in the estimator's ``__init__``; so a bound is stated once, and a bad value (``C=nan``) is
scikit-learn's InvalidParameterError naming it, before any training starts.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Annotated, Literal, Union, get_args, get_origin

import numpy
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
    make_constraint,
)

from mlkit import nn, optim
from mlkit.options import NonNegativeInt, PositiveInt, Range, spelled
from mlkit.train import EarlyStopping, fit

__all__ = ["COMPONENT_OPTIONS", "BatchSize", "ClassWeight", "Interval", "Monitor", "Seed",
           "ValidationFraction", "Verbose", "declare_constraints", "invalid",
           "resolve_batch_size", "validate_params"]

COMPONENT_OPTIONS = {"learning_rate_init": (optim.Adam, "lr"), "max_iter": (fit, "epochs"),
                     "tol": (EarlyStopping, "min_delta"), "shuffle": (fit, "shuffle"),
                     "jit": (fit, "jit"), "dropout": (nn.MLP, "dropout")}
"""Estimator parameter -> the component option it becomes, whose hint it takes (``tol`` is also
L-BFGS's ``tolerance_grad``, ``max_iter`` its ``max_iter``, with the same bounds)."""

Seed = NonNegativeInt | numpy.random.Generator | numpy.random.RandomState | None
BatchSize = PositiveInt | Literal["auto"]
ValidationFraction = Annotated[float, Range(gt=0, lt=1)]
Monitor = Literal["score", "loss"]
ClassWeight = Literal["balanced"] | dict | None
Verbose = bool | NonNegativeInt
"""The hints of parameters every estimator (or both classifiers) has, stated once here."""


def declare_constraints(cls) -> None:
    """Set ``cls._parameter_constraints`` from the hints of :data:`COMPONENT_OPTIONS`, else of
    the ``__init__`` of ``cls`` and its mlkit bases, else ``cls._unhinted_constraints`` (what
    no hint can say), else ``"no_validation"``; and the constraint objects (built once per
    class: scikit-learn builds them at every call) that :func:`validate_params` tests."""
    hints = {}
    for owner in reversed(cls.__mro__):
        if owner.__module__.startswith("mlkit.") and "__init__" in vars(owner):
            hints.update(typing.get_type_hints(owner.__init__, include_extras=True))
    for name, (component, option) in COMPONENT_OPTIONS.items():
        target = component.__init__ if isinstance(component, type) else component
        hints[name] = typing.get_type_hints(target, include_extras=True)[option]
    unhinted = getattr(cls, "_unhinted_constraints", {})
    constraints = {name: _sklearn_constraints(hints[name]) if name in hints else
                   unhinted.get(name, "no_validation") for name in cls._get_param_names()}
    cls._parameter_constraints = constraints
    cls._constraint_objects = [(name, [make_constraint(c) for c in entry])
                               for name, entry in constraints.items() if entry != "no_validation"]


def _sklearn_constraints(hint) -> list:
    """A type hint in scikit-learn's constraint vocabulary; a float is finite, as in
    :func:`mlkit.options.check`, and a sequence is ``"array-like"`` (items checked apart)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return [constraint for arg in args for constraint in _sklearn_constraints(arg)]
    if origin is Literal:
        return [StrOptions(set(args))]
    if hint is bool:
        return ["boolean"]
    if hint is type(None):
        return [None]
    base = args[0] if origin is Annotated else hint
    if base in (int, float):
        bounds = [meta for meta in getattr(hint, "__metadata__", ()) if isinstance(meta, Range)]
        return [_interval(base, bounds[0] if bounds else Range())]
    if get_origin(base) in (list, tuple, Sequence):
        return ["array-like"]
    return [hint]  # a class: its instances


def _interval(base, bounds: Range) -> Interval:
    left = bounds.ge if bounds.gt is None else bounds.gt
    right = bounds.le if bounds.lt is None else bounds.lt
    if base is float:  # finite: open at the infinities
        left = -math.inf if left is None else left
        right = math.inf if right is None else right
    closed = {(True, True): "both", (True, False): "left", (False, True): "right",
              (False, False): "neither"}[bounds.ge is not None, bounds.le is not None]
    return Interval(Integral if base is int else Real, left, right, closed=closed)


def invalid(estimator: str):
    """A ``refuse`` for :func:`mlkit.options.check` worded as scikit-learn's own errors."""
    return lambda kind, where, hint, value: InvalidParameterError(
        f"The {where!r} parameter of {estimator} must be {spelled(hint)}. Got {value!r} instead.")


# estimator class -> parameter values (all plain scalars, with their types) that passed
_PASSED: dict[type, set] = {}
_PASSED_KEPT = 64
_PLAIN = (bool, int, float, str, type(None))


def validate_params(estimator) -> None:
    """InvalidParameterError (a ValueError) for the first parameter of ``estimator`` outside
    its ``_parameter_constraints``; also refuses a ``dtype`` other than float32/float64.

    The values are tested against the class's constraint objects, and a value that passes
    none goes to scikit-learn's check, so its error is scikit-learn's. Values that are all
    plain scalars and passed before (the same types and values) are not tested again: a
    repeated fit of the same settings skips the ~40 us of constraint tests."""
    cls = type(estimator)
    checks = cls._constraint_objects
    values = [getattr(estimator, name) for name, _ in checks]
    key = _plain_key(values)
    passed = _PASSED.setdefault(cls, set())
    if key is None or key not in passed:
        for (_, constraints), value in zip(checks, values):
            if not any(constraint.is_satisfied_by(value) for constraint in constraints):
                estimator._validate_params()
        if key is not None and len(passed) < _PASSED_KEPT:
            passed.add(key)
    dtype = getattr(estimator, "dtype", None)
    if dtype is not None:
        try:
            ok = numpy.dtype(dtype) in (numpy.float32, numpy.float64)
        except (TypeError, ValueError):  # numpy reads some texts as a struct format
            ok = False
        if not ok:
            raise ValueError(f"The 'dtype' parameter of {type(estimator).__name__} must be "
                             f"None, 'float32' or 'float64'. Got {dtype!r} instead.")


def _plain_key(values):
    """``values`` with their types as a hashable key, or None unless all are plain scalars
    (bools, ints, floats, strings, None; nan never matches itself, so it is always tested)."""
    if all(type(value) in _PLAIN for value in values):
        return tuple((type(value), value) for value in values)
    return None


def resolve_batch_size(batch_size, n: int) -> int:
    """``"auto"`` -> ``min(200, n)`` (scikit-learn's rule); an int is clipped to ``n``."""
    return min(200 if isinstance(batch_size, str) else int(batch_size), n)  # a checked value
