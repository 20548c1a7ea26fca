"""A sweep's results.csv carries the scikit-learn baseline's test metrics of every trial."""

import json
import textwrap

import pandas as pd
import pytest

from mlkit.experiments import load_sweep, run_sweep

BASE = """\
data: {dataset: iris, split: {val: 0.2, test: 0.3, seed: 0}}
model: {name: softmax_regression}
loss: {name: cross_entropy}
optimizer: {name: sgd, lr: 0.1}
training: {epochs: 2, batch_size: 32}
output: {save_plots: false}
"""
SWEEP = """\
base: base.yaml
trials:
  - {data.split.seed: 0}
  - {data.split.seed: 1, baseline.name: "off"}
output: {dir: OUT}
"""


def test_results_carry_each_trials_baseline_test_metrics(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(textwrap.dedent(SWEEP).replace(
        "OUT", str(tmp_path / "out")))
    result = run_sweep(load_sweep(tmp_path / "sweep.yaml"), workers=1, say=lambda line: None)
    results = pd.read_csv(result.path / "results.csv")
    assert (results["status"] == "ok").all()
    summary = json.loads((result.path / "trials" / "t000" / "summary.json").read_text())
    for name in ("accuracy", "log_loss"):
        assert results[f"baseline_test_{name}"][0] == pytest.approx(summary["baseline"][name])
        assert results[f"test_{name}"][0] == pytest.approx(summary["test"][name])
    assert results["baseline_test_log_loss"][0] != results["test_log_loss"][0]
    assert pd.isna(results["baseline_test_accuracy"][1])  # baseline off: nothing to report
