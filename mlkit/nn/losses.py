"""Loss functions with reductions, sample weights and shape checks; stable for large logits.

Every loss takes ``reduction`` ("mean", "sum" or "none") and an optional per-sample
``weight`` (shape ``(N,)``, or the loss's full shape). With weights, "mean" is the weighted
mean ``sum(w * loss) / sum(w)`` (each weight counted once per element it covers). Targets
and weights are cast to the predictions' dtype, so float32 stays float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy

import mlkit.numpy as np
from mlkit.extend import def_elementwise, defjvp, defvjp, getval, primitive
from mlkit.nn.activations import log_softmax, relu, sigmoid, softmax
from mlkit.nn.loss_checks import (
    as_array,
    as_dtype,
    as_targets,
    check_class_weights,
    check_labels,
    check_same_shape,
    float_dtype,
    reduce_losses,
    shape_of,
)
from mlkit.operators import with_fused_gradient
from mlkit.options import PositiveFloat, Range, checked
from mlkit.scipy.log_sum_exp import shifted_exp
from mlkit.tree import tree_leaves

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "hinge_loss", "huber_loss", "l1_loss", "l1_penalty", "l2_penalty", "mse_loss",
           "nll_loss", "weight_penalty"]

# -- regression ------------------------------------------------------------------------------
def mse_loss(predictions, targets, *, weight=None, reduction="mean"):
    """Squared error ``(predictions - targets)^2``.

    Parameters
    ----------
    predictions, targets : array
        Same shape.
    weight : array, optional
        Per-sample weights ``(N,)`` or one per element.
    reduction : {"mean", "sum", "none"}
        How to combine the elementwise losses.
    """
    check_same_shape("mse_loss", predictions, targets)
    diff = predictions - as_targets("mse_loss", targets, float_dtype(predictions))
    return reduce_losses("mse_loss", diff * diff, reduction, weight)


def l1_loss(predictions, targets, *, weight=None, reduction="mean"):
    """Absolute error ``|predictions - targets|`` (subgradient 0 at equality)."""
    check_same_shape("l1_loss", predictions, targets)
    diff = predictions - as_targets("l1_loss", targets, float_dtype(predictions))
    return reduce_losses("l1_loss", np.abs(diff), reduction, weight)


@checked
def huber_loss(predictions, targets, delta: PositiveFloat = 1.0, *, weight=None,
               reduction="mean"):
    """``0.5 d^2`` where ``|d| <= delta``, else ``delta (|d| - 0.5 delta)``, with
    ``d = predictions - targets`` (PyTorch's HuberLoss).

    Parameters
    ----------
    delta : float
        Where the loss turns from quadratic to linear, ``> 0``.
    """
    check_same_shape("huber_loss", predictions, targets)
    diff = predictions - as_targets("huber_loss", targets, float_dtype(predictions))
    size = np.abs(diff)
    losses = np.where(getval(size) <= delta, 0.5 * (diff * diff), delta * (size - 0.5 * delta))
    return reduce_losses("huber_loss", losses, reduction, weight)


# -- binary classification -------------------------------------------------------------------
def binary_cross_entropy(probabilities, targets, *, weight=None, reduction="mean", eps=None):
    """``-(y log p + (1 - y) log(1 - p))``, each log taken of its argument floored at ``eps``
    (as PyTorch floors each log at -100), so each term is at most ``-log(eps)``.

    ``eps`` defaults to the machine epsilon of the dtype. Only a term whose argument is
    below ``eps`` is flattened (its gradient is zero there); the other term keeps its exact
    derivative, so a confident right answer (p = 1 for y = 1) has the slope -1, not 0. Prefer
    :func:`binary_cross_entropy_with_logits`, which needs no floor. For class weights pass
    ``weight=class_weight[labels]``.
    """
    check_same_shape("binary_cross_entropy", probabilities, targets)
    dtype = float_dtype(probabilities)
    eps = float(numpy.finfo(dtype).eps) if eps is None else eps
    y = as_targets("binary_cross_entropy", targets, dtype)
    losses = -(y * np.log(np.clip(probabilities, eps, 1))
               + (1 - y) * np.log(np.clip(1 - probabilities, eps, 1)))
    return reduce_losses("binary_cross_entropy", losses, reduction, weight)


PosWeight = PositiveFloat | Sequence[PositiveFloat] | None
"""A number, or one per column: what ``pos_weight`` takes."""


@primitive
def _bce_logits(x, y):
    return numpy.maximum(x, 0) - x * y + numpy.log1p(numpy.exp(-numpy.abs(x)))


# sigmoid(x) - y, exact in both tails for 0/1 targets (sigmoid(40) - 1 would round to 0).
def_elementwise(_bce_logits, lambda ans, x, y: (1 - y) * sigmoid(x) - y * sigmoid(-x),
                lambda ans, x, y: -x)


@checked
def binary_cross_entropy_with_logits(logits, targets, *, weight=None,
                                     pos_weight: PosWeight = None, reduction="mean"):
    """Binary cross-entropy of ``sigmoid(logits)``, computed stably as
    ``max(x, 0) - x y + log1p(exp(-|x|))``; its gradient is ``sigmoid(x) - y``.

    Parameters
    ----------
    pos_weight : float or sequence of float, optional
        Weight p of the positive term, as PyTorch's: the loss is ``-(p y log sigmoid(x) +
        (1 - y) log(1 - sigmoid(x)))``; p > 1 weighs the rarer positives of an imbalanced
        problem up. A number, or one per column of the last axis.
    """
    name = "binary_cross_entropy_with_logits"
    check_same_shape(name, logits, targets)
    targets = as_targets(name, targets, float_dtype(logits))
    losses = _bce_logits(logits, targets)
    if pos_weight is not None:
        pos_weight = as_dtype(pos_weight, float_dtype(logits))
        if shape_of(pos_weight) not in ((), shape_of(logits)[-1:]):
            raise ValueError(f"{name}: pos_weight has shape {shape_of(pos_weight)}, expected () "
                             f"or {shape_of(logits)[-1:]} (one per column of the last axis)")
        # -log sigmoid(x) is the loss at target 1, so (p - 1) y of it more weighs positives by p.
        losses = losses + (pos_weight - 1) * targets * _bce_logits(logits, np.ones_like(targets))
    return reduce_losses(name, losses, reduction, weight)


# -- multiclass classification ---------------------------------------------------------------
@primitive
def _soft_cross_entropy(logits, target):
    """``-sum(target * log_softmax(logits), axis=-1)`` in one op. Where logits spread past the
    dtype's range (3.4e38 in float32) a shifted logit is -inf: there a class of target 0 adds
    0, and one of target t > 0 (label smoothing) adds t x - t m, finite while the loss is."""
    with numpy.errstate(over="ignore", invalid="ignore"):
        shifted, _, totals = shifted_exp(logits)
        picked = target * shifted
        if not numpy.isfinite(picked).all():
            logits = numpy.asarray(logits)
            top = numpy.max(logits, axis=-1, keepdims=True)
            apart = numpy.where(numpy.isfinite(shifted), picked, target * logits - target * top)
            picked = numpy.where(target == 0, 0, apart)
    return numpy.log(totals[..., 0]) * target.sum(axis=-1) - picked.sum(axis=-1)


def _xent_grad_logits(ans, logits, target):
    def vjp(g):
        mass = np.sum(target, axis=-1, keepdims=True)
        return g[..., None] * (softmax(logits) * mass - target)
    return vjp


defvjp(_soft_cross_entropy, _xent_grad_logits,
       lambda ans, logits, target: lambda g: -g[..., None] * log_softmax(logits))
defjvp(_soft_cross_entropy,
       lambda t, ans, logits, target: np.sum(
           (softmax(logits) * np.sum(target, axis=-1, keepdims=True) - target) * t, axis=-1),
       lambda t, ans, logits, target: -np.sum(t * log_softmax(logits), axis=-1))


def _onehot(labels, classes, dtype):
    """Rows of the identity picked by ``labels``, as operations on the labels, so that a jitted
    loss takes them as an input rather than guarding on their values."""
    return np.equal(np.expand_dims(labels, -1), numpy.arange(classes)).astype(dtype)


def _label_cross_entropy_reference(logits, labels, scale):
    """``scale * sum_i (logsumexp(logits_i) - logits_i[labels_i])``, traced: the definition
    whose engine derivatives serve beyond the first (see ``_label_cross_entropy``)."""
    onehot = _onehot(labels, shape_of(logits)[-1], float_dtype(logits))
    return np.sum(_soft_cross_entropy(logits, onehot)) * scale


def _label_cross_entropy_kernel(logits, labels, scale):
    """The reference's value and its gradient ``scale * (softmax - onehot)``, one pass."""
    shifted, probabilities, totals = shifted_exp(logits)
    rows = numpy.arange(labels.size)
    flat_labels = labels.reshape(-1)
    picked = shifted.reshape(-1, shifted.shape[-1])[rows, flat_labels]
    value = (numpy.log(totals).sum() - picked.sum()) * scale
    probabilities /= totals
    probabilities.reshape(-1, shifted.shape[-1])[rows, flat_labels] -= 1.0
    probabilities *= scale
    return value, probabilities


# The cross-entropy of integer labels, reduced, as one op whose gradient comes with the value
# (the common case of classifier training).
_label_cross_entropy = with_fused_gradient(_label_cross_entropy_reference,
                                           _label_cross_entropy_kernel)


@checked
def cross_entropy(logits, targets, *, weight=None, class_weight=None,
                  label_smoothing: Annotated[float, Range(ge=0, le=1)] = 0.0, reduction="mean"):
    """Softmax cross-entropy on logits, as ``torch.nn.functional.cross_entropy``.

    Parameters
    ----------
    logits : array of shape (..., C)
        Unnormalized scores, classes on the last axis; stable for any magnitude.
    targets : array
        Integer labels of shape ``(...)``, or class probabilities of shape ``(..., C)``.
    weight : array, optional
        Per-sample weights of shape ``(...)``.
    class_weight : array of shape (C,), optional
        Per-class weights. With integer labels, "mean" divides by the summed weights of the
        samples' classes (times their sample weights), as PyTorch does.
    label_smoothing : float
        ``eps`` in ``[0, 1]``: the target becomes ``(1 - eps) * target + eps / C``.
    reduction : {"mean", "sum", "none"}
    """
    name = "cross_entropy"
    logits, targets = as_array(logits), as_array(targets)
    shape, dtype = shape_of(logits), float_dtype(logits)
    if not shape:
        raise ValueError(f"{name}: logits must have a class axis, got a scalar")
    classes, batch = shape[-1], shape[:-1]
    cw = check_class_weights(name, class_weight, classes, dtype)
    denominator = None
    if numpy.result_type(getval(targets)).kind == "f":
        check_same_shape(name, logits, targets, "probability targets")
        target = as_dtype(targets, dtype)
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        if cw is not None:
            target = target * cw
    else:
        labels = check_labels(name, targets, classes, batch)
        if (cw is None and weight is None and not label_smoothing and labels.size
                and reduction in ("mean", "sum")):
            return _label_cross_entropy(logits, labels,
                                        1.0 / labels.size if reduction == "mean" else 1.0)
        onehot = _onehot(labels, classes, dtype)
        target = onehot
        if cw is not None:
            # PyTorch: (1 - eps) w_y [c = y] + (eps / C) w_c, and "mean" divides by sum w_y.
            target = onehot * cw[labels][..., None]
            denominator = _weighted_count(cw[labels], weight, dtype)
        if label_smoothing:
            smooth = cw if cw is not None else 1
            target = target * (1 - label_smoothing) + smooth * (label_smoothing / classes)
    losses = _soft_cross_entropy(logits, target)
    return reduce_losses(name, losses, reduction, weight, denominator)


def _weighted_count(sample_class_weights, weight, dtype):
    if weight is None:
        return numpy.sum(sample_class_weights)
    w = as_dtype(weight, dtype)
    return np.sum(np.broadcast_to(w, sample_class_weights.shape) * sample_class_weights)


def nll_loss(log_probs, targets, *, weight=None, class_weight=None, reduction="mean"):
    """Negative log-likelihood ``-log_probs[..., y]`` of integer labels, from log-probabilities
    (such as :func:`mlkit.nn.log_softmax` outputs); class weights as in :func:`cross_entropy`.
    """
    name = "nll_loss"
    shape, dtype = shape_of(log_probs), float_dtype(log_probs)
    if not shape:
        raise ValueError(f"{name}: log_probs must have a class axis, got a scalar")
    labels = check_labels(name, targets, shape[-1], shape[:-1])
    pick = _onehot(labels, shape[-1], dtype)
    cw = check_class_weights(name, class_weight, shape[-1], dtype)
    denominator = None
    if cw is not None:
        pick = pick * cw
        denominator = _weighted_count(cw[labels], weight, dtype)
    losses = -np.sum(log_probs * pick, axis=-1)
    return reduce_losses(name, losses, reduction, weight, denominator)


@checked
def hinge_loss(scores, targets, margin: PositiveFloat = 1.0, *, weight=None, class_weight=None,
               reduction="mean"):
    """Hinge loss for binary ±1 targets or integer class labels.

    Binary (``scores`` and ``targets`` of the same shape, targets in {-1, +1}):
    ``max(0, margin - y s)``. Multiclass (``scores`` ``(..., C)``, integer labels ``(...)``):
    PyTorch's MultiMarginLoss, ``sum_{j != y} max(0, margin - s_y + s_j) / C``, multiplied
    by ``class_weight[y]`` if given ("mean" then still divides by the number of samples).

    Parameters
    ----------
    margin : float
        Required gap between the true class's score and the others', ``> 0`` (with 0, all
        scores equal, as from zero weights, would be a minimum).
    """
    name = "hinge_loss"
    shape, dtype = shape_of(scores), float_dtype(scores)
    if shape_of(targets) == shape:
        raw = numpy.asarray(getval(targets))
        if not numpy.all((raw == 1) | (raw == -1)):
            raise ValueError(f"{name}: binary targets must be -1 or +1 (convert 0/1 labels "
                             "with 2 * y - 1)")
        losses = relu(margin - scores * as_dtype(targets, dtype))
        return reduce_losses(name, losses, reduction, weight)
    if not shape:
        raise ValueError(f"{name}: scores must have a class axis for integer labels")
    classes = shape[-1]
    labels = check_labels(name, targets, classes, shape[:-1])
    onehot = _onehot(labels, classes, dtype)
    true_score = np.sum(scores * onehot, axis=-1, keepdims=True)
    margins = relu(margin - true_score + scores) * (1 - onehot)
    losses = np.sum(margins, axis=-1) * (1 / classes)
    cw = check_class_weights(name, class_weight, classes, dtype)
    if cw is not None:
        losses = losses * cw[labels]
    return reduce_losses(name, losses, reduction, weight)


# -- penalties -------------------------------------------------------------------------------
def weight_penalty(params, l2=0.0, l1=0.0):
    """``l2/2 * sum w^2 + l1 * sum |w|`` over every array of a parameter tree (or a list of
    weights): the one weight penalty of the configs and the MLP estimators; 0.0 for none.
    At ``w = 0`` the L1 term's subgradient is 0 (``sign(0)``, as PyTorch's ``abs``)."""
    total = 0.0
    for leaf in tree_leaves(params):
        if l2:
            total = total + (0.5 * l2) * np.sum(leaf * leaf)
        if l1:
            total = total + l1 * np.sum(np.abs(leaf))
    return total


def l1_penalty(params):
    """``sum |w|`` over every array of a parameter tree: :func:`weight_penalty` with ``l1=1``."""
    return weight_penalty(params, l1=1.0)


def l2_penalty(params):
    """``sum w^2`` over every array of a parameter tree (multiply by ``lambda / 2`` for the
    usual weight-decay penalty): :func:`weight_penalty` with ``l2=2``."""
    return weight_penalty(params, l2=2.0)
