"""Optimizers, learning-rate schedules and gradient clipping over parameter trees."""

from mlkit.optim.adagrad import Adagrad as Adagrad
from mlkit.optim.adam import Adam as Adam
from mlkit.optim.adam import AdamW as AdamW
from mlkit.optim.base import Optimizer as Optimizer
from mlkit.optim.clipping import clip_grad_norm as clip_grad_norm
from mlkit.optim.clipping import clip_grad_value as clip_grad_value
from mlkit.optim.lbfgs import LBFGS as LBFGS
from mlkit.optim.rmsprop import RMSprop as RMSprop
from mlkit.optim.sgd import SGD as SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "LBFGS",
    "clip_grad_norm",
    "clip_grad_value",
]
