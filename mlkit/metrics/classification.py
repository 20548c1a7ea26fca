"""Classification metrics of predicted labels and of predicted class probabilities.

Per-class precision, recall and F1 come from one (weighted) confusion matrix. ``average``
names how per-class values become one number, as in scikit-learn: ``"binary"`` (the
``pos_label`` class of a two-class problem), ``"macro"`` (the plain mean over the labels
present in either argument) or ``"weighted"`` (the mean weighted by each label's support). A
label never predicted has precision 0 and a label never true has recall 0.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from mlkit.options import Range, checked

from .inputs import class_indices, pair, probabilities, weights

__all__ = ["AVERAGES", "EPS", "accuracy", "balanced_accuracy", "brier", "brier_losses",
           "confusion_matrix", "f1", "hits", "log_loss", "log_losses", "per_class", "precision",
           "recall"]

AVERAGES = ("binary", "macro", "weighted")
Average = Literal[AVERAGES]
EPS = 1e-15
"""Probabilities are clipped to [EPS, 1 - EPS] by :func:`log_loss`."""


def hits(y_true, y_pred) -> np.ndarray:
    """1.0 for each row predicted exactly, else 0.0: :func:`accuracy` is their mean."""
    y_true, y_pred = pair(y_true, y_pred, numeric=False)
    return (y_true == y_pred).astype(np.float64)


def accuracy(y_true, y_pred, sample_weight=None) -> float:
    """Fraction of labels predicted exactly (weighted by ``sample_weight`` when given).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted labels (any comparable type).
    sample_weight : array-like of shape (n,), optional
        Non-negative weights with a positive sum.

    Returns
    -------
    float
    """
    correct = hits(y_true, y_pred)
    return float(np.average(correct, weights=weights(sample_weight, len(correct))))


def confusion_matrix(y_true, y_pred, labels=None, sample_weight=None) -> np.ndarray:
    """Counts ``C[i, j]`` of rows with true label ``labels[i]`` predicted as ``labels[j]``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
    labels : array-like, optional
        Row/column order; default the sorted labels present in either argument.
    sample_weight : array-like of shape (n,), optional
        Each row counts its weight instead of 1.

    Returns
    -------
    ndarray of shape (len(labels), len(labels))
        int64 counts, or float64 sums of weights when ``sample_weight`` is given.
    """
    y_true, y_pred = pair(y_true, y_pred, numeric=False)
    w = weights(sample_weight, len(y_true))
    labels = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.asarray(labels)
    if labels.ndim != 1 or len(np.unique(labels)) != len(labels):
        raise ValueError(f"labels must be a 1-D list of distinct labels, got {labels!r}.")
    if (labels.dtype.kind in "US") != (y_true.dtype.kind in "US"):
        raise TypeError(f"labels ({labels.dtype}) and y_true ({y_true.dtype}) must both be text "
                        "or both numbers.")
    order = np.argsort(labels)
    sorted_labels = labels[order]
    codes = []
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        pos = np.clip(np.searchsorted(sorted_labels, y), 0, len(labels) - 1)
        if not np.all(sorted_labels[pos] == y):
            raise ValueError(f"{name} holds labels {np.setdiff1d(y, labels).tolist()} that are "
                             "not in labels; add them to labels.")
        codes.append(order[pos])
    k = len(labels)
    counts = np.bincount(codes[0] * k + codes[1], weights=w, minlength=k * k).reshape(k, k)
    return counts.astype(np.int64) if w is None else counts


def per_class(y_true, y_pred, labels=None, sample_weight=None) -> dict[str, np.ndarray]:
    """Per-label precision, recall, F1 and support (the true count, or weight sum).

    Returns
    -------
    dict
        ``labels, precision, recall, f1, support``, arrays in the order of ``labels``
        (default: the sorted labels present in either argument).
    """
    y_true, y_pred = pair(y_true, y_pred, numeric=False)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    cm = confusion_matrix(y_true, y_pred, labels, sample_weight).astype(np.float64)
    return {"labels": np.asarray(labels), **class_scores(cm)}


def class_scores(cm) -> dict[str, np.ndarray]:
    """Per-class ``precision``, ``recall``, ``f1`` and ``support`` of float confusion
    matrices (..., k, k), one more axis for many at once."""
    hits = np.diagonal(cm, axis1=-2, axis2=-1)
    predicted, actual = cm.sum(axis=-2), cm.sum(axis=-1)

    def ratio(top, bottom):
        return np.divide(top, bottom, out=np.zeros_like(top), where=bottom > 0)

    return {"precision": ratio(hits, predicted), "recall": ratio(hits, actual),
            "f1": ratio(2 * hits, predicted + actual), "support": actual}


def averaging_labels(y_true, y_pred, average: str, pos_label) -> np.ndarray:
    """The labels an ``average`` runs over: those in either (checked) array, with
    ``pos_label`` for ``"binary"``; ValueError for a binary request of more classes."""
    present = np.unique(np.concatenate([y_true, y_pred]))
    if average != "binary":
        return present
    if len(present) > 2:
        raise ValueError(f"average='binary' needs two classes, but the labels hold "
                         f"{len(present)}; use average='macro' or 'weighted'.")
    labels = np.union1d(present, np.asarray([pos_label], dtype=present.dtype))
    if len(labels) > 2:
        raise ValueError(f"pos_label {pos_label!r} is not one of the labels "
                         f"{present.tolist()}; pass the positive class as pos_label.")
    return labels


def average_scores(table: dict, score: str, average: str, positive: int, present):
    """One ``score`` of :func:`class_scores` per confusion matrix: of the class at index
    ``positive`` (binary), or its mean over the ``present`` classes (macro) or weighted by
    support (weighted; 0 without support)."""
    values = table[score]
    if average == "binary":
        return values[..., positive]
    if average == "macro":
        return np.sum(values * present, axis=-1) / np.sum(present, axis=-1)
    support = table["support"]
    total = support.sum(axis=-1)
    return np.sum(values * support, axis=-1) / np.where(total > 0, total, 1.0)


def _averaged(score: str, y_true, y_pred, average: str, pos_label, sample_weight) -> float:
    y_true, y_pred = pair(y_true, y_pred, numeric=False)
    labels = averaging_labels(y_true, y_pred, average, pos_label)
    table = per_class(y_true, y_pred, labels, sample_weight)
    positive = np.flatnonzero(labels == pos_label)[0] if average == "binary" else None
    return float(average_scores(table, score, average, positive, np.ones(len(labels), bool)))


@checked
def precision(y_true, y_pred, average: Average = "binary", pos_label=1,
              sample_weight=None) -> float:
    """Precision TP / (TP + FP): of ``pos_label`` (``average="binary"``), or averaged
    (``"macro"``, ``"weighted"``) over the labels."""
    return _averaged("precision", y_true, y_pred, average, pos_label, sample_weight)


@checked
def recall(y_true, y_pred, average: Average = "binary", pos_label=1, sample_weight=None) -> float:
    """Recall TP / (TP + FN): of ``pos_label`` (``average="binary"``), or averaged
    (``"macro"``, ``"weighted"``) over the labels."""
    return _averaged("recall", y_true, y_pred, average, pos_label, sample_weight)


@checked
def f1(y_true, y_pred, average: Average = "binary", pos_label=1, sample_weight=None) -> float:
    """F1, the harmonic mean of precision and recall 2TP / (2TP + FP + FN): of ``pos_label``
    (``average="binary"``), or averaged (``"macro"``, ``"weighted"``) over the labels."""
    return _averaged("f1", y_true, y_pred, average, pos_label, sample_weight)


def balanced_accuracy(y_true, y_pred, sample_weight=None) -> float:
    """The mean recall over the classes present in ``y_true`` (each class counts equally)."""
    y_true, y_pred = pair(y_true, y_pred, numeric=False)
    return float(mean_recall(per_class(y_true, y_pred, None, sample_weight)))


def mean_recall(table: dict):
    """The mean recall over the classes with support, per confusion matrix of
    :func:`class_scores`: what :func:`balanced_accuracy` reports."""
    present = table["support"] > 0
    return np.sum(table["recall"] * present, axis=-1) / np.sum(present, axis=-1)


@checked
def log_losses(y_true, proba, eps: Annotated[float, Range(gt=0, lt=0.5)] = EPS) -> np.ndarray:
    """Each row's negative log-probability of its true class (clipped to ``[eps, 1 - eps]``):
    :func:`log_loss` is their mean."""
    p = probabilities(proba)
    y = class_indices(y_true, p.shape[0], p.shape[1])
    return -np.log(np.clip(p[np.arange(len(y)), y], eps, 1 - eps))


def log_loss(y_true, proba, eps: float = EPS, sample_weight=None) -> float:
    """Mean negative log-probability of the true class (cross-entropy).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Class indices ``0..k-1``.
    proba : array-like of shape (n, k) or (n,)
        Class probabilities, or P(class 1) for a binary problem.
    eps : float
        Probabilities are clipped to ``[eps, 1 - eps]`` so a confident mistake costs
        ``-log(eps)`` instead of infinity.
    sample_weight : array-like of shape (n,), optional
        Weights of a weighted mean.

    Returns
    -------
    float
    """
    losses = log_losses(y_true, proba, eps)
    return float(np.average(losses, weights=weights(sample_weight, len(losses))))


def brier(y_true, proba, sample_weight=None) -> float:
    """Brier score: the mean squared distance of the probabilities from the one-hot truth.

    Two classes: the mean of ``(P(class 1) - y)**2``; more: the mean over rows of the sum over
    classes (scikit-learn's ``brier_score_loss`` in both cases). Lower is better.
    """
    losses = brier_losses(y_true, proba)
    return float(np.average(losses, weights=weights(sample_weight, len(losses))))


def brier_losses(y_true, proba) -> np.ndarray:
    """Each row's squared distance from the truth that :func:`brier` averages."""
    p = probabilities(proba)
    y = class_indices(y_true, p.shape[0], p.shape[1])
    if p.shape[1] == 2:
        return (p[:, 1] - y) ** 2
    onehot = np.eye(p.shape[1])[y]
    return np.sum((p - onehot) ** 2, axis=1)
