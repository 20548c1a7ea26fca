"""Fuzzing with hypothesis: malformed configs, CSV files and run directories each end in one of
mlkit's own errors with a message (or succeed), never in a traceback from deep inside."""

import io
import json
import shutil
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkit.cli import main
from mlkit.config import ConfigError, load_config
from mlkit.config.build import build_plan
from mlkit.data import DataError

REPO = Path(__file__).resolve().parents[1]
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

MINIMAL = {"data": {"dataset": "iris"}, "model": {"name": "softmax_regression"},
           "loss": {"name": "cross_entropy"}}
KEYS = ["data", "data.dataset", "data.split.val", "data.split.test", "data.split.stratify",
        "data.standardize", "data.csv", "data.csv.path", "model", "model.name", "model.hidden",
        "model.init", "model.activation", "model.dropout", "loss", "loss.name", "loss.l2",
        "loss.class_weight", "optimizer", "optimizer.name", "optimizer.lr",
        "optimizer.betas", "schedule.name", "schedule.t_max", "training.epochs",
        "training.batch_size", "training.dtype", "training.early_stopping",
        "training.early_stopping.monitor", "output.dir", "baseline.name", "name", "bogus.key"]
SCALARS = (st.none() | st.booleans() | st.integers(-3, 40) | st.floats(allow_nan=True)
           | st.sampled_from(["", "mlp", "adam", "csv", "full", "none", "balanced", "1e-3"])
           | st.text(max_size=6))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


def _edited(edits) -> dict:
    raw = json.loads(json.dumps(MINIMAL))
    for key, value in edits:
        node, parts = raw, key.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return raw


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(KEYS), VALUES), min_size=1, max_size=3))
def test_fuzzed_configs_end_in_a_config_error_or_a_plan(edits):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(_edited(edits)))
        try:
            build_plan(load_config(path))
        except (ConfigError, DataError) as error:
            assert str(error).strip()


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("ab:- {}[],&*!|>'\"\n\t#1.%@")), max_size=60))
def test_fuzzed_yaml_text_ends_in_a_config_error(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(text)
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert str(path) in str(caught.value)


CELLS = st.sampled_from(["", "1", "2.5", "-3", "nan", "inf", "x", "y", "a b", '"q"', "1e400"])
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=4), min_size=0, max_size=6)


@FUZZ
@given(rows=ROWS, categorical=st.booleans(), impute=st.sampled_from([None, "mean", "drop"]))
def test_fuzzed_csv_files_end_in_a_data_error_or_a_plan(rows, categorical, impute):
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "t.csv"
        csv.write_text("a,b,y\n" + "".join(",".join(row) + "\n" for row in rows))
        config = Path(folder) / "t.yaml"
        section = {"path": str(csv), "target": "y", "impute": impute,
                   "categorical": ["b"] if categorical else []}
        config.write_text(yaml.safe_dump({"data": {"dataset": "csv", "csv": section,
                                                   "split": {"val": 0.0, "test": 0.0}},
                                          "model": {"name": "mlp", "hidden": [2]},
                                          "loss": {"name": "cross_entropy"}}))
        try:
            build_plan(load_config(config))
        except (ConfigError, DataError) as error:
            assert str(error).strip()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    with redirect_stdout(io.StringIO()):
        code = main(["train", str(REPO / "configs" / "csv.yaml"),
                     f"data.csv.path={REPO / 'datasets' / 'penguins.csv'}",
                     "data.csv.impute=most_frequent", "model.hidden=[3]", "training.epochs=1",
                     "baseline.name=off", "output.save_plots=false", "--quiet",
                     "--output", str(root)])
    assert code == 0
    (run,) = [path.parent for path in root.glob("*/*/config.yaml")]
    return run


def _command(run: Path, which: str) -> int:
    """Run a command on ``run``; exit status 0 or 2 with one message, nothing raised."""
    err = io.StringIO()
    args = {"evaluate": ["evaluate", str(run)],
            "predict": ["predict", str(run), "--input", str(REPO / "datasets" / "penguins.csv"),
                        "--output", str(run / "out.csv")],
            "resume": ["train", "--resume", str(run), "training.epochs=2", "--quiet"]}[which]
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = main(args)
    assert code in (0, 2) and (code == 0 or err.getvalue().strip()), err.getvalue()
    return code


def _set(tree, path, value):
    node = tree
    for part in path[:-1]:
        node = node[part] if isinstance(node, dict) else node[int(part) % max(len(node), 1)]
    if isinstance(node, dict):
        node[path[-1]] = value
    elif node:
        node[int(path[-1]) % len(node)] = value


JSON_PATHS = [("head",), ("feature_names",), ("feature_names", "0"), ("classes",),
              ("classes", "1"), ("x_mean",), ("x_mean", "2"), ("x_scale", "0"), ("y_mean",),
              ("y_scale",), ("target",), ("dtype",), ("csv_schema",), ("csv_schema", "numeric"),
              ("csv_schema", "categorical", "categories", "0"), ("csv_schema", "fill"),
              ("csv_schema", "impute"), ("csv_schema", "classes"), ("csv_schema", "task")]


@FUZZ
@given(path=st.sampled_from(JSON_PATHS), value=VALUES,
       which=st.sampled_from(["evaluate", "predict"]))
def test_fuzzed_preprocessing_json_ends_in_a_clear_error(trained, path, value, which):
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "run"
        shutil.copytree(trained, run)
        state = json.loads((run / "preprocessing.json").read_text())
        _set(state, path, value)
        (run / "preprocessing.json").write_text(json.dumps(state))
        _command(run, which)


ARRAYS = st.sampled_from([numpy.array(numpy.nan), numpy.array(-1), numpy.array(2.5),
                          numpy.zeros((2, 2)), numpy.full(3, numpy.inf), numpy.array("text"),
                          numpy.array([], dtype=numpy.int64), numpy.ones((9, 3), numpy.int8)])


@FUZZ
@given(file=st.sampled_from(["model.npz", "last.npz"]), pick=st.integers(0, 100), value=ARRAYS,
       which=st.sampled_from(["evaluate", "predict", "resume"]))
def test_fuzzed_checkpoints_end_in_a_clear_error(trained, file, pick, value, which):
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "run"
        shutil.copytree(trained, run)
        arrays = dict(numpy.load(run / file))
        key = sorted(arrays)[pick % len(arrays)]
        arrays[key] = value
        numpy.savez(run / file, **arrays)
        _command(run, which)
