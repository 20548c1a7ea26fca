"""Row blocks: a full-batch objective evaluated block of rows by block of rows, summed.

A large training set streams from memory twice per gradient (the forward pass reads ``X``,
the backward pass reads it again). When the objective is a sum over rows plus terms that do
not read the rows (a penalty), the sum of each block's value and gradient is the whole
objective's: evaluated a few megabytes at a time, each block is still in the CPU cache when
the backward pass reads it, so ``X`` streams once. Each block is an ordinary training step
(the engine's derivative, one jitted program per block shape); the blocks but the last run
``RowBlocks.rows_loss`` (the rows' terms), the last runs the whole loss, so the other terms
count once, and every evaluation replays at most two programs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlkit.options import PositiveInt, checked

__all__ = ["BlockedStep", "RowBlocks"]


@checked
@dataclass(frozen=True)
class RowBlocks:
    """How :func:`mlkit.train.fit` splits a full-batch evaluation into blocks of rows.

    ``rows_loss(model, X, y, sample_weight)`` is the training loss without its terms that do
    not depend on the rows (the penalty), so that ``loss_fn`` on all rows equals the sum of
    ``rows_loss`` over any split of them plus ``loss_fn - rows_loss`` once (a weighted sum
    over rows, with weights that are not renormalised per block). Blocks hold about
    ``block_bytes`` of ``X`` (the default, 4 MiB, stays in a desktop CPU's last-level cache
    and makes each block's program long next to its Python overhead); data that fits in one
    block is evaluated whole.
    """

    rows_loss: Callable
    block_bytes: PositiveInt = 4 << 20

    def rows_per_block(self, X) -> int:
        """Rows of ``X`` in a block: ``block_bytes`` worth, at least one."""
        row_bytes = X.nbytes // max(len(X), 1)
        return max(1, self.block_bytes // max(row_bytes, 1))


class BlockedStep:
    """A training step (``step(X, y, weight) -> (loss, gradient vectors)``) that evaluates
    blocks of ``rows`` rows and sums them: ``rows_step`` on every block but the last,
    ``whole_step`` on the last. Both steps train the same flat vectors."""

    def __init__(self, whole_step, rows_step, rows):
        self.whole_step, self.rows_step, self.rows = whole_step, rows_step, rows

    def bind(self):
        """Bind the whole step, and the rows' step to the same vectors (see
        :meth:`~mlkit.train.step.TrainingStep.bind`)."""
        flat = self.whole_step.bind()
        self.rows_step.bind(flat)
        return flat

    def __call__(self, X, y, weight):
        return self._summed(lambda step, *batch: step(*batch), X, y, weight)

    def profiled(self, profile, X, y, weight):
        """A call with each block's step timed into ``profile``."""
        return self._summed(lambda step, *batch: step.profiled(profile, *batch), X, y, weight)

    def _summed(self, call, X, y, weight):
        n, rows = len(X), self.rows
        last = max(n - rows, 0) if n % rows == 0 else n - n % rows
        total, gradient = 0.0, None
        for start in range(0, last, rows):
            block = slice(start, start + rows)
            loss, grads = call(self.rows_step, X[block], y[block],
                               None if weight is None else weight[block])
            total += float(loss)
            if gradient is None:  # a copy: a replayed program hands out its buffers again
                gradient = [grad.copy() for grad in grads]
            else:
                for into, grad in zip(gradient, grads):
                    into += grad
        tail = slice(last, n)
        loss, grads = call(self.whole_step, X[tail], y[tail],
                           None if weight is None else weight[tail])
        if gradient is None:
            return loss, grads
        for into, grad in zip(gradient, grads):
            into += grad
        return total + float(loss), gradient
