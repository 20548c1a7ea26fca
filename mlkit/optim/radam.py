"""RAdam: Adam whose adaptive step is switched on, and rectified, once its variance is known."""

from __future__ import annotations

import math

import numpy as np

from mlkit.optim.base import Optimizer
from mlkit.optim.kernel import element_loop, elements, run, signed
from mlkit.options import Fraction, NonNegativeFloat, PositiveFloat, checked


@checked
class RAdam(Optimizer):
    r"""RAdam (Liu et al.): Adam without a warmup, its early steps plain momentum steps.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, weight decay :math:`\lambda`,
    step :math:`t` does

    .. math::

        g &\leftarrow \pm g_t + \lambda \theta_{t-1} \quad (- \text{ if maximize}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g, \quad
            v_t = \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
        \rho_\infty &= 2 / (1 - \beta_2) - 1, \quad
            \rho_t = \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \gamma \frac{m_t}{1 - \beta_1^t}
            \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon} r_t \quad \text{if }
            \rho_t > 5, \text{ else } \theta_{t-1} - \gamma \frac{m_t}{1 - \beta_1^t}

    with :math:`r_t = \sqrt{(\rho_t - 4)(\rho_t - 2)\rho_\infty /
    ((\rho_\infty - 4)(\rho_\infty - 2)\rho_t)}`, starting from :math:`m_0 = v_0 = 0`.

    Parameters
    ----------
    lr : float
        Learning rate, ``> 0``.
    betas : tuple of float
        Decay rates :math:`(\beta_1, \beta_2)`, each in ``[0, 1)``.
    eps : float
        Added to the denominator for stability, ``>= 0``.
    weight_decay : float
        Weight decay :math:`\lambda`, ``>= 0``: an L2 penalty added to the gradient, or with
        ``decoupled_weight_decay`` a shrink by ``lr * weight_decay`` each step (as AdamW).
    decoupled_weight_decay : bool
        Shrink the parameters instead of adding the L2 term to the gradient.
    maximize : bool
        Ascend the objective instead of descending it.
    """

    def __init__(self, lr: PositiveFloat = 1e-3, betas: tuple[Fraction, Fraction] = (0.9, 0.999),
                 eps: NonNegativeFloat = 1e-8, weight_decay: NonNegativeFloat = 0.0,
                 decoupled_weight_decay: bool = False, maximize: bool = False):
        super().__init__(lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.decoupled_weight_decay, self.maximize = decoupled_weight_decay, maximize

    def init_state(self, param):
        return {"exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}

    def apply(self, param, grad, state, step):
        beta1, beta2 = self.betas
        correction2 = 1.0 - beta2**step
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho = rho_inf - 2.0 * step * beta2**step / correction2
        rectified = rho > 5.0
        rect = math.sqrt((rho - 4.0) * (rho - 2.0) * rho_inf
                         / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho)) if rectified else 1.0
        decoupled = self.decoupled_weight_decay
        run(_radam, param, grad, (state["exp_avg"], state["exp_avg_sq"]),
            (beta1, 1.0 - beta1, beta2, 1.0 - beta2, 1.0 - beta1**step, self.lr,
             math.sqrt(correction2), self.eps, rect, rectified,
             1.0 - self.lr * self.weight_decay if decoupled else 1.0,
             0.0 if decoupled else self.weight_decay, self.maximize))


@element_loop
def _radam(param, grad, exp_avg, exp_avg_sq, beta1, rest1, beta2, rest2, correction1, lr,
           root_correction2, eps, rect, rectified, decay, weight_decay, maximize):
    """One RAdam step per element; ``decay != 1`` shrinks the parameter first."""
    for i in elements(param):
        p = param[i]
        if decay != 1.0:
            p = p * decay
        g = signed(p, grad[i], maximize, weight_decay)
        m = exp_avg[i] * beta1 + g * rest1
        v = exp_avg_sq[i] * beta2 + (g * g) * rest2
        exp_avg[i] = m
        exp_avg_sq[i] = v
        move = (m / correction1) * lr
        if rectified:
            move = (move * (root_correction2 / (np.sqrt(v) + eps))) * rect
        param[i] = p - move
