"""Config -> a ready-to-run :class:`mlkit.train.Plan`: data, model, loss, optimizer, schedule.

The schema has already checked everything a config can say on its own; this module loads the
data and checks what depends on it (the class count, the target type, class-weight labels,
batch sizes), raising one :class:`ConfigError` that lists every such problem before any run
directory exists. Components come from :mod:`mlkit.registry`, never by import path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlkit import registry
from mlkit.data import (
    Dataset,
    Standardizer,
    class_weights,
    load_csv,
    load_dataset,
    rows_per_step,
    steps_per_epoch,
)
from mlkit.data.training_profile import TrainingProfile, profile_frame
from mlkit.metrics import default_metrics
from mlkit.optim.base import trainable
from mlkit.options import did_you_mean
from mlkit.train.plan import Plan, Preprocessing, Splits
from mlkit.tree import flatten_named

from .checks import binary_on_many_classes, metric_problems, metric_uses, warmup_problems
from .errors import ConfigError, Problem, choices
from .schema import MODEL_TASKS, Config
from .sections import LOOP_OPTIONS
from .splitting import split_note, split_rows

__all__ = ["build_model", "build_plan", "input_rows", "load_data", "split_data", "split_rows",
           "training_profile"]


def load_data(config: Config) -> Dataset:
    """The config's data set, in the training dtype (DataError for a bad file or parameter)."""
    data, dtype = config.data, config.training.dtype
    if data.dataset == "csv":
        return load_csv(dtype=dtype, **dict(data.csv))
    return load_dataset(data.dataset, dtype=dtype, **data.params)


def _data_problems(config: Config, dataset: Dataset) -> list[Problem]:
    """What the config asks of the data that this data set cannot give."""
    problems = []
    model, loss = config.model.name, config.loss.name
    head = registry.LOSSES[loss].head
    task = "regression" if head == "regression" else "classification"
    where = f"data '{dataset.name}'"
    if dataset.task != task:
        fitting = [name for name, t in MODEL_TASKS.items() if t in (dataset.task, None)]
        path = "model.name" if MODEL_TASKS[model] else "loss.name"
        problems.append(Problem(path, f"is a {task} choice, but {where} is a {dataset.task} "
                                "task", model if path == "model.name" else loss,
                                f"for {dataset.task} use model.name one of {choices(fitting)}"
                                + (" (and set data.csv.task if the target was misread)"
                                   if config.data.dataset == "csv" else "")))
        return problems
    if task == "classification" and dataset.n_classes > 2:
        classes = ", ".join(dataset.target_names[:6]) + (", ..." if dataset.n_classes > 6 else "")
        has = f"{where} has {dataset.n_classes} classes ({classes})"
        problems.extend(binary_on_many_classes(model, loss, has))
        problems.extend(metric_problems(config, dataset.n_classes, has))
    weights = getattr(config.loss, "class_weight", None)
    if isinstance(weights, dict):
        labels = dataset.target_names
        unknown = [key for key in weights if _class_index(key, labels) is None]
        if unknown:
            problems.append(Problem("loss.class_weight", f"names classes {where} does not have",
                                    unknown, f"use class labels ({choices(labels)}) or indices "
                                    f"0..{len(labels) - 1}"))
    return problems


def _class_index(key, labels: list[str]) -> int | None:
    if isinstance(key, str) and key in labels:
        return labels.index(key)
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(labels):
        return key
    return None


def _batch_problems(config: Config, n_train: int) -> list[Problem]:
    training = config.training
    size = rows_per_step(n_train, training.batch_size)
    if size is None:
        if getattr(config.model, "batch_norm", False) and n_train < 2:
            return [Problem("model.batch_norm", "needs batches of 2 or more rows", True)]
        return []
    problems = []
    last = n_train % size
    if last == 1 and training.last_batch == "keep" and getattr(config.model, "batch_norm", False):
        problems.append(Problem("training.last_batch", f"keeps a final batch of 1 row ({n_train} "
                                f"training rows, batch_size {size}), which batch norm cannot "
                                "normalize", "keep", "use last_batch: merge (or drop)"))
    if size == 1 and getattr(config.model, "batch_norm", False):
        problems.append(Problem("training.batch_size", "batch norm needs batches of 2 or more "
                                "rows", 1, "raise batch_size"))
    return problems


def split_data(config: Config, dataset: Dataset, head: str) -> tuple[Splits, Preprocessing]:
    """Split, scale (fitted on training rows only) and weight the data set."""
    classify = dataset.task == "classification"
    train, val, test = split_rows(config, dataset)
    X, y = dataset.X, dataset.y
    prep = Preprocessing(head, list(dataset.feature_names), dataset.target_names,
                         dtype=config.training.dtype)
    if dataset.schema is not None:
        prep.csv_schema = dataset.schema.to_dict()
        prep.target = dataset.schema.target
    if config.data.standardize:
        state = Standardizer().fit(X[train]).state()
        prep.x_mean, prep.x_scale = state["mean"].tolist(), state["scale"].tolist()
        X = prep.transform(X)
    if not classify and config.data.standardize_target:
        scale = float(np.std(y[train].astype(np.float64)))
        prep.y_mean = float(np.mean(y[train].astype(np.float64)))
        prep.y_scale = scale if scale > 0 else 1.0
        y = ((y.astype(np.float64) - prep.y_mean) / prep.y_scale).astype(y.dtype)
    y_train = y[train].astype(config.training.dtype) if head == "binary" else y[train]
    splits = Splits(X[train], y_train, X[val], y[val], X[test], y[test])
    splits.w_train = _row_weights(config, dataset, y[train])
    return splits, prep


def input_rows(config: Config, dataset: Dataset, rows: np.ndarray) -> pd.DataFrame:
    """The input columns of the data set's ``rows`` before missing values are filled: a CSV
    file's columns as its schema reads them, else the raw feature columns."""
    if dataset.schema is None:
        names = [str(name) for name in dataset.feature_names]
        return pd.DataFrame(dataset.X[rows], columns=names)
    return dataset.schema.input_frame(config.data.csv.path).loc[dataset.lines[rows]]


def training_profile(config: Config, dataset: Dataset) -> TrainingProfile:
    """What the training rows hold of each input column (see :func:`input_rows`)."""
    return profile_frame(input_rows(config, dataset, split_rows(config, dataset)[0]))


def _row_weights(config: Config, dataset: Dataset, y_train) -> np.ndarray | None:
    """Per-row training weights from loss.class_weight (None when unweighted)."""
    weights = getattr(config.loss, "class_weight", None)
    if weights is None:
        return None
    if weights != "balanced":
        weights = {_class_index(key, dataset.target_names): value for key, value in
                   weights.items()}
    per_class = class_weights(weights, y_train, dataset.n_classes)
    return per_class[y_train].astype(config.training.dtype)


def build_model(config: Config, n_features: int, n_outputs: int, rng=None):
    """The config's model for ``n_features`` inputs and ``n_outputs`` outputs."""
    options = config.model.model_dump(exclude={"name"})
    seed = rng if rng is not None else np.random.SeedSequence(config.training.seed).spawn(2)[0]
    try:
        return registry.make_model(config.model.name, n_features, n_outputs,
                                   rng=np.random.default_rng(seed), dtype=config.training.dtype,
                                   **options)
    except ValueError as error:
        raise ConfigError(config.source, [Problem("model", str(error))]) from None


def group_problems(config: Config, model=None) -> list[Problem]:
    """A problem at ``optimizer.groups.<i>.params`` for each group taking no parameter of
    ``model`` that no earlier group takes, listing the model's parameter paths. Without
    ``model``, the config's built for one input and one output (its paths do not depend on the
    data), so a sweep checks every trial's groups before running any."""
    groups = getattr(config.optimizer, "groups", None)
    if not groups:
        return []
    names = list(flatten_named(trainable(model or build_model(config, 1, 1))))
    parts = [name.split(".") for name in names]
    paths = {".".join(part[:n]) for part in parts for n in range(1, len(part) + 1)}  # prefixes
    selecting = registry.make_optimizer(config.optimizer.name,
                                        **config.optimizer.model_dump(exclude={"name"}))
    problems = []
    for i, why in selecting.unmatched(names):
        pattern = groups[i].params
        matches = any(map(selecting.selects[i], names))
        near = "" if matches or not isinstance(pattern, str) else did_you_mean(
            pattern, sorted(paths))
        problems.append(Problem(f"optimizer.groups.{i}.params", why, pattern,
                                f"the model's parameters: {', '.join(names)}{near}"))
    return problems


def build_plan(config: Config, source: str | None = None) -> Plan:
    """Load the data and build every component of ``config``.

    Raises
    ------
    ConfigError
        For settings the data contradicts (listing all of them).
    mlkit.data.DataError
        For unreadable data (a missing CSV, text in a numeric column, ...).
    """
    source = source or config.source
    dataset = load_data(config)
    problems = _data_problems(config, dataset)
    if problems:
        raise ConfigError(source, problems)
    try:
        splits, prep = split_data(config, dataset, registry.LOSSES[config.loss.name].head)
    except ConfigError as error:  # the split names the config; say which file it came from
        raise ConfigError(source, error.problems) from None
    note = split_note(config, (splits.X_train, splits.X_val, splits.X_test))
    problems = _batch_problems(config, len(splits.X_train))
    if problems:
        raise ConfigError(source, problems)
    n_outputs = prep.make_head().n_outputs(dataset.n_classes)
    model_seed, loop_seed = np.random.SeedSequence(config.training.seed).spawn(2)
    model = build_model(config, splits.X_train.shape[1], n_outputs, rng=model_seed)
    penalty = registry.weight_penalty(model, config.loss.l2, config.loss.l1)
    objective = registry.make_loss(config.loss.name, penalty, **config.loss.model_dump(
        exclude={"name", "l1", "l2", "class_weight"}))
    batches = steps_per_epoch(len(splits.X_train), config.training.batch_size,
                              config.training.last_batch)
    optimizer, schedule, monitor = _optimizer_and_schedule(config, source, batches, model)
    early = config.training.early_stopping
    if early is not None:
        checkpoint_monitor, mode = early.monitor, early.mode
    elif config.schedule.name == "plateau":
        checkpoint_monitor, mode = config.schedule.monitor, config.schedule.mode
    else:
        checkpoint_monitor, mode = ("val_loss" if splits.validation else "train_loss"), "min"
    fit_options = {**{name: getattr(config.training, name) for name in LOOP_OPTIONS},
                   "seed": np.random.default_rng(loop_seed), "schedule_monitor": monitor,
                   "schedule_interval": config.schedule.interval}
    early_options = None if early is None else early.model_dump()
    chosen = tuple(config.metrics or ())
    watched = tuple(name for _, name in metric_uses(config) if name not in chosen)
    validation = (chosen or default_metrics(prep.head, validation=True)) + watched
    return Plan(config.name or "run", model, objective, objective.data_loss, optimizer, schedule,
                splits, prep, fit_options, early_options, checkpoint_monitor, mode,
                metrics=chosen, val_metrics=tuple(dict.fromkeys(validation)),
                notes=list(dataset.notes) + ([note] if note else []),
                profile=training_profile(config, dataset))


def _optimizer_and_schedule(config: Config, source: str, batches: int, model):
    """The optimizer and schedule; one stepped every batch steps ``batches`` times an epoch.
    Each of ``optimizer.groups`` must take some parameter of ``model`` no earlier group takes."""
    per_epoch = batches if config.schedule.interval == "batch" else 1
    problems = group_problems(config, model) + warmup_problems(
        config.schedule, config.training.epochs, per_epoch)
    if problems:
        raise ConfigError(source, problems)
    options = config.optimizer.model_dump(exclude={"name"})
    optimizer = registry.make_optimizer(config.optimizer.name, **options)
    schedule_options = config.schedule.model_dump(exclude={"name", "interval"})
    monitor = schedule_options.get("monitor", "val_loss")
    try:
        schedule = registry.make_schedule(config.schedule.name, optimizer,
                                          config.training.epochs, per_epoch, **schedule_options)
    except ValueError as error:
        raise ConfigError(source, [Problem("schedule", str(error))]) from None
    return optimizer, schedule, monitor
