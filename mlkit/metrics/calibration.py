"""Calibration of class probabilities: does "70% sure" come true 70% of the time?

Predictions are put in ``n_bins`` equal-width bins of their confidence in [0, 1] (a value on
an inner edge goes to the bin above it; 1 to the last bin). Per bin the mean confidence is set
against the observed frequency; the expected calibration error (ECE) is the gap between them
averaged over the bins, weighted by their share of the rows. For two classes the confidence
is P(class 1) and the frequency that of class 1; for more it is *top-label*: the probability
of the predicted (most probable) class and how often that prediction is right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlkit.options import PositiveInt, checked

from .inputs import class_indices, probabilities

__all__ = ["Calibration", "calibration"]


@dataclass(frozen=True)
class Calibration:
    """The reliability table (one row per non-empty bin: ``low, high, count, confidence,
    frequency``), the expected calibration error, and whether it is top-label."""

    table: pd.DataFrame
    ece: float
    top_label: bool


@checked
def calibration(y_true, proba, n_bins: PositiveInt = 10) -> Calibration:
    """Reliability table and expected calibration error of class probabilities.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Class indices ``0..k-1``.
    proba : array-like of shape (n, k) or (n,)
        Class probabilities, or P(class 1) of a binary problem.
    n_bins : int
        Equal-width confidence bins in [0, 1].

    Returns
    -------
    Calibration
    """
    p = probabilities(proba)
    y = class_indices(y_true, p.shape[0], p.shape[1])
    top_label = p.shape[1] > 2
    if top_label:
        predicted = np.argmax(p, axis=1)
        confidence, outcome = p[np.arange(len(p)), predicted], (predicted == y).astype(float)
    else:
        confidence, outcome = p[:, 1], (y == 1).astype(float)
    bins = np.minimum((confidence * n_bins).astype(np.int64), n_bins - 1)
    frame = pd.DataFrame({"bin": bins, "confidence": confidence, "frequency": outcome})
    table = frame.groupby("bin").agg(count=("confidence", "size"),
                                     confidence=("confidence", "mean"),
                                     frequency=("frequency", "mean")).reset_index()
    table.insert(0, "low", table.pop("bin") / n_bins)
    table.insert(1, "high", table["low"] + 1 / n_bins)
    gaps = np.abs(table["confidence"] - table["frequency"])
    ece = float(np.sum(table["count"] * gaps) / len(p))
    return Calibration(table, ece, top_label)
