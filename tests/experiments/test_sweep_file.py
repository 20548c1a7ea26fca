"""Sweep files: expansion into trials, override texts, and errors found before any trial runs."""

import textwrap

import pytest
import yaml

from mlkit.config import ConfigError, load_config
from mlkit.experiments import load_sweep
from mlkit.experiments.sweep_file import override_text

BASE = """\
data: {dataset: iris, split: {val: 0.2, test: 0.2, seed: 0}}
model: {name: softmax_regression}
loss: {name: cross_entropy}
optimizer: {name: sgd, lr: 0.1, momentum: 0.9, nesterov: true}
training: {epochs: 3, batch_size: 32}
baseline: {name: "off"}
output: {save_plots: false}
"""


def write(tmp_path, sweep, base=BASE):
    (tmp_path / "base.yaml").write_text(base)
    path = tmp_path / "sweep.yaml"
    path.write_text(textwrap.dedent(sweep))
    return path


def test_trials_are_the_product_of_trials_grid_and_seeds_in_order(tmp_path):
    sweep = load_sweep(write(tmp_path, """\
        base: base.yaml
        overrides: {training.epochs: 2}
        grid: {optimizer.lr: [0.1, 0.01]}
        trials:
          - {optimizer.momentum: 0.5}
          - {optimizer.nesterov: false, optimizer.momentum: 0.0}
        seeds: [3, 7]
        """))
    assert sweep.name == "sweep" and sweep.base == tmp_path / "base.yaml"
    assert [t.id for t in sweep.trials] == [f"t{i:03d}" for i in range(8)]
    assert sweep.trials[0].overrides == ["training.epochs=2", "optimizer.momentum=0.5",
                                         "optimizer.lr=0.1", "training.seed=3"]
    assert sweep.trials[7].varied == {"optimizer.momentum": 0.0, "optimizer.nesterov": False,
                                      "optimizer.lr": 0.01, "training.seed": 7}
    assert sweep.trials[7].group == ("optimizer.nesterov=false optimizer.momentum=0.0 "
                                     "optimizer.lr=0.01")
    assert [c.training.seed for c in sweep.configs] == [3, 7] * 4
    assert sweep.configs[1].optimizer.lr == 0.1 and sweep.configs[3].optimizer.lr == 0.01


def test_each_trials_overrides_reproduce_its_config_through_load_config(tmp_path):
    sweep = load_sweep(write(tmp_path, """\
        base: base.yaml
        grid:
          optimizer.name: [sgd, adam, adagrad]
          model.name: [softmax_regression]
        repeats: 2
        """))
    assert len(sweep.trials) == 6
    for trial, config in zip(sweep.trials, sweep.configs):
        assert load_config(tmp_path / "base.yaml", trial.overrides) == config
    assert [c.training.seed for c in sweep.configs[:2]] == [0, 1]


def test_switching_component_drops_only_the_options_the_new_one_lacks(tmp_path):
    sweep = load_sweep(write(tmp_path, """\
        base: base.yaml
        grid: {optimizer.name: [sgd, adam, rmsprop]}
        """))
    sgd, adam, rmsprop = (t.overrides for t in sweep.trials)
    assert sgd == ["optimizer.name=sgd"]
    assert adam == ["optimizer.name=adam"] and rmsprop == ["optimizer.name=rmsprop"]
    assert "momentum" not in sweep.configs[1].optimizer.model_fields_set
    assert sweep.configs[2].optimizer.momentum == 0.9  # rmsprop has momentum: kept
    trial = load_sweep(write(tmp_path, """\
        base: base.yaml
        trials: [{optimizer.momentum: 0.5, optimizer.name: rmsprop}]
        """)).trials[0]
    assert trial.overrides == ["optimizer.name=rmsprop", "optimizer.momentum=0.5"]


@pytest.mark.parametrize("value", [0.1, 1e-05, "adam", "1e-3", True, None, [64, 32],
                                   {"a": 1}, "a: b", "yes", 3])
def test_override_text_reads_back_as_the_same_value(value):
    key, _, text = override_text("x.y", value).partition("=")
    assert key == "x.y" and yaml.safe_load(text) == value


def test_command_line_overrides_apply_to_every_trial_after_the_files(tmp_path):
    path = write(tmp_path, """\
        base: base.yaml
        overrides: {training.epochs: 2}
        grid: {optimizer.lr: [0.1, 0.2]}
        """)
    sweep = load_sweep(path, ["training.epochs=4"])
    assert [c.training.epochs for c in sweep.configs] == [4, 4]
    assert sweep.trials[0].overrides[:2] == ["training.epochs=2", "training.epochs=4"]
    with pytest.raises(ConfigError, match="override 'optimizer.lr=0.3': sets a key the sweep "
                                          "varies; drop it from the command line"):
        load_sweep(path, ["optimizer.lr=0.3"])


@pytest.mark.parametrize("sweep, expected", [
    ("grid: {optimizer.lr: [0.1]}\n", "base: required key is missing"),
    ("base: nowhere.yaml\ngrid: {optimizer.lr: [0.1]}\n",
     ("base: no such training config (got 'nowhere.yaml'); paths are relative to the sweep "
     "file's folder")),
    ("base: base.yaml\ngrid: {optimizer.lr: []}\n", "grid.optimizer.lr: must have at least 1"),
    ("base: base.yaml\ngrid: {optimizer.lr: 0.1}\n", "grid.optimizer.lr: must be a list"),
    ("base: base.yaml\nseeds: [0, 1]\nrepeats: 2\n", "repeats: cannot be combined with seeds"),
    ("base: base.yaml\nseeds: [1, 1]\n", "seeds: lists a seed twice"),
    ("base: base.yaml\ngrid: {optimizer.lr: [0.1, 0.1]}\n", "grid.optimizer.lr: lists a value"),
    ("base: base.yaml\ngrid: {training.seed: [1, 2]}\nrepeats: 2\n",
     "grid.training.seed: conflicts with seeds/repeats"),
    ("base: base.yaml\ngrid: {optimizer.lr: [0.1]}\ntrials: [{optimizer.lr: 0.2}]\n",
     "trials[0].optimizer.lr: is also a grid key"),
    ("base: base.yaml\ntrials: [{}]\n", "trials[0]: is empty"),
    ("base: base.yaml\ngird: {optimizer.lr: [0.1]}\n", "unknown key 'gird' — did you mean 'grid'"),
    ("- base.yaml\n", "must be a mapping with base and grid or trials"),
    ("data: {dataset: iris}\nmodel: {name: mlp}\n", "looks like a training config"),
    ("base: base.yaml\noverrides: {optimizer..lr: 1}\n", "key must be dotted names"),
])
def test_bad_sweep_files_are_reported_with_path_and_fix(tmp_path, sweep, expected):
    with pytest.raises(ConfigError) as error:
        load_sweep(write(tmp_path, sweep))
    assert expected in str(error.value)
    assert str(tmp_path / "sweep.yaml") in str(error.value)


def test_every_expanded_trial_is_validated_and_problems_name_the_trials(tmp_path):
    path = write(tmp_path, """\
        base: base.yaml
        grid:
          optimizer.name: [sgd, adam]
          optimizer.lr: [0.1, -1.0]
          optimizer.momentum: [0.5]
        """)
    with pytest.raises(ConfigError) as error:
        load_sweep(path)
    lines = str(error.value).splitlines()
    assert lines[0].endswith("2 problems in the config:")
    lr, = (line for line in lines if "optimizer.lr: must be > 0" in line)
    assert "[in 2 of 4 trials, e.g. trial t001 (optimizer.name=sgd optimizer.lr=-1.0" in lr
    momentum, = (line for line in lines if "'momentum' is not an option of" in line)
    assert ": optimizer.momentum: 'momentum' is not an option of optimizer 'adam'" in momentum
    assert "[in 2 of 4 trials, e.g. trial t002 (optimizer.name=adam" in momentum


def test_missing_sweep_file_points_to_the_example(tmp_path):
    with pytest.raises(ConfigError, match="sweep file not found.*configs/sweeps/optimizers"):
        load_sweep(tmp_path / "none.yaml")


def test_shipped_sweep_file_expands_to_twelve_valid_trials():
    sweep = load_sweep("configs/sweeps/optimizers.yaml")
    assert len(sweep.trials) == 12
    assert {c.optimizer.name for c in sweep.configs} == {"sgd", "adam", "rmsprop"}
    assert all(c.training.epochs == 15 for c in sweep.configs)
