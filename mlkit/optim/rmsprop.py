"""RMSprop: steps divided by a running root-mean-square of the gradient."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from mlkit.optim.base import Optimizer
from mlkit.optim.kernel import element_loop, elements, run, signed
from mlkit.options import NonNegativeFloat, PositiveFloat, Range, checked


@checked
class RMSprop(Optimizer):
    r"""RMSprop, optionally centered and with momentum.

    With gradient :math:`g_t`, learning rate :math:`\gamma`, smoothing :math:`\alpha`, weight
    decay :math:`\lambda` and momentum :math:`\mu`, step :math:`t` does

    .. math::

        g &\leftarrow \pm g_t + \lambda \theta_{t-1} \quad (- \text{ if maximize}) \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g, \quad
            \tilde v_t = v_t - \bar g_t^2 \text{ if centered else } v_t \\
        b_t &= \mu b_{t-1} + g / (\sqrt{\tilde v_t} + \epsilon), \quad
            \theta_t = \theta_{t-1} - \gamma b_t \quad \text{if } \mu > 0 \\
        \theta_t &= \theta_{t-1} - \gamma g / (\sqrt{\tilde v_t} + \epsilon) \quad \text{otherwise}

    starting from :math:`v_0 = \bar g_0 = b_0 = 0`. Centering divides by an estimate of the
    gradient's variance instead of its second moment.

    Parameters
    ----------
    lr : float
        Learning rate, ``> 0``.
    alpha : float
        Smoothing constant :math:`\alpha`, in ``[0, 1]``.
    eps : float
        Added to the denominator for stability, ``>= 0``.
    weight_decay : float
        L2 penalty :math:`\lambda`, ``>= 0``, added to the gradient.
    momentum : float
        Momentum factor :math:`\mu`, ``>= 0``.
    centered : bool
        Normalise by the estimated variance rather than the second moment.
    maximize : bool
        Ascend the objective instead of descending it.
    """

    def __init__(self, lr: PositiveFloat = 1e-2, alpha: Annotated[float, Range(ge=0, le=1)] = 0.99,
                 eps: NonNegativeFloat = 1e-8, weight_decay: NonNegativeFloat = 0.0,
                 momentum: NonNegativeFloat = 0.0, centered: bool = False, maximize: bool = False):
        super().__init__(lr)
        self.alpha, self.eps, self.weight_decay, self.momentum = alpha, eps, weight_decay, momentum
        self.centered, self.maximize = centered, maximize

    def init_state(self, param):
        state = {"square_avg": np.zeros_like(param)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(param)
        if self.momentum != 0.0:
            state["momentum_buffer"] = np.zeros_like(param)
        return state

    def apply(self, param, grad, state, step):
        run(_rmsprop, param, grad,
            (state["square_avg"], state.get("grad_avg"), state.get("momentum_buffer")),
            (self.lr, self.alpha, 1.0 - self.alpha, self.eps, self.momentum != 0.0, self.momentum,
             self.centered, self.weight_decay, self.maximize))


@element_loop
def _rmsprop(param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, rest, eps,
             use_momentum, momentum, centered, weight_decay, maximize):
    """One RMSprop step per element; options left out leave their (empty) states alone."""
    for i in elements(param):
        p = param[i]
        g = signed(p, grad[i], maximize, weight_decay)
        v = square_avg[i] * alpha + (g * g) * rest
        square_avg[i] = v
        if centered:
            mean = grad_avg[i] * alpha + g * rest
            grad_avg[i] = mean
            v = v - mean * mean
        scaled = g / (np.sqrt(v) + eps)
        if use_momentum:
            scaled = momentum_buffer[i] * momentum + scaled
            momentum_buffer[i] = scaled
        param[i] = p - scaled * lr
