"""`mlkit train` with schedule options listing one value per parameter group (optimizer.groups,
then the rest): each group's rate in metrics.csv follows its own values, a list of another
length is refused at its path before any data is read, and CyclicLR's scale_fn and scale_mode,
which serve a Python function, are refused with the reason."""

import re
from pathlib import Path

import numpy
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SOFTMAX = REPO / "configs" / "softmax.yaml"  # SGD, lr 0.05, Nesterov momentum 0.9
GROUPS = "optimizer.groups=[{params: weight, lr: 0.02}]"  # the rest (bias) keeps 0.05
EPOCHS = 8


def _train(cli, out, *args):
    code, text, err = cli("train", SOFTMAX, "baseline.name=off", "output.save_plots=false",
                          f"training.epochs={EPOCHS}", *args, "--quiet", "--output", out)
    return code, text, err


def test_each_groups_rate_follows_its_own_listed_bounds(cli, tmp_path):
    code, text, err = _train(cli, tmp_path, GROUPS, "schedule.name=cyclic",
                             "schedule.base_lr=[0.01, 0.002]", "schedule.max_lr=[0.1, 0.05]",
                             "schedule.step_size_up=2")
    assert code == 0, err
    run = Path(text.strip().splitlines()[-1].removeprefix("run directory: "))
    metrics = pd.read_csv(run / "metrics.csv")
    up = [0.0, 0.5, 1.0, 0.5] * 2  # the epochs' places up the triangle, 2 steps up, 2 down
    numpy.testing.assert_allclose(metrics["lr.0"], [0.01 + 0.09 * x for x in up], rtol=1e-15)
    numpy.testing.assert_allclose(metrics["lr"], [0.002 + 0.048 * x for x in up], rtol=1e-15)


@pytest.mark.parametrize("schedule", [
    ("schedule.name=onecycle", "schedule.max_lr=[0.1, 0.2, 0.3]"),
    ("schedule.name=cyclic", "schedule.max_lr=0.1", "schedule.base_lr=[0.01, 0.01, 0.01]"),
    ("schedule.name=plateau", "schedule.min_lr=[0.001, 0.001, 0.001]"),
    ("schedule.name=onecycle", "schedule.max_momentum=[0.9, 0.9, 0.9]"),
], ids=["onecycle", "cyclic", "plateau", "momentum"])
def test_a_list_of_another_length_than_the_groups_is_refused_at_its_path(cli, tmp_path,
                                                                         schedule):
    code, _, err = _train(cli, tmp_path, GROUPS, *schedule)
    option = schedule[-1].split("=")[0]
    assert code != 0
    assert (f"{option}: gives 3 values for the 2 parameter groups (optimizer.groups, then the "
            "rest)") in err and "give one value per group (2)" in err
    code, _, err = _train(cli, tmp_path, *schedule)
    assert code != 0 and f"{option}: gives 3 values for an optimizer of one parameter group" in err
    assert not (tmp_path / "softmax").exists()


@pytest.mark.parametrize("option", ["scale_fn=0.5", "scale_mode=iterations"])
def test_cyclics_python_only_options_are_refused_with_the_reason(cli, tmp_path, option):
    code, _, err = _train(cli, tmp_path, "schedule.name=cyclic", "schedule.max_lr=0.1",
                          f"schedule.{option}")
    key = option.split("=")[0]
    assert code != 0
    assert f"schedule.{key}: '{key}' of schedule 'cyclic' is Python only" in err
    assert "build optim.CyclicLR in Python and pass it to fit(schedule=...)" in err


def test_the_listing_shows_which_options_take_one_value_per_group(cli):
    code, out, _ = cli("list", "schedules")
    assert code == 0
    cyclic = re.search(r"\n  cyclic:.*?(?=\n  \S|\Z)", out, re.S).group()
    assert "\n    max_lr: float (> 0) | list of float (> 0), required" in cyclic
    assert "\n    base_lr: float (> 0) | list of float (> 0) | null, default null" in cyclic
    assert "scale_fn" not in out and "scale_mode" not in out
