"""The optimizer and learning-rate schedule sections of a config, discriminated unions on `name`.

Each name accepts only its own options, so ``{name: adam, momentum: 0.9}`` is an error.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .errors import Problem
from .fields import (
    Betas,
    Float,
    Fraction,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    Section,
    conflicts,
    mode_problems,
    with_mode,
)
from .tables import MonitorName

# ----------------------------------------------------------------------------- optimizer
# Option names and defaults follow PyTorch's torch.optim, so its documentation applies.


class Sgd(Section):
    """Stochastic gradient descent with optional (Nesterov) momentum."""

    name: Literal["sgd"]
    lr: PositiveFloat = 1e-3
    """Learning rate."""
    momentum: NonNegativeFloat = 0.0
    """Momentum factor; 0 is plain SGD."""
    dampening: NonNegativeFloat = 0.0
    """Dampening of the momentum's gradient term."""
    nesterov: bool = False
    """Nesterov momentum; needs momentum > 0 and dampening 0."""
    weight_decay: NonNegativeFloat = 0.0
    """L2 penalty added to the gradient (on every parameter, unlike loss.l2)."""
    maximize: bool = False
    """Maximize the objective instead of minimizing it."""

    @model_validator(mode="after")
    def _nesterov_needs_momentum(self) -> Sgd:
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            conflicts([Problem("nesterov", "needs momentum > 0 and dampening 0, but momentum is "
                               f"{self.momentum} and dampening {self.dampening}", True,
                               "set momentum (e.g. 0.9) and dampening: 0, or nesterov: false")])
        return self


class Adam(Section):
    """Adam (bias-corrected), optionally AMSGrad."""

    name: Literal["adam"]
    lr: PositiveFloat = 1e-3
    """Learning rate."""
    betas: Betas = [0.9, 0.999]  # noqa: RUF012 (pydantic copies defaults)
    """Decay rates of the first and second moment estimates, each in [0, 1)."""
    eps: NonNegativeFloat = 1e-8
    """Added to the denominator for numerical stability."""
    weight_decay: NonNegativeFloat = 0.0
    """L2 penalty added to the gradient (coupled, as in PyTorch's Adam)."""
    amsgrad: bool = False
    """Use the running maximum of the second moment (AMSGrad)."""
    maximize: bool = False
    """Maximize the objective instead of minimizing it."""


class AdamW(Adam):
    """Adam with decoupled weight decay."""

    name: Literal["adamw"]
    weight_decay: NonNegativeFloat = 1e-2
    """Decoupled decay: parameters shrink by lr * weight_decay each step."""


class RmsProp(Section):
    """RMSprop, optionally centered and with momentum."""

    name: Literal["rmsprop"]
    lr: PositiveFloat = 1e-2
    """Learning rate."""
    alpha: Fraction = 0.99
    """Smoothing constant of the squared-gradient average."""
    eps: NonNegativeFloat = 1e-8
    """Added to the denominator for numerical stability."""
    weight_decay: NonNegativeFloat = 0.0
    """L2 penalty added to the gradient."""
    momentum: NonNegativeFloat = 0.0
    """Momentum factor."""
    centered: bool = False
    """Normalize by the gradient's estimated variance instead of its second moment."""
    maximize: bool = False
    """Maximize the objective instead of minimizing it."""


class Adagrad(Section):
    """Adagrad: per-parameter rates shrinking with the accumulated squared gradients."""

    name: Literal["adagrad"]
    lr: PositiveFloat = 1e-2
    """Learning rate."""
    lr_decay: NonNegativeFloat = 0.0
    """The rate at step t is lr / (1 + (t - 1) * lr_decay)."""
    weight_decay: NonNegativeFloat = 0.0
    """L2 penalty added to the gradient."""
    initial_accumulator_value: NonNegativeFloat = 0.0
    """Starting value of the squared-gradient sums."""
    eps: NonNegativeFloat = 1e-10
    """Added to the denominator for numerical stability."""
    maximize: bool = False
    """Maximize the objective instead of minimizing it."""


class Lbfgs(Section):
    """L-BFGS, a quasi-Newton method; one optimizer step per epoch on the full training set."""

    name: Literal["lbfgs"]
    lr: PositiveFloat = 1.0
    """Step length scale."""
    max_iter: PositiveInt = 20
    """Iterations per optimizer step."""
    max_eval: PositiveInt | None = None
    """Function evaluations per step; null means max_iter * 5 / 4."""
    tolerance_grad: NonNegativeFloat = 1e-7
    """Stop a step when the gradient's largest entry falls below this."""
    tolerance_change: NonNegativeFloat = 1e-9
    """Stop a step when the loss or parameters change less than this."""
    history_size: PositiveInt = 100
    """Number of past updates kept to approximate the inverse Hessian."""
    line_search_fn: Literal["strong_wolfe"] | None = None
    """null (fixed step lr) or strong_wolfe."""


Optimizer = Annotated[Sgd | Adam | AdamW | RmsProp | Adagrad | Lbfgs,
                      Field(discriminator="name")]

# ----------------------------------------------------------------------------- schedule
# Learning-rate schedules; every duration is counted in epochs.


class NoSchedule(Section):
    """Constant learning rate."""

    name: Literal["none"]


class StepSchedule(Section):
    """Multiply the rate by gamma every step_size epochs."""

    name: Literal["step"]
    step_size: PositiveInt
    """Epochs between decays."""
    gamma: PositiveFloat = 0.1
    """Decay factor."""


class MultiStepSchedule(Section):
    """Multiply the rate by gamma at each listed epoch."""

    name: Literal["multistep"]
    milestones: Annotated[list[PositiveInt], Field(min_length=1)]
    """Epochs at which to decay, increasing."""
    gamma: PositiveFloat = 0.1
    """Decay factor."""

    @model_validator(mode="after")
    def _increasing(self) -> MultiStepSchedule:
        if any(a >= b for a, b in zip(self.milestones, self.milestones[1:])):
            conflicts([Problem("milestones", "must be strictly increasing", self.milestones)])
        return self


class ExponentialSchedule(Section):
    """Multiply the rate by gamma every epoch."""

    name: Literal["exponential"]
    gamma: PositiveFloat
    """Decay factor per epoch, e.g. 0.95."""


class CosineSchedule(Section):
    """Cosine annealing from lr down to eta_min over t_max epochs."""

    name: Literal["cosine"]
    t_max: PositiveInt | None = None
    """Epochs of one half cosine; null means training.epochs."""
    eta_min: NonNegativeFloat = 0.0
    """Lowest learning rate."""


class LinearWarmup(Section):
    """Raise the rate linearly from start_factor * lr to lr, then hold it."""

    name: Literal["linear_warmup"]
    warmup_epochs: PositiveInt = 5
    """Length of the warmup."""
    start_factor: Annotated[Float, Field(gt=0, le=1)] = 0.1
    """Fraction of lr at the first epoch."""


class WarmupCosine(Section):
    """Linear warmup, then cosine annealing to eta_min by the end of t_max epochs."""

    name: Literal["warmup_cosine"]
    warmup_epochs: PositiveInt = 5
    """Length of the warmup."""
    start_factor: Annotated[Float, Field(gt=0, le=1)] = 0.1
    """Fraction of lr at the first epoch."""
    t_max: PositiveInt | None = None
    """Total epochs, warmup included; null means training.epochs."""
    eta_min: NonNegativeFloat = 0.0
    """Lowest learning rate."""


class OneCycle(Section):
    """1cycle: rise to max_lr, then anneal far below the starting rate (PyTorch's OneCycleLR)."""

    name: Literal["onecycle"]
    max_lr: PositiveFloat | None = None
    """Peak learning rate; null means optimizer.lr."""
    pct_start: Annotated[Float, Field(gt=0, lt=1)] = 0.3
    """Fraction of training spent rising."""
    anneal_strategy: Literal["cos", "linear"] = "cos"
    """Shape of the rise and fall."""
    div_factor: PositiveFloat = 25.0
    """The starting rate is max_lr / div_factor."""
    final_div_factor: PositiveFloat = 1e4
    """The final rate is the starting rate / final_div_factor."""
    three_phase: bool = False
    """Fall back to the starting rate before the final annealing."""


class PlateauSchedule(Section):
    """Multiply the rate by factor when the monitored metric stops improving."""

    name: Literal["plateau"]
    monitor: MonitorName = "val_loss"
    """Metric watched."""
    mode: Literal["min", "max"] = "min"
    """Whether lower or higher is better; defaults from the monitor."""
    factor: Annotated[Float, Field(gt=0, lt=1)] = 0.1
    """Decay factor."""
    patience: NonNegativeInt = 10
    """Evaluations without improvement before decaying."""
    threshold: NonNegativeFloat = 1e-4
    """Smallest change counted as an improvement."""
    threshold_mode: Literal["rel", "abs"] = "rel"
    """Whether threshold is relative to the best value or absolute."""
    cooldown: NonNegativeInt = 0
    """Evaluations to wait after a decay before watching again."""
    min_lr: NonNegativeFloat = 0.0
    """The rate never goes below this."""
    eps: NonNegativeFloat = 1e-8
    """Decays smaller than this are skipped."""

    _default_mode = model_validator(mode="before")(with_mode)

    @model_validator(mode="after")
    def _mode_agrees(self) -> PlateauSchedule:
        conflicts(mode_problems(self.monitor, self.mode))
        return self


Schedule = Annotated[
    NoSchedule | StepSchedule | MultiStepSchedule | ExponentialSchedule | CosineSchedule
    | LinearWarmup | WarmupCosine | OneCycle | PlateauSchedule,
    Field(discriminator="name"),
]
