"""CyclicLR: the rate goes up and down between two bounds, and the momentum the other way."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from mlkit.optim.schedules import LRScheduler, check_cycled
from mlkit.options import PositiveFloat, PositiveInt, Range, checked


@checked
class CyclicLR(LRScheduler):
    r"""Cyclical learning rates (Smith's): triangles between ``base_lr`` and ``max_lr``.

    A cycle rises for ``step_size_up`` steps and falls for ``step_size_down``; at step
    :math:`e`, in cycle :math:`c = \lfloor 1 + e/L \rfloor` (:math:`L` the cycle's length), a
    fraction :math:`x` up the triangle,
    :math:`\eta_e = \eta_{base} + (\eta_{max} - \eta_{base})\,x\,s`, with the scale :math:`s`
    1 (``triangular``), :math:`1/2^{c-1}` (``triangular2``: each cycle half as high) or
    :math:`\gamma^e` (``exp_range``), as PyTorch's. With ``cycle_momentum`` (on by default, as
    PyTorch) the momentum goes from ``max_momentum`` down by the same fraction of
    ``max_momentum - base_momentum`` while the rate rises: SGD's and RMSprop's ``momentum``,
    the Adam family's beta1; an optimizer without one needs ``cycle_momentum=False``.

    Parameters
    ----------
    max_lr : float
        Top of the first cycle, the same for every group.
    base_lr : float or None
        Bottom of the cycles, the same for every group; None: the optimizer's own rate (each
        group's own, over Groups).
    step_size_up : int
        Steps of a cycle's rise.
    step_size_down : int or None
        Steps of its fall; None: ``step_size_up``.
    mode : {"triangular", "triangular2", "exp_range"}
        How the cycles' height scales.
    gamma : float
        ``exp_range``'s decay of the height per step.
    cycle_momentum : bool
        Cycle the momentum (or beta1) inversely to the rate.
    base_momentum : float
        Momentum at the top rate, in ``[0, 1)``.
    max_momentum : float
        Momentum at the bottom rate, in ``[0, 1)``.
    """

    def __init__(self, optimizer, max_lr: PositiveFloat, base_lr: PositiveFloat | None = None,
                 step_size_up: PositiveInt = 2000, step_size_down: PositiveInt | None = None,
                 mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
                 gamma: PositiveFloat = 1.0, cycle_momentum: bool = True,
                 base_momentum: Annotated[float, Range(ge=0, lt=1)] = 0.8,
                 max_momentum: Annotated[float, Range(ge=0, lt=1)] = 0.9):
        self.max_lr, self.lower_lr = max_lr, base_lr
        self.step_size_up = step_size_up
        self.step_size_down = step_size_up if step_size_down is None else step_size_down
        self.mode, self.gamma, self.cycle_momentum = mode, gamma, cycle_momentum
        self.base_momentum, self.max_momentum = base_momentum, max_momentum
        if cycle_momentum:
            check_cycled(optimizer, type(self).__name__)
        super().__init__(optimizer)

    def _rate(self, epoch, base_lr):
        low = base_lr if self.lower_lr is None else self.lower_lr
        fraction, scale = self._place(epoch)
        return low + (self.max_lr - low) * fraction * scale

    def momentum_at(self, epoch):
        if not self.cycle_momentum:
            return None
        fraction, scale = self._place(epoch)
        return self.max_momentum - (self.max_momentum - self.base_momentum) * fraction * scale

    def _place(self, epoch):
        """How far up the triangle step ``epoch`` is (0 to 1), and the cycle's scale."""
        total = self.step_size_up + self.step_size_down
        ratio = self.step_size_up / total
        cycle = math.floor(1 + epoch / total)
        x = 1.0 + epoch / total - cycle
        fraction = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        if self.mode == "triangular":
            return fraction, 1.0
        if self.mode == "triangular2":
            return fraction, 1 / (2.0 ** (cycle - 1))
        return fraction, self.gamma**epoch
