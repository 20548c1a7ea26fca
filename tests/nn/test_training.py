"""End to end: small MLPs learn XOR and scikit-learn's digits with mlkit.optim.Adam."""

import numpy
import pytest

from mlkit import nn
from mlkit.optim import Adam


def test_two_layer_mlp_learns_xor():
    x = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], numpy.float32)
    y = numpy.array([0.0, 1.0, 1.0, 0.0], numpy.float32).reshape(4, 1)
    model = nn.MLP(2, [8], 1, activation="tanh", rng=0)
    step = nn.value_and_grad(model, lambda: nn.binary_cross_entropy_with_logits(model(x), y))
    opt = Adam(lr=0.05)
    for _ in range(300):
        loss, grads = step()
        opt.update(model, grads)
    assert loss < 0.05
    numpy.testing.assert_array_equal(model(x) > 0, y > 0.5)
    assert model.layers[0].weight.dtype == numpy.float32


def test_mlp_reaches_97_percent_on_digits():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    x, y = digits.data.astype(numpy.float32), digits.target
    order = numpy.random.default_rng(0).permutation(len(y))
    train, test = order[:1400], order[1400:]
    mean, std = x[train].mean(0), x[train].std(0) + 1e-6
    x = (x - mean) / std

    model = nn.MLP(64, [128], 10, dropout=0.1, rng=0)
    step = nn.value_and_grad(model, lambda xb, yb: nn.cross_entropy(model(xb), yb))
    opt = Adam(lr=1e-3)
    rng = numpy.random.default_rng(1)
    for _ in range(25):
        for batch in numpy.array_split(rng.permutation(train), len(train) // 32):
            _, grads = step(x[batch], y[batch])
            opt.update(model, grads)
    model.eval()
    accuracy = numpy.mean(numpy.argmax(model(x[test]), axis=1) == y[test])
    assert accuracy >= 0.97, accuracy
