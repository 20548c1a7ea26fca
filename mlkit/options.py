"""The bounds of a component's options, stated once in its signature, and the rules between them.

A component (an optimizer, a schedule, a loss, a model) types each option in its signature,
e.g. ``lr: PositiveFloat = 1e-3``; the config schema is derived from those hints, so YAML and
Python share one default and one range. :class:`Range` and :class:`Length` are plain metadata
inside ``typing.Annotated``. A rule between options (SGD's nesterov needs momentum) is the
component's static ``check_options``, which raises :class:`OptionConflict`: its constructor
and the config schema both call it. Nothing here imports mlkit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

__all__ = ["BatchSize", "Fraction", "Length", "NonNegativeFloat", "NonNegativeInt",
           "OptionConflict", "PositiveFloat", "PositiveInt", "Range"]


@dataclass(frozen=True)
class Range:
    """Bounds of a number: ``gt``/``ge`` below, ``lt``/``le`` above (None: unbounded)."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None


@dataclass(frozen=True)
class Length:
    """Bounds of a sequence's length (None: unbounded)."""

    min: int | None = None
    max: int | None = None


class OptionConflict(ValueError):
    """Options each valid alone that do not go together: the option to change, why, its
    value, and how to fix it (a config reports it at that option's path)."""

    def __init__(self, component: str, option: str, reason: str, value, fix: str):
        self.option, self.reason, self.value, self.fix = option, reason, value, fix
        super().__init__(f"{component}: {option}={value!r} {reason}; {fix}")


PositiveFloat = Annotated[float, Range(gt=0)]
NonNegativeFloat = Annotated[float, Range(ge=0)]
Fraction = Annotated[float, Range(ge=0, lt=1)]
PositiveInt = Annotated[int, Range(ge=1)]
NonNegativeInt = Annotated[int, Range(ge=0)]
BatchSize = PositiveInt | Literal["full"]
"""Rows per training step, or ``"full"`` for whole-data steps."""
