"""Adagrad: per-coordinate steps shrinking with the accumulated squared gradient."""

from __future__ import annotations

import numpy as np

from mlkit.optim.base import Optimizer
from mlkit.optim.kernel import element_loop, elements, run, signed
from mlkit.options import NonNegativeFloat, PositiveFloat, checked


@checked
class Adagrad(Optimizer):
    r"""Adagrad, with optional learning-rate decay and weight decay.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, decay :math:`\eta` and weight decay
    :math:`\lambda`, step :math:`t` does

    .. math::

        g &\leftarrow \pm g_t + \lambda \theta_{t-1} \quad (- \text{ if maximize}) \\
        \tilde\gamma &= \gamma / (1 + (t - 1) \eta) \\
        s_t &= s_{t-1} + g^2 \\
        \theta_t &= \theta_{t-1} - \tilde\gamma \, g / (\sqrt{s_t} + \epsilon)

    starting from :math:`s_0` = ``initial_accumulator_value``. Coordinates that have seen
    large gradients take smaller steps.

    Parameters
    ----------
    lr : float
        Learning rate, ``> 0``.
    lr_decay : float
        Decay :math:`\eta` of the learning rate with the step count, ``>= 0``.
    weight_decay : float
        L2 penalty :math:`\lambda`, ``>= 0``, added to the gradient.
    initial_accumulator_value : float
        Start value of the sum of squares, ``>= 0``.
    eps : float
        Added to the denominator for stability, ``>= 0``.
    maximize : bool
        Ascend the objective instead of descending it.
    """

    def __init__(self, lr: PositiveFloat = 1e-2, lr_decay: NonNegativeFloat = 0.0,
                 weight_decay: NonNegativeFloat = 0.0,
                 initial_accumulator_value: NonNegativeFloat = 0.0, eps: NonNegativeFloat = 1e-10,
                 maximize: bool = False):
        super().__init__(lr)
        self.lr_decay, self.weight_decay, self.eps = lr_decay, weight_decay, eps
        self.initial_accumulator_value, self.maximize = initial_accumulator_value, maximize

    def init_state(self, param):
        return {"sum": np.full_like(param, self.initial_accumulator_value)}

    def apply(self, param, grad, state, step):
        run(_adagrad, param, grad, (state["sum"],),
            (self.lr / (1.0 + (step - 1) * self.lr_decay), self.eps, self.weight_decay,
             self.maximize))


@element_loop
def _adagrad(param, grad, total, step_lr, eps, weight_decay, maximize):
    """One Adagrad step per element."""
    for i in elements(param):
        p = param[i]
        g = signed(p, grad[i], maximize, weight_decay)
        s = total[i] + g * g
        total[i] = s
        param[i] = p - (g / (np.sqrt(s) + eps)) * step_lr
