"""Feature columns that are the target in other words: a cheap, conservative check.

A column that alone determines the target is almost always something recorded after the
outcome (a refund date for churn, a diagnosis code for the disease). It scores perfectly in
training and is unknown when predicting. ``mlkit inspect`` lists such columns in its notes.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["leak_notes"]

_ADVICE = ("it is the target in other words; leave it out if it is not known at prediction "
           "time")


def leak_notes(text: pd.DataFrame, target: str, task: str, features: list[str],
               numbers: dict[str, pd.Series]) -> list[str]:
    """One note per feature column that determines the ``target`` column of ``text``.

    For classification: each value of the column, repeated over rows (fewer distinct values
    than half the rows), always comes with one class. For regression: a numeric column whose
    values rise or fall with the target's in every row (rank correlation 1), ``numbers``
    holding the numeric columns (and the target) read as floats.
    """
    notes = []
    labeled = text[target].notna()
    for col in features:
        both = labeled & text[col].notna()
        if both.sum() < 3:
            continue
        if task == "classification":
            values = text.loc[both, col].astype(str)
            classes = text.loc[both, target].astype(str).groupby(values).nunique()
            if len(classes) > 1 and 2 * len(classes) < both.sum() and (classes == 1).all():
                notes.append(f"{col!r} may leak the target: each of its {len(classes)} values "
                             f"comes with one {target!r} class in every row; {_ADVICE}")
        elif col in numbers:
            x, y = numbers[col][both], numbers[target][both]
            if x.nunique() > 2 and abs(x.rank().corr(y.rank())) > 1 - 1e-9:
                how = "equals" if x.equals(y) else "rises or falls with"
                notes.append(f"{col!r} may leak the target: it {how} {target!r} in every "
                             f"row; {_ADVICE}")
    return notes
