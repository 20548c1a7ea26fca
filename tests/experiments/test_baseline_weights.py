"""The baseline trains on the run's class weights wherever its estimator's fit takes them,
and its row of the table says so where it cannot."""

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from mlkit.config import validate_config
from mlkit.config.build import build_plan
from mlkit.experiments import baseline as baseline_module
from mlkit.experiments.baseline import fit_baseline
from mlkit.train import RunResult
from mlkit.train.history import History
from mlkit.train.report import comparison_table

CONFIG = {"data": {"dataset": "iris"}, "model": {"name": "mlp", "hidden": [4]},
          "loss": {"name": "cross_entropy", "class_weight": {0: 5.0}},
          "training": {"epochs": 1}, "baseline": {"name": "mlp", "max_iter": 30},
          "metrics": ["accuracy", "log_loss"]}


@pytest.fixture(scope="module")
def setup():
    config = validate_config(CONFIG)
    return config, build_plan(config)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_mlp_baseline_gets_the_class_weights(setup):
    config, plan = setup
    result = fit_baseline(config, plan)
    assert "[unweighted]" not in result.description and "class weights" not in result.note
    estimator, _, _ = baseline_module._estimator("mlp", config, plan)
    splits = plan.splits
    estimator.fit(splits.X_train, splits.y_train, sample_weight=splits.w_train)
    proba = estimator.predict_proba(splits.X_test)
    assert result.test["log_loss"] == pytest.approx(
        -np.mean(np.log(proba[np.arange(len(proba)), splits.y_test])), rel=1e-9)
    assert list(result.test) == ["accuracy", "log_loss"]


def test_an_estimator_without_sample_weight_is_marked_on_its_row(setup, monkeypatch):
    config, plan = setup

    class Unweighted(MLPClassifier):
        def fit(self, X, y):
            return super().fit(X, y)

    def estimator(name, config, plan):
        return Unweighted(hidden_layer_sizes=(4,), max_iter=30, random_state=0), "MLP", []

    monkeypatch.setattr(baseline_module, "_estimator", estimator)
    result = fit_baseline(config, plan)
    assert result.description == "MLP [unweighted]"
    assert "takes no sample_weight: trained without the class weights" in result.note
    mlkit_row = RunResult(History([{"epoch": 1, "train_loss": 1.0}]), dict(result.test), 0.1, 1)
    table = comparison_table(plan.head, mlkit_row, result, ["accuracy"])
    assert "scikit-learn MLP [unweighted]" in table.splitlines()[4]
    assert table.splitlines()[0] == "test metrics (1 epoch, best epoch 1):"
