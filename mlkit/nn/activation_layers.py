"""Activation functions as modules (for Sequential and MLP), and their names."""

from __future__ import annotations

from typing import Literal

from mlkit.nn import activations as act
from mlkit.nn.module import Module
from mlkit.options import checked

__all__ = ["ACTIVATION_LAYERS", "ELU", "GELU", "Identity", "LeakyReLU", "LogSoftmax", "ReLU",
           "SiLU", "Sigmoid", "Softmax", "Softplus", "Tanh"]


class _Activation(Module):
    """An activation function as a layer: ``function(x, *options)``, its options attributes
    named in ``options`` (and shown in ``repr``)."""

    function = staticmethod(lambda x: x)
    options: tuple[str, ...] = ()

    def forward(self, x):
        return self.function(x, *[getattr(self, name) for name in self.options])

    def extra_repr(self):
        return ", ".join(f"{name}={getattr(self, name)!r}" for name in self.options)


class Identity(_Activation):
    """Returns its input unchanged."""


class ReLU(_Activation):
    """``max(x, 0)``."""

    function = staticmethod(act.relu)


class LeakyReLU(_Activation):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""

    function = staticmethod(act.leaky_relu)
    options = ("negative_slope",)

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope


class ELU(_Activation):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""

    function = staticmethod(act.elu)
    options = ("alpha",)

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha


@checked
class GELU(_Activation):
    """``x * Phi(x)``; ``approximate`` is ``"tanh"`` or ``"none"`` (exact, with erf)."""

    function = staticmethod(act.gelu)
    options = ("approximate",)

    def __init__(self, approximate: Literal["tanh", "none"] = "tanh"):
        super().__init__()
        self.approximate = approximate


class SiLU(_Activation):
    """``x * sigmoid(x)``."""

    function = staticmethod(act.silu)


class Tanh(_Activation):
    """The hyperbolic tangent."""

    function = staticmethod(act.tanh)


class Sigmoid(_Activation):
    """The logistic function, stable for large ``|x|``."""

    function = staticmethod(act.sigmoid)


class Softplus(_Activation):
    """``log(1 + exp(beta x)) / beta``."""

    function = staticmethod(act.softplus)
    options = ("beta",)

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta


class Softmax(_Activation):
    """Softmax along ``axis``."""

    function = staticmethod(act.softmax)
    options = ("axis",)

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = axis


class LogSoftmax(Softmax):
    """Log-softmax along ``axis``."""

    function = staticmethod(act.log_softmax)


ACTIVATION_LAYERS = {
    "relu": ReLU, "leaky_relu": LeakyReLU, "elu": ELU, "gelu": GELU, "silu": SiLU,
    "swish": SiLU, "tanh": Tanh, "sigmoid": Sigmoid, "softplus": Softplus, "identity": Identity,
}
ActivationName = Literal[tuple(ACTIVATION_LAYERS)]
"""The names of :data:`ACTIVATION_LAYERS`, as a type."""
