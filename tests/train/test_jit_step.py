"""Training with ``jit`` on and off gives the same run: every shipped config (metrics.csv,
float64 identical, float32 to 6 significant digits), a run started eagerly and resumed jitted,
dropout, frozen parameters, and one recording per batch shape."""

import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

import mlkit
from mlkit import nn
from mlkit.cli import main
from mlkit.optim import LBFGS, SGD, Adam, CosineAnnealingLR
from mlkit.train import Callback, ModelCheckpoint, fit, load_arrays
from mlkit.train.step import training_step
from mlkit.tree import tree_leaves

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ["logreg", "softmax", "mlp", "mlp_regression", "csv"]
LEAN = ["baseline.name=off", "output.save_plots=false", "--quiet"]


def _train_cli(tmp_path, config, *overrides):
    """The run directory of `mlkit train configs/<config>.yaml` with ``overrides``."""
    root = tmp_path / "runs"
    code = main(["train", str(REPO / "configs" / f"{config}.yaml"), *overrides, *LEAN,
                 "--output", str(root)])
    assert code == 0
    (config_file,) = root.glob("*/*/config.yaml")
    return config_file.parent


def _table(run):
    """metrics.csv as its text cells, the wall-time column left out."""
    rows = [line.split(",") for line in (run / "metrics.csv").read_text().splitlines()]
    keep = [i for i, name in enumerate(rows[0]) if name != "seconds"]
    return [[row[i] for i in keep] for row in rows]


def _saved(path):
    """The arrays of a run's .npz file (last.npz: model, optimizer, random generator, callback,
    history and loop state), the wall times left out."""
    with np.load(path) as saved:
        return {name: saved[name] for name in saved.files if name != "history.seconds"}


def _assert_same_arrays(a, b):
    assert a.keys() == b.keys() and a
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.parametrize("config", SHIPPED)
def test_each_shipped_run_trains_identically_without_jit(config, shipped_run, tmp_path):
    jitted = shipped_run(config)  # as shipped: float64, jit on
    resolved = yaml.safe_load((jitted / "config.yaml").read_text())["training"]
    assert resolved["dtype"] == "float64" and resolved["jit"] is True
    eager = _train_cli(tmp_path, config, "training.jit=false")
    assert yaml.safe_load((eager / "config.yaml").read_text())["training"]["jit"] is False
    assert len(_table(jitted)) > 2
    assert _table(eager) == _table(jitted)
    for name in ("model.npz", "last.npz"):
        _assert_same_arrays(_saved(eager / name), _saved(jitted / name))


def _numbers(run):
    return np.array([[float(cell) for cell in row] for row in _table(run)[1:]])


@pytest.mark.parametrize("config", SHIPPED)
def test_shipped_configs_agree_to_six_digits_with_jit_in_float32(tmp_path, config):
    runs = [_train_cli(tmp_path / str(jit), config, f"training.jit={jit}", "training.epochs=3",
                       "training.dtype=float32") for jit in ("true", "false")]
    assert _table(runs[0])[0] == _table(runs[1])[0]
    jitted, eager = _numbers(runs[0]), _numbers(runs[1])
    assert jitted.shape[0] == 3
    np.testing.assert_allclose(jitted, eager, rtol=1e-6, atol=1e-12)
    for run in runs:
        assert all(value.dtype == np.float32 for value in _saved(run / "model.npz").values())


def test_a_run_started_without_jit_and_resumed_with_it_ends_as_an_uninterrupted_run(
        capsys, tmp_path, shipped_run):
    straight = shipped_run("csv")  # an MLP, jit on throughout
    epochs = yaml.safe_load((straight / "config.yaml").read_text())["training"]["epochs"]
    partial = _train_cli(tmp_path, "csv", "training.jit=false", "training.epochs=3")
    assert int(load_arrays(partial / "last.npz")["loop.epoch"]) == 3
    code = main(["train", "--resume", str(partial), f"training.epochs={epochs}",
                 "training.jit=true", "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert _table(partial) == _table(straight)
    for name in ("model.npz", "last.npz"):
        _assert_same_arrays(_saved(partial / name), _saved(straight / name))


def _data(n=70):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(np.int64)
    return X, y


def _model(dropout=0.0):
    layers = [nn.Linear(4, 6, rng=1, dtype=np.float64), nn.Tanh()]
    if dropout:
        layers.append(nn.Dropout(dropout, rng=2))
    return nn.Sequential(*layers, nn.Linear(6, 2, rng=3, dtype=np.float64))


def _loss(model, X, y, w):
    return nn.cross_entropy(model(X), y, weight=w)


def _train(model, jit, optimizer=None, epochs=4, batch_size=16, **options):
    X, y = _data()
    history = fit(model, _loss, optimizer or Adam(0.05), X, y, epochs=epochs,
                  batch_size=batch_size, seed=5, jit=jit, **options)
    return [(row["train_loss"], row["grad_norm"]) for row in history.rows], model.state_dict()


def test_fit_resumed_jitted_from_an_eager_checkpoint_ends_as_an_uninterrupted_jitted_fit(
        tmp_path):
    X, y = _data()

    def training(model, epochs, jit, resume=None, callbacks=()):
        optimizer = Adam(0.05)
        return fit(model, _loss, optimizer, X, y, validation=(X[:20], y[:20]), epochs=epochs,
                   batch_size=16, seed=np.random.default_rng(5), clip_grad_norm=0.5,
                   schedule=CosineAnnealingLR(optimizer, T_max=6), jit=jit, resume=resume,
                   callbacks=list(callbacks))

    straight = _model(0.3)
    full = training(straight, 6, jit=True)
    training(_model(0.3), 3, jit=False, callbacks=[ModelCheckpoint(tmp_path)])
    saved = load_arrays(tmp_path / "last.npz")
    assert int(saved["loop.epoch"]) == 3
    resumed_model = _model(0.3)
    resumed = training(resumed_model, 6, jit=True, resume=saved)

    def rows(history):
        return [{k: v for k, v in row.items() if k != "seconds"} for row in history.rows]

    assert len(full.rows) == 6 and rows(resumed) == rows(full)
    _assert_same_arrays(resumed_model.state_dict(), straight.state_dict())


def _same(a, b):
    assert a[0] == b[0]
    assert a[1].keys() == b[1].keys()
    for name in a[1]:
        np.testing.assert_array_equal(a[1][name], b[1][name])


def test_dropout_draws_the_same_masks_as_eager_and_changes_the_run():
    jitted, eager = _train(_model(0.4), True), _train(_model(0.4), False)
    _same(jitted, eager)
    assert jitted[0] != _train(_model(0.0), True)[0]  # the masks took part


def test_sample_weights_and_clipping_match_eager():
    weight = np.linspace(0.5, 2.0, 70)
    options = {"sample_weight": weight, "clip_grad_norm": 0.3}
    _same(_train(_model(), True, **options), _train(_model(), False, **options))


def test_frozen_parameters_stay_put_and_the_rest_trains_as_eager():
    def frozen():
        return _model().freeze(["layers.0"])

    start = frozen().state_dict()
    jitted, eager = _train(frozen(), True, SGD(0.1, momentum=0.9)), _train(frozen(), False,
                                                                            SGD(0.1, momentum=0.9))
    _same(jitted, eager)
    np.testing.assert_array_equal(jitted[1]["layers.0.weight"], start["layers.0.weight"])
    assert not np.array_equal(jitted[1]["layers.2.weight"], start["layers.2.weight"])


def _step(model, jit=True):
    return training_step(model, _loss, jit=jit)


def _call(step, X, y):
    step.bind()
    loss, grads = step(X, y, None)
    return loss, step.flat.views(grads)


def test_a_frozen_parameter_changed_between_calls_is_read_afresh():
    model = _model().freeze(["layers.0"])
    X, y = _data(8)
    step = _step(model)
    _call(step, X, y)
    model.update({"layers": [{"weight": model.layers[0].weight * 2}, {}, {}]})
    loss, grads = _call(step, X, y)
    reference = nn.value_and_grad(model, _loss)(model, X, y, None)
    assert float(loss) == float(reference[0])
    np.testing.assert_array_equal(grads["layers"][2]["weight"],
                                  reference[1]["layers"][2]["weight"])
    assert step.program.cache_info() == {"signatures": 1, "paths": [1]}


def test_freezing_a_layer_records_anew_and_matches_eager():
    model = _model()
    X, y = _data(8)
    step = _step(model)
    _call(step, X, y)
    model.freeze(["layers.2.bias"])
    loss, grads = _call(step, X, y)
    reference = nn.value_and_grad(model, _loss)(model, X, y, None)
    assert float(loss) == float(reference[0])
    assert "bias" not in grads["layers"][2]
    np.testing.assert_array_equal(grads["layers"][0]["weight"],
                                  reference[1]["layers"][0]["weight"])
    assert step.program.cache_info()["signatures"] == 2


def test_the_model_trains_as_views_of_one_vector_per_dtype():
    model = _model()
    _train(model, True, epochs=1)
    (vector,) = _step(model).flat.vectors
    for leaf in tree_leaves(model.trainable_parameters()):
        assert np.shares_memory(leaf, vector)


def test_one_fit_records_once_per_batch_shape_and_later_fits_replay():
    model = _model(0.2)
    _train(model, True, epochs=5)  # 70 rows in batches of 16: four full, one of 6
    program = _step(model).program
    assert program.cache_info() == {"signatures": 2, "paths": [1, 1]}
    _train(model, True, epochs=7)  # a second fit, as partial_fit or warm_start call it
    assert _step(model).program is program
    assert program.cache_info() == {"signatures": 2, "paths": [1, 1]}
    assert _step(model, jit=False).program is None


def test_batch_norm_statistics_update_under_jit_as_eagerly():
    def model():
        return nn.Sequential(nn.Linear(4, 6, rng=1, dtype=np.float64),
                             nn.BatchNorm1d(6, dtype=np.float64), nn.Tanh(),
                             nn.Linear(6, 2, rng=3, dtype=np.float64))

    jitted_model = model()
    jitted, eager = _train(jitted_model, True), _train(model(), False)
    _same(jitted, eager)
    assert jitted[1]["layers.1.num_batches_tracked"] == 4 * 5
    assert _step(jitted_model).program.cache_info()["signatures"] == 2


def test_l_bfgs_steps_through_the_jitted_objective_as_eagerly():
    runs = [_train(_model(), jit, LBFGS(max_iter=5), epochs=3, batch_size="full")
            for jit in (True, False)]
    _same(*runs)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_logistic_regression_replays_one_program_per_batch_shape(solver, monkeypatch):
    import mlkit.train.loop as loop
    from mlkit.estimators import LogisticRegression

    X, y = _data(120)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # "more than 16 paths": a retrace a batch
        jitted = LogisticRegression(solver=solver, max_iter=5, batch_size=16,
                                    random_state=0).fit(X, y)
    monkeypatch.setattr(loop, "training_step",
                        lambda *args: training_step(*args[:4], jit=False))
    eager = LogisticRegression(solver=solver, max_iter=5, batch_size=16, random_state=0).fit(X, y)
    np.testing.assert_array_equal(jitted.coef_, eager.coef_)


def test_class_weights_replay_one_program_and_match_eager():
    def loss(model, X, y, w):
        return nn.cross_entropy(model(X), y, class_weight=np.array([1.0, 3.0]))

    X, y = _data()
    runs = []
    for jit in (True, False):
        model = _model()
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            history = fit(model, loss, Adam(0.05), X, y, epochs=3, batch_size=16, seed=5,
                          jit=jit)
        runs.append(([row["train_loss"] for row in history.rows], model.state_dict()))
    assert runs[0][0] == runs[1][0]
    for name in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][name], runs[1][1][name])


def test_a_float32_layer_casts_float64_inputs_under_jit_as_eagerly():
    layer = nn.Linear(4, 3, rng=0)
    X = np.random.default_rng(0).normal(size=(5, 4))
    jitted = mlkit.jit(lambda x: layer(x) ** 2)(X)
    assert jitted.dtype == np.float32
    np.testing.assert_array_equal(jitted, layer(X) ** 2)


def test_float32_layers_on_float64_data_train_as_eager_in_float32():
    def model():
        return nn.Sequential(nn.Linear(4, 6, rng=1), nn.Tanh(), nn.Linear(6, 2, rng=3))

    jitted, eager = _train(model(), True), _train(model(), False)
    _same(jitted, eager)
    assert all(value.dtype == np.float32 for value in jitted[1].values())


def test_float32_layers_with_float64_sample_weights_train_as_eager_in_float32():
    """The jitted step traces the weights too; the loss casts them to float32 as eagerly."""
    def model():
        return nn.Sequential(nn.Linear(4, 6, rng=1), nn.Tanh(), nn.Linear(6, 2, rng=3))

    weight = np.linspace(0.5, 2.0, 70)
    jitted = _train(model(), True, sample_weight=weight)
    _same(jitted, _train(model(), False, sample_weight=weight))
    assert all(value.dtype == np.float32 for value in jitted[1].values())


def test_lbfgs_line_search_replays_one_program_and_matches_eager():
    from mlkit.optim import LBFGS

    calls = []

    def loss(model, X, y, w):
        calls.append(1)
        return _loss(model, X, y, w)

    X, y = _data()
    runs = []
    for jit in (True, False):
        calls.clear()
        model = _model()
        optimizer = LBFGS(max_iter=15, line_search_fn="strong_wolfe")
        history = fit(model, loss, optimizer, X, y, epochs=2, jit=jit)
        runs.append((history.rows[-1]["train_loss"], model.state_dict(), optimizer.n_evals,
                     len(calls)))
    (loss_jit, state_jit, evals_jit, traced_jit), (loss_eager, state_eager, evals, _) = runs
    assert evals_jit == evals > 20 and traced_jit == 1  # every evaluation replays
    assert loss_jit == loss_eager
    for name in state_eager:
        np.testing.assert_array_equal(state_jit[name], state_eager[name])


class _Linear(nn.Module):
    """A model that declares its programs shareable: only its arrays enter the loss."""

    def __init__(self, weight):
        super().__init__()
        self.weight = weight

    def jit_key(self):
        return ()


def _linear_loss(model, X, y, w):
    return nn.mse_loss(X @ model.weight, y)


def test_models_with_a_jit_key_share_programs_per_thread_and_loss():
    import threading

    X, y = _data(12)
    first, second = _Linear(np.ones(4)), _Linear(np.zeros(4))
    shared = training_step(first, _linear_loss).shared
    step = training_step(second, _linear_loss)
    assert step.shared is shared
    assert training_step(second, _loss).shared is not shared  # another loss function
    assert training_step(_model(), _linear_loss).shared is not shared  # no jit_key
    training_step(first, _linear_loss).bind()
    training_step(first, _linear_loss)(X, y.astype(float), None)
    step.bind()
    loss, grads = step(X, y.astype(float), None)
    expected = nn.value_and_grad(second, _linear_loss)(second, X, y.astype(float), None)
    assert float(loss) == float(expected[0])
    np.testing.assert_array_equal(grads[0], expected[1]["weight"])
    assert step.program.cache_info() == {"signatures": 1, "paths": [1]}  # recorded on first
    other = []
    thread = threading.Thread(
        target=lambda: other.append(training_step(_Linear(np.ones(4)), _linear_loss)))
    thread.start()
    thread.join()
    assert other[0].shared is not shared  # a program's buffers serve one thread at a time

    class Unhashable:
        __hash__ = None

        def __call__(self, model, X, y, w):
            return _linear_loss(model, X, y, w)

    loss = Unhashable()
    assert training_step(first, loss).shared is not training_step(second, loss).shared


class _FreezeAt(Callback):
    """Freezes ``names`` at the end of epoch ``epoch`` (and unfreezes them at ``thaw``)."""

    def __init__(self, model, names, epoch, thaw=None):
        self.model, self.names, self.epoch, self.thaw = model, names, epoch, thaw

    def on_epoch_end(self, state, row):
        if state.epoch == self.epoch:
            self.model.freeze(self.names)
        if state.epoch == self.thaw:
            self.model.unfreeze(self.names)


@pytest.mark.parametrize("jit", [True, False])
def test_freezing_a_layer_mid_run_stops_it_and_the_rest_trains_on_as_two_runs_would(jit):
    X, y = _data()
    model = _model()
    adam = Adam(0.05)
    fit(model, _loss, adam, X, y, epochs=5, batch_size=16, seed=np.random.default_rng(5),
        jit=jit, callbacks=[_FreezeAt(model, ["layers.0"], 2)])
    # the same run as two fits: two epochs, freeze, three more (optimizer and shuffling go on)
    rng, twice, adam_twice = np.random.default_rng(5), _model(), Adam(0.05)
    fit(twice, _loss, adam_twice, X, y, epochs=2, batch_size=16, seed=rng, jit=jit)
    frozen = twice.state_dict()["layers.0.weight"]
    twice.freeze(["layers.0"])
    fit(twice, _loss, adam_twice, X, y, epochs=3, batch_size=16, seed=rng, jit=jit)
    state, expected = model.state_dict(), twice.state_dict()
    np.testing.assert_array_equal(expected["layers.0.weight"], frozen)
    for name in state:
        np.testing.assert_array_equal(state[name], expected[name])


def test_a_layer_frozen_then_thawed_trains_the_same_jitted_and_eagerly():
    X, y = _data()
    runs = []
    for jit in (True, False):
        model = _model()
        fit(model, _loss, SGD(0.1, momentum=0.9), X, y, epochs=5, batch_size=16, seed=5,
            jit=jit, callbacks=[_FreezeAt(model, ["layers.2"], 1, thaw=3)])
        runs.append(model.state_dict())
    for name in runs[0]:
        np.testing.assert_array_equal(runs[0][name], runs[1][name])


@pytest.mark.parametrize("jit", [True, False])
def test_a_trained_model_is_freed_once_the_caller_drops_it(jit):
    import gc
    import weakref

    model = _model()
    _train(model, jit, epochs=1)
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None  # the kept training step holds its model weakly
