"""Schedules over optim.Groups: every group from its own rate, absolute values (eta_min,
min_lr, max_lr) the same for every group, and OneCycleLR cycling each group's momentum, against
numbers from PyTorch 2.13 (two SGD param groups, lr 0.1 and 0.01, momentum 0.9)."""

import numpy as np
import pytest

from mlkit import optim


def _groups(second=None):
    return optim.Groups([("a", optim.SGD(lr=0.1, momentum=0.9)),
                         ("b", second or optim.SGD(lr=0.01, momentum=0.9))])


def _trace(groups, schedule, steps, read=lambda o: o.lr):
    seen = [[read(o) for o in groups.optimizers]]
    for _ in range(steps):
        schedule.step()
        seen.append([read(o) for o in groups.optimizers])
    return seen


def test_cosine_eta_min_is_the_same_absolute_floor_for_every_group_as_in_pytorch():
    groups = _groups()
    seen = _trace(groups, optim.CosineAnnealingLR(groups, T_max=4, eta_min=0.005), 4)
    torch = [[0.1, 0.01], [0.086087572106361, 0.00926776695296637], [0.0525, 0.0075],
             [0.018912427893638995, 0.005732233047033631], [0.005, 0.005]]
    np.testing.assert_allclose(seen, torch, rtol=1e-14)


def test_onecycle_peaks_at_each_groups_own_rate_and_cycles_each_groups_momentum():
    """PyTorch's OneCycleLR with max_lr=[0.1, 0.01]: mlkit's max_lr=None, each group's own."""
    groups = _groups()
    schedule = optim.OneCycleLR(groups, total_steps=5, pct_start=0.4)
    rates = _trace(groups, schedule, 4)
    groups = _groups()
    momenta = _trace(groups, optim.OneCycleLR(groups, total_steps=5, pct_start=0.4), 4,
                     lambda o: o.momentum)
    torch_rates = [[0.0040000000000000036, 0.0003999999999999993], [0.1, 0.01],
                   [0.0750001, 0.00750001], [0.025000300000000013, 0.0025000300000000016],
                   [4e-07, 4e-08]]
    np.testing.assert_allclose(rates, torch_rates, rtol=1e-13)
    np.testing.assert_allclose(momenta, [[m, m] for m in (0.95, 0.85, 0.875, 0.925, 0.95)],
                               rtol=1e-14)
    assert schedule.get_last_lr() == rates[-1][0]


def test_onecycle_cycles_adams_beta1_and_sgds_momentum_in_one_groups():
    groups = _groups(optim.Adam(lr=0.01, betas=(0.9, 0.99)))
    schedule = optim.OneCycleLR(groups, max_lr=0.05, total_steps=5, pct_start=0.4)
    schedule.step()
    assert groups.optimizers[0].momentum == 0.85 and groups.optimizers[1].betas == (0.85, 0.99)
    assert groups.lrs == [0.05, 0.05]  # a max_lr given is every group's, as PyTorch's float


def test_onecycle_names_the_group_without_momentum_and_the_schedule_used():
    class Warm(optim.OneCycleLR):
        """A schedule of the user's own, built on OneCycleLR."""

    groups = _groups(optim.Adagrad(lr=0.01))
    with pytest.raises(ValueError, match=r"^Warm: cycle_momentum=True .* but Adagrad of group 1 "
                                         "has neither"):
        Warm(groups, total_steps=5)


def test_plateau_lowers_each_group_to_the_one_min_lr_as_pytorch():
    groups = _groups()
    schedule = optim.ReduceLROnPlateau(groups, factor=0.1, patience=0, min_lr=0.002)
    seen = []
    for _ in range(3):
        schedule.step(1.0)
        seen.append(groups.lrs)
    np.testing.assert_allclose(seen, [[0.1, 0.01], [0.010000000000000002, 0.002],
                                      [0.002, 0.002]], rtol=1e-15)
    restored = _groups()
    restored.load_state_dict(groups.state_dict())
    optim.ReduceLROnPlateau(restored).load_state_dict(schedule.state_dict())
    assert restored.lrs == [0.002, 0.002]


def test_rest_takes_the_parameters_no_group_takes_and_its_rate_is_the_main_one():
    tree = {"layers": [{"weight": np.ones(2), "bias": np.ones(2)}], "head": {"bias": np.ones(1)}}
    grads = {"layers": [{"weight": np.ones(2), "bias": np.ones(2)}], "head": {"bias": np.ones(1)}}
    groups = optim.Groups([("*.bias", optim.SGD(lr=0.5))], rest=optim.SGD(lr=0.1))
    schedule = optim.StepLR(groups, step_size=1, gamma=0.5)
    moved = groups.step(tree, grads)
    assert moved["layers"][0]["bias"].tolist() == [0.5, 0.5] and moved["head"]["bias"] == 0.5
    assert moved["layers"][0]["weight"].tolist() == [0.9, 0.9]
    schedule.step()
    assert groups.lr == schedule.get_last_lr() == 0.05 and groups.lrs == [0.25, 0.05]
    with pytest.raises(ValueError, match=r"Groups.lrs: 1 rates for 2 groups; give one rate per "
                                         "group, rest last"):
        groups.lrs = [0.1]
