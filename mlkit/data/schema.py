"""The schema of a CSV data set: how its columns become ``X`` and ``y``, for any file.

Training and prediction go through one code path, :meth:`CsvSchema.encode`, so a file read
at prediction time gets exactly the columns, fill values and one-hot layout of training. The
schema is a JSON-able dict (no pickle), stored next to the model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlkit.data.csv_rules import check_date_format
from mlkit.data.datasets import TASKS
from mlkit.data.dates import date_feature_names, date_features, parse_dates
from mlkit.data.dialect import COMMA_UTF8, Dialect
from mlkit.data.errors import DataError, check_choice, check_float_dtype
from mlkit.data.preprocessing import LabelEncoder, OneHotEncoder
from mlkit.data.reading import (
    date_problems,
    line_numbers,
    numeric_problems,
    raise_problems,
    read_columns,
    read_table,
    read_table_and_footer,
)
from mlkit.data.values import (
    CATEGORIES,
    NUMBERS,
    normalize_categories,
    to_numbers,
)
from mlkit.options import did_you_mean

__all__ = ["DUPLICATES", "IMPUTE", "CsvSchema", "Table", "check_feature_columns"]

IMPUTE = ("mean", "median", "most_frequent", "drop")
DUPLICATES = ("keep", "drop")
_KEYS = ("target", "task", "numeric", "categorical", "impute", "fill", "classes", "dtype")
# absent in runs saved before dates, ids and the parsing options were read
_OPTIONAL_KEYS = ("dates", "ids", "missing", "numbers", "categories", "sep", "decimal", "encoding",
                  "indicators", "date_format", "skip_lines", "skip_footer")


def check_feature_columns(features: list[str], columns: list[str], source: str) -> None:
    """Refuse a file (``source``) whose ``columns`` lack a feature column the model was
    trained on, naming the first few and the column the first may be written as."""
    absent = [c for c in features if c not in columns]
    if absent:
        listed = ", ".join(absent[:5]) + (", ..." if len(absent) > 5 else "")
        raise DataError(f"{source} lacks feature column(s) {listed} that the model was "
                        "trained on; add them."
                        + did_you_mean(absent[0], [c for c in columns if c not in features],
                                       sentence=True))


@dataclass
class Table:
    """The encoded rows of one file, and which rows of the file they are.

    ``rows`` are the file lines of the rows behind ``X``; ``dropped`` the lines left out
    for a missing value under ``impute='drop'``; ``unlabeled`` those left out for a missing
    target (when the target is read);
    ``repeated`` those left out for repeating an earlier row (training with
    ``duplicates='drop'``); ``footer`` the footer lines left out under the rows (a file read
    later); ``carried`` the kept rows' id (and requested) columns, as text.
    """

    X: np.ndarray
    y: np.ndarray | None
    rows: np.ndarray
    dropped: np.ndarray
    carried: pd.DataFrame
    unlabeled: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    repeated: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    footer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def dropped_note(self, limit: int = 20) -> str:
        """``"2 rows with a missing value left out (impute='drop'): lines 3, 7"`` (and the
        rows without a target, repeated ones and footer lines), or ``""``."""
        notes = []
        for rows, what, why in (
                (self.repeated, "row", "repeating an earlier row left out (duplicates='drop')"),
                (self.unlabeled, "row", "with no target value left out"),
                (self.dropped, "row", "with a missing value left out (impute='drop')"),
                (self.footer, "footer line", "left out (totals or notes, not rows)")):
            if len(rows):
                notes.append(f"{len(rows)} {what}{'' if len(rows) == 1 else 's'} {why}: "
                             f"{line_numbers(rows, limit)}")
        return "; ".join(notes)


def _spelling_hint(value: str, known: list[str]) -> str:
    """When ``value`` is a known category in other spaces or case: the option that says so."""
    for how in ("strip", "strip_lower"):
        same = normalize_categories(pd.Series([value, *known]), how)
        match = [k for k, v in zip(known, same[1:]) if v == same[0]]
        if match:
            return (f"it is {match[0]!r} written otherwise: to read them alike, train with "
                    f"data.csv.categories: {how} (categories={how!r} in Python); ")
    return ""


def _is_date(value) -> bool:
    return isinstance(value, str) and not pd.isna(parse_dates(pd.Series([value]))[0])


@dataclass
class CsvSchema:
    """How the columns of a CSV file become ``X`` and ``y``; fitted once, applied to any file.

    ``X`` is the numeric columns (in order), then the features of each date column (see
    :mod:`mlkit.data.dates`; ``dates`` maps each to its origin), then one indicator column per
    category of each categorical column. Missing feature values get the fill value learned in
    training, or drop their row under ``impute='drop'``. ``ids`` are columns carried along.
    ``missing``, ``numbers`` and ``categories`` say how cell text is read (see
    :mod:`mlkit.data.values`), and ``dialect`` how the file is split and decoded (see
    :mod:`mlkit.data.dialect`), and ``date_format`` how dates not in ISO 8601 are written,
    the same way for every file (but for the lines above the header and the footer, a
    file's own when it shows them: see ``Dialect.for_file``). ``indicators`` are the columns
    that get a last ``column=(missing)`` input, 1 where the file's cell was missing (before
    the fill) and 0 elsewhere, so a model can tell a filled value from a real one.
    """

    target: str
    task: str
    numeric: list[str]
    encoder: OneHotEncoder
    impute: str | None
    fill: dict
    classes: list[str] | None
    dtype: str
    dates: dict[str, str] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    numbers: str = "plain"
    categories: str = "exact"
    dialect: Dialect = COMMA_UTF8
    indicators: list[str] = field(default_factory=list)
    date_format: str | None = None

    @property
    def features(self) -> list[str]:
        """The raw feature columns a file must have."""
        return self.numeric + list(self.dates) + self.encoder.names_

    @property
    def feature_names(self) -> list[str]:
        """Names of the columns of ``X``."""
        return [name for _, name in self.feature_columns()]

    def feature_columns(self) -> list[tuple[str, str]]:
        """``(input column, name)`` of every column of ``X``, in order: a numeric column
        itself, a date column its date features, a categorical column its indicators, and
        last a ``col=(missing)`` indicator for each column in ``indicators``."""
        return ([(col, col) for col in self.numeric]
                + [(col, name) for col in self.dates for name in date_feature_names(col)]
                + self.encoder.feature_columns()
                + [(col, f"{col}=(missing)") for col in self.indicators])

    def column_groups(self) -> dict[str, list[int]]:
        """Each input column with the indices of the ``X`` columns it becomes (its
        missing-value indicator included), read off :meth:`feature_columns`."""
        groups: dict[str, list[int]] = {}
        for index, (col, _) in enumerate(self.feature_columns()):
            groups.setdefault(col, []).append(index)
        return groups

    def encode(self, frame: pd.DataFrame, source: str = "the data", target: bool = True,
               ) -> Table:
        """Encode a data frame read from a file, reporting every problem in it at once.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows to encode, indexed by data-row position; categorical, date and target
            columns should hold strings.
        source : str
            Where the rows came from, for error messages (e.g. the file name).
        target : bool
            Read the target column too when the frame has it (``y`` is None otherwise).

        Returns
        -------
        Table
            ``X`` of shape (n, len(feature_names)); ``y`` class indices into ``classes`` or
            floats; the rows kept, the rows dropped for a missing value and those without
            a target value (left out whenever the target is read).
        """
        check_feature_columns(self.features, list(frame.columns), source)
        if len(frame) == 0:
            raise DataError(f"{source} has a header but no data rows; add the rows to score.")
        frame = self.clean(frame)
        used = self.features + ([self.target] if target and self.target in frame else [])
        dropped = unlabeled = frame.index[:0]
        if self.target in used:
            labeled = frame[self.target].notna()
            unlabeled, frame = frame.index[~labeled], frame[labeled]
            if len(frame) == 0:
                raise DataError(f"target column {self.target!r} of {source} has no values; "
                                "fill it in, or pass the file without the target to predict.")
        if self.impute == "drop":
            incomplete = frame[used].isna().any(axis=1)
            dropped, frame = frame.index[incomplete], frame[~incomplete]
            if len(frame) == 0:
                raise DataError(f"every row of {source} has a missing value, so impute='drop' "
                                f"leaves nothing ({line_numbers(dropped)}); fill them in.")
        # numbers read before the float fill goes in (as text, '2.5' misreads under decimal ',')
        problems = numeric_problems(frame, self.numeric, source, self.numbers,
                                    self.dialect.decimal, run=True)
        flags = frame[self.indicators].isna().to_numpy(self.dtype)
        missing = frame[self.features].isna()  # the file's gaps, not its unreadable numbers
        for col in self.numeric:
            frame[col] = to_numbers(frame[col], self.numbers, self.dialect.decimal)
        for col in self.features:
            gaps = frame.index[missing[col]]
            if len(gaps) and col not in self.fill:
                problems.append(f"{source} has {len(gaps)} missing value(s) in column {col!r} "
                                f"({line_numbers(gaps)}); fill them in, or train with "
                                "data.csv.impute: mean in the config (impute='mean' in Python; "
                                f"this run has impute={self.impute!r}, which learns no fill "
                                "values).")
            elif len(gaps):
                frame[col] = frame[col].fillna(self.fill[col])
        problems += date_problems(frame, self.dates, source, self.date_format)
        problems += self._unknown_problems(frame, source)
        y = None
        if self.target in used:
            y, target_problems = self._target(frame[self.target], source)
            problems += target_problems
        raise_problems(source, problems)
        dated = [date_features(parse_dates(frame[col].astype(str), self.date_format),
                               pd.Timestamp(origin))
                 for col, origin in self.dates.items()]
        numbers = frame[self.numeric].to_numpy(np.float64)
        blocks = [numbers, *dated,
                  self.encoder.transform(frame[self.encoder.names_].astype(str).to_numpy()),
                  flags]
        X = np.concatenate(blocks, axis=1).astype(self.dtype)
        return Table(X, y, frame.index.to_numpy(), dropped.to_numpy(), frame[[]],
                     unlabeled.to_numpy())

    def clean(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``frame`` with its categorical columns' text normalized as
        ``categories`` says (numbers are read when encoding, where bad ones are reported)."""
        frame = frame.copy()
        for col in self.encoder.names_:
            if col in frame:
                frame[col] = normalize_categories(frame[col], self.categories)
        return frame

    def _unknown_problems(self, frame: pd.DataFrame, source: str) -> list[str]:
        """Categories not seen in training, when they are refused."""
        names = self.encoder.names_
        if self.encoder.handle_unknown == "ignore" or not names:
            return []
        complete = frame[names].notna().all(axis=1).to_numpy()
        index, problems = frame.index[complete], []
        for col, value, rows in self.encoder.unknown(frame[names][complete].astype(str).to_numpy()):
            known = self.encoder.categories_[names.index(col)]
            shown = ", ".join(repr(c) for c in known[:20]) + (  # of maybe 2000 merchants
                f", ... ({len(known)} in all)" if len(known) > 20 else "")
            problems.append(f"column {col!r} of {source} has category {value!r} "
                            f"({line_numbers(index[rows])}) not seen in training; known: "
                            f"{shown}; " + _spelling_hint(value, known)
                            + "to encode it as all zeros, train with data.csv.handle_unknown: "
                            "ignore in the config (handle_unknown='ignore' in Python), or, for "
                            "a long tail, data.csv.min_frequency: N (rare and new ones share one).")
        return problems

    def _target(self, column: pd.Series, source: str) -> tuple[np.ndarray | None, list[str]]:
        if self.task == "regression":
            values = to_numbers(column, self.numbers, self.dialect.decimal)
            if values.isna().any():
                bad = column.index[values.isna()][0]
                return None, [f"target column {self.target!r} of {source} is not numeric "
                              f"(e.g. {column[bad]!r} on line {bad}); regression needs "
                              "numbers: correct the cell, list the text in data.csv.missing "
                              "to leave its rows out, or pass task='classification'."]
            return values.to_numpy(dtype=self.dtype), []
        encoder = LabelEncoder.from_state({"classes": np.array(self.classes)})
        labels = column.astype(str).to_numpy()
        unseen = ~np.isin(labels, self.classes)
        if unseen.any():
            return None, [f"target column {self.target!r} of {source} has label(s) "
                          f"{sorted(set(labels[unseen]))} not seen in training "
                          f"({line_numbers(column.index[unseen])}); known: {self.classes}; "
                          "the model predicts these only: correct the label or drop the row."]
        return encoder.transform(labels), []

    def read(self, path, target: bool = True, keep=()) -> Table:
        """Read and encode a CSV file as :meth:`encode` does; ``carried`` holds its id
        columns (those it has) and the ``keep`` columns (which it must have)."""
        dialect = self.dialect.for_file(path)
        header = list(read_table(path, dialect=dialect).columns)
        check_feature_columns(self.features, header, repr(os.fspath(path)))
        wanted = self.features + ([self.target] if target else [])
        text = self.encoder.names_ + list(self.dates) + [self.target]
        usecols = [c for c in wanted if c in header]
        frame, footer = read_table_and_footer(path, usecols, [c for c in text if c in usecols],
                                              self.missing, dialect=dialect)
        table = self.encode(frame, repr(os.fspath(path)), target)
        table.footer = footer.index.to_numpy()
        carried = [c for c in self.ids if c in header and c not in keep] + list(keep)
        table.carried = read_columns(path, carried, table.rows, dialect)
        return table

    def input_frame(self, path) -> pd.DataFrame:
        """The input columns of every row of a CSV file as values, before any fill: numbers
        (a date as days since its column's origin) and categories as training reads them;
        missing values are NaN. Read the file with :meth:`read` first to have bad values
        reported (here they are missing too)."""
        text = self.encoder.names_ + list(self.dates)
        frame = self.clean(read_table(path, self.features, text, self.missing,
                                      dialect=self.dialect.for_file(path)))
        for col in self.numeric:
            frame[col] = to_numbers(frame[col], self.numbers, self.dialect.decimal)
        for col, origin in self.dates.items():
            times = parse_dates(frame[col].astype(str), self.date_format)
            frame[col] = (times - pd.Timestamp(origin)) / pd.Timedelta(days=1)
        return frame

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
                "fill": dict(self.fill), "classes": self.classes, "dtype": self.dtype,
                "dates": dict(self.dates), "ids": list(self.ids), "missing": list(self.missing),
                "numbers": self.numbers, "categories": self.categories,
                "sep": self.dialect.sep, "decimal": self.dialect.decimal,
                "encoding": self.dialect.encoding, "indicators": list(self.indicators),
                "date_format": self.date_format, "skip_lines": self.dialect.skip_lines,
                "skip_footer": self.dialect.skip_footer}

    @classmethod
    def from_dict(cls, state: dict) -> CsvSchema:
        """Rebuild a schema from :meth:`to_dict`'s output (e.g. read back from JSON); runs
        saved before ``ids`` took load_csv's name wrote it ``id``."""
        if isinstance(state, dict) and "id" in state and "ids" not in state:
            state = {("ids" if key == "id" else key): value for key, value in state.items()}
        if not isinstance(state, dict) or not (
                set(_KEYS) <= set(state) <= set(_KEYS + _OPTIONAL_KEYS)):
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise DataError(f"a CSV schema needs exactly the keys {', '.join(_KEYS)} (and "
                            f"optionally {', '.join(_OPTIONAL_KEYS)}); got {got}.")
        if state["task"] not in TASKS or (
                (state["task"] == "classification") != isinstance(state["classes"], list)):
            raise DataError("a CSV schema needs task 'classification' with a 'classes' list or "
                            "'regression' with classes None.")
        if state["impute"] is not None:
            check_choice("CSV schema 'impute'", state["impute"], IMPUTE)
        encoder = OneHotEncoder.from_state(state["categorical"])
        dates, ids = state.get("dates", {}), state.get("ids", [])
        fill = state["fill"] if isinstance(state["fill"], dict) else {}
        if not isinstance(dates, dict) or not all(
                _is_date(v) and _is_date(fill.get(c, v)) for c, v in dates.items()):
            raise DataError("CSV schema 'dates' must map each date column to its origin, and "
                            "'fill' give it a fill value, each an ISO 8601 date.")
        if not isinstance(ids, list) or not all(isinstance(c, str) for c in ids):
            raise DataError("CSV schema 'ids' must be a list of column names.")
        missing = state.get("missing", [])
        if not isinstance(missing, list) or not all(isinstance(t, str) for t in missing):
            raise DataError("CSV schema 'missing' must be a list of strings.")
        numbers = check_choice("CSV schema 'numbers'", state.get("numbers", "plain"), NUMBERS)
        categories = check_choice("CSV schema 'categories'", state.get("categories", "exact"),
                                  CATEGORIES)
        dialect = Dialect.checked(state.get("sep", ","), state.get("decimal", "."),
                                  state.get("encoding", "utf-8"), state.get("skip_lines", 0),
                                  state.get("skip_footer", 0), name="CSV schema '{}'")
        date_format = check_date_format(state.get("date_format"), "CSV schema '{}'")
        indicators = state.get("indicators", [])
        if not isinstance(indicators, list) or not set(indicators) <= (
                set(state["numeric"]) | set(encoder.names_) | set(dates)) or not all(
                c in state["fill"] for c in indicators):
            raise DataError("CSV schema 'indicators' must be a list of feature columns that "
                            "have fill values.")
        missing_fill = set(state["fill"]) - set(state["numeric"]) - set(encoder.names_) - set(
            dates)
        if missing_fill:
            raise DataError(f"CSV schema 'fill' names unknown columns {sorted(missing_fill)}.")
        return cls(str(state["target"]), state["task"], [str(c) for c in state["numeric"]],
                   encoder, state["impute"], dict(state["fill"]),
                   None if state["classes"] is None else [str(c) for c in state["classes"]],
                   check_float_dtype(state["dtype"], "CSV schema 'dtype'").name,
                   dict(dates), list(ids), list(missing), numbers, categories, dialect,
                   list(indicators), date_format)
