"""Schedule options given as a list of one value per parameter group: a list of another length,
a function that is not one, or a scale option that would be ignored is refused before any step,
naming the option, the groups and the fix; a plain optimizer is one group; a combined schedule
passes each group's own on."""

import math

import pytest

from mlkit import optim


def _groups():
    return optim.Groups([("a", optim.SGD(lr=0.4, momentum=0.9)),
                         ("b", optim.SGD(lr=0.1, momentum=0.9))],
                        rest=optim.SGD(lr=0.05, momentum=0.9))


@pytest.mark.parametrize("make, option", [
    (lambda o: optim.LambdaLR(o, [lambda e: 1.0] * 2), "lr_lambda"),
    (lambda o: optim.MultiplicativeLR(o, [lambda e: 1.0] * 4), "lr_lambda"),
    (lambda o: optim.OneCycleLR(o, max_lr=[0.1, 0.2], total_steps=10), "max_lr"),
    (lambda o: optim.CyclicLR(o, max_lr=[0.1, 0.2]), "max_lr"),
    (lambda o: optim.CyclicLR(o, max_lr=0.5, base_lr=[0.1]), "base_lr"),
    (lambda o: optim.ReduceLROnPlateau(o, min_lr=[0.1, 0.2, 0.3, 0.4]), "min_lr"),
    (lambda o: optim.CyclicLR(o, max_lr=0.5, base_momentum=[0.8, 0.8]), "base_momentum"),
    (lambda o: optim.OneCycleLR(o, total_steps=5, max_momentum=[0.9] * 4), "max_momentum"),
])
def test_a_list_of_another_length_than_the_groups_is_refused_before_any_step(make, option):
    groups = _groups()
    with pytest.raises(ValueError, match=rf"^\w+: {option}=\[.*\] gives \d values for the 3 "
                                         r"parameter groups \(Groups' groups, rest last\); give "
                                         r"one value per group \(3\), or a single value for all"):
        make(groups)
    assert groups.lrs == [0.4, 0.1, 0.05] and groups.step_count == 0


def test_a_plain_optimizer_is_one_group():
    opt = optim.SGD(lr=0.2, momentum=0.9)
    optim.LambdaLR(opt, [lambda e: 0.5**e]).step()
    assert opt.lr == 0.1
    with pytest.raises(ValueError, match=r"max_lr=\[0.1, 0.2\] gives 2 values for an optimizer "
                                         r"of one parameter group; give one value per group"):
        optim.OneCycleLR(opt, max_lr=[0.1, 0.2], total_steps=10)


@pytest.mark.parametrize("make, message", [
    (lambda o: optim.LambdaLR(o, [lambda e: 1.0, 0.5, lambda e: 1.0]),
     r"LambdaLR: lr_lambda must be a callable or a list of one per parameter group \(each a "
     "callable\\), got"),
    (lambda o: optim.OneCycleLR(o, max_lr=[0.1, -0.2, 0.3], total_steps=9),
     r"OneCycleLR: max_lr must be a finite number > 0 or a list of one per parameter group "),
    (lambda o: optim.ReduceLROnPlateau(o, min_lr=[0.1, "0", 0.3]), r"ReduceLROnPlateau: min_lr "),
    (lambda o: optim.OneCycleLR(o, total_steps=5, base_momentum=[0.8, 1.0, 0.8]),
     r"OneCycleLR: base_momentum must be a finite number in \[0, 1\) or a list of one per "
     r"parameter group \(each a finite number in \[0, 1\)\), got \[0.8, 1.0, 0.8\]"),
    (lambda o: optim.CyclicLR(o, max_lr=1.0, scale_fn=0.5), r"CyclicLR: scale_fn must be a "
                                                             "callable or None, got 0.5"),
    (lambda o: optim.CyclicLR(o, max_lr=1.0, scale_mode="iterations"),
     r"CyclicLR: scale_mode='iterations' applies only to a scale_fn; give scale_fn too"),
    (lambda o: optim.CyclicLR(o, max_lr=1.0, mode="exp_range", scale_fn=lambda x: 1.0),
     r"CyclicLR: mode='exp_range' is replaced by scale_fn; leave mode out"),
    (lambda o: optim.CyclicLR(o, max_lr=1.0, scale_mode="cycles"), "did you mean 'cycle'"),
])
def test_a_bad_group_option_is_refused_by_name(make, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make(_groups())


def test_a_scale_fn_replaces_the_modes_scale_by_cycle_or_by_step():
    seen = []
    opt = optim.SGD(lr=0.1, momentum=0.9)
    schedule = optim.CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2,
                              scale_fn=lambda c: seen.append(c) or 1.0 / c)
    rates = [opt.lr]
    for _ in range(8):
        schedule.step()
        rates.append(opt.lr)
    # cycles of 4 steps, the first 0.4 high, the second 0.4 / 2 (scale_fn(2)); step 8 opens c=3
    assert rates == pytest.approx([0.1, 0.3, 0.5, 0.3, 0.1, 0.2, 0.3, 0.2, 0.1], rel=1e-15)
    assert set(seen) == {1, 2, 3}
    opt = optim.SGD(lr=0.1, momentum=0.9)
    steps = []
    optim.CyclicLR(opt, max_lr=0.5, step_size_up=2, scale_fn=lambda e: steps.append(e) or 1.0,
                   scale_mode="iterations", cycle_momentum=False).step()
    assert steps == [0, 1] and opt.lr == pytest.approx(0.3, rel=1e-15)


def test_a_combined_schedule_passes_each_groups_own_options_on():
    groups = _groups()
    factors = [lambda e: 0.5**e, lambda e: 1.0, lambda e: 2.0**e]
    schedule = optim.SequentialLR(groups, [optim.LambdaLR(groups, factors),
                                           optim.ExponentialLR(groups, gamma=0.1)],
                                  milestones=[2])
    schedule.step()
    assert groups.lrs == [0.2, 0.1, 0.1]
    groups = _groups()
    chained = optim.ChainedScheduler([optim.LambdaLR(groups, factors),
                                      optim.OneCycleLR(groups, max_lr=[0.4, 0.1, 0.05],
                                                       total_steps=4, pct_start=0.5)])
    chained.step()
    assert groups.lrs == pytest.approx([0.4 * 0.5, 0.1, 0.05 * 2.0], rel=1e-15)
    assert math.isclose(chained.get_last_lr(), 0.1)
