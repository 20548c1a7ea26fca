"""The training loop: convergence, determinism, exact resume, divergence, interrupts, L-BFGS."""

import json

import numpy
import pytest

import mlkit.numpy as np
from mlkit import nn, optim
from mlkit.train import (
    Callback,
    EarlyStopping,
    ModelCheckpoint,
    TrainingDiverged,
    TrainingInterrupted,
    fit,
    load_arrays,
)


def _blobs(n=120, d=4, dtype=numpy.float64, seed=0):
    rng = numpy.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = rng.normal(size=(3, d)) * 3
    X = (centers[y] + rng.normal(size=(n, d))).astype(dtype)
    return X, y


def _ce(model, X, y, w):
    return nn.cross_entropy(model(X), y, weight=w)


def _mlp(dtype=numpy.float64, dropout=0.2):
    return nn.MLP(4, [8], 3, dropout=dropout, rng=1, dtype=dtype)


def _params(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def _rows(history):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history.rows]


def test_loss_falls_and_rows_have_every_column():
    X, y = _blobs()
    history = fit(_mlp(), _ce, optim.Adam(lr=0.01), X, y, validation=(X[:30], y[:30]),
                  epochs=15, batch_size=16, seed=0)
    assert len(history) == 15 and history.stop_reason == "completed"
    assert list(history.rows[0]) == ["epoch", "train_loss", "val_loss", "lr", "grad_norm",
                                     "seconds"]
    losses = history.column("train_loss")
    assert losses[-1] < 0.5 * losses[0]
    assert all(row["grad_norm"] > 0 and row["seconds"] > 0 for row in history.rows)


def test_same_seed_same_history_different_seed_different():
    X, y = _blobs()
    runs = [fit(_mlp(), _ce, optim.SGD(lr=0.1, momentum=0.9), X, y, epochs=4, batch_size=10,
                seed=seed) for seed in (3, 3, 4)]
    assert _rows(runs[0]) == _rows(runs[1])
    assert _rows(runs[0]) != _rows(runs[2])


def _training(model, epochs, resume=None, callbacks=()):
    X, y = _blobs()
    opt = optim.SGD(lr=0.05, momentum=0.9)
    schedule = optim.StepLR(opt, step_size=2, gamma=0.5)
    return fit(model, _ce, opt, X, y, validation=(X[:40], y[:40]), epochs=epochs,
               batch_size=16, seed=numpy.random.default_rng(7), schedule=schedule,
               callbacks=list(callbacks), resume=resume)


def test_the_loop_generator_is_the_seeds_whether_given_or_made():
    X, y = _blobs()
    given = fit(_mlp(), _ce, optim.SGD(lr=0.1), X, y, epochs=3, batch_size=10,
                seed=numpy.random.default_rng(5))
    made = fit(_mlp(), _ce, optim.SGD(lr=0.1), X, y, epochs=3, batch_size=10, seed=5)
    assert _rows(given) == _rows(made)


def test_a_whole_data_run_checkpoints_the_unused_seeds_generator():
    seen = []

    class Saved(Callback):
        def on_epoch_end(self, state, row):
            seen.append(state.arrays()["rng.loop"])

    X, y = _blobs()
    model = nn.Linear(4, 3, rng=0)
    fit(model, _ce, optim.LBFGS(max_iter=3), X, y, epochs=2, seed=7, callbacks=[Saved()])
    expected = numpy.random.default_rng(7).bit_generator.state
    assert len(seen) == 2 and all(json.loads(str(s[()])) == expected for s in seen)


def test_resume_from_a_checkpoint_is_bit_identical(tmp_path):
    straight = _mlp()
    full = _training(straight, 6)
    first = _mlp()
    _training(first, 3, callbacks=[ModelCheckpoint(tmp_path)])
    saved = load_arrays(tmp_path / "last.npz")
    assert int(saved["loop.epoch"]) == 3
    resumed_model = _mlp()
    resumed = _training(resumed_model, 6, resume=saved, callbacks=[ModelCheckpoint(tmp_path)])
    assert _rows(resumed) == _rows(full)
    for name, value in _params(straight).items():
        assert numpy.array_equal(value, resumed_model.state_dict()[name]), name


def test_divergence_names_epoch_and_step_and_keeps_the_last_good_checkpoint(tmp_path):
    X, y = _blobs()
    model = _mlp(dropout=0.0)
    with pytest.raises(TrainingDiverged, match=r"at epoch \d+, step \d+ of 8.*learning rate"):
        fit(model, _ce, optim.SGD(lr=1e6), X, y, epochs=50, batch_size=16, seed=0,
            callbacks=[ModelCheckpoint(tmp_path, monitor="train_loss")])
    saved = load_arrays(tmp_path / "last.npz")
    assert all(numpy.isfinite(v).all() for k, v in saved.items() if k.startswith("model."))
    assert len(saved["history.epoch"]) == int(saved["loop.epoch"])


def test_early_stopping_stops_and_restores_the_best_weights():
    X, y = _blobs()
    model = _mlp(dropout=0.0)
    early = EarlyStopping(monitor="val_loss", patience=2)
    history = fit(model, _ce, optim.SGD(lr=2.0), X, y, validation=(X[:40], y[:40]),
                  epochs=200, batch_size=8, seed=0, callbacks=[early])
    assert history.stop_reason == "early_stopping" and len(history) < 200
    assert len(history) == early.best_epoch + 2
    model.eval()
    best_loss = float(nn.cross_entropy(model(X[:40]), y[:40]))
    assert best_loss == pytest.approx(history.best("val_loss")["val_loss"], rel=1e-12)


def test_ctrl_c_raises_training_interrupted_after_the_callbacks_ran():
    class Stop(Callback):
        ended = None

        def on_epoch_end(self, state, row):
            if row["epoch"] == 2:
                raise KeyboardInterrupt

        def on_train_end(self, state, reason):
            Stop.ended = reason

    X, y = _blobs()
    with pytest.raises(TrainingInterrupted) as caught:
        fit(_mlp(), _ce, optim.Adam(), X, y, epochs=5, batch_size=32, callbacks=[Stop()])
    assert isinstance(caught.value, KeyboardInterrupt)
    assert Stop.ended == "interrupted"


def test_float32_stays_float32():
    X, y = _blobs(dtype=numpy.float32)
    model = _mlp(numpy.float32)
    opt = optim.Adam(lr=0.01)
    fit(model, _ce, opt, X, y, epochs=2, batch_size=32, clip_grad_norm=1.0)
    assert {v.dtype for v in model.state_dict().values()} == {numpy.dtype(numpy.float32)}
    assert all(v.dtype == numpy.float32 for k, v in opt.state_dict().items()
               if k.startswith("state.") and not k.endswith(".step"))


def test_lbfgs_full_batch_matches_a_converged_logistic_regression():
    X, y = _blobs()
    binary = (y == 0).astype(numpy.float64)
    model = nn.Linear(4, 1, init="zeros", dtype=numpy.float64)

    def loss(model, X, y, w):
        return nn.binary_cross_entropy_with_logits(np.reshape(model(X), (-1,)), y) + \
            0.05 * np.sum(model.weight * model.weight)

    opt = optim.LBFGS(line_search_fn="strong_wolfe", max_iter=50, tolerance_change=1e-12)
    history = fit(model, loss, opt, X, binary, epochs=3, batch_size="full")
    assert history.rows[-1]["grad_norm"] < 1e-5
    with pytest.raises(ValueError, match="LBFGS: batch_size=8 is a mini-batch, but LBFGS takes "
                                         "whole-data steps; use batch_size 'full'"):
        fit(model, loss, optim.LBFGS(), X, binary, epochs=1, batch_size=8)
    with pytest.raises(ValueError, match="LBFGS: clip_grad_norm=2.0 cannot be combined with "
                                         "LBFGS, whose line search needs the true gradient"):
        fit(model, loss, optim.LBFGS(), X, binary, epochs=1, clip_grad_norm=2.0)


def test_schedule_sets_the_lr_recorded_per_epoch():
    X, y = _blobs()
    opt = optim.SGD(lr=0.1)
    history = fit(_mlp(), _ce, opt, X, y, epochs=4, batch_size=64,
                  schedule=optim.StepLR(opt, step_size=1, gamma=0.5))
    assert history.column("lr").tolist() == [0.1, 0.05, 0.025, 0.0125]


def test_unknown_monitor_is_reported():
    X, y = _blobs()
    with pytest.raises(ValueError, match="val_accuracy.*available"):
        fit(_mlp(), _ce, optim.Adam(), X, y, validation=(X, y), epochs=2,
            callbacks=[EarlyStopping(monitor="val_accuracy", mode="max")])


@pytest.mark.parametrize("order", ["C", "F"])
def test_each_step_sees_the_rows_of_its_shuffled_batch(order):
    X, y = _blobs(n=50)
    X = numpy.asarray(X, order=order)
    weight = numpy.linspace(0.5, 1.5, 50)
    seen = []

    def loss(model, xb, yb, wb):
        seen.append((numpy.array(xb), numpy.array(yb), numpy.array(wb)))
        return _ce(model, xb, yb, wb)

    fit(_mlp(dropout=0.0), loss, optim.SGD(lr=0.1), X, y, sample_weight=weight, epochs=1,
        batch_size=16, seed=3, jit=False)
    order_seen = numpy.random.default_rng(3).permutation(50)
    bounds = [0, 16, 32, 48, 50]
    assert len(seen) == 4
    for (xb, yb, wb), start, stop in zip(seen, bounds, bounds[1:]):
        rows = order_seen[start:stop]
        numpy.testing.assert_array_equal(xb, X[rows])
        numpy.testing.assert_array_equal(yb, y[rows])
        numpy.testing.assert_array_equal(wb, weight[rows])


@pytest.mark.parametrize("seed", ["abc", -1, 1.5, [1, -2]])
def test_a_seed_numpy_cannot_use_is_refused_before_training(seed):
    X, y = _blobs()
    model = _mlp()
    before = _params(model)
    with pytest.raises((TypeError, ValueError), match=r"fit: seed must be an integer >= 0 or a "
                       r"list \(each item"):
        fit(model, _ce, optim.LBFGS(max_iter=3), X, y, epochs=1, seed=seed)
    after = _params(model)
    assert all(numpy.array_equal(before[name], after[name]) for name in before)


def test_a_seed_sequence_seeds_the_loop_as_its_generator_does():
    X, y = _blobs()
    runs = [fit(_mlp(), _ce, optim.SGD(lr=0.1), X, y, epochs=2, batch_size=10, seed=seed)
            for seed in (numpy.random.SeedSequence(9),
                         numpy.random.default_rng(numpy.random.SeedSequence(9)))]
    numpy.testing.assert_array_equal(runs[0].column("train_loss"), runs[1].column("train_loss"))
