"""The scikit-learn baseline of an MLP config steps as the config's optimizer does."""

import math
import warnings

import pytest

from mlkit.config import validate_config
from mlkit.config.build import build_plan
from mlkit.experiments.baseline import _estimator, fit_baseline


@pytest.mark.parametrize("optimizer, batch_size, solver, rate", [
    ({"name": "lbfgs"}, "full", "lbfgs", None),
    ({"name": "adam", "lr": 0.02}, 16, "adam", 0.02),
    ({"name": "sgd", "lr": 0.05, "momentum": 0.9}, 16, "adam", 0.05),
    ({"name": "rmsprop", "lr": 0.004}, 16, "adam", 0.004),
])
def test_mlp_baseline_solver_follows_how_the_optimizer_steps(optimizer, batch_size, solver,
                                                             rate):
    config = validate_config({
        "data": {"dataset": "make_moons", "params": {"n_samples": 120}},
        "model": {"name": "mlp", "hidden": [5]}, "loss": {"name": "cross_entropy"},
        "optimizer": optimizer, "training": {"batch_size": batch_size},
        "baseline": {"max_iter": 30}}, source="t.yaml")
    plan = build_plan(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 30 iterations do not converge
        result = fit_baseline(config, plan)
    assert result.description.startswith("MLPClassifier(hidden=[5]")
    assert result.description.endswith(f"solver={solver})")
    assert 0.5 < result.test["accuracy"] <= 1 and math.isfinite(result.test["log_loss"])
    if rate is not None:  # the stochastic solver takes the config's learning rate
        assert _estimator("mlp", config, plan)[0].learning_rate_init == rate
