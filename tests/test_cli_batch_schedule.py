"""`mlkit train` with schedule.interval: batch: a one-cycle stepped every batch, a resume that
keeps stepping per batch, and the key's refusals."""

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from mlkit.config import load_config
from mlkit.config.build import build_plan

REPO = Path(__file__).resolve().parents[1]
SOFTMAX = REPO / "configs" / "softmax.yaml"  # SGD, lr 0.05, Nesterov momentum, batches of 16


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


def _train(cli, tmp_path, *overrides):
    code, out, err = cli("train", SOFTMAX, "output.save_plots=false", "baseline=false",
                         *overrides, "--quiet", "--output", tmp_path / "runs")
    assert code == 0, err
    return Path(out.strip().splitlines()[-1].removeprefix("run directory: "))


def _batches() -> int:
    rows = len(build_plan(load_config(SOFTMAX)).splits.X_train)
    return math.ceil(rows / 16)


def test_a_one_cycle_steps_every_batch_from_the_command_line(cli, tmp_path):
    run = _train(cli, tmp_path, "schedule.name=onecycle", "schedule.interval=batch",
                 "training.epochs=6")
    saved = yaml.safe_load((run / "config.yaml").read_text())["schedule"]
    assert saved["interval"] == "batch" and saved["cycle_momentum"] is True
    total = 6 * _batches()
    peak = 0.3 * total - 1

    def one_cycle(e):  # from 0.05 / 25 up to 0.05 by step `peak`, then down to 1e4 below
        start, top, end = 0.002, 0.05, 0.002 / 1e4
        if e <= peak:
            return top + (start - top) * (1 + math.cos(math.pi * e / peak)) / 2
        return end + (top - end) * (1 + math.cos(math.pi * (e - peak) / (total - 1 - peak))) / 2

    rates = pd.read_csv(run / "metrics.csv")["lr"].tolist()  # each epoch's first rate
    expected = [one_cycle(epoch * _batches()) for epoch in range(6)]
    assert rates == pytest.approx(expected, rel=1e-12)
    assert rates[0] == pytest.approx(0.002) and max(rates) < 0.05  # peaks inside an epoch
    steps = pd.read_csv(run / "lr_steps.csv")  # every step's rate: the peak is seen
    assert list(steps.columns) == ["step", "epoch", "lr"] and len(steps) == total
    assert steps["lr"].tolist() == pytest.approx([one_cycle(e) for e in range(total)],
                                                 rel=1e-12)
    assert steps["lr"].max() == pytest.approx(0.05, rel=1e-3)
    assert steps["epoch"].tolist() == [1 + e // _batches() for e in range(total)]


def test_a_resumed_run_keeps_stepping_every_batch(cli, tmp_path):
    """The interval is saved with the run: resuming 2 epochs into 4 ends as the straight run
    (t_max counts batches, so it does not depend on training.epochs)."""
    schedule = ("schedule.name=cosine", "schedule.interval=batch", "schedule.t_max=40")
    straight = _train(cli, tmp_path, *schedule, "training.epochs=4")
    partial = _train(cli, tmp_path / "partial", *schedule, "training.epochs=2")
    code, _, err = cli("train", "--resume", partial, "schedule.interval=epoch")
    assert code == 2 and "schedule.interval: cannot change when resuming" in err
    code, _, err = cli("train", "--resume", partial, "training.epochs=4", "--quiet")
    assert code == 0, err
    expected = pd.read_csv(straight / "metrics.csv").drop(columns="seconds")
    resumed = pd.read_csv(partial / "metrics.csv").drop(columns="seconds")
    assert expected.equals(resumed)
    assert (partial / "lr_steps.csv").read_bytes() == (straight / "lr_steps.csv").read_bytes()
    assert resumed["lr"].iloc[3] == pytest.approx(0.05 * (1 + math.cos(
        math.pi * 3 * _batches() / 40)) / 2, rel=1e-12)


@pytest.mark.parametrize("overrides, message", [
    (["schedule.interval=weekly"], "schedule.interval: not an allowed value (got 'weekly'); "
                                   "allowed: 'epoch', 'batch'"),
    (["schedule.name=plateau", "schedule.interval=batch"],
     "schedule.interval: is not possible: plateau steps on an epoch's validation score, so it "
     "cannot step every batch (got 'batch'); use 'epoch', or another schedule"),
    (["optimizer.name=adagrad", "schedule.name=onecycle"],
     "schedule.cycle_momentum: needs an optimizer with momentum (SGD, RMSprop) or betas "
     "(the Adam family), but adagrad has neither (got true); set cycle_momentum to false, or "
     "use an optimizer with momentum"),
])
def test_a_bad_interval_is_refused_by_name(cli, tmp_path, overrides, message):
    code, _, err = cli("train", SOFTMAX, *overrides, "--output", tmp_path)
    assert code == 2 and message in err, err


def test_a_warmup_counts_epochs_when_the_schedule_steps_every_batch(cli, tmp_path):
    """warmup_epochs: 2 under interval batch warms up over two epochs' batches, as
    optim.LinearWarmup(opt, 2 * batches) stepped every batch does."""
    run = _train(cli, tmp_path, "schedule.name=linear_warmup", "schedule.interval=batch",
                 "schedule.warmup_epochs=2", "training.epochs=4")
    rates = pd.read_csv(run / "metrics.csv")["lr"].tolist()  # each epoch's first rate
    assert rates == pytest.approx([0.05 / 3, 0.05 * 2 / 3, 0.05, 0.05], rel=1e-12)
    epoch_run = _train(cli, tmp_path / "epoch", "training.epochs=2")
    assert not (epoch_run / "lr_steps.csv").exists()  # a rate per epoch: metrics.csv has it


def test_a_warmup_longer_than_its_schedule_is_refused_in_epochs_or_batches(cli, tmp_path):
    code, _, err = cli("train", SOFTMAX, "schedule.name=warmup_cosine", "schedule.interval=batch",
                       "schedule.warmup_epochs=1000", "training.epochs=2", "--output", tmp_path)
    assert code == 2
    assert ("schedule.warmup_epochs: must be shorter than the 2 epochs of the run (got 1000); "
            "lower it or raise training.epochs") in err, err
    code, _, err = cli("train", SOFTMAX, "schedule.name=warmup_cosine", "schedule.interval=batch",
                       "schedule.warmup_epochs=2", f"schedule.t_max={2 * _batches()}",
                       "--output", tmp_path)
    assert code == 2
    assert (f"schedule.warmup_epochs: is {2 * _batches()} batches ({_batches()} per epoch), not "
            f"shorter than schedule.t_max ({2 * _batches()} batches) (got 2); lower it or raise "
            "schedule.t_max") in err, err
