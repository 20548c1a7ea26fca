"""The one training loop: epochs of shuffled mini-batches (or full-batch L-BFGS steps),
evaluation once per epoch, callbacks, and an exact, resumable state.

The CLI, the scikit-learn estimators and the sweeps all train through :func:`fit`. Its
per-batch path is only: slice the rows, ``value_and_grad``, optional clipping, one optimizer
step. Everything else (evaluation, schedules, checkpoints, progress) runs once per epoch.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from mlkit.data import minibatches
from mlkit.nn import value_and_grad as model_value_and_grad
from mlkit.optim import LBFGS
from mlkit.optim import clip_grad_norm as clip_by_norm
from mlkit.optim import clip_grad_value as clip_by_value
from mlkit.train.callbacks import ScheduleStep
from mlkit.train.checkpoint import (
    CheckpointError,
    join_prefix,
    rng_from_array,
    rng_to_array,
    split_prefix,
)
from mlkit.train.history import History
from mlkit.tree import tree_leaves

__all__ = ["LoopState", "TrainingDiverged", "TrainingInterrupted", "fit"]

REMEDY = ("lower the learning rate, clip the gradients (clip_grad_norm), or check that the "
          "inputs are scaled (standardized)")


class TrainingDiverged(FloatingPointError):
    """The loss or the parameters became nan or infinite; the message names where."""

    def __init__(self, epoch: int, step: int, steps: int, what: str):
        self.epoch, self.step, self.steps = epoch, step, steps
        super().__init__(f"training diverged: {what} at epoch {epoch}, step {step} of {steps}; "
                         f"training stopped. To fix it, {REMEDY}.")


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; ``completed`` epochs were finished before it."""

    def __init__(self, epoch: int, completed: int):
        self.epoch, self.completed = epoch, completed
        super().__init__(f"training interrupted during epoch {epoch}; {completed} epoch(s) "
                         "were completed")


@dataclass
class LoopState:
    """Everything the loop advances, as seen by callbacks; :meth:`arrays` checkpoints it."""

    model: object
    optimizer: object
    schedule: object
    rng: np.random.Generator
    epochs: int
    steps_per_epoch: int
    callbacks: list = field(default_factory=list)
    history: History = field(default_factory=History)
    epoch: int = 0
    """Epochs completed."""
    step: int = 0
    """Optimizer steps taken."""
    stop: bool = False
    """Set by a callback to end training after the current epoch."""

    def arrays(self) -> dict[str, np.ndarray]:
        """The whole state as a flat dict of arrays: restoring it continues bit for bit."""
        out = join_prefix("model", self.model.state_dict())
        out.update(join_prefix("optimizer", self.optimizer.state_dict()))
        if self.schedule is not None:
            out.update(join_prefix("schedule", self.schedule.state_dict()))
        for callback in self.callbacks:
            out.update(join_prefix(f"callbacks.{callback.name}", callback.state_dict()))
        out.update(join_prefix("history", self.history.to_arrays()))
        out["loop.epoch"] = np.array(self.epoch, dtype=np.int64)
        out["loop.step"] = np.array(self.step, dtype=np.int64)
        out["loop.stop_reason"] = np.array(self.history.stop_reason)
        out["rng.loop"] = rng_to_array(self.rng)
        for name, generator in _model_generators(self.model).items():
            out[f"rng.model.{name}"] = rng_to_array(generator)
        return out

    def restore(self, arrays: dict) -> None:
        """Load :meth:`arrays` output back into the model, optimizer, schedule and callbacks."""
        missing = [key for key in ("loop.epoch", "loop.step", "rng.loop") if key not in arrays]
        if missing:
            raise CheckpointError(f"not a training checkpoint: it lacks {missing}; resume "
                                  "from a last.npz written by mlkit's training loop")
        try:
            self.model.load_state_dict(split_prefix(arrays, "model"))
            self.optimizer.load_state_dict(split_prefix(arrays, "optimizer"))
            if self.schedule is not None:
                self.schedule.load_state_dict(split_prefix(arrays, "schedule"))
            for callback in self.callbacks:
                callback.load_state_dict(split_prefix(arrays, f"callbacks.{callback.name}"))
        except (KeyError, ValueError, TypeError) as error:
            raise CheckpointError(f"the checkpoint does not match this model and optimizer: "
                                  f"{error}") from None
        rng_from_array(self.rng, arrays["rng.loop"])
        for name, generator in _model_generators(self.model).items():
            if f"rng.model.{name}" in arrays:
                rng_from_array(generator, arrays[f"rng.model.{name}"])
        reason = str(arrays.get("loop.stop_reason", np.array("completed"))[()])
        self.history = History.from_arrays(split_prefix(arrays, "history"), reason)
        self.epoch = int(arrays["loop.epoch"])
        self.step = int(arrays["loop.step"])


def _model_generators(model) -> dict[str, np.random.Generator]:
    """Random generators held by the model's modules (dropout), by dotted attribute path."""
    found = {}
    named = getattr(model, "named_modules", None)
    for path, module in (named() if named else []):
        for name, value in vars(module).items():
            if isinstance(value, np.random.Generator):
                found[f"{path}.{name}" if path else name] = value
    return found


def fit(model, loss_fn, optimizer, X, y, *, sample_weight=None, validation=None, epochs=100,
        batch_size="full", seed=0, shuffle=True, last_batch="keep", schedule=None,
        schedule_monitor="val_loss", clip_grad_norm=None, clip_grad_value=None, evaluate=None,
        eval_every=1, callbacks=(), resume=None) -> History:
    """Train ``model`` on ``(X, y)`` and return the per-epoch :class:`History`.

    Parameters
    ----------
    model : Module
        Trained in place (anything with ``trainable_parameters``/``update``/``state_dict``).
    loss_fn : callable
        ``loss_fn(model, X, y, sample_weight) -> scalar``: the training objective on a batch,
        penalties included; ``sample_weight`` is the batch's weights or None.
    optimizer : Optimizer or LBFGS
        A first-order optimizer steps once per batch; :class:`mlkit.optim.LBFGS` takes one
        full-batch ``step`` per epoch (``batch_size`` must then be ``"full"``).
    X, y : ndarray
        Training rows; ``y`` as the loss expects it (class indices or targets).
    sample_weight : ndarray of shape (n,), optional
        Per-row weights handed to ``loss_fn`` with each batch.
    validation : tuple (X_val, y_val), optional
        Evaluated every ``eval_every`` epochs (and at the last epoch).
    epochs : int
        The epoch to train up to (counting epochs already completed when resuming).
    batch_size : int or "full"
        Rows per step; ``"full"`` (or any size >= n) takes whole-data steps.
    seed : int or numpy.random.Generator
        Source of the shuffling; the same seed gives the same run bit for bit.
    shuffle, last_batch
        As in :func:`mlkit.data.minibatches`.
    schedule : LRScheduler or ReduceLROnPlateau, optional
        Stepped once per epoch; a plateau schedule is given ``row[schedule_monitor]``.
    clip_grad_norm, clip_grad_value : float, optional
        Clip each batch's gradient by global norm, then by value.
    evaluate : callable, optional
        ``evaluate(model, X_val, y_val) -> {name: float}``, called in eval mode; the names
        appear as ``val_<name>``. Default: ``{"loss": loss_fn(model, X_val, y_val, None)}``.
    eval_every : int
        Epochs between evaluations.
    callbacks : sequence of Callback
        Run in order of their ``order`` attribute after each epoch (see
        :mod:`mlkit.train.callbacks`).
    resume : dict of arrays, optional
        A checkpoint written from :meth:`LoopState.arrays` (``last.npz``): training continues
        from its epoch exactly as if it had never stopped.

    Returns
    -------
    History
        One row per epoch: ``epoch, train_loss, val_*, lr, grad_norm, seconds`` (the mean
        batch loss over the epoch, the learning rate used, the global gradient norm of the
        epoch's last step, wall time of training and evaluation).

    Raises
    ------
    TrainingDiverged
        When the loss or the parameters become nan or infinite (nothing of that epoch is
        checkpointed).
    TrainingInterrupted
        On Ctrl-C, after the callbacks have saved what they save.
    """
    full_batch = isinstance(optimizer, LBFGS)
    n = len(X)
    if full_batch and batch_size != "full" and batch_size < n:
        raise ValueError(f"LBFGS takes whole-data steps, but batch_size={batch_size}; use "
                         "batch_size='full'")
    if full_batch and (clip_grad_norm or clip_grad_value):
        raise ValueError("gradient clipping cannot be combined with LBFGS (its line search "
                         "needs the true gradient); remove clip_grad_norm/clip_grad_value")
    if batch_size == "full" or batch_size >= n:
        batch_size = None
    steps = 1 if batch_size is None else len(_batch_plan(n, batch_size, last_batch))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    hooks = list(callbacks)
    if schedule is not None:
        hooks.append(ScheduleStep(schedule, schedule_monitor))
    hooks.sort(key=lambda callback: callback.order)
    state = LoopState(model, optimizer, schedule, rng, int(epochs), steps, hooks)
    if resume is not None:
        state.restore(resume)
    if evaluate is None:
        def evaluate(model, X_val, y_val):
            return {"loss": float(loss_fn(model, X_val, y_val, None))}

    step_fn = model_value_and_grad(model, lambda xb, yb, wb: loss_fn(model, xb, yb, wb))
    trainer = _Epoch(model, step_fn, optimizer, X, y, sample_weight, batch_size, shuffle,
                     last_batch, clip_grad_norm, clip_grad_value, full_batch)
    state.stop = False
    reason = "completed"
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for callback in hooks:
                callback.on_train_begin(state)
            while not state.stop and state.epoch < state.epochs:
                epoch = state.epoch + 1
                start = time.perf_counter()
                lr = float(optimizer.lr)
                _set_mode(model, training=True)
                train_loss, grad_norm = trainer.run(state, epoch)
                row = {"epoch": epoch, "train_loss": train_loss}
                if validation is not None and (epoch % eval_every == 0 or epoch == state.epochs):
                    _set_mode(model, training=False)
                    metrics = evaluate(model, *validation)
                    _set_mode(model, training=True)
                    row.update({f"val_{name}": float(value) for name, value in metrics.items()})
                row.update(lr=lr, grad_norm=grad_norm, seconds=time.perf_counter() - start)
                state.epoch = epoch
                state.history.rows.append(row)
                state.history.stop_reason = "completed" if epoch == state.epochs else "running"
                for callback in hooks:
                    callback.on_epoch_end(state, row)
            if state.stop and state.history.stop_reason == "running":
                state.history.stop_reason = "stopped"
            reason = state.history.stop_reason
    except TrainingDiverged:
        reason = "diverged"
        raise
    except KeyboardInterrupt:
        reason = "interrupted"
        raise TrainingInterrupted(state.epoch + 1, state.epoch) from None
    finally:
        _set_mode(model, training=False)
        for callback in hooks:
            callback.on_train_end(state, reason)
    return state.history


def _set_mode(model, training: bool) -> None:
    switch = getattr(model, "train", None)
    if switch is not None:
        switch(training)


def _batch_plan(n, batch_size, last_batch):
    """The batch index arrays of one unshuffled epoch (to count steps)."""
    return list(minibatches(n, batch_size, None, shuffle=False, last_batch=last_batch))


class _Epoch:
    """One pass over the training rows; the hot loop of the whole package."""

    def __init__(self, model, step_fn, optimizer, X, y, weight, batch_size, shuffle, last_batch,
                 max_norm, max_value, full_batch):
        self.model, self.step_fn, self.optimizer = model, step_fn, optimizer
        self.X, self.y, self.weight = X, y, weight
        self.batch_size, self.shuffle, self.last_batch = batch_size, shuffle, last_batch
        self.max_norm, self.max_value = max_norm, max_value
        self.full_batch = full_batch

    def run(self, state: LoopState, epoch: int) -> tuple[float, float]:
        """Train one epoch; returns the mean batch loss and the last step's gradient norm."""
        if self.full_batch:
            loss, grads = self._lbfgs_step()
            state.step += 1
            self._check(state, epoch, 1, loss)
            return loss, _global_norm(grads)
        model, step_fn, optimizer = self.model, self.step_fn, self.optimizer
        X, y, weight = self.X, self.y, self.weight
        max_norm, max_value = self.max_norm, self.max_value
        if self.batch_size is None:
            batches = (None,)
        else:
            batches = minibatches(len(X), self.batch_size, state.rng, self.shuffle,
                                  self.last_batch)
        total = 0.0
        seen = 0
        grads = None
        for index, rows in enumerate(batches, 1):
            if rows is None:
                xb, yb, wb = X, y, weight
            else:
                xb, yb = X[rows], y[rows]
                wb = None if weight is None else weight[rows]
            loss, grads = step_fn(xb, yb, wb)
            loss = float(loss)
            if not math.isfinite(loss):
                raise TrainingDiverged(epoch, index, state.steps_per_epoch, f"the loss became "
                                       f"{loss}")
            if max_norm is not None:
                grads = clip_by_norm(grads, max_norm)[0]
            if max_value is not None:
                grads = clip_by_value(grads, max_value)
            model.update(optimizer.step(model.trainable_parameters(), grads))
            state.step += 1
            count = len(xb)
            total += loss * count
            seen += count
        self._check(state, epoch, state.steps_per_epoch, total / seen)
        return total / seen, _global_norm(grads)

    def _lbfgs_step(self):
        model, step_fn = self.model, self.step_fn
        X, y, weight = self.X, self.y, self.weight
        last = {}

        def closure(params):
            model.update(params)
            loss, grads = step_fn(X, y, weight)
            last["grads"] = grads
            return loss, grads

        params, loss = self.optimizer.step(model.trainable_parameters(), closure)
        model.update(params)
        return float(loss), last["grads"]

    def _check(self, state, epoch, step, loss):
        """Raise TrainingDiverged if the loss or any parameter is not finite."""
        if not math.isfinite(loss):
            raise TrainingDiverged(epoch, step, state.steps_per_epoch, f"the loss became {loss}")
        for leaf in tree_leaves(self.model.trainable_parameters()):
            if not np.isfinite(leaf).all():
                raise TrainingDiverged(epoch, step, state.steps_per_epoch,
                                       "the parameters became nan or infinite")


def _global_norm(grads) -> float:
    """The L2 norm of all gradient entries together."""
    total = 0.0
    for leaf in tree_leaves(grads):
        if leaf is not None:
            flat = np.ravel(leaf)
            total += float(np.dot(flat, flat))
    return math.sqrt(total)

