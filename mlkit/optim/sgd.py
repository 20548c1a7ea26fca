"""Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from mlkit.optim.base import Optimizer
from mlkit.optim.kernel import element_loop, elements, run, signed
from mlkit.options import NonNegativeFloat, OptionConflict, PositiveFloat, Range, checked


@checked
class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    With gradient :math:`g_t`, parameters :math:`\theta`, learning rate :math:`\gamma`, weight
    decay :math:`\lambda`, momentum :math:`\mu` and dampening :math:`\tau`, step :math:`t` does

    .. math::

        g &\leftarrow \pm g_t + \lambda \theta_{t-1} \quad (- \text{ if maximize}) \\
        b_t &= g \text{ if } t = 1 \text{ else } \mu b_{t-1} + (1 - \tau) g \\
        g &\leftarrow g + \mu b_t \text{ if nesterov else } b_t \quad (\text{if } \mu \ne 0) \\
        \theta_t &= \theta_{t-1} - \gamma g

    The momentum buffer starts as the first gradient, with no dampening, so a constant
    gradient gives a constant buffer from the first step.

    Parameters
    ----------
    lr : float
        Learning rate, ``> 0``.
    momentum : float
        Momentum factor :math:`\mu`, ``>= 0``.
    dampening : float
        Dampening :math:`\tau` of the momentum, in ``[0, 1]``.
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    weight_decay : float
        L2 penalty :math:`\lambda`, ``>= 0``, added to the gradient.
    maximize : bool
        Ascend the objective instead of descending it.
    """

    def __init__(self, lr: PositiveFloat = 1e-3, momentum: NonNegativeFloat = 0.0,
                 dampening: Annotated[float, Range(ge=0, le=1)] = 0.0, nesterov: bool = False,
                 weight_decay: NonNegativeFloat = 0.0, maximize: bool = False):
        super().__init__(lr)
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self.weight_decay, self.maximize = weight_decay, maximize
        self.check_options(momentum=momentum, dampening=dampening, nesterov=nesterov)

    @staticmethod
    def check_options(momentum=0.0, dampening=0.0, nesterov=False, **_):
        """Nesterov momentum needs momentum and no dampening."""
        if nesterov and (momentum <= 0 or dampening != 0):
            raise OptionConflict("SGD", "nesterov", f"needs momentum > 0 and dampening 0, but "
                                 f"momentum is {momentum} and dampening {dampening}", nesterov,
                                 "set momentum (e.g. 0.9) and dampening 0, or nesterov off")

    def init_state(self, param):
        if self.momentum == 0.0:
            return {}
        return {"momentum_buffer": np.zeros_like(param)}

    def apply(self, param, grad, state, step):
        run(_sgd, param, grad, (state.get("momentum_buffer"),),
            (self.lr, self.momentum != 0.0, self.momentum, 1.0 - self.dampening, step == 1,
             self.nesterov, self.weight_decay, self.maximize))


@element_loop
def _sgd(param, grad, momentum_buffer, lr, use_momentum, momentum, rest, first, nesterov,
         weight_decay, maximize):
    """One SGD step per element; without momentum the (empty) buffer is left alone."""
    for i in elements(param):
        p = param[i]
        g = signed(p, grad[i], maximize, weight_decay)
        if use_momentum:
            if first:
                b = g
            elif rest == 1.0:  # no dampening: (1 - 0) * g is g itself
                b = momentum_buffer[i] * momentum + g
            else:
                b = momentum_buffer[i] * momentum + g * rest
            momentum_buffer[i] = b
            g = g + b * momentum if nesterov else b
        param[i] = p - g * lr
