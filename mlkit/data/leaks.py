"""Feature columns that are the target in other words: a cheap, conservative check.

A column that alone determines the target is almost always something recorded after the
outcome (a refund date for churn, a diagnosis code for the disease). It scores perfectly in
training and is unknown when predicting. ``mlkit inspect`` lists such columns in its notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["leak_notes"]

_ADVICE = ("it is the target in other words; leave it out if it is not known at prediction "
           "time")


def leak_notes(text: pd.DataFrame, target: str, task: str, features: list[str],
               numbers: dict[str, pd.Series]) -> list[str]:
    """One note per feature column that determines the ``target`` column of ``text``.

    For classification: each value of the column, repeated over rows (fewer distinct values
    than half the rows), always comes with one class. For regression: a numeric column whose
    values rise or fall with the target's in every row (rank correlation 1), and a pair of
    them whose product or ratio is the target in every row (a price per square foot beside
    the area), ``numbers`` holding the numeric columns (and the target) read as floats.
    """
    notes, noted = [], set()
    labeled = text[target].notna()
    for col in features:
        both = labeled & text[col].notna()
        if both.sum() < 3:
            continue
        if task == "classification":
            values = text.loc[both, col].astype(str)
            if 2 * values.nunique() >= both.sum():  # as many groups as values: not repeated
                continue
            classes = text.loc[both, target].astype(str).groupby(values).nunique()
            if len(classes) > 1 and 2 * len(classes) < both.sum() and (classes == 1).all():
                notes.append(f"{col!r} may leak the target: each of its {len(classes)} values "
                             f"comes with one {target!r} class in every row; {_ADVICE}")
        elif col in numbers:
            x, y = numbers[col][both], numbers[target][both]
            if x.nunique() > 2 and abs(x.rank().corr(y.rank())) > 1 - 1e-9:
                how = "equals" if x.equals(y) else "rises or falls with"
                noted.add(col)
                notes.append(f"{col!r} may leak the target: it {how} {target!r} in every "
                             f"row; {_ADVICE}")
    if task == "regression":
        notes += _pair_notes(numbers, target, [c for c in features
                                               if c in numbers and c not in noted])
    return notes


RELATIVE = 0.01
"""How near (relatively) two columns' product or ratio must come to the target in every row
to be noted: values written with three or four digits round by up to about this much."""

_FIRST = 200
"""Rows every pair is first tried on at once: a pair that misses there costs no more."""

_FORMULAS = (("{a} * {b}", np.multiply), ("{a} / {b}", np.divide),
             ("{b} / {a}", lambda x, z: z / x))


def _pair_notes(numbers: dict[str, pd.Series], target: str, columns: list[str]) -> list[str]:
    """A note for each pair of ``columns`` whose product or ratio is the target in every row
    holding all three, to :data:`RELATIVE`. Each column is tried against all later ones at
    once on the first rows (a k x k table, not k**2 / 2 Python steps); only the pairs that
    hold there are tried on every row."""
    if len(columns) < 2:
        return []
    values = {c: numbers[c].to_numpy(dtype=float) for c in (target, *columns)}
    matrix = np.column_stack([values[c] for c in columns])
    known = ~np.isnan(matrix) & ~np.isnan(values[target])[:, None]
    counts = known.T.astype(float) @ known.astype(float)  # rows holding a, b and the target
    head, y = matrix[:_FIRST], values[target][:_FIRST, None]
    notes = []
    for i, a in enumerate(columns[:-1]):
        x, z = head[:, i:i + 1], head[:, i + 1:]
        missing = np.isnan(x) | np.isnan(z) | np.isnan(y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            held = [np.all((np.abs(of(x, z) - y) <= RELATIVE * np.abs(y)) | missing, axis=0)
                    & (counts[i, i + 1:] >= 3) for _, of in _FORMULAS]
        for j, b in enumerate(columns[i + 1:]):
            rows = None
            for (formula, of), hits in zip(_FORMULAS, held):
                if not hits[j]:
                    continue
                rows = np.flatnonzero(known[:, i] & known[:, i + 1 + j]) if rows is None else rows
                if _matches(of, values, (a, b, target), rows):
                    notes.append(f"{a!r} and {b!r} may leak the target together: "
                                 f"{formula.format(a=a, b=b)} is {target!r} in every row (to "
                                 f"{RELATIVE:.0%}); one of them may be worked out from the "
                                 "target: leave that one out if it is not known at prediction "
                                 "time")
                    break
    return notes


def _matches(of, values, names, rows) -> bool:
    x, z, y = (values[name][rows] for name in names)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(of(x, z) - y) <= RELATIVE * np.abs(y)))
