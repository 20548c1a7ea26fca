"""A CSV split that cannot train a classifier (a training part with one class, a fold's
training block with one time) and an importance metric undefined on the rows evaluated are
clear errors before anything is written; importance shuffles every column of an input."""

import time

import numpy as np
import pandas as pd
import pytest
import yaml

from mlkit.cli import main
from mlkit.config.runs import evaluate_run


@pytest.fixture
def late_class(tmp_path):
    """24 rows at times 1..12 (two each), class 'b' only at times 11 and 12, in groups g1..g4
    of which only g4 holds 'b'; a config training a logistic regression on it."""
    rng = np.random.default_rng(0)
    t = np.repeat(np.arange(1, 13), 2)
    frame = pd.DataFrame({"t": t, "g": [f"g{1 + i // 6}" for i in range(24)],
                          "x": rng.normal(size=24).round(3), "y": np.where(t >= 11, "b", "a")})
    frame.loc[frame["y"] == "b", "g"] = "g4"
    frame.to_csv(tmp_path / "data.csv", index=False)
    config = {"data": {"dataset": "csv", "csv": {"path": "data.csv", "target": "y",
                                                 "features": ["x"]},
                       "split": {"val": 0.2, "test": 0.2}},
              "model": {"name": "logistic_regression"},
              "loss": {"name": "binary_cross_entropy"},
              "optimizer": {"name": "adam", "lr": 0.1},
              "training": {"epochs": 2, "batch_size": 8},
              "output": {"dir": str(tmp_path / "runs"), "save_plots": False}}
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


def test_a_time_split_training_on_one_class_stops_before_any_run(cli, late_class):
    code, _, err = cli("train", late_class / "cfg.yaml", "data.split.order=t")
    assert code == 2 and "Traceback" not in err
    assert "data.split.order: the training part (split ordered by 't') holds only class 'a' " \
           "(14 rows); missing: 'b' (only in test)" in err
    assert not (late_class / "runs").exists()
    # no validation: times 1..10 train (20 rows), b still only in test
    code, _, err = cli("train", late_class / "cfg.yaml", "data.split.order=t",
                       "data.split.val=0", "--quiet")
    assert code == 2 and "holds only class 'a' (20 rows); missing: 'b' (only in test)" in err
    assert not (late_class / "runs").exists()
    # the latest 10% (time 12) as test: time 11's two b rows train
    assert cli("train", late_class / "cfg.yaml", "data.split.order=t",
               "data.split.test=0.1", "data.split.val=0", "--quiet")[0] == 0


def test_a_class_too_small_for_a_stratified_split_is_named_by_its_label(cli, late_class):
    """A label written once (a typo, say) stops the stratified split with its label and line,
    not its class index, and with the config key that lets the run go on."""
    frame = pd.read_csv(late_class / "data.csv")
    frame.loc[5, "y"] = "c"  # line 7
    frame.to_csv(late_class / "data.csv", index=False)
    code, _, err = cli("train", late_class / "cfg.yaml", "model.name=softmax_regression",
                       "loss.name=cross_entropy")
    assert code == 2 and "Traceback" not in err
    assert "data.split.stratify: class(es) 'c' (line 7) have fewer rows than the 3 parts of a " \
           "stratified split into train/val/test" in err and "data.split.stratify: false" in err
    assert not (late_class / "runs").exists()
    code, _, err = cli("train", late_class / "cfg.yaml", "model.name=softmax_regression",
                       "loss.name=cross_entropy", "data.split.stratify=false", "--quiet")
    assert code == 0, err


def test_cv_names_every_fold_that_cannot_train_before_any_runs(cli, late_class):
    code, _, err = cli("cv", late_class / "cfg.yaml", "data.split.order=t",
                       "--folds", "3")
    assert code == 2 and "3 problems" in err and "Traceback" not in err
    for fold, rows in ((1, 4), (2, 10), (3, 14)):
        assert f"the training part of fold {fold} of 3 (split ordered by 't') holds only " \
               f"class 'a' ({rows} rows)" in err
    assert "'b' (only after this fold's test block)" in err
    # grouped: one of the 4 folds tests on g4, the only group with 'b'
    code, _, err = cli("cv", late_class / "cfg.yaml", "data.split.group=g",
                       "data.split.val=0", "--folds", "4")
    assert code == 2 and "1 problems" not in err
    assert "of 4 (split grouped by 'g') holds only class 'a' (18 rows); missing: 'b' " \
           "(only in test)" in err
    assert not (late_class / "runs").exists()


def test_a_fold_whose_training_block_holds_one_time_says_so(cli, late_class):
    code, _, err = cli("cv", late_class / "cfg.yaml", "data.split.order=t",
                       "--folds", "11")
    assert code == 2 and "Traceback" not in err
    assert "fold 1 of 11: its training block (the rows before its test block) holds one " \
           "time of column 't' (2 rows, lines 2, 3), which cannot be cut into train and " \
           "validation" in err and "distinct value" not in err
    assert "use fewer folds than 11" in err and not (late_class / "runs").exists()


def test_more_folds_than_rows_is_one_problem_at_once(cli, late_class):
    message = "data.split.folds: is more than the 24 rows of the data (got {}); at most 24"
    started = time.perf_counter()
    code, _, err = cli("cv", late_class / "cfg.yaml", "--folds", "100000")
    assert code == 2 and message.format(100000) in err and "--folds with mlkit cv" in err
    assert time.perf_counter() - started < 30  # the folds' configs took 10 ms each to load
    code, _, err = cli("train", late_class / "cfg.yaml", "data.split.folds=25",
                       "data.split.fold=1")
    assert code == 2 and message.format(25) in err and "Traceback" not in err
    assert not (late_class / "runs").exists()


def test_an_importance_metric_undefined_on_the_rows_writes_nothing(cli, late_class):
    assert cli("train", late_class / "cfg.yaml", "--quiet")[0] == 0
    (run,) = (late_class / "runs").glob("*/*/config.yaml")
    run = run.parent
    assert cli("evaluate", run, "--bootstrap", "0", "--importance")[0] == 0
    kept = {path.name: path.read_bytes() for path in run.iterdir()}
    (late_class / "onecls.csv").write_text("t,g,x,y\n1,g1,0.5,a\n2,g1,-0.3,a\n3,g2,1.2,a\n")
    code, out, err = cli("evaluate", run, "--data", late_class / "onecls.csv",
                         "--importance", "--importance-metric", "roc_auc")
    assert code == 2 and out == "" and "nan" not in err
    assert "--importance-metric: on " in err and "onecls.csv (3 rows): metric 'roc_auc' has " \
           "no value on these 3 rows" in err and "both classes" in err
    assert {path.name: path.read_bytes() for path in run.iterdir()} == kept
    # accuracy is defined on one class
    code, out, err = cli("evaluate", run, "--data", late_class / "onecls.csv",
                         "--bootstrap", "0", "--importance")
    assert code == 0, err


def test_importance_groups_hold_the_other_and_missing_indicator_columns(tmp_path):
    rng = np.random.default_rng(3)
    n = 60
    frame = pd.DataFrame({"x": rng.normal(size=n).round(3),
                          "c": rng.choice(["A", "B", "C"], n), "y": rng.choice(["p", "q"], n)})
    frame.loc[[4, 9], "c"] = ["D", "E"]  # rare: one (other) column
    frame.loc[[2, 7, 11], "x"] = np.nan
    frame.to_csv(tmp_path / "data.csv", index=False)
    config = {"data": {"dataset": "csv", "csv": {
        "path": str(tmp_path / "data.csv"), "target": "y", "categorical": ["c"],
        "impute": "mean", "min_frequency": 5, "missing_indicator": True}},
        "model": {"name": "logistic_regression"}, "loss": {"name": "binary_cross_entropy"},
        "optimizer": {"name": "adam", "lr": 0.1}, "training": {"epochs": 2, "batch_size": 8},
        "output": {"dir": str(tmp_path / "runs"), "save_plots": False},
        "baseline": {"name": "off"}}
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(tmp_path / "cfg.yaml"), "--quiet"]) == 0
    (run,) = (tmp_path / "runs").glob("*/*/config.yaml")
    found = evaluate_run(run.parent)
    names = ["x", "c=A", "c=B", "c=C", "c=(other)", "x=(missing)"]
    assert list(found.groups) == ["x", "c"]
    assert {col: [names[i] for i in cols] for col, cols in found.groups.items()} == {
        "x": ["x", "x=(missing)"], "c": ["c=A", "c=B", "c=C", "c=(other)"]}
