"""Checks shared by every metric: shapes, finite numbers, class indices, probabilities, weights.

Each check raises a ValueError or TypeError naming the argument and the fix, so a metric never
ends in a bare numpy traceback.
"""

from __future__ import annotations

import numpy as np

from mlkit.checks import rectangular

__all__ = ["UndefinedMetric", "class_indices", "pair", "probabilities", "weights"]


class UndefinedMetric(ValueError):
    """The metric has no value on these rows (e.g. ROC AUC when only one class is present)."""


def pair(y_true, y_pred, numeric: bool) -> tuple[np.ndarray, np.ndarray]:
    """Check that two arrays have the same non-empty shape (and finite numbers if numeric)."""
    y_true, y_pred = rectangular(y_true, "y_true"), rectangular(y_pred, "predictions")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but the predictions have shape "
                         f"{y_pred.shape}; pass one prediction per target.")
    if y_true.ndim not in (1, 2) or y_true.shape[0] == 0:
        raise ValueError(f"metrics need a non-empty 1-D or 2-D array, got shape {y_true.shape}.")
    if not numeric:
        if y_true.ndim != 1:
            raise ValueError(f"labels must be 1-D, got shape {y_true.shape}.")
        if _text(y_true) != _text(y_pred):
            raise TypeError(f"y_true ({y_true.dtype}) and y_pred ({y_pred.dtype}) must both be "
                            "text labels or both numbers; encode them the same way.")
        return y_true, y_pred
    for name, a in (("y_true", y_true), ("predictions", y_pred)):
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold numbers, got dtype {a.dtype}.")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} has NaN or infinite values; metrics need finite numbers.")
    return y_true.astype(np.float64), y_pred.astype(np.float64)


def _text(labels: np.ndarray) -> bool:
    """Whether labels are text: a string dtype, or an object array of strings (pandas's)."""
    kind = labels.dtype.kind
    return kind in "US" or (kind == "O" and isinstance(labels.flat[0], str))


def weights(sample_weight, n: int) -> np.ndarray | None:
    """``sample_weight`` as float64 of shape (n,): finite, non-negative, positive sum."""
    if sample_weight is None:
        return None
    w = rectangular(sample_weight, "sample_weight")
    if w.dtype.kind not in "biuf" or w.shape != (n,):
        raise ValueError(f"sample_weight must be {n} numbers (one per row), got shape {w.shape} "
                         f"and dtype {w.dtype}.")
    w = w.astype(np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError(f"sample_weight must be {n} finite non-negative weights with a "
                         "positive sum.")
    return w


def class_indices(y_true, n: int, k: int) -> np.ndarray:
    """``y_true`` as int64 class indices ``0..k-1`` of ``n`` rows."""
    y = rectangular(y_true, "y_true")
    if y.shape != (n,):
        raise ValueError(f"y_true has shape {y.shape} but proba has {n} rows; pass one class "
                         "index per row.")
    as_float = y.astype(np.float64) if y.dtype.kind in "biuf" else None
    if as_float is None or not np.all(np.isfinite(as_float)) or np.any(as_float % 1 != 0):
        raise TypeError(f"y_true must hold integer class indices, got dtype {y.dtype}; encode "
                        "labels first (mlkit.data.LabelEncoder).")
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"y_true holds class indices from {y.min()} to {y.max()}, but proba has "
                         f"{k} classes (indices 0..{k - 1}).")
    return y.astype(np.int64)


def probabilities(proba) -> np.ndarray:
    """``proba`` as an (n, k) array; a 1-D array is P(class 1) of a binary problem."""
    p = rectangular(proba, "proba")
    if p.dtype.kind not in "biuf":
        raise TypeError(f"proba must hold numbers, got dtype {p.dtype}.")
    p = p.astype(np.float64)
    if p.ndim == 1:
        p = np.stack([1.0 - p, p], axis=1)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] < 2:
        raise ValueError(f"proba must have shape (n,) or (n, k) with n >= 1 and k >= 2, got "
                         f"{np.shape(proba)}.")
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1:
        raise ValueError("proba must hold probabilities in [0, 1]; apply softmax or sigmoid to "
                         "the model outputs first.")
    sums = p.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1) > 1e-4)
    if len(bad):
        raise ValueError(f"rows of proba must sum to 1, but row {bad[0]} sums to "
                         f"{sums[bad[0]]:.6g}; apply softmax to the model outputs first.")
    return p
