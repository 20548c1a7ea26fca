"""Layers: Linear, Sequential, MLP, Identity, Dropout and Embedding.

Weights are stored as ``(in, out)`` so that Linear computes ``x @ W + b`` with no transpose.
Randomness comes from an explicit ``rng`` (a Generator or an int seed); equal seeds give
equal layers bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Annotated

import numpy

import mlkit.numpy as np
from mlkit.extend import defjvp, defvjp, draw, primitive
from mlkit.nn.activation_layers import ACTIVATION_LAYERS, ActivationName, Identity
from mlkit.nn.init import InitName, as_rng, floating, get_initializer, uniform
from mlkit.nn.module import Module
from mlkit.nn.normalization import BatchNorm1d
from mlkit.options import Fraction, PositiveInt, Range, checked

__all__ = ["MLP", "Dropout", "Embedding", "Identity", "Linear", "Sequential"]


@primitive
def _affine(x, weight, bias):
    """``x @ weight + bias`` as one recorded op (half the per-op cost of two)."""
    y = x @ weight
    y += bias
    return y


def _as_matrix(a, width):
    return a if len(a.shape) == 2 else np.reshape(a, (-1, width))


def _leading_axes(g):
    return tuple(range(len(g.shape) - 1))


defvjp(_affine,
       lambda ans, x, weight, bias: lambda g: np.matmul(g, np.transpose(weight)),
       lambda ans, x, weight, bias: lambda g: np.matmul(
           np.transpose(_as_matrix(x, weight.shape[0])), _as_matrix(g, weight.shape[1])),
       lambda ans, x, weight, bias: lambda g: np.sum(g, axis=_leading_axes(g)))
defjvp(_affine,
       lambda t, ans, x, weight, bias: np.matmul(t, weight),
       lambda t, ans, x, weight, bias: np.matmul(x, t),
       lambda t, ans, x, weight, bias: np.broadcast_to(t, ans.shape))


@checked
class Linear(Module):
    """``y = x @ weight + bias`` with ``weight`` of shape ``(in_features, out_features)``.

    Parameters
    ----------
    in_features, out_features : int
        Input and output sizes.
    bias : bool
        Learn an additive bias.
    init : str or callable
        Weight initializer: a name in :data:`mlkit.nn.init.INITIALIZERS` or
        ``f(rng, shape, dtype)``. ``"default"`` is PyTorch's U(-1/sqrt(in), 1/sqrt(in)) for the
        weight and the bias; with any other initializer the bias starts at zero.
    rng : numpy.random.Generator, int or None
        Source of the random draws (None: fresh entropy).
    dtype : numpy dtype
        Parameter dtype; raw inputs of another dtype are cast to it.
    """

    def __init__(self, in_features: PositiveInt, out_features: PositiveInt, bias: bool = True, *,
                 init: InitName | Callable = "default", rng=None, dtype=numpy.float32):
        super().__init__()
        rng = as_rng(rng)
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.weight = get_initializer(init)(rng, (self.in_features, self.out_features), dtype)
        self.bias = None
        if bias:
            if init == "default":
                bound = 1.0 / math.sqrt(self.in_features)
                self.bias = uniform(rng, (self.out_features,), dtype, low=-bound, high=bound)
            else:
                self.bias = numpy.zeros(self.out_features, dtype)

    def forward(self, x):
        weight = self.weight
        dtype = getattr(x, "dtype", weight.dtype)
        if dtype != weight.dtype:  # traced or not, so that jit replays what eager computes
            x = x.astype(weight.dtype)
        try:
            return x @ weight if self.bias is None else _affine(x, weight, self.bias)
        except ValueError:  # checked only on failure: the width test is off the hot path
            shape = getattr(x, "shape", None)
            if shape is not None and (not shape or shape[-1] != weight.shape[0]):
                raise ValueError(
                    f"Linear({self.extra_repr()}) got an input of shape {shape}; its last axis "
                    f"must have the {weight.shape[0]} input features") from None
            raise

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Sequential(Module):
    """Applies ``layers`` in order; plain functions (such as ``nn.relu``) may be mixed in.

    Indexing, ``len`` and iteration go over the layers; ``layers.<i>`` names their parameters.
    """

    def __init__(self, *layers):
        super().__init__()
        for index, layer in enumerate(layers):
            if not callable(layer):
                raise TypeError(f"Sequential: layer {index} is a {type(layer).__name__} "
                                f"({layer!r}), not a module or function; use a layer such as "
                                "nn.ReLU() or a function such as nn.get_activation('relu')")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)


@checked
class MLP(Sequential):
    """A multilayer perceptron: per hidden size, Linear -> [BatchNorm1d] -> activation ->
    [Dropout]; then a final Linear. A :class:`Sequential` of those layers.

    Parameters
    ----------
    in_features, out_features : int
        Input and output sizes.
    hidden_sizes : sequence of int
        Width of each hidden layer (empty: a single Linear).
    activation : str or Module class
        An activation's name (``"relu"``, ``"tanh"``, ...: the keys of
        :data:`ACTIVATION_LAYERS`) or, from Python, a Module class.
    dropout : float
        Dropout probability after each hidden activation, in ``[0, 1)`` (0: no Dropout
        layers; 1 would leave the output layer nothing but its bias to learn from).
    batch_norm : bool
        Insert BatchNorm1d before each hidden activation.
    init : str or callable
        Weight initializer of the Linear layers (see :class:`Linear`).
    rng : numpy.random.Generator, int or None
        One generator used, in order, for every layer's initialization and for dropout.
    dtype : numpy dtype
        Parameter dtype.
    """

    def __init__(self, in_features: PositiveInt, hidden_sizes: Sequence[PositiveInt],
                 out_features: PositiveInt,
                 activation: ActivationName | type[Module] = "relu", dropout: Fraction = 0.0,
                 batch_norm: bool = False, *, init: InitName | Callable = "default", rng=None,
                 dtype=numpy.float32):
        rng = as_rng(rng)
        make_activation = ACTIVATION_LAYERS.get(activation, activation)  # a name or a class
        hidden_sizes = tuple(int(h) for h in hidden_sizes)
        layers, width = [], int(in_features)
        for hidden in hidden_sizes:
            layers.append(Linear(width, hidden, init=init, rng=rng, dtype=dtype))
            if batch_norm:
                layers.append(BatchNorm1d(hidden, dtype=dtype))
            layers.append(make_activation())
            if dropout:
                layers.append(Dropout(dropout, rng=rng))
            width = hidden
        layers.append(Linear(width, int(out_features), init=init, rng=rng, dtype=dtype))
        super().__init__(*layers)
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.hidden_sizes = hidden_sizes
        self.activation = activation if isinstance(activation, str) else activation.__name__

    def extra_repr(self):
        return (f"in_features={self.in_features}, hidden_sizes={self.hidden_sizes}, "
                f"out_features={self.out_features}, activation={self.activation!r}")


@checked
class Dropout(Module):
    """Zeroes each element with probability ``p`` in training mode and scales the rest by
    ``1 / (1 - p)`` (inverted dropout); the identity in evaluation mode.

    Parameters
    ----------
    p : float
        Drop probability in ``[0, 1]``.
    rng : numpy.random.Generator, int or None
        The layer's own generator; ``forward(x, rng=...)`` may pass another for one call.
    """

    def __init__(self, p: Annotated[float, Range(ge=0, le=1)] = 0.5, *, rng=None):
        super().__init__()
        self.p = p
        self.rng = as_rng(rng)

    def forward(self, x, rng=None):
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0
        # float32 stays float32; other inputs (integers too: a scale cast to int 1 left
        # them unscaled) come out in float64.
        kind = numpy.float32 if x.dtype == numpy.float32 else numpy.float64
        # A draw, not a constant: under mlkit.jit each replay draws a fresh mask.
        keep = draw((rng or self.rng).random, x.shape, dtype=kind) >= self.p
        return x * (keep * numpy.asarray(1.0 / (1.0 - self.p), kind))

    def extra_repr(self):
        return f"p={self.p}"


@checked
class Embedding(Module):
    """A lookup table: ``forward(indices)`` returns ``weight[indices]``.

    Parameters
    ----------
    num_embeddings, embedding_dim : int
        Table size and vector size; ``weight`` has shape ``(num_embeddings, embedding_dim)``.
    rng, dtype
        As for :class:`Linear`; the table starts as N(0, 1) draws (PyTorch's default).
    """

    def __init__(self, num_embeddings: PositiveInt, embedding_dim: PositiveInt, *, rng=None,
                 dtype=numpy.float32):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        shape = (self.num_embeddings, self.embedding_dim)
        self.weight = as_rng(rng).standard_normal(shape).astype(floating(dtype))

    def forward(self, indices):
        indices = numpy.asarray(indices)
        if indices.dtype.kind not in "iu":
            raise TypeError(f"Embedding expects integer indices, got dtype {indices.dtype}")
        if indices.size and not 0 <= indices.min() <= indices.max() < self.num_embeddings:
            # numpy would read -1 as the last row, silently (PyTorch refuses it too)
            raise IndexError(f"Embedding({self.num_embeddings}, {self.embedding_dim}): indices "
                             f"must be in [0, {self.num_embeddings}), got values from "
                             f"{indices.min()} to {indices.max()}; map padding or unknown "
                             "tokens to a row of their own")
        return self.weight[indices]

    def extra_repr(self):
        return f"num_embeddings={self.num_embeddings}, embedding_dim={self.embedding_dim}"
