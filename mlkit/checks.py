"""Checks of plain arrays that both mlkit.data and mlkit.metrics make (neither imports the
other): a rectangular array, and one group per row. Each raises ``error`` (the caller's
ValueError kind) naming the argument and the fix. Nothing here imports mlkit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["group_codes", "rectangular"]


def rectangular(value, name: str, error: type[ValueError] = ValueError) -> np.ndarray:
    """``np.asarray(value)``, with ragged input reported by argument name."""
    try:
        return np.asarray(value)
    except ValueError:
        raise error(f"{name} is ragged (rows of different lengths); pass a rectangular array "
                    "with one row per sample.") from None


def group_codes(groups, n: int, error: type[ValueError] = ValueError,
                ) -> tuple[np.ndarray, np.ndarray]:
    """``(group code of every row, the sorted group labels)`` of the ``n``-row ``groups``."""
    groups = rectangular(groups, "groups", error)
    if groups.ndim != 1 or len(groups) != n:
        raise error(f"groups must be 1-D with one value per row ({n}), got shape "
                    f"{groups.shape}.")
    try:
        codes, labels = pd.factorize(pd.Series(groups), sort=True)
    except TypeError:
        raise TypeError("groups mixes value types that cannot be compared; use one type "
                        "(e.g. all strings).") from None
    if (codes < 0).any():
        rows = np.flatnonzero(codes < 0)
        raise error(f"groups has {len(rows)} missing value(s) (rows {rows[:5].tolist()}"
                    f"{', ...' if len(rows) > 5 else ''}); give every row a group.")
    return codes.astype(np.int64), np.asarray(labels)
