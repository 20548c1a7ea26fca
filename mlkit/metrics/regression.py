"""Regression metrics of predictions against targets, for arrays of shape (n,) or (n, m).

A multi-output score is the plain mean of its columns' scores; ``sample_weight`` weights rows.
"""

from __future__ import annotations

import numpy as np

from .inputs import pair, weights

__all__ = ["absolute_errors", "explained_variance", "mae", "mape", "mse", "percentage_errors",
           "r2", "rmse", "squared_errors"]


def _columns(y_true, y_pred, sample_weight):
    y_true, y_pred = pair(y_true, y_pred, numeric=True)
    w = weights(sample_weight, len(y_true))
    return y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1), w


def _mean(values, w) -> np.ndarray:
    return np.average(values, axis=0, weights=w)


def squared_errors(y_true, y_pred) -> np.ndarray:
    """``(y - pred)**2`` as (rows, outputs): :func:`mse` is the mean of its column means."""
    y_true, y_pred, _ = _columns(y_true, y_pred, None)
    return (y_true - y_pred) ** 2


def absolute_errors(y_true, y_pred) -> np.ndarray:
    """``|y - pred|`` as (rows, outputs): :func:`mae` is the mean of its column means."""
    y_true, y_pred, _ = _columns(y_true, y_pred, None)
    return np.abs(y_true - y_pred)


def percentage_errors(y_true, y_pred) -> np.ndarray:
    """``|y - pred| / |y|`` as (rows, outputs), a zero target dividing by the smallest float64
    step instead: :func:`mape` is the mean of its column means."""
    y_true, y_pred, _ = _columns(y_true, y_pred, None)
    return np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), np.finfo(np.float64).eps)


def mse(y_true, y_pred, sample_weight=None) -> float:
    """Mean squared error."""
    errors = squared_errors(y_true, y_pred)
    return float(np.mean(_mean(errors, weights(sample_weight, len(errors)))))


def rmse(y_true, y_pred, sample_weight=None) -> float:
    """Root mean squared error, in the units of the target (the mean of the columns' roots)."""
    y_true, y_pred, w = _columns(y_true, y_pred, sample_weight)
    return float(np.mean(np.sqrt(_mean((y_true - y_pred) ** 2, w))))


def mae(y_true, y_pred, sample_weight=None) -> float:
    """Mean absolute error."""
    errors = absolute_errors(y_true, y_pred)
    return float(np.mean(_mean(errors, weights(sample_weight, len(errors)))))


def mape(y_true, y_pred, sample_weight=None) -> float:
    """Mean absolute percentage error ``|y - pred| / |y|`` as a fraction (not times 100); a
    zero target divides by the smallest float64 step instead, as scikit-learn does."""
    errors = percentage_errors(y_true, y_pred)
    return float(np.mean(_mean(errors, weights(sample_weight, len(errors)))))


def _one_minus(residual, total) -> float:
    """``1 - residual / total`` per column; a constant target (total 0) scores 1 when the
    residual is 0 too and 0 otherwise, so the metric stays finite on tiny validation sets."""
    constant = total == 0
    scores = np.where(constant, (residual == 0).astype(np.float64),
                      1 - residual / np.where(constant, 1.0, total))
    return float(np.mean(scores))


def r2(y_true, y_pred, sample_weight=None) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``."""
    y_true, y_pred, w = _columns(y_true, y_pred, sample_weight)
    return _one_minus(_mean((y_true - y_pred) ** 2, w), _mean((y_true - _mean(y_true, w)) ** 2, w))


def explained_variance(y_true, y_pred, sample_weight=None) -> float:
    """``1 - Var(y - pred) / Var(y)``: R2 that ignores a constant offset of the predictions."""
    y_true, y_pred, w = _columns(y_true, y_pred, sample_weight)
    error = y_true - y_pred
    return _one_minus(_mean((error - _mean(error, w)) ** 2, w),
                      _mean((y_true - _mean(y_true, w)) ** 2, w))
