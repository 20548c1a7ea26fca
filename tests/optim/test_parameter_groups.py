"""PyTorch's way of building an optimizer from the parameters is refused with mlkit's way, and
the alternative to parameter groups (one optimizer per part) gives each part its own rule."""

import numpy as np
import pytest

from mlkit import nn, optim

OPTIMIZERS = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad, optim.LBFGS]


@pytest.mark.parametrize("cls", OPTIMIZERS)
@pytest.mark.parametrize("given", [
    lambda m: m.parameters(), lambda m: m, lambda m: iter([m.layers[0].weight]),
    lambda m: [{"params": m.layers[0].parameters(), "lr": 0.1}]])
def test_an_optimizer_built_from_parameters_says_how_mlkit_steps(cls, given):
    model = nn.MLP(3, [4], 2, rng=0)
    with pytest.raises(TypeError, match=rf"{cls.__name__} was given the parameters .*"
                                        rf"options alone, {cls.__name__}\(lr=...\).*"
                                        "its own optimizer: optim.Groups"):
        cls(given(model), lr=0.1) if cls is not optim.LBFGS else cls(given(model))
    with pytest.raises(TypeError, match="was given the parameters"):
        cls(params=model.parameters())


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_a_number_is_still_the_learning_rate_and_a_bad_one_is_refused_as_such(cls):
    assert cls(0.25).lr == 0.25
    with pytest.raises(TypeError, match="lr must be a finite number > 0"):
        cls(np.array(0.5))


def test_one_optimizer_per_part_gives_each_part_its_own_rate_and_decay():
    model = nn.MLP(3, [4], 2, rng=0, dtype=np.float64)
    X = np.random.default_rng(1).standard_normal((5, 3))
    y = np.array([0, 1, 1, 0, 1])
    before = model.state_dict()
    _, grads = nn.value_and_grad(model, lambda: nn.cross_entropy(model(X), y))()
    body = optim.SGD(lr=0.1, weight_decay=0.5)
    head = optim.SGD(lr=0.01)
    body.update(model.layers[0], grads["layers"][0])
    head.update(model.layers[2], grads["layers"][2])
    after = model.state_dict()
    for key in ("weight", "bias"):
        w, g = before[f"layers.0.{key}"], grads["layers"][0][key]
        np.testing.assert_allclose(after[f"layers.0.{key}"], w - 0.1 * (g + 0.5 * w), rtol=1e-14)
        w, g = before[f"layers.2.{key}"], grads["layers"][2][key]
        np.testing.assert_allclose(after[f"layers.2.{key}"], w - 0.01 * g, rtol=1e-14)
