"""`mlkit predict` and `mlkit evaluate --data` on files that drifted from training: a run keeps
its training profile, the drifted columns (and only those) are named, and runs trained before
the profile existed still predict."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mlkit.cli import main
from mlkit.config.runs import load_predictor
from mlkit.data import load_dataset


def _shop(n=300, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    price = rng.lognormal(3, 0.4, n).round(2)
    size = rng.normal(50, 10, n).round(1)
    rooms = rng.integers(1, 6, n).astype(float)
    city = rng.choice(["paris", "lyon", "nice"], n, p=[0.5, 0.3, 0.2])
    sold = price < np.exp(3) + (city == "paris") * 5
    return pd.DataFrame({"price": price, "size": size, "rooms": rooms, "city": city,
                         "sold": np.where(sold, "yes", "no")})


@pytest.fixture(scope="module")
def shop_run(tmp_path_factory):
    """A run trained on 300 rows (impute median, unseen categories ignored), its data."""
    root = tmp_path_factory.mktemp("shop")
    frame = _shop()
    frame.to_csv(root / "shop.csv", index=False)
    config = {"data": {"dataset": "csv", "csv": {
                  "path": str(root / "shop.csv"), "target": "sold", "categorical": ["city"],
                  "impute": "median", "handle_unknown": "ignore"}},
              "model": {"name": "logistic_regression"},
              "loss": {"name": "binary_cross_entropy"}, "optimizer": {"name": "adam"},
              "training": {"epochs": 2, "batch_size": 64},
              "baseline": {"name": "off"},
              "output": {"dir": str(root / "runs"), "save_plots": False}}
    (root / "shop.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(root / "shop.yaml"), "--quiet"]) == 0
    (run,) = (root / "runs").glob("*/*/training_profile.json")
    return run.parent, frame


def test_the_run_keeps_what_its_training_rows_held(shop_run):
    run, frame = shop_run
    profile = json.loads((run / "training_profile.json").read_text())
    assert profile["version"] == 1 and sorted(profile["columns"]) == [
        "city", "price", "rooms", "size"]
    predictor, _ = load_predictor(run)
    train_rows = profile["rows"]
    assert train_rows < len(frame)  # the training split only
    price = profile["columns"]["price"]
    assert frame["price"].min() <= price["min"] < price["mean"] < price["max"] <= \
        frame["price"].max()
    assert sum(profile["columns"]["city"]["frequencies"].values()) == pytest.approx(1)
    assert predictor.profile.columns == profile["columns"]


def test_a_resample_of_the_training_rows_predicts_without_a_word_about_drift(
        cli, tmp_path, shop_run):
    run, frame = shop_run
    frame.drop(columns="sold").sample(200, replace=True, random_state=3).to_csv(
        tmp_path / "same.csv", index=False)
    code, out, err = cli("predict", run, "--input", tmp_path / "same.csv",
                         "--output", tmp_path / "p.csv")
    assert code == 0, err
    assert out.splitlines() == [f"wrote 200 predictions to {tmp_path / 'p.csv'}"]


def _june(frame: pd.DataFrame) -> pd.DataFrame:
    """Prices doubled, a city training never saw, half the sizes missing; rooms as before."""
    june = frame.drop(columns="sold").sample(200, replace=True, random_state=4)
    june = june.reset_index(drop=True)
    june["price"] = june["price"] * 2
    june.loc[:39, "city"] = "lille"
    june.loc[::2, "size"] = np.nan
    return june


def test_a_drifted_file_is_flagged_on_exactly_the_drifted_columns(cli, tmp_path, shop_run):
    run, frame = shop_run
    _june(frame).to_csv(tmp_path / "june.csv", index=False)
    code, out, err = cli("predict", run, "--input", tmp_path / "june.csv",
                         "--output", tmp_path / "p.csv")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1].startswith("drift: 3 of 4 input columns differ from training")
    flagged = {line.split()[0]: line for line in lines[2:]}
    assert sorted(flagged) == ["city", "price", "size"]
    assert "20% unseen categories" in flagged["city"]
    assert "missing 0% -> 50%" in flagged["size"]
    assert "PSI" in flagged["price"] and "outside the training range" in flagged["price"]
    assert not (tmp_path / "p.drift.csv").exists()

    code, out, err = cli("predict", run, "--input", tmp_path / "june.csv",
                         "--output", tmp_path / "p.csv", "--drift", "--overwrite")
    assert code == 0, err
    written = pd.read_csv(tmp_path / "p.drift.csv").set_index("column")
    written["why"] = written["why"].fillna("")  # an empty text is read back as missing
    assert written.loc["rooms", "why"] == "" and "unseen" in written.loc["city", "why"]
    assert written["drifted"].to_dict() == {"price": True, "size": True, "rooms": False,
                                            "city": True}
    assert written.loc["city", "unseen"] == pytest.approx(0.2)
    assert written.loc["size", "missing_new"] == pytest.approx(0.5)
    assert "rooms" in out and f"wrote the drift of every input column to " \
        f"{tmp_path / 'p.drift.csv'}" in out
    predictor, _ = load_predictor(run)
    pd.testing.assert_frame_equal(predictor.drift(tmp_path / "june.csv").set_index("column"),
                                  written, check_exact=False)


def test_evaluate_data_names_the_drifted_columns(cli, tmp_path, shop_run):
    run, frame = shop_run
    june = _june(frame)
    june["sold"] = frame["sold"].iloc[:200].to_numpy()
    june.to_csv(tmp_path / "june.csv", index=False)
    code, out, err = cli("evaluate", run, "--data", tmp_path / "june.csv",
                         "--bootstrap", "0")
    assert code == 0, err
    assert "drift: 3 of 4 input columns differ from training" in out
    code, out, err = cli("evaluate", run, "--drift")
    assert code == 2 and "--drift" in err and "needs --data" in err


def test_a_run_trained_before_the_profile_still_predicts_with_a_note(cli, tmp_path, shop_run):
    run, frame = shop_run
    old = tmp_path / "old-run"
    shutil.copytree(run, old)
    (old / "training_profile.json").unlink()
    frame.drop(columns="sold").head(20).to_csv(tmp_path / "new.csv", index=False)
    code, out, err = cli("predict", old, "--input", tmp_path / "new.csv",
                         "--output", tmp_path / "p.csv")
    assert code == 0, err
    assert "wrote 20 predictions" in out and "has no training profile" in out
    assert len(pd.read_csv(tmp_path / "p.csv")) == 20
    (old / "training_profile.json").write_text('{"version": 1, "rows": 0}')
    code, out, err = cli("predict", old, "--input", tmp_path / "new.csv",
                         "--output", tmp_path / "q.csv")
    assert code != 0 and "training_profile.json" in err and "damaged" in err
    assert "Traceback" not in err and not (tmp_path / "q.csv").exists()


def test_a_run_on_a_bundled_data_set_profiles_its_raw_features(cli, tmp_path, shipped_run):
    run = shipped_run("mlp_regression")
    data = load_dataset("diabetes")
    frame = pd.DataFrame(data.X, columns=data.feature_names)
    frame.to_csv(tmp_path / "all.csv", index=False)
    code, out, err = cli("predict", run, "--input", tmp_path / "all.csv", "--output",
                         tmp_path / "p.csv")
    assert code == 0 and "drift" not in out, err
    frame.assign(bmi=frame["bmi"] + 3 * frame["bmi"].std()).to_csv(tmp_path / "fat.csv",
                                                                   index=False)
    code, out, err = cli("predict", run, "--input", tmp_path / "fat.csv", "--output",
                         tmp_path / "p.csv", "--overwrite")
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["bmi"]
    profile = json.loads((Path(run) / "training_profile.json").read_text())
    # the raw column (std 0.048 in the data set), not the standardized model input (std 1)
    assert profile["columns"]["bmi"]["std"] == pytest.approx(frame["bmi"].std(), rel=0.1)
