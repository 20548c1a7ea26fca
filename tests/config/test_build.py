"""Config -> Plan: shapes, scaling on training rows only, weights, and data-dependent errors."""

from pathlib import Path

import numpy
import pytest

from mlkit.config import ConfigError, apply_overrides, load_config, validate_config
from mlkit.config.build import build_plan
from mlkit.registry import UnknownComponent, make_loss, make_model, make_optimizer

REPO = Path(__file__).resolve().parents[2]
MINIMAL = {"data": {"dataset": "breast_cancer"}, "model": {"name": "logistic_regression"},
           "loss": {"name": "binary_cross_entropy"}, "name": "t"}
PENGUINS = ("data.csv={path: datasets/penguins.csv, target: species, "
            "categorical: [island, sex], impute: drop}")


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)  # datasets/penguins.csv is relative to the repository


def _plan(edits, base=MINIMAL):
    return build_plan(validate_config(apply_overrides(base, edits), source="t.yaml"))


def _problems(edits, base=MINIMAL):
    with pytest.raises(ConfigError) as caught:
        _plan(edits, base)
    return str(caught.value)


@pytest.mark.parametrize("name, head, outputs", [
    ("logreg", "binary", 1), ("softmax", "multiclass", 3), ("mlp", "multiclass", 10),
    ("mlp_regression", "regression", 1), ("csv", "multiclass", 3)])
def test_shipped_configs_build(name, head, outputs):
    plan = build_plan(load_config(REPO / "configs" / f"{name}.yaml"))
    assert plan.head.kind == head
    last = plan.model.state_dict()
    assert list(last.values())[-1].shape == (outputs,)
    splits = plan.splits
    assert len(splits.X_train) > len(splits.X_test) > 0
    assert splits.X_train.shape[1] == len(plan.preprocessing.feature_names)


def test_inputs_are_standardized_on_training_rows_only():
    plan = _plan([])
    X = plan.splits.X_train
    assert numpy.allclose(X.mean(axis=0), 0, atol=1e-12)
    assert numpy.allclose(X.std(axis=0), 1)
    assert not numpy.allclose(plan.splits.X_test.mean(axis=0), 0, atol=1e-12)


def test_float32_config_gives_float32_data_model_and_loss():
    plan = _plan(["training.dtype=float32", "loss.l2=0.01"])
    assert plan.splits.X_train.dtype == numpy.float32
    assert {v.dtype for v in plan.model.state_dict().values()} == {numpy.dtype("float32")}
    splits = plan.splits
    value = plan.loss_fn(plan.model, splits.X_train, splits.y_train, None)
    assert numpy.asarray(value).dtype == numpy.float32


def test_balanced_class_weights_average_to_one():
    plan = _plan(["loss.class_weight=balanced"])
    weights = plan.splits.w_train
    assert weights.mean() == pytest.approx(1.0)
    assert len(set(weights.round(12))) == 2


def test_logistic_regression_on_three_classes_suggests_softmax():
    text = _problems(["data.dataset=csv", PENGUINS])
    assert "model.name" in text and "3 classes" in text and "softmax_regression" in text


def test_binary_loss_on_three_classes_suggests_cross_entropy():
    base = {**MINIMAL, "model": {"name": "mlp", "hidden": [4]}}
    text = _problems(["data.dataset=csv", PENGUINS], base)
    assert "loss.name" in text and "use cross_entropy" in text


def test_regression_model_on_class_labels_names_the_task():
    base = {"data": {"dataset": "csv", "csv": {"path": "datasets/penguins.csv",
                                               "target": "species",
                                               "categorical": ["island", "sex"],
                                               "impute": "drop"}},
            "model": {"name": "linear_regression"}, "loss": {"name": "mse"}, "name": "t"}
    text = _problems([], base)
    assert "regression choice" in text and "classification task" in text


def test_unknown_class_weight_labels_list_the_real_ones():
    text = _problems(["loss.class_weight={benign: 2.0, healthy: 1.0}"])
    assert "healthy" in text and "'malignant', 'benign'" in text


def test_batch_norm_with_a_last_batch_of_one_row():
    base = {**MINIMAL, "model": {"name": "mlp", "hidden": [4], "batch_norm": True},
            "loss": {"name": "cross_entropy"}}
    # 569 rows * 0.6 = 341 training rows; 341 % 20 == 1
    text = _problems(["training.batch_size=20"], base)
    assert "training.last_batch" in text and "merge" in text


def test_registry_lists_valid_names():
    with pytest.raises(UnknownComponent, match="valid model names: .*mlp.*did you mean 'mlp'"):
        make_model("mpl", 2, 1, rng=0)
    with pytest.raises(UnknownComponent, match="valid loss names"):
        make_loss("crossentropy")
    with pytest.raises(UnknownComponent, match="did you mean 'adam'"):
        make_optimizer("adamm")


def test_make_optimizer_names_the_groups_without_params():
    with pytest.raises(ValueError, match=r"groups \[1, 2\] are not a dict with 'params'; give "
                                         r"each group its pattern and options, e\.g\. "):
        make_optimizer("sgd", lr=0.1, groups=[{"params": "layers.0"}, {"lr": 0.01}, "bias"])
    groups = make_optimizer("sgd", lr=0.1, groups=[{"params": "layers.0", "lr": 0.01}])
    assert groups.lrs == [0.01, 0.1]
