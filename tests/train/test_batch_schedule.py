"""fit(schedule_interval="batch"): a schedule stepped after every batch, as one-cycle expects."""

import numpy
import pytest

from mlkit import nn, optim
from mlkit.data import minibatches
from mlkit.train import ModelCheckpoint, fit, load_arrays


def _data():
    rng = numpy.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    return X, rng.integers(0, 3, 50)


def _ce(model, X, y, w):
    return nn.cross_entropy(model(X), y, weight=w)


def _model():
    return nn.MLP(4, [6], 3, rng=1, dtype=numpy.float64)


def _one_cycle(model, epochs, **options):
    X, y = _data()
    opt = optim.SGD(lr=0.1, momentum=0.9)
    schedule = optim.OneCycleLR(opt, max_lr=0.5, total_steps=4 * 3)  # 4 batches of 16, 16, 16, 2
    return opt, fit(model, _ce, opt, X, y, epochs=epochs, batch_size=16, seed=3, jit=False,
                    schedule=schedule, schedule_interval="batch", **options)


def test_a_batch_schedule_steps_the_rate_as_a_hand_written_loop_does():
    model = _model()
    opt, history = _one_cycle(model, 3)
    X, y = _data()
    by_hand = _model()
    hand_opt = optim.SGD(lr=0.1, momentum=0.9)
    schedule = optim.OneCycleLR(hand_opt, max_lr=0.5, total_steps=12)
    step = nn.value_and_grad(by_hand, lambda Xb, yb: nn.cross_entropy(by_hand(Xb), yb))
    rng, rates, each_step = numpy.random.default_rng(3), [], []
    for _ in range(3):
        rates.append(hand_opt.lr)
        for rows in minibatches(50, 16, rng):
            _, grads = step(X[rows], y[rows])
            each_step.append(hand_opt.lr)
            hand_opt.update(by_hand, grads)
            schedule.step()
    assert [row["lr"] for row in history.rows] == rates  # each epoch's first rate
    assert history.steps == {"step": list(range(1, 13)), "epoch": [1] * 4 + [2] * 4 + [3] * 4,
                             "lr": each_step}  # the rate every step used
    assert max(each_step) > max(rates)  # the peak falls inside an epoch
    assert opt.lr == hand_opt.lr == pytest.approx(0.5 / 25 / 1e4)  # the cycle's end
    for name, value in by_hand.state_dict().items():
        numpy.testing.assert_allclose(model.state_dict()[name], value, rtol=1e-12, atol=1e-15)


def test_resuming_a_batch_schedule_is_bit_identical(tmp_path):
    straight = _model()
    _, full = _one_cycle(straight, 3)
    _one_cycle(_model(), 1, callbacks=[ModelCheckpoint(tmp_path)])
    resumed = _model()
    _, rest = _one_cycle(resumed, 3, resume=load_arrays(tmp_path / "last.npz"))
    assert [row["train_loss"] for row in rest.rows] == [row["train_loss"] for row in full.rows]
    assert rest.steps == full.steps and len(full.steps["lr"]) == 12
    for name, value in straight.state_dict().items():
        numpy.testing.assert_array_equal(resumed.state_dict()[name], value)


def test_a_plateau_schedule_cannot_step_every_batch():
    X, y = _data()
    opt = optim.SGD(lr=0.1)
    with pytest.raises(ValueError, match="ReduceLROnPlateau: schedule_interval='batch' is not "
                                         "possible: plateau steps on an epoch's validation score"
                                         ".*; use 'epoch', or another schedule"):
        fit(_model(), _ce, opt, X, y, epochs=1, batch_size=16,
            schedule=optim.ReduceLROnPlateau(opt), schedule_interval="batch")


def test_a_schedule_stepped_every_epoch_records_no_steps_and_groups_record_theirs():
    X, y = _data()
    opt = optim.SGD(lr=0.1)
    history = fit(_model(), _ce, opt, X, y, epochs=2, batch_size=16, jit=False,
                  schedule=optim.StepLR(opt, step_size=1, gamma=0.5))
    assert history.steps == {} and [row["lr"] for row in history.rows] == [0.1, 0.05]
    groups = optim.Groups([("layers.0", optim.SGD(lr=0.2))], rest=optim.SGD(lr=0.1))
    history = fit(_model(), _ce, groups, X, y, epochs=1, batch_size=16, jit=False,
                  schedule=optim.LambdaLR(groups, [lambda e: 0.5**e, lambda e: 1.0 / (1 + e)]),
                  schedule_interval="batch")
    assert history.steps["lr.0"] == [0.2, 0.1, 0.05, 0.025]
    assert history.steps["lr"] == [0.1, 0.1 / 2, 0.1 / 3, 0.1 / 4]
