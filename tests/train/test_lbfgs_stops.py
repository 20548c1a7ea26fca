"""L-BFGS in the training loop: it stops once its tolerances are met (stop_reason
"converged", no repeated epochs) or once it cannot move short of them ("stalled", with its
reason), and each row's train_loss is the loss after the epoch's step."""

import json
import re
from pathlib import Path

import numpy
import pytest

from mlkit import nn, optim
from mlkit.cli import main
from mlkit.train import Callback, fit

REPO = Path(__file__).resolve().parents[2]


def _data(n=150, d=4, seed=0):
    rng = numpy.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(3, d))[y] * 2 + rng.normal(size=(n, d))
    return X, y


def _loss(model, X, y, w):
    return nn.cross_entropy(model(X), y, weight=w) + 1e-2 * (model.weight ** 2).sum()


class _LossAfterEpoch(Callback):
    """The objective at the weights each epoch ended with, computed independently."""

    def __init__(self, X, y):
        self.X, self.y, self.seen = X, y, []

    def on_epoch_end(self, state, row):
        self.seen.append(float(_loss(state.model, self.X, self.y, None)))


def _run(max_iter, epochs=60, tolerance_grad=1e-8, **options):
    X, y = _data()
    model = nn.Linear(4, 3, init="zeros", rng=0)  # float32
    after = _LossAfterEpoch(X, y)
    opt = optim.LBFGS(max_iter=max_iter, line_search_fn="strong_wolfe",
                      tolerance_grad=tolerance_grad, **options)
    history = fit(model, _loss, opt, X, y, epochs=epochs, batch_size="full", seed=0,
                  callbacks=[after])
    return history, after.seen, opt


def test_lbfgs_stops_when_converged_instead_of_repeating_epochs():
    history, _, _ = _run(max_iter=20)
    losses = history.column("train_loss")
    assert history.stop_reason == "converged" and 1 <= len(history) < 10
    assert all(b < a for a, b in zip(losses, losses[1:]))  # no identical epochs


@pytest.mark.parametrize("max_iter", [1, 3])
def test_train_loss_is_the_loss_after_each_epochs_step(max_iter):
    history, after, _ = _run(max_iter, epochs=12)
    numpy.testing.assert_allclose(history.column("train_loss"), after, rtol=1e-6)  # float32
    assert history.column("train_loss")[0] < numpy.log(3)  # not the loss at the zero start


def test_a_budget_that_runs_out_is_not_convergence():
    history, _, _ = _run(max_iter=1, epochs=3)
    assert history.stop_reason == "completed" and len(history) == 3


def test_a_float32_loss_flat_to_rounding_still_reaches_a_resolvable_gradient_tolerance():
    # the last steps' decrease is below the float32 loss's rounding (this stalled at epoch 2);
    # the line search goes by the slope there
    history, _, opt = _run(max_iter=20, tolerance_grad=1e-7, tolerance_change=1e-14)
    assert history.stop_reason == "converged" and 1 <= len(history) < 10
    assert opt.reason == "gradient below tolerance_grad"


@pytest.mark.parametrize("overrides, ending", [
    ((), "converged"),
    (("training.dtype=float32",), "converged"),
    (("training.dtype=float32", "optimizer.tolerance_grad=1e-6",
      "optimizer.tolerance_change=1e-14"), "converged"),
    (("training.dtype=float32", "optimizer.tolerance_grad=1e-9",
      "optimizer.tolerance_change=1e-14"), "stalled")])
def test_cli_run_with_lbfgs_reports_why_it_stopped_and_has_nothing_to_resume(
        capsys, tmp_path, overrides, ending):
    code = main(["train", str(REPO / "configs" / "logreg.yaml"), "optimizer.name=lbfgs",
                 "~optimizer.betas", "optimizer.lr=1", "optimizer.line_search_fn=strong_wolfe",
                 "training.batch_size=full", "training.epochs=40", "~training.early_stopping",
                 "baseline.name=off", "output.save_plots=false", "--quiet",
                 "--output", str(tmp_path), *overrides])
    out = capsys.readouterr().out
    assert code == 0
    run = Path(out.strip().splitlines()[-1].removeprefix("run directory: "))
    summary = json.loads((run / "summary.json").read_text())
    assert summary["epochs"]["stop_reason"] == ending
    stalled = summary["epochs"]["optimizer_reason"].startswith(
        "the line search found no decrease: the loss cannot resolve smaller steps in float32")
    assert stalled == (ending == "stalled")
    note = f"note: lbfgs stopped short of its tolerances at epoch {summary['epochs']['completed']}"
    assert (f"{note}: {summary['epochs']['optimizer_reason']}\n" in out) == stalled
    rows = (run / "metrics.csv").read_text().strip().splitlines()[1:]
    assert summary["epochs"]["completed"] == len(rows) < 40
    code = main(["train", "--resume", str(run), "training.epochs=80", "--quiet"])
    said = capsys.readouterr().out
    assert code == 0 and f"nothing to resume: {run} {ending} at epoch" in said
    fix = f"train anew with the fix): {summary['epochs']['optimizer_reason']}\n"
    assert (fix in said) == stalled  # the cause and its fix, not only where to look


def test_a_random_loss_stalls_lbfgs_and_the_reason_names_dropout_not_rounding():
    X, y = _data()
    reasons = {}
    for dropout in (0.0, 0.3):
        model = nn.MLP(4, [8], 3, dropout=dropout, rng=1, dtype=numpy.float64)
        opt = optim.LBFGS(max_iter=200, line_search_fn="strong_wolfe", tolerance_grad=1e-6)
        history = fit(model, lambda m, X, y, w: nn.cross_entropy(m(X), y, weight=w), opt, X, y,
                      epochs=20, batch_size="full", seed=0)
        reasons[dropout] = history.stop_reason, opt.reason
    assert reasons[0.0] == ("converged", "gradient below tolerance_grad")
    stop, reason = reasons[0.3]
    assert stop == "stalled"
    assert re.fullmatch(
        r"the line search found no decrease: the loss changes between evaluations at the same "
        r"parameters \(\S+, then \S+\), as with dropout; the largest gradient entry is \S+ > "
        r"tolerance_grad 1e-06; train without dropout, or with a first-order optimizer such as "
        r"adam", reason), reason
