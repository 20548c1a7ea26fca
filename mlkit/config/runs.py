"""Trained runs seen through their saved config: predictors, evaluation, resume checks.

A run directory stores its resolved ``config.yaml``; rebuilding the model from it (through
the registry) and loading ``model.npz`` gives back exactly the trained model, and rebuilding
the data from it gives back exactly the same split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlkit import registry
from mlkit.data.drift import drift_report
from mlkit.data.reading import read_columns
from mlkit.train import CheckpointError, Head, Predictor, RunDir, RunError
from mlkit.train.gradcheck import check_gradients
from mlkit.tree import flatten_named

from .build import build_model, build_plan, input_rows, load_data, split_data, split_rows
from .errors import ConfigError, Problem
from .load import config_to_dict, load_config, validate_config
from .schema import Config
from .splitting import split_column

__all__ = ["Evaluation", "evaluate_run", "gradcheck_config", "load_predictor", "resume_status",
           "stall_reason", "validation_probabilities"]


def load_predictor(run_dir) -> tuple[Predictor, Config]:
    """The run's best model with its preprocessing (and training profile, when the run has
    one), and the run's config."""
    run = RunDir.open(run_dir, needs=(RunDir.CONFIG, RunDir.MODEL, RunDir.PREPROCESSING))
    config = load_config(run / RunDir.CONFIG, saved=True)
    prep = run.read_preprocessing()
    if prep.head == "multiclass" and registry.LOSSES[config.loss.name].head == "scores":
        prep.head = "scores"  # a hinge run saved before hinge scores had a head of their own
    head = prep.make_head()
    n_outputs = head.n_outputs(len(prep.classes) if prep.classes else None)
    model = build_model(config, len(prep.feature_names), n_outputs, rng=0)
    weights = run.read_weights(RunDir.MODEL)
    try:
        model.load_state_dict(weights)
    except (KeyError, ValueError) as error:
        raise CheckpointError(f"{run / RunDir.MODEL} does not fit the model of "
                              f"{run / RunDir.CONFIG} (restore the two as training saved "
                              f"them, or train again): {error}") from None
    return Predictor(model, prep, run.read_profile()), config


@dataclass
class Evaluation:
    """A run's best model scored on some rows: where they came from, the metrics (the run's
    ``metrics:``, or the defaults), and the true targets (in their own units) and raw outputs
    behind them. ``baseline`` is the scikit-learn baseline's predictions on the same rows as
    the metrics read them (``baseline_name`` says which estimator), or None, and then
    ``baseline_missing`` says why. ``X`` are the rows as ``outputs_of`` reads them (for
    permutation importance), ``groups`` each input column's columns of ``X``, and
    ``row_names`` says which row of its source each row is (a file line and ids, or the data
    set's row number). ``drift`` compares rows from elsewhere than the run's own split with
    the training rows (see :func:`mlkit.data.drift_report`); None for the run's own split or
    a run without a training profile. ``row_groups`` is each row's ``data.split.group`` value
    when the rows are a run's own test split grouped so (bootstrap intervals then draw whole
    groups)."""

    head: Head
    where: str
    scores: dict
    y: np.ndarray
    outputs: np.ndarray
    classes: list | None
    X: np.ndarray
    outputs_of: Callable
    groups: dict
    row_names: list
    baseline: dict | None = None
    baseline_name: str = ""
    baseline_missing: str = ""
    drift: pd.DataFrame | None = None
    row_groups: np.ndarray | None = None

    @property
    def inputs(self) -> dict:
        """The model's predictions as the metrics read them (labels and proba, or values)."""
        return self.head.inputs(self.outputs)

    def predictions_of(self, X) -> dict:
        """The metrics' inputs for other rows in the layout of ``X`` (shuffled ones, say)."""
        return self.head.inputs(self.outputs_of(X))


def evaluate_run(run_dir, data=None) -> Evaluation:
    """Test metrics of a run's best model.

    ``data`` None: the run's own test split; a ``.yaml``/``.yml`` path: that config's test
    split; any other path: every row of a CSV file holding the target column.
    """
    predictor, config = load_predictor(run_dir)
    head, names = predictor.head, tuple(config.metrics or ())
    classes = predictor.preprocessing.classes
    groups = predictor.preprocessing.feature_groups()
    if data is None:
        dataset = load_data(config)
        splits, _ = split_data(config, dataset, head.kind)
        predictor.model.eval()

        def outputs_of(X):
            return np.asarray(predictor.model(X))

        outputs = outputs_of(splits.X_test)
        scores = head.metrics(outputs, splits.y_test, names)
        y = head.target(splits.y_test)
        found = Evaluation(head, f"test split of {config.name} ({len(splits.X_test)} rows)",
                           scores, y, outputs, classes, splits.X_test, outputs_of, groups,
                           _split_row_names(config, dataset))
        if config.data.split.group is not None:
            found.row_groups = split_column(config, dataset, "group")[
                split_rows(config, dataset)[2]]
        _add_baseline(found, RunDir(run_dir), config)
        return found
    path = Path(data)
    if path.suffix in (".yaml", ".yml"):
        # a run's own config.yaml (next to its preprocessing.json) may be an earlier version's
        other = load_config(path, saved=(path.parent / RunDir.PREPROCESSING).is_file())
        dataset = load_data(other)
        _check_same_data(predictor.preprocessing, dataset, path)
        unscaled = _changed(other, "data", standardize=False, standardize_target=False)
        raw_splits, _ = split_data(unscaled, dataset, head.kind)  # the split's raw values
        y = raw_splits.y_test.astype(np.float64) if not head.is_classifier else raw_splits.y_test
        X, where = raw_splits.X_test, f"test split of {path} ({len(raw_splits.X_test)} rows)"
        row_names = _split_row_names(other, dataset)
        drift = None if predictor.profile is None else drift_report(
            predictor.profile, input_rows(other, dataset, split_rows(other, dataset)[2]))
    else:
        table = predictor.read(path)
        note = table.dropped_note()
        X, y = table.X, table.y
        where = f"{path} ({len(X)} rows{'; ' + note if note else ''})"
        row_names = _row_names(table.rows, table.carried)
        drift = None if predictor.profile is None else predictor.drift(path)
    scores = predictor.evaluate(X, y, names)
    return Evaluation(head, where, scores, y, predictor.outputs(X), classes, X,
                      predictor.outputs, groups, row_names,
                      baseline_missing="the baseline's predictions are kept for the run's own "
                                       "test split only (evaluate without --data to compare)",
                      drift=drift)


def _split_row_names(config: Config, dataset) -> list[str]:
    """Names of a config's test rows: file lines and ids of a CSV, else data set rows."""
    test = split_rows(config, dataset)[2]
    if dataset.lines is None:
        return [f"row {i}" for i in test]
    carried = read_columns(config.data.csv.path, list(config.data.csv.ids),
                           dataset.lines[test], dataset.schema.dialect)
    return _row_names(dataset.lines[test], carried)


def _row_names(lines, carried) -> list[str]:
    """``"line 12"``, or ``"line 12 (id=a7)"`` with the rows' id columns."""
    names = [f"line {line}" for line in lines]
    if carried is None or carried.shape[1] == 0:
        return names
    ids = carried.astype(str).apply(lambda row: ", ".join(f"{k}={v}" for k, v in row.items()),
                                    axis=1)
    return [f"{name} ({text})" for name, text in zip(names, ids)]


def validation_probabilities(run_dir) -> tuple[np.ndarray, np.ndarray]:
    """The true classes and P(class 1) of a binary run's validation split (RunError when the
    run is no binary classifier or has no validation rows)."""
    predictor, config = load_predictor(run_dir)
    if predictor.head.kind != "binary":
        raise RunError(f"{run_dir} is a {predictor.head.kind} model; a decision threshold "
                       "applies to binary classifiers only.")
    splits, _ = split_data(config, load_data(config), predictor.head.kind)
    if splits.validation is None:
        raise RunError(f"{run_dir} has no validation split (data.split.val is 0), so no "
                       "threshold can be chosen without looking at the test rows; give a "
                       "number, e.g. --threshold 0.4")
    predictor.model.eval()
    proba = predictor.head.proba(np.asarray(predictor.model(splits.X_val)))
    return np.asarray(splits.y_val), proba[:, 1]


def _add_baseline(found: Evaluation, run: RunDir, config: Config) -> None:
    """The baseline's kept predictions on the run's test split, or why there are none."""
    if config.baseline.name == "off":
        found.baseline_missing = "the run's config has baseline: off"
    elif not (run / RunDir.BASELINE).is_file():
        found.baseline_missing = (f"{run / RunDir.BASELINE} does not exist (a run from an older "
                                  "mlkit keeps only the baseline's metrics, in summary.json); "
                                  "train again to compare on the same rows")
    else:
        classes = None if found.classes is None else len(found.classes)
        found.baseline_name, predictions = run.read_baseline(found.head.kind, len(found.y),
                                                             classes)
        found.baseline = (found.head.proba_inputs(predictions["proba"])
                          if found.head.is_classifier else predictions)


def _check_same_data(prep, dataset, path) -> None:
    """RunError unless ``dataset`` has the run's features (and classes) in the same order."""
    names = [str(name) for name in dataset.feature_names]
    if names != list(prep.feature_names):
        extra = [name for name in names if name not in prep.feature_names][:5]
        lacking = [name for name in prep.feature_names if name not in names][:5]
        detail = (f"it lacks {lacking}" if lacking else "") + \
            ("; " if lacking and extra else "") + (f"it adds {extra}" if extra else "")
        raise RunError(f"the data of {str(path)!r} has {len(names)} features, but the run was "
                       f"trained on {len(prep.feature_names)} ({detail or 'in another order'}); "
                       "evaluate on a config of the same data set")
    classes = None if dataset.target_names is None else [str(c) for c in dataset.target_names]
    if prep.classes is not None and classes is not None and \
            classes != [str(c) for c in prep.classes]:
        raise RunError(f"the data of {str(path)!r} has classes {classes}, but the run was "
                       f"trained on {list(prep.classes)}; evaluate on a config of the same "
                       "data set")


def _changed(config: Config, section: str, **values) -> Config:
    """``config`` with ``values`` set in its ``section``, validated again."""
    raw = config_to_dict(config)
    raw[section].update(values)
    return validate_config(raw, source=config.source)


def gradcheck_config(config: Config):
    """Per-parameter finite-difference check of the config's model and loss in float64."""
    plan = build_plan(_changed(config, "training", dtype="float64"))
    splits = plan.splits
    rows = slice(0, min(64, len(splits.X_train)))
    weight = None if splits.w_train is None else splits.w_train[rows]
    return check_gradients(plan.model, plan.loss_fn, splits.X_train[rows], splits.y_train[rows],
                           weight)


def resume_status(run: RunDir, config: Config) -> str | None:
    """Why resuming ``run`` with ``config`` would train nothing, or None when it continues."""
    state = run.read_training_state()
    if "loop.epoch" not in state:
        raise CheckpointError(f"{run / RunDir.LAST} is not a training checkpoint")
    done = int(state["loop.epoch"])
    reason = str(state.get("loop.stop_reason", np.array(""))[()])
    if reason == "early_stopping":
        early = config.training.early_stopping
        wait = int(state.get("callbacks.early_stopping.wait", 0))
        if early is None or wait >= early.patience:
            return (f"nothing to resume: {run.path} stopped early at epoch {done} "
                    f"(no improvement for {wait} evaluations); raise "
                    "training.early_stopping.patience to continue it")
    if reason == "converged":
        return (f"nothing to resume: {run.path} converged at epoch {done} (the optimizer's "
                "tolerances were met, so further epochs would repeat it)")
    if reason == "stalled":
        return (f"nothing to resume: {run.path} stalled at epoch {done} (further epochs would "
                f"repeat it; train anew with the fix): {stall_reason(run)}")
    if done >= config.training.epochs:
        return (f"nothing to resume: {run.path} has completed {done} of "
                f"{config.training.epochs} epochs; raise training.epochs (e.g. "
                f"training.epochs={done * 2}) to continue it")
    return None


def stall_reason(run: RunDir) -> str:
    """Why a stalled run's optimizer could not move, as its summary.json keeps it."""
    try:
        kept = run.read_json(RunDir.SUMMARY)["epochs"]["optimizer_reason"]
    except (RunError, KeyError, TypeError):
        kept = None
    return kept if isinstance(kept, str) else f"see {run / RunDir.SUMMARY}"


def check_resumable(config: Config, saved: Config, source: str, allowed) -> None:
    """Raise ConfigError for any setting other than ``allowed`` that differs from ``saved``."""
    before = flatten_named(config_to_dict(saved), dicts_only=True)
    after = flatten_named(config_to_dict(config), dicts_only=True)
    changed = [key for key in sorted(set(before) | set(after))
               if before.get(key) != after.get(key) and key not in allowed]
    if changed:
        raise ConfigError(source, [
            Problem(key, f"cannot change when resuming (the run used {before.get(key)!r})",
                    after.get(key), f"only {', '.join(allowed)} may change; start a new run to "
                    "change anything else") for key in changed])

