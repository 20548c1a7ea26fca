"""One epoch of training, the hot loop of the package, and the divergence check after it.

Per batch it only slices the rows and calls ``optimizer.descend`` with a closure that runs
``value_and_grad`` (and clips, if asked); every optimizer steps through that one call.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from mlkit.data import minibatches
from mlkit.nn import Trainable
from mlkit.optim import clip_grad_norm as clip_by_norm
from mlkit.optim import clip_grad_value as clip_by_value
from mlkit.train.state import LoopState
from mlkit.tree import tree_leaves

__all__ = ["TrainingDiverged", "run_epoch"]

REMEDY = ("lower the learning rate, clip the gradients (clip_grad_norm), or check that the "
          "inputs are scaled (standardized)")


class TrainingDiverged(FloatingPointError):
    """The loss or the parameters became nan or infinite; the message names where."""

    def __init__(self, epoch: int, step: int, steps: int, what: str):
        self.epoch, self.step, self.steps = epoch, step, steps
        super().__init__(f"training diverged: {what} at epoch {epoch}, step {step} of {steps}; "
                         f"training stopped. To fix it, {REMEDY}.")


def run_epoch(model, step_fn, optimizer, X, y, weight, batch_size, shuffle, last_batch,
              max_norm, max_value, state: LoopState, epoch: int) -> tuple[float, float]:
    """Train one epoch; returns the mean batch loss and the last step's gradient norm."""
    batches = ((None,) if batch_size is None
               else minibatches(len(X), batch_size, state.rng, shuffle, last_batch))
    total, seen = 0.0, 0
    for index, rows in enumerate(batches, 1):
        if rows is None:
            xb, yb, wb = X, y, weight
        else:
            xb, yb = X[rows], y[rows]
            wb = None if weight is None else weight[rows]
        params = Trainable(model)  # one walk of the model serves the whole step
        closure = functools.partial(step_fn.at, params, model, xb, yb, wb)
        if max_norm is not None or max_value is not None:
            closure = functools.partial(_clipped, closure, max_norm, max_value)
        loss, grads = optimizer.descend(params, closure)
        loss = float(loss)
        if not math.isfinite(loss):
            raise TrainingDiverged(epoch, index, state.steps_per_epoch, f"the loss became "
                                   f"{loss}")
        state.step += 1
        total += loss * len(xb)
        seen += len(xb)
    _check(model, state, epoch, total / seen)
    return total / seen, _global_norm(grads)


def _clipped(closure, max_norm, max_value):
    """The closure's loss, and its gradient clipped by global norm, then by value."""
    loss, grads = closure()
    if max_norm is not None:
        grads = clip_by_norm(grads, max_norm)[0]
    if max_value is not None:
        grads = clip_by_value(grads, max_value)
    return loss, grads


def _check(model, state, epoch, loss):
    """Raise TrainingDiverged if the epoch's loss or any parameter is not finite."""
    steps = state.steps_per_epoch
    if not math.isfinite(loss):
        raise TrainingDiverged(epoch, steps, steps, f"the loss became {loss}")
    for leaf in tree_leaves(model.trainable_parameters()):
        if not np.isfinite(leaf).all():
            raise TrainingDiverged(epoch, steps, steps, "the parameters became nan or infinite")


def _global_norm(grads) -> float:
    """The L2 norm of all gradient entries together."""
    total = 0.0
    for leaf in tree_leaves(grads):
        if leaf is not None:
            flat = np.ravel(leaf)
            total += float(np.dot(flat, flat))
    return math.sqrt(total)
