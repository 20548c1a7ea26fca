"""Components by name: models, losses, optimizers and schedules.

The config layer and the estimators build everything through these tables, so a name means
the same component everywhere. ``make_*`` raise :class:`UnknownComponent` listing the valid
names (with the closest one) for a name that is not in a table.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

import numpy

import mlkit.numpy as np
from mlkit import nn, optim

__all__ = [
    "LOSSES",
    "MODELS",
    "OPTIMIZERS",
    "SCHEDULES",
    "LossSpec",
    "UnknownComponent",
    "make_loss",
    "make_model",
    "make_optimizer",
    "make_schedule",
    "penalized_weights",
    "weight_penalty",
]


class UnknownComponent(KeyError):
    """A component name missing from its table; the message lists the valid names."""

    def __init__(self, kind: str, name, valid):
        close = difflib.get_close_matches(str(name), list(valid), n=1, cutoff=0.6)
        hint = f" — did you mean {close[0]!r}?" if close else ""
        self.message = (f"unknown {kind} {name!r}; valid {kind} names: "
                        f"{', '.join(sorted(valid))}{hint}")
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _lookup(table: dict, kind: str, name):
    if name not in table:
        raise UnknownComponent(kind, name, table)
    return table[name]

# ----------------------------------------------------------------------------- models
# factory(n_features, n_outputs, *, rng, dtype, **options) -> Module


def _linear(n_features, n_outputs, *, rng, dtype, init="zeros", bias=True):
    return nn.Linear(n_features, n_outputs, bias=bias, init=init, rng=rng, dtype=dtype)


def _mlp(n_features, n_outputs, *, rng, dtype, hidden, activation="relu", dropout=0.0,
         batch_norm=False, init="he_normal", bias=True):
    if not bias:
        raise ValueError("mlp: bias=false is not supported by nn.MLP; use bias: true")
    return nn.MLP(n_features, hidden, n_outputs, activation=activation, dropout=dropout,
                  batch_norm=batch_norm, init=init, rng=rng, dtype=dtype)


MODELS: dict[str, Callable] = {
    "logistic_regression": _linear,
    "softmax_regression": _linear,
    "linear_regression": _linear,
    "mlp": _mlp,
}


def make_model(name: str, n_features: int, n_outputs: int, *, rng, dtype="float64", **options):
    """Build model ``name`` mapping ``n_features`` inputs to ``n_outputs`` outputs.

    ``rng`` (a Generator or int seed) draws the initial weights (and the dropout masks);
    ``options`` are the model's own settings (``hidden``, ``activation``, ``init``, ...).
    """
    return _lookup(MODELS, "model", name)(n_features, n_outputs, rng=rng,
                                          dtype=numpy.dtype(dtype), **options)

# ----------------------------------------------------------------------------- losses


@dataclass(frozen=True)
class LossSpec:
    """A loss by name: how its head reads the outputs, and ``fn(outputs, y, weight, **opts)``."""

    head: str
    fn: Callable


def _column(outputs):
    """The single output column of a (n, 1) model as shape (n,)."""
    return np.reshape(outputs, (-1,))


def _bce(outputs, y, weight):
    return nn.binary_cross_entropy_with_logits(_column(outputs), y, weight=weight)


def _cross_entropy(outputs, y, weight, label_smoothing=0.0):
    return nn.cross_entropy(outputs, y, weight=weight, label_smoothing=label_smoothing)


def _hinge(outputs, y, weight, margin=1.0):
    return nn.hinge_loss(outputs, y, margin, weight=weight)


def _mse(outputs, y, weight):
    return nn.mse_loss(_column(outputs), y, weight=weight)


def _l1(outputs, y, weight):
    return nn.l1_loss(_column(outputs), y, weight=weight)


def _huber(outputs, y, weight, delta=1.0):
    return nn.huber_loss(_column(outputs), y, delta, weight=weight)


LOSSES: dict[str, LossSpec] = {
    "binary_cross_entropy": LossSpec("binary", _bce),
    "cross_entropy": LossSpec("multiclass", _cross_entropy),
    "hinge": LossSpec("multiclass", _hinge),
    "mse": LossSpec("regression", _mse),
    "l1": LossSpec("regression", _l1),
    "huber": LossSpec("regression", _huber),
}


def make_loss(name: str, **options) -> tuple[str, Callable]:
    """The head kind of loss ``name`` and ``loss(outputs, y, weight)`` with ``options`` bound.

    Weighted losses are weighted means ``sum(w * l) / sum(w)``.
    """
    spec = _lookup(LOSSES, "loss", name)

    def loss(outputs, y, weight=None):
        return spec.fn(outputs, y, weight, **options)

    loss.__name__ = name
    return spec.head, loss


def penalized_weights(model) -> list:
    """The Linear layers whose weights (never biases) a weight penalty covers."""
    return [module for _, module in model.named_modules() if isinstance(module, nn.Linear)]


def weight_penalty(model, l2: float = 0.0, l1: float = 0.0) -> Callable | None:
    """``penalty()`` = ``l2/2 * sum(w**2) + l1 * sum(|w|)`` over the current Linear weights of
    ``model`` (read at call time, so it is traced inside ``nn.value_and_grad``); None when
    both strengths are 0."""
    if not l2 and not l1:
        return None
    layers = penalized_weights(model)

    def penalty():
        total = 0.0
        for layer in layers:
            weight = layer.weight
            if l2:
                total = total + (0.5 * l2) * np.sum(weight * weight)
            if l1:
                total = total + l1 * np.sum(np.abs(weight))
        return total

    return penalty

# ----------------------------------------------------------------------------- optimizers


OPTIMIZERS: dict[str, Callable] = {
    "sgd": optim.SGD,
    "adam": optim.Adam,
    "adamw": optim.AdamW,
    "rmsprop": optim.RMSprop,
    "adagrad": optim.Adagrad,
    "lbfgs": optim.LBFGS,
}


def make_optimizer(name: str, **options):
    """Optimizer ``name`` with PyTorch-named ``options`` (``lr``, ``betas``, ``momentum``...)."""
    factory = _lookup(OPTIMIZERS, "optimizer", name)
    if "betas" in options:
        options = {**options, "betas": tuple(options["betas"])}
    return factory(**options)

# ----------------------------------------------------------------------------- schedules
# factory(optimizer, epochs, **options); every duration counts epochs.


def _warmup_cosine(opt, epochs, warmup_epochs=5, start_factor=0.1, t_max=None, eta_min=0.0):
    total = t_max or epochs
    return optim.SequentialLR(opt, [optim.LinearWarmup(opt, warmup_epochs, start_factor),
                                    optim.CosineAnnealingLR(opt, total - warmup_epochs, eta_min)],
                              milestones=[warmup_epochs])


def _onecycle(opt, epochs, max_lr=None, three_phase=False, **options):
    if three_phase:
        raise ValueError("onecycle: three_phase is not implemented by mlkit.optim.OneCycleLR; "
                         "set three_phase: false")
    return optim.OneCycleLR(opt, max_lr or opt.lr, epochs, **options)


def _plateau(opt, epochs, monitor="val_loss", **options):
    return optim.ReduceLROnPlateau(opt, **options)


SCHEDULES: dict[str, Callable] = {
    "none": lambda opt, epochs: None,
    "step": lambda opt, epochs, step_size, gamma=0.1: optim.StepLR(opt, step_size, gamma),
    "multistep": lambda opt, epochs, milestones, gamma=0.1: optim.MultiStepLR(opt, milestones,
                                                                             gamma),
    "exponential": lambda opt, epochs, gamma: optim.ExponentialLR(opt, gamma),
    "cosine": lambda opt, epochs, t_max=None, eta_min=0.0: optim.CosineAnnealingLR(
        opt, t_max or epochs, eta_min),
    "linear_warmup": lambda opt, epochs, warmup_epochs=5, start_factor=0.1: optim.LinearWarmup(
        opt, warmup_epochs, start_factor),
    "warmup_cosine": _warmup_cosine,
    "onecycle": _onecycle,
    "plateau": _plateau,
}


def make_schedule(name: str, optimizer, epochs: int, **options):
    """Schedule ``name`` over ``optimizer`` for a run of ``epochs`` (None for ``"none"``)."""
    return _lookup(SCHEDULES, "schedule", name)(optimizer, epochs, **options)
