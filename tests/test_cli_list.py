"""`mlkit --version`, `mlkit list [KIND]` (read from the validator's own tables) and the
one-prefix error lines of the command."""

import re
from inspect import signature
from pathlib import Path

import pytest
import tomllib

from mlkit import registry
from mlkit.config.components import SECTIONS
from mlkit.data import DATASET_TASKS, dataset_defaults, load_csv
from mlkit.registry.signatures import parameter_help

REPO = Path(__file__).resolve().parents[1]


def test_version_is_the_packages(cli):
    expected = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"mlkit {expected}"


@pytest.mark.parametrize("kind, section, table", [
    ("models", "model", registry.MODELS), ("losses", "loss", registry.LOSSES),
    ("optimizers", "optimizer", registry.OPTIMIZERS),
    ("schedules", "schedule", registry.SCHEDULES)])
def test_list_shows_every_component_with_each_option_and_default(kind, section, table, cli):
    code, out, _ = cli("list", kind)
    assert code == 0 and out.startswith(f"{kind} ({section}.name):")
    blocks = re.split(r"\n  (?=\S)", out)[1:]
    assert [block.split(":")[0] for block in blocks] == list(table)
    for block, (name, component) in zip(blocks, table.items()):
        shown = dict(re.findall(r"\n    (\w+): .*?, (required|default [^—\n]*?)(?: —|\n|$)",
                                block + "\n"))
        options = {o.name: o for o in component.options()}
        assert set(options) <= set(shown), name
        assert set(shown) == set(SECTIONS[section][name].model_fields) - {"name"}
        for option in options.values():
            if option.default is registry.REQUIRED:
                assert shown[option.name] == "required"
            elif isinstance(option.default, float):
                assert float(shown[option.name].removeprefix("default ")) == \
                    pytest.approx(option.default, rel=1e-5)


def test_list_shows_the_defaults_of_known_options(cli):
    _, out, _ = cli("list", "optimizers")
    assert "    lr: float (> 0), default 0.001 — Learning rate" in out
    assert "    betas: list of float (>= 0, < 1) (exactly 2 long), default [0.9, 0.999]" in out
    assert ("    groups: list of {params, lr, momentum, dampening, nesterov, weight_decay, "
            "maximize} | null, default null — Param groups, as PyTorch's") in out  # the keys
    _, out, _ = cli("list", "models")
    assert "    hidden: list of int (>= 1) (at least 1 long), required" in out


def test_list_metrics_and_datasets(cli):
    _, out, _ = cli("list", "metrics")
    for name, metric in registry.METRICS.items():
        better = "lower" if metric.mode == "min" else "higher"
        assert re.search(rf"^  {name}: {better} is better", out, re.M)
    _, out, _ = cli("list", "datasets")
    for name, task in DATASET_TASKS.items():
        assert re.search(rf"^  {name}: {task}", out, re.M)
    assert "n_samples=100" in out and dataset_defaults("make_moons")["n_samples"] == 100
    assert "\n  csv: " in out and "    target: str (at least 1 long), required" in out


def test_the_csv_options_listed_are_the_loaders_with_its_docstring(cli):
    _, out, _ = cli("list", "datasets")
    listed = dict(re.findall(r"^    (\w+): (.*)$", out.partition("\n  csv: ")[2], re.M))
    helps = parameter_help(load_csv)
    assert list(listed) == ["path", *(name for name in signature(load_csv).parameters
                                      if name not in ("path", "dtype"))]
    for name, text in listed.items():
        if name != "path":
            assert text.endswith(f" — {helps[name]}"), name
    assert listed["ids"].startswith("list of str, default [] — Columns identifying rows")
    assert listed["impute"].startswith("mean | median | most_frequent | drop | null, default "
                                       "null — Missing inputs: None makes them an error")


def test_list_of_everything_and_a_bad_kind(cli):
    code, out, _ = cli("list")
    assert code == 0 and all(f"\n{kind} (" in "\n" + out
                             for kind in ("models", "losses", "optimizers", "schedules"))
    code, _, err = cli("list", "widgets")
    assert code == 2 and "invalid choice: 'widgets'" in err


def test_train_help_points_to_list(cli):
    code, out, _ = cli("train", "--help")
    assert code == 0 and "`mlkit list`" in out


@pytest.mark.parametrize("args, expected", [
    (("train", "--resume", "x", "--output", "y"),
     "mlkit train: error: --output: cannot be used with --resume"),
    (("train",), "mlkit train: error: needs a CONFIG file"),
    (("sweep", "s.yaml", "--workers", "0"), "mlkit sweep: error: --workers: must be at least 1"),
])
def test_errors_carry_the_command_prefix_once(args, expected, cli):
    code, _, err = cli(*args)
    assert code == 2 and err.startswith(expected) and err.count(": error: ") == 1
    assert "mlkit train: error: mlkit" not in err and "mlkit sweep: error: mlkit" not in err


def test_punctuation_choices_are_quoted(cli):
    code, out, _ = cli("list", "datasets")
    assert code == 0
    assert ("    sep: ',' | ';' | '\\t' | '|' | comma | semicolon | tab | pipe | null, default "
            "null — ") in out
    assert "    decimal: '.' | ',', default . — " in out
    assert "    numbers: plain | formatted, default plain" in out
