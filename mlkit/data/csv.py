"""Read a CSV file into a :class:`Dataset` and fit the schema that re-encodes new files.

pandas parses the file; every problem with it (missing file or column, text in a numeric
column, missing values, a one-class target) is reported with the file, column and lines.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
import pandas as pd

from mlkit.data.csv_rules import csv_option_problems, raise_first
from mlkit.data.datasets import TASKS, Dataset
from mlkit.data.dates import looks_like_dates, parse_dates
from mlkit.data.dialect import DECIMALS, Dialect, Separator
from mlkit.data.errors import DataError, check_float_dtype, refused
from mlkit.data.preprocessing import HANDLE_UNKNOWN, OneHotEncoder
from mlkit.data.reading import (
    check_columns,
    date_problems,
    line_numbers,
    numeric_problems,
    raise_problems,
    read_table,
)
from mlkit.data.schema import DUPLICATES, IMPUTE, CsvSchema
from mlkit.data.values import (
    CATEGORIES,
    MAX_WORDS,
    NUMBERS,
    alike_labels,
    normalize_categories,
    to_numbers,
)
from mlkit.options import Length, NonNegativeInt, PositiveInt, checked

__all__ = ["FEW_CATEGORIES", "MAX_INTEGER_CLASSES", "infer_task", "load_csv", "stray_texts",
           "too_many_categories"]

MAX_INTEGER_CLASSES = 10  # an integer target with at most this many values is a class label
FEW_CATEGORIES = 20  # a categorical column may always have this many distinct values


def _central(values: pd.Series, impute: str):
    """The value gaps get under ``impute``: the mean, the median, or the most frequent (the
    smallest of ties: modes are sorted); numbers and dates alike."""
    return (values.mean() if impute == "mean" else values.median() if impute == "median"
            else values.mode().iloc[0])


def _fill_values(frame, numeric, categorical, impute, source) -> dict:
    """The value each feature column's gaps get: ``impute``'s for numbers, else the mode."""
    fill = {}
    for col in numeric + categorical:
        values = frame[col].dropna()
        if values.empty:
            raise DataError(f"column {col!r} of {source} has no values, so impute={impute!r} "
                            "has nothing to fill from; remove it from features.")
        fill[col] = (float(_central(values, impute)) if col in numeric
                     else str(_central(values, "most_frequent")))
    return fill


def infer_task(column: pd.Series, numbers: str = "plain", decimal: str = ".") -> str:
    """Classification for text or for integers with few distinct values, else regression
    (also for numbers with a few stray texts among them: see :func:`stray_texts`)."""
    values = to_numbers(column, numbers, decimal)
    if values.isna().any() and not stray_texts(column, numbers, decimal):
        return "classification"
    return "classification" if _few_integers(values.dropna()) else "regression"


def _few_integers(values: pd.Series) -> bool:
    return bool(np.all(values == np.round(values))) and values.nunique() <= MAX_INTEGER_CLASSES


STRAY_SHARE = 0.05
"""A target's texts among its numbers are stray (typos, ``12k``) when in at most this share of
its rows, in at most :data:`MAX_WORDS` spellings."""


def stray_texts(column: pd.Series, numbers: str = "plain", decimal: str = ".") -> list[str]:
    """The few texts (sorted) standing among the numbers of a target that is a regression
    one without them (``12k``, ``unknown`` among prices): a regression target to correct,
    not hundreds of one-row classes; [] when there are none, or too many to be stray."""
    counts = column.dropna().astype(str).value_counts()  # each distinct text read once
    values = to_numbers(pd.Series(counts.index), numbers, decimal)
    unread = counts[values.isna().to_numpy()]
    if unread.empty or len(unread) > MAX_WORDS or unread.sum() > STRAY_SHARE * len(column):
        return []
    return [] if _few_integers(values.dropna()) else sorted(unread.index)


def _dates_and_fill(frame, dates, impute, source, date_format) -> tuple[dict, dict]:
    """Each date column's origin (its first date) and, when imputing, its fill value."""
    origins, fill = {}, {}
    for col in dates:
        times = parse_dates(frame[col].dropna().astype(str), date_format)
        if times.empty:
            raise DataError(f"date column {col!r} of {source} has no values; remove it from "
                            "features and dates.")
        if impute in ("mean", "median", "most_frequent"):
            fill[col] = _central(times, impute).isoformat()
        origins[col] = times.min().isoformat()
    return origins, fill


def too_many_categories(count: int, rows: int) -> bool:
    """Whether ``count`` distinct values in ``rows`` rows are too many for one-hot columns:
    more than half the rows, and more than :data:`FEW_CATEGORIES`."""
    return count > max(FEW_CATEGORIES, rows / 2)


def _too_many_categories(frame, categorical, source) -> list[str]:
    """Categorical columns with more distinct values than half their rows (ids, free text)."""
    problems = []
    for col in categorical:
        count = frame[col].nunique()
        if too_many_categories(count, len(frame)):
            problems.append(f"column {col!r} of {source} has {count} distinct values in "
                            f"{len(frame)} rows, too many to one-hot encode as categorical; if "
                            "it identifies rows, name it in ids (or leave it out of features); "
                            "if it holds dates, list it in dates.")
    return problems


@checked(refuse=refused)
def load_csv(path, target: Annotated[str, Length(min=1)],
             features: Sequence[str] | None = None, categorical: Sequence[str] = (),
             impute: Literal[IMPUTE] | None = None,
             task: Literal[TASKS] | None = None, dtype="float64", *,
             dates: Sequence[str] = (), date_format: Annotated[str, Length(min=1)] | None = None,
             ids: Sequence[str] = (),
             handle_unknown: Literal[HANDLE_UNKNOWN] = "error", missing: Sequence[str] | None = (),
             numbers: Literal[NUMBERS] = "plain", categories: Literal[CATEGORIES] = "exact",
             duplicates: Literal[DUPLICATES] = "keep", sep: Separator | None = None,
             decimal: Literal[DECIMALS] = ".", encoding: Annotated[str, Length(min=1)] = "utf-8",
             skip_lines: NonNegativeInt = 0, skip_footer: NonNegativeInt = 0,
             min_frequency: PositiveInt | None = None, missing_indicator: bool = False) -> Dataset:
    """Read a CSV file into a :class:`Dataset` whose ``schema`` re-encodes new files alike.

    The reading options are also a config's ``data.csv`` section, derived from this signature
    and these entries (None is written null there).

    Parameters
    ----------
    path : str or os.PathLike
        A CSV file with a header line of column names (surrounding spaces and a UTF-8
        byte-order mark are not part of a name; empty and repeated names are refused).
    target : str
        The column to predict; rows where it is missing are left out (and listed).
    features : list of str, optional
        Input columns; None takes every column but the target and the ``ids``.
    categorical : list of str
        Input columns holding categories (text or codes), each one-hot encoded. A column
        with more distinct values than half its rows (and more than 20, ``FEW_CATEGORIES``)
        is refused.
    impute : {"mean", "median", "most_frequent", "drop"}, optional
        Missing inputs: None makes them an error; ``"mean"`` or ``"median"`` fill numeric
        and date columns and give categorical ones their most frequent value;
        ``"most_frequent"`` fills every column so (fill values are learned from this file);
        ``"drop"`` removes incomplete rows, here and again in files read later (when
        evaluating or predicting), listing the rows left out.
    task : {"classification", "regression"}, optional
        None: classification when the target is text or has at most 10
        (``MAX_INTEGER_CLASSES``) distinct integer values, else regression.
    dtype : {"float64", "float32"}
        Float type of ``X`` (and of ``y`` for regression).
    dates : list of str
        Input columns holding dates (YYYY-MM-DD, optionally a time); any other text input
        column whose values are all such dates is found without being listed. Each becomes
        its year, month, day of year and day of week (sine/cosine pairs) and the days since
        its first date (:func:`mlkit.data.dates.date_features`).
    date_format : str, optional
        How dates not in ISO 8601 are written, as a strftime format: ``"%d/%m/%Y"`` reads
        ``27/10/2020``, and ``27/10/2020 14:30`` too (a format without a time also reads a
        time after its date); ``"%m/%d/%Y"`` reads ``10/27/2020``; ISO 8601 dates are read
        too. None reads ISO 8601 only. ``mlkit inspect`` finds the format when the dates say
        it. Files read later are read alike.
    ids : list of str
        Columns identifying rows: never inputs; the schema's ``read`` carries them along,
        and ``mlkit predict`` copies them next to its predictions.
    handle_unknown : {"error", "ignore"}
        A category not seen here, in a file read later (when evaluating or predicting): an
        error, or ignored (its one-hot columns are all zero).
    missing : list of str, optional
        Extra cell texts read as missing values (e.g. ``["?", "-"]``), besides pandas' own
        (an empty cell, ``NA``, ``N/A``, ``null``, ``NaN`` ...).
    numbers : {"plain", "formatted"}
        ``"formatted"`` also reads numeric cells written with a currency symbol, thousands
        separators, a percent sign (``21%`` is 0.21) or accounting parentheses
        (``(1,234.00)`` is -1234); also a regression target's.
    categories : {"exact", "strip", "strip_lower"}
        How categorical cells are compared: as written, without surrounding spaces, or also
        lowercased (``"Male"``, ``"male "`` and ``"MALE"`` are one category, ``"male"``).
        A cell left empty is missing. Files read later are compared the same way.
    duplicates : {"keep", "drop"}
        ``"drop"`` reads a row that repeats an earlier row exactly (every cell the same text)
        once, and lists the rows left out: repeats would count twice and could land in both
        training and test rows. Only here, in training: a file read later keeps every row.
    sep : {",", ";", "\\t", "|"}, optional
        The column separator (or its name: ``"comma"``, ``"semicolon"``, ``"tab"``,
        ``"pipe"``); None finds the one that splits every line of the file's start into the
        same number of columns (an error when two do). Files read later are split alike.
    decimal : {".", ","}
        The decimal mark of numbers: with ``","`` (Excel in most of Europe, with ``;``
        separators) ``3,5`` is 3.5, and ``numbers="formatted"`` reads ``1.234,56`` and
        ``1 234,56``.
    encoding : str
        The file's text encoding, e.g. ``"cp1252"`` or ``"latin-1"`` for files from Windows
        or older Excel (é, ü, £, €); a UTF-8 byte-order mark is always skipped.
    skip_lines : int
        Lines above the header line to skip: a report's title and notes (blank lines count).
        A count the file's start contradicts (title lines left above the header, or a header
        skipped) is an error naming the count to set. Files read later skip as many, and are
        checked alike. Line numbers in messages stay the file's own.
    skip_footer : int
        Lines under the rows to leave out: a report's totals and notes (blank lines do not
        count). A count the file's end contradicts (a footer line left under the rows, or a
        line that reads like a row skipped) is an error naming the count to set. Files read
        later leave out the footer they show, and this many lines only where they read like
        no row (a file to score without a footer keeps its last row).
    min_frequency : int, optional
        Categories seen in fewer than this many rows share one ``column=(other)`` input, as
        do categories first seen in a file read later; None keeps every category.
    missing_indicator : bool
        Add a ``column=(missing)`` input after all others for every input column with a
        missing value in this file: 1 where the cell was missing (and got the fill value), 0
        elsewhere; a file read later gets the same columns. Needs ``impute`` to fill
        (``"mean"``, ``"median"`` or ``"most_frequent"``).

    Rows whose target is missing are left out (listed in ``Dataset.notes``), as are rows
    with a missing feature under ``impute="drop"``.

    Returns
    -------
    Dataset
        With ``schema`` set: a :class:`CsvSchema` (save ``schema.to_dict()`` as JSON).
    """
    dtype = check_float_dtype(dtype)
    raise_first(csv_option_problems(target, features, categorical, dates, ids, impute,
                                    missing_indicator, encoding, date_format))
    missing = list(missing or ())
    source = repr(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else "the file"
    dialect = Dialect.of(path, sep, decimal, encoding, skip_lines, skip_footer)
    columns = list(read_table(path, dialect=dialect).columns)
    check_columns("target", [target], columns, source)
    ids = check_columns("ids", ids or [], columns, source)
    if features is None:
        features = [c for c in columns if c != target and c not in ids]
    features = check_columns("features", features, columns, source)
    categorical = check_columns("categorical", categorical or [], columns, source)
    declared = check_columns("dates", dates or [], columns, source)
    if not features:
        raise DataError(f"{source} has no feature columns besides the target {target!r}.")
    frame = read_table(path, features + [target], categorical + declared + [target], missing,
                       dialect=dialect)
    if len(frame) == 0:
        raise DataError(f"{source} has a header but no data rows.")
    repeated = frame.index[:0]
    if duplicates == "drop":
        repeated = frame.index[read_table(path, columns, columns, raw=True,
                                                      dialect=dialect).duplicated()]
        frame = frame.drop(repeated)
    for col in categorical:
        frame[col] = normalize_categories(frame[col], categories)
    unlabeled = frame.index[frame[target].isna()]
    frame = frame.drop(unlabeled)
    if len(frame) == 0:
        raise DataError(f"target column {target!r} of {source} has no values; fill it in.")
    gaps = {c: frame.index[frame[c].isna()] for c in features if frame[c].isna().any()}
    problems = []
    if gaps and impute is None:
        where = "; ".join(f"{c!r}: {len(r)} row(s), {line_numbers(r)}" for c, r in gaps.items())
        problems.append(f"{source} has missing values ({where}); set data.csv.impute in a "
                        "config (impute= in Python) to mean, median, most_frequent or drop, "
                        "or fill them in the file.")
    dropped = frame.index[:0]
    if impute == "drop":
        dropped = frame.index[frame[features].isna().any(axis=1)]
        frame = frame.drop(dropped)
        if len(frame) == 0:
            raise DataError(f"every row of {source} has a missing value, so impute='drop' "
                            "leaves no data; use another impute strategy.")
    dates = [c for c in features if c in declared or (
        c not in categorical and looks_like_dates(frame[c], date_format))]
    numeric = [c for c in features if c not in categorical and c not in dates]
    raise_problems(source, problems + numeric_problems(frame, numeric, source, numbers, decimal)
                   + date_problems(frame, dates, source, date_format)
                   + _too_many_categories(frame, categorical, source))
    for col in numeric:
        frame[col] = to_numbers(frame[col], numbers, decimal)
    fill = {} if impute in (None, "drop") else _fill_values(frame, numeric, categorical, impute,
                                                            source)
    origins, date_fill = _dates_and_fill(frame, dates, impute, source, date_format)
    fill.update(date_fill)
    labels = frame[target].dropna()
    task = task or infer_task(labels, numbers, decimal)
    classes = None
    if task == "classification":
        classes = np.unique(labels.astype(str).to_numpy()).tolist()
        if len(classes) < 2:
            raise DataError(f"target column {target!r} of {source} has only one class "
                            f"({classes[0] if classes else 'none'}); classification needs at "
                            "least two, so check the target column or pass task='regression'.")
    filled = frame[categorical].fillna({c: fill[c] for c in categorical if c in fill})
    encoder = OneHotEncoder(dtype, handle_unknown, min_frequency).fit(filled.astype(str).to_numpy(),
                                                       categorical)
    indicators = [c for c in numeric + dates + categorical if c in gaps] if missing_indicator \
        else []
    schema = CsvSchema(target, task, numeric, encoder, impute, fill, classes, dtype.name,
                       origins, ids, missing, numbers, categories, dialect, indicators,
                       date_format)
    table = schema.encode(frame, source)
    table.dropped, table.unlabeled = dropped.to_numpy(), unlabeled.to_numpy()
    table.repeated = repeated.to_numpy()
    name = os.path.splitext(os.path.basename(os.fspath(path)))[0]
    notes = [table.dropped_note()] if table.dropped_note() else []
    notes += [f"target {target!r}: labels {', '.join(map(repr, group))} differ only in spaces "
              "or case, so they are different classes; correct them in the file if one is "
              "meant" for group in alike_labels(labels) if task == "classification"]
    return Dataset(table.X, table.y, schema.feature_names, classes, task, name, schema, notes,
                   table.rows)
