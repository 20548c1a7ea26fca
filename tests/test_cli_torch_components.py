"""`mlkit train` with the optimizers and schedules PyTorch users reach for: nadam, radam,
adamax and adadelta train from a config with their options; linear, constant, polynomial and
cyclic set each epoch's rate in metrics.csv; lambda and multiplicative, which take a Python
function, are refused with the reason."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SOFTMAX = REPO / "configs" / "softmax.yaml"  # SGD, lr 0.05, Nesterov momentum 0.9
EPOCHS = 12

@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)

def _run(cli, tmp_path, *overrides):
    code, out, err = cli("train", SOFTMAX, "output.save_plots=false", "baseline=false",
                         f"training.epochs={EPOCHS}", *overrides, "--quiet",
                         "--output", tmp_path / "runs")
    assert code == 0, err
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    metrics = pd.read_csv(run / "metrics.csv")
    assert len(metrics) == EPOCHS and metrics["train_loss"].notna().all()
    return run, metrics


def _rates(cli, tmp_path, *overrides):
    return _run(cli, tmp_path, *overrides)[1]["lr"].tolist()


@pytest.mark.parametrize("name, options", [
    ("nadam", {"lr": 0.01, "momentum_decay": 0.01, "decoupled_weight_decay": True,
               "weight_decay": 0.01}),
    ("radam", {"lr": 0.01, "betas": [0.8, 0.99], "decoupled_weight_decay": True}),
    ("adamax", {"lr": 0.01, "betas": [0.85, 0.99], "weight_decay": 0.001}),
    ("adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1.0e-5}),
])
def test_an_optimizer_trains_from_a_config_with_its_options(cli, tmp_path, name, options):
    overrides = [f"optimizer.name={name}", "schedule.name=none"]
    overrides += [f"optimizer.{key}={value}" for key, value in options.items()]
    run, metrics = _run(cli, tmp_path, *overrides)
    saved = yaml.safe_load((run / "config.yaml").read_text())["optimizer"]
    assert saved == {"name": name, **saved, **options}
    assert "momentum" not in saved and "nesterov" not in saved  # softmax.yaml's SGD options
    assert (metrics["lr"] == options["lr"]).all()
    losses = metrics["train_loss"].tolist()
    assert losses[-1] < 0.5 * losses[0]

@pytest.mark.parametrize("overrides, rate", [
    (("schedule.name=linear", "schedule.start_factor=0.5", "schedule.end_factor=0.1",
      "schedule.total_iters=8"), lambda e: 0.05 * (0.5 - 0.4 * min(e, 8) / 8)),
    (("schedule.name=constant", "schedule.factor=0.2", "schedule.total_iters=4"),
     lambda e: 0.05 * (0.2 if e < 4 else 1.0)),
    (("schedule.name=polynomial", "schedule.total_iters=10", "schedule.power=2.0"),
     lambda e: 0.05 * (1 - min(e, 10) / 10) ** 2),
    (("schedule.name=cyclic", "schedule.base_lr=0.01", "schedule.max_lr=0.1",
      "schedule.step_size_up=3", "schedule.mode=triangular2"),
     lambda e: 0.01 + 0.09 * (1 - abs(e % 6 - 3) / 3) / 2 ** (e // 6)),
], ids=["linear", "constant", "polynomial", "cyclic"])
def test_a_schedule_from_the_command_line_sets_each_epochs_rate(cli, tmp_path, overrides, rate):
    rates = _rates(cli, tmp_path, *overrides)
    assert rates == pytest.approx([rate(e) for e in range(EPOCHS)], rel=1e-13, abs=1e-300)

def test_cyclic_needs_max_lr_and_a_momentum_to_cycle(cli, tmp_path):
    code, _, err = cli("train", SOFTMAX, "schedule.name=cyclic", "--output", tmp_path)
    assert code != 0 and "schedule.max_lr: required key is missing" in err
    code, _, err = cli("train", SOFTMAX, "schedule.name=cyclic", "schedule.max_lr=0.1",
                       "optimizer.name=adagrad", "--output", tmp_path)
    assert code != 0 and "schedule.cycle_momentum" in err and "adagrad" in err
    assert not (tmp_path / "softmax").exists()

@pytest.mark.parametrize("name, cls", [("lambda", "LambdaLR"),
                                       ("multiplicative", "MultiplicativeLR")])
def test_a_schedule_of_a_python_function_is_refused_with_the_reason(cli, tmp_path, name, cls):
    code, _, err = cli("train", SOFTMAX, f"schedule.name={name}", "--output", tmp_path)
    assert code != 0
    assert f"schedule.name: is {cls}, which takes a Python function" in err
    assert f"build optim.{cls} in Python" in err and "not an allowed value" not in err
    assert not (tmp_path / "softmax").exists()
