"""Hyperparameter constraints of the estimators, checked at the top of ``fit`` as scikit-learn
checks its own.

scikit-learn's contract keeps ``__init__`` to plain assignments so that ``clone`` and
``set_params`` equal construction. Each estimator declares ``_parameter_constraints`` (one
entry per ``__init__`` parameter, in scikit-learn's vocabulary: intervals, string options,
``"boolean"``, ``"random_state"``, ...) and ``fit`` calls :func:`validate_params`, so a bad
value (``C=nan``, ``fit_intercept=1e-300``) is a ValueError naming the parameter, the
accepted values and the value given, before any training starts.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy
from sklearn.utils._param_validation import Interval, StrOptions, make_constraint

__all__ = ["SHARED_CONSTRAINTS", "Interval", "StrOptions", "resolve_batch_size",
           "validate_params"]

POSITIVE = Interval(Real, 0, None, closed="neither")
NON_NEGATIVE = Interval(Real, 0, None, closed="left")
COUNT = Interval(Integral, 1, None, closed="left")
FRACTION = Interval(Real, 0, 1, closed="neither")

SHARED_CONSTRAINTS = {
    "max_iter": [COUNT],
    "tol": [NON_NEGATIVE],
    "random_state": ["random_state", numpy.random.Generator],
    "warm_start": ["boolean"],
    "learning_rate_init": [POSITIVE],
    "batch_size": [StrOptions({"auto"}), COUNT],
    "early_stopping": ["boolean"],
    "validation_fraction": [FRACTION],
    "n_iter_no_change": [COUNT],
    "monitor": [StrOptions({"score", "loss"})],
    "verbose": ["verbose"],
    "jit": ["boolean"],
}
"""The constraints of the parameters every mlkit estimator has."""


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
