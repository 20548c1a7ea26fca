"""Which rows of a config's data train, validate and test: at random, by whole groups of a
CSV column (``data.split.group``), or in the time order of one (``data.split.order``).

The group or order column is read from the CSV file for the rows the data set kept, and
every problem with it (an unknown column, missing cells, values that cannot be sorted, too
few groups or times for the parts) is a :class:`ConfigError` naming the setting, raised
before any run directory exists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlkit.data import DataError, Dataset, k_fold_split, train_val_test_split
from mlkit.data.grouped import times_of
from mlkit.data.reading import line_numbers, read_table
from mlkit.data.split import forward_chaining_split
from mlkit.options import did_you_mean

from .errors import NO_VALUE, ConfigError, Problem
from .schema import Config

__all__ = ["split_column", "split_note", "split_rows"]

_FAR = 0.05
"""A group or time split whose part deviates from its fraction by more than this says so."""


def split_column(config: Config, dataset: Dataset, key: str):
    """The values of ``data.split.<key>`` for the data set's rows (raw text for a group,
    numbers or datetimes for an order)."""
    name, csv, schema = getattr(config.data.split, key), config.data.csv, dataset.schema
    path = f"data.split.{key}"
    header = list(read_table(csv.path, dialect=schema.dialect).columns)
    if name not in header:
        raise ConfigError(config.source, [Problem(
            path, f"is not a column of {csv.path}", name,
            f"use one of {', '.join(header)}" + did_you_mean(name, header))])
    rows = dataset.lines
    column = read_table(csv.path, [name], [name], schema.missing,
                        dialect=schema.dialect)[name].loc[rows]
    problems = []
    gaps = rows[column.isna().to_numpy()]
    if len(gaps):
        problems.append(Problem(path, f"column {name!r} has {len(gaps)} missing value(s) "
                                f"({line_numbers(gaps)})", name, "fill them in, or use "
                                "another column"))
    values = column.to_numpy()
    if key == "order" and not problems:
        try:
            values = times_of(column, schema.numbers, schema.dialect.decimal,
                              schema.date_format)
        except DataError as error:
            problems.append(Problem(path, f"column {name!r} {error}", name))
    if problems:
        raise ConfigError(config.source, problems)
    return values


def _checked(config: Config, key: str | None, split, *args, **kwargs):
    """``split(*args, **kwargs)``, its DataError (too few groups or times) a ConfigError
    naming ``data.split.<key>``."""
    try:
        return split(*args, **kwargs)
    except DataError as error:
        if key is None:
            raise
        name = getattr(config.data.split, key)
        raise ConfigError(config.source, [Problem(
            f"data.split.{key}", f"column {name!r}: {str(error).rstrip('.')}", name)]) from None


def split_rows(config: Config, dataset: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train, validation and test row indices: by the val/test fractions, or (``folds``) the
    held-out fold as test and the val fraction of the other folds' rows as validation. With
    ``group`` no group spans two parts; with ``order`` test is the latest rows, validation the
    ones before, and folds chain forward (each tests the block after its training rows). A
    classification split whose training part holds a single class is a ConfigError."""
    parts = _split_rows(config, dataset)
    if dataset.task == "classification":
        _check_training_classes(config, dataset, parts)
    return parts


def _split_rows(config: Config, dataset: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    split = config.data.split
    stratify = dataset.task == "classification" and split.stratify
    n = len(dataset.y)
    if split.order is not None:
        order = split_column(config, dataset, "order")
        if split.folds is None:
            return _checked(config, "order", train_val_test_split, n, split.val, split.test,
                            order=order)
        earlier, test = _checked(config, "order", forward_chaining_split, order,
                                 split.folds)[split.fold - 1]
        _check_cuttable(config, dataset, "order", earlier, order[earlier])
        train, val, _ = _checked(config, "order", train_val_test_split, len(earlier),
                                 split.val, 0.0, order=order[earlier])
        return earlier[train], earlier[val], test
    if split.folds is not None and split.folds > n:  # every fold would fail alike
        raise ConfigError(config.source, [Problem(
            "data.split.folds", f"is more than the {n} rows of the data", split.folds,
            f"at most {n} (--folds with mlkit cv), e.g. 5")])
    key = None if split.group is None else "group"
    groups = None if key is None else split_column(config, dataset, "group")
    labels = dataset.y if stratify else n
    if split.folds is None:
        if stratify and key is None:
            _check_class_sizes(config, dataset)
        return _checked(config, key, train_val_test_split, labels, split.val, split.test,
                        stratify=stratify, seed=split.seed, groups=groups)
    test = _checked(config, key, k_fold_split, labels, split.folds, stratify=stratify,
                    seed=split.seed, groups=groups)[split.fold - 1]
    rest = np.setdiff1d(np.arange(n), test)
    if groups is not None:
        _check_cuttable(config, dataset, "group", rest, groups[rest])
    train, val, _ = _checked(config, key, train_val_test_split,
                             dataset.y[rest] if stratify else len(rest), split.val, 0.0,
                             stratify=stratify, seed=split.seed,
                             groups=None if groups is None else groups[rest])
    return rest[train], rest[val], test


def _check_cuttable(config: Config, dataset: Dataset, key: str, rows: np.ndarray,
                    values: np.ndarray) -> None:
    """ConfigError when a fold's training rows hold one time (one group), so they cannot be
    cut into train and validation parts (rows of one time or group stay together)."""
    split = config.data.split
    if split.val == 0 or len(pd.unique(values)) > 1:
        return
    name = getattr(split, key)
    what = (f"block (the rows before its test block) holds one time of column {name!r}"
            if key == "order" else f"rows (the other folds) hold one group of column {name!r}")
    raise ConfigError(config.source, [Problem(
        f"data.split.{key}", f"fold {split.fold} of {split.folds}: its training {what} "
        f"({len(rows)} rows, {line_numbers(dataset.lines[rows])}), which cannot be cut "
        "into train and validation", name,
        f"use fewer folds than {split.folds} (--folds with mlkit cv), or data.split.val=0")])


def _check_class_sizes(config: Config, dataset: Dataset) -> None:
    """ConfigError naming each class (and its lines) with fewer rows than a stratified split
    has parts: each part takes at least one row of every class."""
    split = config.data.split
    parts = [p for p, f in zip(("train", "val", "test"), (1, split.val, split.test)) if f > 0]
    counts = np.bincount(dataset.y.astype(np.int64), minlength=len(dataset.target_names))
    small = [(str(dataset.target_names[k]), dataset.lines[dataset.y == k])
             for k in np.flatnonzero(counts < len(parts))]
    if small:
        listed = ", ".join(f"{label!r} ({line_numbers(rows)})" for label, rows in small)
        raise ConfigError(config.source, [Problem(
            "data.split.stratify", f"class(es) {listed} have fewer rows than the "
            f"{len(parts)} parts of a stratified split into {'/'.join(parts)}, which each "
            "take one", True, "correct or remove those rows in the file, collect more rows "
            "of the class, or set data.split.stratify: false")])


def _check_training_classes(config: Config, dataset: Dataset, parts) -> None:
    """ConfigError when the training part holds fewer than two classes: no classifier (nor
    the baseline) can learn from it. Names the split, the part and where the missing
    classes went."""
    present = np.unique(dataset.y[parts[0]])
    if len(present) > 1:
        return
    classes = [str(c) for c in dataset.target_names]
    split = config.data.split
    key = "order" if split.order is not None else "group" if split.group is not None else None
    how = (f"ordered by {split.order!r}" if key == "order" else
           f"grouped by {split.group!r}" if key == "group" else "at random")
    fold = f" of fold {split.fold} of {split.folds}" if split.folds is not None else ""
    held = []
    for index in np.setdiff1d(np.arange(len(classes)), present):
        where = " and ".join(part for part, rows in zip(("validation", "test"), parts[1:])
                             if (dataset.y[rows] == index).any())
        # only a forward-chaining fold leaves rows out: those after its test block
        held.append(f"{classes[index]!r} ("
                    + (f"only in {where})" if where else "only after this fold's test block)"))
    only = f"only class {classes[present[0]]!r}" if len(present) else "no rows"
    hint = {"order": "the missing classes appear only late in time: " + (
                "forward-chaining folds all train on the earliest rows, so cross-validate "
                "without data.split.order" if fold else "use a smaller data.split.test and "
                "data.split.val, or a random split"),
            "group": "try another data.split.seed, or a column with more groups",
            None: "set data.split.stratify: true"}[key]
    raise ConfigError(config.source, [Problem(
        f"data.split.{key}" if key else "data.split",
        f"the training part{fold} (split {how}) holds {only} ({len(parts[0])} rows); "
        f"missing: {', '.join(held)}, so no classifier can be trained on it",
        getattr(split, key) if key else NO_VALUE, hint)])


def split_note(config: Config, parts) -> str:
    """For a group or time split whose parts are far from the fractions asked for (whole
    groups or times may not allow better): the parts' shares of the rows; else ``""``."""
    split = config.data.split
    if split.group is None and (split.order is None or split.folds is not None):
        return ""
    sizes = np.array([len(part) for part in parts], dtype=float)
    test = split.test if split.folds is None else 1.0 / split.folds
    wanted = np.array([(1 - test) * (1 - split.val) if split.folds else 1 - split.val - test,
                       split.val * (1 - test) if split.folds else split.val, test])
    got = sizes / sizes.sum()
    if np.max(np.abs(got - wanted)) <= _FAR:
        return ""
    how = f"grouped by {split.group!r}" if split.group else f"ordered by {split.order!r}"
    shares = " / ".join(f"{name} {share:.1%}" for name, share in
                        zip(("train", "val", "test"), got))
    asked = " / ".join(f"{share:.1%}" for share in wanted)
    return (f"the split {how} gives {shares} of the rows (asked for {asked}): whole "
            f"{'groups' if split.group else 'times'} stay in one part")
