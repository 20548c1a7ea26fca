"""optim.Groups: parts of a model routed by path to optimizers of their own, checked by hand,
against the same optimizers stepping each part alone, under a schedule, through a saved state,
with frozen layers and inside fit."""

import numpy as np
import pytest

from mlkit import nn, optim
from mlkit.train import ModelCheckpoint, fit, load_arrays

X = np.random.default_rng(1).standard_normal((24, 3))
Y = np.arange(24) % 2


def _model():
    return nn.MLP(3, [4], 2, rng=0, dtype=np.float64)


def _grads(model):
    return nn.value_and_grad(model, lambda: nn.cross_entropy(model(X), Y))()[1]


def _rest(path):
    return True


def _groups():
    """Adam on the first layer, SGD with momentum and weight decay on the rest."""
    return optim.Groups([("layers.0", optim.Adam(lr=0.01)),
                         (_rest, optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.01))])


def test_each_group_takes_its_own_rate_and_decay_as_written_by_hand():
    model = _model()
    before, grads = model.state_dict(), _grads(model)
    no_decay = optim.SGD(lr=0.05)
    groups = optim.Groups([(lambda path: path.endswith("bias"), no_decay),
                           ("layers", optim.SGD(lr=0.1, weight_decay=0.5))])
    groups.update(model, grads)
    after = model.state_dict()
    for layer in (0, 2):
        w, g = before[f"layers.{layer}.weight"], grads["layers"][layer]["weight"]
        np.testing.assert_allclose(after[f"layers.{layer}.weight"], w - 0.1 * (g + 0.5 * w),
                                   rtol=1e-14)
        b, g = before[f"layers.{layer}.bias"], grads["layers"][layer]["bias"]
        np.testing.assert_allclose(after[f"layers.{layer}.bias"], b - 0.05 * g, rtol=1e-14)
    assert no_decay.state_dict()["state.layers.0.bias.step"] == 1


def test_groups_give_the_bits_of_each_optimizer_stepping_its_part_alone():
    model, by_part = _model(), _model()
    groups = _groups()
    first, rest = optim.Adam(lr=0.01), optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.01)
    for _ in range(5):
        groups.update(model, _grads(model))
        grads = _grads(by_part)
        first.update(by_part.layers[0], grads["layers"][0])
        rest.update(by_part.layers[2], grads["layers"][2])
    for name, value in by_part.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[name], value)
    assert groups.step_count == 5


def test_a_schedule_moves_every_group_from_its_own_rate():
    groups = _groups()
    schedule = optim.StepLR(groups, step_size=1, gamma=0.5)
    assert groups.lr == 0.01 and groups.optimizers[1].lr == 0.1
    schedule.step()
    schedule.step()
    assert groups.lr == schedule.get_last_lr() == 0.0025
    assert groups.optimizers[0].lr == 0.0025
    assert groups.optimizers[1].lr == 0.025


def test_a_saved_state_continues_as_the_uninterrupted_run():
    straight, resumed = _model(), _model()
    groups = _groups()
    for _ in range(5):
        groups.update(straight, _grads(straight))
    first = _groups()
    for _ in range(3):
        first.update(resumed, _grads(resumed))
    state = first.state_dict()
    assert {"lr", "step", "groups.0.state.layers.0.weight.exp_avg",
            "groups.1.state.layers.2.bias.momentum_buffer"} <= set(state)
    second = _groups()
    second.load_state_dict(state)
    for _ in range(2):
        second.update(resumed, _grads(resumed))
    for name, value in straight.state_dict().items():
        np.testing.assert_array_equal(resumed.state_dict()[name], value)
    with pytest.raises(KeyError, match=r"unexpected \['groups.2.lr'\] \(this Groups has 2 groups"):
        _groups().load_state_dict({**state, "groups.2.lr": np.array(0.1)})


def test_a_frozen_group_waits_with_its_state_and_the_others_step():
    model = _model()
    groups = _groups()
    groups.update(model, _grads(model))
    model.freeze("layers.0")
    frozen = model.layers[0].weight.copy()
    head = model.layers[2].weight.copy()
    groups.update(model, nn.value_and_grad(model, lambda: nn.cross_entropy(model(X), Y))()[1])
    np.testing.assert_array_equal(model.layers[0].weight, frozen)
    assert not np.array_equal(model.layers[2].weight, head)
    assert groups.optimizers[0].state_dict()["state.layers.0.weight.step"] == 1
    model.unfreeze()
    groups.update(model, _grads(model))
    assert groups.optimizers[0].state_dict()["state.layers.0.weight.step"] == 2
    assert groups.optimizers[1].state_dict()["state.layers.2.weight.step"] == 3


@pytest.mark.parametrize("jit", [True, False])
def test_fit_steps_groups_as_a_hand_written_loop_does(jit):
    def loss(model, X, y, w):
        return nn.cross_entropy(model(X), y, weight=w)

    model, by_hand = _model(), _model()
    groups, hand = _groups(), _groups()
    history = fit(model, loss, groups, X, Y, epochs=3, batch_size=24, jit=jit,
                  schedule=optim.ExponentialLR(groups, gamma=0.5))
    schedule = optim.ExponentialLR(hand, gamma=0.5)
    for _ in range(3):
        hand.update(by_hand, _grads(by_hand))
        schedule.step()
    assert [row["lr"] for row in history.rows] == [0.01, 0.005, 0.0025]
    for name, value in by_hand.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[name], value, rtol=1e-13, atol=1e-15)


def test_fit_resumes_groups_bit_for_bit(tmp_path):
    def run(model, epochs, **options):
        groups = _groups()
        return fit(model, lambda m, X, y, w: nn.cross_entropy(m(X), y, weight=w), groups, X, Y,
                   epochs=epochs, batch_size=8, seed=2,
                   schedule=optim.CosineAnnealingLR(groups, T_max=4), **options)

    straight, resumed = _model(), _model()
    full = run(straight, 4)
    run(_model(), 2, callbacks=[ModelCheckpoint(tmp_path)])
    rest = run(resumed, 4, resume=load_arrays(tmp_path / "last.npz"))
    assert [row["train_loss"] for row in rest.rows] == [row["train_loss"] for row in full.rows]
    for name, value in straight.state_dict().items():
        np.testing.assert_array_equal(resumed.state_dict()[name], value)


@pytest.mark.parametrize("groups, error, message", [
    ([], ValueError, "no groups given"),
    ([("layers.0", optim.SGD(lr=0.1))], ValueError,
     r"parameters \['layers.2.weight', 'layers.2.bias'\] are in no group; add a group"),
    ([("layers.0", optim.SGD(lr=0.1))], ValueError, "or pass rest="),
    ([(0, optim.SGD(lr=0.1))], TypeError, r"group 0 selects its parameters with 0 \(of type int"),
    ([("layer.0", optim.SGD(lr=0.1)), (_rest, optim.SGD(lr=0.2))], ValueError,
     r"group 0's pattern 'layer.0' matches none of the parameters: \['layers.0.weight'"),
    ([("layers", optim.SGD(lr=0.1)), (["*.bias", "x"], optim.SGD(lr=0.2))], ValueError,
     r"group 1's pattern \['\*.bias', 'x'\] matches only parameters that earlier groups take "
     r"\(group 0\)"),
    ([("layers.0", optim.SGD(lr=0.1)), (_rest, optim.LBFGS())], TypeError,
     "group 1 has a LBFGS, which cannot step a part"),
])
def test_bad_groups_are_refused_by_name(groups, error, message):
    with pytest.raises(error, match=message):
        model = _model()
        optim.Groups(groups).update(model, _grads(model))


def test_one_optimizer_in_two_groups_is_refused():
    shared = optim.SGD(lr=0.1)
    with pytest.raises(ValueError, match="group 1 reuses the optimizer of an earlier group"):
        optim.Groups([("layers.0", shared), (_rest, shared)])


def test_layers_frozen_at_the_start_are_selected_by_a_function():
    model = _model()
    model.freeze("layers.0")
    groups = optim.Groups([(lambda path: path.startswith("layers.0"), optim.SGD(lr=0.1)),
                           (_rest, optim.SGD(lr=0.2))])
    groups.update(model, _grads(model))
    model.unfreeze()
    before = model.layers[0].weight.copy()
    grads = _grads(model)
    groups.update(model, grads)
    np.testing.assert_allclose(model.layers[0].weight, before - 0.1 * grads["layers"][0]["weight"])


class _Counted(optim.Adam):
    """Adam counting its updates: one per parameter, or one per dtype for pieces of vectors."""

    calls = 0

    def apply(self, param, grad, state, step):
        type(self).calls += 1
        super().apply(param, grad, state, step)


@pytest.mark.parametrize("first, updates", [("layers.0", 1), ("*.bias", 2)])
def test_flat_vectors_step_each_back_to_back_group_whole_with_the_bits_of_the_tree(first,
                                                                                   updates):
    """layers.0's weight and bias lie back to back in the vectors, so its group steps as one
    piece (one update); the biases do not, so theirs steps parameter by parameter (two)."""
    model, flat_model = _model(), _model()
    flat = optim.FlatParameters(flat_model.parameters())
    flat_model.update(flat.tree)
    by_tree = optim.Groups([(first, optim.Adam(lr=0.01))], rest=optim.SGD(lr=0.1, momentum=0.9))
    by_flat = optim.Groups([(first, _Counted(lr=0.01))], rest=optim.SGD(lr=0.1, momentum=0.9))
    for step in range(4):
        by_tree.update(model, _grads(model))
        _Counted.calls = 0
        by_flat.descend(flat, lambda: (0.0, flat.join(_grads(flat_model))))
        if step:  # the first step lays each group's state out, parameter by parameter
            assert _Counted.calls == updates
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(flat_model.state_dict()[name], value, err_msg=name)
    assert by_flat.step_count == 4
    np.testing.assert_array_equal(by_flat.state_dict()["groups.0.state.layers.0.bias.exp_avg"],
                                  by_tree.state_dict()["groups.0.state.layers.0.bias.exp_avg"])


def test_a_loaded_schedule_goes_on_from_every_groups_saved_rate_when_one_is_rebuilt_changed():
    def built(rest_lr):
        groups = optim.Groups([("layers.0", optim.SGD(lr=0.01))], rest=optim.SGD(lr=rest_lr))
        return groups, optim.StepLR(groups, step_size=1, gamma=0.5)

    groups, schedule = built(0.1)
    model = _model()
    for _ in range(2):
        groups.update(model, _grads(model))
        schedule.step()
    again, resumed = built(0.05)  # PyTorch's loaded state keeps the saved rates too
    again.load_state_dict(groups.state_dict())
    resumed.load_state_dict(schedule.state_dict())
    assert again.lrs == [0.0025, 0.025]
    resumed.step()
    assert again.lrs == [0.00125, 0.0125]
