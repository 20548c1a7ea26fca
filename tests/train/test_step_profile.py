"""``fit(profile=True)`` and ``mlkit train --profile``: each part of the steps timed, the
program's numpy calls counted by kind, and training unchanged."""

from pathlib import Path

import numpy as np
import pytest

from mlkit import nn
from mlkit.cli import main
from mlkit.optim import Adam
from mlkit.train import fit

REPO = Path(__file__).resolve().parents[2]


def _run(profile, jit=True):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, 5)), rng.integers(0, 3, 100)
    model = nn.MLP(5, [8], 3, rng=0, dtype=np.float64)
    history = fit(model, lambda m, X, y, w: nn.cross_entropy(m(X), y), Adam(0.01), X, y,
                  epochs=3, batch_size=32, seed=1, jit=jit, profile=profile)
    return history, model.state_dict()


def _without_seconds(history):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history.rows]


@pytest.mark.parametrize("jit", [True, False])
def test_a_profiled_run_trains_as_an_unprofiled_one(jit):
    (plain, plain_state), (profiled, state) = _run(False, jit), _run(True, jit)
    assert plain.profile is None
    assert _without_seconds(profiled) == _without_seconds(plain)
    for name in state:
        np.testing.assert_array_equal(state[name], plain_state[name])


def test_the_parts_add_up_and_the_program_calls_are_counted_by_kind():
    profile = _run(True)[0].profile
    assert profile.steps == 3 * 4  # 100 rows in batches of 32: three full and one of 4
    assert profile.recordings == 2  # one program per batch shape
    rows = {part.split(" (")[0]: (seconds, calls) for part, seconds, calls in profile.rows()}
    # two affine layers forward; backward the two weight gradients and one input gradient
    assert rows["program: GEMM"][1] == 5
    assert all(seconds >= 0 for seconds, _ in rows.values())
    assert sum(seconds for seconds, _ in rows.values()) == pytest.approx(profile.loop)
    assert rows["tracing"][0] > 0 and rows["optimizer"][0] > 0
    assert rows["optimizer, first step"][0] > 0
    text = str(profile)
    assert "12 training steps" in text and "program: GEMM" in text and "data slicing" in text


def test_an_eager_run_is_profiled_as_one_part():
    profile = _run(True, jit=False)[0].profile
    parts = [part for part, _, _ in profile.rows()]
    assert "eager gradient (not jitted)" in parts
    assert not any(part.startswith("program: GEMM") for part in parts)
    assert profile.recordings == 0


def test_mlkit_train_profile_prints_the_table(tmp_path, capsys):
    code = main(["train", str(REPO / "configs" / "logreg.yaml"), "training.epochs=2",
                 "baseline.name=off", "output.save_plots=false", "--quiet", "--profile",
                 "--output", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "training steps went" in out and "program: GEMM" in out and "optimizer" in out
