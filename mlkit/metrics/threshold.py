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

__all__ = ["ThresholdScores", "best_f1_threshold", "threshold_scores"]


@dataclass(frozen=True)
class ThresholdScores:
    """Precision, recall and F1 of class 1 when P(class 1) >= ``threshold`` predicts it."""

    threshold: float
    precision: float
    recall: float
    f1: float


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
