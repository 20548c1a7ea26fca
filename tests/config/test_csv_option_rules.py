"""A bad data.csv option reads the same from YAML and from Python: load_csv and the config
section apply one set of rules, which load_csv raises the first of and a config reports all
of, each at data.csv.<option>."""

import re

import pytest
from conftest import problems_of

from mlkit.config.errors import show
from mlkit.data import DataError, load_csv

CSV = {"data": {"dataset": "csv", "csv": {"path": "d.csv", "target": "y"}},
       "model": {"name": "logistic_regression"}, "loss": {"name": "binary_cross_entropy"}}

CASES = {  # option: (its bad options, the problem's words)
    "encoding": ({"encoding": "utf-99"}, "is not a text encoding Python knows"),
    "date_format": ({"date_format": "dd/mm/yyyy"}, "is not a date format (it needs a day"),
    "features": ({"features": ["a", "y"]}, "includes the target column 'y'"),
    "categorical": ({"features": ["a"], "categorical": ["a", "b"]},
                    "names column 'b' missing from features"),
    "dates": ({"dates": ["c", "c"]}, "lists column 'c' more than once"),
    "ids": ({"features": ["a", "b"], "ids": ["b"]}, "names input column 'b'"),
    "missing_indicator": ({"missing_indicator": True, "impute": "drop"},
                          "marks values impute filled, but impute drops rows"),
}


def _yaml(value) -> str:
    return "[" + ", ".join(value) + "]" if isinstance(value, list) else str(value).lower()


@pytest.mark.parametrize("option", CASES)
def test_a_bad_option_says_the_same_from_yaml_and_from_python(option, tmp_path):
    bad, words = CASES[option]
    path = tmp_path / "d.csv"
    path.write_text("a,b,c,y\n1,2,2024-01-01,p\n3,4,2024-01-02,q\n")
    with pytest.raises(DataError) as caught:
        load_csv(path, "y", **bad)
    said = re.fullmatch(rf"{option}=(.*?) ({re.escape(words)}.*); (.*)\.", str(caught.value))
    assert said, str(caught.value)
    value, reason, fix = said.groups()
    assert value == repr(bad[option])
    lines = problems_of([f"data.csv.{key}={_yaml(v)}" for key, v in bad.items()], CSV)
    assert f"t.yaml: data.csv.{option}: {reason} (got {show(bad[option])}); {fix}" in lines

def test_every_conflict_is_reported_at_once_from_yaml_and_the_first_from_python(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n1,2,p\n")
    bad = ["data.csv.features=[a, y]", "data.csv.ids=[a]", "data.csv.dates=[b, b]"]
    lines = problems_of(bad, CSV)
    assert [line.split(":")[1].strip() for line in lines] == [
        "data.csv.features", "data.csv.dates", "data.csv.dates", "data.csv.ids"]
    with pytest.raises(DataError, match="^features=.* includes the target column 'y'"):
        load_csv(path, "y", features=["a", "y"], ids=["a"], dates=["b", "b"])


# Options checked by their type hint alone: load_csv's signature declares them once; Python
# and YAML word a refusal as every data function and every config section does, with the
# same allowed values, suggestion and bound.
CHOICES = {"sep": "zz", "decimal": ";", "impute": "avg", "task": "x", "numbers": "money",
           "categories": "lower", "duplicates": "x", "handle_unknown": "skip"}
BOUNDS = {"skip_lines": (-1, 0), "skip_footer": (-1, 0), "min_frequency": (0, 1)}


def _refusals(tmp_path, option, value, written):
    path = tmp_path / "d.csv"
    path.write_text("a,y\n1,p\n2,q\n")
    with pytest.raises(DataError) as caught:
        load_csv(path, "y", **{option: value})
    [line] = problems_of([f"data.csv.{option}={written}"], CSV)
    return str(caught.value), line


@pytest.mark.parametrize("option", CHOICES)
def test_a_value_outside_the_choices_names_the_same_ones_from_yaml_and_python(option, tmp_path):
    said, line = _refusals(tmp_path, option, CHOICES[option], f"'{CHOICES[option]}'")
    allowed = re.fullmatch(r".* is not supported; use one of (.*?)\.( Did you mean (.*)\?)?",
                           said)
    listed = re.fullmatch(r".*: not an allowed value \(got .*\); allowed: (.*?)"
                          r"( — did you mean (.*)\?)?", line)
    assert allowed and listed, (said, line)
    assert allowed.group(1) == listed.group(1) and allowed.group(3) == listed.group(3)


@pytest.mark.parametrize("option", BOUNDS)
def test_a_count_below_its_bound_names_the_same_bound_from_yaml_and_python(option, tmp_path):
    value, least = BOUNDS[option]
    said, line = _refusals(tmp_path, option, value, value)
    assert said == f"{option} must be at least {least}, got {value}."
    assert line == f"t.yaml: data.csv.{option}: must be >= {least} (got {value})"
