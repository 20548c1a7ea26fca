"""Read a CSV file into a :class:`Dataset` and fit the schema that re-encodes new files.

pandas parses the file; every problem with it (missing file or column, text in a numeric
column, missing values, a one-class target) is reported with the file, column and lines.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from mlkit.data.datasets import Dataset
from mlkit.data.errors import DataError, check_choice, check_float_dtype, did_you_mean
from mlkit.data.preprocessing import OneHotEncoder
from mlkit.data.schema import IMPUTE, CsvSchema, check_numeric, line_numbers, read_table

__all__ = ["MAX_INTEGER_CLASSES", "load_csv"]

MAX_INTEGER_CLASSES = 10  # an integer target with at most this many values is a class label


def _check_names(param: str, names, columns, source: str) -> list[str]:
    """``names`` as a list of distinct columns of the file."""
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{param} must be a list of column names, got {names!r}.")
    names = list(names)
    for name in names:
        if name not in columns:
            raise DataError(f"{param} column {name!r} is not in {source}; its columns are "
                            f"{', '.join(columns)}." + did_you_mean(name, columns))
    if len(set(names)) != len(names):
        raise DataError(f"{param} lists a column twice: {names}.")
    return names


def _most_frequent(values: pd.Series):
    counts = values.value_counts()
    return min(counts.index[counts == counts.max()])


def _fill_values(frame, numeric, categorical, impute, source) -> dict:
    """The value each feature column's gaps get: mean/median for numbers, else the mode."""
    fill = {}
    for col in numeric + categorical:
        values = frame[col].dropna()
        if values.empty:
            raise DataError(f"column {col!r} of {source} has no values, so impute={impute!r} "
                            "has nothing to fill from; remove it from features.")
        if col in numeric and impute == "mean":
            fill[col] = float(values.mean())
        elif col in numeric and impute == "median":
            fill[col] = float(values.median())
        else:
            mode = _most_frequent(values)
            fill[col] = float(mode) if col in numeric else str(mode)
    return fill


def _infer_task(column: pd.Series) -> str:
    """Classification for text or for integers with few distinct values, else regression."""
    values = pd.to_numeric(column, errors="coerce")
    if values.isna().any():
        return "classification"
    few_integers = bool(np.all(values == np.round(values))) and (
        values.nunique() <= MAX_INTEGER_CLASSES)
    return "classification" if few_integers else "regression"


def load_csv(path, target: str, features=None, categorical=None, impute=None, task=None,
             dtype="float64") -> Dataset:
    """Read a CSV file into a :class:`Dataset` whose ``schema`` re-encodes new files alike.

    Parameters
    ----------
    path : str or os.PathLike
        A comma-separated file with a header line of column names.
    target : str
        The column to predict.
    features : list of str, optional
        Feature columns; default every column but the target.
    categorical : list of str, optional
        Feature columns holding categories (text or codes), one-hot encoded. Every other
        feature must be numeric.
    impute : {"mean", "median", "most_frequent", "drop"}, optional
        How missing feature values are handled; by default they are an error. ``"mean"`` and
        ``"median"`` fill numeric columns and give categorical ones their most frequent value;
        ``"drop"`` removes incomplete rows. Fill values are learned from the whole file.
    task : {"classification", "regression"}, optional
        Default: classification when the target is text or has at most
        ``MAX_INTEGER_CLASSES`` distinct integer values, else regression.
    dtype : {"float64", "float32"}
        Float type of ``X`` (and of ``y`` for regression).

    Returns
    -------
    Dataset
        With ``schema`` set: a :class:`CsvSchema` (save ``schema.to_dict()`` as JSON).
    """
    if not isinstance(target, str):
        raise TypeError(f"target must be a column name (str), got {target!r}.")
    if impute is not None:
        check_choice("impute", impute, IMPUTE)
    if task is not None:
        check_choice("task", task, ("classification", "regression"))
    dtype = check_float_dtype(dtype)
    source = repr(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else "the file"
    columns = list(read_table(path).columns)
    if target not in columns:
        raise DataError(f"target column {target!r} is not in {source}; its columns are "
                        f"{', '.join(columns)}." + did_you_mean(target, columns))
    if features is None:
        features = [c for c in columns if c != target]
    features = _check_names("features", features, columns, source)
    categorical = _check_names("categorical", categorical or [], columns, source)
    if target in features:
        raise DataError(f"target column {target!r} is also listed in features; remove it.")
    if not features:
        raise DataError(f"{source} has no feature columns besides the target {target!r}.")
    outside = [c for c in categorical if c not in features]
    if outside:
        raise DataError(f"categorical column(s) {outside} are not among the features; add them "
                        "to features or remove them from categorical.")
    frame = read_table(path, features + [target], categorical + [target])
    if len(frame) == 0:
        raise DataError(f"{source} has a header but no data rows.")
    gaps = {c: frame.index[frame[c].isna()] for c in features if frame[c].isna().any()}
    if gaps and impute is None:
        where = "; ".join(f"{c!r}: {len(r)} row(s), {line_numbers(r)}" for c, r in gaps.items())
        raise DataError(f"{source} has missing values ({where}); pass impute='mean', "
                        "'median', 'most_frequent' or 'drop', or fill them in the file.")
    if impute == "drop":
        frame = frame.dropna(subset=features + [target])
        if len(frame) == 0:
            raise DataError(f"every row of {source} has a missing value, so impute='drop' "
                            "leaves no data; use another impute strategy.")
    numeric = [c for c in features if c not in categorical]
    check_numeric(frame, numeric, source)
    fill = {} if impute in (None, "drop") else _fill_values(frame, numeric, categorical, impute,
                                                            source)
    labels = frame[target].dropna()
    task = task or _infer_task(labels)
    classes = None
    if task == "classification":
        classes = np.unique(labels.astype(str).to_numpy()).tolist()
        if len(classes) < 2:
            raise DataError(f"target column {target!r} of {source} has only one class "
                            f"({classes[0] if classes else 'none'}); classification needs at "
                            "least two, so check the target column or pass task='regression'.")
    filled = frame[categorical].fillna({c: fill[c] for c in categorical if c in fill})
    encoder = OneHotEncoder(dtype).fit(filled.astype(str).to_numpy(), categorical)
    schema = CsvSchema(target, task, numeric, encoder, impute, fill, classes, dtype.name)
    X, y = schema.transform(frame, source)
    name = os.path.splitext(os.path.basename(os.fspath(path)))[0]
    return Dataset(X, y, schema.feature_names, classes, task, name, schema)
