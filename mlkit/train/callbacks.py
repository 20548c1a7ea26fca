"""Callbacks of the training loop: schedules, early stopping, checkpoints, a progress bar.

A callback sees the loop's state after every epoch (``on_epoch_end(state, row)``, with the
epoch's row of numbers) and may set ``state.stop``. Callbacks run in increasing ``order``:
the schedule first, then early stopping, then checkpoints (which save what the others
decided), then the progress bar. Whatever a callback needs to resume exactly goes in its
``state_dict`` (arrays only), which the checkpoint stores as ``callbacks.<name>.*``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Literal

import numpy as np
from tqdm import tqdm

from mlkit.optim import ReduceLROnPlateau
from mlkit.options import NonNegativeFloat, NonNegativeInt, checked
from mlkit.train.checkpoint import CheckpointError, join_prefix, save_arrays, split_prefix

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "ProgressBar", "ScheduleStep"]

Mode = Literal["min", "max"]


class Callback:
    """Base class: every hook does nothing; subclasses override the ones they need."""

    name = "callback"
    order = 50

    def on_train_begin(self, state) -> None:
        """Before the first epoch (also when resuming)."""

    def on_epoch_end(self, state, row: dict) -> None:
        """After each epoch, with its row (``epoch, train_loss, val_*, lr, ...``)."""

    def on_train_end(self, state, reason: str) -> None:
        """Always, last: ``reason`` is the history's ``stop_reason`` (completed, early_stopping,
        converged, stalled, stopped) or diverged or interrupted."""

    def state_dict(self) -> dict:
        """What this callback needs to resume, as ``{name: array}``."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict` output."""


def _improves(value: float, best: float, mode: str, min_delta: float = 0.0) -> bool:
    if mode == "min":
        return value < best - min_delta
    return value > best + min_delta


def _monitored(row: dict, monitor: str, owner: str):
    """``row[monitor]``, or None when this epoch had no evaluation; error for unknown names."""
    if monitor in row:
        return row[monitor]
    evaluated = any(key.startswith("val_") for key in row)
    if not monitor.startswith("val_") or evaluated:
        available = [key for key in row if key not in ("epoch", "seconds")]
        raise ValueError(f"{owner}: monitor {monitor!r} is not measured; available: {available}")
    return None


class ScheduleStep(Callback):
    """Step a learning-rate schedule once per epoch; a plateau schedule gets ``row[monitor]``."""

    name = "schedule"
    order = 0

    def __init__(self, schedule, monitor: str = "val_loss"):
        self.schedule = schedule
        self.monitor = monitor

    def on_epoch_end(self, state, row):
        if isinstance(self.schedule, ReduceLROnPlateau):
            value = _monitored(row, self.monitor, "plateau schedule")
            if value is not None:
                self.schedule.step(value)
        else:
            self.schedule.step()


@checked
class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    evaluations; at the end, put the best weights back into the model.

    Parameters
    ----------
    monitor : str
        A column of the history row, e.g. ``val_loss`` or ``val_accuracy``.
    mode : {"min", "max"}
        Whether lower or higher is better.
    patience : int
        Evaluations without improvement before stopping (0: stop at the first one).
    min_delta : float
        Smallest change that counts as an improvement.
    restore_best : bool
        Load the best epoch's weights into the model when training ends normally.
    """

    name = "early_stopping"
    order = 10

    def __init__(self, monitor: str = "val_loss", mode: Mode = "min",
                 patience: NonNegativeInt = 10, min_delta: NonNegativeFloat = 0.0,
                 restore_best: bool = True):
        self.monitor, self.mode, self.patience, self.min_delta = monitor, mode, patience, min_delta
        self.restore_best = restore_best
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.wait = 0
        self.weights: dict | None = None

    def on_train_begin(self, state):
        if self.best_epoch and self.wait >= self.patience:
            state.stop = True

    def on_epoch_end(self, state, row):
        value = _monitored(row, self.monitor, "early stopping")
        if value is None:
            return
        if _improves(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.wait = value, row["epoch"], 0
            self.weights = state.model.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience:
            state.stop = True
            state.history.stop_reason = "early_stopping"

    def on_train_end(self, state, reason):
        if self.restore_best and self.weights is not None and reason in (
                "completed", "early_stopping", "converged", "stalled"):
            state.model.load_state_dict(self.weights)

    def state_dict(self):
        return {"best": np.array(self.best), "best_epoch": np.array(self.best_epoch),
                "wait": np.array(self.wait), **join_prefix("weights", self.weights or {})}

    def load_state_dict(self, state):
        if not state:
            return
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.wait = int(state["wait"])
        weights = split_prefix(state, "weights")
        self.weights = {name: np.array(value) for name, value in weights.items()} or None


@checked
class ModelCheckpoint(Callback):
    """Save the best model (``model.npz``) and the full training state every epoch
    (``last.npz``) into ``directory``, both written atomically.

    ``model.npz`` holds the model's ``state_dict`` at the best value of ``monitor`` (the last
    epoch when the monitor is never measured); ``last.npz`` holds everything
    :func:`mlkit.train.fit` needs to resume bit for bit, and is written once before the first
    epoch so that even an early Ctrl-C leaves a resumable run.
    """

    name = "checkpoint"
    order = 90

    def __init__(self, directory, monitor: str = "val_loss", mode: Mode = "min",
                 best_name="model.npz", last_name="last.npz"):
        self.directory = Path(directory)
        self.monitor, self.mode = monitor, mode
        self.best_path = self.directory / best_name
        self.last_path = self.directory / last_name
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.saved_epoch = 0

    def on_train_begin(self, state):
        if state.epoch == 0:
            self._save_last(state)

    def on_epoch_end(self, state, row):
        value = _monitored(row, self.monitor, "checkpoint")
        if value is not None and _improves(value, self.best, self.mode):
            self.best, self.best_epoch = value, row["epoch"]
            save_arrays(self.best_path, state.model.state_dict())
        self._save_last(state)

    def on_train_end(self, state, reason):
        if self.best_epoch == 0 and state.epoch and reason in (
                "completed", "early_stopping", "converged", "stalled"):
            save_arrays(self.best_path, state.model.state_dict())
            self.best_epoch = state.epoch

    def _save_last(self, state):
        save_arrays(self.last_path, state.arrays())
        self.saved_epoch = state.epoch

    def state_dict(self):
        return {"best": np.array(self.best), "best_epoch": np.array(self.best_epoch)}

    def load_state_dict(self, state):
        if state:
            self.best = float(state["best"])
            self.best_epoch = int(state["best_epoch"])
        if self.best_epoch and not self.best_path.is_file():
            raise CheckpointError(f"{self.best_path} is missing, though the checkpoint says the "
                                  f"best epoch was {self.best_epoch}")


class ProgressBar(Callback):
    """A tqdm bar over epochs showing the loss, one validation metric and the learning rate.

    Parameters
    ----------
    metric : str, optional
        The validation column shown beside the loss (e.g. ``val_accuracy``).
    enabled : bool, optional
        Default: only when the output stream is a terminal.
    file : stream
        Where the bar is drawn (default ``sys.stderr``).
    """

    name = "progress"
    order = 100

    def __init__(self, metric=None, enabled=None, file=None, description="train"):
        self.metric = metric
        self.file = file if file is not None else sys.stderr
        self.enabled = self.file.isatty() if enabled is None else enabled
        self.description = description
        self.bar = None

    def on_train_begin(self, state):
        self.bar = tqdm(total=state.epochs, initial=state.epoch, unit="epoch",
                        desc=self.description, file=self.file, disable=not self.enabled,
                        dynamic_ncols=True, leave=True)

    def on_epoch_end(self, state, row):
        if self.bar is None:
            return
        postfix = {"loss": f"{row['train_loss']:.4g}"}
        if "val_loss" in row:
            postfix["val_loss"] = f"{row['val_loss']:.4g}"
        if self.metric and self.metric in row and self.metric != "val_loss":
            postfix[self.metric] = f"{row[self.metric]:.4g}"
        postfix.update({key: f"{value:.3g}" for key, value in row.items()
                        if key == "lr" or key.startswith("lr.")})  # lr.<i>: each group's
        self.bar.set_postfix(postfix, refresh=False)
        self.bar.update(1)

    def on_train_end(self, state, reason):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
