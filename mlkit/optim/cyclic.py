"""CyclicLR: the rate goes up and down between two bounds, and the momentum the other way."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from mlkit.optim.group_values import group_count, group_values
from mlkit.optim.schedules import LRScheduler, check_cycled, momenta
from mlkit.options import (
    Fraction,
    OptionConflict,
    PositiveFloat,
    PositiveInt,
    checked,
    per_group,
)


@checked
class CyclicLR(LRScheduler):
    r"""Cyclical learning rates (Smith's): triangles between ``base_lr`` and ``max_lr``.

    A cycle rises for ``step_size_up`` steps and falls for ``step_size_down``; at step
    :math:`e`, in cycle :math:`c = \lfloor 1 + e/L \rfloor` (:math:`L` the cycle's length), a
    fraction :math:`x` up the triangle,
    :math:`\eta_e = \eta_{base} + (\eta_{max} - \eta_{base})\,x\,s`, with the scale :math:`s`
    1 (``triangular``), :math:`1/2^{c-1}` (``triangular2``: each cycle half as high) or
    :math:`\gamma^e` (``exp_range``), as PyTorch's, or ``scale_fn`` of the cycle :math:`c` or
    of the step :math:`e` (``scale_mode``), a Python function (so a config keeps ``mode``).
    With ``cycle_momentum`` (on by default, as PyTorch) the momentum goes from
    ``max_momentum`` down by the same fraction of ``max_momentum - base_momentum`` while the
    rate rises: SGD's and RMSprop's ``momentum``, the Adam family's beta1; an optimizer
    without one needs ``cycle_momentum=False``.

    Parameters
    ----------
    max_lr : float or list of float
        Top of the first cycle: one for every group, or a list of one per group (over Groups,
        ``rest`` last).
    base_lr : float, list of float, or None
        Bottom of the cycles, one for every group or a list of one per group; None: the
        optimizer's own rate (each group's own, over Groups).
    step_size_up : int
        Steps of a cycle's rise.
    step_size_down : int or None
        Steps of its fall; None: ``step_size_up``.
    mode : {"triangular", "triangular2", "exp_range"}
        How the cycles' height scales.
    gamma : float
        ``exp_range``'s decay of the height per step.
    scale_fn : callable or None
        ``f(x) -> scale`` in ``[0, 1]``, in place of ``mode``'s scale (Python only; not saved:
        a checkpoint keeps the step count, and the schedule built again with it goes on).
    scale_mode : {"cycle", "iterations"}
        Whether ``scale_fn`` is given the cycle :math:`c` (1, 2, ...) or the step :math:`e`.
    cycle_momentum : bool
        Cycle the momentum (or beta1) inversely to the rate.
    base_momentum : float or list of float
        Momentum at the top rate, in ``[0, 1)``; or a list of one per group.
    max_momentum : float or list of float
        Momentum at the bottom rate, in ``[0, 1)``; or a list of one per group.
    """

    def __init__(self, optimizer, max_lr: per_group(PositiveFloat),
                 base_lr: per_group(PositiveFloat) | None = None,
                 step_size_up: PositiveInt = 2000, step_size_down: PositiveInt | None = None,
                 mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
                 gamma: PositiveFloat = 1.0, scale_fn: Callable[[float], float] | None = None,
                 scale_mode: Literal["cycle", "iterations"] = "cycle",
                 cycle_momentum: bool = True,
                 base_momentum: per_group(Fraction) = 0.8,
                 max_momentum: per_group(Fraction) = 0.9):
        self.check_options(mode, scale_fn, scale_mode)
        count = group_count(optimizer)
        self.max_lr, self.lower_lr = max_lr, base_lr
        self._tops = group_values("CyclicLR", "max_lr", max_lr, count)
        self._bottoms = group_values("CyclicLR", "base_lr", base_lr, count)
        self.scale_fn, self.scale_mode = scale_fn, scale_mode
        self.step_size_up = step_size_up
        self.step_size_down = step_size_up if step_size_down is None else step_size_down
        self.mode, self.gamma, self.cycle_momentum = mode, gamma, cycle_momentum
        self.base_momentum, self.max_momentum = base_momentum, max_momentum
        self._momenta = momenta("CyclicLR", base_momentum, max_momentum, optimizer)
        if cycle_momentum:
            check_cycled(optimizer, type(self).__name__)
        super().__init__(optimizer)

    @staticmethod
    def check_options(mode="triangular", scale_fn=None, scale_mode="cycle", **_) -> None:
        """``scale_fn`` replaces ``mode``'s scale, and ``scale_mode`` says what it is given: a
        ``mode`` given with it, or a ``scale_mode`` without it, would be ignored (as PyTorch
        ignores them), so either is refused."""
        if scale_fn is not None and mode != "triangular":
            raise OptionConflict("CyclicLR", "mode", "is replaced by scale_fn", mode,
                                 "leave mode out when giving scale_fn, or drop scale_fn")
        if scale_fn is None and scale_mode != "cycle":
            raise OptionConflict("CyclicLR", "scale_mode", "applies only to a scale_fn",
                                 scale_mode, "give scale_fn too, or leave scale_mode out "
                                 "(mode sets its own scale)")

    def _rate(self, epoch, base_lr, group):
        low = base_lr if self.lower_lr is None else self._bottoms[group]
        fraction, scale = self._place(epoch)
        return low + (self._tops[group] - low) * fraction * scale

    def momentum_at(self, epoch, group=0):
        if not self.cycle_momentum:
            return None
        low, high = self._momenta[0][group], self._momenta[1][group]
        fraction, scale = self._place(epoch)
        return high - (high - low) * fraction * scale

    def _place(self, epoch):
        """How far up the triangle step ``epoch`` is (0 to 1), and the cycle's scale."""
        total = self.step_size_up + self.step_size_down
        ratio = self.step_size_up / total
        cycle = math.floor(1 + epoch / total)
        x = 1.0 + epoch / total - cycle
        fraction = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        if self.scale_fn is not None:
            return fraction, self.scale_fn(cycle if self.scale_mode == "cycle" else epoch)
        if self.mode == "triangular":
            return fraction, 1.0
        if self.mode == "triangular2":
            return fraction, 1 / (2.0 ** (cycle - 1))
        return fraction, self.gamma**epoch
