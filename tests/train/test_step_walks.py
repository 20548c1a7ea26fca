"""A training step walks the model once to read it and writes it back once (twice to read it
when jitted: the trainable parameters, and all parameters as the program's inputs)."""

import numpy as np
import pytest

from mlkit import nn, optim
from mlkit.nn.module import Module
from mlkit.train import fit


@pytest.mark.parametrize("jit, walks", [(False, 4 + 1), (True, 2 * 4 + 1 + 2)])
def test_each_step_reads_the_model_in_one_walk_and_writes_it_back_once(monkeypatch, jit,
                                                                        walks):
    model = nn.MLP(4, [8], 3, activation="tanh", rng=0, dtype=np.float64)
    X = np.random.default_rng(0).standard_normal((32, 4))
    y = np.arange(32) % 3
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
    loss = lambda m, X, y, w: nn.cross_entropy(m(X), y, weight=w)  # noqa: E731
    fit(model, loss, optim.Adam(lr=0.01), X, y, epochs=1, batch_size=8, seed=0, jit=jit)
    # 4 steps, the end-of-epoch check; jitted, also the buffers' check and the recording
    assert counts == {"walk": walks, "update": 4}


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
