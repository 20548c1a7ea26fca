"""Binary decisions from P(class 1): the scores of a threshold, and the threshold with best F1.

A row is predicted positive when its probability is at least the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np

from mlkit.options import Range, checked

from .classification import class_scores, confusion_matrix
from .ranking import binary_scores, counts_at_thresholds

__all__ = ["ThresholdScores", "best_f1_threshold", "threshold_scores", "threshold_text"]


@dataclass(frozen=True)
class ThresholdScores:
    """Precision, recall and F1 of class 1 when P(class 1) >= ``threshold`` predicts it."""

    threshold: float
    precision: float
    recall: float
    f1: float


def threshold_text(threshold: float) -> str:
    """A threshold as printed, for ``--threshold``: four decimals, or, near 0 or 1, enough
    (up to 12) for two more digits of its distance from them (``0.9999966`` is no ``1.0000``,
    which predicts no row), rounded down, so that it predicts every row the exact one does."""
    near = min(threshold, 1 - threshold)
    digits = 4 if near <= 0 else int(np.clip(np.ceil(-np.log10(near)) + 2, 4, 12))
    text = f"{threshold:.{digits}f}"  # rounded to nearest: exact for 0.57 (floor gave 0.5699)
    if float(text) > threshold:  # rounded up: one unit down
        text = f"{float(text) - 10.0**-digits:.{digits}f}"
    return text


@checked
def threshold_scores(y_true, score,
                     threshold: Annotated[float, Range(ge=0, le=1)] = 0.5) -> ThresholdScores:
    """Precision, recall and F1 of the positive class (1) at ``threshold``."""
    y, s, _ = binary_scores(y_true, score, None)
    counts = confusion_matrix(y, (s >= threshold).astype(np.int64), [0, 1]).astype(float)
    found = class_scores(counts)
    return ThresholdScores(float(threshold), *(float(found[key][1])
                                               for key in ("precision", "recall", "f1")))


def best_f1_threshold(y_true, score) -> ThresholdScores:
    """The threshold (one of the scores) whose F1 of class 1 is highest; among equal F1 the
    highest such threshold, which predicts fewest positives."""
    y, s, w = binary_scores(y_true, score, None)
    if not y.any():
        raise ValueError("y_true holds no positive row (class 1), so no threshold has an F1; "
                         "choose the threshold on rows holding both classes.")
    positives, negatives, thresholds = counts_at_thresholds(y, s, w)
    f1 = 2 * positives / (positives + negatives + positives[-1])
    best = int(np.argmax(f1))
    return threshold_scores(y, s, float(thresholds[best]))
