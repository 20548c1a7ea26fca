"""ChainedScheduler: several schedules multiplying the rate at once, traced against the
product of their closed forms by hand, with its state round trip and its refusals."""

import math

import numpy as np
import pytest

from mlkit.optim import (
    SGD,
    Adam,
    ChainedScheduler,
    CosineAnnealingLR,
    ExponentialLR,
    LinearWarmup,
    OneCycleLR,
    SequentialLR,
    StepLR,
)

BASE, STEPS = 0.4, 300


def rates(schedule, optimizer, steps=STEPS):
    seen = [optimizer.lr]
    for _ in range(steps):
        schedule.step()
        seen.append(optimizer.lr)
        assert schedule.get_last_lr() == optimizer.lr
    return seen


def warmup_step_exponential(optimizer):
    return ChainedScheduler([LinearWarmup(optimizer, 10, start_factor=0.25),
                             StepLR(optimizer, step_size=50, gamma=0.5),
                             ExponentialLR(optimizer, gamma=0.999)])


def test_the_rate_is_the_product_of_each_schedules_factor():
    optimizer = SGD(BASE)
    seen = rates(warmup_step_exponential(optimizer), optimizer)
    by_hand = [BASE * (0.25 + 0.75 * min(e, 10) / 10) * 0.5 ** (e // 50) * 0.999**e
               for e in range(STEPS + 1)]
    np.testing.assert_allclose(seen, by_hand, rtol=1e-13)
    assert seen[10] == pytest.approx(BASE * 0.999**10) and seen[50] < seen[49] / 2 * 1.001


def test_a_cosine_under_a_warmup_multiplies_as_pytorchs_chain_does():
    """With eta_min = 0 a cosine scales the rate, so chaining it with a warmup multiplies."""
    optimizer = SGD(BASE)
    schedule = ChainedScheduler([CosineAnnealingLR(optimizer, T_max=STEPS),
                                 LinearWarmup(optimizer, 20, start_factor=0.1)])
    by_hand = [BASE * (1 + math.cos(math.pi * e / STEPS)) / 2 * (0.1 + 0.9 * min(e, 20) / 20)
               for e in range(STEPS + 1)]
    np.testing.assert_allclose(rates(schedule, optimizer), by_hand, rtol=1e-12, atol=1e-18)


def test_a_chained_one_cycle_keeps_its_rate_shape_and_cycles_the_momentum():
    optimizer = Adam(0.1)
    cycle = OneCycleLR(optimizer, max_lr=1.0, total_steps=STEPS, pct_start=0.25)
    alone = [cycle.lr_at(e) for e in range(STEPS + 1)]
    betas = [cycle.momentum_at(e) for e in range(STEPS + 1)]
    schedule = ChainedScheduler([cycle, ExponentialLR(optimizer, gamma=0.99)])
    seen, beta1 = [optimizer.lr], [optimizer.betas[0]]
    for _ in range(STEPS):
        schedule.step()
        seen.append(optimizer.lr)
        beta1.append(optimizer.betas[0])
    np.testing.assert_allclose(seen, [a * 0.99**e for e, a in enumerate(alone)], rtol=1e-12)
    assert beta1 == betas and beta1[74] == pytest.approx(0.85)


def test_a_sequence_passes_on_the_momentum_of_its_one_cycle():
    optimizer = SGD(0.1, momentum=0.9)
    cycle = OneCycleLR(optimizer, max_lr=1.0, total_steps=100)
    schedule = SequentialLR(optimizer, [LinearWarmup(optimizer, 5), cycle], milestones=[5])
    seen = [optimizer.momentum]
    for _ in range(104):
        schedule.step()
        seen.append(optimizer.momentum)
    assert seen[:5] == [0.95] * 5  # the warmup leaves the momentum the cycle started at
    assert seen[5:] == [cycle.momentum_at(e) for e in range(100)]
    assert min(seen) == pytest.approx(0.85)


def test_a_restored_chain_continues_as_the_uninterrupted_one():
    optimizer = SGD(BASE)
    schedule = warmup_step_exponential(optimizer)
    straight = rates(schedule, optimizer)
    first = SGD(BASE)
    partial = warmup_step_exponential(first)
    for _ in range(137):
        partial.step()
    second = SGD(BASE)
    restored = warmup_step_exponential(second)
    restored.load_state_dict(partial.state_dict())
    assert second.lr == straight[137]
    assert [second.lr] + rates(restored, second, STEPS - 137)[1:] == straight[137:]


@pytest.mark.parametrize("make, message", [
    (lambda o: ChainedScheduler([]), "needs at least one schedule, got none"),
    (lambda o: ChainedScheduler([StepLR(o, 2), StepLR(SGD(1.0), 2)]), "same optimizer"),
    (lambda o: ChainedScheduler([StepLR(o, 2)], optimizer=SGD(1.0)), "same optimizer"),
])
def test_bad_chains_are_refused(make, message):
    with pytest.raises(ValueError, match=f"ChainedScheduler: .*{message}"):
        make(SGD(1.0))
