"""Run directories and the execution of a built training plan.

A run lives in ``<root>/<name>/<timestamp>/`` and holds ``config.yaml`` (resolved),
``preprocessing.json``, ``metrics.csv`` (a row per epoch), ``lr_steps.csv`` (with a schedule
stepped every batch, the rates of every step), ``model.npz`` (best weights),
``last.npz`` (the full state, for ``--resume``), ``baseline.npz`` (the scikit-learn baseline's
test predictions), ``training_profile.json`` (what training saw of each input column),
``summary.json`` and ``curves.png``. Every file is written atomically (a
temporary file, then a rename).
"""

from __future__ import annotations

import json
import math
import platform
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from mlkit.data.training_profile import TrainingProfile
from mlkit.train.callbacks import Callback, EarlyStopping, ModelCheckpoint, ProgressBar
from mlkit.train.checkpoint import CheckpointError, atomic_write_text, load_arrays, save_arrays
from mlkit.train.history import History
from mlkit.train.loop import fit
from mlkit.train.plan import Plan, Preprocessing
from mlkit.train.run_files import (
    check_baseline,
    check_training_state,
    check_weights,
)
from mlkit.tree import tree_fold

__all__ = ["MetricsLog", "RunDir", "RunError", "RunResult", "package_versions", "run_plan"]


class RunError(ValueError):
    """A run directory that is missing or lacks a file a command needs."""


class RunDir:
    """One run's folder and the files in it."""

    CONFIG, METRICS, MODEL, LAST = "config.yaml", "metrics.csv", "model.npz", "last.npz"
    SUMMARY, PREPROCESSING, CURVES = "summary.json", "preprocessing.json", "curves.png"
    BASELINE, PROFILE, STEPS = "baseline.npz", "training_profile.json", "lr_steps.csv"

    def __init__(self, path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    @classmethod
    def create(cls, root, name: str, now: datetime | None = None) -> RunDir:
        """Make a new, empty ``<root>/<name>/<timestamp>/`` (a suffix keeps names unique)."""
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        parent = Path(root) / name
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            blocker = next(p for p in (parent, *parent.parents) if p.exists() and not p.is_dir())
            raise RunError(f"cannot create run directories under {str(root)!r}: {str(blocker)!r} "
                           "is a file, not a folder; set output.dir (or --output) to a "
                           "folder") from None
        for attempt in range(1000):
            path = parent / (stamp if attempt == 0 else f"{stamp}-{attempt}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return cls(path)
        raise RunError(f"could not create a new run directory under {parent}")

    @classmethod
    def open(cls, path, needs=("config.yaml",)) -> RunDir:
        """An existing run; RunError naming what is missing and how to get it."""
        path = Path(path)
        if not path.is_dir():
            hint = ("pass a run directory such as runs/logreg/20250101-120000"
                    if not path.exists() else "pass the run's directory, not a file in it")
            raise RunError(f"run directory {str(path)!r} "
                           f"{'does not exist' if not path.exists() else 'is not a directory'}"
                           f"; {hint}")
        missing = [name for name in needs if not (path / name).is_file()]
        if missing:
            raise RunError(f"{str(path)!r} is not a complete mlkit run: it lacks "
                           f"{', '.join(missing)}; train one with `mlkit train CONFIG`")
        return cls(path)

    # -- files ---------------------------------------------------------------------------------
    def write_text(self, name: str, text: str) -> None:
        """Write a text file of the run atomically."""
        atomic_write_text(self.path / name, text)

    def write_json(self, name: str, value) -> None:
        """Write ``value`` as indented JSON (non-finite floats as null)."""
        self.write_text(name, json.dumps(_finite(value), indent=2) + "\n")

    def read_json(self, name: str):
        """Read a JSON file of the run; RunError when missing or malformed."""
        path = self.path / name
        if not path.is_file():
            raise RunError(f"{str(path)!r} does not exist; the run is incomplete")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise RunError(f"{str(path)!r} is not valid JSON ({error})") from None

    def write_metrics(self, history: History) -> None:
        """``metrics.csv``: one row per epoch, every column of the history."""
        frame = pd.DataFrame(history.rows, columns=history.columns)
        self.write_text(self.METRICS, frame.to_csv(index=False, float_format="%.17g"))

    def write_steps(self, history: History) -> None:
        """``lr_steps.csv``: the rates of every optimizer step, when the history has them."""
        if history.steps:
            frame = pd.DataFrame(history.steps)
            self.write_text(self.STEPS, frame.to_csv(index=False, float_format="%.17g"))

    def read_metrics(self) -> pd.DataFrame:
        """``metrics.csv`` as a data frame."""
        return pd.read_csv(self.path / self.METRICS)

    def write_preprocessing(self, preprocessing: Preprocessing) -> None:
        """``preprocessing.json``: scaling, classes and CSV schema for predict/evaluate."""
        self.write_json(self.PREPROCESSING, preprocessing.to_dict())

    def read_preprocessing(self) -> Preprocessing:
        """The saved :class:`Preprocessing`, checked against what mlkit writes."""
        state = self.read_json(self.PREPROCESSING)
        try:
            return Preprocessing.from_dict(state)
        except (TypeError, ValueError) as error:
            raise RunError(f"{str(self.path / self.PREPROCESSING)!r} is damaged: {error}; "
                           "restore it from a copy or train again") from None

    def write_profile(self, profile: TrainingProfile) -> None:
        """``training_profile.json``: what training saw of each input column, for drift."""
        self.write_json(self.PROFILE, profile.to_dict())

    def read_profile(self) -> TrainingProfile | None:
        """The saved :class:`TrainingProfile`, or None for a run trained before mlkit kept
        one; RunError when the file is damaged."""
        if not (self.path / self.PROFILE).is_file():
            return None
        state = self.read_json(self.PROFILE)
        try:
            return TrainingProfile.from_dict(state)
        except ValueError as error:
            raise RunError(f"{str(self.path / self.PROFILE)!r} is damaged: {error}; restore it "
                           f"from a copy, or delete it to predict without a drift check") from None

    def read_weights(self, name: str = "model.npz") -> dict[str, np.ndarray]:
        """The weights in ``name`` (best by default); CheckpointError unless all are finite."""
        arrays = load_arrays(self.path / name)
        check_weights(arrays, self.path / name)
        return arrays

    def write_baseline(self, description: str, predictions: dict) -> None:
        """``baseline.npz``: the baseline's description and its predictions on the test split
        (``proba`` or ``values``), so a later evaluation can compare on the same rows."""
        save_arrays(self.path / self.BASELINE, {"description": np.array(description),
                                                **predictions})

    def read_baseline(self, head: str, n_rows: int, n_classes: int | None):
        """``(description, predictions)`` from ``baseline.npz``, checked against a ``head`` of
        ``n_classes`` scored on ``n_rows`` test rows; CheckpointError naming what is wrong."""
        arrays = load_arrays(self.path / self.BASELINE)
        check_baseline(arrays, self.path / self.BASELINE, head, n_rows, n_classes)
        return str(arrays["description"][()]), {key: value for key, value in arrays.items()
                                                 if key != "description"}

    def read_training_state(self) -> dict[str, np.ndarray]:
        """``last.npz``, checked: counters, history, generator states and finite weights."""
        arrays = load_arrays(self.path / self.LAST)
        check_training_state(arrays, self.path / self.LAST)
        return arrays


def _finite(value):
    """``value`` with nan/inf floats replaced by None, so the JSON is standard."""
    return tree_fold(value, _finite_leaf, lambda node, items: (
        dict(zip(map(str, node), items)) if isinstance(node, dict) else items))


def _finite_leaf(value):
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


class MetricsLog(Callback):
    """Rewrite ``metrics.csv`` after every epoch, so it is current even after a crash, and
    write ``lr_steps.csv`` at the end (``last.npz`` keeps its steps for a resume)."""

    name = "metrics"
    order = 95

    def __init__(self, run: RunDir):
        self.run = run

    def on_epoch_end(self, state, row):
        self.run.write_metrics(state.history)

    def on_train_end(self, state, reason):
        self.run.write_metrics(state.history)
        self.run.write_steps(state.history)


@dataclass
class RunResult:
    """What a run produced: its history, test metrics and timing."""

    history: History
    test: dict
    fit_seconds: float
    best_epoch: int
    run: RunDir | None = None
    extra: dict = field(default_factory=dict)

    @property
    def epochs(self) -> int:
        """Epochs completed."""
        return len(self.history)


def run_plan(plan: Plan, run: RunDir | None = None, *, progress: bool | None = False,
             resume: bool = False, callbacks=()) -> RunResult:
    """Train ``plan``'s model, pick its best weights and score them on the test split.

    Parameters
    ----------
    plan : Plan
        Built by :func:`mlkit.config.build.build_plan` (or by hand).
    run : RunDir, optional
        Where checkpoints, ``metrics.csv`` and ``preprocessing.json`` go; None keeps the
        run in memory (sweeps, tests).
    progress : bool or None
        Draw a progress bar (None: only on a terminal).
    resume : bool
        Continue from ``run/last.npz``.
    callbacks : sequence of Callback
        Extra callbacks.

    Returns
    -------
    RunResult
    """
    hooks = list(callbacks)
    early = EarlyStopping(**plan.early_stopping) if plan.early_stopping else None
    if early is not None:
        hooks.append(early)
    checkpoint = None
    if run is not None:
        checkpoint = ModelCheckpoint(run.path, plan.monitor, plan.mode)
        hooks += [checkpoint, MetricsLog(run)]
        if not resume:
            run.write_preprocessing(plan.preprocessing)
            if plan.profile is not None:
                run.write_profile(plan.profile)
    hooks.append(ProgressBar(metric=plan.monitor, enabled=progress, description=plan.name))
    state = run.read_training_state() if resume else None
    splits = plan.splits
    try:
        history = fit(plan.model, plan.loss_fn, plan.optimizer, splits.X_train, splits.y_train,
                      sample_weight=splits.w_train, validation=splits.validation,
                      schedule=plan.schedule, evaluate=plan.evaluate, callbacks=hooks,
                      resume=state, **plan.fit_options)
    except CheckpointError as error:
        if state is None:
            raise
        raise CheckpointError(f"resuming from {run / RunDir.LAST}: {error}") from None
    best_epoch = len(history)
    if checkpoint is not None and checkpoint.best_epoch:
        plan.model.load_state_dict(load_arrays(checkpoint.best_path))
        best_epoch = checkpoint.best_epoch
    elif early is not None and early.weights is not None:
        best_epoch = early.best_epoch
    plan.model.eval()
    test = plan.head.metrics(plan.model(splits.X_test), splits.y_test, plan.metrics)
    seconds = float(np.nansum(history.column("seconds"))) if len(history) else 0.0
    return RunResult(history, test, seconds, best_epoch, run)


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages a run depends on."""
    versions = {"python": platform.python_version()}
    for package in ("mlkit", "numpy", "scipy", "pandas", "scikit-learn", "pydantic", "PyYAML",
                    "matplotlib", "tqdm"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions

