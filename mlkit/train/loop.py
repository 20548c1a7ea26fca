"""The one training loop: epochs of shuffled mini-batches (whole-data steps for a full-batch
optimizer), evaluation once per epoch, callbacks, and an exact, resumable state.

The CLI, the scikit-learn estimators, the sweeps and the landscapes all train through
:func:`fit`. Its per-batch path is only: slice the rows, one ``optimizer.descend`` whose
closure runs ``value_and_grad`` and the optional clipping. Everything else (evaluation,
schedules, checkpoints, progress) runs once per epoch.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from typing import Literal

import numpy as np

from mlkit.data import LastBatch, rows_per_step, steps_per_epoch
from mlkit.optim.validation import whole_data_conflicts
from mlkit.options import BatchSize, NonNegativeInt, PositiveFloat, PositiveInt, checked
from mlkit.train.blocks import BlockedStep
from mlkit.train.callbacks import ScheduleStep
from mlkit.train.epoch import TrainingDiverged, run_epoch
from mlkit.train.heads import validation_scores
from mlkit.train.history import History, learning_rates
from mlkit.train.profile import StepProfile
from mlkit.train.state import LoopState
from mlkit.train.step import training_step

__all__ = ["LoopState", "TrainingDiverged", "TrainingInterrupted", "fit"]

Seed = (NonNegativeInt | Sequence[NonNegativeInt] | np.random.Generator | np.random.SeedSequence
        | np.random.BitGenerator | None)
"""What numpy can seed a generator from; refused before training starts, not when first drawn."""


ScheduleInterval = Literal["epoch", "batch"]
"""When a schedule steps: after every epoch or after every batch."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; ``completed`` epochs were finished before it."""

    def __init__(self, epoch: int, completed: int):
        self.epoch, self.completed = epoch, completed
        super().__init__(f"training interrupted during epoch {epoch}; {completed} epoch(s) "
                         "were completed")


@checked
def fit(model, loss_fn, optimizer, X, y, *, sample_weight=None, validation=None,
        epochs: PositiveInt = 100, batch_size: BatchSize = "full",
        seed: Seed = 0, shuffle: bool = True,
        last_batch: LastBatch = "keep", schedule=None,
        schedule_interval: ScheduleInterval = "epoch", schedule_monitor="val_loss",
        clip_grad_norm: PositiveFloat | None = None,
        clip_grad_value: PositiveFloat | None = None, evaluate=None, eval_every: PositiveInt = 1,
        callbacks=(), resume=None, metrics=None, head=None, jit: bool = True,
        profile: bool = False, row_blocks=None) -> History:
    """Train ``model`` on ``(X, y)`` and return the per-epoch :class:`History`.

    Parameters
    ----------
    model : Module
        Trained in place (anything with ``trainable_parameters``/``update``/``state_dict``).
    loss_fn : callable
        ``loss_fn(model, X, y, sample_weight) -> scalar``: the training objective on a batch,
        penalties included; ``sample_weight`` is the batch's weights or None.
    optimizer : Optimizer or LBFGS
        Steps once per batch through ``optimizer.descend``; an optimizer with
        ``full_batch`` set (:class:`mlkit.optim.LBFGS`) needs ``batch_size="full"``.
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
    shuffle : bool
        Reshuffle the training rows every epoch.
    last_batch : {"keep", "drop", "merge"}
        A short final batch is kept, dropped, or merged into the one before.
    schedule : LRScheduler or ReduceLROnPlateau, optional
        Stepped once per ``schedule_interval``; a plateau schedule is given
        ``row[schedule_monitor]``.
    schedule_interval : {"epoch", "batch"}
        Step ``schedule`` after every epoch, or after every batch (as a one-cycle schedule
        expects: its ``total_steps`` is then epochs times batches per epoch).
    clip_grad_norm : float, optional
        Rescale each batch's gradient so its global L2 norm is at most this.
    clip_grad_value : float, optional
        Clamp every gradient entry to [-value, value] (after clip_grad_norm).
    evaluate : callable, optional
        ``evaluate(model, X_val, y_val) -> {name: float}``, called in eval mode; the names
        appear as ``val_<name>``. Default: ``{"loss": loss_fn(model, X_val, y_val, None)}``
        and the ``metrics``.
    metrics : sequence of str, optional
        Names of :data:`mlkit.metrics.METRICS` computed on the validation rows (``val_f1_macro``
        ...), which callbacks can monitor.
    head : Head or str, optional
        How ``metrics`` read the model's outputs: ``"binary"`` (one logit), ``"multiclass"``
        (class logits), ``"scores"`` (class scores of a margin loss, no probabilities) or
        ``"regression"``; default ``loss_fn.head``.
    eval_every : int
        Epochs between evaluations.
    callbacks : sequence of Callback
        Run in order of their ``order`` attribute after each epoch (see
        :mod:`mlkit.train.callbacks`).
    resume : dict of arrays, optional
        A checkpoint written from :meth:`LoopState.arrays` (``last.npz``): training continues
        from its epoch exactly as if it had never stopped.
    jit : bool
        Run each batch's loss, gradient and clipping as one :func:`mlkit.jit` program per batch
        shape (the same numbers as eagerly, without the tracer's overhead), for every
        optimizer, L-BFGS's objective included. The program is kept with the model, so a later
        ``fit`` of the same model, loss and clipping replays it. Either way the model's
        trainable arrays become views of one vector per dtype, which the optimizer steps in
        place.
    profile : bool
        Time each part of each step (tracing, the program's numpy calls by kind, optimizer,
        data slicing, Python overhead) into ``history.profile``, a
        :class:`~mlkit.train.profile.StepProfile`; training is the same.
    row_blocks : RowBlocks, optional
        Evaluate each whole-data step a block of rows at a time and sum the blocks (see
        :mod:`mlkit.train.blocks`): the same objective and gradient up to rounding, with a
        large ``X`` read from memory once per evaluation instead of twice. Needs whole-data
        steps and no clipping.

    Returns
    -------
    History
        One row per epoch: ``epoch, train_loss, val_*, lr, grad_norm, seconds`` (the mean
        batch loss over the epoch, or a full-batch optimizer's loss after its step; the
        learning rate used, with parameter groups ``lr.<i>`` after it for each group's; the
        global gradient norm of the epoch's last step, wall time of training and evaluation).
        A full-batch optimizer that meets its own tolerances ends training with
        ``stop_reason`` ``"converged"``; one whose step cannot move short of
        them (L-BFGS's line search found no decrease) with ``"stalled"``, its own ``reason``
        saying why.

    Raises
    ------
    TrainingDiverged
        When the loss or the parameters become nan or infinite (nothing of that epoch is
        checkpointed).
    TrainingInterrupted
        On Ctrl-C, after the callbacks have saved what they save.
    """
    n = len(X)
    name = type(optimizer).__name__
    batch_size = rows_per_step(n, batch_size)
    refused = optimizer.full_batch and whole_data_conflicts(name, batch_size, clip_grad_norm,
                                                            clip_grad_value)
    if refused:
        raise refused[0]
    if row_blocks is not None and (batch_size is not None or clip_grad_norm
                                   or clip_grad_value):
        raise ValueError("row_blocks sums whole-data steps over blocks of rows; use "
                         "batch_size='full' and no gradient clipping")
    steps = steps_per_epoch(n, batch_size, last_batch)
    hooks = list(callbacks)
    getattr(schedule, "check_interval", lambda interval: None)(schedule_interval)
    batch_schedule = schedule if schedule_interval == "batch" else None
    if schedule is not None and batch_schedule is None:
        hooks.append(ScheduleStep(schedule, schedule_monitor))
    hooks.sort(key=lambda callback: callback.order)
    state = LoopState(model, optimizer, schedule, seed, int(epochs), steps, hooks)
    if resume is not None:
        state.restore(resume)
    if evaluate is None:
        evaluate = validation_scores(loss_fn, metrics, head)

    step = training_step(model, loss_fn, clip_grad_norm, clip_grad_value, jit)
    if row_blocks is not None and row_blocks.rows_per_block(X) < n:
        step = BlockedStep(step, training_step(model, row_blocks.rows_loss, jit=jit),
                           row_blocks.rows_per_block(X))
    state.history.profile = StepProfile() if profile else None
    train_epoch = functools.partial(run_epoch, step, optimizer, X, y, sample_weight,
                                    batch_size, shuffle, last_batch, state.history.profile,
                                    batch_schedule)
    state.stop = False
    reason = "completed"
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for callback in hooks:
                callback.on_train_begin(state)
            while not state.stop and state.epoch < state.epochs:
                epoch = state.epoch + 1
                start = time.perf_counter()
                rates = learning_rates(optimizer)
                _set_mode(model, training=True)
                train_loss, grad_norm = train_epoch(state, epoch)
                row = {"epoch": epoch, "train_loss": train_loss}
                if validation is not None and (epoch % eval_every == 0 or epoch == state.epochs):
                    _set_mode(model, training=False)
                    scores = evaluate(model, *validation)
                    _set_mode(model, training=True)
                    row.update({f"val_{name}": float(value) for name, value in scores.items()})
                row.update(rates)
                row.update(grad_norm=grad_norm, seconds=time.perf_counter() - start)
                state.epoch = epoch
                state.history.rows.append(row)
                state.history.stop_reason = "completed" if epoch == state.epochs else "running"
                for ending in ("converged", "stalled"):  # more epochs would repeat this one
                    if getattr(optimizer, ending, False):
                        state.history.stop_reason, state.stop = ending, True
                        break
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
