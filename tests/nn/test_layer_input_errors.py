"""Inputs a layer cannot take are refused by the layer, by name, not deep inside numpy."""

import re

import numpy
import pytest

import mlkit
import mlkit.numpy as np
from mlkit import nn


@pytest.mark.parametrize("shape", [(2, 5), (5,), ()])
def test_linear_names_itself_and_the_width_it_needs(shape):
    layer = nn.Linear(4, 3, rng=0)
    expected = (r"Linear\(in_features=4, out_features=3, bias=True\) got an input of shape "
                f"{re.escape(str(shape))}.*the 4 input features")
    with pytest.raises(ValueError, match=expected):
        layer(numpy.ones(shape, numpy.float32))


def test_linear_checks_traced_inputs_too_and_takes_any_leading_axes():
    layer = nn.Linear(4, 3, bias=False, rng=0)
    with pytest.raises(ValueError, match=r"shape \(2, 3\)"):
        mlkit.grad(lambda x: np.sum(layer(x)))(numpy.ones((2, 3)))
    x = numpy.arange(24.0).reshape(2, 3, 4)
    numpy.testing.assert_allclose(layer(x), x @ layer.weight, rtol=1e-6)


def test_sequential_refuses_a_layer_that_cannot_be_called():
    with pytest.raises(TypeError, match=r"layer 1 is a str \('relu'\).*nn.ReLU\(\)"):
        nn.Sequential(nn.Linear(4, 3), "relu")


@pytest.mark.parametrize("make", [
    lambda dtype: nn.Linear(3, 2, dtype=dtype),
    lambda dtype: nn.MLP(3, [4], 2, dtype=dtype),
    lambda dtype: nn.Embedding(5, 2, dtype=dtype),
    lambda dtype: nn.BatchNorm1d(3, dtype=dtype),
    lambda dtype: nn.LayerNorm(3, dtype=dtype),
])
@pytest.mark.parametrize("dtype", ["abc", "1e-3", [1, 2], numpy.int64])
def test_a_layer_names_its_dtype_argument_when_it_is_no_float_type(make, dtype):
    with pytest.raises(TypeError, match=r"dtype must be a floating-point dtype such as "
                                        r"numpy.float32 or numpy.float64, got "):
        make(dtype)
    assert next(iter(make(numpy.float64).state_dict().values())).dtype == numpy.float64


@pytest.mark.parametrize("make, where", [
    (lambda: nn.Embedding(0, 2), "Embedding: num_embeddings must be an integer >= 1, got 0"),
    (lambda: nn.Embedding(5, "3"), "Embedding: embedding_dim must be an integer >= 1, got '3'"),
    (lambda: nn.Embedding(5, float("inf")), "Embedding: embedding_dim must be an integer"),
    (lambda: nn.BatchNorm1d(-2), "BatchNorm1d: num_features must be an integer >= 1, got -2"),
    (lambda: nn.BatchNorm1d(3, eps=float("nan")), "BatchNorm1d: eps must be a finite number > 0"),
    (lambda: nn.BatchNorm1d(3, momentum=2.0), "BatchNorm1d: momentum must be a finite number in"),
    (lambda: nn.LayerNorm([3, "x"]), "LayerNorm: normalized_shape must be an integer >= 1 or"),
    (lambda: nn.LayerNorm(3, eps=-1e-5), "LayerNorm: eps must be a finite number > 0"),
    (lambda: nn.Linear(3, 2, rng=-1), "rng: a seed must be an int >= 0, got -1"),
    (lambda: nn.Dropout(0.5, rng=-3), "rng: a seed must be an int >= 0, got -3"),
])
def test_layer_sizes_eps_and_seeds_are_checked_at_the_call(make, where):
    with pytest.raises((TypeError, ValueError), match=re.escape(where)):
        make()
