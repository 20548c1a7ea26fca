"""What training saw of each input column, kept with a run to compare new files against.

A :class:`TrainingProfile` holds, per input column, the share of missing values and either
number statistics (min, max, mean, std, deciles and the share of rows in each decile bin) or
category frequencies. It is plain JSON (``to_dict``/``from_dict``), versioned so that a later
layout can still read older files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlkit.data.errors import is_finite

__all__ = ["DECILES", "PROFILE_VERSION", "QUANTILES", "TrainingProfile", "bin_shares",
           "profile_frame"]

PROFILE_VERSION = 1
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The quantiles kept of a number column, to read."""
DECILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
"""The edges of a number column's bins for the PSI (repeated values merge bins)."""


def bin_shares(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """Share of ``values`` in each bin ``(-inf, e1], (e1, e2], ..., (ek, inf)``."""
    counts = np.bincount(np.searchsorted(np.asarray(edges), values, side="left"),
                         minlength=len(edges) + 1)
    return counts / max(len(values), 1)


def _number_column(values: pd.Series) -> dict:
    present = values.dropna().to_numpy(dtype=np.float64)
    present = present[np.isfinite(present)]  # an infinity has no place in a mean or a bin
    column = {"kind": "number", "missing": float(values.isna().mean()) if len(values) else 0.0}
    if not len(present):
        return {**column, "min": None, "max": None, "mean": None, "std": None,
                "quantiles": None, "edges": [], "shares": [1.0]}
    quantiles = np.quantile(present, QUANTILES)
    edges = np.unique(np.quantile(present, DECILES)).tolist()
    return {**column, "min": float(present.min()), "max": float(present.max()),
            "mean": float(present.mean()), "std": float(present.std()),
            "quantiles": dict(zip(map(str, QUANTILES), quantiles.tolist())), "edges": edges,
            "shares": bin_shares(present, edges).tolist()}


def _category_column(values: pd.Series) -> dict:
    present = values.dropna().astype(str)
    shares = present.value_counts(normalize=True, sort=True)
    return {"kind": "category", "missing": float(values.isna().mean()) if len(values) else 0.0,
            "frequencies": {str(k): float(v) for k, v in shares.items()}}


@dataclass
class TrainingProfile:
    """Per input column, what the training rows held (``columns`` maps name -> statistics);
    ``rows`` is the number of training rows profiled."""

    rows: int
    columns: dict

    def to_dict(self) -> dict:
        """The JSON-able form, with its layout's version."""
        return {"version": PROFILE_VERSION, "rows": self.rows, "columns": self.columns}

    @classmethod
    def from_dict(cls, state) -> TrainingProfile:
        """Rebuild from :meth:`to_dict`'s output; ValueError naming the first bad key."""
        if not isinstance(state, dict):
            raise ValueError(f"must hold a JSON object, not {type(state).__name__}")
        if state.get("version") != PROFILE_VERSION:
            raise ValueError(f"key 'version' is {state.get('version')!r}, but this mlkit reads "
                             f"version {PROFILE_VERSION}; use the mlkit that trained the run")
        rows, columns = state.get("rows"), state.get("columns")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 1:
            raise ValueError(f"key 'rows' must be a whole number >= 1 (got {rows!r})")
        if not isinstance(columns, dict):
            raise ValueError("key 'columns' must map each column name to its statistics")
        for name, column in columns.items():
            _check_column(name, column)
        return cls(rows, columns)


def _check_column(name: str, column) -> None:
    """ValueError naming ``columns.<name>.<key>`` when it holds what mlkit never writes."""
    where = f"columns.{name}"
    if not isinstance(column, dict) or column.get("kind") not in ("number", "category"):
        raise ValueError(f"key {where + '.kind'!r} must be 'number' or 'category'")
    if not is_finite(column.get("missing")) or not 0 <= column["missing"] <= 1:
        raise ValueError(f"key {where + '.missing'!r} must be a share between 0 and 1")
    if column["kind"] == "category":
        frequencies = column.get("frequencies")
        if not isinstance(frequencies, dict) or not all(map(is_finite, frequencies.values())):
            raise ValueError(f"key {where + '.frequencies'!r} must map categories to shares")
        return
    edges, shares = column.get("edges"), column.get("shares")
    if not isinstance(edges, list) or not all(map(is_finite, edges)) or edges != sorted(edges) \
            or not isinstance(shares, list) or len(shares) != len(edges) + 1 \
            or not all(map(is_finite, shares)):
        raise ValueError(f"keys {where + '.edges'!r} and {where + '.shares'!r} must be sorted "
                         "numbers and one more share than edges")
    stats = [column.get(key) for key in ("min", "max", "mean", "std")]
    if not (all(map(is_finite, stats)) or (not edges and all(v is None for v in stats))):
        raise ValueError(f"keys min, max, mean and std of {where!r} must be finite numbers")


def profile_frame(frame: pd.DataFrame) -> TrainingProfile:
    """The profile of training rows: float columns are numbers (NaN missing), any other
    column categories (text; missing values are NaN/None)."""
    if len(frame) == 0:
        raise ValueError("a training profile needs at least one row")
    columns = {str(name): _number_column(frame[name]) if frame[name].dtype.kind in "fiu"
               else _category_column(frame[name]) for name in frame.columns}
    return TrainingProfile(len(frame), columns)
