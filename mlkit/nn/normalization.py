"""Normalization layers: LayerNorm and BatchNorm1d (with running statistics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy

import mlkit.numpy as np
from mlkit.extend import getval
from mlkit.nn.init import floating
from mlkit.nn.module import Module
from mlkit.options import PositiveFloat, PositiveInt, Range, checked

__all__ = ["BatchNorm1d", "LayerNorm"]


@checked
class LayerNorm(Module):
    """Normalizes over the last ``len(normalized_shape)`` axes of each sample.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias`` with the biased variance, as
    ``torch.nn.LayerNorm``.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape to normalize over.
    eps : float
        Added to the variance.
    elementwise_affine : bool
        Learn ``weight`` (ones) and ``bias`` (zeros) of ``normalized_shape``.
    dtype : numpy dtype
        Parameter dtype.
    """

    def __init__(self, normalized_shape: PositiveInt | Sequence[PositiveInt],
                 eps: PositiveFloat = 1e-5, elementwise_affine: bool = True, *,
                 dtype=numpy.float32):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(shape)
        self.eps = eps
        dtype = floating(dtype)
        self.weight = self.bias = None
        if elementwise_affine:
            self.weight = numpy.ones(self.normalized_shape, dtype)
            self.bias = numpy.zeros(self.normalized_shape, dtype)

    def forward(self, x):
        k = len(self.normalized_shape)
        if tuple(x.shape[x.ndim - k:]) != self.normalized_shape:
            raise ValueError(f"LayerNorm{self.normalized_shape} got an input of shape "
                             f"{tuple(x.shape)}; its last {k} axes must be "
                             f"{self.normalized_shape}")
        axes = tuple(range(-k, 0))
        centered = x - np.mean(x, axis=axes, keepdims=True)
        var = np.mean(centered * centered, axis=axes, keepdims=True)
        y = centered * (1 / np.sqrt(var + self.eps))
        if self.weight is not None:
            y = y * self.weight + self.bias
        return y

    def extra_repr(self):
        return (f"normalized_shape={self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.weight is not None}")


@checked
class BatchNorm1d(Module):
    """Batch normalization over ``(N, C)`` or ``(N, C, L)`` inputs, as ``torch.nn.BatchNorm1d``.

    In training mode each channel is normalized with the batch mean and biased variance, and
    the running statistics move by ``new = (1 - momentum) * old + momentum * batch`` (with the
    unbiased batch variance for ``running_var``; ``momentum=None`` gives the cumulative
    average). In evaluation mode the running statistics are used.

    Parameters
    ----------
    num_features : int
        The number of channels C.
    eps : float
        Added to the variance.
    momentum : float or None
        Weight of the newest batch in the running statistics.
    affine : bool
        Learn ``weight`` (ones) and ``bias`` (zeros) per channel.
    track_running_stats : bool
        Keep ``running_mean``, ``running_var`` and ``num_batches_tracked`` buffers; without
        them batch statistics are used in both modes.
    dtype : numpy dtype
        Parameter and buffer dtype.
    """

    def __init__(self, num_features: PositiveInt, eps: PositiveFloat = 1e-5,
                 momentum: Annotated[float, Range(ge=0, le=1)] | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 dtype=numpy.float32):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        dtype = floating(dtype)
        self.momentum = momentum
        self.weight = self.bias = None
        if affine:
            self.weight = numpy.ones(self.num_features, dtype)
            self.bias = numpy.zeros(self.num_features, dtype)
        self.track_running_stats = bool(track_running_stats)
        if self.track_running_stats:
            self.register_buffer("running_mean", numpy.zeros(self.num_features, dtype))
            self.register_buffer("running_var", numpy.ones(self.num_features, dtype))
            self.register_buffer("num_batches_tracked", numpy.array(0, numpy.int64))

    def forward(self, x):
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d({self.num_features}) expects inputs of shape "
                             f"(N, {self.num_features}) or (N, {self.num_features}, L), got "
                             f"{tuple(x.shape)}")
        axes = (0,) if x.ndim == 2 else (0, 2)
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            count = x.shape[0] * (1 if x.ndim == 2 else x.shape[2])
            if count < 2:
                raise ValueError("BatchNorm1d needs more than one value per channel in training "
                                 f"mode, got an input of shape {tuple(x.shape)}")
            mean = np.mean(x, axis=axes, keepdims=True)
            centered = x - mean
            var = np.mean(centered * centered, axis=axes, keepdims=True)
            if self.training and self.track_running_stats:
                self._track(getval(mean).reshape(-1), getval(var).reshape(-1), count)
        else:
            shape = (1, -1) if x.ndim == 2 else (1, -1, 1)
            centered = x - self.running_mean.reshape(shape)
            var = self.running_var.reshape(shape)
        y = centered * (1 / np.sqrt(var + self.eps))
        if self.weight is not None:
            if x.ndim == 2:
                y = y * self.weight + self.bias
            else:
                y = y * np.reshape(self.weight, (-1, 1)) + np.reshape(self.bias, (-1, 1))
        return y

    def _track(self, mean, var, count):
        """Move the running statistics towards this batch's (plain arrays, no tracing)."""
        self.num_batches_tracked = numpy.asarray(self.num_batches_tracked + 1)
        m = self.momentum
        if m is None:
            m = 1.0 / float(self.num_batches_tracked)
        dtype = self.running_mean.dtype
        unbiased = var * (count / (count - 1))
        self.running_mean = ((1 - m) * self.running_mean + m * mean).astype(dtype)
        self.running_var = ((1 - m) * self.running_var + m * unbiased).astype(dtype)

    def extra_repr(self):
        return (f"num_features={self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.weight is not None}, "
                f"track_running_stats={self.track_running_stats}")
