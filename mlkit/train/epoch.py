"""One epoch of training, the hot loop of the package, and the divergence check after it.

Per batch it only slices the rows and calls ``optimizer.descend`` with a closure that runs
``value_and_grad`` and clips if asked; every optimizer steps through that one call.
"""

from __future__ import annotations

import math

import numpy as np

from mlkit.data import minibatches
from mlkit.optim import clip_grad_norm as clip_by_norm
from mlkit.optim import clip_grad_value as clip_by_value
from mlkit.train.state import LoopState
from mlkit.tree import tree_leaves

__all__ = ["Epoch", "TrainingDiverged"]

REMEDY = ("lower the learning rate, clip the gradients (clip_grad_norm), or check that the "
          "inputs are scaled (standardized)")


class TrainingDiverged(FloatingPointError):
    """The loss or the parameters became nan or infinite; the message names where."""

    def __init__(self, epoch: int, step: int, steps: int, what: str):
        self.epoch, self.step, self.steps = epoch, step, steps
        super().__init__(f"training diverged: {what} at epoch {epoch}, step {step} of {steps}; "
                         f"training stopped. To fix it, {REMEDY}.")


class Epoch:
    """One pass over the training rows; the hot loop of the whole package."""

    def __init__(self, model, step_fn, optimizer, X, y, weight, batch_size, shuffle, last_batch,
                 max_norm, max_value):
        self.model, self.step_fn, self.optimizer = model, step_fn, optimizer
        self.X, self.y, self.weight = X, y, weight
        self.batch_size, self.shuffle, self.last_batch = batch_size, shuffle, last_batch
        self.max_norm, self.max_value = max_norm, max_value

    def run(self, state: LoopState, epoch: int) -> tuple[float, float]:
        """Train one epoch; returns the mean batch loss and the last step's gradient norm."""
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

            def closure():
                loss, grads = step_fn(xb, yb, wb)
                if max_norm is not None:
                    grads = clip_by_norm(grads, max_norm)[0]
                if max_value is not None:
                    grads = clip_by_value(grads, max_value)
                return loss, grads

            loss, grads = optimizer.descend(model, closure)
            loss = float(loss)
            if not math.isfinite(loss):
                raise TrainingDiverged(epoch, index, state.steps_per_epoch, f"the loss became "
                                       f"{loss}")
            state.step += 1
            count = len(xb)
            total += loss * count
            seen += count
        self._check(state, epoch, state.steps_per_epoch, total / seen)
        return total / seen, _global_norm(grads)

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
