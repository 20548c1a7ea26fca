"""`mlkit evaluate`'s bootstrap intervals and its paired comparison with the baseline, on the
shipped logreg run (trained once per session by the ``shipped`` fixture)."""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from mlkit.config.runs import evaluate_run
from mlkit.metrics import bootstrap
from mlkit.train.checkpoint import load_arrays, save_arrays

REPO = Path(__file__).resolve().parents[1]
NUMBER = r"[-+]?\d+\.\d+"
ROW = re.compile(rf"^(\w+)\s+({NUMBER})\s+\[({NUMBER}), ({NUMBER})\]"
                 rf"(?:\s+({NUMBER})\s+\[({NUMBER}), ({NUMBER})\]"
                 rf"\s+({NUMBER})\s+\[({NUMBER}), ({NUMBER})\])?")


def _rows(out: str) -> dict[str, list[float]]:
    """metric -> the numbers of its row: value, low, high (and the baseline's and the
    difference's when shown)."""
    found = {}
    for line in out.splitlines():
        match = ROW.match(line)
        if match:
            found[match.group(1)] = [float(v) for v in match.groups()[1:] if v is not None]
    return found


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


def test_intervals_and_the_paired_difference_match_the_library(cli, shipped_run):
    run = shipped_run("logreg")
    summary = json.loads((run / "summary.json").read_text())
    code, out, err = cli("evaluate", run)
    assert code == 0, err
    rows = _rows(out)
    assert set(rows) == {"accuracy", "log_loss", "precision", "recall", "f1"}
    for name, (value, low, high, base, base_low, base_high, diff, diff_low,
               diff_high) in rows.items():
        # the kept baseline predictions reproduce the baseline's metrics of the training run
        assert base == round(summary["baseline"][name], 4)
        assert value == round(summary["test"][name], 4)
        assert low <= value <= high and base_low <= base <= base_high
        assert diff == pytest.approx(value - base, abs=2e-4) and diff_low <= diff_high
    found = evaluate_run(run)
    boot = bootstrap(list(found.scores), found.y, **found.inputs, baseline=found.baseline)
    for name, numbers in rows.items():
        expected = [boot.model[name].low, boot.model[name].high,
                    boot.difference[name].low, boot.difference[name].high]
        assert [numbers[1], numbers[2], numbers[7], numbers[8]] == [
            round(v, 4) for v in expected]
    assert "1000 resamples of the 113 rows (seed 0)" in out
    assert "LogisticRegression(C=2.933)" in out


def test_bootstrap_options(cli, shipped_run):
    run = shipped_run("logreg")
    _, first, _ = cli("evaluate", run)
    _, again, _ = cli("evaluate", run, "--seed", "1")
    assert _rows(again)["log_loss"][0] == _rows(first)["log_loss"][0]
    assert _rows(again)["log_loss"][1:3] != _rows(first)["log_loss"][1:3]
    _, narrow, _ = cli("evaluate", run, "--confidence", "0.5", "--bootstrap", "300")
    low, high = _rows(narrow)["log_loss"][1:3]
    assert high - low < _rows(first)["log_loss"][2] - _rows(first)["log_loss"][1]
    assert "50% percentile bootstrap intervals over 300 resamples" in narrow
    code, plain, _ = cli("evaluate", run, "--bootstrap", "0")
    assert code == 0 and "interval" not in plain.split("\n\n")[0]
    code, _, err = cli("evaluate", run, "--bootstrap", "-5", "--confidence", "95")
    assert code == 2 and "--bootstrap" in err and "--confidence" in err
    assert "Traceback" not in err
    code, _, err = cli("evaluate", run, "--bootstrap", "10000000000")  # 75 GB of draws
    assert code == 2 and "Traceback" not in err
    assert "--bootstrap: must be 0 (no intervals) or a number of resamples up to 100000" in err


def test_without_kept_predictions_the_reason_is_printed(cli, tmp_path, shipped_run):
    run = Path(shutil.copytree(shipped_run("logreg"), tmp_path / "run"))
    code, out, _ = cli("evaluate", run, "--data", REPO / "configs" / "logreg.yaml")
    assert code == 0 and "kept for the run's own test split only" in out
    (run / "baseline.npz").unlink()
    code, out, err = cli("evaluate", run)
    assert code == 0, err
    assert "no baseline comparison" in out and "baseline.npz does not exist" in out
    assert len(_rows(out)["accuracy"]) == 3


@pytest.mark.parametrize("damage, expected", [
    (lambda arrays: {**arrays, "proba": arrays["proba"][:-1]}, "belongs to another run"),
    (lambda arrays: {**arrays, "proba": arrays["proba"] * np.nan}, "finite numbers"),
    (lambda arrays: {"proba": arrays["proba"]}, "'description' must be text"),
])
def test_damaged_baseline_predictions_give_one_clear_error(damage, expected, cli, tmp_path,
                                                           shipped_run):
    run = Path(shutil.copytree(shipped_run("logreg"), tmp_path / "run"))
    save_arrays(run / "baseline.npz", damage(load_arrays(run / "baseline.npz")))
    code, _, err = cli("evaluate", run)
    assert code == 2 and expected in err and "baseline.npz" in err
    assert "Traceback" not in err
