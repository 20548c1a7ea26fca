"""What every loss shares: shape, dtype and label checks, and the weighted reduction.

The messages name the loss and the shapes involved, so a mismatch is reported before any work
and says what to reshape.
"""

from __future__ import annotations

import numpy

import mlkit.numpy as np
from mlkit.extend import Box, getval

__all__ = ["as_array", "as_dtype", "as_targets", "check_class_weights", "check_labels",
           "check_same_shape", "float_dtype", "reduce_losses", "shape_of"]

_REDUCTIONS = ("mean", "sum", "none")


def shape_of(x):
    """The shape of a plain or traced value."""
    x = getval(x)
    return x.shape if type(x) is numpy.ndarray else tuple(numpy.shape(x))


def float_dtype(x):
    """The dtype of a floating-point value; float64 for any other value."""
    x = getval(x)
    dtype = x.dtype if type(x) is numpy.ndarray else numpy.result_type(x)
    return dtype if dtype.kind == "f" else numpy.dtype(numpy.float64)


def as_array(value):
    """A plain value (list, scalar) as an ndarray; traced values pass unchanged."""
    return value if isinstance(value, Box) else numpy.asarray(value)


def as_dtype(value, dtype):
    """``value`` as an array of ``dtype``. A traced value is cast by a traced ``astype``: a
    loss recorded by ``mlkit.jit``, which traces its data (targets, weights) too, then computes
    in the dtype of the eager call."""
    if value is None:
        return value
    if isinstance(value, Box):
        return value if numpy.result_type(getval(value)) == dtype else np.astype(value, dtype)
    value = numpy.asarray(value)
    return value if value.dtype == dtype else value.astype(dtype)


def as_targets(name, targets, dtype):
    """Numeric ``targets`` as ``dtype``; text or object targets are refused by the loss's name
    before numpy would fail to convert them."""
    dtype_given = _dtype(targets)
    if dtype_given.kind not in "biufc":
        raise TypeError(f"{name}: targets must be numbers, got dtype {dtype_given}; {_ENCODE}")
    return as_dtype(targets, dtype)


def _dtype(value):
    """The dtype of a plain or traced value, or of the array a list would make."""
    value = getval(value)
    return value.dtype if hasattr(value, "dtype") else numpy.asarray(value).dtype


_ENCODE = "encode labels as integers first, e.g. numpy.unique(y, return_inverse=True)[1]"


def check_same_shape(name, predictions, targets, what="targets"):
    if shape_of(predictions) != shape_of(targets):
        raise ValueError(f"{name}: predictions have shape {shape_of(predictions)} but {what} have "
                         f"shape {shape_of(targets)}; they must match (reshape one of them, e.g. "
                         "targets.reshape(predictions.shape))")


def check_labels(name, labels, classes, batch_shape):
    labels = getval(labels)  # a box only when mlkit.jit records it: it stands for the labels
    labels = labels if isinstance(labels, Box) else numpy.asarray(labels)
    if labels.dtype.kind not in "iu":
        fix = f"; {_ENCODE}" if labels.dtype.kind in "OSU" else ""
        raise TypeError(f"{name}: integer class labels expected, got dtype {labels.dtype}{fix}")
    if labels.shape != batch_shape:
        raise ValueError(f"{name}: labels have shape {labels.shape}, expected {batch_shape} "
                         f"for scores of shape {batch_shape + (classes,)}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{name}: labels must be in [0, {classes}), got values from "
                         f"{labels.min()} to {labels.max()}")
    return labels


def reduce_losses(name, losses, reduction, weight=None, denominator=None):
    """Apply the sample ``weight`` and the reduction to elementwise or per-sample losses."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    shape = shape_of(losses)
    if weight is not None:
        weight = as_dtype(weight, float_dtype(losses))
        w_shape = shape_of(weight)
        if w_shape != shape[:len(w_shape)] or (not w_shape and shape):
            raise ValueError(f"{name}: weight has shape {w_shape}, expected ({shape[0]},) "
                             f"(one per sample) or {shape}")
        weight = np.reshape(weight, w_shape + (1,) * (len(shape) - len(w_shape)))
        losses = losses * weight
    if reduction == "none":
        return losses
    if reduction == "mean" and weight is None and denominator is None:
        return np.mean(losses)
    total = np.sum(losses)
    if reduction == "sum":
        return total
    if denominator is None:
        denominator = np.sum(np.broadcast_to(weight, shape))
    return total / denominator


def check_class_weights(name, class_weight, classes, dtype):
    if class_weight is None:
        return None
    class_weight = as_dtype(class_weight, dtype)
    if shape_of(class_weight) != (classes,):
        raise ValueError(f"{name}: class_weight has shape {shape_of(class_weight)}, expected "
                         f"({classes},) for {classes} classes")
    return class_weight

