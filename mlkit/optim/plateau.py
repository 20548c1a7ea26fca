"""Reduce the learning rate when a monitored metric stops improving."""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np

from mlkit.optim import validation
from mlkit.optim.group_values import group_count, group_values
from mlkit.options import (
    NonNegativeFloat,
    NonNegativeInt,
    OptionConflict,
    Range,
    checked,
    per_group,
)


@checked
class ReduceLROnPlateau:
    """Divide the learning rate when a metric has stopped improving.

    ``step(metric)`` counts steps without improvement; a metric improves when it beats the bar
    ``best * (1 - threshold)`` (relative mode; ``1 + threshold`` when ``mode="max"``) or
    ``best - threshold`` (absolute mode; ``+`` when ``mode="max"``). After more than
    ``patience`` such steps the rate becomes ``max(lr * factor, min_lr)`` (unless that changes
    it by ``eps`` or less), then ``cooldown`` steps pass before counting resumes. Over
    :class:`~mlkit.optim.Groups`, each group's rate is reduced so, with the one ``min_lr`` or
    its own (as PyTorch's).

    Parameters
    ----------
    mode : {"min", "max"}
        Whether lower or higher is better.
    factor : float
        Decay factor, in ``(0, 1)``.
    patience : int
        Steps without improvement before decaying.
    threshold : float
        Smallest change counted as an improvement.
    threshold_mode : {"rel", "abs"}
        Whether ``threshold`` is relative to the best value or absolute.
    cooldown : int
        Steps to wait after a decay before counting again.
    min_lr : float or list of float
        The rate never goes below this: one floor for every group, or a list of one per group
        (over Groups, ``rest`` last).
    eps : float
        Decays smaller than this are skipped.
    """

    def __init__(self, optimizer, mode: Literal["min", "max"] = "min",
                 factor: Annotated[float, Range(gt=0, lt=1)] = 0.1, patience: NonNegativeInt = 10,
                 threshold: NonNegativeFloat = 1e-4, threshold_mode: Literal["rel", "abs"] = "rel",
                 cooldown: NonNegativeInt = 0, min_lr: per_group(NonNegativeFloat) = 0.0,
                 eps: NonNegativeFloat = 1e-8):
        self.optimizer, self.mode, self.factor, self.patience = optimizer, mode, factor, patience
        self.threshold, self.threshold_mode, self.cooldown = threshold, threshold_mode, cooldown
        self.min_lr, self.eps = min_lr, eps
        self._floors = group_values("ReduceLROnPlateau", "min_lr", min_lr, group_count(optimizer))
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = float(optimizer.lr)

    @staticmethod
    def check_interval(interval: str) -> None:
        """Stepped on an epoch's score, it cannot step every batch: an OptionConflict at the
        loop's ``schedule_interval`` (the one statement of the rule, for fit and configs)."""
        if interval == "batch":
            raise OptionConflict("ReduceLROnPlateau", "schedule_interval", "is not possible: "
                                 "plateau steps on an epoch's validation score, so it cannot "
                                 "step every batch", interval, "use 'epoch', or another schedule")

    def step(self, metric) -> None:
        """Record one value of the monitored metric and reduce the rate if it has stalled."""
        current = float(metric)
        self.last_epoch += 1
        if self._improves(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            olds = getattr(self.optimizer, "lrs", None)
            news = [self._reduced(float(old), floor)
                    for old, floor in zip(olds or [self.optimizer.lr], self._floors)]
            if olds is None:
                self.optimizer.lr = news[0]
            else:
                self.optimizer.lrs = news
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = float(self.optimizer.lr)

    def _reduced(self, old: float, floor: float) -> float:
        new = max(old * self.factor, floor)
        return new if old - new > self.eps else old

    def get_last_lr(self) -> float:
        """The optimizer's learning rate after the last step."""
        return self._last_lr

    def state_dict(self) -> dict:
        """Counters, best metric and last rate as arrays."""
        return {
            "last_epoch": np.array(self.last_epoch, dtype=np.int64),
            "best": np.array(self.best, dtype=np.float64),
            "num_bad_epochs": np.array(self.num_bad_epochs, dtype=np.int64),
            "cooldown_counter": np.array(self.cooldown_counter, dtype=np.int64),
            "last_lr": np.array(self._last_lr, dtype=np.float64),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict` and set the optimizer's learning rate to match."""
        arrays = validation.state_arrays("ReduceLROnPlateau", state, self.state_dict())
        self.last_epoch = int(arrays["last_epoch"])
        self.best = float(arrays["best"])
        self.num_bad_epochs = int(arrays["num_bad_epochs"])
        self.cooldown_counter = int(arrays["cooldown_counter"])
        self._last_lr = float(arrays["last_lr"])
        if self.optimizer.lr != self._last_lr:  # groups' own rates come with their state
            self.optimizer.lr = self._last_lr

    def _improves(self, current):
        sign = -1.0 if self.mode == "min" else 1.0
        if self.threshold_mode == "rel":
            bar = self.best * (1.0 + sign * self.threshold)
        else:
            bar = self.best + sign * self.threshold
        return current < bar if self.mode == "min" else current > bar
