"""The `mlkit` command: every shipped config end to end (real subprocesses), resume, nan,
Ctrl-C, bad configs and data, evaluate, predict and gradcheck (in-process through main).

Each shipped config is trained once per test session, as shipped, by the ``shipped``
fixture (tests/conftest.py); the tests that evaluate, predict from, resume or damage a run
read (or copy) that run.
"""

import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy
import pandas as pd
import pytest
import yaml

from mlkit.data import load_dataset

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs"
RUN_FILES = {"config.yaml", "metrics.csv", "model.npz", "last.npz", "summary.json",
             "preprocessing.json", "curves.png", "baseline.npz", "training_profile.json"}
SHIPPED = {"logreg": ("accuracy", "log_loss"), "softmax": ("accuracy", "log_loss"),
           "mlp": ("accuracy", "log_loss"), "mlp_regression": ("r2", "rmse"),
           "csv": ("accuracy", "log_loss")}
def _run_dirs(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.glob("*/*/config.yaml"))


def _values(table: str) -> dict[str, float]:
    """The metric -> mlkit value rows of the first table printed by `mlkit evaluate`."""
    rows = [line.split() for line in table.split("\n\n")[0].splitlines()]
    return {row[0]: float(row[1]) for row in rows
            if len(row) >= 2 and re.fullmatch(r"-?\d+\.\d+", row[1])}


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


def _train(cli, tmp_path, config, *overrides):
    code, out, err = cli("train", CONFIGS / f"{config}.yaml", *overrides, "--quiet",
                         "--output", tmp_path / "runs")
    assert code == 0, err
    return Path(out.strip().splitlines()[-1].removeprefix("run directory: "))


# ----------------------------------------------------------------------------- shipped configs


@pytest.mark.parametrize("config", SHIPPED)
def test_shipped_config_runs_end_to_end(config, shipped):
    main_metrics = SHIPPED[config]
    done = shipped(config)
    assert done["code"] == 0, done["err"]
    assert "mlkit" in done["out"] and "scikit-learn" in done["out"]
    (run,) = _run_dirs(Path(done["output"]))
    assert run.parent.name == config
    assert done["out"].strip().endswith(f"run directory: {run}")
    pictures = {"confusion.png"} | ({"roc.png"} if config == "logreg" else set())
    assert set(done["files"][0]) == RUN_FILES | (
        pictures if main_metrics[0] == "accuracy" else set())
    epochs = yaml.safe_load((CONFIGS / f"{config}.yaml").read_text())["training"]["epochs"]
    metrics = pd.read_csv(run / "metrics.csv")
    completed = len(metrics)
    assert 1 <= completed <= epochs
    assert metrics["epoch"].tolist() == list(range(1, completed + 1))
    assert {"train_loss", "val_loss", "lr", "grad_norm", "seconds"} <= set(metrics.columns)
    assert numpy.isfinite(metrics["train_loss"]).all()
    summary = json.loads((run / "summary.json").read_text())
    for key in main_metrics:
        assert numpy.isfinite(summary["test"][key]) and numpy.isfinite(summary["baseline"][key])
        assert f"{summary['test'][main_metrics[0]]:.4f}" in done["out"]
    if main_metrics[0] == "accuracy":
        assert 0.5 < summary["test"]["accuracy"] <= 1
    assert summary["epochs"]["completed"] == completed and summary["epochs"]["requested"] == epochs
    assert (summary["epochs"]["stop_reason"] == "completed") == (completed == epochs)
    assert summary["timing"]["fit_seconds"] > 0 and summary["versions"]["numpy"]
    resolved = yaml.safe_load((run / "config.yaml").read_text())
    assert resolved["training"]["epochs"] == epochs and resolved["name"] == config
    assert resolved["output"]["dir"] == done["output"]  # the override is in the resolved file
    assert (run / "curves.png").read_bytes()[:4] == b"\x89PNG"
    prep = json.loads((run / "preprocessing.json").read_text())
    assert len(prep["x_mean"]) == len(prep["feature_names"])
    assert (prep["csv_schema"] is not None) == (config == "csv")


def test_ctrl_c_saves_last_npz_and_says_how_to_resume(tmp_path, mlkit_command, interruptible):
    # A million epochs take hours, so once metrics.csv shows the first one done the run is
    # certainly still training when SIGINT lands, however loaded the machine.
    process = interruptible(mlkit_command + ["train", "configs/mlp.yaml",
                                             "training.epochs=1000000",
                                             "~training.early_stopping", "baseline.max_iter=5",
                                             f"output.dir={tmp_path}", "--quiet"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("*/*/metrics.csv")) and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "mlkit train --resume" in err and "Traceback" not in err
    (run,) = _run_dirs(tmp_path)
    with numpy.load(run / "last.npz", allow_pickle=False) as saved:
        epoch = int(saved["loop.epoch"])
        assert epoch >= 1 and len(saved["history.epoch"]) == epoch
    assert f"after epoch {epoch}" in err


# ----------------------------------------------------------------------------- resume, nan


def _comparable(run: Path):
    metrics = pd.read_csv(run / "metrics.csv").drop(columns="seconds")
    with numpy.load(run / "model.npz") as best:
        weights = {name: best[name] for name in best.files}
    return metrics, weights, json.loads((run / "summary.json").read_text())["test"]


def test_resume_ends_bit_identical_to_an_uninterrupted_run(cli, tmp_path, shipped_run):
    straight = shipped_run("softmax")
    epochs = yaml.safe_load((straight / "config.yaml").read_text())["training"]["epochs"]
    partial = _train(cli, tmp_path, "softmax", "training.epochs=3", "output.save_plots=false")
    code, out, err = cli("train", "--resume", partial, f"training.epochs={epochs}",
                         "--quiet")
    assert code == 0, err
    assert "resuming softmax" in out
    expected, resumed = _comparable(straight), _comparable(partial)
    assert expected[0].equals(resumed[0])
    assert expected[1].keys() == resumed[1].keys()
    assert all(numpy.array_equal(expected[1][k], resumed[1][k]) for k in expected[1])
    assert expected[2] == resumed[2]


def test_resume_refuses_other_changes_and_reports_nothing_to_do(cli, shipped_run):
    run = shipped_run("softmax")  # all its epochs done; neither call writes to it
    code, _, err = cli("train", "--resume", run, "optimizer.lr=0.5")
    assert code == 2 and "optimizer.lr: cannot change when resuming" in err
    code, out, _ = cli("train", "--resume", run)
    assert code == 0 and "nothing to resume" in out and "training.epochs" in out
    code, out, _ = cli("train", "--resume", shipped_run("logreg"))
    assert code == 0 and "stopped early" in out and "early_stopping.patience" in out


def test_nan_loss_stops_with_epoch_step_and_remedy_and_keeps_the_checkpoint(cli, tmp_path):
    code, _, err = cli("train", CONFIGS / "softmax.yaml", "optimizer.lr=1e6",
                          "--quiet", "--output", tmp_path)
    assert code == 1
    assert "diverged" in err and "at epoch" in err and "step" in err
    assert "lower the learning rate" in err and "optimizer.lr=" in err
    assert "try e.g. optimizer.lr=100000 or training.clip_grad_norm=1.0\n" in err  # standardized
    assert "Traceback" not in err
    (run,) = _run_dirs(tmp_path)
    with numpy.load(run / "last.npz") as saved:
        epoch = int(saved["loop.epoch"])
        assert all(numpy.isfinite(saved[k]).all() for k in saved.files if k.startswith("model."))
    assert f"after epoch {epoch})" in err
    assert len(pd.read_csv(run / "metrics.csv")) == epoch


# ----------------------------------------------------------------------------- bad input


_CSV_CONFIG = ["data.dataset=csv", "model.name=softmax_regression", "loss.name=cross_entropy",
               "~model.init", "~model.bias"]
_PENGUINS = ("data.csv={path: datasets/penguins.csv, target: species, "
             "categorical: [island, sex], impute: drop}")
_CSV_FILES = {"bad.csv": "a,b,y\n1,2,x\noops,3,z\n", "gaps.csv": "a,b,y\n1,,x\n2,3,z\n",
              "one.csv": "a,b,y\n1,2,x\n2,3,x\n"}


@pytest.mark.parametrize("args, expected", [
    (["configs/nope.yaml"], ["config file not found"]),
    (["configs/logreg.yaml", "training.epoch=5"], ["training.epoch", "did you mean 'epochs'"]),
    (["configs/logreg.yaml", "optimizer.lr=-1"], ["optimizer.lr", "got -1"]),
    (["configs/logreg.yaml", "training.epochs"], ["has no '='"]),
    (["configs/logreg.yaml", "model.name=mpl"], ["model.name", "mpl"]),
    (["configs/logreg.yaml", "data.dataset=wine"], ["model.name", "is binary", "softmax"]),
    (["configs/logreg.yaml", "optimizer.name=lbfgs", "~optimizer.betas"],
     ["training.batch_size", "set training.batch_size: full"]),
    (["configs/logreg.yaml", "data.dataset=csv", _PENGUINS],
     ["model.name", "3 classes", "softmax_regression"]),
    (["configs/logreg.yaml", *_CSV_CONFIG, "data.csv={path: nope.csv, target: y}"],
     ["nope.csv", "does not exist"]),
    (["configs/logreg.yaml", *_CSV_CONFIG, "data.csv={path: TMP/bad.csv, target: y}"],
     ["column 'a'", "not numeric", "line 3"]),
    (["configs/logreg.yaml", *_CSV_CONFIG, "data.csv={path: TMP/gaps.csv, target: y}"],
     ["missing values", "impute"]),
    (["configs/logreg.yaml", *_CSV_CONFIG, "data.csv={path: TMP/one.csv, target: y}"],
     ["only one class"]),
    (["configs/logreg.yaml", *_CSV_CONFIG, "data.csv={path: TMP/bad.csv, target: label}"],
     ["target column 'label'", "its columns are a, b, y"]),
])
def test_bad_configs_and_data_fail_clearly_without_a_run_directory(args, expected, cli,
                                                                   tmp_path):
    for name, text in _CSV_FILES.items():
        (tmp_path / name).write_text(text)
    args = [arg.replace("TMP", str(tmp_path)) for arg in args]
    code, out, err = cli("train", *args, "--quiet", "--output", tmp_path / "runs")
    assert code == 2, out + err
    assert "Traceback" not in err and err.startswith("mlkit train: error:")
    for fragment in expected:
        assert fragment in err
    assert not (tmp_path / "runs").exists()


# ----------------------------------------------------------------------------- evaluate, predict


def test_evaluate_repeats_the_test_metrics_and_scores_other_data(cli, tmp_path, shipped_run):
    run = shipped_run("logreg")
    summary = json.loads((run / "summary.json").read_text())
    code, out, err = cli("evaluate", run)
    assert code == 0, err
    shown = _values(out)
    assert shown["accuracy"] == round(summary["test"]["accuracy"], 4)
    assert shown["log_loss"] == round(summary["test"]["log_loss"], 4)
    code, again, _ = cli("evaluate", run, "--data", CONFIGS / "logreg.yaml")
    assert code == 0 and _values(again) == shown
    data = load_dataset("breast_cancer")
    frame = pd.DataFrame(data.X, columns=data.feature_names)
    frame["target"] = numpy.array(data.target_names)[data.y]
    frame.to_csv(tmp_path / "all.csv", index=False)
    code, out, err = cli("evaluate", run, "--data", tmp_path / "all.csv")
    assert code == 0, err
    assert "(569 rows)" in out and _values(out)["accuracy"] > 0.95


def test_evaluate_on_other_data_keeps_the_runs_own_figures(cli, tmp_path, shipped_run):
    """--data writes its figures and tables in evaluate-<name>/, never over the run's own."""
    run = shipped_run("csv")
    code, _, err = cli("evaluate", run, "--bootstrap", "0")
    assert code == 0, err
    own = {name: (run / name).read_bytes() for name in ("confusion.png", "calibration.png")}
    rows = pd.read_csv(REPO / "datasets" / "penguins.csv").dropna().head(60)
    rows.to_csv(tmp_path / "other.csv", index=False)
    code, out, err = cli("evaluate", run, "--data", tmp_path / "other.csv",
                         "--importance", "--bootstrap", "0")
    assert code == 0, err
    assert {name: (run / name).read_bytes() for name in own} == own
    folder = run / "evaluate-other"
    assert f"wrote {folder / 'confusion.png'}, {folder / 'calibration.png'}" in out
    assert len(pd.read_csv(folder / "importance.csv")) == 6  # one row per input column


def test_predict_never_writes_over_its_input_the_run_or_an_existing_file(cli, tmp_path,
                                                                          shipped_run):
    run = shipped_run("csv")
    rows = pd.read_csv(REPO / "datasets" / "penguins.csv").dropna().head(10)
    rows.drop(columns="species").to_csv(tmp_path / "new.csv", index=False)
    (tmp_path / "old.csv").write_text("earlier predictions\n")
    saved = {path: path.read_bytes() for path in (tmp_path / "new.csv", tmp_path / "old.csv",
                                                  run / "config.yaml")}
    for output, problem in ((tmp_path / "new.csv", "is the --input file"),
                            (run / "config.yaml", "is inside the run directory"),
                            (tmp_path / "old.csv", "names a file that exists")):
        code, out, err = cli("predict", run, "--input", tmp_path / "new.csv",
                             "--output", output)
        assert code == 2 and out == "", err
        assert f"mlkit predict: error: --output: {problem}" in err
    assert {path: path.read_bytes() for path in saved} == saved
    code, _, err = cli("predict", run, "--input", tmp_path / "neww.csv", "--output",
                       tmp_path / "out.csv")
    assert code == 2 and f"error: --input: '{tmp_path / 'neww.csv'}' is not a file; " \
                         "check the path; relative paths start from" in err
    code, out, err = cli("predict", run, "--input", tmp_path / "new.csv", "--output",
                         tmp_path / "old.csv", "--overwrite")
    assert code == 0 and "wrote 10 predictions" in out, err
    assert len(pd.read_csv(tmp_path / "old.csv")) == 10


def test_predict_applies_the_saved_preprocessing(cli, tmp_path, shipped_run):
    run = shipped_run("csv")
    rows = pd.read_csv(REPO / "datasets" / "penguins.csv").dropna().head(40)
    rows.drop(columns="species").to_csv(tmp_path / "new.csv", index=False)
    code, out, err = cli("predict", run, "--input", tmp_path / "new.csv",
                         "--output", tmp_path / "pred.csv")
    assert code == 0, err and "wrote 40 predictions" in out
    predictions = pd.read_csv(tmp_path / "pred.csv")
    assert list(predictions.columns) == ["prediction", "proba_Adelie", "proba_Chinstrap",
                                         "proba_Gentoo"]
    assert numpy.allclose(predictions.iloc[:, 1:].sum(axis=1), 1)
    assert (predictions["prediction"] == rows["species"].to_numpy()).mean() > 0.8
    rows.drop(columns=["species", "island"]).to_csv(tmp_path / "short.csv", index=False)
    code, _, err = cli("predict", run, "--input", tmp_path / "short.csv",
                       "--output", tmp_path / "x.csv")
    assert code == 2 and "island" in err and "Traceback" not in err


def test_regression_predictions_are_in_the_targets_units(cli, tmp_path, shipped_run):
    run = shipped_run("mlp_regression")
    data = load_dataset("diabetes")
    pd.DataFrame(data.X, columns=data.feature_names).to_csv(tmp_path / "in.csv", index=False)
    code, _, err = cli("predict", run, "--input", tmp_path / "in.csv", "--output",
                       tmp_path / "out.csv")
    assert code == 0, err
    values = pd.read_csv(tmp_path / "out.csv")["prediction"]
    assert 50 < values.mean() < 250 and len(values) == len(data.y)


@pytest.mark.parametrize("damage, expected", [
    (lambda run: (run / "model.npz").write_bytes(b"garbage"), "corrupt"),
    (lambda run: (run / "model.npz").unlink(), "lacks model.npz"),
    (lambda run: (run / "preprocessing.json").write_text("{"), "not valid JSON"),
])
def test_damaged_runs_give_one_clear_error(damage, expected, cli, tmp_path, shipped_run):
    run = Path(shutil.copytree(shipped_run("logreg"), tmp_path / "run"))
    damage(run)
    code, _, err = cli("evaluate", run)
    assert code == 2 and expected in err and "Traceback" not in err


def test_missing_run_directory(cli, tmp_path):
    code, _, err = cli("predict", tmp_path / "nope", "--input", "x.csv", "--output",
                       "y.csv")
    assert code == 2 and "does not exist" in err


# ----------------------------------------------------------------------------- gradcheck


def test_gradcheck_reports_every_parameter(cli):
    code, out, err = cli("gradcheck", CONFIGS / "mlp.yaml")
    assert code == 0, err
    for name in ("layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias"):
        assert name in out
    assert "gradient check passed" in out
    worst = [float(line.split()[4]) for line in out.splitlines() if line.startswith("layers")]
    assert max(worst) < 1e-6


def test_train_with_gradcheck_checks_before_training(cli, shipped):
    out = shipped("logreg")["out"]  # trained with --gradcheck
    assert out.index("gradient check passed") < out.index("training logreg")
    code, out, err = cli("gradcheck", CONFIGS / "logreg.yaml", "training.dtype=float32")
    assert code == 0, err
    assert "gradient check passed" in out


# ----------------------------------------------------------------------------- quality bar


def test_logreg_matches_scikit_learn_and_the_mlp_reaches_97_percent_on_digits(shipped_run):
    logreg = shipped_run("logreg")
    summary = json.loads((logreg / "summary.json").read_text())
    assert summary["test"]["accuracy"] >= summary["baseline"]["accuracy"]
    mlp = shipped_run("mlp")
    assert json.loads((mlp / "summary.json").read_text())["test"]["accuracy"] >= 0.97
