"""data.split.group and data.split.order on a CSV file: the rows each part gets, through the
config, and every bad setting named before training."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import problems_of

from mlkit.cli import main
from mlkit.config import ConfigError, apply_overrides, config_to_yaml, validate_config
from mlkit.config.build import build_plan, load_data, split_rows

CUSTOMERS = 12


@pytest.fixture
def visits(tmp_path):
    """60 visits of 12 customers (5 each) on 60 distinct days, day order shuffled."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=60).strftime("%Y-%m-%d").to_numpy()
    frame = pd.DataFrame({
        "customer": np.repeat([f"c{i}" for i in range(CUSTOMERS)], 5),
        "day": rng.permutation(days), "x": rng.normal(size=60).round(3),
        "y": np.tile(["no", "yes"], 30)})
    path = tmp_path / "visits.csv"
    frame.to_csv(path, index=False)
    return {"name": "visits", "data": {"dataset": "csv", "csv": {
        "path": str(path), "target": "y", "ids": ["customer"], "features": ["x"]},
        "split": {"val": 0.2, "test": 0.2}},
        "model": {"name": "logistic_regression"}, "loss": {"name": "binary_cross_entropy"},
        "training": {"epochs": 1}}, frame


def _config(base, *overrides):
    return validate_config(apply_overrides(base, list(overrides)))


def test_no_customer_in_two_parts_and_the_split_is_the_python_one(visits):
    base, frame = visits
    config = _config(base, "data.split.group=customer")
    train, val, test = split_rows(config, load_data(config))
    parts = [set(frame["customer"].to_numpy()[p]) for p in (train, val, test)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    # 12 customers of 5 rows: 0.6/0.2/0.2 is 7.2/2.4/2.4 customers, so 7/2/3 at best
    assert (len(train), len(val), len(test)) == (35, 10, 15)


def test_folds_keep_customers_together_and_test_every_row_once(visits):
    base, frame = visits
    tested = []
    for fold in (1, 2, 3):
        config = _config(base, "data.split.group=customer", "data.split.folds=3",
                         f"data.split.fold={fold}")
        train, val, test = split_rows(config, load_data(config))
        assert len(test) == 20 and len(val) + len(train) == 40
        assert not set(frame["customer"][test]) & set(frame["customer"][np.r_[train, val]])
        assert not set(frame["customer"][train]) & set(frame["customer"][val])
        tested.extend(test.tolist())
    assert sorted(tested) == list(range(60))


def test_order_tests_the_latest_days(visits):
    base, frame = visits
    config = _config(base, "data.split.order=day")
    train, val, test = split_rows(config, load_data(config))
    days = frame["day"].to_numpy()
    assert (len(train), len(val), len(test)) == (36, 12, 12)
    assert days[train].max() < days[val].min() and days[val].max() < days[test].min()
    assert days[test].min() == "2024-02-18"  # the last 12 of 60 days from 2024-01-01


def test_order_reads_dates_in_the_files_date_format(visits):
    base, frame = visits
    days = pd.to_datetime(frame["day"])
    # day first: as text, 01/02/2024 sorts before 31/01/2024
    frame.assign(day=days.dt.strftime("%d/%m/%Y")).to_csv(base["data"]["csv"]["path"],
                                                           index=False)
    config = _config(base, "data.split.order=day", "data.csv.date_format='%d/%m/%Y'")
    train, val, test = split_rows(config, load_data(config))
    assert days[train].max() < days[val].min() and days[val].max() < days[test].min()
    assert str(days[test].min().date()) == "2024-02-18"
    hint = "use strftime codes, e.g. '%d/%m/%Y' for 27/10/2020 or '%m/%d/%Y' for 10/27/2020"
    assert problems_of(["data.csv.date_format=dd/mm/yyyy"], base) == [
        "t.yaml: data.csv.date_format: is not a date format (it needs a day, month or year) "
        f"(got 'dd/mm/yyyy'); {hint}"]
    # a code pandas does not know is found here, not as a traceback from the first file read
    assert problems_of(["data.csv.date_format='%d/%m/%Q'"], base) == [
        "t.yaml: data.csv.date_format: is not a date format ('Q' is a bad directive in format "
        f"'%d/%m/%Q') (got '%d/%m/%Q'); {hint}"]


def test_forward_chaining_folds_train_on_the_past_only(visits):
    base, frame = visits
    days = frame["day"].to_numpy()
    for fold, rows in zip((1, 2, 3), (15, 30, 45)):
        config = _config(base, "data.split.order=day", "data.split.folds=3",
                         f"data.split.fold={fold}")
        train, val, test = split_rows(config, load_data(config))
        assert len(train) + len(val) == rows and len(test) == 15
        assert days[train].max() < days[val].min() <= days[val].max() < days[test].min()


def test_a_far_split_says_so_when_training(visits, tmp_path):
    base, frame = visits
    frame.assign(big=np.where(np.arange(60) < 40, "a", frame["customer"])).to_csv(
        base["data"]["csv"]["path"], index=False)
    plan = build_plan(_config(base, "data.split.group=big", "data.csv.ids=[customer, big]"))
    # group a (40 rows) must train: 4 customers of 5 rows share 20 rows between val and test
    assert len(plan.splits.X_train) == 40
    assert any("grouped by 'big' gives train 66.7% / val 16.7% / test 16.7% of the rows "
               "(asked for 60.0% / 20.0% / 20.0%)" in note for note in plan.notes)


@pytest.mark.parametrize("overrides, message", [
    (["data.split.group=custmer"], "data.split.group: is not a column of .*did you mean "
                                   "'customer'"),
    (["data.split.group=y"], "data.split.group: column 'y': groups has 2 distinct group.*"
                             "needs at least 3"),
    (["data.split.group=customer", "data.split.folds=13", "data.split.fold=1"],
     "column 'customer': groups has 12 distinct group.*k=13 folds needs at least 13"),
    (["data.split.order=customer"], "data.split.order: column 'customer' holds 'c0' .*neither "
                                    "numbers nor dates, so its rows cannot be sorted"),
    (["data.split.order=day", "data.split.folds=60", "data.split.fold=1"],
     "column 'day': order has 60 distinct value.*61 blocks"),
])
def test_bad_split_columns_are_named_before_training(visits, overrides, message):
    base, _ = visits
    config = _config(base, *overrides)
    with pytest.raises(ConfigError, match=message):
        split_rows(config, load_data(config))


def test_missing_group_cells_are_listed(visits):
    base, frame = visits
    frame.assign(customer=frame["customer"].where(np.arange(60) != 7)).to_csv(
        base["data"]["csv"]["path"], index=False)
    config = _config(base, "data.split.group=customer")
    with pytest.raises(ConfigError, match=r"column 'customer' has 1 missing value\(s\) \(line 9\)"):
        split_rows(config, load_data(config))


def test_schema_refuses_group_with_order_and_split_columns_without_csv():
    found = problems_of(["data.split.group=a", "data.split.order=b"],
                        {"data": {"dataset": "csv", "csv": {"path": "d.csv", "target": "y"}},
                         "model": {"name": "logistic_regression"},
                         "loss": {"name": "binary_cross_entropy"}})
    assert any("data.split.order: cannot be combined with group" in p for p in found)
    found = problems_of(["data.split.group=a"])
    assert any("data.split.group: names a CSV column, but dataset is 'breast_cancer'" in p
               for p in found)


def test_missing_indicator_through_train_and_predict(visits, tmp_path, capsys):
    base, frame = visits
    frame.assign(x=frame["x"].where(np.arange(60) % 7 != 0)).to_csv(
        base["data"]["csv"]["path"], index=False)
    problems = problems_of(["data.csv.missing_indicator=true"], base)
    assert any("data.csv.missing_indicator: marks values impute filled, but impute is not set"
               in p for p in problems)
    config = _config(base, "data.csv.missing_indicator=true", "data.csv.impute=median",
                     "data.split.group=customer", f"output.dir={tmp_path / 'runs'}",
                     "output.save_plots=false", "baseline.name=off")
    (tmp_path / "c.yaml").write_text(config_to_yaml(config))
    assert main(["train", str(tmp_path / "c.yaml"), "--quiet"]) == 0
    run = Path(capsys.readouterr().out.strip().splitlines()[-1].removeprefix("run directory: "))
    saved = json.loads((run / "preprocessing.json").read_text())
    assert saved["feature_names"] == ["x", "x=(missing)"]
    (tmp_path / "new.csv").write_text("customer,x\nn1,\nn2,0.5\n")
    assert main(["predict", str(run), "--input", str(tmp_path / "new.csv"), "--output",
                 str(tmp_path / "out.csv")]) == 0
    assert pd.read_csv(tmp_path / "out.csv")["customer"].tolist() == ["n1", "n2"]
    # the run was split by customer: its intervals draw the test split's customers whole
    assert main(["evaluate", str(run), "--bootstrap", "50"]) == 0
    out = capsys.readouterr().out
    assert "test split of visits (15 rows)" in out
    assert "over 50 resamples of the 3 groups (15 rows; whole groups drawn; seed 0)" in out


def test_train_and_cv_name_the_config_file_of_a_bad_split_column(visits, tmp_path, capsys):
    base, _ = visits
    path = tmp_path / "visits.yaml"
    path.write_text(config_to_yaml(_config(base, f"output.dir={tmp_path / 'runs'}")))
    expected = f"error: {path}: data.split.group: is not a column of"
    assert main(["train", str(path), "data.split.group=custmer", "--quiet"]) == 2
    assert expected in capsys.readouterr().err
    assert main(["cv", str(path), "data.split.group=custmer", "--folds", "3"]) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
