"""The data.csv section: paths that work from any directory, column roles, null class weights."""

import os

import numpy
import yaml
from conftest import MINIMAL, problems_of

from mlkit.config import apply_overrides, config_to_yaml, load_config, validate_config
from mlkit.config.build import build_plan

CSV = {"data": {"dataset": "csv", "csv": {"path": "d.csv", "target": "y"}},
       "model": {"name": "logistic_regression"}, "loss": {"name": "binary_cross_entropy"}}


def test_a_relative_path_starts_from_the_config_files_folder(tmp_path, monkeypatch):
    folder = tmp_path / "project" / "configs"
    folder.mkdir(parents=True)
    (folder / "c.yaml").write_text(yaml.safe_dump({**CSV, "data": {"dataset": "csv", "csv": {
        "path": "../data/d.csv", "target": "y"}}}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(folder / "c.yaml")
    assert config.data.csv.path == str(tmp_path / "project" / "data" / "d.csv")
    (folder / "saved.yaml").write_text(config_to_yaml(config))
    assert load_config(folder / "saved.yaml").data.csv.path == config.data.csv.path
    # an override is typed where mlkit runs, so it starts from the current directory
    overridden = load_config(folder / "c.yaml", ["data.csv.path=mine.csv"])
    assert overridden.data.csv.path == str(elsewhere / "mine.csv")
    assert validate_config(CSV).data.csv.path == os.path.join(str(elsewhere), "d.csv")


def test_roles_of_columns_are_checked_against_each_other():
    config = validate_config(apply_overrides(CSV, ["data.csv.id=key"]))
    assert config.data.csv.id == ["key"] and config.data.csv.handle_unknown == "error"
    found = problems_of(["data.csv.features=[a, key]", "data.csv.id=[key]",
                         "data.csv.categorical=[a]", "data.csv.dates=[a, b]"], CSV)
    assert any("data.csv.id: names input columns" in p for p in found)
    assert any("data.csv.dates: names columns missing from features (got ['b'])" in p
               for p in found)
    assert any("names columns also listed in categorical" in p for p in found)
    found = problems_of(["data.csv.handle_unknown=skip"], CSV)
    assert len(found) == 1 and "data.csv.handle_unknown" in found[0] and "'ignore'" in found[0]


def test_null_class_weight_means_none():
    base = {**MINIMAL, "name": "t"}
    plain = build_plan(validate_config(apply_overrides(base, ["loss.class_weight=null"])))
    assert validate_config(apply_overrides(base, ["loss.class_weight=null"])).loss.class_weight \
        == "none"
    assert plain.splits.w_train is None
    balanced = build_plan(validate_config(apply_overrides(base, ["loss.class_weight=balanced"])))
    assert balanced.splits.w_train is not None
    numpy.testing.assert_array_equal(plain.splits.X_train, balanced.splits.X_train)
