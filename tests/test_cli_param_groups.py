"""mlkit train and sweep with optimizer.groups: jit and eager alike, a resumed run bit for bit
the uninterrupted one, each group's rate in the run's optimizer state, and a sweep over one
group's option."""

import textwrap
from pathlib import Path

import numpy
import pandas as pd
import pytest

from mlkit.experiments import load_sweep

CONFIG = """\
data: {dataset: digits, split: {val: 0.2, test: 0.2}}
model: {name: mlp, hidden: [16], dropout: 0.1}
loss: {name: cross_entropy}
optimizer:
  name: sgd
  lr: 0.1
  momentum: 0.9
  weight_decay: 1.0e-3
  groups:
    - {params: layers.0, lr: 0.01}
    - {params: "*.bias", weight_decay: 0}
schedule: {name: cosine, t_max: 4, eta_min: 0.005}
training: {epochs: 4, batch_size: 64}
baseline: {name: "off"}
output: {save_plots: false}
"""


def _train(cli, tmp_path, *args):
    tmp_path.mkdir()
    config = tmp_path / "groups.yaml"
    config.write_text(CONFIG)
    code, out, err = cli("train", config, *args, "--quiet", "--output", tmp_path / "runs")
    assert code == 0, err
    return Path(out.strip().splitlines()[-1].removeprefix("run directory: "))


def _finish(cli, run, *args):
    code, _, err = cli("train", "--resume", run, *args, "--quiet")
    assert code == 0, err
    return run


def _results(run):
    metrics = pd.read_csv(run / "metrics.csv").drop(columns="seconds")
    with numpy.load(run / "last.npz") as last:
        arrays = {name: last[name] for name in last.files if name.startswith(("model.",
                                                                              "optimizer."))}
    return metrics, arrays


def test_groups_train_alike_in_jit_and_eager_and_resume_bit_for_bit(cli, tmp_path):
    straight = _results(_train(cli, tmp_path / "a"))
    eager = _results(_train(cli, tmp_path / "b", "training.jit=false"))
    resumed = _results(_finish(cli, _train(cli, tmp_path / "c", "training.epochs=2"),
                               "training.epochs=4"))
    for other in (eager, resumed):
        pd.testing.assert_frame_equal(other[0], straight[0], check_exact=True)
        assert other[1].keys() == straight[1].keys()
        for name, value in straight[1].items():
            numpy.testing.assert_array_equal(other[1][name], value, err_msg=name)
    metrics, arrays = straight
    # each group from its own rate to the one eta_min, as PyTorch's cosine; lr is the rest's
    cosine = [(1 + numpy.cos(numpy.pi * e / 4)) / 2 for e in range(4)]
    numpy.testing.assert_allclose(metrics["lr"], [0.005 + 0.095 * c for c in cosine],
                                  rtol=1e-15)
    rates = [float(arrays[f"optimizer.groups.{i}.lr"]) for i in range(3)]
    numpy.testing.assert_allclose(rates, [0.005] * 3, rtol=1e-15)  # every group at eta_min
    assert "optimizer.groups.0.state.layers.0.bias.momentum_buffer" in arrays
    assert "optimizer.groups.1.state.layers.3.bias.momentum_buffer" in arrays
    assert "optimizer.groups.2.state.layers.3.weight.momentum_buffer" in arrays


def test_a_sweep_varies_one_groups_option(tmp_path):
    (tmp_path / "base.yaml").write_text(CONFIG)
    (tmp_path / "sweep.yaml").write_text(textwrap.dedent("""\
        base: base.yaml
        grid: {optimizer.groups.0.lr: [0.001, 0.05]}
        """))
    sweep = load_sweep(tmp_path / "sweep.yaml")
    assert [t.overrides for t in sweep.trials] == [["optimizer.groups.0.lr=0.001"],
                                                   ["optimizer.groups.0.lr=0.05"]]
    assert [c.optimizer.groups[0].lr for c in sweep.configs] == [0.001, 0.05]
    assert all(c.optimizer.groups[1].weight_decay == 0 for c in sweep.configs)


@pytest.mark.parametrize("override, message", [
    ("optimizer.groups.1.params=bias", "optimizer.groups.1.params: matches none of the "
     "parameters (got 'bias'); the model's parameters: layers.0.weight, layers.0.bias, "
     "layers.3.weight, layers.3.bias"),
    ("optimizer.groups.0.lrr=0.1", "optimizer.groups.0.lrr: unknown key 'lrr' — did you mean "
     "'lr'?"),
])
def test_train_refuses_bad_groups_before_a_run_directory_exists(cli, tmp_path, override,
                                                                message):
    config = tmp_path / "groups.yaml"
    config.write_text(CONFIG)
    code, _, err = cli("train", config, override, "--output", tmp_path / "runs")
    assert code != 0 and message in err, err
    assert not (tmp_path / "runs").exists()


def test_a_diverged_run_is_told_to_lower_every_rate_its_groups_own_too(cli, tmp_path):
    softmax = Path(__file__).parents[1] / "configs" / "softmax.yaml"
    code, _, err = cli("train", softmax, "optimizer.lr=1e6", "optimizer.groups=[{params: weight, "
                       "lr: 1e7}, {params: bias, weight_decay: 0}]", "--quiet", "--output",
                       tmp_path)
    assert code == 1 and "diverged" in err, err
    assert ("try e.g. optimizer.lr=100000 optimizer.groups.0.lr=1e+06 or "
            "training.clip_grad_norm=1.0\n") in err


def test_a_sweep_refuses_a_trials_pattern_that_takes_nothing_before_any_trial_runs(cli,
                                                                                  tmp_path):
    (tmp_path / "base.yaml").write_text(CONFIG)
    (tmp_path / "sweep.yaml").write_text(textwrap.dedent(f"""\
        base: base.yaml
        grid: {{optimizer.groups.0.params: [layers.0, layer.3]}}
        output: {{dir: {tmp_path / "runs"}}}
        """))
    code, _, err = cli("sweep", tmp_path / "sweep.yaml", "--workers", "1")
    assert code == 2 and ("optimizer.groups.0.params: matches none of the parameters (got "
                          "'layer.3'); the model's parameters: layers.0.weight, layers.0.bias, "
                          "layers.3.weight, layers.3.bias — did you mean 'layers.3'? [in trial "
                          "t001 (optimizer.groups.0.params=layer.3)]") in err, err
    assert not (tmp_path / "runs").exists()
