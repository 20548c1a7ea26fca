"""A run with optimizer.groups records each group's rate: metrics.csv has ``lr`` (the rest's
rate, as without groups) and ``lr.<i>`` per group, kept by a resume, shown by the progress bar,
left out of a sweep's results as ``lr`` is."""

import io
import textwrap
from pathlib import Path

import numpy
import pandas as pd

from mlkit import nn, optim
from mlkit.train import ProgressBar, fit

SOFTMAX = Path(__file__).parents[1] / "configs" / "softmax.yaml"
STEP = ("schedule.step_size=1", "schedule.gamma=0.5", "baseline.name=off",
        "output.save_plots=false")


def _train(cli, out, *args):
    code, text, err = cli("train", SOFTMAX, *STEP, *args, "--quiet", "--output", out)
    assert code == 0, err
    return Path(text.strip().splitlines()[-1].removeprefix("run directory: "))


def test_each_groups_rate_is_a_column_of_metrics_csv_and_a_resume_keeps_them(cli, tmp_path):
    groups = "optimizer.groups=[{params: weight, lr: 0.02}]"  # the rest (bias) keeps 0.05
    run = _train(cli, tmp_path / "a", "training.epochs=3", groups)
    text = (run / "metrics.csv").read_text()
    assert text.splitlines()[0] == ("epoch,train_loss,val_loss,val_accuracy,val_log_loss,lr,"
                                    "lr.0,grad_norm,seconds")
    metrics = pd.read_csv(run / "metrics.csv")
    numpy.testing.assert_allclose(metrics["lr"], [0.05, 0.025, 0.0125], rtol=1e-15)
    numpy.testing.assert_allclose(metrics["lr.0"], [0.02, 0.01, 0.005], rtol=1e-15)

    half = _train(cli, tmp_path / "b", "training.epochs=2", groups)
    code, _, err = cli("train", "--resume", half, "training.epochs=3", "--quiet")
    assert code == 0, err
    resumed = pd.read_csv(half / "metrics.csv")
    pd.testing.assert_frame_equal(resumed.drop(columns="seconds"),
                                  metrics.drop(columns="seconds"), check_exact=True)


def test_groups_taking_every_parameter_still_have_lr_the_rate_nothing_uses(cli, tmp_path):
    run = _train(cli, tmp_path, "training.epochs=2", "optimizer.groups=[{params: weight, lr: "
                 "0.02}, {params: bias, lr: 0.01}]")
    metrics = pd.read_csv(run / "metrics.csv")
    assert list(metrics.columns[5:8]) == ["lr", "lr.0", "lr.1"]
    numpy.testing.assert_allclose(metrics[["lr", "lr.0", "lr.1"]].to_numpy(),
                                  [[0.05, 0.02, 0.01], [0.025, 0.01, 0.005]], rtol=1e-15)


def test_a_config_without_groups_has_the_one_lr_column(cli, tmp_path):
    run = _train(cli, tmp_path, "training.epochs=2")
    assert (run / "metrics.csv").read_text().splitlines()[0] == (
        "epoch,train_loss,val_loss,val_accuracy,val_log_loss,lr,grad_norm,seconds")


def _mse(model, X, y, w):
    return nn.mse_loss(model(X), y)


def test_fit_rows_and_the_progress_bar_carry_each_groups_rate():
    rng = numpy.random.default_rng(0)
    X, y = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    groups = optim.Groups([("layers.0", optim.SGD(lr=0.03)), ("layers.1.bias", optim.SGD(lr=0.2))],
                          rest=optim.SGD(lr=0.1))
    bar = io.StringIO()
    history = fit(model, _mse, groups, X, y, epochs=2, batch_size=8,
                  schedule=optim.StepLR(groups, step_size=1, gamma=0.1),
                  callbacks=[ProgressBar(enabled=True, file=bar)])
    assert [{k: round(v, 12) for k, v in row.items() if k.startswith("lr")}
            for row in history.rows] == [{"lr": 0.1, "lr.0": 0.03, "lr.1": 0.2},
                                         {"lr": 0.01, "lr.0": 0.003, "lr.1": 0.02}]
    assert "lr=0.01, lr.0=0.003, lr.1=0.02" in bar.getvalue()


def test_a_sweeps_results_leave_the_group_rates_out_as_lr(cli, tmp_path):
    (tmp_path / "sweep.yaml").write_text(textwrap.dedent(f"""\
        base: {SOFTMAX}
        overrides: {{schedule.step_size: 1, baseline.name: "off", output.save_plots: false,
                    training.epochs: 2, optimizer.groups: [{{params: weight, lr: 0.02}}]}}
        grid: {{optimizer.groups.0.lr: [0.02, 0.01]}}
        output: {{dir: {tmp_path / "runs"}}}
        """))
    code, _, err = cli("sweep", tmp_path / "sweep.yaml", "--workers", "1")
    assert code == 0, err
    results = pd.read_csv(next((tmp_path / "runs").rglob("results.csv")))
    assert "final_val_accuracy" in results
    assert not [c for c in results.columns if c.startswith(("final_lr", "best_lr"))]
