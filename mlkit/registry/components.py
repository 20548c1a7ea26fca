"""Components by name: models, losses, optimizers, schedules and the metrics a run watches.

Each entry is the component's own class or function. Its options (names, types, defaults and
help) are read from that callable's signature and docstring, and the config schema is derived
from them, so a default is written once and YAML and Python agree. A few config-facing
functions below adapt a library class to a run counted in epochs (``t_max`` null meaning every
epoch, say); they declare only what they add and pass every other option on unchanged.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal, NamedTuple

import numpy

import mlkit.numpy as np
from mlkit import metrics, nn, optim
from mlkit.nn.init import InitName
from mlkit.options import Length, PositiveInt, checked, did_you_mean

from .signatures import Option, signature_options

__all__ = ["LOSSES", "METRICS", "MODELS", "MONITORS", "OPTIMIZERS", "PYTHON_ONLY", "SCHEDULES",
           "Component", "MetricName", "Monitor", "MonitorName", "Objective", "UnknownComponent",
           "make_loss",
           "make_model", "make_optimizer", "make_schedule", "penalized_weights",
           "weight_penalty"]

SUPPLIED = {"model": ("n_features", "n_outputs", "rng", "dtype"),
            "loss": ("weight", "class_weight", "reduction"),
            "optimizer": (),
            "schedule": ("optimizer", "epochs", "steps_per_epoch")}
"""Per kind, the parameters the builder fills in: never options of a config."""


@dataclass(frozen=True)
class Component:
    """A component: ``build``, the callables it passes ``**options`` on to, for a loss the
    head that reads the model's outputs ("binary", "multiclass", "scores" or "regression"),
    and the options a config cannot give (a Python function, and what only serves one)."""

    kind: str
    build: Callable
    passes_to: tuple[Callable, ...] = ()
    head: str | None = None
    python_only: tuple[str, ...] = ()

    def options(self) -> list[Option]:
        """Every option, in signature order: ``build``'s own, then those passed on."""
        supplied = SUPPLIED[self.kind] + self.python_only
        found = signature_options(self.build, supplied, keyword_defaults_only=self.kind == "loss")
        for target in self.passes_to:
            taken = supplied + tuple(option.name for option in found)
            found += signature_options(target, taken, keyword_defaults_only=True)
        return found


class UnknownComponent(KeyError):
    """A component name missing from its table; the message lists the valid names."""

    def __init__(self, kind: str, name, valid):
        self.message = (f"unknown {kind} {name!r}; valid {kind} names: "
                        f"{', '.join(sorted(valid))}{did_you_mean(name, valid)}")
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _lookup(table: dict, kind: str, name) -> Component:
    if name not in table:
        raise UnknownComponent(kind, name, table)
    return table[name]


def _split(options: dict, target: Callable) -> tuple[dict, dict]:
    """``options`` divided into those ``target`` accepts and the rest."""
    accepted = inspect.signature(target).parameters
    mine = {key: value for key, value in options.items() if key in accepted}
    return mine, {key: value for key, value in options.items() if key not in mine}

# ----------------------------------------------------------------------------- models


@checked
def linear_model(n_features, n_outputs, *, rng, dtype, init: InitName = "zeros", **options):
    """A single linear layer: logistic (binary), softmax (multiclass) or linear regression.

    Parameters
    ----------
    init : str
        Weight initializer; zeros is fine for a convex objective.
    """
    return nn.Linear(n_features, n_outputs, init=init, rng=rng, dtype=dtype, **options)


@checked
def mlp(n_features, n_outputs, *, rng, dtype, hidden: Annotated[list[PositiveInt], Length(min=1)],
        init: InitName | None = None, **options):
    """A multilayer perceptron: Linear, [BatchNorm], activation, [Dropout] per hidden layer.

    Parameters
    ----------
    hidden : list of int
        Width of each hidden layer, e.g. [128, 64].
    init : str or None
        Weight initializer; null: he_normal, or glorot_uniform after tanh, sigmoid or softplus.
    """
    if init is None:
        smooth = options.get("activation") in ("tanh", "sigmoid", "softplus")
        init = "glorot_uniform" if smooth else "he_normal"
    return nn.MLP(n_features, hidden, n_outputs, init=init, rng=rng, dtype=dtype, **options)


MODELS: dict[str, Component] = {
    "logistic_regression": Component("model", linear_model, (nn.Linear,)),
    "softmax_regression": Component("model", linear_model, (nn.Linear,)),
    "linear_regression": Component("model", linear_model, (nn.Linear,)),
    "mlp": Component("model", mlp, (nn.MLP,)),
}


def make_model(name: str, n_features: int, n_outputs: int, *, rng, dtype="float64", **options):
    """Build model ``name`` mapping ``n_features`` inputs to ``n_outputs`` outputs.

    ``rng`` (a Generator or int seed) draws the initial weights (and the dropout masks);
    ``options`` are the model's own settings (``hidden``, ``activation``, ``init``, ...).
    """
    return _lookup(MODELS, "model", name).build(n_features, n_outputs, rng=rng,
                                                dtype=numpy.dtype(dtype), **options)

# ----------------------------------------------------------------------------- losses


LOSSES: dict[str, Component] = {
    "cross_entropy": Component("loss", nn.cross_entropy, head="multiclass"),
    "binary_cross_entropy": Component("loss", nn.binary_cross_entropy_with_logits,
                                      head="binary"),
    "mse": Component("loss", nn.mse_loss, head="regression"),
    "l1": Component("loss", nn.l1_loss, head="regression"),
    "huber": Component("loss", nn.huber_loss, head="regression"),
    "hinge": Component("loss", nn.hinge_loss, head="scores"),
}


@dataclass(frozen=True)
class Objective:
    """A training objective: ``loss(outputs, y, weight=w)`` of the model's outputs, plus an
    optional ``penalty()``. Binary and regression heads have one output column, which the loss
    reads as shape (n,). Weighted losses are weighted means ``sum(w * l) / sum(w)``."""

    loss: Callable
    head: str
    penalty: Callable | None = None

    def __call__(self, model, X, y, weight=None):
        """The objective on one batch (the ``loss_fn`` of :func:`mlkit.train.fit`)."""
        value = self.data_loss(model(X), y, weight)
        return value if self.penalty is None else value + self.penalty()

    def data_loss(self, outputs, y, weight=None):
        """The loss of given outputs, without the penalty (validation and test losses)."""
        if self.head in ("binary", "regression"):
            outputs = np.reshape(outputs, (-1,))
        return self.loss(outputs, y, weight=weight)


def make_loss(name: str, penalty: Callable | None = None, **options) -> Objective:
    """The :class:`Objective` of loss ``name`` with its ``options`` bound, plus ``penalty``."""
    component = _lookup(LOSSES, "loss", name)
    loss = functools.partial(component.build, **options) if options else component.build
    return Objective(loss, component.head, penalty)


def penalized_weights(model) -> list:
    """The Linear layers whose weights (never biases) a weight penalty covers."""
    return [module for _, module in model.named_modules(remove_duplicate=False)
            if isinstance(module, nn.Linear)]


def weight_penalty(model, l2: float = 0.0, l1: float = 0.0) -> Callable | None:
    """``penalty()`` = ``l2/2 * sum(w**2) + l1 * sum(|w|)`` over the current Linear weights of
    ``model`` (read at call time, so it is traced inside ``nn.value_and_grad``); None when
    both strengths are 0."""
    if not l2 and not l1:
        return None
    layers = penalized_weights(model)
    return lambda: nn.weight_penalty([layer.weight for layer in layers], l2, l1)

# ----------------------------------------------------------------------------- optimizers


OPTIMIZERS: dict[str, Component] = {
    "sgd": Component("optimizer", optim.SGD),
    "adam": Component("optimizer", optim.Adam),
    "adamw": Component("optimizer", optim.AdamW),
    "rmsprop": Component("optimizer", optim.RMSprop),
    "adagrad": Component("optimizer", optim.Adagrad),
    "nadam": Component("optimizer", optim.NAdam),
    "radam": Component("optimizer", optim.RAdam),
    "adamax": Component("optimizer", optim.Adamax),
    "adadelta": Component("optimizer", optim.Adadelta),
    "lbfgs": Component("optimizer", optim.LBFGS),
}


def make_optimizer(name: str, groups=None, **options):
    """Optimizer ``name`` with PyTorch-named ``options`` (``lr``, ``betas``, ``momentum``...).

    ``groups`` (a config's ``optimizer.groups``: ``[{"params": pattern, **options}, ...]``)
    makes it an :class:`mlkit.optim.Groups`: each group that optimizer with ``options``
    overridden by its own, the parameters no group takes (``rest``) with ``options``.
    """
    build = _lookup(OPTIMIZERS, "optimizer", name).build
    if not groups:
        return build(**options)
    lacking = [i for i, group in enumerate(groups)
               if not isinstance(group, dict) or "params" not in group]
    if lacking:
        raise ValueError(f"make_optimizer: groups {lacking} are not a dict with 'params'; give "
                         "each group its pattern and options, e.g. {'params': 'layers.0', "
                         "'lr': 0.01}")
    parts = [(group["params"], build(**options | {key: value for key, value in group.items()
                                                   if key != "params"})) for group in groups]
    return optim.Groups(parts, rest=build(**options))

# ----------------------------------------------------------------------------- metrics


METRICS = metrics.METRICS
"""The metrics of :mod:`mlkit.metrics` by name (``accuracy``, ``f1_macro``, ``r2``, ...)."""


class Monitor(NamedTuple):
    """A number a run can watch: whether lower or higher is better, and the task it needs
    (None: any)."""

    mode: str
    task: str | None


MONITORS: dict[str, Monitor] = {
    "train_loss": Monitor("min", None), "val_loss": Monitor("min", None),
    **{f"val_{name}": Monitor(metric.mode, metric.task) for name, metric in METRICS.items()},
}
"""The losses and the validation value of every metric (``val_<name>``)."""
MetricName = Literal[tuple(METRICS)]
"""The names of :data:`METRICS`, as a type."""
MonitorName = Literal[tuple(MONITORS)]
"""The names of :data:`MONITORS`, as a type."""

# ----------------------------------------------------------------------------- schedules
# A run's schedule steps once per epoch, or per batch (schedule.interval). The builder supplies
# ``epochs`` (training.epochs) and ``steps_per_epoch`` (1, or the batches of an epoch under
# schedule.interval: batch): a duration named in epochs (warmup_epochs) counts epochs either
# way, one named in steps (t_max, step_size, total_steps) counts the schedule's steps.


def no_schedule(optimizer, epochs):
    """Constant learning rate."""
    return None


@checked
def cosine(optimizer, epochs, steps_per_epoch, t_max: PositiveInt | None = None, **options):
    """Cosine annealing from lr down to eta_min over t_max steps.

    Parameters
    ----------
    t_max : int or None
        Steps of one half cosine; null means the whole run (training.epochs, times the
        batches per epoch under schedule.interval: batch).
    """
    return optim.CosineAnnealingLR(optimizer, t_max or epochs * steps_per_epoch, **options)


@checked
def linear_warmup(optimizer, steps_per_epoch, warmup_epochs: PositiveInt = 5, **options):
    """Raise the rate linearly from start_factor * lr to lr, then hold it.

    Parameters
    ----------
    warmup_epochs : int
        Length of the warmup, in epochs (of every batch's step under schedule.interval: batch).
    """
    return optim.LinearWarmup(optimizer, warmup_epochs * steps_per_epoch, **options)


@checked
def warmup_cosine(optimizer, epochs, steps_per_epoch, warmup_epochs: PositiveInt = 5,
                  t_max: PositiveInt | None = None, **options):
    """Linear warmup, then cosine annealing to eta_min by the end of t_max steps.

    Parameters
    ----------
    warmup_epochs : int
        Length of the warmup, in epochs (of every batch's step under schedule.interval: batch).
    t_max : int or None
        Total steps, warmup included; null means the whole run (training.epochs, times the
        batches per epoch under schedule.interval: batch).
    """
    warm, anneal = _split(options, optim.LinearWarmup)
    warmup = warmup_epochs * steps_per_epoch
    total = t_max or epochs * steps_per_epoch
    return optim.SequentialLR(
        optimizer, [optim.LinearWarmup(optimizer, warmup, **warm),
                    optim.CosineAnnealingLR(optimizer, total - warmup, **anneal)],
        milestones=[warmup])


@checked
def onecycle(optimizer, epochs, steps_per_epoch, total_steps: PositiveInt | None = None,
             **options):
    """1cycle: rise to max_lr, then anneal far below the starting rate, over the whole run.

    Parameters
    ----------
    total_steps : int or None
        Length of the cycle in steps; null means the whole run (training.epochs times the
        batches per epoch under schedule.interval: batch).
    """
    if total_steps is None:
        return optim.OneCycleLR(optimizer, epochs=epochs, steps_per_epoch=steps_per_epoch,
                                **options)
    return optim.OneCycleLR(optimizer, total_steps=total_steps, **options)


@checked
def plateau(optimizer, epochs, monitor: MonitorName = "val_loss", **options):
    """Multiply the rate by factor when the monitored metric stops improving.

    Parameters
    ----------
    monitor : str
        Metric watched.
    """
    return optim.ReduceLROnPlateau(optimizer, **options)


SCHEDULES: dict[str, Component] = {
    "none": Component("schedule", no_schedule),
    "step": Component("schedule", optim.StepLR),
    "multistep": Component("schedule", optim.MultiStepLR),
    "exponential": Component("schedule", optim.ExponentialLR),
    "cosine": Component("schedule", cosine, (optim.CosineAnnealingLR,)),
    "cosine_restarts": Component("schedule", optim.CosineAnnealingWarmRestarts),
    "warmup_cosine": Component("schedule", warmup_cosine,
                               (optim.LinearWarmup, optim.CosineAnnealingLR)),
    "linear_warmup": Component("schedule", linear_warmup, (optim.LinearWarmup,)),
    "onecycle": Component("schedule", onecycle, (optim.OneCycleLR,)),
    "plateau": Component("schedule", plateau, (optim.ReduceLROnPlateau,)),
    "linear": Component("schedule", optim.LinearLR),
    "constant": Component("schedule", optim.ConstantLR),
    "polynomial": Component("schedule", optim.PolynomialLR),
    "cyclic": Component("schedule", optim.CyclicLR, python_only=("scale_fn", "scale_mode")),
}

PYTHON_ONLY: dict[str, dict[str, type]] = {
    "schedule": {"lambda": optim.LambdaLR, "multiplicative": optim.MultiplicativeLR},
}
"""Per kind, the components a config cannot name: each takes a Python function."""


def make_schedule(name: str, optimizer, epochs: int, steps_per_epoch: int = 1, **options):
    """Schedule ``name`` over ``optimizer`` for a run of ``epochs`` epochs, stepped
    ``steps_per_epoch`` times in each (1: once per epoch); None for ``"none"``."""
    build = _lookup(SCHEDULES, "schedule", name).build
    supplied = {"epochs": epochs, "steps_per_epoch": steps_per_epoch}
    parameters = inspect.signature(build).parameters
    options.update({key: value for key, value in supplied.items() if key in parameters})
    return build(optimizer, **options)
