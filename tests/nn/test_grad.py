"""nn.value_and_grad: gradients shaped like the trainable tree, originals restored, aux."""

import numpy
import pytest

import mlkit
import mlkit.numpy as np
from mlkit import nn
from mlkit.numpy import ArrayBox


class Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = numpy.array([1.0, 2.0])
        self.items = [numpy.array(3.0), (numpy.array([0.5]), numpy.array([-1.0]))]
        self.unused = numpy.ones(3, numpy.float32)

    def forward(self, x):
        a, b = self.items[1]
        return np.sum(self.w * x) * self.items[0] + np.sum(a * b)


def test_gradient_matches_the_engine_on_the_parameter_tree():
    model = Pair()
    x = numpy.array([0.3, -0.7])
    loss, grads = nn.value_and_grad(model, lambda x: model(x))(x)

    def as_function(w, s, a, b):
        return np.sum(w * x) * s + np.sum(a * b)

    args = (model.w, model.items[0], *model.items[1])
    expected = mlkit.grad(as_function, argnum=(0, 1, 2, 3))(*args)
    assert loss == pytest.approx(as_function(*args))
    numpy.testing.assert_allclose(grads["w"], expected[0])
    numpy.testing.assert_allclose(grads["items"][0], expected[1])
    assert isinstance(grads["items"][1], tuple)
    numpy.testing.assert_allclose(grads["items"][1][0], expected[2])
    numpy.testing.assert_allclose(grads["items"][1][1], expected[3])
    # an unused parameter gets zeros of its own dtype
    assert grads["unused"].dtype == numpy.float32 and not grads["unused"].any()


def test_originals_are_restored_even_when_the_loss_fails():
    model = Pair()
    originals = model.parameters()

    def failing():
        assert isinstance(model.w, ArrayBox)  # traced while the loss runs
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        nn.value_and_grad(model, failing)()
    assert model.w is originals["w"]
    assert model.items[1][0] is originals["items"][1][0]
    nn.value_and_grad(model, lambda: model(numpy.ones(2)))()
    assert type(model.w) is numpy.ndarray and type(model.items[1][1]) is numpy.ndarray


def test_has_aux_returns_plain_aux():
    model = nn.Linear(2, 1, rng=0, dtype=numpy.float64)
    x = numpy.array([[1.0, 2.0]])

    def loss_fn():
        out = model(x)
        return np.sum(out * out), {"out": out, "note": "text"}

    (loss, aux), grads = nn.value_and_grad(model, loss_fn, has_aux=True)()
    assert type(aux["out"]) is numpy.ndarray and aux["note"] == "text"
    numpy.testing.assert_allclose(loss, numpy.sum(aux["out"] ** 2))
    numpy.testing.assert_allclose(grads["weight"], x.T @ (2 * aux["out"]))
    with pytest.raises(TypeError, match="pair"):
        nn.value_and_grad(model, lambda: np.sum(model(x)), has_aux=True)()


def test_gradients_keep_float32():
    model = nn.MLP(3, [5], 2, rng=0)
    x = numpy.random.default_rng(0).normal(size=(4, 3))  # float64 data into a float32 model
    loss, grads = nn.value_and_grad(model, lambda: nn.cross_entropy(model(x), [0, 1, 1, 0]))()
    assert numpy.asarray(loss).dtype == numpy.float32
    for leaf in mlkit.tree.tree_leaves(grads):
        assert leaf.dtype == numpy.float32


def test_penalty_over_traced_parameters():
    model = nn.Linear(2, 2, rng=0, dtype=numpy.float64)
    _, grads = nn.value_and_grad(model, lambda: nn.l2_penalty(model.parameters()))()
    numpy.testing.assert_allclose(grads["weight"], 2 * model.weight)
    numpy.testing.assert_allclose(grads["bias"], 2 * model.bias)


def test_a_loss_independent_of_the_parameters_gives_zero_gradients():
    model = nn.Linear(2, 2, rng=0)
    with pytest.warns(UserWarning, match="does not depend"):
        _, grads = nn.value_and_grad(model, lambda: np.sum(numpy.ones(2)) * 1.0)()
    assert not grads["weight"].any() and grads["weight"].shape == (2, 2)
