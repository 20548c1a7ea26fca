"""Checks of estimator hyperparameters, run at the top of ``fit`` (never in ``__init__``).

scikit-learn's contract keeps ``__init__`` to plain assignments so that ``clone`` and
``set_params`` equal construction; invalid values are reported when training starts.
"""

from __future__ import annotations

import numbers

__all__ = ["check_choice", "check_number", "resolve_batch_size"]


def check_choice(name: str, value, choices) -> None:
    """ValueError unless ``value`` is one of ``choices``."""
    if not any(value is choice or (isinstance(value, str) and value == choice)
               for choice in choices):
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


def check_number(name: str, value, low=None, high=None, low_open=False, high_open=False,
                 integer=False) -> None:
    """ValueError unless ``value`` is a real (or integer) number inside the given bounds."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"{name} must be {'an integer' if integer else 'a number'}, got "
                         f"{value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low if low is not None else '-inf'}, "
                         f"{high if high is not None else 'inf'}{right}, got {value!r}")


def resolve_batch_size(batch_size, n: int) -> int:
    """``"auto"`` -> ``min(200, n)`` (scikit-learn's rule); an int is clipped to ``n``."""
    if isinstance(batch_size, str) and batch_size == "auto":
        return min(200, n)
    check_number("batch_size", batch_size, low=1, integer=True)
    return min(int(batch_size), n)
