"""A CSV file as found in the wild, end to end through `mlkit train`, `evaluate` and `predict`:
a date column, an id column, missing values, and a category first seen at prediction time;
every command run from a different directory than the one before."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from mlkit.config.runs import load_predictor
from mlkit.data.dates import DATE_PARTS


def _weather(n=80) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    days = pd.date_range("2023-01-01", periods=n, freq="4D")
    temp = rng.normal(15, 8, n).round(1)
    site = rng.choice(["north", "south", "east"], n)
    warm = temp + 6 * (site == "south") > 17
    frame = pd.DataFrame({"station": [f"S{i:03d}" for i in range(n)],
                          "day": days.strftime("%Y-%m-%d"), "temp": temp, "site": site,
                          "label": np.where(warm, "warm", "cold")})
    frame.loc[[3, 10], "temp"] = np.nan
    frame.loc[20, "site"] = np.nan
    return frame


def test_dates_ids_gaps_and_unseen_categories_end_to_end(cli, tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    _weather().to_csv(project / "data" / "weather.csv", index=False)
    config = {"data": {"dataset": "csv", "csv": {
                  "path": "data/weather.csv", "target": "label", "categorical": ["site"],
                  "ids": ["station"], "impute": "drop", "handle_unknown": "ignore"}},
              "model": {"name": "logistic_regression"},
              "loss": {"name": "binary_cross_entropy", "class_weight": None},
              "optimizer": {"name": "adam", "lr": 0.1},
              "training": {"epochs": 8, "batch_size": 16},
              "baseline": {"name": "off"}, "output": {"save_plots": False}}
    (project / "weather.yaml").write_text(yaml.safe_dump(config))
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()

    monkeypatch.chdir(tmp_path / "a")
    code, out, err = cli("train", project / "weather.yaml", "--quiet")
    assert code == 0, err
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    assert run.parts[0] == "runs"  # relative to the directory trained from
    prep = json.loads((run / "preprocessing.json").read_text())
    assert prep["feature_names"] == (["temp"] + [f"day_{part}" for part in DATE_PARTS]
                                     + ["site=east", "site=north", "site=south"])
    assert prep["csv_schema"]["dates"] == {"day": "2023-01-01T00:00:00+00:00"}
    assert prep["csv_schema"]["ids"] == ["station"]
    saved = yaml.safe_load((run / "config.yaml").read_text())
    assert saved["data"]["csv"]["path"] == str(project / "data" / "weather.csv")
    assert saved["loss"]["class_weight"] is None

    summary = json.loads((run / "summary.json").read_text())
    monkeypatch.chdir(tmp_path / "b")
    run = Path("..", "a", run)
    code, out, err = cli("evaluate", run)
    assert code == 0, err
    # title, header, rule, then a row per metric (value, interval, ...), then notes
    metrics_table = out.split("\n\n")[0].splitlines()[3:]
    rows = {line.split()[0]: float(line.split()[1]) for line in metrics_table
            if re.fullmatch(r"-?\d+\.\d+", line.split()[1])}
    assert rows["accuracy"] == round(summary["test"]["accuracy"], 4)
    assert "test split of weather (15 rows)" in out  # 20% of 80 rows less the 3 dropped
    code, out, err = cli("evaluate", run, "--data", project / "data" / "weather.csv")
    assert code == 0, err
    assert "(77 rows; 3 rows with a missing value left out (impute='drop'): lines 5, 12, 22)" \
        in out

    monkeypatch.chdir(tmp_path / "c")  # ../a/... still names the run from here
    new = _weather().drop(columns="label").head(6)
    new.loc[1, "site"] = "west"  # never seen in training: all-zero indicators
    new.loc[4, "note"] = "checked"
    new.to_csv("new.csv", index=False)
    code, out, err = cli("predict", run, "--input", "new.csv", "--output", "pred.csv",
                         "--keep", "day,note")
    assert code == 0, err
    assert "wrote 5 predictions to pred.csv; 1 row with a missing value left out " \
           "(impute='drop'): line 5" in out
    predictions = pd.read_csv("pred.csv", dtype={"note": str})
    assert list(predictions.columns) == ["station", "day", "note", "prediction", "proba_cold",
                                         "proba_warm"]
    assert predictions["station"].tolist() == ["S000", "S001", "S002", "S004", "S005"]
    assert predictions["note"].isna().tolist() == [True, True, True, False, True]
    np.testing.assert_allclose(predictions[["proba_cold", "proba_warm"]].sum(axis=1), 1)
    assert set(predictions["prediction"]) <= {"cold", "warm"}
    predictor, _ = load_predictor(run)
    table = predictor.read("new.csv", target=False)
    assert table.X[1, -3:].tolist() == [0, 0, 0] and table.X[0, -3:].sum() == 1
    np.testing.assert_allclose(predictor.frame(table.X)["proba_warm"], predictions["proba_warm"])


def test_a_run_saved_in_the_old_spelling_still_evaluates_predicts_and_resumes(
        cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _weather().dropna().to_csv("weather.csv", index=False)
    config = {"data": {"dataset": "csv", "csv": {"path": "weather.csv", "target": "label",
                                                 "categorical": ["site"], "ids": ["station"]}},
              "model": {"name": "logistic_regression"}, "loss": {"name": "binary_cross_entropy"},
              "optimizer": {"name": "adam", "lr": 0.1}, "training": {"epochs": 3},
              "baseline": {"name": "off"}, "output": {"save_plots": False}}
    Path("weather.yaml").write_text(yaml.safe_dump(config))
    code, out, err = cli("train", "weather.yaml", "--quiet")
    assert code == 0, err
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    saved = yaml.safe_load((run / "config.yaml").read_text())
    csv = saved["data"]["csv"]
    assert (csv["ids"], csv["impute"], csv["task"]) == (["station"], None, None)
    # config.yaml as runs saved before the data.csv options took load_csv's spellings
    csv["id"], csv["impute"], csv["task"] = csv.pop("ids"), "none", "auto"
    saved["loss"]["class_weight"] = "none"
    (run / "config.yaml").write_text(yaml.safe_dump(saved, sort_keys=False))
    prep = json.loads((run / "preprocessing.json").read_text())
    prep["csv_schema"]["id"] = prep["csv_schema"].pop("ids")
    (run / "preprocessing.json").write_text(json.dumps(prep))
    accuracy = json.loads((run / "summary.json").read_text())["test"]["accuracy"]

    code, out, err = cli("evaluate", run)
    assert code == 0, err
    assert re.search(rf"^accuracy +{accuracy:.4f} ", out, re.M)
    new = _weather().dropna().drop(columns="label").head(4)
    new.to_csv("new.csv", index=False)
    code, out, err = cli("predict", run, "--input", "new.csv", "--output", "pred.csv")
    assert code == 0, err
    predictions = pd.read_csv("pred.csv")
    assert predictions["station"].tolist() == new["station"].tolist()
    # and its config.yaml is a config whose test split another run can be evaluated on
    code, out, err = cli("evaluate", run, "--data", run / "config.yaml")
    assert code == 0, err
    assert re.search(rf"^accuracy +{accuracy:.4f} ", out, re.M)
    code, out, err = cli("train", "--resume", run, "training.epochs=4", "--quiet")
    assert code == 0, err
    assert len(pd.read_csv(run / "metrics.csv")) == 4
    assert yaml.safe_load((run / "config.yaml").read_text())["data"]["csv"]["ids"] == ["station"]
    # a config the user writes gets the new spelling named, one line per old spelling
    Path("old.yaml").write_text(yaml.safe_dump(saved))
    code, out, err = cli("train", "old.yaml")
    assert code != 0 and "data.csv.id: was renamed ids (got ['station']); write ids: " \
        "['station']" in err
    assert "data.csv.impute: 'none' is now written null" in err
    assert "data.csv.task: 'auto' is now written null" in err
    assert "loss.class_weight: 'none' is now written null" in err


def _rare_positives(tmp_path, **loss) -> Path:
    """100 rows, 5 of class 'fraud', and an input that says nothing of it: a logistic
    regression predicts 'ok' for every row."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"amount": rng.normal(50, 10, 100).round(2),
                          "label": np.where(np.arange(100) % 20 == 0, "fraud", "ok")})
    frame.to_csv(tmp_path / "tx.csv", index=False)
    config = {"data": {"dataset": "csv", "csv": {"path": "tx.csv", "target": "label"}},
              "model": {"name": "logistic_regression"},
              "loss": {"name": "binary_cross_entropy", **loss},
              "optimizer": {"name": "lbfgs"}, "baseline": {"name": "off"},
              "output": {"dir": str(tmp_path / "runs"), "save_plots": False}}
    (tmp_path / "tx.yaml").write_text(yaml.safe_dump(config))
    return tmp_path / "tx.yaml"


def test_an_accuracy_no_better_than_the_common_class_is_said_to_be(cli, tmp_path):
    config = _rare_positives(tmp_path)
    code, out, err = cli("train", config, "--quiet")
    assert code == 0, err
    assert re.search(r"\nmlkit +0\.9500 ", out), out
    assert ("note: test accuracy 0.9500 is no better than always predicting 'ok' (0.9500 of "
            "the 20 test rows); weigh the classes (loss.class_weight: balanced) and judge by "
            "metrics that see the rare ones (metrics: [roc_auc, average_precision])") in out
    for weighted in ("loss.class_weight=balanced", "loss.pos_weight=19"):
        code, out, _ = cli("train", config, "--quiet", weighted)
        assert code == 0 and "note: test accuracy" in out and "weigh the classes" not in out
    # metrics of one's own choosing: the user has chosen what to judge by
    code, out, _ = cli("train", config, "--quiet", "metrics=[accuracy, roc_auc]")
    assert code == 0 and "note: test accuracy" not in out
