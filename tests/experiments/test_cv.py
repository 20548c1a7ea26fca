"""mlkit cv for real: folds equal `mlkit train` on the same fold, the printed summary equals
folds.csv, and bad requests stop before any training."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlkit.config import ConfigError, load_config
from mlkit.config.build import load_data, split_rows
from mlkit.experiments.cv import run_cv

REPO = Path(__file__).resolve().parents[2]
SOFTMAX = REPO / "configs" / "softmax.yaml"
QUICK = ["training.epochs=5", "output.save_plots=false"]


def _trained(cli, tmp_path, *overrides) -> dict:
    code, out, err = cli("train", SOFTMAX, *QUICK, *overrides, "--quiet", "--output",
                         tmp_path / "by_hand")
    assert code == 0, err
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    return json.loads((run / "summary.json").read_text())


@pytest.fixture(scope="module")
def three_folds(tmp_path_factory):
    """`mlkit cv configs/softmax.yaml --folds 3` (5 epochs): printed text and cv directory."""
    root = tmp_path_factory.mktemp("cv")
    lines = []
    result = run_cv(SOFTMAX, [*QUICK, f"output.dir={root}"], folds=3, workers=1,
                    say=lines.append)
    return "\n".join(lines), result


def test_every_row_is_tested_once_in_stratified_folds(three_folds):
    _, result = three_folds
    folds = pd.read_csv(result.path / "folds.csv")
    assert folds["status"].tolist() == ["ok"] * 3 and result.failed == 0
    assert folds["test_rows"].tolist() == [60, 59, 59]  # 178 wines
    tested, counts = [], []
    for fold in range(1, 4):
        config = load_config(result.path / "folds" / f"fold{fold}" / "config.yaml")
        assert (config.data.split.folds, config.data.split.fold) == (3, fold)
        data = load_data(config)
        train, val, test = split_rows(config, data)
        assert abs(len(val) - 0.2 * (len(train) + len(val))) < 3  # val: of the other folds
        assert not set(test) & (set(train) | set(val))
        tested.append(test)
        counts.append(np.bincount(data.y[test], minlength=3))
    np.testing.assert_array_equal(np.sort(np.concatenate(tested)), np.arange(178))
    # wine's classes hold 59, 71 and 48 rows: every fold a third of each
    assert np.all(np.abs(np.array(counts) - np.array([59, 71, 48]) / 3) < 1)


def test_a_fold_equals_mlkit_train_on_that_fold(three_folds, cli, tmp_path):
    _, result = three_folds
    folds = pd.read_csv(result.path / "folds.csv")
    by_hand = _trained(cli, tmp_path, "data.split.folds=3", "data.split.fold=2")
    row = folds.iloc[1]
    for name, value in by_hand["test"].items():
        assert row[f"mlkit_{name}"] == pytest.approx(value, rel=1e-12, abs=1e-15)
    for name, value in by_hand["baseline"].items():
        assert row[f"baseline_{name}"] == pytest.approx(value, rel=1e-12, abs=1e-15)


def test_printed_means_and_stds_are_those_of_folds_csv(three_folds):
    out, result = three_folds
    folds = pd.read_csv(result.path / "folds.csv")
    summary = pd.read_csv(result.path / "summary.csv")
    assert summary["metric"].tolist() == ["accuracy", "log_loss", "precision_macro",
                                          "recall_macro", "f1_macro"]
    for _, entry in summary.iterrows():
        name = entry["metric"]
        mine, theirs = folds[f"mlkit_{name}"], folds[f"baseline_{name}"]
        for who, values in (("mlkit", mine), ("baseline", theirs),
                            ("difference", mine - theirs)):
            assert entry[f"{who}_mean"] == pytest.approx(values.mean(), abs=1e-12)
            assert entry[f"{who}_std"] == pytest.approx(values.std(ddof=1), abs=1e-12)
        line = next(line for line in out.splitlines()
                    if line.startswith(name + " ") and "±" in line)
        shown = [float(v) for v in re.findall(r"[-+]?\d+\.\d+", line)]
        expected = [mine.mean(), mine.std(ddof=1), theirs.mean(), theirs.std(ddof=1),
                    (mine - theirs).mean(), (mine - theirs).std(ddof=1)]
        np.testing.assert_allclose(shown, expected, atol=5.1e-5)
    assert "mean ± std over 3 folds" in out


def test_two_unstratified_folds_are_the_halves_of_an_ordinary_split(cli, tmp_path):
    plain = ["data.split.val=0", "data.split.stratify=false"]
    code, out, err = cli("cv", SOFTMAX, *QUICK, *plain, "--folds", "2", "--workers",
                         "1", "--output", tmp_path / "cv")
    assert code == 0, err
    where = Path(out.strip().splitlines()[-1].removeprefix("cv directory: "))
    second = pd.read_csv(where / "folds.csv").iloc[1]
    by_hand = _trained(cli, tmp_path, *plain, "data.split.test=0.5")
    assert second["test_rows"] == 89
    for name, value in by_hand["test"].items():
        assert second[f"mlkit_{name}"] == pytest.approx(value, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("args, message", [
    (["data.split.fold=2"], "is set by mlkit cv for each fold"),
    (["--folds", "1"], "--folds: must be at least 2"),
    (["--folds", "500"], "data.split.folds: is more than the 178 rows of the data (got 500)"),
    (["--workers", "0"], "--workers: must be at least 1"),
    (["data.split.seed=-1"], "data.split.seed"),
    (["optimizer.groups=[{params: wieght, lr: 0.1}]"], "optimizer.groups.0.params: matches none "
     "of the parameters (got 'wieght'); the model's parameters: weight, bias — did you mean "
     "'weight'?"),
])
def test_bad_requests_stop_before_training(args, message, cli, tmp_path):
    code, _, err = cli("cv", SOFTMAX, *args, "--output", tmp_path / "cv")
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "cv").exists()


def test_folds_and_fold_come_together():
    with pytest.raises(ConfigError, match="data.split.folds: must be set together with fold"):
        load_config(SOFTMAX, ["data.split.fold=1"])
    with pytest.raises(ConfigError, match="must be a fold number from 1 to folds"):
        load_config(SOFTMAX, ["data.split.folds=3", "data.split.fold=4"])


def test_failed_folds_are_reported_and_exit_1(cli, tmp_path):
    code, out, err = cli("cv", SOFTMAX, *QUICK, "loss.l2=1.0e+300", "--folds", "2",
                         "--workers", "1", "--output", tmp_path / "cv")
    assert code == 1, err
    where = Path(out.strip().splitlines()[-1].removeprefix("cv directory: "))
    folds = pd.read_csv(where / "folds.csv")
    assert folds["status"].tolist() == ["failed", "failed"]
    assert folds["error"].str.contains("diverged|non-finite|overflow", regex=True).all()
    assert "2 fold(s) failed; see the error column" in out


def test_the_folds_run_the_same_on_a_dask_cluster(three_folds, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    _, local = three_folds
    lines = []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        result = run_cv(SOFTMAX, [*QUICK, f"output.dir={tmp_path}"], folds=3,
                        scheduler=cluster.scheduler_address, say=lines.append)
    assert "on the Dask cluster at tcp://127.0.0.1:" in lines[0]
    metrics = [c for c in local.folds if c.startswith(("mlkit_", "baseline_"))]
    pd.testing.assert_frame_equal(result.folds[metrics], local.folds[metrics])


def test_a_metric_undefined_in_a_fold_is_counted(cli, tmp_path):
    # 14 rows, 3 of class 1, in 4 stratified folds: one fold has no class 1, so no ROC AUC
    config = tmp_path / "rare.yaml"
    config.write_text(
        "data: {dataset: make_classification, params: {n_samples: 14, n_features: 4,\n"
        "       n_informative: 2, weights: [0.8], random_state: 1}, split: {val: 0.0}}\n"
        "model: {name: logistic_regression}\nloss: {name: binary_cross_entropy}\n"
        "training: {epochs: 5, batch_size: 8}\nmetrics: [accuracy, roc_auc]\n"
        "output: {save_plots: false}\n")
    code, out, err = cli("cv", config, "--folds", "4", "--workers", "1", "--output",
                         tmp_path / "cv")
    assert code == 0, err
    where = Path(out.strip().splitlines()[-1].removeprefix("cv directory: "))
    folds = pd.read_csv(where / "folds.csv")
    assert folds["mlkit_roc_auc"].isna().sum() == 1
    summary = pd.read_csv(where / "summary.csv").set_index("metric")
    assert summary.loc["roc_auc", "undefined"] == 1
    assert summary.loc["accuracy", "undefined"] == 0
    assert summary.loc["roc_auc", "mlkit_mean"] == pytest.approx(folds["mlkit_roc_auc"].mean())
    assert "roc_auc: undefined in 1 of 4 folds" in out


class _StoppedAfterOne:
    """A pool that runs the first fold in this process, then Ctrl-C arrives."""

    description = "a pool stopped by Ctrl-C"

    def __init__(self):
        self.calls = []

    def submit(self, specs):
        self.specs = specs
        self.calls.append("submit")

    def completed(self):
        from mlkit.experiments.trial import run_trial

        yield run_trial(self.specs[0])
        raise KeyboardInterrupt

    def cancel(self):
        self.calls.append("cancel")

    def close(self):
        self.calls.append("close")


def test_ctrl_c_cancels_the_folds_left_and_reports_the_finished_one(tmp_path, monkeypatch):
    pool = _StoppedAfterOne()
    monkeypatch.setattr("mlkit.experiments.cv.open_pool", lambda *_: pool)
    lines = []
    with pytest.raises(KeyboardInterrupt) as caught:
        run_cv(SOFTMAX, [*QUICK, f"output.dir={tmp_path}"], folds=3, say=lines.append)
    assert pool.calls == ["submit", "cancel", "close"]
    where = next(tmp_path.glob("*-cv/*"))
    assert str(caught.value) == ("cross-validation interrupted after 1 of 3 folds; their "
                                 f"results are in {where}")
    assert lines[2].startswith("[1/3] fold1 ok")
    assert pd.read_csv(where / "folds.csv")["fold"].tolist() == [1]
