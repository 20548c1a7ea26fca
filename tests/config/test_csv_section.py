"""The data.csv section: paths that work from any directory, column roles, null class weights,
and one set of options and defaults with the CSV loader."""

import inspect
import os
from typing import get_args

import numpy
import pytest
import yaml
from conftest import MINIMAL, problems_of

from mlkit.config import (
    ConfigError,
    apply_overrides,
    config_to_yaml,
    load_config,
    validate_config,
)
from mlkit.config.build import build_plan, load_data
from mlkit.config.sections import CsvSource
from mlkit.data import CATEGORIES, IMPUTE, NUMBERS, load_csv
from mlkit.registry.signatures import parameter_help

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
    config = validate_config(apply_overrides(CSV, ["data.csv.ids=[key]"]))
    assert config.data.csv.ids == ["key"] and config.data.csv.handle_unknown == "error"
    found = problems_of(["data.csv.features=[a, key]", "data.csv.ids=[key]",
                         "data.csv.categorical=[a]", "data.csv.dates=[a, b]"], CSV)
    assert any("data.csv.ids: names input column 'key' (got ['key'])" in p for p in found)
    assert any("data.csv.dates: names column 'b' missing from features (got ['a', 'b'])" in p
               for p in found)
    assert any("data.csv.dates: names column 'a' also listed in categorical" in p
               for p in found)
    found = problems_of(["data.csv.handle_unknown=skip"], CSV)
    assert len(found) == 1 and "data.csv.handle_unknown" in found[0] and "'ignore'" in found[0]


def test_null_class_weight_means_none():
    base = {**MINIMAL, "name": "t"}
    plain = build_plan(validate_config(apply_overrides(base, ["loss.class_weight=null"])))
    assert validate_config(base).loss.class_weight is None
    assert plain.splits.w_train is None
    balanced = build_plan(validate_config(apply_overrides(base, ["loss.class_weight=balanced"])))
    assert balanced.splits.w_train is not None
    numpy.testing.assert_array_equal(plain.splits.X_train, balanced.splits.X_train)


def test_the_section_and_the_loader_agree_on_every_option_default_and_help():
    loader = inspect.signature(load_csv).parameters
    helps = parameter_help(load_csv)
    fields = CsvSource.model_fields
    assert set(loader) - {"dtype"} == set(fields)
    for key, info in fields.items():
        default = loader[key].default
        if info.is_required():
            assert default is inspect.Parameter.empty, key
        else:
            assert info.default == (list(default) if isinstance(default, tuple) else default), key
            assert validate_config(CSV).data.csv.model_dump()[key] == info.default, key
        if key != "path":  # config-only: where a relative path starts
            assert info.description == helps[key], key
    assert get_args(get_args(fields["impute"].annotation)[0]) == IMPUTE
    assert get_args(fields["numbers"].annotation) == NUMBERS
    assert get_args(fields["categories"].annotation) == CATEGORIES


def test_a_config_read_by_the_loader_takes_its_python_defaults(tmp_path):
    """Every option left out of data.csv reads the file exactly as load_csv's defaults do."""
    (tmp_path / "d.csv").write_text("a;b;y\n1.5;7;0\n2;8;1\n3;9;0\n4;7.25;1\n")
    raw = {**CSV, "data": {"dataset": "csv", "csv": {"path": str(tmp_path / "d.csv"),
                                                     "target": "y"}}}
    by_config, by_python = load_data(validate_config(raw)), load_csv(tmp_path / "d.csv", "y")
    numpy.testing.assert_array_equal(by_config.X, by_python.X)
    assert by_config.feature_names == by_python.feature_names == ["a", "b"]
    assert by_config.schema.to_dict() == by_python.schema.to_dict()


def test_old_spellings_get_one_line_each_naming_the_new_one():
    found = problems_of(["data.csv.id=[key]", "data.csv.impute=none", "data.csv.task=auto",
                         "data.csv.numbers=money"], CSV)
    assert found == [
        "t.yaml: data.csv.impute: 'none' is now written null; write impute: null, or leave "
        "impute out (null is the default)",
        "t.yaml: data.csv.task: 'auto' is now written null; write task: null, or leave task "
        "out (null is the default)",
        "t.yaml: data.csv.numbers: not an allowed value (got 'money'); allowed: 'plain', "
        "'formatted'",
        "t.yaml: data.csv.id: was renamed ids (got ['key']); write ids: ['key']"]
    assert problems_of(["loss.class_weight=none"], CSV) == [
        "t.yaml: loss.class_weight: 'none' is now written null; write class_weight: null, or "
        "leave class_weight out (null is the default)"]
    assert problems_of(["data.csv.ids=key"], CSV) == [
        "t.yaml: data.csv.ids: must be a list (got 'key')"]


def test_the_new_spelling_named_for_one_id_column_is_accepted():
    """`id: key` (one name, as earlier versions allowed) is told the list that now works."""
    assert problems_of(["data.csv.id=key"], CSV) == [
        "t.yaml: data.csv.id: was renamed ids (got 'key'); write ids: ['key']"]
    assert validate_config(apply_overrides(CSV, ["data.csv.ids=['key']"])).data.csv.ids == [
        "key"]


def test_a_saved_config_in_the_old_spelling_reads_in_the_new_one(tmp_path):
    saved = {**CSV, "data": {"dataset": "csv", "csv": {
        "path": "d.csv", "target": "y", "id": ["key"], "impute": "none", "task": "auto"}},
        "loss": {**CSV["loss"], "class_weight": "none"}}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(saved))
    config = load_config(tmp_path / "config.yaml", saved=True)
    assert (config.data.csv.ids, config.data.csv.impute, config.data.csv.task,
            config.loss.class_weight) == (["key"], None, None, None)
    with pytest.raises(ConfigError, match="data.csv.id: was renamed ids"):
        load_config(tmp_path / "config.yaml")


def test_reading_options_reach_the_loader(tmp_path):
    (tmp_path / "d.csv").write_text('x,c,y\n"$1,000",A ,0\n?,a,1\n5%,B,0\n7,b,1\n')
    raw = {**CSV, "data": {"dataset": "csv", "csv": {
        "path": str(tmp_path / "d.csv"), "target": "y", "categorical": ["c"],
        "missing": ["?"], "numbers": "formatted", "categories": "strip_lower",
        "impute": "mean"}}}
    data = load_data(validate_config(raw))
    numpy.testing.assert_allclose(data.X[:, 0], [1000, (1000 + 0.05 + 7) / 3, 0.05, 7])
    assert data.feature_names == ["x", "c=a", "c=b"]
    found = problems_of(["data.csv.numbers=money", "data.csv.categories=lower",
                         "data.csv.missing=?"], raw)
    assert len(found) == 3 and all("data.csv." in p for p in found)


def test_file_options_are_checked_by_the_config_and_reach_the_loader(tmp_path):
    (tmp_path / "d.csv").write_text("c|x|y\nParis|1,5|0\nLyon|2|1\nParis|3|0\nNice|4,25|1\n")
    raw = {**CSV, "data": {"dataset": "csv", "csv": {
        "path": str(tmp_path / "d.csv"), "target": "y", "categorical": ["c"], "sep": "|",
        "decimal": ",", "encoding": "latin-1", "min_frequency": 2}}}
    data = load_data(validate_config(raw))
    assert data.feature_names == ["x", "c=Paris", "c=(other)"]
    numpy.testing.assert_array_equal(data.X, [[1.5, 1, 0], [2, 0, 1], [3, 1, 0], [4.25, 0, 1]])
    tabs = validate_config(apply_overrides(raw, ["data.csv.sep=tab"]))
    assert tabs.data.csv.sep == "tab"
    found = problems_of(["data.csv.sep=space", "data.csv.decimal=;", "data.csv.encoding=utf-99",
                         "data.csv.min_frequency=0"], raw)
    assert len(found) == 4
    assert any("data.csv.encoding" in p and "is not a text encoding Python knows" in p
               for p in found)
    assert all("data.csv." in p for p in found)
