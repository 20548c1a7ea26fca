"""The data layer's error types and the argument checks its modules share.

Every bad argument is caught here, at the entry of a public function, so that users see a
message naming the parameter and the fix instead of a traceback from inside numpy or pandas.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Annotated, Literal, get_args, get_origin

import numpy as np

from mlkit.checks import rectangular
from mlkit.options import OptionConflict, Range, check, choices, did_you_mean, spelled

__all__ = ["DataError", "DataFileNotFoundError", "OptionError"]


class DataError(ValueError):
    """Bad data, or an argument that cannot describe the data (a ``ValueError``)."""


class DataFileNotFoundError(DataError, FileNotFoundError):
    """A data file that does not exist (both a ``DataError`` and a ``FileNotFoundError``)."""


class OptionError(OptionConflict, DataError):
    """An option that cannot work, alone or with another: a DataError reading
    ``option=value reason; fix.`` (``name`` spells the option, e.g. ``"CSV schema '{}'"``),
    whose parts a config reports at the option's dotted path."""

    def __init__(self, option: str, reason: str, value, fix: str, name: str = "{}"):
        self.option, self.reason, self.value, self.fix = option, reason, value, fix
        DataError.__init__(self, f"{name.format(option)}={value!r} {reason}; {fix}.")


def refused(kind: type, param: str, hint, value) -> Exception:
    """The data layer's words for an argument outside its type hint (a ``refuse`` of
    :func:`mlkit.options.check`): a DataError for a bad value, a TypeError for a wrong kind."""
    words = choices(hint)
    if kind is TypeError:
        return TypeError(f"{param} must be {spelled(hint)}, got {type(value).__name__} "
                         f"{value!r}.")
    if words:
        return DataError(f"{param}={value!r} is not supported; use one of "
                         f"{', '.join(map(repr, words))}."
                         + did_you_mean(value, words, sentence=True))
    least = [meta.ge for member in (hint, *get_args(hint)) if get_origin(member) is Annotated
             for meta in member.__metadata__ if isinstance(meta, Range)
             and meta.ge is not None and meta.lt is None and meta.le is None]
    return DataError(f"{param} must be at least {least[0]}, got {value!r}." if least else
                     f"{param} must be {spelled(hint)}, got {value!r}.")


def check_choice(param: str, value, words) -> str:
    """Return ``value`` if it is one of ``words``; otherwise raise naming the valid ones."""
    return check(param, Literal[tuple(words)], value, refused)


def check_int(param: str, value, minimum: int) -> int:
    """Return ``value`` as an ``int`` if it is an integer (not a bool) ``>= minimum``."""
    return check(param, Annotated[int, Range(ge=minimum)], value, refused)


def check_float_dtype(dtype, param: str = "dtype") -> np.dtype:
    """Return ``dtype`` as a numpy dtype if it names float32 or float64."""
    try:
        resolved = None if dtype is None else np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{param} must be float32 or float64, got {dtype!r}.")
    return resolved


def is_missing(value) -> bool:
    """True for ``None`` and float NaN, the two spellings of a missing entry."""
    return value is None or (isinstance(value, (float, np.floating)) and np.isnan(value))


def is_finite(value) -> bool:
    """True for a finite real number that is not a bool: a number as a JSON file holds one."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def check_labels(y, param: str) -> np.ndarray:
    """``y`` as a 1-D label array with no missing values and one comparable type."""
    y = rectangular(y, param, DataError)
    if y.ndim != 1:
        raise DataError(f"{param} must be 1-D (one label per row), got shape {y.shape}.")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise DataError(f"{param} has {int(np.isnan(y).sum())} NaN label(s); drop those rows.")
    if y.dtype.kind == "O":
        if any(is_missing(v) for v in y):
            raise DataError(f"{param} has missing labels (None or NaN); drop those rows.")
        kinds = {type(v).__name__ for v in y}
        if len(kinds) > 1:
            raise TypeError(f"{param} mixes label types {sorted(kinds)}; use one type.")
    return y
