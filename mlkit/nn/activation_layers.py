"""Activation functions as modules (for Sequential and MLP), and their names."""

from __future__ import annotations

from typing import Literal

from mlkit.nn import activations as act
from mlkit.nn.module import Module
from mlkit.options import checked

__all__ = ["ACTIVATION_LAYERS", "ELU", "GELU", "Identity", "LeakyReLU", "LogSoftmax", "ReLU",
           "SiLU", "Sigmoid", "Softmax", "Softplus", "Tanh"]


class Identity(Module):
    """Returns its input unchanged."""

    def forward(self, x):
        return x


class ReLU(Module):
    """``max(x, 0)``."""

    def forward(self, x):
        return act.relu(x)


class LeakyReLU(Module):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return act.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return act.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


@checked
class GELU(Module):
    """``x * Phi(x)``; ``approximate`` is ``"tanh"`` or ``"none"`` (exact, with erf)."""

    def __init__(self, approximate: Literal["tanh", "none"] = "tanh"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return act.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """``x * sigmoid(x)``."""

    def forward(self, x):
        return act.silu(x)


class Tanh(Module):
    """The hyperbolic tangent."""

    def forward(self, x):
        return act.tanh(x)


class Sigmoid(Module):
    """The logistic function, stable for large ``|x|``."""

    def forward(self, x):
        return act.sigmoid(x)


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``."""

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta

    def forward(self, x):
        return act.softplus(x, self.beta)

    def extra_repr(self):
        return f"beta={self.beta}"


class Softmax(Module):
    """Softmax along ``axis``."""

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = axis

    def forward(self, x):
        return act.softmax(x, self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """Log-softmax along ``axis``."""

    def forward(self, x):
        return act.log_softmax(x, self.axis)


ACTIVATION_LAYERS = {
    "relu": ReLU, "leaky_relu": LeakyReLU, "elu": ELU, "gelu": GELU, "silu": SiLU,
    "swish": SiLU, "tanh": Tanh, "sigmoid": Sigmoid, "softplus": Softplus, "identity": Identity,
}
ActivationName = Literal[tuple(ACTIVATION_LAYERS)]
"""The names of :data:`ACTIVATION_LAYERS`, as a type."""
