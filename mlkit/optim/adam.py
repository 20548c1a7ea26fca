"""Adam and AdamW: bias-corrected moment estimates, with L2 or decoupled weight decay."""

from __future__ import annotations

import math

import numpy as np

from mlkit.optim.base import Optimizer
from mlkit.optim.kernel import element_loop, elements, run, signed
from mlkit.options import Fraction, NonNegativeFloat, PositiveFloat, checked


@checked
class Adam(Optimizer):
    r"""Adam: steps scaled by running estimates of the gradient's first two moments.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, weight decay :math:`\lambda`,
    step :math:`t` does

    .. math::

        g &\leftarrow \pm g_t + \lambda \theta_{t-1} \quad (- \text{ if maximize}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ if amsgrad else } v_t \\
        \theta_t &= \theta_{t-1} - \gamma \frac{m_t / (1 - \beta_1^t)}
                    {\sqrt{\hat v_t / (1 - \beta_2^t)} + \epsilon}

    starting from :math:`m_0 = v_0 = \hat v_0 = 0`. The bias corrections undo the pull of the
    zero start, so early steps have the intended size.

    Parameters
    ----------
    lr : float
        Learning rate, ``> 0``.
    betas : tuple of float
        Decay rates :math:`(\beta_1, \beta_2)`, each in ``[0, 1)``.
    eps : float
        Added to the denominator for stability, ``>= 0``.
    weight_decay : float
        L2 penalty :math:`\lambda`, ``>= 0``, added to the gradient.
    amsgrad : bool
        Use the running maximum of :math:`v_t` (AMSGrad), so step sizes never grow back.
    maximize : bool
        Ascend the objective instead of descending it.
    """

    _decoupled = False

    def __init__(self, lr: PositiveFloat = 1e-3, betas: tuple[Fraction, Fraction] = (0.9, 0.999),
                 eps: NonNegativeFloat = 1e-8, weight_decay: NonNegativeFloat = 0.0,
                 amsgrad: bool = False, maximize: bool = False):
        super().__init__(lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.amsgrad, self.maximize = amsgrad, maximize

    def init_state(self, param):
        state = {"exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    def apply(self, param, grad, state, step):
        beta1, beta2 = self.betas
        decay = 1.0 - self.lr * self.weight_decay if self._decoupled else 1.0
        run(_adam, param, grad,
            (state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq")),
            (beta1, 1.0 - beta1, beta2, 1.0 - beta2, math.sqrt(1.0 - beta2**step), self.eps,
             self.lr / (1.0 - beta1**step), decay, 0.0 if self._decoupled else self.weight_decay,
             self.maximize, self.amsgrad))


@element_loop
def _adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, beta1, rest1, beta2, rest2,
          root_correction2, eps, step_size, decay, weight_decay, maximize, amsgrad):
    """One Adam step per element; ``decay != 1`` shrinks the parameter first (AdamW)."""
    for i in elements(param):
        p = param[i]
        if decay != 1.0:
            p = p * decay
        g = signed(p, grad[i], maximize, weight_decay)
        m = exp_avg[i] * beta1 + g * rest1
        v = exp_avg_sq[i] * beta2 + (g * g) * rest2
        exp_avg[i] = m
        exp_avg_sq[i] = v
        if amsgrad:
            v = np.maximum(max_exp_avg_sq[i], v)
            max_exp_avg_sq[i] = v
        param[i] = p - (m * step_size) / (np.sqrt(v) / root_correction2 + eps)


@checked
class AdamW(Adam):
    r"""Adam with decoupled weight decay: the decay shrinks the weights, not the gradient.

    Step :math:`t` first does :math:`\theta \leftarrow \theta_{t-1}(1 - \gamma\lambda)`, then
    the :class:`Adam` update of :math:`\theta` with :math:`g = \pm g_t` (no L2 term), so the decay
    is not rescaled by the adaptive denominator.

    Parameters are those of :class:`Adam`, except:

    Parameters
    ----------
    weight_decay : float
        Decoupled decay, ``>= 0``: parameters shrink by ``lr * weight_decay`` each step.
    """

    _decoupled = True

    def __init__(self, lr: PositiveFloat = 1e-3, betas: tuple[Fraction, Fraction] = (0.9, 0.999),
                 eps: NonNegativeFloat = 1e-8, weight_decay: NonNegativeFloat = 1e-2,
                 amsgrad: bool = False, maximize: bool = False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad, maximize)
