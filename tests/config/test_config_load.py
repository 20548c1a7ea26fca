"""Reading config files: file-level errors, safe YAML only, defaults taken from the file."""

import pytest

from mlkit.config import ConfigError, load_config

VALID = """\
data: {dataset: breast_cancer}
model: {name: logistic_regression}
loss: {name: binary_cross_entropy}
"""


def write(tmp_path, text, name="run.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def message(path, overrides=()):
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    return str(caught.value)


def test_name_defaults_to_the_file_stem(tmp_path):
    assert load_config(write(tmp_path, VALID, "my_run.yaml")).name == "my_run"


def test_name_in_the_file_wins(tmp_path):
    assert load_config(write(tmp_path, "name: other\n" + VALID)).name == "other"


def test_stem_unusable_as_a_run_name_is_reported(tmp_path):
    text = message(write(tmp_path, VALID, "my run.yaml"))
    assert "my run.yaml: name: string should match pattern" in text
    assert "(got 'my run')" in text


def test_accepts_path_strings(tmp_path):
    assert load_config(str(write(tmp_path, VALID))).data.dataset == "breast_cancer"


def test_yaml_1_1_exponent_without_dot_is_read_as_a_number(tmp_path):
    config = load_config(write(tmp_path, VALID + "optimizer: {name: adam, lr: 1e-3}\n"))
    assert config.optimizer.lr == 0.001


def test_missing_file(tmp_path):
    text = message(tmp_path / "nope.yaml")
    assert text.startswith(f"{tmp_path / 'nope.yaml'}: config file not found; check the path")
    write(tmp_path, VALID, "c.yaml")
    assert message(tmp_path / "c") == f"{tmp_path / 'c'}: config file not found; did you mean " \
                                      f"{tmp_path / 'c.yaml'}?"


@pytest.mark.parametrize("text, kind, command", [
    ("base: a.yaml\ngrid: {optimizer.lr: [0.1]}\n", "sweep", "sweep"),
    ("function: {name: beale}\nstart: [1, 1]\n", "landscape", "landscape"),
])
def test_a_sweep_or_landscape_file_is_named_as_such(tmp_path, text, kind, command):
    path = write(tmp_path, text)
    assert message(path) == (f"{path}: looks like a {kind} file, not a training config; run it "
                             f"with mlkit {command} {path}; see configs/logreg.yaml for a "
                             "complete example")


def test_directory_lists_the_configs_inside(tmp_path):
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID, "b.yml")
    text = message(tmp_path)
    assert "is a directory, not a config file; pick one of: a.yaml, b.yml" in text


def test_empty_file(tmp_path):
    text = message(write(tmp_path, "# only a comment\n"))
    assert "run.yaml: is empty; a config file needs at least the data, model and loss" in text


@pytest.mark.parametrize("body, kind", [("- data\n- model\n", "list"), ("just words\n", "str"),
                                        ("42\n", "int")])
def test_top_level_must_be_a_mapping(tmp_path, body, kind):
    text = message(write(tmp_path, body))
    assert f"must be a mapping with at least the data, model and loss sections at the top " \
           f"level, not a {kind}" in text


def test_syntax_error_names_line_and_column(tmp_path):
    text = message(write(tmp_path, VALID + "training: {epochs: 3\n"))
    assert "run.yaml: line 5, column 1: not valid YAML" in text


def test_python_tags_are_rejected_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    body = VALID + f"name: !!python/object/apply:pathlib.Path.touch [{str(marker)!r}]\n"
    text = message(write(tmp_path, body))
    assert "YAML tags such as !!python/... are not allowed" in text
    assert not marker.exists()


def test_binary_file(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_bytes(b"\xff\xfe\x00data")
    assert "is not UTF-8 text" in message(path)


def test_problems_from_the_file_and_overrides_come_together(tmp_path):
    path = write(tmp_path, VALID + "training: {epochs: 0}\n")
    text = message(path, ["optimizer.lr=-1"])
    assert "2 problems" in text
    assert "training.epochs: must be >= 1 (got 0)" in text
    assert "optimizer.lr: must be > 0 (got -1) [from override 'optimizer.lr=-1']" in text


def test_keys_written_twice_are_reported(tmp_path):
    body = VALID + "training:\n  epochs: 3\n  epochs: 4\nmodel: {name: mlp, hidden: [2]}\n"
    text = message(write(tmp_path, body))
    assert "2 problems" in text
    assert "run.yaml: training.epochs: written twice (again on line 6)" in text
    assert "run.yaml: model: written twice (again on line 7)" in text


def test_alias_that_contains_itself_is_reported(tmp_path):
    body = "data: &d {dataset: iris, params: {x: *d}}\n" + VALID.split("\n", 1)[1]
    text = message(write(tmp_path, body))
    assert "run.yaml: data.params.x: contains itself through a YAML alias" in text
