"""Hyperparameter constraints of the estimators, derived from type hints and checked at the top
of ``fit`` as scikit-learn checks its own.

scikit-learn's contract keeps ``__init__`` to plain assignments so that ``clone`` and
``set_params`` equal construction, and reads ``_parameter_constraints`` (one entry per
``__init__`` parameter, in its vocabulary: intervals, string options, ``"boolean"``, ...).
Each estimator's entries are derived by :func:`parameter_constraints`: a parameter handed to
a component takes that component option's type hint (:data:`COMPONENT_OPTIONS`: ``dropout``
is :class:`mlkit.nn.MLP`'s), any other the hint in the estimator's ``__init__``; so a bound is
stated once and the estimator refuses what its component refuses. ``fit`` calls
:func:`validate_params`, so a bad value (``C=nan``, ``fit_intercept=1e-300``) is scikit-learn's
InvalidParameterError naming the parameter, the accepted values and the value given, before
any training starts.
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
           "ValidationFraction", "Verbose", "invalid", "parameter_constraints",
           "resolve_batch_size", "validate_params"]

COMPONENT_OPTIONS = {
    "learning_rate_init": (optim.Adam, "lr"),
    "max_iter": (fit, "epochs"),
    "tol": (EarlyStopping, "min_delta"),
    "shuffle": (fit, "shuffle"),
    "jit": (fit, "jit"),
    "dropout": (nn.MLP, "dropout"),
}
"""Estimator parameter -> (component, option) whose type hint it takes: the option it becomes
(``tol`` is also L-BFGS's ``tolerance_grad``, ``max_iter`` its ``max_iter``: same bounds)."""

Seed = NonNegativeInt | numpy.random.Generator | numpy.random.RandomState | None
BatchSize = PositiveInt | Literal["auto"]
ValidationFraction = Annotated[float, Range(gt=0, lt=1)]
Monitor = Literal["score", "loss"]
ClassWeight = Literal["balanced"] | dict | None
Verbose = bool | NonNegativeInt
"""The hints of parameters every estimator (or both classifiers) has, stated once here."""


def _option_hint(component, option: str):
    """The type hint of ``component``'s (a function's, or a class's ``__init__``) ``option``."""
    target = component.__init__ if isinstance(component, type) else component
    return typing.get_type_hints(target, include_extras=True)[option]


def parameter_constraints(cls) -> dict:
    """scikit-learn's ``_parameter_constraints`` of estimator class ``cls``: from the hint of
    the component option a parameter becomes, else from the ``__init__`` hints of ``cls`` and
    its mlkit bases; ``cls._unhinted_constraints`` holds what no hint can say (C's ``inf``);
    any other parameter (``dtype``) is ``"no_validation"`` (checked by
    :func:`validate_params`)."""
    hints = {}
    for owner in reversed(cls.__mro__):
        if owner.__module__.startswith("mlkit.") and "__init__" in vars(owner):
            hints.update(typing.get_type_hints(owner.__init__, include_extras=True))
    constraints = {}
    for name in cls._get_param_names():
        if name in COMPONENT_OPTIONS:
            constraints[name] = _sklearn_constraints(_option_hint(*COMPONENT_OPTIONS[name]))
        elif name in hints:
            constraints[name] = _sklearn_constraints(hints[name])
        else:
            constraints[name] = getattr(cls, "_unhinted_constraints", {}).get(
                name, "no_validation")
    return constraints


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
    def refuse(kind, where, hint, value):
        return InvalidParameterError(f"The {where!r} parameter of {estimator} must be "
                                     f"{spelled(hint)}. Got {value!r} instead.")
    return refuse


# estimator class -> [(parameter name, its constraint objects)], built at the first fit
_CONSTRAINTS: dict[type, list] = {}
# estimator class -> parameter values (all plain scalars, with their types) that passed
_PASSED: dict[type, set] = {}
_PASSED_KEPT = 64
_PLAIN = (bool, int, float, str, type(None))


def validate_params(estimator) -> None:
    """InvalidParameterError (a ValueError) for the first parameter of ``estimator`` outside
    its ``_parameter_constraints``; also refuses a ``dtype`` other than float32/float64.

    scikit-learn's check rebuilds the constraint objects and reads the parameter names from
    ``__init__``'s signature at every call (most of a millisecond-long fit); here both are
    built once per class and the values tested against them, and a value that passes none
    goes to scikit-learn's check, so its error is scikit-learn's. Values that are all plain
    scalars and passed before (the same types and values) are not tested again: a repeated
    fit of the same settings skips the ~40 us of constraint tests."""
    cls = type(estimator)
    checks = _constraints(cls)
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
        except TypeError:
            ok = False
        if not ok:
            raise ValueError(f"The 'dtype' parameter of {type(estimator).__name__} must be "
                             f"None, 'float32' or 'float64'. Got {dtype!r} instead.")


def _plain_key(values):
    """``values`` with their types as a hashable key, or None unless all are plain scalars
    (bools, ints, floats, strings, None; nan never matches itself, so it is always tested)."""
    key = []
    for value in values:
        kind = type(value)
        if kind not in _PLAIN:
            return None
        key.append((kind, value))
    return tuple(key)


def _constraints(cls) -> list:
    found = _CONSTRAINTS.get(cls)
    if found is None:
        declared = cls._parameter_constraints
        found = _CONSTRAINTS[cls] = [
            (name, [make_constraint(constraint) for constraint in declared[name]])
            for name in cls._get_param_names()
            if name in declared and not (isinstance(declared[name], str)
                                         and declared[name] == "no_validation")]
    return found


def resolve_batch_size(batch_size, n: int) -> int:
    """``"auto"`` -> ``min(200, n)`` (scikit-learn's rule); an int is clipped to ``n``."""
    if isinstance(batch_size, str) and batch_size == "auto":
        return min(200, n)
    return min(int(batch_size), n)
