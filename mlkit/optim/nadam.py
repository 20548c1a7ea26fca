"""NAdam: Adam with Nesterov momentum, its momentum warming up by a schedule of its own."""

from __future__ import annotations

import numpy as np

from mlkit.optim.base import Optimizer
from mlkit.optim.kernel import element_loop, elements, run, signed
from mlkit.options import Fraction, NonNegativeFloat, PositiveFloat, checked


@checked
class NAdam(Optimizer):
    r"""NAdam (Dozat): Adam whose step looks ahead along the momentum, as Nesterov's does.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, weight decay :math:`\lambda`,
    step :math:`t` does

    .. math::

        g &\leftarrow \pm g_t + \lambda \theta_{t-1} \quad (- \text{ if maximize}) \\
        \mu_t &= \beta_1 (1 - 0.96^{t \psi} / 2), \quad \Pi_t = \Pi_{t-1}\,\mu_t \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g, \quad
            v_t = \beta_2 v_{t-1} + (1 - \beta_2) g^2, \quad
            d = \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        \theta_t &= \theta_{t-1} - \gamma \frac{1 - \mu_t}{1 - \Pi_t} \frac{g}{d}
            - \gamma \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} \frac{m_t}{d}

    starting from :math:`m_0 = v_0 = 0`, :math:`\Pi_0 = 1` (:math:`\psi` = ``momentum_decay``).
    The running product :math:`\Pi_t` is state, kept per element (``mu_product``) as PyTorch
    keeps it per parameter, since a schedule may cycle :math:`\beta_1`.

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
    momentum_decay : float
        How fast the momentum warms up, :math:`\psi`, ``>= 0``: :math:`\mu_t` rises from about
        :math:`\beta_1 / 2` towards :math:`\beta_1`.
    decoupled_weight_decay : bool
        Shrink the parameters instead of adding the L2 term to the gradient (NAdamW).
    maximize : bool
        Ascend the objective instead of descending it.
    """

    def __init__(self, lr: PositiveFloat = 2e-3, betas: tuple[Fraction, Fraction] = (0.9, 0.999),
                 eps: NonNegativeFloat = 1e-8, weight_decay: NonNegativeFloat = 0.0,
                 momentum_decay: NonNegativeFloat = 4e-3, decoupled_weight_decay: bool = False,
                 maximize: bool = False):
        super().__init__(lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.momentum_decay, self.decoupled_weight_decay = momentum_decay, decoupled_weight_decay
        self.maximize = maximize

    def init_state(self, param):
        return {"exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param),
                "mu_product": np.ones_like(param)}

    def apply(self, param, grad, state, step):
        beta1, beta2 = self.betas
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * self.momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * self.momentum_decay))
        decoupled = self.decoupled_weight_decay
        run(_nadam, param, grad, (state["exp_avg"], state["exp_avg_sq"], state["mu_product"]),
            (beta1, 1.0 - beta1, beta2, 1.0 - beta2, 1.0 - beta2**step, self.eps, mu,
             mu_next, self.lr * (1.0 - mu), self.lr * mu_next, 1.0,
             1.0 - self.lr * self.weight_decay if decoupled else 1.0,
             0.0 if decoupled else self.weight_decay, self.maximize))


@element_loop
def _nadam(param, grad, exp_avg, exp_avg_sq, mu_product, beta1, rest1, beta2, rest2,
           correction2, eps, mu, mu_next, grad_rate, momentum_rate, one, decay, weight_decay,
           maximize):
    """One NAdam step per element; ``decay != 1`` shrinks the parameter first."""
    for i in elements(param):
        p = param[i]
        if decay != 1.0:
            p = p * decay
        g = signed(p, grad[i], maximize, weight_decay)
        product = mu_product[i] * mu
        mu_product[i] = product
        m = exp_avg[i] * beta1 + g * rest1
        v = exp_avg_sq[i] * beta2 + (g * g) * rest2
        exp_avg[i] = m
        exp_avg_sq[i] = v
        denom = np.sqrt(v / correction2) + eps
        p = p - (g * (grad_rate / (one - product))) / denom
        param[i] = p - (m * (momentum_rate / (one - product * mu_next))) / denom
