"""Hostile YAML: nested aliases ("billion laughs") are refused fast, in configs, overrides,
sweep files and landscape files alike; aliases within the limit still work."""

import time

import pytest

from mlkit.config import ConfigError, apply_overrides, load_config
from mlkit.config.errors import show
from mlkit.config.yaml_text import MAX_VALUES, parse_yaml
from mlkit.experiments import load_landscape, load_sweep


def laughs(levels: int = 8, fan: int = 9) -> str:
    """`levels` levels of `fan` references to the level below: fan**levels values expanded."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]"
              for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


CONFIG = "data: {dataset: iris}\nmodel: {name: softmax_regression}\nloss: {name: cross_entropy}\n"


@pytest.mark.parametrize("loader, text", [
    (load_config, CONFIG + laughs()),
    (load_sweep, "base: logreg.yaml\ngrid: {optimizer.lr: [0.1]}\n" + laughs()),
    (load_landscape, "function: rosenbrock\n" + laughs()),
])
def test_nested_aliases_are_refused_quickly_naming_the_file(loader, text, tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    start = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        loader(path)
    assert time.perf_counter() - start < 2.0
    message = str(caught.value)
    assert str(path) in message and f"more than {MAX_VALUES:,} values" in message
    assert "alias" in message


def test_an_override_value_is_held_to_the_same_limit(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(CONFIG)
    bomb = "{" + laughs(6, 9).replace("\n", ", ").rstrip(", ") + "}"
    with pytest.raises(ConfigError, match="more than 100,000 values"):
        load_config(path, [f"model.extra={bomb}"])


def test_aliases_within_the_limit_expand_as_safe_load_does():
    value = parse_yaml(laughs(3, 3), "t.yaml")
    assert len(value["a3"]) == 3 and value["a3"][0] == value["a2"]
    assert value["a3"][2][1][0] == ["lol"] * 3
    assert parse_yaml("", "t.yaml") is None


def test_self_containing_alias_and_repeated_key_are_reported():
    with pytest.raises(ConfigError, match="contains itself"):
        parse_yaml("a: &x [1, *x]\n", "t.yaml")
    with pytest.raises(ConfigError, match=r"a: written twice \(again on line 2\)"):
        parse_yaml("a: 1\na: 2\n", "t.yaml")


def test_deep_nesting_is_a_config_error():
    with pytest.raises(ConfigError, match="t.yaml"):
        parse_yaml("[" * 5000 + "]" * 5000, "t.yaml")


def test_shown_values_are_cut_without_writing_them_out():
    huge = [list(range(1000))] * 1000
    start = time.perf_counter()
    text = show(huge)
    assert time.perf_counter() - start < 0.05
    assert len(text) <= 80 and text.startswith("[[0, 1, 2") and text.endswith("...")
    assert show({"a": [1, None, True]}) == "{'a': [1, null, true]}"


@pytest.mark.parametrize("text, where", [("date_format: %d/%m/%Y\n", "line 1, column 14"),
                                         ("a: 1\nb: @home\n", "line 2, column 4")])
def test_a_reserved_first_character_is_told_to_be_quoted(text, where):
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "c.yaml")
    assert str(caught.value).endswith(
        f"c.yaml: {where}: not valid YAML: found character '{text.split(': ')[-1][0]}' that "
        "cannot start any token; put the value in quotes, as in date_format: '%d/%m/%Y'; YAML "
        "reserves *, %, @ and ` at the start of a value")
    # a shell takes x='%d' as x=%d: the override's example keeps YAML's quotes inside its own
    with pytest.raises(ConfigError, match="'x=%d': not valid YAML: .*; put the value in quotes, "
                                          "as in \"data.csv.date_format='%d/%m/%Y'\" \\(the "
                                          "shell's quotes around YAML's\\); YAML reserves"):
        apply_overrides({}, ["x=%d"], source="c.yaml")


@pytest.mark.parametrize("text", ["params: *.bias\n", "params: [layers.0, *bias]\n"])
def test_a_pattern_starting_with_a_star_is_told_to_be_quoted(text):
    with pytest.raises(ConfigError, match="not valid YAML: .*; put the value in quotes, as in "
                                          "params: '\\*.bias'; YAML reserves \\*, %, @"):
        parse_yaml(text, "c.yaml")
    with pytest.raises(ConfigError, match="'x=\\*': not valid YAML: .*; put the value in quotes, "
                                          "as in \"optimizer.groups.0.params='\\*.bias'\" \\(the "
                                          "shell's quotes around YAML's\\); YAML reserves \\*"):
        apply_overrides({}, ["x=*"], source="c.yaml")
