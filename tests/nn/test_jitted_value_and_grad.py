"""mlkit.jit of nn.value_and_grad: each replay reads the model's current weights."""

import numpy
import pytest

import mlkit
import mlkit.numpy as np
from mlkit import nn, optim


class TupleHeld(nn.Module):
    """A linear model whose bias sits in a tuple (no writable slot to read it from)."""

    def __init__(self):
        super().__init__()
        self.weight = numpy.linspace(-0.5, 0.5, 6).reshape(3, 2)
        self.extra = (numpy.array([0.1, -0.2]),)

    def forward(self, x):
        return x @ self.weight + self.extra[0]


def _train(model, jit, steps=4):
    rng = numpy.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), rng.integers(0, 2, 8)
    step = nn.value_and_grad(model, lambda: nn.cross_entropy(model(X), y))
    step = mlkit.jit(step) if jit else step
    opt = optim.SGD(lr=0.5, momentum=0.9)
    losses = []
    for _ in range(steps):
        loss, grads = step()
        opt.update(model, grads)
        losses.append(float(loss))
    return losses, model.state_dict()


@pytest.mark.parametrize("make", [lambda: nn.MLP(3, [4], 2, rng=0, dtype=numpy.float64),
                                  TupleHeld])
def test_a_jitted_step_follows_the_optimizer_bit_for_bit(make):
    eager_losses, eager_state = _train(make(), jit=False)
    jit_losses, jit_state = _train(make(), jit=True)
    assert len(set(eager_losses)) == len(eager_losses)  # the weights did move
    assert jit_losses == eager_losses
    for name, value in eager_state.items():
        numpy.testing.assert_array_equal(jit_state[name], value)


def test_freezing_after_recording_asks_for_a_new_jit():
    model = nn.MLP(3, [4], 2, rng=0)
    X = numpy.ones((2, 3), numpy.float32)
    step = mlkit.jit(nn.value_and_grad(model, lambda: np.sum(model(X))))
    step()
    model.freeze("layers.0")
    with pytest.raises(ValueError, match="trainable parameters of MLP changed.*again"):
        step()


def test_batch_norm_statistics_are_refused_in_training_and_read_in_eval():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4))
    X = numpy.random.default_rng(1).normal(size=(6, 3)).astype(numpy.float32)
    before = model.state_dict()
    step = mlkit.jit(nn.value_and_grad(model, lambda: np.sum(model(X) ** 2)))
    with pytest.raises(TypeError, match="buffers of Sequential.*mlkit.train.fit"):
        step()
    for name, value in model.state_dict().items():  # the buffers are plain and unchanged
        assert type(value) is numpy.ndarray
        numpy.testing.assert_array_equal(value, before[name])
    model.eval()
    eager = nn.value_and_grad(model, lambda: np.sum(model(X) ** 2))()
    jitted = mlkit.jit(nn.value_and_grad(model, lambda: np.sum(model(X) ** 2)))
    for _ in range(2):
        loss, grads = jitted()
        assert loss == eager[0]
        numpy.testing.assert_array_equal(grads["layers"][0]["weight"],
                                         eager[1]["layers"][0]["weight"])
