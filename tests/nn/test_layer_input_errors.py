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
