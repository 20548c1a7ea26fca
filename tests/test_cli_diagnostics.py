"""What `mlkit evaluate` says after the metrics (calibration, the decision threshold, residuals,
permutation importance) and `mlkit predict --threshold`, checked against numbers computed
here from the run's own model and split, and on a CSV whose answer is known."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import f1_score, precision_score, recall_score

from mlkit.cli import main
from mlkit.config.build import load_data, split_data, split_rows
from mlkit.config.load import load_config
from mlkit.config.runs import evaluate_run, load_predictor
from mlkit.data import load_dataset
from mlkit.metrics import brier, calibration, permutation_importance

REPO = Path(__file__).resolve().parents[1]


def _block(out: str, title: str) -> list[list[str]]:
    """The rows (cells split on 2+ spaces) of the table printed under a line starting with
    ``title``, up to the next blank line."""
    lines = out.split("\n" + title, 1)[1].split("\n\n", 1)[0].splitlines()
    return [re.split(r"\s{2,}", line.strip()) for line in lines[3:] if line.strip()]


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


def _validation_proba(run):
    """P(class 1) and truth on the run's validation split, computed here."""
    predictor, config = load_predictor(run)
    splits, _ = split_data(config, load_data(config), "binary")
    predictor.model.eval()
    return splits.y_val, predictor.head.proba(np.asarray(predictor.model(splits.X_val)))[:, 1]


def test_calibration_and_threshold_of_a_binary_run(cli, shipped_run):
    run = shipped_run("logreg")
    code, out, err = cli("evaluate", run, "--bootstrap", "0", "--bins", "5")
    assert code == 0, err
    found = evaluate_run(run)
    proba = found.inputs["proba"]
    expected = calibration(found.y, proba[:, 1], 5)
    rows = _block(out, "calibration (P(benign)")
    assert [int(r[1]) for r in rows[:-1]] == expected.table["count"].tolist()
    assert [float(r[2]) for r in rows[:-1]] == [round(v, 4) for v in expected.table["confidence"]]
    assert [float(r[3]) for r in rows[:-1]] == [round(v, 4) for v in expected.table["frequency"]]
    assert rows[-1] == [f"expected calibration error {expected.ece:.4f}; Brier score "
                        f"{brier(found.y, proba):.4f}"]
    assert (run / "calibration.png").stat().st_size > 10_000

    # the best-F1 threshold, tried on every validation score with scikit-learn's F1
    y_val, p_val = _validation_proba(run)
    tried = {t: f1_score(y_val, p_val >= t) for t in np.unique(p_val)}
    best = max(t for t, v in tried.items() if v == max(tried.values()))
    (used, chosen) = _block(out, "decision threshold")[:2]
    assert chosen[0] == f"{np.floor(best * 1e4) / 1e4:.4f} (best F1 on validation)"
    test_p = proba[:, 1]
    for row, threshold in ((used, 0.5), (chosen, best)):
        predicted = test_p >= threshold
        assert [float(v) for v in row[1:]] == [round(s(found.y, predicted), 4) for s in (
            precision_score, recall_score, f1_score)]
    assert f"validation split ({len(y_val)} rows, F1 {max(tried.values()):.4f} there)" in out


def test_predict_applies_a_threshold(cli, tmp_path, shipped_run):
    run = shipped_run("logreg")
    data = load_dataset("breast_cancer")
    pd.DataFrame(data.X[:150], columns=data.feature_names).to_csv(tmp_path / "new.csv",
                                                                  index=False)
    y_val, p_val = _validation_proba(run)
    tried = {t: f1_score(y_val, p_val >= t) for t in np.unique(p_val)}
    best = max(t for t, v in tried.items() if v == max(tried.values()))
    for threshold, expected_t in (("0.9", 0.9), ("best", best), (None, 0.5)):
        options = [] if threshold is None else ["--threshold", threshold]
        code, out, err = cli("predict", run, "--input", tmp_path / "new.csv",
                             "--output", tmp_path / "out.csv", "--overwrite", *options)
        assert code == 0, err
        frame = pd.read_csv(tmp_path / "out.csv")
        benign = frame["proba_benign"] >= expected_t
        assert (frame["prediction"] == np.where(benign, "benign", "malignant")).all()
        if threshold == "best":
            assert f"at threshold {np.floor(best * 1e4) / 1e4:.4f} (best F1" in out
    near = frame["proba_benign"].between(0.5, 0.9)
    assert near.any()  # rows whose prediction the threshold 0.9 changed


@pytest.mark.parametrize(("run_name", "threshold", "message"), [
    ("softmax", "0.3", "applies to binary classifiers of probabilities only"),
    ("logreg", "1.5", "must be a probability between 0 and 1, or best"),
    ("logreg", "high", "must be a probability between 0 and 1, or best"),
])
def test_bad_thresholds_are_refused_before_any_work(cli, tmp_path, shipped_run, run_name,
                                                    threshold, message):
    code, _, err = cli("predict", shipped_run(run_name), "--input", "absent.csv",
                       "--output", tmp_path / "out.csv", "--threshold", threshold)
    assert code == 2 and message in err and "--threshold" in err
    assert "Traceback" not in err and not (tmp_path / "out.csv").exists()


def test_multiclass_calibration_is_top_label(cli, shipped_run):
    run = shipped_run("softmax")
    code, out, err = cli("evaluate", run, "--bootstrap", "0")
    assert code == 0, err
    found = evaluate_run(run)
    expected = calibration(found.y, found.inputs["proba"])
    assert "calibration (top-label" in out and "decision threshold" not in out
    assert f"expected calibration error {expected.ece:.4f}" in out


def test_residuals_of_a_regression_run(cli, shipped_run):
    run = shipped_run("mlp_regression")
    code, out, err = cli("evaluate", run, "--bootstrap", "0")
    assert code == 0, err
    found = evaluate_run(run)
    residual = found.y - found.inputs["values"]
    assert (f"over {len(residual)} rows: mean {residual.mean():+.4g}, std "
            f"{residual.std():.4g}") in out
    rows = _block(out, "largest absolute residuals")
    order = np.argsort(-np.abs(residual), kind="stable")[:5]
    # the diabetes test rows are named by their row in the data set
    config = load_config(run / "config.yaml")
    test_rows = split_rows(config, load_data(config))[2]
    assert [r[0] for r in rows] == [f"row {test_rows[i]}" for i in order]
    assert [float(r[3]) for r in rows] == [float(f"{residual[i]:+.4g}") for i in order]
    assert (run / "residuals.png").stat().st_size > 10_000
    assert "calibration" not in out


def test_importance_of_the_shipped_csv_run_permutes_each_column_as_one(cli, shipped_run):
    run = shipped_run("csv")
    code, out, err = cli("evaluate", run, "--bootstrap", "0", "--importance",
                         "--repeats", "3", "--seed", "2")
    assert code == 0, err
    rows = _block(out, "permutation importance")
    names = {"island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g",
             "sex"}
    assert {r[0] for r in rows} == names  # one row per input column, not per one-hot column
    found = evaluate_run(run)
    expected = permutation_importance(found.predictions_of, found.X, found.y, "accuracy",
                                      found.groups, 3, 2).frame()
    assert [r[0] for r in rows] == expected["column"].tolist()
    assert [float(r[1]) for r in rows] == [round(v, 4) for v in expected["mean"]]
    assert len(found.groups["island"]) == 3 and len(found.groups["sex"]) == 2
    kept = pd.read_csv(run / "importance.csv")
    assert list(kept.columns) == ["column", "accuracy_drop_mean", "accuracy_drop_std"]
    np.testing.assert_allclose(kept["accuracy_drop_mean"], expected["mean"])
    assert kept["column"].tolist() == expected["column"].tolist()


def _test_positions(config_path) -> np.ndarray:
    """Data-row positions of a config's test split."""
    config = load_config(config_path)
    dataset = load_data(config)
    return dataset.lines[split_rows(config, dataset)[2]] - 2


def test_importance_finds_the_column_the_target_depends_on(cli, capsys, tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({
        "key": [f"k{i}" for i in range(n)],
        "signal": rng.normal(size=n), "noise": rng.normal(size=n),
        "color": rng.choice(["red", "green", "blue"], n),
        "day": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d")})
    frame["y"] = 4.0 * frame["signal"] + rng.normal(scale=0.1, size=n)
    frame.to_csv(tmp_path / "data.csv", index=False)
    config = {"data": {"dataset": "csv", "csv": {"path": str(tmp_path / "data.csv"),
                                                 "target": "y", "ids": ["key"],
                                                 "categorical": ["color"], "dates": ["day"]},
                       "split": {"val": 0.2, "test": 0.5, "seed": 0}},
              "model": {"name": "linear_regression"}, "loss": {"name": "mse"},
              "optimizer": {"name": "lbfgs"}, "training": {"epochs": 30, "batch_size": "full"},
              "output": {"dir": str(tmp_path / "runs"), "save_plots": False},
              "baseline": {"name": "off"}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    # one test row far off the line (a regression split does not depend on the targets)
    outlier = int(_test_positions(tmp_path / "config.yaml")[3])
    frame.loc[outlier, "y"] = 40.0
    frame.to_csv(tmp_path / "data.csv", index=False)
    assert main(["train", str(tmp_path / "config.yaml"), "--quiet"]) == 0
    run = next((tmp_path / "runs").glob("*/*/config.yaml")).parent
    capsys.readouterr()
    code, out, err = cli("evaluate", run, "--bootstrap", "0", "--importance")
    assert code == 0, err
    rows = {r[0]: float(r[1]) for r in _block(out, "permutation importance")}
    assert set(rows) == {"signal", "noise", "color", "day"} and list(rows)[0] == "signal"
    assert rows["signal"] > 1.0  # r2 falls from about 0.8 to below 0
    for unused in ("noise", "color", "day"):
        assert abs(rows[unused]) < 0.02
    residuals = _block(out, "largest absolute residuals")
    assert residuals[0][0] == f"line {outlier + 2} (key=k{outlier})"
    assert residuals[0][1] == "40"
    assert all(re.fullmatch(r"line \d+ \(key=k\d+\)", r[0]) for r in residuals)


@pytest.mark.parametrize(("options", "message"), [
    (["--importance", "--importance-metric", "r2"], "is for regression"),
    (["--importance", "--importance-metric", "acuracy"], "did you mean 'accuracy'"),
    (["--importance-metric", "accuracy"], "only apply with --importance"),
    (["--importance", "--repeats", "0"], "--repeats"),
    (["--bins", "0"], "--bins"),
])
def test_bad_evaluate_options_are_named(cli, shipped_run, options, message):
    code, _, err = cli("evaluate", shipped_run("logreg"), *options)
    assert code == 2 and message in err and "Traceback" not in err


def test_without_a_validation_split_no_threshold_is_chosen(cli, capsys, tmp_path):
    assert main(["train", "configs/logreg.yaml", "data.split.val=0",
                 "~training.early_stopping", "training.epochs=3",
                 f"output.dir={tmp_path}", "--quiet"]) == 0
    run = next(tmp_path.glob("*/*/config.yaml")).parent
    capsys.readouterr()
    code, out, err = cli("evaluate", run, "--bootstrap", "0")
    assert code == 0, err
    assert "no best-F1 threshold:" in out and "has no validation split" in out
    assert "decision threshold" not in out
    code, _, err = cli("predict", run, "--input", "absent.csv", "--output",
                       tmp_path / "out.csv", "--threshold", "best")
    assert code == 2 and "has no validation split" in err and "--threshold 0.4" in err
