"""The data layer's error types and the argument checks its modules share.

Every bad argument is caught here, at the entry of a public function, so that users see a
message naming the parameter and the fix instead of a traceback from inside numpy or pandas.
"""

from __future__ import annotations

import numbers

import numpy as np

from mlkit.options import did_you_mean

__all__ = ["DataError", "DataFileNotFoundError"]


class DataError(ValueError):
    """Bad data, or an argument that cannot describe the data (a ``ValueError``)."""


class DataFileNotFoundError(DataError, FileNotFoundError):
    """A data file that does not exist (both a ``DataError`` and a ``FileNotFoundError``)."""


def check_choice(param: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise raise naming the valid ones."""
    if not isinstance(value, str) or value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise DataError(
            f"{param}={value!r} is not supported; use one of {valid}."
            + did_you_mean(value, choices, sentence=True)
        )
    return value


def check_int(param: str, value, minimum: int) -> int:
    """Return ``value`` as an ``int`` if it is an integer (not a bool) ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{param} must be an integer, got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise DataError(f"{param} must be at least {minimum}, got {value}.")
    return int(value)


def check_float_dtype(dtype, param: str = "dtype") -> np.dtype:
    """Return ``dtype`` as a numpy dtype if it names float32 or float64."""
    try:
        resolved = None if dtype is None else np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{param} must be float32 or float64, got {dtype!r}.")
    return resolved


def as_array(value, param: str) -> np.ndarray:
    """``np.asarray(value)``, with ragged input reported by parameter name."""
    try:
        return np.asarray(value)
    except ValueError:
        raise DataError(f"{param} is ragged (rows of different lengths); pass a rectangular "
                        "array with one row per sample.") from None


def is_missing(value) -> bool:
    """True for ``None`` and float NaN, the two spellings of a missing entry."""
    return value is None or (isinstance(value, (float, np.floating)) and np.isnan(value))


def check_labels(y, param: str) -> np.ndarray:
    """``y`` as a 1-D label array with no missing values and one comparable type."""
    y = as_array(y, param)
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
