"""The schema of a CSV data set: how its columns become ``X`` and ``y``, for any file.

Training and prediction go through one code path, :meth:`CsvSchema.transform`, so a file read
at prediction time gets exactly the columns, fill values and one-hot layout of training. The
schema is a JSON-able dict (no pickle), stored next to the model.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlkit.data.errors import DataError, DataFileNotFoundError, check_choice, check_float_dtype
from mlkit.data.preprocessing import LabelEncoder, OneHotEncoder

__all__ = ["IMPUTE", "CsvSchema"]

IMPUTE = ("mean", "median", "most_frequent", "drop")
_KEYS = ("target", "task", "numeric", "categorical", "impute", "fill", "classes", "dtype")


def line_numbers(rows) -> str:
    """``"line 3"`` or ``"lines 3, 5, ..."``: file lines of data rows (the header is line 1)."""
    lines = ", ".join(str(int(r) + 2) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
    return ("line " if len(rows) == 1 else "lines ") + lines


def read_table(path, columns=None, text=()) -> pd.DataFrame:
    """Read ``path`` (only ``columns``; ``text`` columns as strings) with errors naming it."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str), got {type(path).__name__}.")
    if not os.path.exists(path):
        raise DataFileNotFoundError(f"CSV file {os.fspath(path)!r} does not exist; check the "
                                    "path (relative paths start from the current directory).")
    if os.path.isdir(path):
        raise DataError(f"{os.fspath(path)!r} is a directory; pass the path of a CSV file.")
    try:
        with warnings.catch_warnings():
            # every row must have as many values as the header has names: pandas would
            # otherwise drop the extras or turn the first column into the index
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, dtype={c: str for c in text}, index_col=False,
                                nrows=0 if columns is None else None)
    except pd.errors.ParserWarning:
        raise DataError(f"CSV file {os.fspath(path)!r} has a row with more values than its "
                        "header has column names; remove the extra values or name the "
                        "column.") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"CSV file {os.fspath(path)!r} is empty; it needs a header line of "
                        "column names and at least one data row.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"CSV file {os.fspath(path)!r} could not be parsed ({str(exc).strip()});"
                        " check that it is comma-separated UTF-8 text with one value per "
                        "column on every row.") from None
    return frame if columns is None else frame[list(columns)]


def check_numeric(frame: pd.DataFrame, numeric: list[str], source: str) -> None:
    """Raise naming the first value of a ``numeric`` column that is not a number."""
    for col in numeric:
        if pd.api.types.is_numeric_dtype(frame[col]):
            continue
        bad = frame.index[pd.to_numeric(frame[col], errors="coerce").isna() & frame[col].notna()]
        if len(bad):
            raise DataError(f"column {col!r} of {source} is not numeric (e.g. "
                            f"{frame[col][bad[0]]!r} on line {bad[0] + 2}); declare it with "
                            "categorical=[...] or fix the value.")


@dataclass
class CsvSchema:
    """How the columns of a CSV file become ``X`` and ``y``; fitted once, applied to any file.

    ``X`` is the numeric columns (in order) then one indicator column per category of each
    categorical column. Missing feature values get the fill value learned in training.
    """

    target: str
    task: str
    numeric: list[str]
    encoder: OneHotEncoder
    impute: str | None
    fill: dict
    classes: list[str] | None
    dtype: str

    @property
    def features(self) -> list[str]:
        """The raw feature columns a file must have."""
        return self.numeric + self.encoder.names_

    @property
    def feature_names(self) -> list[str]:
        """Names of the columns of ``X``."""
        return self.numeric + self.encoder.feature_names()

    def transform(self, frame: pd.DataFrame, source: str = "the data"):
        """Encode a data frame: returns ``(X, y)``, with ``y`` None when the target is absent.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows to encode; categorical and target columns should hold strings.
        source : str
            Where the rows came from, for error messages (e.g. the file name).

        Returns
        -------
        X : ndarray of shape (n, len(feature_names))
        y : ndarray of shape (n,) or None
            Class indices into ``classes`` (classification) or floats (regression).
        """
        absent = [c for c in self.features if c not in frame.columns]
        if absent:
            raise DataError(f"{source} lacks feature column(s) {', '.join(absent)} that the "
                            "model was trained on; add them.")
        frame = frame.copy()
        for col in self.features:
            gaps = frame.index[frame[col].isna()]
            if len(gaps) and col not in self.fill:
                raise DataError(f"{source} has {len(gaps)} missing value(s) in column {col!r} "
                                f"({line_numbers(gaps)}); fill them in, or train with "
                                f"impute='mean' (this schema has impute={self.impute!r}, which "
                                "learns no fill values).")
            if len(gaps):
                frame[col] = frame[col].fillna(self.fill[col])
        check_numeric(frame, self.numeric, source)
        cats = frame[self.encoder.names_].astype(str).to_numpy()
        unknown = self.encoder.unknown(cats)
        if unknown:
            col, value, rows = unknown[0]
            known = self.encoder.categories_[self.encoder.names_.index(col)]
            raise DataError(f"column {col!r} of {source} has category {value!r} "
                            f"({line_numbers(frame.index[rows])}) not seen in training; known: "
                            f"{', '.join(repr(c) for c in known)}.")
        numeric = frame[self.numeric].to_numpy(dtype=self.dtype)
        X = np.concatenate([numeric, self.encoder.transform(cats)], axis=1)
        return X, (self._target(frame[self.target], source) if self.target in frame else None)

    def _target(self, column: pd.Series, source: str) -> np.ndarray:
        gaps = column.index[column.isna()]
        if len(gaps):
            raise DataError(f"target column {self.target!r} of {source} has {len(gaps)} missing "
                            f"value(s) ({line_numbers(gaps)}); drop those rows (impute='drop') "
                            "or fill them in.")
        if self.task == "regression":
            values = pd.to_numeric(column, errors="coerce")
            if values.isna().any():
                bad = column.index[values.isna()][0]
                raise DataError(f"target column {self.target!r} of {source} is not numeric "
                                f"(e.g. {column[bad]!r} on line {bad + 2}); regression "
                                "needs numbers, or pass task='classification'.")
            return values.to_numpy(dtype=self.dtype)
        encoder = LabelEncoder.from_state({"classes": np.array(self.classes)})
        labels = column.astype(str).to_numpy()
        unseen = ~np.isin(labels, self.classes)
        if unseen.any():
            raise DataError(f"target column {self.target!r} of {source} has label(s) "
                            f"{sorted(set(labels[unseen]))} not seen in training; known: "
                            f"{self.classes}.")
        return encoder.transform(labels)

    def read(self, path):
        """Read and encode a CSV file: returns ``(X, y)`` as :meth:`transform` does."""
        header = read_table(path)
        text = [c for c in self.encoder.names_ + [self.target] if c in header.columns]
        usecols = [c for c in self.features + [self.target] if c in header.columns]
        return self.transform(read_table(path, usecols, text), repr(os.fspath(path)))

    def decode(self, indices) -> np.ndarray:
        """Class labels (strings) of predicted class indices."""
        if self.classes is None:
            raise DataError("decode needs a classification schema; this one is regression.")
        return LabelEncoder.from_state({"classes": np.array(self.classes)}).inverse_transform(
            indices)

    def to_dict(self) -> dict:
        """A JSON-able dict holding everything :meth:`from_dict` needs."""
        return {"target": self.target, "task": self.task, "numeric": list(self.numeric),
                "categorical": self.encoder.state(), "impute": self.impute,
                "fill": dict(self.fill), "classes": self.classes, "dtype": self.dtype}

    @classmethod
    def from_dict(cls, state: dict) -> CsvSchema:
        """Rebuild a schema from :meth:`to_dict`'s output (e.g. read back from JSON)."""
        if not isinstance(state, dict) or sorted(state) != sorted(_KEYS):
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise DataError(f"a CSV schema needs exactly the keys {', '.join(_KEYS)}; got {got}.")
        if state["task"] not in ("classification", "regression") or (
                (state["task"] == "classification") != isinstance(state["classes"], list)):
            raise DataError("a CSV schema needs task 'classification' with a 'classes' list or "
                            "'regression' with classes None.")
        if state["impute"] is not None:
            check_choice("CSV schema 'impute'", state["impute"], IMPUTE)
        encoder = OneHotEncoder.from_state(state["categorical"])
        missing_fill = set(state["fill"]) - set(state["numeric"]) - set(encoder.names_)
        if missing_fill:
            raise DataError(f"CSV schema 'fill' names unknown columns {sorted(missing_fill)}.")
        return cls(str(state["target"]), state["task"], [str(c) for c in state["numeric"]],
                   encoder, state["impute"], dict(state["fill"]),
                   None if state["classes"] is None else [str(c) for c in state["classes"]],
                   check_float_dtype(state["dtype"], "CSV schema 'dtype'").name)
