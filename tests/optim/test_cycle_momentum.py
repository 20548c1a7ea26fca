"""OneCycleLR's cycle_momentum: the momentum (or beta1) traced against its curve by hand, the
updates it drives, its state round trip, and the optimizers that have no momentum."""

import math

import numpy as np
import pytest

from mlkit.optim import LBFGS, SGD, Adagrad, Adam, AdamW, OneCycleLR, RMSprop

TOTAL, PEAK = 300, 74  # pct_start 0.25: the rate peaks (and the momentum bottoms) at step 74


def momentum(optimizer):
    return optimizer.betas[0] if hasattr(optimizer, "betas") else optimizer.momentum


def cycled(e, low=0.85, high=0.95):
    """PyTorch's momentum curve: high to low by step PEAK, back to high by step TOTAL - 1."""
    if e <= PEAK:
        return low + (high - low) * (1 + math.cos(math.pi * e / PEAK)) / 2
    x = min((e - PEAK) / (TOTAL - 1 - PEAK), 1.0)
    return high + (low - high) * (1 + math.cos(math.pi * x)) / 2


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: SGD(0.1, momentum=0.5),
                                  lambda: Adam(0.1, betas=(0.5, 0.99)), lambda: AdamW(0.1),
                                  lambda: RMSprop(0.1, momentum=0.3)])
def test_the_momentum_falls_as_the_rate_rises_and_rises_as_it_falls(make):
    optimizer = make()
    second = optimizer.betas[1] if hasattr(optimizer, "betas") else None
    schedule = OneCycleLR(optimizer, max_lr=1.0, total_steps=TOTAL, pct_start=0.25)
    seen = [momentum(optimizer)]
    for _ in range(TOTAL):
        schedule.step()
        seen.append(momentum(optimizer))
    np.testing.assert_allclose(seen, [cycled(e) for e in range(TOTAL + 1)], rtol=1e-14)
    assert seen[0] == seen[-1] == 0.95 and min(seen) == seen[PEAK] == 0.85
    if second is not None:
        assert optimizer.betas[1] == second  # beta2 is left alone


def test_linear_three_phase_momentum_mirrors_the_rate():
    """Steps 0-2 down to base_momentum, 2-4 back up, then held at max_momentum."""
    optimizer = SGD(0.1)
    schedule = OneCycleLR(optimizer, max_lr=1.0, total_steps=10, pct_start=0.3,
                          anneal_strategy="linear", three_phase=True, base_momentum=0.8,
                          max_momentum=0.9)
    seen = [optimizer.momentum]
    for _ in range(10):
        schedule.step()
        seen.append(optimizer.momentum)
    np.testing.assert_allclose(seen, [0.9, 0.85, 0.8, 0.85, 0.9] + [0.9] * 6, rtol=1e-14)


def test_cycle_momentum_off_leaves_the_momentum_alone():
    optimizer = Adam(0.1, betas=(0.7, 0.9))
    schedule = OneCycleLR(optimizer, max_lr=1.0, total_steps=20, cycle_momentum=False)
    for _ in range(20):
        schedule.step()
    assert optimizer.betas == (0.7, 0.9)


def test_sgd_steps_with_the_cycled_momentum_as_written_by_hand():
    """f(w) = w**2 / 2 (gradient w): b_1 = g, b_t = mu_t b + g, w -= lr_t b, with lr_t and mu_t
    the schedule's values before step t."""
    optimizer = SGD(0.1)
    schedule = OneCycleLR(optimizer, max_lr=0.5, total_steps=TOTAL, pct_start=0.25)
    params = {"w": np.array([3.0, -2.0])}
    w, buffer = params["w"].copy(), None
    for _ in range(TOTAL):
        lr, mu = optimizer.lr, optimizer.momentum
        params = optimizer.step(params, {"w": params["w"]})
        buffer = w.copy() if buffer is None else mu * buffer + w
        w = w - lr * buffer
        schedule.step()
    np.testing.assert_allclose(params["w"], w, rtol=1e-12, atol=1e-300)


def test_adam_steps_with_the_cycled_beta1_as_written_by_hand():
    """Adam with beta1_t from the schedule: m = b1 m + (1 - b1) g, bias correction 1 - b1**t."""
    optimizer = Adam(0.1)
    schedule = OneCycleLR(optimizer, max_lr=0.05, total_steps=TOTAL, pct_start=0.25)
    params = {"w": np.array([1.5, -0.5, 4.0])}
    w, m, v = params["w"].copy(), 0.0, 0.0
    for t in range(1, TOTAL + 1):
        lr, (b1, b2) = optimizer.lr, optimizer.betas
        params = optimizer.step(params, {"w": params["w"] ** 3})
        g = w**3
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
        schedule.step()
    np.testing.assert_allclose(params["w"], w, rtol=1e-10)


def test_a_restored_schedule_sets_the_momentum_of_its_step():
    first = Adam(0.1)
    schedule = OneCycleLR(first, max_lr=1.0, total_steps=TOTAL, pct_start=0.25)
    for _ in range(150):
        schedule.step()
    state = schedule.state_dict()
    second = Adam(0.1)
    restored = OneCycleLR(second, max_lr=1.0, total_steps=TOTAL, pct_start=0.25)
    assert second.betas[0] == 0.95
    restored.load_state_dict(state)
    assert (second.lr, second.betas) == (first.lr, first.betas)
    assert second.betas[0] == pytest.approx(cycled(150), rel=1e-14)
    for _ in range(TOTAL - 150):
        schedule.step()
        restored.step()
        assert (second.lr, second.betas) == (first.lr, first.betas)


@pytest.mark.parametrize("optimizer", [Adagrad(0.1), LBFGS(0.1)])
def test_an_optimizer_without_momentum_needs_cycle_momentum_off(optimizer):
    name = type(optimizer).__name__
    with pytest.raises(ValueError, match=f"OneCycleLR: cycle_momentum=True needs an optimizer with "
                                         f"momentum .* but {name} has neither; set "
                                         "cycle_momentum to false"):
        OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
    schedule = OneCycleLR(optimizer, max_lr=1.0, total_steps=10, cycle_momentum=False)
    assert optimizer.lr == pytest.approx(1.0 / 25)
    schedule.step()  # halfway up the half cosine to max_lr at step 2, no momentum set
    assert optimizer.lr == pytest.approx((1.0 + 1.0 / 25) / 2)
    assert not hasattr(optimizer, "momentum") and not hasattr(optimizer, "betas")


def test_momentum_cannot_be_turned_on_after_steps_without_it():
    """SGD keeps no momentum buffer while its momentum is 0, so the cycle must start first."""
    without, with_ = SGD(0.1), SGD(0.1, momentum=0.9)
    for optimizer in (without, with_):
        optimizer.step({"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match="already stepped without it; build the schedule "
                                         "before the first step"):
        OneCycleLR(without, max_lr=1.0, total_steps=10)
    OneCycleLR(with_, max_lr=1.0, total_steps=10)
    assert with_.momentum == 0.95


@pytest.mark.parametrize("option", ["base_momentum", "max_momentum"])
def test_a_momentum_of_one_or_more_is_refused(option):
    with pytest.raises(ValueError, match=f"{option} must be a finite number in \\[0, 1\\)"):
        OneCycleLR(SGD(0.1), max_lr=1.0, total_steps=10, **{option: 1.0})
