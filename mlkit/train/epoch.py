"""One epoch of training, the hot loop of the package, and the divergence check after it.

Per batch it only slices the rows and calls ``optimizer.descend`` on the model's flat
parameters with a closure that runs the :class:`~mlkit.train.step.TrainingStep` (loss, gradient
and clipping, one jitted program per batch shape); every optimizer steps through that one call.
"""

from __future__ import annotations

import functools
import math
import time

import numpy as np

from mlkit.data import minibatches
from mlkit.train.history import learning_rates
from mlkit.train.state import LoopState
from mlkit.tree import tree_leaves

__all__ = ["TrainingDiverged", "run_epoch"]

REMEDY = ("lower the learning rate, clip the gradients (clip_grad_norm), or check that the "
          "inputs are scaled (standardized)")


class TrainingDiverged(FloatingPointError):
    """The loss or the parameters became nan or infinite; the message names where."""

    def __init__(self, epoch: int, step: int, steps: int, what: str):
        self.epoch, self.step, self.steps, self.what = epoch, step, steps, what
        super().__init__(f"training diverged: {what} at epoch {epoch}, step {step} of {steps}; "
                         f"training stopped. To fix it, {REMEDY}.")


def run_epoch(step, optimizer, X, y, weight, batch_size, shuffle, last_batch, profile,
              schedule, state: LoopState, epoch: int) -> tuple[float, float]:
    """Train one epoch; returns the mean batch loss and the last step's gradient norm.
    With a :class:`~mlkit.train.profile.StepProfile`, each part of each step is timed; a
    ``schedule`` (or None) is stepped after every batch, each step's rates recorded in
    ``state.history.steps`` first."""
    flat = step.bind()
    take, descend = functools.partial(_rows, X, y, weight), optimizer.descend
    if profile is not None:
        take, step, descend = profile.timed(take, step, descend)
        start = time.perf_counter()
    batches = ((None,) if batch_size is None
               else minibatches(len(X), batch_size, state.rng, shuffle, last_batch))
    total, seen = 0.0, 0
    for index, rows in enumerate(batches, 1):
        xb, yb, wb = take(rows)
        loss, grads = descend(flat, functools.partial(step, xb, yb, wb))
        loss = float(loss)
        if not math.isfinite(loss):
            raise TrainingDiverged(epoch, index, state.steps_per_epoch, f"the loss became "
                                   f"{loss}")
        state.step += 1
        if schedule is not None:
            state.history.record_step(state.step, epoch, learning_rates(optimizer))
            schedule.step()
        total += loss * len(xb)
        seen += len(xb)
    if profile is not None:
        profile.loop += time.perf_counter() - start
    _check(flat, state, epoch, total / seen)
    return total / seen, _global_norm(flat.views(grads))


def _rows(X, y, weight, rows):
    """The batch of ``rows`` (all of them for ``None``, a full-batch step)."""
    if rows is None:
        return X, y, weight
    return _take(X, rows), y[rows], None if weight is None else weight[rows]


def _take(X, rows):
    """``X[rows]``; for a C-contiguous array of rows of several values, ``take`` (the same
    C-contiguous copy, gathered faster than by fancy indexing)."""
    if type(X) is np.ndarray and X.ndim > 1 and X.flags.c_contiguous:
        return X.take(rows, axis=0)
    return X[rows]


def _check(flat, state, epoch, loss):
    """Raise TrainingDiverged if the epoch's loss or any parameter is not finite."""
    steps = state.steps_per_epoch
    if not math.isfinite(loss):
        raise TrainingDiverged(epoch, steps, steps, f"the loss became {loss}")
    for vector in flat.vectors:
        if not np.isfinite(vector).all():
            raise TrainingDiverged(epoch, steps, steps, "the parameters became nan or infinite")


def _global_norm(grads) -> float:
    """The L2 norm of all gradient entries together. Summed by numpy, not BLAS: BLAS's dot
    product splits a long vector between its threads, so its last bits depend on how many it
    has free, and a run would not report the same norm twice."""
    total = 0.0
    for leaf in tree_leaves(grads):
        if leaf is not None:
            flat = np.ravel(leaf)
            total += float(np.sum(flat * flat))
    return math.sqrt(total)
