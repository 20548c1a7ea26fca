"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square."""

from __future__ import annotations

import numpy as np

from mlkit.optim.base import Optimizer
from mlkit.optim.kernel import element_loop, elements, run, signed
from mlkit.options import Fraction, NonNegativeFloat, PositiveFloat, checked


@checked
class Adamax(Optimizer):
    r"""Adamax (Kingma and Ba): steps scaled by a decaying maximum of the gradient's size.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, weight decay :math:`\lambda`,
    step :math:`t` does

    .. math::

        g &\leftarrow \pm g_t + \lambda \theta_{t-1} \quad (- \text{ if maximize}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g, \quad
            u_t = \max(\beta_2 u_{t-1}, |g| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \frac{m_t}{u_t}

    starting from :math:`m_0 = u_0 = 0`. The maximum needs no bias correction.

    Parameters
    ----------
    lr : float
        Learning rate, ``> 0``.
    betas : tuple of float
        Decay rates :math:`(\beta_1, \beta_2)`, each in ``[0, 1)``.
    eps : float
        Added to the gradient's size for stability, ``>= 0``.
    weight_decay : float
        L2 penalty :math:`\lambda`, ``>= 0``, added to the gradient.
    maximize : bool
        Ascend the objective instead of descending it.
    """

    def __init__(self, lr: PositiveFloat = 2e-3, betas: tuple[Fraction, Fraction] = (0.9, 0.999),
                 eps: NonNegativeFloat = 1e-8, weight_decay: NonNegativeFloat = 0.0,
                 maximize: bool = False):
        super().__init__(lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.maximize = maximize

    def init_state(self, param):
        return {"exp_avg": np.zeros_like(param), "exp_inf": np.zeros_like(param)}

    def apply(self, param, grad, state, step):
        beta1, beta2 = self.betas
        run(_adamax, param, grad, (state["exp_avg"], state["exp_inf"]),
            (beta1, 1.0 - beta1, beta2, self.eps, self.lr / (1.0 - beta1**step),
             self.weight_decay, self.maximize))


@element_loop
def _adamax(param, grad, exp_avg, exp_inf, beta1, rest1, beta2, eps, step_lr, weight_decay,
            maximize):
    """One Adamax step per element."""
    for i in elements(param):
        p = param[i]
        g = signed(p, grad[i], maximize, weight_decay)
        m = exp_avg[i] * beta1 + g * rest1
        u = np.maximum(exp_inf[i] * beta2, np.abs(g) + eps)
        exp_avg[i] = m
        exp_inf[i] = u
        param[i] = p - (m * step_lr) / u
