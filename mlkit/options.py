"""The bounds of a component's options, stated once in its signature, and the rules between them.

A component (an optimizer, a schedule, a loss, a model) types each option in its signature,
e.g. ``lr: PositiveFloat = 1e-3``; the config schema is derived from those hints, so YAML and
Python share one default and one range. :class:`Range` and :class:`Length` are plain metadata
inside ``typing.Annotated``. A rule between options (SGD's nesterov needs momentum) is the
component's static ``check_options``, which raises :class:`OptionConflict`: its constructor
and the config schema both call it. A name outside its options gets one hint,
:func:`did_you_mean`, in every layer. Nothing here imports mlkit.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Annotated, Literal

__all__ = ["BatchSize", "Fraction", "Length", "NonNegativeFloat", "NonNegativeInt",
           "OptionConflict", "PositiveFloat", "PositiveInt", "Range", "did_you_mean"]


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


_SYNONYMS = {"mode": "most_frequent", "average": "mean", "avg": "mean"}
"""Words that name an option in other tools' vocabulary, and are spelled nothing like it."""


def _squeezed(word) -> str:
    return "".join(c for c in str(word).lower() if c.isalnum())


def did_you_mean(word, options, sentence: bool = False) -> str:
    """``" — did you mean 'x'?"`` for the option ``word`` most likely means, or ``""`` when
    none is close; ``sentence`` writes ``" Did you mean 'x'?"``, to follow a full stop. An
    option equal to ``word`` but for case, spaces and punctuation (``L-BFGS`` -> ``lbfgs``)
    comes first, then the option a statistician's word names (``mode`` -> ``most_frequent``),
    then the one option ending in ``_word`` (``f1`` -> ``val_f1``), then the most similar
    spelling."""
    names, squeezed = [str(o) for o in options], _squeezed(word)
    alike = [o for o in names if _squeezed(o) == squeezed]
    alike = alike or [o for o in names if o == _SYNONYMS.get(squeezed)]
    suffixed = [o for o in names if o.lower().endswith("_" + squeezed)]
    close = alike or (suffixed if len(suffixed) == 1 else
                      difflib.get_close_matches(str(word), names, n=1, cutoff=0.5))
    if not close:
        return ""
    return f"{' Did' if sentence else ' — did'} you mean {close[0]!r}?"


PositiveFloat = Annotated[float, Range(gt=0)]
NonNegativeFloat = Annotated[float, Range(ge=0)]
Fraction = Annotated[float, Range(ge=0, lt=1)]
PositiveInt = Annotated[int, Range(ge=1)]
NonNegativeInt = Annotated[int, Range(ge=0)]
BatchSize = PositiveInt | Literal["full"]
"""Rows per training step, or ``"full"`` for whole-data steps."""
