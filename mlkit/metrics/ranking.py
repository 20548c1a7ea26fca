"""Metrics of how well scores rank the positive class: ROC curve and AUC, average precision.

Tied scores form one threshold, so a tie between a positive and a negative row counts half
(the trapezoid between the curve's points); sample weights scale each row's count.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from mlkit.checks import rectangular
from mlkit.options import checked

from .inputs import UndefinedMetric, class_indices, probabilities, weights

__all__ = ["average_precision", "roc_auc", "roc_auc_ovr", "roc_curve"]


def binary_scores(y_true, score, sample_weight):
    """0/1 truth, float scores and weights of a binary problem, checked."""
    s = rectangular(score, "scores")
    if s.dtype.kind not in "biuf" or s.ndim != 1 or not len(s) or not np.all(np.isfinite(s)):
        raise ValueError(f"scores must be finite numbers of shape (n,), got shape {s.shape} and "
                         f"dtype {s.dtype}; pass P(class 1) of a binary problem.")
    y = class_indices(y_true, len(s), 2)
    w = weights(sample_weight, len(s))
    return y, s.astype(np.float64), np.ones(len(s)) if w is None else w


def counts_at_thresholds(y, score, w):
    """Cumulated weights of positives and negatives at each distinct threshold, highest
    first, and the thresholds; ``w`` is (n,) or a stack of weightings (..., n)."""
    order = np.argsort(-score, kind="stable")
    score, y, w = score[order], y[order], w[..., order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    positives = np.cumsum(w * y, axis=-1)[..., last]
    negatives = np.cumsum(w * (1 - y), axis=-1)[..., last]
    return positives, negatives, score[last]


def _from_zero(cumulated):
    """``cumulated`` over its total, after a leading 0 (a curve's start), along the last axis."""
    start = np.zeros(cumulated.shape[:-1] + (1,))
    return np.concatenate([start, cumulated / cumulated[..., -1:]], axis=-1)


def area_under_roc(positives, negatives):
    """ROC AUC from :func:`counts_at_thresholds` (the trapezoid under the curve)."""
    return np.trapezoid(_from_zero(positives), _from_zero(negatives), axis=-1)


def average_precision_of(positives, negatives):
    """Average precision from :func:`counts_at_thresholds`: the precision at each threshold
    weighted by the recall gained there (a threshold holding no weight gains none)."""
    held = positives + negatives
    precision = np.divide(positives, held, out=np.zeros_like(held), where=held > 0)
    return np.sum(np.diff(_from_zero(positives), axis=-1) * precision, axis=-1)


def roc_curve(y_true, score, sample_weight=None):
    """False- and true-positive rates at every distinct threshold of ``score``.

    Returns
    -------
    fpr, tpr, thresholds : ndarray
        Starting at (0, 0) with threshold +inf; row i counts the rows with score >= thresholds[i].
    """
    y, s, w = binary_scores(y_true, score, sample_weight)
    positives, negatives, thresholds = _both_classes(y, s, w)
    return _from_zero(negatives), _from_zero(positives), np.r_[np.inf, thresholds]


def _both_classes(y, score, w):
    """:func:`counts_at_thresholds`, or UndefinedMetric unless both classes have weight."""
    positives, negatives, thresholds = counts_at_thresholds(y, score, w)
    if positives[-1] <= 0 or negatives[-1] <= 0:
        raise UndefinedMetric("the ROC curve needs rows of both classes; only one is present.")
    return positives, negatives, thresholds


def roc_auc(y_true, score, sample_weight=None) -> float:
    """Area under the ROC curve of a binary problem: the probability that a random positive row
    scores above a random negative one (ties count half).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        0/1 labels.
    score : array-like of shape (n,) or (n, 2)
        P(class 1) or any score increasing with it; a two-column array's second column is used.
    sample_weight : array-like of shape (n,), optional
    """
    y, s, w = binary_scores(y_true, positive_column(score), sample_weight)
    positives, negatives, _ = _both_classes(y, s, w)
    return float(area_under_roc(positives, negatives))


@checked
def roc_auc_ovr(y_true, proba, average: Literal["macro", "weighted"] = "macro",
                sample_weight=None) -> float:
    """One-vs-rest ROC AUC of a multiclass problem: each class's AUC of its own probability
    against all other rows, averaged plainly (``"macro"``) or by class support (``"weighted"``)."""
    p = probabilities(proba)
    y = class_indices(y_true, p.shape[0], p.shape[1])
    missing = np.setdiff1d(np.arange(p.shape[1]), y)
    if len(missing):
        raise UndefinedMetric(f"one-vs-rest ROC AUC needs every class among the rows, but "
                              f"classes {missing.tolist()} are absent.")
    if p.shape[1] == 2:
        return roc_auc(y, p[:, 1], sample_weight)
    w = weights(sample_weight, len(y))
    scores = np.array([roc_auc((y == c).astype(np.int64), p[:, c], w) for c in range(p.shape[1])])
    if average == "macro":
        return float(np.mean(scores))
    support = np.bincount(y, weights=w, minlength=p.shape[1])
    return float(np.dot(scores, support) / support.sum())


def average_precision(y_true, score, sample_weight=None) -> float:
    """Average precision of a binary problem: the precision at each distinct threshold,
    weighted by the recall gained there (no interpolation, as in scikit-learn).

    Parameters are those of :func:`roc_auc`.
    """
    y, s, w = binary_scores(y_true, positive_column(score), sample_weight)
    positives, negatives, _ = counts_at_thresholds(y, s, w)
    if positives[-1] <= 0:
        raise UndefinedMetric("average precision needs at least one positive row.")
    return float(average_precision_of(positives, negatives))


def positive_column(score):
    """P(class 1) of scores given as (n,) or two columns (n, 2)."""
    s = rectangular(score, "scores")
    return s[:, 1] if s.ndim == 2 and s.shape[1] == 2 else s
