"""The one optimizer protocol: ``update`` and ``descend`` on models, frozen layers included."""

import numpy as np
import pytest

from mlkit import nn, optim, registry


def _frozen_mlp():
    model = nn.MLP(3, [4], 2, activation="tanh", rng=0, dtype=np.float64)
    return model.freeze("layers.0")


def _step_fn(model):
    X = np.random.default_rng(1).standard_normal((5, 3))
    y = np.array([0, 1, 1, 0, 1])
    return nn.value_and_grad(model, lambda: nn.cross_entropy(model(X), y))


def test_update_steps_only_the_trainable_parameters_of_a_model_with_a_frozen_layer():
    model = _frozen_mlp()
    before = model.state_dict()
    _, grads = _step_fn(model)()
    opt = optim.SGD(lr=0.1, momentum=0.9)
    opt.update(model, grads)
    opt.update(model, grads)  # same gradient twice: buffer g, then 0.9 g + g
    after = model.state_dict()
    for name in ("layers.0.weight", "layers.0.bias"):
        np.testing.assert_array_equal(after[name], before[name])
    for key in ("weight", "bias"):
        g = grads["layers"][2][key]
        assert np.abs(g).max() > 1e-3
        expected = before[f"layers.2.{key}"] - 0.1 * g - 0.1 * 1.9 * g
        np.testing.assert_allclose(after[f"layers.2.{key}"], expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad"])
def test_descend_of_a_first_order_optimizer_is_one_evaluation_and_one_update(name):
    model, reference = _frozen_mlp(), _frozen_mlp()
    step_fn = _step_fn(model)
    calls = []

    def closure():
        calls.append(1)
        return step_fn()

    opt, ref_opt = registry.make_optimizer(name, lr=0.1), registry.make_optimizer(name, lr=0.1)
    loss, grads = opt.descend(model, closure)
    ref_loss, ref_grads = _step_fn(reference)()
    ref_opt.update(reference, ref_grads)
    assert calls == [1] and loss == ref_loss and not opt.full_batch
    for key, value in reference.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[key], value)


def test_lbfgs_descend_evaluates_at_each_trial_point_and_matches_its_tree_step():
    model, reference = _frozen_mlp(), _frozen_mlp()
    step_fn, ref_fn = _step_fn(model), _step_fn(reference)
    points = []

    def closure():
        points.append(model.layers[2].weight.copy())
        return step_fn()

    opt = optim.LBFGS(max_iter=4, line_search_fn="strong_wolfe")
    loss, grads = opt.descend(model, closure)

    def at(params):
        reference.update(params)
        return ref_fn()

    params, ref_loss = optim.LBFGS(max_iter=4, line_search_fn="strong_wolfe").step(
        reference.trainable_parameters(), at)
    reference.update(params)
    assert opt.full_batch and len(points) == opt.n_evals > 4 and loss < ref_loss
    assert loss == float(at(reference.trainable_parameters())[0])  # the loss after the step
    assert not np.array_equal(points[0], points[-1])
    np.testing.assert_array_equal(model.layers[2].weight, reference.layers[2].weight)
    np.testing.assert_array_equal(model.layers[0].weight, _frozen_mlp().layers[0].weight)
    np.testing.assert_array_equal(grads["layers"][2]["weight"],
                                  at(reference.trainable_parameters())[1]["layers"][2]["weight"])
