"""Training with ``jit`` on and off gives the same run: the shipped configs (metrics.csv,
float64 identical, float32 to 6 significant digits), dropout, frozen parameters, and one
recording per batch shape."""

import warnings
from pathlib import Path

import numpy as np
import pytest

from mlkit import nn
from mlkit.cli import main
from mlkit.nn import Trainable, jitted_value_and_grad
from mlkit.optim import SGD, Adam
from mlkit.train import fit

REPO = Path(__file__).resolve().parents[2]
QUICK = ["training.epochs=3", "baseline.name=off", "output.save_plots=false", "--quiet"]


def _metrics(tmp_path, config, jit, *overrides):
    root = tmp_path / f"jit_{jit}"
    code = main(["train", str(REPO / "configs" / config), f"training.jit={str(jit).lower()}",
                 *overrides, *QUICK, "--output", str(root)])
    assert code == 0
    (path,) = root.glob("*/*/metrics.csv")
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","))) for line in lines[1:]]
    assert len(rows) == 3
    return rows


def _numbers(rows):
    """Every column but the wall time, as floats."""
    return np.array([[float(value) for key, value in row.items() if key != "seconds"]
                     for row in rows])


@pytest.mark.parametrize("config", ["logreg.yaml", "mlp.yaml", "softmax.yaml",
                                    "mlp_regression.yaml"])
def test_shipped_configs_train_identically_with_jit_in_float64(tmp_path, config):
    eager = _metrics(tmp_path, config, False, "training.dtype=float64")
    jitted = _metrics(tmp_path, config, True, "training.dtype=float64")
    assert [list(row) for row in jitted] == [list(row) for row in eager]
    np.testing.assert_array_equal(_numbers(jitted), _numbers(eager))


@pytest.mark.parametrize("config", ["logreg.yaml", "mlp.yaml"])
def test_shipped_configs_agree_to_six_digits_with_jit_in_float32(tmp_path, config):
    eager = _numbers(_metrics(tmp_path, config, False, "training.dtype=float32"))
    jitted = _numbers(_metrics(tmp_path, config, True, "training.dtype=float32"))
    np.testing.assert_allclose(jitted, eager, rtol=1e-6, atol=1e-12)


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


def _train(model, jit, optimizer=None, epochs=4, **options):
    X, y = _data()
    history = fit(model, _loss, optimizer or Adam(0.05), X, y, epochs=epochs, batch_size=16,
                  seed=5, jit=jit, **options)
    return [(row["train_loss"], row["grad_norm"]) for row in history.rows], model.state_dict()


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


def test_a_frozen_parameter_changed_between_calls_is_read_afresh():
    model = _model().freeze(["layers.0"])
    X, y = _data(8)
    step = jitted_value_and_grad(model, _loss)
    step.at(Trainable(model), model, X, y, None)
    model.update({"layers": [{"weight": model.layers[0].weight * 2}, {}, {}]})
    loss, grads = step.at(Trainable(model), model, X, y, None)
    reference = nn.value_and_grad(model, _loss)(model, X, y, None)
    assert float(loss) == float(reference[0])
    np.testing.assert_array_equal(grads["layers"][2]["weight"],
                                  reference[1]["layers"][2]["weight"])
    assert step.program.cache_info() == {"signatures": 1, "paths": [1]}


def test_freezing_a_layer_records_anew_and_matches_eager():
    model = _model()
    X, y = _data(8)
    step = jitted_value_and_grad(model, _loss)
    step.at(Trainable(model), model, X, y, None)
    model.freeze(["layers.2.bias"])
    loss, grads = step.at(Trainable(model), model, X, y, None)
    reference = nn.value_and_grad(model, _loss)(model, X, y, None)
    assert float(loss) == float(reference[0])
    assert "bias" not in grads["layers"][2]
    np.testing.assert_array_equal(grads["layers"][0]["weight"],
                                  reference[1]["layers"][0]["weight"])
    assert step.program.cache_info()["signatures"] == 2


def test_one_fit_records_once_per_batch_shape(monkeypatch):
    import mlkit.train.loop as loop

    made = []

    def spy(model, loss_fn):
        made.append(jitted_value_and_grad(model, loss_fn))
        return made[-1]

    monkeypatch.setattr(loop, "jitted_value_and_grad", spy)
    _train(_model(0.2), True, epochs=5)  # 70 rows in batches of 16: four full, one of 6
    (step,) = made
    assert step.program.cache_info() == {"signatures": 2, "paths": [1, 1]}
    made.clear()
    _train(_model(), False)
    assert made == []


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_logistic_regression_replays_one_program_per_batch_shape(solver, monkeypatch):
    import mlkit.train.loop as loop
    from mlkit.estimators import LogisticRegression

    X, y = _data(120)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # "more than 16 paths": a retrace a batch
        jitted = LogisticRegression(solver=solver, max_iter=5, batch_size=16,
                                    random_state=0).fit(X, y)
    monkeypatch.setattr(loop, "_jittable", lambda *args: False)
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


def test_float32_layers_on_float64_data_train_as_eager_in_float32():
    def model():
        return nn.Sequential(nn.Linear(4, 6, rng=1), nn.Tanh(), nn.Linear(6, 2, rng=3))

    jitted, eager = _train(model(), True), _train(model(), False)
    _same(jitted, eager)
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
    step = jitted_value_and_grad(first, _linear_loss)
    assert jitted_value_and_grad(second, _linear_loss) is step
    assert jitted_value_and_grad(second, _loss) is not step  # another loss function
    loss, grads = step.at(Trainable(second), second, X, y.astype(float), None)
    expected = nn.value_and_grad(second, _linear_loss)(second, X, y.astype(float), None)
    assert float(loss) == float(expected[0])
    np.testing.assert_array_equal(grads["weight"], expected[1]["weight"])
    assert step.program.cache_info() == {"signatures": 1, "paths": [1]}
    other = []
    thread = threading.Thread(
        target=lambda: other.append(jitted_value_and_grad(first, _linear_loss)))
    thread.start()
    thread.join()
    assert other[0] is not step  # a program's buffers serve one thread at a time

    class Unhashable:
        __hash__ = None

        def __call__(self, model, X, y, w):
            return _linear_loss(model, X, y, w)

    loss = Unhashable()
    assert jitted_value_and_grad(first, loss) is not jitted_value_and_grad(first, loss)
    with pytest.raises(ValueError, match="model it was built for"):
        jitted_value_and_grad(_model(), _loss).at(Trainable(second), second, X, y, None)
