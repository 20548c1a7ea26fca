"""A CSV nobody cleaned, end to end: `mlkit inspect` suggests a data: section, the section
(plus a model) trains as is, and `evaluate` and `predict` read new messy files the same way."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

MODEL = {"model": {"name": "logistic_regression"}, "loss": {"name": "binary_cross_entropy"},
         "optimizer": {"name": "lbfgs"}, "training": {"epochs": 30, "batch_size": "full"},
         "baseline": {"name": "off"}, "output": {"save_plots": False}}


def _churn(n=160, seed=0) -> pd.DataFrame:
    """Customers written as a spreadsheet export would: money with $ and thousands commas,
    percentages, sex in several spellings, '?' and 'N/A' for missing, a constant and an empty
    column, an id, one repeated row and two rows without a target."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n)
    monthly = rng.uniform(20, 120, n).round(2)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n)
    risk = 0.04 * monthly - 0.05 * tenure + 1.5 * (contract == "Month-to-month") - 1.0
    churn = np.where(risk + rng.normal(0, 0.5, n) > 0, "Yes", "No")
    frame = pd.DataFrame({
        "customerID": [f"{i:04d}-CUST" for i in range(n)],
        "gender": rng.choice(["Male", "male ", "FEMALE", "Female"], n),
        "tenure": tenure.astype(str),
        "MonthlyCharges": [f"${m:.2f}" if i % 2 else f"{m:.2f}" for i, m in enumerate(monthly)],
        "TotalCharges": [f"{m * t:,.2f}" for m, t in zip(monthly, tenure)],
        "Discount": [f"{d}%" for d in rng.integers(0, 30, n)],
        "Contract": contract, "Country": "NZ", "Notes": "", "Churn": churn})
    frame.loc[[7, 40], "tenure"] = "?"
    frame.loc[[3, 90], "Contract"] = "N/A"
    frame.loc[[11, 12], "Churn"] = ""
    return pd.concat([frame, frame.iloc[[20]]], ignore_index=True)


def test_inspect_then_train_evaluate_predict(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _churn().to_csv("churn.csv", index=False)
    code, out, err = cli("inspect", "churn.csv", "--target", "Churn")
    assert code == 0, err
    assert out.startswith("churn.csv: 161 rows, 10 columns, read with separator ',' (comma), "
                          "decimal mark '.', encoding 'utf-8' (separator detected)\n")
    lines = {line.split()[0]: line for line in out.splitlines()[4:14]}
    assert lines["gender"].split()[1:4] == ["category", "0", "2"]
    assert lines["gender"].endswith("4 spellings of 2 categories")
    assert lines["tenure"].split()[1:5] == ["number", "2", "'?'", "65"]
    assert lines["MonthlyCharges"].split()[1:3] == ["formatted", "number"]
    assert lines["Contract"].split()[1:5] == ["category", "2", "'N/A'", "3"]
    assert lines["Country"].split()[1] == "constant" and lines["Notes"].split()[1] == "empty"
    assert "- 1 row(s) repeat an earlier row exactly (line 162)" in out
    assert "- 2 row(s) have no target value (lines 13, 14)" in out
    section = yaml.safe_load(out[out.index("\ndata:\n"):])
    assert section["data"]["csv"] == {
        "path": "churn.csv", "target": "Churn",
        "features": ["gender", "tenure", "MonthlyCharges", "TotalCharges", "Discount",
                     "Contract"],
        "categorical": ["gender", "Contract"], "dates": [], "date_format": None,
        "ids": ["customerID"],
        "missing": ["?"], "numbers": "formatted", "categories": "strip_lower",
        "impute": "median", "duplicates": "drop", "sep": ",", "decimal": ".",
        "encoding": "utf-8", "skip_lines": 0, "skip_footer": 0, "min_frequency": None}

    Path("churn.yaml").write_text(yaml.safe_dump({**section, **MODEL}))
    code, out, err = cli("train", "churn.yaml", "--quiet")
    assert code == 0, err
    assert ("churn.csv: 1 row repeating an earlier row left out (duplicates='drop'): line 162; "
            "2 rows with no target value left out: lines 13, 14") in out
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    prep = json.loads((run / "preprocessing.json").read_text())
    assert prep["feature_names"] == [
        "tenure", "MonthlyCharges", "TotalCharges", "Discount", "gender=female", "gender=male",
        "Contract=month-to-month", "Contract=one year", "Contract=two year"]
    schema = prep["csv_schema"]
    assert (schema["missing"], schema["numbers"], schema["categories"]) == (
        ["?"], "formatted", "strip_lower")
    accuracy = json.loads((run / "summary.json").read_text())["test"]["accuracy"]
    assert accuracy > 0.75  # churn follows the charges, tenure and contract

    # a new file in other spellings: each row once plainly, once messily written
    plain = pd.DataFrame({"customerID": ["A", "B"], "gender": ["male", "female"],
                          "tenure": ["5", "60"], "MonthlyCharges": ["99.5", "25"],
                          "TotalCharges": ["497.5", "1500"], "Discount": ["10%", "0%"],
                          "Contract": ["Month-to-month", "Two year"], "Churn": ["Yes", "No"]})
    messy = plain.assign(customerID=["A2", "B2"], gender=[" MALE", "Female "],
                         MonthlyCharges=["$99.50", "$25.00"],
                         TotalCharges=["$497.50", "1,500.00"],
                         Discount=["10.0%", "0.0%"], Contract=["month-to-month ", "TWO YEAR"])
    pd.concat([plain, messy]).to_csv("new.csv", index=False)
    code, out, err = cli("predict", run, "--input", "new.csv", "--output", "p.csv")
    assert code == 0, err
    predictions = pd.read_csv("p.csv")
    assert predictions["customerID"].tolist() == ["A", "B", "A2", "B2"]
    np.testing.assert_array_equal(predictions["proba_Yes"][:2], predictions["proba_Yes"][2:])
    code, out, err = cli("evaluate", run, "--data", "churn.csv")
    assert code == 0, err
    assert "churn.csv (159 rows; 2 rows with no target value left out: lines 13, 14)" in out


@pytest.mark.parametrize("args, message", [
    (["inspect", "nowhere.csv"], "CSV file 'nowhere.csv' does not exist"),
    (["inspect", "t.csv", "--target", "Chrun"], "target column 'Chrun' is not in 't.csv'.*"
                                                "Did you mean 'Churn'"),
])
def test_inspect_errors(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text("x,Churn\n1,Yes\n")
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    assert err.startswith("mlkit inspect: error: ")
    assert re.search(message, err)


def test_inspect_without_target_says_how_to_get_a_section(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text("x,y\n1,a\n2,b\n")
    code, out, err = cli("inspect", "t.csv")
    assert code == 0, err
    assert out.splitlines()[4].split() == ["x", "number", "0", "2", "'1'"]
    assert "pass --target COL for the task" in out and "\ndata:\n" not in out


@pytest.mark.parametrize("classes, model, loss", [
    (["a", "b"], "logistic_regression", "binary_cross_entropy"),
    (["a", "b", "c"], "softmax_regression", "cross_entropy"),
    (None, "linear_regression", "mse"),
])
def test_inspect_writes_a_config_that_trains_from_anywhere(cli, tmp_path, monkeypatch,
                                                           classes, model, loss):
    """--config writes the task's linear model beside the data section; the file's path is
    relative to the config's folder, so training from another directory reads the same rows."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 2))
    target = (np.array(classes)[np.argmax(x @ rng.normal(size=(2, len(classes))), axis=1)]
              if classes else (x @ [2.0, -1.0]).round(3))
    pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "y": target}).to_csv("data.csv", index=False)
    code, out, err = cli("inspect", "data.csv", "--target", "y", "--config",
                         "configs/start.yaml")
    assert code == 0, err
    assert out.endswith("wrote configs/start.yaml; train on it with: mlkit train "
                        "configs/start.yaml\n")
    config = yaml.safe_load(Path("configs/start.yaml").read_text())
    assert config["data"]["csv"]["path"] == "../data.csv"
    assert (config["model"], config["loss"], config["optimizer"]) == (
        {"name": model}, {"name": loss, "l2": 0.01}, {"name": "lbfgs"})
    monkeypatch.chdir(tmp_path / "configs")
    code, out, err = cli("train", "start.yaml", "output.save_plots=false", "--quiet")
    assert code == 0, err
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    summary = json.loads((run / "summary.json").read_text())
    assert summary["model"] == model
    main_metric = "r2" if classes is None else "accuracy"
    assert summary["test"][main_metric] > 0.9  # a linear target, learned by a linear model


def test_a_class_too_small_for_a_stratified_split_gives_a_config_that_trains(cli, tmp_path,
                                                                              monkeypatch):
    """A label written once: the note names it and its line, and the section (and config)
    splits without stratifying, so the suggestion trains as it is."""
    monkeypatch.chdir(tmp_path)
    x = np.random.default_rng(0).normal(size=40).round(3)
    y = np.where(x > 0, "yes", "no").astype(object)
    y[6] = "maybe"  # line 8
    pd.DataFrame({"x": x, "y": y}).to_csv("data.csv", index=False)
    code, out, err = cli("inspect", "data.csv", "--target", "y", "--config", "c.yaml")
    assert code == 0, err
    assert "- class 'maybe' has 1 row(s) (line 8), fewer than the 3 parts of a stratified " \
           "split (train, val, test; one each), so the suggested section sets " \
           "data.split.stratify: false" in out
    assert yaml.safe_load(out[out.index("\ndata:\n"):out.index("\nwrote")])["data"][
        "split"] == {"stratify": False}
    code, _, err = cli("train", "c.yaml", "output.save_plots=false", "--quiet")
    assert code == 0, err
    code, out, _ = cli("inspect", "data.csv", "--target", "x")
    assert "split:" not in out and "class '" not in out


def test_inspect_never_overwrites_a_config(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text("x,y\n1,a\n2,b\n3,a\n4,b\n")
    Path("mine.yaml").write_text("my own work\n")
    code, out, err = cli("inspect", "t.csv", "--target", "y", "--config", "mine.yaml")
    assert code == 2 and out == ""
    assert "--config: names a file that exists (got 'mine.yaml')" in err
    assert Path("mine.yaml").read_text() == "my own work\n"
    code, out, err = cli("inspect", "t.csv", "--config", "new.yaml")
    assert code == 2 and "--config: needs --target" in err and not Path("new.yaml").exists()


def test_inspect_writes_no_config_for_a_file_without_inputs(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text("a,b,y\n,,1\n,,2\n,,1\n")
    code, _, err = cli("inspect", "t.csv", "--target", "y", "--config", "c.yaml")
    assert code == 2 and "--config: no column of t.csv can be an input" in err
    assert not Path("c.yaml").exists()
