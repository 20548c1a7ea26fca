"""Damaged run directories, mismatched data and bad output folders end in one clear error
naming the file and the key, through `mlkit evaluate`, `predict` and `train --resume`."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from mlkit.cli import main
from mlkit.train.checkpoint import CheckpointError
from mlkit.train.run_files import check_training_state

REPO = Path(__file__).resolve().parents[2]
PENGUINS = REPO / "datasets" / "penguins.csv"
QUICK = ["training.epochs=2", "baseline.name=off", "output.save_plots=false", "--quiet"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A CSV run (categorical columns, mean imputation) trained once for the module."""
    root = tmp_path_factory.mktemp("runs")
    code = main([
        "train", str(REPO / "configs" / "csv.yaml"), f"data.csv.path={PENGUINS}",
        "data.csv.impute=mean", "model.hidden=[4]", *QUICK, "--output", str(root)])
    assert code == 0
    (run,) = [path.parent for path in root.glob("*/*/config.yaml")]
    return run


@pytest.fixture
def run(trained, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def _edit_json(run, edit):
    path = run / "preprocessing.json"
    state = json.loads(path.read_text())
    edit(state)
    path.write_text(json.dumps(state))


def _edit_npz(run, name, key, change):
    arrays = dict(np.load(run / name))
    arrays[key] = change(arrays[key])
    np.savez(run / name, **arrays)


PREPROCESSING = [
    (lambda s: s.update(feature_names=3), "'feature_names' must be a list"),
    (lambda s: s.update(y_mean=None), "'y_mean' must be a finite number (got null)"),
    (lambda s: s["csv_schema"]["categorical"]["categories"][0].__setitem__(0, 5),
     "'csv_schema.categorical.categories (island)' must be a list of distinct strings"),
    (lambda s: s["csv_schema"]["fill"].update(bill_length_mm=float("nan")),
     "'csv_schema.fill.bill_length_mm' must be a finite number (got NaN)"),
    (lambda s: s.update(x_scale=s["x_scale"][:-1]), "'x_scale' must be a list of 9"),
    (lambda s: s.update(classes=["a", "a", "b"]), "'classes' must be a list of at least 2"),
    (lambda s: s.update(head="ternary"),
     "'head' must be one of binary, multiclass, scores, regression"),
    (lambda s: s.update(dtype=7), "'dtype' must be float32 or float64"),
]


@pytest.mark.parametrize("command", ["evaluate", "predict"])
@pytest.mark.parametrize("edit, expected", PREPROCESSING)
def test_damaged_preprocessing_is_named_with_its_key(command, edit, expected, run, cli,
                                                     tmp_path):
    _edit_json(run, edit)
    extra = ["--input", PENGUINS, "--output", tmp_path / "out.csv"] if command == "predict" else []
    code, _, err = cli(command, run, *extra)
    assert code == 2, err
    assert f"{run / 'preprocessing.json'}" in err and expected in err
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_weights_are_refused(value, run, cli):
    _edit_npz(run, "model.npz", "layers.0.weight", lambda w: np.full_like(w, value))
    code, _, err = cli("evaluate", run)
    assert code == 2 and f"{run / 'model.npz'}: key 'layers.0.weight' holds non-finite" in err


@pytest.mark.parametrize("key, change, expected", [
    ("optimizer.state.layers.0.weight.exp_avg", lambda a: a[:2],
     "'state.layers.0.weight.exp_avg' has shape (2, 4), expected (9, 4)"),
    ("model.layers.0.weight", lambda a: a[:2], "layers.0.weight: shape (2, 4), expected (9, 4)"),
    ("loop.epoch", lambda a: np.array(np.nan), "key 'loop.epoch' must be a whole number >= 0"),
    ("loop.step", lambda a: np.array(-3), "key 'loop.step' must be a whole number >= 0"),
    ("loop.epoch", lambda a: np.array(7), "key 'loop.epoch' is 7 but the history holds 2"),
    ("optimizer.step", lambda a: np.array(2.5), "key 'optimizer.step' must be a whole number"),
    ("history.train_loss", lambda a: a[:1], "history.* keys must be 1-d arrays of one length"),
    ("rng.loop", lambda a: np.array("{not json"), "saved random state is not a generator's"),
    ("model.layers.0.bias", lambda a: a * np.nan, "key 'model.layers.0.bias' holds non-finite"),
])
def test_damaged_last_npz_is_refused_on_resume(key, change, expected, run, cli):
    before = (run / "last.npz").read_bytes()
    _edit_npz(run, "last.npz", key, change)
    damaged = (run / "last.npz").read_bytes()
    code, _, err = cli("train", "--resume", run, "training.epochs=4", "--quiet")
    assert code == 2 and expected in err, err
    assert (run / "last.npz").read_bytes() == damaged != before  # nothing overwritten


def test_evaluate_on_a_config_of_other_features_names_both(run, cli, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("data: {dataset: iris}\nmodel: {name: softmax_regression}\n"
                     "loss: {name: cross_entropy}\n")
    code, _, err = cli("evaluate", run, "--data", other)
    assert code == 2
    assert f"the data of '{other}' has 4 features, but the run was trained on 9" in err
    assert "it lacks ['bill_length_mm'" in err


def test_output_dir_naming_a_file_is_a_user_error(cli, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    code, _, err = cli("train", REPO / "configs" / "logreg.yaml", *QUICK,
                       f"output.dir={blocker}")
    assert code == 2 and f"'{blocker}' is a file, not a folder" in err
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("rows, expected", [
    ("1,2,0\n3,1,1,5\n", "Expected 3 fields in line 3, saw 4"),
    ("1,2,0,7\n3,1,1\n", "has a row with more values than its header has column names"),
])
def test_csv_rows_with_a_missing_or_extra_value(rows, expected, cli, tmp_path):
    (tmp_path / "two.csv").write_text("a,b,y\n" + rows)
    config = tmp_path / "two.yaml"
    config.write_text(f"data: {{dataset: csv, csv: {{path: {tmp_path / 'two.csv'}, target: y, "
                      "task: regression}}\nmodel: {name: linear_regression}\nloss: {name: mse}\n")
    code, _, err = cli("train", config, "--quiet", "--output", tmp_path / "runs")
    assert code == 2 and expected in err, err


def test_a_row_short_of_its_target_is_left_out_and_listed(cli, tmp_path):
    rows = "".join(f"{i},{i % 3},{2 * i}\n" for i in range(12))
    (tmp_path / "two.csv").write_text("a,b,y\n" + rows + "3,1\n" + rows)
    config = tmp_path / "two.yaml"
    config.write_text(f"data: {{dataset: csv, csv: {{path: {tmp_path / 'two.csv'}, target: y, "
                      "task: regression}}\nmodel: {name: linear_regression}\nloss: {name: mse}\n")
    code, out, err = cli("train", config, *QUICK, "--output", tmp_path / "runs")
    assert code == 0, err
    assert f"note: {tmp_path / 'two.csv'}: 1 row with no target value left out: line 14" in out


def test_a_checkpoints_step_rates_are_checked_apart_from_its_epochs():
    epochs = {"history.epoch": np.array([1, 2]), "history.lr": np.array([0.1, 0.1])}
    steps = {"history.steps.step": np.arange(1, 6), "history.steps.lr": np.full(5, 0.1)}
    check_training_state({**epochs, **steps, "loop.epoch": np.array(2)}, "last.npz")
    steps["history.steps.lr"] = steps["history.steps.lr"][:4]
    with pytest.raises(CheckpointError, match=r"last.npz: the history.steps.\* keys must be 1-d "
                                              "arrays of one length"):
        check_training_state({**epochs, **steps, "loop.epoch": np.array(2)}, "last.npz")
