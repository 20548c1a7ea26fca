"""Metrics over many weightings of the same rows at once, for the bootstrap.

A builder takes the rows (``y_true`` and the metric's input, checked as the metric checks them)
and returns ``values(counts)``: ``counts`` is (b, n), how often each of b resamples drew each
row, and the result is the metric of each resample, (b,). The formulas are the metrics' own:
per-row terms (:func:`mlkit.metrics.classification.hits`, ...) averaged with the counts as
weights, per-class scores of the resamples' confusion matrices, or areas under the resamples'
curves; a resample where the metric is undefined (one class only) gets NaN.
"""

from __future__ import annotations

import numpy as np

from .classification import average_scores, averaging_labels, class_scores, mean_recall
from .inputs import class_indices, pair, probabilities
from .ranking import (
    area_under_roc,
    average_precision_of,
    binary_scores,
    counts_at_thresholds,
    positive_column,
)

__all__ = ["average_precision_by_counts", "averaged_by_counts", "balanced_by_counts",
           "mean_of_rows", "roc_auc_by_counts", "roc_auc_ovr_by_counts"]


def mean_of_rows(rows, finish=None):
    """Builder of a metric that is the mean over outputs of ``finish`` (default none) of the
    weighted column means of ``rows(y_true, input)`` (rows, outputs)."""
    def build(y_true, given):
        terms = np.asarray(rows(y_true, given), dtype=np.float64)
        terms = terms.reshape(len(terms), -1)

        def values(counts):
            means = (counts @ terms) / counts.sum(axis=1, keepdims=True)
            return (means if finish is None else finish(means)).mean(axis=1)
        return values
    return build


def _confusion_matrices(y_true, y_pred, labels):
    """``counts (b, n) -> (b, k, k)``: each resample's confusion matrix over ``labels``."""
    k = len(labels)
    cells = np.searchsorted(labels, y_true) * k + np.searchsorted(labels, y_pred)
    order = np.argsort(cells, kind="stable")
    cells = cells[order]
    starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])

    def matrices(counts):
        found = np.zeros((len(counts), k * k))
        found[:, cells[starts]] = np.add.reduceat(counts[:, order], starts, axis=1)
        return found.reshape(len(counts), k, k)
    return matrices


def averaged_by_counts(score: str, average: str, pos_label=1):
    """Builder of precision, recall or F1 (``score``) under ``average``, as
    :func:`mlkit.metrics.precision` and its kin compute them."""
    def build(y_true, y_pred):
        y_true, y_pred = pair(y_true, y_pred, numeric=False)
        labels = averaging_labels(y_true, y_pred, average, pos_label)
        matrices = _confusion_matrices(y_true, y_pred, labels)
        positive = np.flatnonzero(labels == pos_label)[0] if average == "binary" else None

        def values(counts):
            cm = matrices(counts)
            present = (cm.sum(axis=-1) + cm.sum(axis=-2)) > 0  # drawn as truth or prediction
            return average_scores(class_scores(cm), score, average, positive, present)
        return values
    return build


def balanced_by_counts(y_true, y_pred):
    """Builder of :func:`mlkit.metrics.balanced_accuracy`."""
    y_true, y_pred = pair(y_true, y_pred, numeric=False)
    matrices = _confusion_matrices(y_true, y_pred, np.unique(np.concatenate([y_true, y_pred])))
    return lambda counts: mean_recall(class_scores(matrices(counts)))


def _ranking(area, needs_negatives: bool):
    """Builder of a binary ranking metric: ``area`` of the resamples' cumulated counts, NaN
    where a resample lacks positives (or, ``needs_negatives``, negatives)."""
    def build(y_true, score):
        y, s, _ = binary_scores(y_true, positive_column(score), None)

        def values(counts):
            positives, negatives, _ = counts_at_thresholds(y, s, counts.astype(np.float64))
            defined = positives[:, -1] > 0
            if needs_negatives:
                defined &= negatives[:, -1] > 0
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(defined, area(positives, negatives), np.nan)
        return values
    return build


roc_auc_by_counts = _ranking(area_under_roc, needs_negatives=True)
"""Builder of :func:`mlkit.metrics.roc_auc`."""
average_precision_by_counts = _ranking(average_precision_of, needs_negatives=False)
"""Builder of :func:`mlkit.metrics.average_precision`."""


def roc_auc_ovr_by_counts(average: str):
    """Builder of :func:`mlkit.metrics.roc_auc_ovr` under ``average`` (macro or weighted):
    NaN for a resample missing a class."""
    def build(y_true, proba):
        p = probabilities(proba)
        y = class_indices(y_true, p.shape[0], p.shape[1])
        if p.shape[1] == 2:
            return roc_auc_by_counts(y, p[:, 1])
        per_class = [roc_auc_by_counts((y == c).astype(np.int64), p[:, c])
                     for c in range(p.shape[1])]
        onehot = np.eye(p.shape[1])[y]

        def values(counts):
            scores = np.stack([scorer(counts) for scorer in per_class], axis=-1)
            if average == "macro":
                return scores.mean(axis=-1)
            support = counts @ onehot
            return np.sum(scores * support, axis=-1) / support.sum(axis=-1)
        return values
    return build
