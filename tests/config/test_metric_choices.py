"""The config's metrics: list and val_<metric> monitors: names, tasks, classes, probabilities."""

import pytest
from conftest import problems_of

from mlkit.config import ConfigError, validate_config
from mlkit.config.build import build_plan

WINE = {"data": {"dataset": "wine"}, "model": {"name": "softmax_regression"},
        "loss": {"name": "cross_entropy"}}


def test_a_valid_list_and_a_metric_monitor_pass():
    config = validate_config({**WINE, "metrics": ["accuracy", "f1_macro", "roc_auc_ovr"],
                              "training": {"early_stopping": {"monitor": "val_f1_macro"}}})
    assert config.metrics == ["accuracy", "f1_macro", "roc_auc_ovr"]
    assert config.training.early_stopping.mode == "max"  # follows from the metric


@pytest.mark.parametrize("edits, expected", [
    (["metrics=[accuracy, f1_macor]"],
     ["metrics[1]: not an allowed value (got 'f1_macor')", "did you mean 'f1_macro'?"]),
    (["metrics=[r2]"], ["metrics[0]: is a regression choice, but data.dataset 'breast_cancer' "
                        "means classification (got 'r2')"]),
    (["metrics=[]"], ["metrics: must have at least 1 item"]),
    (["training.early_stopping.monitor=val_rmse"], ["is a regression choice"]),
])
def test_names_and_tasks_are_checked_with_their_path(edits, expected):
    found = "\n".join(problems_of(edits))
    for text in expected:
        assert text in found, found


def test_binary_metrics_on_many_classes_and_probabilities_of_a_hinge_loss_are_refused():
    found = "\n".join(problems_of(["metrics=[accuracy, f1, roc_auc]",
                                   "training.early_stopping.monitor=val_precision"], WINE))
    assert ("metrics[1]: is the positive class's f1 of a binary task, but data.dataset 'wine' "
            "has 3 classes (got 'f1'); use f1_macro or f1_weighted") in found
    assert "metrics[2]: is the positive class's roc_auc" in found and "use roc_auc_ovr" in found
    assert "training.early_stopping.monitor: is the positive class's precision" in found
    hinge = {**WINE, "model": {"name": "mlp", "hidden": [4]}, "loss": {"name": "hinge"}}
    found = "\n".join(problems_of(["metrics=[accuracy, log_loss]"], hinge))
    assert ("metrics[1]: needs class probabilities, but loss 'hinge' trains scores, not "
            "probabilities (got 'log_loss')") in found


def test_the_class_count_of_a_csv_is_checked_once_the_data_is_loaded(tmp_path):
    rows = "\n".join(f"{i},{i % 3}" for i in range(30))
    (tmp_path / "three.csv").write_text("x,label\n" + rows + "\n")
    config = validate_config({"data": {"dataset": "csv", "csv": {
        "path": str(tmp_path / "three.csv"), "target": "label", "task": "classification"}},
        "model": {"name": "softmax_regression"}, "loss": {"name": "cross_entropy"},
        "metrics": ["average_precision"]})
    with pytest.raises(ConfigError, match="metrics.0.: is the positive class's "
                                          "average_precision of a binary task, but data"):
        build_plan(config)
