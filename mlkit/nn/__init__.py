"""Modules, layers, initializers and losses built on mlkit.numpy.

``Module`` is a tree of parameter arrays; ``value_and_grad(model, loss_fn)`` differentiates a
loss with respect to that tree; any optimizer of :mod:`mlkit.optim` then updates the model.
"""

from mlkit.nn import init as init
from mlkit.nn.activation_layers import ELU as ELU
from mlkit.nn.activation_layers import GELU as GELU
from mlkit.nn.activation_layers import Identity as Identity
from mlkit.nn.activation_layers import LeakyReLU as LeakyReLU
from mlkit.nn.activation_layers import LogSoftmax as LogSoftmax
from mlkit.nn.activation_layers import ReLU as ReLU
from mlkit.nn.activation_layers import Sigmoid as Sigmoid
from mlkit.nn.activation_layers import SiLU as SiLU
from mlkit.nn.activation_layers import Softmax as Softmax
from mlkit.nn.activation_layers import Softplus as Softplus
from mlkit.nn.activation_layers import Tanh as Tanh
from mlkit.nn.activations import elu as elu
from mlkit.nn.activations import gelu as gelu
from mlkit.nn.activations import get_activation as get_activation
from mlkit.nn.activations import leaky_relu as leaky_relu
from mlkit.nn.activations import log_softmax as log_softmax
from mlkit.nn.activations import relu as relu
from mlkit.nn.activations import sigmoid as sigmoid
from mlkit.nn.activations import silu as silu
from mlkit.nn.activations import softmax as softmax
from mlkit.nn.activations import softplus as softplus
from mlkit.nn.activations import tanh as tanh
from mlkit.nn.grad import Trainable as Trainable
from mlkit.nn.grad import value_and_grad as value_and_grad
from mlkit.nn.layers import MLP as MLP
from mlkit.nn.layers import Dropout as Dropout
from mlkit.nn.layers import Embedding as Embedding
from mlkit.nn.layers import Linear as Linear
from mlkit.nn.layers import Sequential as Sequential
from mlkit.nn.losses import binary_cross_entropy as binary_cross_entropy
from mlkit.nn.losses import binary_cross_entropy_with_logits as binary_cross_entropy_with_logits
from mlkit.nn.losses import cross_entropy as cross_entropy
from mlkit.nn.losses import hinge_loss as hinge_loss
from mlkit.nn.losses import huber_loss as huber_loss
from mlkit.nn.losses import l1_loss as l1_loss
from mlkit.nn.losses import l1_penalty as l1_penalty
from mlkit.nn.losses import l2_penalty as l2_penalty
from mlkit.nn.losses import mse_loss as mse_loss
from mlkit.nn.losses import nll_loss as nll_loss
from mlkit.nn.losses import weight_penalty as weight_penalty
from mlkit.nn.module import Module as Module
from mlkit.nn.normalization import BatchNorm1d as BatchNorm1d
from mlkit.nn.normalization import LayerNorm as LayerNorm

__all__ = ["ELU", "GELU", "MLP", "BatchNorm1d", "Dropout", "Embedding", "Identity", "LayerNorm",
           "LeakyReLU", "Linear", "LogSoftmax", "Module", "ReLU", "Sequential", "SiLU", "Sigmoid",
           "Softmax", "Softplus", "Tanh", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "elu", "gelu", "get_activation",
           "hinge_loss", "huber_loss", "init", "l1_loss", "l1_penalty", "l2_penalty", "leaky_relu",
           "log_softmax", "mse_loss", "nll_loss", "relu", "sigmoid", "silu", "softmax", "softplus",
           "tanh", "weight_penalty", "Trainable", "value_and_grad"]
