"""A margin loss (hinge) trains class scores, not probabilities: no probability metric, no
calibration and no probability columns are derived from them, in Python and on the command line."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score

import mlkit.numpy as mnp
from mlkit import nn, optim
from mlkit.cli import main
from mlkit.metrics import check_metrics, default_metrics
from mlkit.train import fit
from mlkit.train.heads import Head

OUTPUTS = np.array([[2.0, -1.0, 0.5], [-3.0, 4.0, 1.0], [0.0, 0.1, 0.2], [5.0, 5.5, -1.0]])
Y = np.array([0, 1, 1, 2])


def test_the_highest_score_is_the_prediction_and_only_label_metrics_are_reported():
    head = Head("scores")
    assert head.is_classifier and not head.gives_proba and head.n_outputs(3) == 3
    np.testing.assert_array_equal(head.predict(OUTPUTS), [0, 1, 2, 1])
    found = head.metrics(OUTPUTS, Y)
    assert set(found) == set(default_metrics("scores")) and "log_loss" not in found
    assert found["accuracy"] == accuracy_score(Y, [0, 1, 2, 1]) == 0.5
    assert found["f1_macro"] == pytest.approx(f1_score(Y, [0, 1, 2, 1], average="macro"))
    with pytest.raises(TypeError, match="class scores, not probabilities"):
        head.proba(OUTPUTS)


@pytest.mark.parametrize("name", ["log_loss", "brier", "roc_auc_ovr"])
def test_a_probability_metric_of_scores_is_refused_with_the_fix(name):
    with pytest.raises(ValueError, match=f"metric '{name}' needs class probabilities.*hinge"):
        check_metrics([name], "scores")
    assert check_metrics(["accuracy", "f1_macro"], "scores") == ("accuracy", "f1_macro")


def test_fit_refuses_a_probability_metric_of_a_hinge_model_before_training():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    model = nn.Linear(4, 3, rng=rng)

    def loss_fn(model, X_batch, y_batch, weight):
        return nn.hinge_loss(model(X_batch), y_batch, weight=weight)

    before = mnp.array(model.weight).copy()
    with pytest.raises(ValueError, match="needs class probabilities"):
        fit(model, loss_fn, optim.SGD(lr=0.1), X, y, validation=(X, y), metrics=["log_loss"],
            head="scores", epochs=2)
    np.testing.assert_array_equal(model.weight, before)


@pytest.fixture(scope="module")
def hinge_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hinge")
    config = {"name": "hinge", "data": {"dataset": "wine", "split": {"seed": 0}},
              "model": {"name": "mlp", "hidden": [8]}, "loss": {"name": "hinge"},
              "optimizer": {"name": "adam", "lr": 0.01},
              "training": {"epochs": 30, "batch_size": 16, "seed": 0},
              "output": {"dir": str(folder / "runs"), "save_plots": False}}
    (folder / "hinge.yaml").write_text(json.dumps(config))
    assert main(["train", str(folder / "hinge.yaml")]) == 0
    return next((folder / "runs" / "hinge").iterdir())


def test_a_hinge_run_reports_label_metrics_and_no_calibration(hinge_run, capsys):
    summary = json.loads((hinge_run / "summary.json").read_text())
    assert set(summary["test"]) == set(default_metrics("scores"))
    assert "log_loss" not in pd.read_csv(hinge_run / "metrics.csv").columns
    capsys.readouterr()
    assert main(["evaluate", str(hinge_run), "--bootstrap", "50"]) == 0
    out = capsys.readouterr().out
    assert "no calibration: a margin loss (hinge) trains class scores" in out
    assert "log_loss" not in out and "expected calibration error" not in out
    assert not (hinge_run / "calibration.png").exists()
    assert (hinge_run / "confusion.png").exists()


def test_predict_writes_the_scores_and_their_highest_class(hinge_run, tmp_path):
    from sklearn.datasets import load_wine

    from mlkit.config.runs import load_predictor

    frame = load_wine(as_frame=True).frame.drop(columns="target").head(12)
    frame.to_csv(tmp_path / "new.csv", index=False)
    assert main(["predict", str(hinge_run), "--input", str(tmp_path / "new.csv"),
                 "--output", str(tmp_path / "out.csv")]) == 0
    written = pd.read_csv(tmp_path / "out.csv")
    classes = ["class_0", "class_1", "class_2"]
    assert list(written.columns) == ["prediction"] + [f"score_{c}" for c in classes]
    predictor, _ = load_predictor(hinge_run)
    outputs = predictor.outputs(frame)
    np.testing.assert_allclose(written[[f"score_{c}" for c in classes]], outputs, rtol=1e-12)
    assert list(written["prediction"]) == [classes[k] for k in outputs.argmax(axis=1)]


def test_a_hinge_run_saved_before_the_scores_head_reads_as_scores(hinge_run, tmp_path, capsys):
    """Earlier versions saved a hinge run's head as "multiclass": its evaluate and predict
    still give no calibration and no probabilities."""
    old = shutil.copytree(hinge_run, tmp_path / "old")
    prep = json.loads((old / "preprocessing.json").read_text())
    assert prep["head"] == "scores"
    (old / "preprocessing.json").write_text(json.dumps({**prep, "head": "multiclass"}))
    assert main(["evaluate", str(old), "--bootstrap", "20"]) == 0
    out = capsys.readouterr().out
    assert "no calibration" in out and "expected calibration error" not in out
    from sklearn.datasets import load_wine

    load_wine(as_frame=True).frame.drop(columns="target").head(4).to_csv(tmp_path / "new.csv",
                                                                         index=False)
    assert main(["predict", str(old), "--input", str(tmp_path / "new.csv"), "--output",
                 str(tmp_path / "out.csv")]) == 0
    assert list(pd.read_csv(tmp_path / "out.csv").columns) == ["prediction"] + [
        f"score_class_{k}" for k in range(3)]


def test_a_positive_class_metric_fits_a_two_class_head_of_any_kind():
    assert check_metrics(["f1", "precision"], "scores", n_classes=2) == ("f1", "precision")
    assert check_metrics(["roc_auc"], "multiclass", n_classes=2) == ("roc_auc",)
    with pytest.raises(ValueError, match=r"head is scores; use f1_macro or f1_weighted\.$"):
        check_metrics(["f1"], "scores", n_classes=3)  # roc_auc_ovr would be refused too
    with pytest.raises(ValueError, match="needs class probabilities"):
        check_metrics(["roc_auc"], "scores", n_classes=2)


def test_the_importance_of_a_two_class_hinge_run_reads_its_own_f1(tmp_path, capsys):
    """f1 is one of the run's metrics, so --importance-metric f1 is too (it was refused as
    'the positive class's of a binary task, but the head is scores')."""
    config = {"name": "two", "data": {"dataset": "breast_cancer", "split": {"seed": 0}},
              "model": {"name": "mlp", "hidden": [4]}, "loss": {"name": "hinge"},
              "optimizer": {"name": "adam", "lr": 0.01}, "metrics": ["accuracy", "f1"],
              "training": {"epochs": 5, "batch_size": 32, "seed": 0}, "baseline": {"name": "off"},
              "output": {"dir": str(tmp_path / "runs"), "save_plots": False}}
    (tmp_path / "two.yaml").write_text(json.dumps(config))
    assert main(["train", str(tmp_path / "two.yaml"), "--quiet"]) == 0
    run = next((tmp_path / "runs" / "two").iterdir())
    f1 = json.loads((run / "summary.json").read_text())["test"]["f1"]
    capsys.readouterr()
    assert main(["evaluate", str(run), "--bootstrap", "20", "--importance",
                 "--importance-metric", "f1", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert f"unshuffled f1 {f1:.4f}" in out
    assert pd.read_csv(run / "importance.csv").shape[0] == 30
    # two classes, but no probability to set a threshold on
    assert main(["predict", str(run), "--input", str(tmp_path / "x.csv"), "--output",
                 str(tmp_path / "p.csv"), "--threshold", "0.3"]) == 2
    assert "is a hinge (class scores, no probabilities) model" in capsys.readouterr().err
