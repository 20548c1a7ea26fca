"""Chosen metrics through a whole run: metrics.csv, summary.json, the table, early stopping,
the evaluate report and the pictures, each number checked against scikit-learn."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as sk

from mlkit.cli import main
from mlkit.config.runs import evaluate_run

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
CHOSEN = ["accuracy", "f1_macro", "roc_auc_ovr", "brier"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """configs/softmax.yaml with chosen metrics, stopped early on val_f1_macro."""
    root = tmp_path_factory.mktemp("runs")
    code = main(["train", str(CONFIGS / "softmax.yaml"), f"metrics=[{', '.join(CHOSEN)}]",
                 "training.early_stopping={monitor: val_f1_macro, patience: 3}",
                 "optimizer.lr=0.002", "~schedule", "--quiet", "--output", str(root)])
    assert code == 0
    (path,) = [p.parent for p in root.glob("*/*/config.yaml")]
    return path


def test_chosen_metrics_fill_metrics_csv_and_summary_and_stop_early(run, capsys):
    frame = pd.read_csv(run / "metrics.csv")
    assert list(frame.columns) == ["epoch", "train_loss", "val_loss"] + [
        f"val_{name}" for name in CHOSEN] + ["lr", "grad_norm", "seconds"]
    summary = json.loads((run / "summary.json").read_text())
    assert list(summary["test"]) == CHOSEN and list(summary["baseline"]) == CHOSEN
    best = int(frame["epoch"][frame["val_f1_macro"].idxmax()])  # the first of the highest
    assert summary["epochs"]["best"] == best
    assert summary["epochs"]["stop_reason"] == "early_stopping"
    assert summary["epochs"]["completed"] == best + 3
    found = evaluate_run(run)  # the saved best model on the test split
    proba = found.head.proba(found.outputs)
    pred = proba.argmax(axis=1)
    expected = {"accuracy": sk.accuracy_score(found.y, pred),
                "f1_macro": sk.f1_score(found.y, pred, average="macro"),
                "roc_auc_ovr": sk.roc_auc_score(found.y, proba, multi_class="ovr"),
                "brier": sk.brier_score_loss(found.y, proba)}
    for name, value in expected.items():
        assert summary["test"][name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
    assert (run / "confusion.png").read_bytes()[:4] == b"\x89PNG"
    assert (run / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert not (run / "roc.png").exists()  # three classes


def test_evaluate_prints_a_per_class_report_and_the_confusion_matrix(run, capsys):
    (run / "confusion.png").unlink()
    assert main(["evaluate", str(run)]) == 0
    out = capsys.readouterr().out
    metrics_part, report_part, confusion_part, calibration_part, written = out.split("\n\n")
    found = evaluate_run(run)
    pred = found.head.predict(found.outputs)
    reference = sk.classification_report(found.y, pred, labels=[0, 1, 2],
                                         target_names=found.classes, output_dict=True)
    rows = {line[:13].strip(): line[13:].split() for line in report_part.splitlines()[3:]}
    for name in [*found.classes, "macro avg", "weighted avg"]:
        precision, recall, f1, support = map(float, rows[name])
        want = reference[name]
        assert [precision, recall, f1] == pytest.approx(
            [want["precision"], want["recall"], want["f1-score"]], abs=5e-5), name
        assert support == want["support"]
    counts = [list(map(int, line.split()[1:])) for line in confusion_part.splitlines()[3:]]
    np.testing.assert_array_equal(counts, sk.confusion_matrix(found.y, pred))
    assert "accuracy" in metrics_part and "f1_macro" in metrics_part
    assert calibration_part.startswith("calibration (top-label")
    assert written.strip() == f"wrote {run / 'confusion.png'}, {run / 'calibration.png'}"
    assert (run / "confusion.png").read_bytes()[:4] == b"\x89PNG"
