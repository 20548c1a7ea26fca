"""Classification and regression metrics in plain numpy.

Each function checks its inputs (matching lengths, finite values, valid probabilities) and
returns a Python float, so results can go straight into ``metrics.csv`` and ``summary.json``.
Precision, recall and F1 are macro averages over the labels present in either argument; a
label never predicted has precision 0, a label never true has recall 0.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "accuracy",
    "classification_metrics",
    "confusion_matrix",
    "f1",
    "log_loss",
    "mae",
    "mse",
    "precision",
    "r2",
    "recall",
    "regression_metrics",
    "rmse",
]


def _array(value, name: str) -> np.ndarray:
    """``np.asarray(value)``, with ragged input reported by argument name."""
    try:
        return np.asarray(value)
    except ValueError:
        raise ValueError(f"{name} is ragged (rows of different lengths); pass a rectangular "
                         "array.") from None


def _pair(y_true, y_pred, numeric: bool) -> tuple[np.ndarray, np.ndarray]:
    """Check that two arrays have the same non-empty shape (and finite numbers if numeric)."""
    y_true, y_pred = _array(y_true, "y_true"), _array(y_pred, "predictions")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but the predictions have shape "
                         f"{y_pred.shape}; pass one prediction per target.")
    if y_true.ndim not in (1, 2) or y_true.shape[0] == 0:
        raise ValueError(f"metrics need a non-empty 1-D or 2-D array, got shape {y_true.shape}.")
    if not numeric:
        if y_true.ndim != 1:
            raise ValueError(f"labels must be 1-D, got shape {y_true.shape}.")
        if (y_true.dtype.kind in "US") != (y_pred.dtype.kind in "US"):
            raise TypeError(f"y_true ({y_true.dtype}) and y_pred ({y_pred.dtype}) must both be "
                            "text labels or both numbers; encode them the same way.")
        return y_true, y_pred
    for name, a in (("y_true", y_true), ("predictions", y_pred)):
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold numbers, got dtype {a.dtype}.")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} has NaN or infinite values; metrics need finite numbers.")
    return y_true.astype(np.float64), y_pred.astype(np.float64)


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
    y_true, y_pred = _pair(y_true, y_pred, numeric=False)
    hits = (y_true == y_pred).astype(np.float64)
    if sample_weight is None:
        return float(np.mean(hits))
    weight = np.asarray(sample_weight, dtype=np.float64)
    if weight.shape != hits.shape or np.any(weight < 0) or not weight.sum() > 0:
        raise ValueError(f"sample_weight must be {hits.shape[0]} non-negative weights with a "
                         f"positive sum, got shape {weight.shape}")
    return float(np.average(hits, weights=weight))


def _class_indices(y_true, n: int, k: int) -> np.ndarray:
    y = _array(y_true, "y_true")
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


def _probabilities(proba) -> np.ndarray:
    """``proba`` as an (n, k) array; a 1-D array is P(class 1) of a binary problem."""
    p = _array(proba, "proba")
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


def log_loss(y_true, proba, eps: float = 1e-15) -> float:
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

    Returns
    -------
    float
    """
    if not 0 < eps < 0.5:
        raise ValueError(f"eps must lie in (0, 0.5), got {eps}.")
    p = _probabilities(proba)
    y = _class_indices(y_true, p.shape[0], p.shape[1])
    picked = np.clip(p[np.arange(len(y)), y], eps, 1 - eps)
    return float(-np.mean(np.log(picked)))


def mse(y_true, y_pred) -> float:
    """Mean squared error over all entries; arrays of shape (n,) or (n, m)."""
    y_true, y_pred = _pair(y_true, y_pred, numeric=True)
    return float(np.mean((y_true - y_pred) ** 2))


def rmse(y_true, y_pred) -> float:
    """Root of :func:`mse`, in the units of the target."""
    return float(np.sqrt(mse(y_true, y_pred)))


def mae(y_true, y_pred) -> float:
    """Mean absolute error over all entries; arrays of shape (n,) or (n, m)."""
    y_true, y_pred = _pair(y_true, y_pred, numeric=True)
    return float(np.mean(np.abs(y_true - y_pred)))


def r2(y_true, y_pred) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``, averaged over output columns.

    A constant target column has ``SS_tot = 0``; its score is 1 for exact predictions and 0
    otherwise, so the metric stays finite on tiny validation sets.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,) or (n, m)

    Returns
    -------
    float
    """
    y_true, y_pred = _pair(y_true, y_pred, numeric=True)
    y_true, y_pred = y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1)
    ss_res = np.sum((y_true - y_pred) ** 2, axis=0)
    ss_tot = np.sum((y_true - y_true.mean(axis=0)) ** 2, axis=0)
    constant = ss_tot == 0
    scores = np.where(constant, (ss_res == 0).astype(np.float64),
                      1 - ss_res / np.where(constant, 1.0, ss_tot))
    return float(np.mean(scores))


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """Counts ``C[i, j]`` of rows with true label ``labels[i]`` predicted as ``labels[j]``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
    labels : array-like, optional
        Row/column order; default the sorted labels present in either argument.

    Returns
    -------
    ndarray of int64, shape (len(labels), len(labels))
    """
    y_true, y_pred = _pair(y_true, y_pred, numeric=False)
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
    return np.bincount(codes[0] * k + codes[1], minlength=k * k).reshape(k, k).astype(np.int64)


def _per_class(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Per-label precision and recall from the confusion matrix (0 where undefined)."""
    cm = confusion_matrix(y_true, y_pred)
    hits = np.diag(cm).astype(np.float64)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision_k = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall_k = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
    return precision_k, recall_k


def precision(y_true, y_pred) -> float:
    """Macro-averaged precision: the mean over labels of TP / (TP + FP)."""
    return float(np.mean(_per_class(y_true, y_pred)[0]))


def recall(y_true, y_pred) -> float:
    """Macro-averaged recall: the mean over labels of TP / (TP + FN)."""
    return float(np.mean(_per_class(y_true, y_pred)[1]))


def f1(y_true, y_pred) -> float:
    """Macro-averaged F1: the mean over labels of the harmonic mean of precision and recall."""
    p, r = _per_class(y_true, y_pred)
    total = p + r
    return float(np.mean(np.divide(2 * p * r, total, out=np.zeros_like(p), where=total > 0)))


def classification_metrics(y_true, proba) -> dict[str, float]:
    """Accuracy, log loss and macro precision/recall/F1 of predicted class probabilities.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Class indices ``0..k-1``.
    proba : array-like of shape (n, k) or (n,)
        Class probabilities, or P(class 1) for a binary problem; the prediction is the most
        probable class (class 1 when its probability is at least 0.5).

    Returns
    -------
    dict
        Keys ``accuracy, log_loss, precision, recall, f1``.
    """
    p = _probabilities(proba)
    y = _class_indices(y_true, p.shape[0], p.shape[1])
    pred = (p[:, 1] >= 0.5).astype(np.int64) if p.shape[1] == 2 else np.argmax(p, axis=1)
    return {"accuracy": accuracy(y, pred), "log_loss": log_loss(y, p),
            "precision": precision(y, pred), "recall": recall(y, pred), "f1": f1(y, pred)}


def regression_metrics(y_true, pred) -> dict[str, float]:
    """R², RMSE, MSE and MAE of predictions.

    Parameters
    ----------
    y_true, pred : array-like of shape (n,) or (n, m)

    Returns
    -------
    dict
        Keys ``r2, rmse, mse, mae``.
    """
    return {"r2": r2(y_true, pred), "rmse": rmse(y_true, pred), "mse": mse(y_true, pred),
            "mae": mae(y_true, pred)}
