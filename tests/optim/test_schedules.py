"""Schedules against their closed forms over many steps, plateau logic traced by hand."""

import math

import numpy as np
import pytest

from mlkit.optim import (
    LBFGS,
    SGD,
    Adam,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LinearWarmup,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

BASE = 0.4
EPOCHS = 60


def trace(make, epochs=EPOCHS, optimizer=None):
    """The learning rates an optimizer sees at steps 0..epochs of a schedule."""
    optimizer = optimizer or SGD(BASE)
    schedule = make(optimizer)
    rates = [optimizer.lr]
    for _ in range(epochs):
        schedule.step()
        rates.append(optimizer.lr)
        assert schedule.get_last_lr() == optimizer.lr
    return np.array(rates)


def one_cycle(e, max_lr, total, pct, div, final_div, strategy):
    start = max_lr / div
    low = start / final_div
    peak = pct * total - 1
    if e <= peak:
        a, b, x = start, max_lr, e / peak
    else:
        a, b, x = max_lr, low, min((e - peak) / (total - 1 - peak), 1.0)
    if strategy == "cos":
        return b + (a - b) * (1 + math.cos(math.pi * x)) / 2
    return a + (b - a) * x


CLOSED_FORMS = {
    "step": (lambda o: StepLR(o, step_size=7, gamma=0.5), lambda e: BASE * 0.5 ** (e // 7)),
    "multistep": (
        lambda o: MultiStepLR(o, milestones=[30, 10, 45], gamma=0.2),
        lambda e: BASE * 0.2 ** ((e >= 10) + (e >= 30) + (e >= 45)),
    ),
    "exponential": (lambda o: ExponentialLR(o, gamma=0.93), lambda e: BASE * 0.93**e),
    "cosine": (
        lambda o: CosineAnnealingLR(o, T_max=40, eta_min=0.01),
        lambda e: 0.01 + (BASE - 0.01) * (1 + math.cos(math.pi * e / 40)) / 2,
    ),
    "cosine-restarts": (
        lambda o: CosineAnnealingWarmRestarts(o, T_0=7, eta_min=0.01),
        lambda e: 0.01 + (BASE - 0.01) * (1 + math.cos(math.pi * (e % 7) / 7)) / 2,
    ),
    "warmup": (
        lambda o: LinearWarmup(o, warmup_steps=8, start_factor=0.1),
        lambda e: BASE * (0.1 + 0.9 * min(e, 8) / 8),
    ),
    "warmup-then-cosine": (
        lambda o: SequentialLR(
            o, [LinearWarmup(o, 5, start_factor=0.2), CosineAnnealingLR(o, T_max=50)],
            milestones=[5],
        ),
        lambda e: BASE * (0.2 + 0.8 * e / 5) if e < 5
        else BASE * (1 + math.cos(math.pi * (e - 5) / 50)) / 2,
    ),
    "one-cycle-cos": (
        lambda o: OneCycleLR(o, max_lr=1.0, total_steps=EPOCHS + 1),
        lambda e: one_cycle(e, 1.0, EPOCHS + 1, 0.3, 25.0, 1e4, "cos"),
    ),
    "one-cycle-linear": (
        lambda o: OneCycleLR(o, max_lr=2.0, total_steps=EPOCHS, pct_start=0.25,
                             anneal_strategy="linear", div_factor=10, final_div_factor=100),
        lambda e: one_cycle(e, 2.0, EPOCHS, 0.25, 10.0, 100.0, "linear"),
    ),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_schedule_follows_its_closed_form(name):
    make, formula = CLOSED_FORMS[name]
    expected = [formula(e) for e in range(EPOCHS + 1)]
    np.testing.assert_allclose(trace(make), expected, rtol=1e-12, atol=1e-15)


def test_one_cycle_end_points():
    rates = trace(lambda o: OneCycleLR(o, max_lr=1.0, total_steps=100), epochs=99)
    assert rates[0] == pytest.approx(1.0 / 25)
    assert rates[29] == pytest.approx(1.0)
    assert rates[99] == pytest.approx(1.0 / 25 / 1e4)


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_state_round_trip_resumes_the_schedule(name, tmp_path):
    make, _ = CLOSED_FORMS[name]
    optimizer = Adam(BASE)
    schedule = make(optimizer)
    for _ in range(17):
        schedule.step()
    np.savez(tmp_path / "s.npz", **schedule.state_dict())
    other = Adam(BASE)
    resumed = make(other)
    with np.load(tmp_path / "s.npz", allow_pickle=False) as saved:
        resumed.load_state_dict(dict(saved))
    assert other.lr == optimizer.lr
    for _ in range(20):
        schedule.step()
        resumed.step()
        assert other.lr == optimizer.lr


def test_schedules_scale_the_initial_lr_and_drive_lbfgs():
    optimizer = LBFGS(lr=2.0)
    StepLR(optimizer, step_size=1, gamma=0.5)
    schedule = ExponentialLR(optimizer, gamma=0.5)  # built after: still starts from 2.0
    schedule.step()
    assert optimizer.lr == 1.0


def test_plateau_traced_by_hand():
    optimizer = SGD(1.0)
    plateau = ReduceLROnPlateau(optimizer, factor=0.5, patience=2, threshold=0.1, cooldown=1,
                                min_lr=0.2)
    # metric:   10  9.5  9.2  9.1  8.0  8.0  8.0  8.0  8.0  8.0  8.0  8.0
    # improves: y   n    n    n    y    n    n    n    n    n    n    n    (bar = best * 0.9)
    # bad:      0   1    2    3->0 0    1    2    3->0 0(cd) 1    2    3->0
    # lr:       1   1    1    .5   .5   .5   .5   .25  .25  .25  .25  .2 (min_lr)
    metrics = [10, 9.5, 9.2, 9.1, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0]
    expected = [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2]
    rates = []
    for metric in metrics:
        plateau.step(metric)
        rates.append(optimizer.lr)
    assert rates == expected
    assert plateau.get_last_lr() == 0.2


def test_plateau_max_mode_absolute_threshold_and_resume(tmp_path):
    optimizer = SGD(1.0)
    plateau = ReduceLROnPlateau(optimizer, mode="max", factor=0.1, patience=0, threshold=0.5,
                                threshold_mode="abs")
    plateau.step(1.0)  # best 1.0
    plateau.step(1.4)  # not above 1.5: reduce to 0.1
    assert optimizer.lr == pytest.approx(0.1)
    np.savez(tmp_path / "p.npz", **plateau.state_dict())
    other = SGD(1.0)
    resumed = ReduceLROnPlateau(other, mode="max", factor=0.1, patience=0, threshold=0.5,
                                threshold_mode="abs")
    with np.load(tmp_path / "p.npz", allow_pickle=False) as saved:
        resumed.load_state_dict(dict(saved))
    assert other.lr == optimizer.lr
    for metric in (1.6, 1.7, 3.0):  # 1.6 improves (> 1.5), 1.7 does not (< 2.1), 3.0 does
        plateau.step(metric)
        resumed.step(metric)
        assert other.lr == optimizer.lr
    assert optimizer.lr == pytest.approx(0.01)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda o: StepLR(o, step_size=0), "StepLR: step_size must be an integer >= 1, got 0"),
        (lambda o: StepLR(o, 2, gamma=-0.1), "StepLR: gamma"),
        (lambda o: MultiStepLR(o, [3, 0]), "milestones"),
        (lambda o: CosineAnnealingLR(o, T_max=10, eta_min=-1), "eta_min"),
        (lambda o: LinearWarmup(o, 5, start_factor=0.0),
         r"start_factor must be a finite number in \(0, 1\], got 0.0"),
        (lambda o: OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), "anneal_strategy"),
        (lambda o: OneCycleLR(o, 1.0, 10, pct_start=1.5), "pct_start"),
        (lambda o: ReduceLROnPlateau(o, factor=1.0),
         r"factor must be a finite number in \(0, 1\), got 1.0"),
        (lambda o: ReduceLROnPlateau(o, mode="up"), "mode must be 'min' or 'max', got 'up'"),
        (lambda o: SequentialLR(o, [StepLR(o, 2)], milestones=[3]), "milestones"),
        (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(SGD(1.0), 2)], [3]), "same optimizer"),
    ],
)
def test_bad_schedule_arguments(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make(SGD(1.0))


def test_one_cycle_lasts_epochs_times_steps_per_epoch_as_in_pytorch():
    by_epochs = trace(lambda o: OneCycleLR(o, 1.0, epochs=3, steps_per_epoch=7, pct_start=0.4),
                      epochs=21)
    by_total = trace(lambda o: OneCycleLR(o, 1.0, total_steps=21, pct_start=0.4), epochs=21)
    np.testing.assert_array_equal(by_epochs, by_total)
    assert by_epochs[21] == pytest.approx(1.0 / 25 / 1e4)  # annealed at step 20, held at 21
    with pytest.raises(ValueError, match="total_steps=21"):
        trace(lambda o: OneCycleLR(o, 1.0, epochs=3, steps_per_epoch=7), epochs=22)


@pytest.mark.parametrize("lengths, message", [
    ({}, "needs total_steps, or both epochs and steps_per_epoch .*got total_steps=None, "
         "epochs=None, steps_per_epoch=None"),
    ({"epochs": 3}, "needs total_steps, or both epochs and steps_per_epoch"),
    ({"steps_per_epoch": 3}, "needs total_steps, or both epochs and steps_per_epoch"),
    ({"total_steps": 12, "epochs": 3, "steps_per_epoch": 4},
     r"given twice \(total_steps=12, epochs=3, steps_per_epoch=4\); pass total_steps, or "
     "epochs and steps_per_epoch, not both"),
    ({"epochs": 0, "steps_per_epoch": 4}, "epochs must be an integer >= 1"),
])
def test_one_cycle_needs_one_length(lengths, message):
    with pytest.raises((ValueError, TypeError), match=f"OneCycleLR: .*{message}"):
        OneCycleLR(SGD(1.0), 1.0, **lengths)


def test_one_cycle_refuses_to_run_past_its_end():
    schedule = OneCycleLR(SGD(1.0), max_lr=1.0, total_steps=3)
    for _ in range(3):
        schedule.step()
    with pytest.raises(ValueError, match="total_steps=3"):
        schedule.step()


def test_load_state_dict_errors():
    schedule = StepLR(SGD(1.0), step_size=3)
    with pytest.raises(KeyError, match="missing keys \\['base_lr'\\]"):
        schedule.load_state_dict({"last_epoch": np.array(3)})
    with pytest.raises(ValueError, match="last_epoch"):
        schedule.load_state_dict({"last_epoch": np.array([3]), "base_lr": np.array(1.0)})


@pytest.mark.parametrize("cls", [SGD, Adam, LBFGS])
def test_a_schedule_may_end_at_a_rate_no_constructor_takes(cls):
    """lr = 0 is refused when an optimizer is built (it would never move), but a cosine down
    to eta_min = 0 sets it at its last step, L-BFGS's included."""
    optimizer = cls(lr=0.5)
    schedule = CosineAnnealingLR(optimizer, T_max=2)
    schedule.step()
    schedule.step()
    assert optimizer.lr == 0.0
    with pytest.raises(ValueError, match=rf"{cls.__name__}: lr must be a finite number > 0, got 0"):
        cls(lr=0)


@pytest.mark.parametrize("pct_start", [0.0, 1.0])
def test_one_cycle_takes_pct_start_at_both_ends_of_its_range(pct_start):
    """pct_start 0 anneals from max_lr at once; 1 rises over the whole cycle, then takes the
    final rate one step past the end."""
    optimizer = SGD(1.0)
    schedule = OneCycleLR(optimizer, max_lr=1.0, total_steps=4, pct_start=pct_start)
    rates = [optimizer.lr]
    for _ in range(4):
        schedule.step()
        rates.append(optimizer.lr)
    initial, final = 1.0 / 25.0, 1.0 / 25.0 / 1e4
    if pct_start == 0.0:
        assert rates[0] == pytest.approx(final + (1.0 - final) * (1 + math.cos(math.pi / 4)) / 2)
        assert rates[3:] == pytest.approx([final, final])
    else:
        assert rates[0] == pytest.approx(initial) and rates[3] == pytest.approx(1.0)
        assert rates[4] == pytest.approx(final)
    assert all(a >= b for a, b in zip(rates, rates[1:])) == (pct_start == 0.0)


def test_one_cycle_three_phase_falls_back_to_the_start_before_annealing():
    """three_phase: up to max_lr by step pct * T - 1, back down to the starting rate by step
    2 pct * T - 2, then on to the final rate by step T - 1 (initial 0.1, final 0.001 here)."""
    linear = trace(lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.3,
                                        anneal_strategy="linear", div_factor=10,
                                        final_div_factor=100, three_phase=True), epochs=10)
    np.testing.assert_allclose(linear, [0.1, 0.55, 1.0, 0.55, 0.1, 0.0802, 0.0604, 0.0406,
                                        0.0208, 0.001, 0.001], rtol=1e-12)
    cosine = trace(lambda o: OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.3,
                                        div_factor=10, final_div_factor=100, three_phase=True),
                   epochs=9)
    assert cosine[3] == pytest.approx(0.55)
    assert cosine[6] == pytest.approx(0.001 + 0.099 * (1 + math.cos(0.4 * math.pi)) / 2)


def test_warm_restarts_lengthen_each_period_by_t_mult():
    """T_0 = 3, T_mult = 2: restarts at steps 3, 9 and 21, each half cosine from 0.4 to 0.1."""
    rates = trace(lambda o: CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.1),
                  epochs=22)
    expected = {0: 0.4, 1: 0.325, 2: 0.175, 3: 0.4, 6: 0.25, 8: 0.1 + 0.3 * (1 - 3**0.5 / 2) / 2,
                9: 0.4, 15: 0.25, 21: 0.4, 22: 0.1 + 0.3 * (1 + math.cos(math.pi / 24)) / 2}
    np.testing.assert_allclose([rates[e] for e in expected], list(expected.values()),
                               rtol=1e-12)
