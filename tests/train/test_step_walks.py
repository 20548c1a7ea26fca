"""After the first call has laid the model out as flat vectors (and recorded), an epoch reads
the model three times (trainable, all parameters, buffers) and writes nothing back: the
optimizer steps the vectors the model's arrays view. Eager steps also walk once per step."""

import numpy as np
import pytest

from mlkit import nn, optim
from mlkit.nn.module import Module
from mlkit.train import fit


@pytest.mark.parametrize("jit, walks", [(False, 3 + 4), (True, 3)])
def test_an_epoch_reads_the_model_three_times_and_writes_nothing_back(monkeypatch, jit, walks):
    model = nn.MLP(4, [8], 3, activation="tanh", rng=0, dtype=np.float64)
    X = np.random.default_rng(0).standard_normal((32, 4))
    y = np.arange(32) % 3
    loss = lambda m, X, y, w: nn.cross_entropy(m(X), y, weight=w)  # noqa: E731
    adam = optim.Adam(lr=0.01)
    fit(model, loss, adam, X, y, epochs=1, batch_size=8, seed=0, jit=jit)
    before = model.state_dict()
    counts = {"walk": 0, "update": 0}
    walk, update = Module._walk, Module.update

    def counted_walk(self, kind, slots=None):
        counts["walk"] += self is model
        return walk(self, kind, slots)

    def counted_update(self, tree):
        counts["update"] += self is model
        return update(self, tree)

    monkeypatch.setattr(Module, "_walk", counted_walk)
    monkeypatch.setattr(Module, "update", counted_update)
    fit(model, loss, adam, X, y, epochs=1, batch_size=8, seed=0, jit=jit)  # 4 more steps
    assert counts == {"walk": walks, "update": 0}
    assert not np.array_equal(model.state_dict()["layers.0.weight"], before["layers.0.weight"])


def test_value_and_grad_at_a_trainable_matches_the_plain_call():
    model = nn.MLP(3, [4], 2, rng=0, dtype=np.float64).freeze("layers.0.bias")
    X, y = np.random.default_rng(1).standard_normal((6, 3)), np.array([0, 1] * 3)
    step = nn.value_and_grad(model, lambda m: nn.cross_entropy(m(X), y))
    loss, grads = step(model)
    params = nn.Trainable(model)
    again, grads_again = step.at(params, model)
    assert loss == again and params.trainable_parameters()["layers"][0] == {
        "weight": model.layers[0].weight}
    for key in ("weight", "bias"):
        np.testing.assert_array_equal(grads["layers"][2][key], grads_again["layers"][2][key])
    assert "bias" not in grads["layers"][0]
