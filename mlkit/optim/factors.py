"""Schedules that scale the base rate by a factor of the step: a function given in Python
(:class:`LambdaLR`, :class:`MultiplicativeLR`), or a line, a constant stretch or a polynomial
decay (:class:`LinearLR`, of which :class:`LinearWarmup` is the warmup, :class:`ConstantLR`,
:class:`PolynomialLR`), each a function of its step count, with PyTorch's formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from mlkit.optim.group_values import group_count, group_values
from mlkit.optim.schedules import LRScheduler
from mlkit.options import PositiveFloat, PositiveInt, Range, checked, per_group

Factor = Annotated[float, Range(ge=0, le=1)]
StartFactor = Annotated[float, Range(gt=0, le=1)]


@checked
class LambdaLR(LRScheduler):
    r"""The base rate times a function of the step: :math:`\eta_e = \eta_0\,f(e)`.

    ``lr_lambda`` is a Python function, so this schedule is built in Python only (a config
    cannot hold one; a checkpoint keeps the step count, and the schedule built again with the
    same functions goes on from it). Over :class:`~mlkit.optim.Groups` every group's rate is
    its own built rate times :math:`f(e)`, the same function's or its own.

    Parameters
    ----------
    lr_lambda : callable or list of callables
        ``f(step) -> factor``, called with the step count 0, 1, 2, ...; or a list of one per
        group (over Groups, ``rest`` last).
    """

    def __init__(self, optimizer, lr_lambda: per_group(Callable[[int], float])):
        self.lr_lambda = lr_lambda
        self._lambdas = group_values(type(self).__name__, "lr_lambda", lr_lambda,
                                     group_count(optimizer))
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        return base_lr * self._lambdas[group](epoch)


@checked
class MultiplicativeLR(LRScheduler):
    r"""Each step multiplies the rate by a function of the step.

    :math:`\eta_e = \eta_{e-1}\,f(e)`, :math:`\eta_0` the base rate. The product is taken
    in PyTorch's order, one factor per step, so the rates are PyTorch's to the bit; it is kept
    per group and base rate, so a step costs one call of each group's ``f`` (restoring a
    checkpoint at step ``e`` calls it ``e`` times: the functions are not saved, the schedule
    built again with them replays them). Python functions: built in Python only.

    Parameters
    ----------
    lr_lambda : callable or list of callables
        ``f(step) -> factor``, called with the step counts 1, 2, 3, ...; or a list of one per
        group (over Groups, ``rest`` last).
    """

    def __init__(self, optimizer, lr_lambda: per_group(Callable[[int], float])):
        self.lr_lambda = lr_lambda
        self._lambdas = group_values(type(self).__name__, "lr_lambda", lr_lambda,
                                     group_count(optimizer))
        self._reached = {}  # (group, base rate) -> (step, rate at that step)
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        reached, rate = self._reached.get((group, base_lr), (0, base_lr))
        if reached > epoch:
            reached, rate = 0, base_lr
        for step in range(reached + 1, epoch + 1):
            rate = rate * self._lambdas[group](step)
        self._reached[group, base_lr] = (epoch, rate)
        return rate


@checked
class LinearLR(LRScheduler):
    r"""Move the factor of the base rate linearly from ``start_factor`` to ``end_factor``.

    :math:`\eta_e = \eta_0\,(s + (t - s)\min(e, T)/T)` with :math:`s, t` the factors and
    :math:`T` = ``total_iters``; constant after. :class:`LinearWarmup` is its warmup to the
    base rate.

    Parameters
    ----------
    start_factor : float
        Factor at the first step, in ``(0, 1]``.
    end_factor : float
        Factor from step ``total_iters`` on, in ``[0, 1]``.
    total_iters : int
        Steps the line lasts.
    """

    def __init__(self, optimizer, start_factor: StartFactor = 1.0 / 3.0,
                 end_factor: Factor = 1.0, total_iters: PositiveInt = 5):
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        progress = min(epoch, self.total_iters) / self.total_iters
        return base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)


@checked
class LinearWarmup(LinearLR):
    r"""Ramp linearly from ``start_factor`` times the base rate to the base rate: a
    :class:`LinearLR` ending at factor 1 after ``warmup_steps``.

    :math:`\eta_e = \eta_0\,(f + (1 - f)\min(e, W)/W)`, constant after ``warmup_steps`` = W.
    Chain it before another schedule with :class:`SequentialLR`.

    Parameters
    ----------
    warmup_steps : int
        Length of the warmup.
    start_factor : float
        Fraction of the base rate at the first step, in ``(0, 1]`` (PyTorch's LinearLR
        default, 1/3).
    """

    def __init__(self, optimizer, warmup_steps: PositiveInt, start_factor: StartFactor = 1.0 / 3.0):
        self.warmup_steps = warmup_steps
        super().__init__(optimizer, start_factor, 1.0, warmup_steps)


@checked
class ConstantLR(LRScheduler):
    r"""Hold the rate at ``factor`` times the base rate, then at the base rate.

    :math:`\eta_e = \eta_0 f` for :math:`e < T` (``total_iters``), :math:`\eta_0` after.

    Parameters
    ----------
    factor : float
        Fraction of the base rate at first, in ``[0, 1]``.
    total_iters : int
        Steps at the lowered rate.
    """

    def __init__(self, optimizer, factor: Factor = 1.0 / 3.0, total_iters: PositiveInt = 5):
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        return base_lr if epoch >= self.total_iters else base_lr * self.factor


@checked
class PolynomialLR(LRScheduler):
    r"""Decay the rate to 0 along a polynomial over ``total_iters`` steps.

    :math:`\eta_e = \eta_0\,(1 - \min(e, T)/T)^p`; 0 after (``power`` 1: a straight line).

    Parameters
    ----------
    total_iters : int
        Steps until the rate reaches 0.
    power : float
        Power :math:`p` of the polynomial, ``> 0``.
    """

    def __init__(self, optimizer, total_iters: PositiveInt = 5, power: PositiveFloat = 1.0):
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        return base_lr * (1.0 - min(epoch, self.total_iters) / self.total_iters) ** self.power
