"""One sweep trial: an ordinary training run in its own run directory, and what it reports.

:func:`run_trial` is what a worker process (local or on a Dask cluster) executes. It calls
the same function as ``mlkit train CONFIG`` (:func:`mlkit.experiments.run.train_run`), so a
trial's metrics equal those of the same config trained by hand. It never raises for a failing
run: the error comes back in the outcome, so one bad trial cannot stop the others.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlkit.config import Config
from mlkit.config.schema import MONITOR_MODES

__all__ = ["TrialOutcome", "TrialSpec", "run_trial", "stall_lines", "status_word"]

_SKIP = ("epoch", "lr", "seconds", "grad_norm")


@dataclass
class TrialSpec:
    """What a worker needs to run one trial: the validated config and where to write."""

    index: int
    id: str
    config: Config
    run_dir: str
    overrides: list[str] = field(default_factory=list)


@dataclass
class TrialOutcome:
    """What a trial reports back: status, metrics, curves and timing (plain values only)."""

    index: int
    id: str
    status: str
    """``ok`` or ``failed``."""
    error: str = ""
    seconds: float = 0.0
    """Wall time of the whole trial (data, training, baseline)."""
    epochs: int = 0
    best_epoch: int = 0
    stop_reason: str = ""
    optimizer_reason: str = ""
    """Why the optimizer stopped short of its tolerances when ``stop_reason`` is ``stalled``
    (the training loop's own words, as summary.json keeps them); empty otherwise."""
    final: dict = field(default_factory=dict)
    """The last epoch's row (train_loss, val_loss, val_accuracy, ...)."""
    best: dict = field(default_factory=dict)
    """The best value of each metric over the epochs (min for losses, max for scores)."""
    test: dict = field(default_factory=dict)
    """Test metrics of the run's best weights."""
    baseline: dict = field(default_factory=dict)
    """Test metrics of the scikit-learn baseline on the same split (empty when off)."""
    test_rows: int = 0
    """Rows of the test split."""
    curves: dict = field(default_factory=dict)
    """Per-epoch ``train_loss`` and ``val_*`` lists (NaN where not measured)."""
    run_dir: str = ""
    worker: str = ""

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict) -> TrialOutcome:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


def _finite_or_nan(value) -> float:
    value = float(value)
    return value if math.isfinite(value) else math.nan


def _from_history(outcome: TrialOutcome, history) -> None:
    """Fill the epoch count, final and best metrics, and the loss curves from ``history``."""
    outcome.epochs = len(history)
    if not len(history):
        return
    outcome.stop_reason = history.stop_reason
    columns = [c for c in history.columns if c not in _SKIP and not c.startswith("lr.")]
    outcome.final = {c: _finite_or_nan(history.last.get(c, math.nan)) for c in columns}
    for column in columns:
        mode = MONITOR_MODES.get(column)
        if mode and not np.all(np.isnan(history.column(column))):
            outcome.best[column] = float(history.best(column, mode)[column])
    outcome.curves = {c: [float(v) for v in history.column(c)] for c in columns
                      if c == "train_loss" or c.startswith("val_")}


def _partial_history(run):
    """The epochs a failed run completed, read back from its metrics.csv."""
    from mlkit.train import History, RunDir

    if not (run / RunDir.METRICS).is_file():
        return History()
    try:
        frame = run.read_metrics()
    except ValueError:  # written before the first epoch ended: no columns yet
        return History()
    return History.from_arrays(dict(frame.items()), stop_reason="failed")


def run_trial(spec: TrialSpec) -> TrialOutcome:
    """Train ``spec.config`` into ``spec.run_dir`` with ``mlkit train``'s own function."""
    from mlkit.experiments.run import train_run
    from mlkit.train import RunDir

    started = time.perf_counter()
    outcome = TrialOutcome(spec.index, spec.id, "failed", run_dir=spec.run_dir,
                           worker=f"{socket.gethostname()}:{os.getpid()}")
    path = Path(spec.run_dir)
    if path.exists():  # an earlier, unfinished attempt: start the run afresh
        shutil.rmtree(path)
    path.mkdir(parents=True)
    run = RunDir(path)
    try:
        plan, result, baseline = train_run(spec.config, run, progress=False)
    except Exception as error:  # noqa: BLE001 -- reported in the table; the sweep goes on
        outcome.error = _describe(error)
        _from_history(outcome, _partial_history(run))
        outcome.seconds = time.perf_counter() - started
        return outcome
    _from_history(outcome, result.history)
    outcome.status = "ok"
    if outcome.stop_reason == "stalled":
        outcome.optimizer_reason = plan.optimizer.reason
    outcome.best_epoch = int(result.best_epoch)
    outcome.test = {key: _finite_or_nan(value) for key, value in result.test.items()}
    if baseline is not None:
        outcome.baseline = {key: _finite_or_nan(value) for key, value in baseline.test.items()}
    outcome.test_rows = len(plan.splits.X_test)
    outcome.seconds = time.perf_counter() - started
    return outcome


def status_word(status: str, stop_reason: str) -> str:
    """A trial's status as printed: ``stalled`` for one that finished short of its
    optimizer's tolerances, so its numbers are not read as converged ones."""
    return "stalled" if status == "ok" and stop_reason == "stalled" else status


def stall_lines(outcomes, kind: str, table: Path) -> list[str]:
    """What a sweep or cv prints on its stalled ``kind`` (trials, folds): a heading naming
    ``table``, then one line each with the epoch it stopped at and its optimizer's reason."""
    stalled = [o for o in outcomes if status_word(o.status, o.stop_reason) == "stalled"]
    if not stalled:
        return []
    return [f"\n{len(stalled)} {kind}(s) stalled: the optimizer stopped short of its "
            f"tolerances, so their numbers are not converged ones (stop_reason and "
            f"optimizer_reason columns of {table}):",
            *(f"  {o.id} stalled at epoch {o.epochs}: {o.optimizer_reason}" for o in stalled)]


def _describe(error: BaseException) -> str:
    """``TypeName: message`` for errors a user can act on; the last frame for bugs."""
    text = f"{type(error).__name__}: {error}".strip()
    if isinstance(error, (ValueError, KeyError, FloatingPointError, OSError)):
        return text
    frame = traceback.extract_tb(error.__traceback__)[-1:]
    where = f" (at {frame[0].filename}:{frame[0].lineno})" if frame else ""
    return text + where


def failed_outcome(spec: TrialSpec, error: BaseException, seconds: float = 0.0) -> TrialOutcome:
    """The outcome of a trial whose worker could not run it (died, lost, unpicklable)."""
    return TrialOutcome(spec.index, spec.id, "failed", error=_describe(error), seconds=seconds,
                        run_dir=spec.run_dir)
