"""Learning-rate schedules: objects attached to an optimizer that set its ``lr`` as they step.

Each schedule (except :class:`ReduceLROnPlateau`) is a closed-form function of its step
counter ``last_epoch`` (``lr_at``, and ``momentum_at`` for one that also cycles the momentum),
so it can be restored from that counter alone and combined (mlkit.optim.combined: one after
another, or multiplied). The caller decides whether a step means an epoch or a batch.
Schedules scale ``optimizer.initial_lr`` (the ``lr`` the optimizer was built with).
"""

from __future__ import annotations

import bisect
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np

from mlkit.optim import validation
from mlkit.optim.group_values import group_count, group_values
from mlkit.options import (
    Fraction,
    Length,
    NonNegativeFloat,
    OptionConflict,
    PositiveFloat,
    PositiveInt,
    Range,
    checked,
    per_group,
)


class LRScheduler(ABC):
    """Base class: sets the optimizer's rate to ``lr_at(last_epoch)`` on creation and on every
    step; a :class:`~mlkit.optim.Groups` gets every group's rate from its own built rate."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.base_lr = float(getattr(optimizer, "initial_lr", optimizer.lr))
        self.base_lrs = [float(lr) for lr in getattr(optimizer, "initial_lrs", ())]  # groups'
        self._set_epoch(0)

    def lr_at(self, epoch: int, base_lr: float | None = None, group: int = 0) -> float:
        """The learning rate after ``epoch`` steps of this schedule, from ``base_lr`` (default:
        the schedule's own, the optimizer's built rate), for parameter group ``group`` (its
        options given per group)."""
        return self._rate(epoch, self.base_lr if base_lr is None else base_lr, group)

    @abstractmethod
    def _rate(self, epoch: int, base_lr: float, group: int) -> float:
        """The schedule's formula: group ``group``'s rate after ``epoch`` steps from
        ``base_lr``."""

    def momentum_at(self, epoch: int, group: int = 0) -> float | None:
        """Group ``group``'s momentum (or Adam's beta1) after ``epoch`` steps; None: this
        schedule leaves it."""
        return None

    def step(self) -> None:
        """Advance one step and set the optimizer's learning rate."""
        self._set_epoch(self.last_epoch + 1)

    def get_last_lr(self) -> float:
        """The learning rate this schedule set last (the main one, for groups)."""
        return self._last_lr

    def state_dict(self) -> dict:
        """``{"last_epoch", "base_lr"}`` as arrays, and ``base_lrs`` over groups."""
        out = {"last_epoch": np.array(self.last_epoch, dtype=np.int64),
               "base_lr": np.array(self.base_lr, dtype=np.float64)}
        if self.base_lrs:
            out["base_lrs"] = np.array(self.base_lrs, dtype=np.float64)
        return out

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict` and set the optimizer's learning rates to match: the
        saved base rates go on, as PyTorch's, whatever rates the optimizer was rebuilt with."""
        arrays = validation.state_arrays(type(self).__name__, state, self.state_dict())
        self.base_lr = float(arrays["base_lr"])
        if self.base_lrs:
            self.base_lrs = [float(lr) for lr in arrays["base_lrs"]]
        self._set_epoch(int(arrays["last_epoch"]))

    def _set_epoch(self, epoch: int) -> None:
        if self.base_lrs:  # groups: each from its own base rate
            self.optimizer.lrs = [self.lr_at(epoch, base, i)
                                  for i, base in enumerate(self.base_lrs)]
        else:
            self.optimizer.lr = self.lr_at(epoch)
        self.last_epoch = epoch
        self._last_lr = float(self.optimizer.lr)
        momenta = [self.momentum_at(epoch, i) for i in range(group_count(self.optimizer))]
        if momenta[0] is not None:
            set_momentum(self.optimizer, momenta)


MOMENTUM_OPTIONS = ("betas", "momentum")
"""The optimizer options a schedule can cycle, as PyTorch's cycle_momentum: beta1, momentum."""


def stepped_optimizers(optimizer) -> list:
    """The optimizers that step the parameters: each group's for a Groups, else ``optimizer``."""
    return list(getattr(optimizer, "optimizers", [optimizer]))


def momentum_name(optimizer, kind: str | None = None, schedule: str = "OneCycleLR") -> str:
    """The option ``cycle_momentum`` moves: the first of :data:`MOMENTUM_OPTIONS` that
    ``optimizer`` has (an optimizer, each group's of a Groups, or a config's section of its
    options, named ``kind``).

    The one statement of the rule: an :class:`~mlkit.options.OptionConflict` of ``schedule``
    (the schedule cycling it) at ``cycle_momentum`` when one has neither.
    """
    groups = stepped_optimizers(optimizer)
    names = []
    for i, stepped in enumerate(groups):
        name = next((name for name in MOMENTUM_OPTIONS if hasattr(stepped, name)), None)
        if name is None:
            what = kind or type(stepped).__name__
            raise OptionConflict(schedule, "cycle_momentum", "needs an optimizer with momentum "
                                 "(SGD, RMSprop) or betas (the Adam family), but "
                                 f"{what}{f' of group {i}' if len(groups) > 1 else ''} has "
                                 "neither", True, "set cycle_momentum to false, or use an "
                                 "optimizer with momentum")
        names.append(name)
    return names[0]


def check_cycled(optimizer, schedule: str) -> None:
    """Refuse a ``schedule`` whose ``cycle_momentum`` cannot move ``optimizer``'s momentum: one
    without any (:func:`momentum_name`), or one that stepped with momentum 0 (no buffer)."""
    momentum_name(optimizer, schedule=schedule)
    for stepped in stepped_optimizers(optimizer):
        if momentum_name(stepped) == "momentum" and stepped.momentum == 0.0 and (
                stepped.step_count):
            raise ValueError(
                f"{schedule}: cycle_momentum would turn on the momentum of a "
                f"{type(stepped).__name__} that has already stepped without it; build "
                "the schedule before the first step, or pass cycle_momentum=False")


def set_momentum(optimizer, values: list[float]) -> None:
    """Set the momentum, or the beta1 of the ``betas``, of the optimizer (each group's to its
    own of ``values``)."""
    for stepped, value in zip(stepped_optimizers(optimizer), values, strict=True):
        if momentum_name(stepped) == "betas":
            stepped.betas = (value, *stepped.betas[1:])
        else:
            stepped.momentum = value


@checked
class StepLR(LRScheduler):
    r"""Decay by ``gamma`` every ``step_size`` steps.

    :math:`\eta_e = \eta_0\,\gamma^{\lfloor e/s \rfloor}` with ``s`` = ``step_size``.

    Parameters
    ----------
    step_size : int
        Steps between decays.
    gamma : float
        Decay factor.
    """

    def __init__(self, optimizer, step_size: PositiveInt, gamma: PositiveFloat = 0.1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        return base_lr * self.gamma ** (epoch // self.step_size)


@checked
class MultiStepLR(LRScheduler):
    r"""Decay by ``gamma`` at each milestone: :math:`\eta_e = \eta_0\,\gamma^{\#\{m \le e\}}`.

    A milestone listed twice decays twice.

    Parameters
    ----------
    milestones : sequence of int
        Steps at which to decay.
    gamma : float
        Decay factor.
    """

    def __init__(self, optimizer, milestones: Annotated[Sequence[PositiveInt], Length(min=1)],
                 gamma: PositiveFloat = 0.1):
        self.milestones, self.gamma = sorted(milestones), gamma
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)


@checked
class ExponentialLR(LRScheduler):
    r"""Decay by ``gamma`` every step: :math:`\eta_e = \eta_0\,\gamma^e`.

    Parameters
    ----------
    gamma : float
        Decay factor per step, e.g. 0.95.
    """

    def __init__(self, optimizer, gamma: PositiveFloat):
        self.gamma = gamma
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        return base_lr * self.gamma**epoch


@checked
class CosineAnnealingLR(LRScheduler):
    r"""Half a cosine from the base rate down to ``eta_min`` over ``T_max`` steps.

    :math:`\eta_e = \eta_{min} + (\eta_0 - \eta_{min})(1 + \cos(\pi e / T_{max}))/2`; past
    ``T_max`` the cosine continues, so the rate rises again.

    Parameters
    ----------
    T_max : int
        Steps of one half cosine.
    eta_min : float
        Lowest learning rate.
    """

    def __init__(self, optimizer, T_max: PositiveInt,  # noqa: N803 (the familiar name)
                 eta_min: NonNegativeFloat = 0.0):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        cosine = 1.0 + math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (base_lr - self.eta_min) * cosine / 2.0


@checked
class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Half cosines from the base rate down to ``eta_min``, restarting at the base rate.

    The first period lasts ``T_0`` steps and each next one ``T_mult`` times longer; at step
    :math:`e`, :math:`T_{cur}` steps into a period of :math:`T_i` steps,
    :math:`\eta_e = \eta_{min} + (\eta_0 - \eta_{min})(1 + \cos(\pi T_{cur} / T_i))/2`
    (SGDR, as PyTorch's).

    Parameters
    ----------
    T_0 : int
        Steps of the first period.
    T_mult : int
        Growth factor of the period at each restart.
    eta_min : float
        Lowest learning rate.
    """

    def __init__(self, optimizer, T_0: PositiveInt, T_mult: PositiveInt = 1,  # noqa: N803
                 eta_min: NonNegativeFloat = 0.0):
        self.T_0, self.T_mult, self.eta_min = T_0, T_mult, eta_min
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        into = epoch % self.T_0 if self.T_mult == 1 else epoch  # steps into the period
        period = self.T_0
        while into >= period:  # counted in integers: no rounding at a restart
            into, period = into - period, period * self.T_mult
        cosine = 1.0 + math.cos(math.pi * into / period)
        return self.eta_min + (base_lr - self.eta_min) * cosine / 2.0


@checked
class OneCycleLR(LRScheduler):
    r"""The one-cycle policy: warm up to ``max_lr``, then anneal far below the start.

    Over ``total_steps`` steps the rate goes from ``max_lr / div_factor`` to ``max_lr`` by step
    :math:`p T - 1` (``p`` = ``pct_start``), then to ``max_lr / (div_factor *
    final_div_factor)`` by step :math:`T - 1`, along a half cosine
    :math:`b + (a - b)(1 + \cos \pi x)/2` or a line :math:`a + (b - a)x` (``x`` the fraction of
    the phase). With ``three_phase`` the rate first comes back to ``max_lr / div_factor`` by
    step :math:`2 p T - 2`, as PyTorch's. The optimizer's own ``lr`` is used only as the
    default ``max_lr``. With
    ``cycle_momentum`` (as PyTorch, on by default) the momentum moves inversely along the same
    curves: from ``max_momentum`` down to ``base_momentum`` while the rate rises, back up while
    it falls (with ``three_phase``, held at ``max_momentum`` in the last phase); it is SGD's and
    RMSprop's ``momentum`` or the beta1 of the Adam family's ``betas``, and an optimizer without
    one (Adagrad, Adadelta) needs ``cycle_momentum=False`` (over :class:`~mlkit.optim.Groups`,
    each group's optimizer has its momentum cycled, and needs one). One step past the end is
    allowed (a loop that steps after every batch makes it) and keeps the final values; more is
    an error.

    Parameters
    ----------
    max_lr : float, list of float, or None
        Peak learning rate: one for every group, or a list of one per group (over Groups,
        ``rest`` last); None: the optimizer's own rate (each group's own, over Groups).
    total_steps : int, optional
        Length of the cycle; else give ``epochs`` and ``steps_per_epoch`` (as PyTorch).
    epochs, steps_per_epoch : int, optional
        The cycle lasts ``epochs * steps_per_epoch`` steps (a schedule stepped every batch).
    pct_start : float
        Fraction of the cycle spent rising, in ``[0, 1]`` (as PyTorch): 0 starts at ``max_lr``
        and only anneals, 1 only rises.
    anneal_strategy : {"cos", "linear"}
        Shape of the rise and fall.
    cycle_momentum : bool
        Cycle the momentum (or beta1) inversely to the rate.
    base_momentum : float or list of float
        Momentum at the peak rate, in ``[0, 1)``; or a list of one per group.
    max_momentum : float or list of float
        Momentum at the start and end of the cycle, in ``[0, 1)``; or a list of one per group.
    div_factor : float
        The starting rate is ``max_lr / div_factor``.
    final_div_factor : float
        The final rate is the starting rate divided by this.
    three_phase : bool
        Fall back to the starting rate symmetrically before the final annealing.
    """

    def __init__(self, optimizer, max_lr: per_group(PositiveFloat) | None = None,
                 total_steps: PositiveInt | None = None, epochs: PositiveInt | None = None,
                 steps_per_epoch: PositiveInt | None = None,
                 pct_start: Annotated[float, Range(ge=0, le=1)] = 0.3,
                 anneal_strategy: Literal["cos", "linear"] = "cos", cycle_momentum: bool = True,
                 base_momentum: per_group(Fraction) = 0.85,
                 max_momentum: per_group(Fraction) = 0.95,
                 div_factor: PositiveFloat = 25.0, final_div_factor: PositiveFloat = 1e4,
                 three_phase: bool = False):
        self.max_lr, self.pct_start = max_lr, pct_start
        self._peaks = group_values("OneCycleLR", "max_lr", max_lr, group_count(optimizer))
        self.total_steps = _cycle_length(total_steps, epochs, steps_per_epoch)
        self.anneal_strategy, self.cycle_momentum = anneal_strategy, cycle_momentum
        self.base_momentum, self.max_momentum = base_momentum, max_momentum
        self._momenta = momenta("OneCycleLR", base_momentum, max_momentum, optimizer)
        self.div_factor, self.final_div_factor = div_factor, final_div_factor
        self.three_phase = three_phase
        if cycle_momentum:
            check_cycled(optimizer, type(self).__name__)
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr, group):
        peak = base_lr if self.max_lr is None else self._peaks[group]
        initial = peak / self.div_factor
        ends = [initial, peak] + [initial] * self.three_phase
        return self._along(epoch, ends + [initial / self.final_div_factor])

    def momentum_at(self, epoch, group=0):
        if not self.cycle_momentum:
            return None
        low, high = self._momenta[0][group], self._momenta[1][group]
        return self._along(epoch, [high, low, high] + [high] * self.three_phase)

    def _along(self, epoch, values):
        """The value at ``epoch`` of the curve through ``values`` at the phases' ends."""
        if epoch > self.total_steps:
            raise ValueError(
                f"OneCycleLR: stepped {epoch} times, more than total_steps={self.total_steps}"
            )
        rise = self.pct_start * self.total_steps
        lasts = [rise - 1.0] + [2.0 * rise - 2.0] * self.three_phase + [self.total_steps - 1.0]
        first, index = 0.0, 0
        while index < len(lasts) - 1 and epoch > lasts[index]:  # the phase holding epoch
            first, index = lasts[index], index + 1
        last, start, end = lasts[index], values[index], values[index + 1]
        fraction = min((epoch - first) / (last - first), 1.0) if last > first else 1.0
        if self.anneal_strategy == "cos":
            return end + (start - end) * (1.0 + math.cos(math.pi * fraction)) / 2.0
        return start + (end - start) * fraction


def momenta(owner: str, base_momentum, max_momentum, optimizer) -> tuple[list, list]:
    """The base and max momentum of each group of ``optimizer`` (see :func:`group_values`)."""
    count = group_count(optimizer)
    return (group_values(owner, "base_momentum", base_momentum, count),
            group_values(owner, "max_momentum", max_momentum, count))


def _cycle_length(total_steps, epochs, steps_per_epoch) -> int:
    """OneCycleLR's length: ``total_steps``, or ``epochs * steps_per_epoch``; an error names
    what is missing or given twice."""
    given = f"total_steps={total_steps}, epochs={epochs}, steps_per_epoch={steps_per_epoch}"
    if total_steps is not None and (epochs is not None or steps_per_epoch is not None):
        raise ValueError(f"OneCycleLR: the cycle's length is given twice ({given}); pass "
                         "total_steps, or epochs and steps_per_epoch, not both")
    if total_steps is not None:
        return total_steps
    if epochs is None or steps_per_epoch is None:
        raise ValueError(f"OneCycleLR: the cycle's length needs total_steps, or both epochs and "
                         f"steps_per_epoch (total_steps = epochs * steps_per_epoch); got {given}")
    return epochs * steps_per_epoch
