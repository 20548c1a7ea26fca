"""Schedules made of schedules: one after another (:class:`SequentialLR`) or multiplied at
once (:class:`ChainedScheduler`), each still a closed form of its step count."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from mlkit.optim.schedules import LRScheduler
from mlkit.options import PositiveInt, checked


@checked
class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after another, switching at ``milestones`` (restarting each).

    At step ``e`` the active schedule is the ``i``-th with ``i`` the number of milestones
    ``<= e``, evaluated at ``e`` minus the last milestone passed. Example: a warm-up of 5
    steps, then a cosine::

        SequentialLR(opt, [LinearWarmup(opt, 5), CosineAnnealingLR(opt, 95)], milestones=[5])
    """

    def __init__(self, optimizer, schedulers, milestones: Sequence[PositiveInt]):
        self.schedulers, self.milestones = list(schedulers), milestones
        if len(self.milestones) != len(self.schedulers) - 1:
            raise ValueError(
                f"SequentialLR: needs len(schedulers) - 1 milestones, got {len(self.schedulers)} "
                f"schedulers and milestones {self.milestones}"
            )
        if self.milestones != sorted(set(self.milestones)):
            raise ValueError(f"SequentialLR: milestones must increase, got {self.milestones}")
        _check_children("SequentialLR", self.schedulers, optimizer)
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        scheduler, into = self._active(epoch)
        return scheduler.lr_at(into, base_lr, group)

    def momentum_at(self, epoch, group=0):
        scheduler, into = self._active(epoch)
        return scheduler.momentum_at(into, group)

    def _active(self, epoch):
        """The schedule running at ``epoch``, and the steps it has run."""
        index = bisect.bisect_right(self.milestones, epoch)
        start = self.milestones[index - 1] if index else 0
        return self.schedulers[index], epoch - start


class ChainedScheduler(LRScheduler):
    r"""Several schedules at once: the rate is the base rate times each one's factor.

    At step ``e``, :math:`\eta_e = \eta_0 \prod_i \eta^{(i)}_e / \eta^{(i)}_0`, as PyTorch's
    ChainedScheduler gives for schedules that multiply the rate (step, multistep, exponential,
    warmup, a cosine to ``eta_min=0``; one with ``eta_min > 0`` contributes its closed form's
    ratio). A one-cycle schedule contributes its rate over the base rate, and the momentum of
    the last schedule that sets one is used. Example: a warm-up under a step decay::

        ChainedScheduler([LinearWarmup(opt, 5), StepLR(opt, step_size=30, gamma=0.1)])
    """

    def __init__(self, schedulers, optimizer=None):
        self.schedulers = list(schedulers)
        if not self.schedulers:
            raise ValueError("ChainedScheduler: needs at least one schedule, got none")
        optimizer = optimizer if optimizer is not None else self.schedulers[0].optimizer
        _check_children("ChainedScheduler", self.schedulers, optimizer)
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        return base_lr * math.prod(scheduler.lr_at(epoch, base_lr, group) / base_lr
                                   for scheduler in self.schedulers)

    def momentum_at(self, epoch, group=0):
        found = [scheduler.momentum_at(epoch, group) for scheduler in self.schedulers]
        return next((value for value in reversed(found) if value is not None), None)


def _check_children(owner: str, schedulers, optimizer) -> None:
    """Schedules combined by ``owner`` must be closed-form ones of the same optimizer."""
    for scheduler in schedulers:
        if not isinstance(scheduler, LRScheduler) or scheduler.optimizer is not optimizer:
            raise ValueError(f"{owner}: schedulers must be closed-form schedules of the same "
                             f"optimizer, got {scheduler!r}")
