"""Standardization, one-hot encoding and label encoding, each with a state for reuse; and
the per-class weights of encoded labels.

Every transformer is fitted on training rows, then applied unchanged to new rows; its state is a
dict of plain arrays or JSON-able lists, so a run directory can store it without pickle.
Float inputs keep their dtype (float32 in, float32 out).
"""

from __future__ import annotations

import numpy as np

from mlkit.checks import rectangular
from mlkit.data.errors import (
    DataError,
    check_choice,
    check_float_dtype,
    check_int,
    check_labels,
    is_missing,
)

__all__ = ["HANDLE_UNKNOWN", "LabelEncoder", "OneHotEncoder", "Standardizer", "class_weights"]

HANDLE_UNKNOWN = ("error", "ignore")
"""What one-hot encoding does with a category unseen in training: raise, or encode zeros."""


def _float_matrix(X, param: str) -> np.ndarray:
    """``X`` as a finite 2-D float array (float32 and float64 kept, other numbers to float64)."""
    X = rectangular(X, param, DataError)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{param} must hold numbers, got dtype {X.dtype}; encode text first.")
    if X.ndim != 2:
        raise DataError(f"{param} must be 2-D (rows, columns), got shape {X.shape}.")
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        row, col = bad[0]
        raise DataError(
            f"{param} has {len(bad)} NaN or infinite value(s), first at row {row}, column "
            f"{col}; impute or drop missing values before scaling."
        )
    return X


class Standardizer:
    """Shift and scale each column to mean 0 and standard deviation 1.

    Fit it on the training rows only, so that validation and test rows never inform the scale.
    A constant column gets scale 1, so it maps to zeros instead of dividing by zero.
    """

    def __init__(self):
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X) -> Standardizer:
        """Learn the mean and scale of each column of ``X`` (n, d); returns ``self``."""
        X = _float_matrix(X, "X")
        if X.shape[0] == 0:
            raise DataError("Standardizer.fit needs at least one row, got X of shape "
                            f"{X.shape}.")
        wide = X.astype(np.float64)
        self.mean_ = wide.mean(axis=0)
        scale = wide.std(axis=0)
        scale[X.max(axis=0) == X.min(axis=0)] = 1.0
        self.scale_ = scale
        return self

    def _checked(self, X, method: str) -> np.ndarray:
        if self.mean_ is None:
            raise DataError(f"Standardizer.{method} was called before fit; call fit(X_train) "
                            "first or build it with Standardizer.from_state(state).")
        X = _float_matrix(X, "X")
        if X.shape[1] != len(self.mean_):
            raise DataError(f"Standardizer was fitted on {len(self.mean_)} columns but X has "
                            f"{X.shape[1]}; pass the same columns in the same order.")
        return X

    def transform(self, X) -> np.ndarray:
        """Return ``(X - mean) / scale`` in the dtype of ``X`` (float64 for integer input)."""
        X = self._checked(X, "transform")
        return (X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)

    def fit_transform(self, X) -> np.ndarray:
        """Fit on ``X`` and return it transformed."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z) -> np.ndarray:
        """Return ``Z * scale + mean``: the original units of standardized values."""
        Z = self._checked(Z, "inverse_transform")
        return Z * self.scale_.astype(Z.dtype) + self.mean_.astype(Z.dtype)

    def state(self) -> dict[str, np.ndarray]:
        """The fitted statistics as ``{"mean": (d,), "scale": (d,)}`` float64 arrays."""
        if self.mean_ is None:
            raise DataError("Standardizer.state was called before fit; fit it first.")
        return {"mean": self.mean_.copy(), "scale": self.scale_.copy()}

    @classmethod
    def from_state(cls, state: dict) -> Standardizer:
        """Rebuild a fitted standardizer from :meth:`state`'s output."""
        if not isinstance(state, dict) or set(state) != {"mean", "scale"}:
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise DataError(f"Standardizer state must be a dict with keys 'mean' and 'scale', "
                            f"got {got}.")
        mean = rectangular(state["mean"], "Standardizer state 'mean'", DataError)
        scale = rectangular(state["scale"], "Standardizer state 'scale'", DataError)
        if mean.dtype.kind not in "iuf" or scale.dtype.kind not in "iuf":
            raise DataError(f"Standardizer state 'mean' and 'scale' must hold numbers, got "
                            f"dtypes {mean.dtype} and {scale.dtype}.")
        mean, scale = mean.astype(np.float64), scale.astype(np.float64)
        if mean.ndim != 1 or mean.shape != scale.shape:
            raise DataError(f"Standardizer state needs 1-D 'mean' and 'scale' of equal length, "
                            f"got shapes {mean.shape} and {scale.shape}.")
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(scale)) and np.all(scale > 0)):
            raise DataError("Standardizer state must have finite means and positive scales.")
        new = cls()
        new.mean_, new.scale_ = mean, scale
        return new


def _text_columns(values, param: str) -> np.ndarray:
    """``values`` (n, c) as a 2-D array of ``str``; missing entries are an error."""
    arr = np.asarray(values, dtype=object)
    if arr.ndim != 2:
        raise DataError(f"{param} must be 2-D (rows, columns), got shape {arr.shape}.")
    missing = np.argwhere(np.frompyfunc(is_missing, 1, 1)(arr).astype(bool))
    if len(missing):
        row, col = missing[0]
        raise DataError(f"{param} has {len(missing)} missing value(s), first at row {row}, "
                        f"column {col}; fill or drop them before encoding.")
    return arr.astype(str)


class OneHotEncoder:
    """Turn each categorical column into one indicator column per category.

    Categories are the sorted distinct values seen in training, stored as strings. A value
    not seen in training is an error with ``handle_unknown="error"`` (the default) and an
    all-zero row of indicators with ``handle_unknown="ignore"``, as in scikit-learn.

    With ``min_frequency=N``, the values of a column seen in fewer than ``N`` training rows
    share one last indicator, ``"column=(other)"`` (``other_`` says which columns have it),
    so a long tail of rare values (cities, products) costs one column; a value not seen in
    training then goes there too, whatever ``handle_unknown`` says.
    """

    def __init__(self, dtype=np.float64, handle_unknown="error", min_frequency=None):
        self.dtype = dtype
        self.handle_unknown = handle_unknown
        self.min_frequency = min_frequency
        self.names_: list[str] | None = None
        self.categories_: list[list[str]] | None = None
        self.other_: list[bool] | None = None

    def fit(self, values, names=None) -> OneHotEncoder:
        """Learn the categories of each column of ``values`` (n, c); returns ``self``.

        Parameters
        ----------
        values : array-like of shape (n, c)
            Category values; numbers are encoded by their text (``2007`` as ``"2007"``).
        names : list of str, optional
            Column names used in feature names and messages; default ``x0, x1, ...``.
        """
        check_float_dtype(self.dtype)
        check_choice("handle_unknown", self.handle_unknown, HANDLE_UNKNOWN)
        text = _text_columns(values, "values")
        names = [f"x{j}" for j in range(text.shape[1])] if names is None else list(names)
        if len(names) != text.shape[1]:
            raise DataError(f"OneHotEncoder.fit got {len(names)} names for {text.shape[1]} "
                            "columns; give one name per column.")
        least = 1 if self.min_frequency is None else check_int(
            "min_frequency", self.min_frequency, 1)
        self.names_ = [str(n) for n in names]
        self.categories_, self.other_ = [], []
        for column in text.T:
            values, counts = np.unique(column, return_counts=True)
            self.categories_.append(values[counts >= least].tolist())
            self.other_.append(bool((counts < least).any()))
        return self

    def _fitted(self) -> None:
        if self.categories_ is None:
            raise DataError("OneHotEncoder was used before fit; call fit(values) first or build "
                            "it with OneHotEncoder.from_state(state).")

    def unknown(self, values) -> list[tuple[str, str, np.ndarray]]:
        """List ``(column name, value, row indices)`` for every value not seen in training."""
        self._fitted()
        text = _text_columns(values, "values")
        if text.shape[1] != len(self.categories_):
            raise DataError(f"OneHotEncoder was fitted on {len(self.categories_)} columns but "
                            f"got {text.shape[1]}; pass the same columns in the same order.")
        found = []
        for name, cats, other, column in zip(self.names_, self.categories_, self.other_, text.T):
            if other:
                continue
            for value in np.unique(column[~np.isin(column, cats)]):
                found.append((name, str(value), np.flatnonzero(column == value)))
        return found

    def transform(self, values) -> np.ndarray:
        """Return the indicator matrix (n, total categories) in the encoder's dtype."""
        unknown = self.unknown(values)
        if unknown and self.handle_unknown == "error":
            name, value, rows = unknown[0]
            known = ", ".join(repr(c) for c in self.categories_[self.names_.index(name)])
            raise DataError(f"column {name!r} has category {value!r} (row index "
                            f"{rows[0]}) not seen in training; known categories: {known}.")
        text = _text_columns(values, "values")
        blocks = []
        for cats, other, column in zip(self.categories_, self.other_, text.T):
            block = np.zeros((len(column), len(cats) + other), dtype=self.dtype)
            known = np.isin(column, cats)
            block[np.flatnonzero(known), np.searchsorted(cats, column[known])] = 1
            if other:
                block[~known, -1] = 1
            blocks.append(block)
        return np.concatenate(blocks, axis=1) if blocks else np.zeros((len(text), 0), self.dtype)

    def feature_names(self) -> list[str]:
        """Names of the output columns, ``"column=category"`` (and ``"column=(other)"``)."""
        return [name for _, name in self.feature_columns()]

    def feature_columns(self) -> list[tuple[str, str]]:
        """``(input column, output column name)`` of every output column, in order: the one
        place that says which input an output column stands for."""
        self._fitted()
        return [(n, f"{n}={c}") for n, cats, other in zip(self.names_, self.categories_,
                                                          self.other_)
                for c in [*cats, *(["(other)"] if other else [])]]

    def state(self) -> dict:
        """JSON-able state: ``{"names": [...], "categories": [[...], ...], "dtype": str,
        "handle_unknown": str}``, and ``"other": [bool, ...]`` under ``min_frequency``."""
        self._fitted()
        state = {"names": list(self.names_), "categories": [list(c) for c in self.categories_],
                 "dtype": np.dtype(self.dtype).name, "handle_unknown": self.handle_unknown}
        if any(self.other_):
            state["other"] = list(self.other_)
        return state

    @classmethod
    def from_state(cls, state: dict) -> OneHotEncoder:
        """Rebuild a fitted encoder from :meth:`state`'s output."""
        keys = {"names", "categories", "dtype"}
        if not isinstance(state, dict) or not (
                keys <= set(state) <= keys | {"handle_unknown", "other"}):
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise DataError("OneHotEncoder state must be a dict with keys 'names', "
                            f"'categories', 'dtype' and optionally 'handle_unknown' and "
                            f"'other', got {got}.")
        names, categories = list(state["names"]), [list(c) for c in state["categories"]]
        other = state.get("other", [False] * len(names))
        if not isinstance(other, list) or len(other) != len(names) or not all(
                isinstance(o, bool) for o in other):
            raise DataError("OneHotEncoder state 'other' needs one true/false per column name.")
        if len(names) != len(categories) or any(
            not (c or o) or c != sorted(set(c)) or not all(isinstance(v, str) for v in c)
            for c, o in zip(categories, other)
        ):
            raise DataError("OneHotEncoder state needs one non-empty sorted list of distinct "
                            "strings per column name.")
        new = cls(dtype=check_float_dtype(state["dtype"], "OneHotEncoder state 'dtype'"),
                  handle_unknown=check_choice("OneHotEncoder state 'handle_unknown'",
                                              state.get("handle_unknown", "error"),
                                              HANDLE_UNKNOWN))
        new.names_, new.categories_ = [str(n) for n in names], categories
        new.other_ = list(other)
        return new


class LabelEncoder:
    """Map class labels to integer indices ``0..k-1`` and back.

    ``classes_`` is ``np.unique`` of the training labels, so index ``i`` is the ``i``-th
    smallest label; the inverse returns labels in their original dtype.
    """

    def __init__(self):
        self.classes_: np.ndarray | None = None

    def fit(self, y) -> LabelEncoder:
        """Learn the sorted distinct labels of ``y`` (n,); returns ``self``."""
        self.classes_ = np.unique(check_labels(y, "y"))
        return self

    def _fitted(self) -> None:
        if self.classes_ is None:
            raise DataError("LabelEncoder was used before fit; call fit(y) first or build it "
                            "with LabelEncoder.from_state(state).")

    def transform(self, y) -> np.ndarray:
        """Return the int64 index of each label of ``y`` in ``classes_``."""
        self._fitted()
        y = check_labels(y, "y")
        unseen = ~np.isin(y, self.classes_)
        if unseen.any():
            raise DataError(f"y has labels not seen in training: {np.unique(y[unseen]).tolist()}"
                            f"; known classes are {self.classes_.tolist()}.")
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def fit_transform(self, y) -> np.ndarray:
        """Fit on ``y`` and return its indices."""
        return self.fit(y).transform(y)

    def inverse_transform(self, indices) -> np.ndarray:
        """Return the labels ``classes_[indices]``."""
        self._fitted()
        idx = rectangular(indices, "indices", DataError)
        if idx.dtype.kind not in "iu":
            raise TypeError(f"indices must be integers, got dtype {idx.dtype}.")
        if idx.size and (idx.min() < 0 or idx.max() >= len(self.classes_)):
            raise DataError(f"indices must lie in [0, {len(self.classes_)}) for "
                            f"{len(self.classes_)} classes, got values from {idx.min()} to "
                            f"{idx.max()}.")
        return self.classes_[idx]

    def state(self) -> dict[str, np.ndarray]:
        """The fitted classes as ``{"classes": array}``."""
        self._fitted()
        return {"classes": self.classes_.copy()}

    @classmethod
    def from_state(cls, state: dict) -> LabelEncoder:
        """Rebuild a fitted encoder from :meth:`state`'s output."""
        if not isinstance(state, dict) or set(state) != {"classes"}:
            raise DataError("LabelEncoder state must be a dict with the one key 'classes'.")
        classes = check_labels(state["classes"], "LabelEncoder state 'classes'")
        if len(classes) == 0 or not np.array_equal(classes, np.unique(classes)):
            raise DataError("LabelEncoder state 'classes' must be non-empty, sorted and "
                            "distinct.")
        new = cls()
        new.classes_ = classes
        return new


def class_weights(weights, y_index, n_classes: int, sample_weight=None) -> np.ndarray:
    """Per-class weights (``n_classes``,) for encoded labels ``y_index``: ``"balanced"`` gives
    class c the weight ``n / (n_classes * count_c)``, as scikit-learn does, so rarer classes
    count more (with ``sample_weight``, n and the counts are summed weights, as there too);
    a dict ``{class index: weight}`` gives its classes their weight, others 1."""
    if isinstance(weights, str) and weights == "balanced":
        counts = np.bincount(y_index, weights=sample_weight, minlength=n_classes)
        total = len(y_index) if sample_weight is None else counts.sum()
        return total / (n_classes * np.where(counts > 0, counts, 1).astype(np.float64))
    per_class = np.ones(n_classes)
    for index, weight in weights.items():
        per_class[index] = weight
    return per_class
