"""Adadelta: steps sized by the ratio of running root-mean-squares of updates and gradients."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from mlkit.optim.base import Optimizer
from mlkit.optim.kernel import element_loop, elements, run, signed
from mlkit.options import NonNegativeFloat, PositiveFloat, Range, checked


@checked
class Adadelta(Optimizer):
    r"""Adadelta (Zeiler): a per-coordinate step in the units of the parameter, no rate to tune.

    With gradient :math:`g_t`, learning rate :math:`\gamma` (a plain multiplier, 1 by default),
    decay :math:`\rho`, weight decay :math:`\lambda`, step :math:`t` does

    .. math::

        g &\leftarrow \pm g_t + \lambda \theta_{t-1} \quad (- \text{ if maximize}) \\
        v_t &= \rho v_{t-1} + (1 - \rho) g^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}} g, \quad
            u_t = \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma \Delta_t

    starting from :math:`v_0 = u_0 = 0`.

    Parameters
    ----------
    lr : float
        Multiplier of the step, ``> 0``.
    rho : float
        Decay :math:`\rho` of both running averages, in ``[0, 1]``.
    eps : float
        Added under both square roots, ``>= 0``; it also sets the size of the first steps.
    weight_decay : float
        L2 penalty :math:`\lambda`, ``>= 0``, added to the gradient.
    maximize : bool
        Ascend the objective instead of descending it.
    """

    def __init__(self, lr: PositiveFloat = 1.0, rho: Annotated[float, Range(ge=0, le=1)] = 0.9,
                 eps: NonNegativeFloat = 1e-6, weight_decay: NonNegativeFloat = 0.0,
                 maximize: bool = False):
        super().__init__(lr)
        self.rho, self.eps, self.weight_decay, self.maximize = rho, eps, weight_decay, maximize

    def init_state(self, param):
        return {"square_avg": np.zeros_like(param), "acc_delta": np.zeros_like(param)}

    def apply(self, param, grad, state, step):
        run(_adadelta, param, grad, (state["square_avg"], state["acc_delta"]),
            (self.rho, 1.0 - self.rho, self.eps, self.lr, self.weight_decay, self.maximize))


@element_loop
def _adadelta(param, grad, square_avg, acc_delta, rho, rest, eps, lr, weight_decay, maximize):
    """One Adadelta step per element."""
    for i in elements(param):
        p = param[i]
        g = signed(p, grad[i], maximize, weight_decay)
        v = square_avg[i] * rho + (g * g) * rest
        square_avg[i] = v
        delta = (np.sqrt(acc_delta[i] + eps) / np.sqrt(v + eps)) * g
        acc_delta[i] = acc_delta[i] * rho + (delta * delta) * rest
        param[i] = p - delta * lr
