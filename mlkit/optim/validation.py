"""Checks of arguments and loaded states that fail at once, with a message saying why.

Every argument check returns the value as a plain Python ``float``/``int``/``bool``: Python
scalars stay "weak" in numpy arithmetic, so float32 parameters are never promoted to float64.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def real(owner: str, name: str, value, *, low=None, high=None, low_open=False, high_open=False):
    """``value`` as a finite float inside the given bounds, or a ``ValueError`` naming ``name``."""
    allowed = _describe(low, high, low_open, high_open)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number {allowed}, got {value!r}")
    number = float(value)
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if not math.isfinite(number) or too_low or too_high:
        raise ValueError(f"{owner}: {name} must be a finite number {allowed}, got {value!r}")
    return number


def integer(owner: str, name: str, value, *, low=None):
    """``value`` as an int no smaller than ``low``, or an error naming ``name``."""
    allowed = f">= {low}" if low is not None else "(any integer)"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer {allowed}, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{owner}: {name} must be an integer {allowed}, got {value!r}")
    return int(value)


def flag(owner: str, name: str, value):
    """``value`` if it is a bool, else a ``TypeError`` naming ``name``."""
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return value


def choice(owner: str, name: str, value, options):
    """``value`` if it is one of ``options``, else a ``ValueError`` listing them."""
    if value not in options:
        listed = ", ".join(repr(option) for option in options)
        raise ValueError(f"{owner}: {name} must be one of {listed}; got {value!r}")
    return value


def state_arrays(owner, state, expected):
    """``state`` as arrays with exactly the keys and shapes of ``expected``, or a clear error."""
    arrays = {str(key): np.asarray(value) for key, value in dict(state).items()}
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing or unexpected:
        raise KeyError(f"{owner}.load_state_dict: missing keys {missing}, unexpected {unexpected}")
    for key, value in expected.items():
        if arrays[key].shape != value.shape:
            raise ValueError(
                f"{owner}.load_state_dict: {key!r} has shape {arrays[key].shape}, expected "
                f"{value.shape}"
            )
    return arrays


def _describe(low, high, low_open, high_open):
    if low is not None and high is not None:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        return f"in {left}{low}, {high}{right}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high}"
    return ""
