"""A profile of a CSV file before training: what each column holds and how to read it.

:func:`inspect_csv` reads the file with the loader's own rules (what is a number, a formatted
number, a date, too many categories, which task a target means) and suggests the ``data.csv``
options that would train on the file as it is. ``mlkit inspect`` prints it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from mlkit.data.column_notes import codes, column_note, other_decimal
from mlkit.data.csv import FEW_CATEGORIES, infer_task, stray_texts, too_many_categories
from mlkit.data.dates import (
    DATE_FORMATS,
    formats_reading,
    looks_like_dates,
    looks_like_other_dates,
)
from mlkit.data.dialect import COMMA_UTF8, Dialect, guess_encoding, lines_above_header
from mlkit.data.errors import DataError
from mlkit.data.leaks import leak_notes
from mlkit.data.reading import check_columns, line_numbers, read_table, read_table_and_footer
from mlkit.data.values import (
    distinct,
    normalize_categories,
    placeholder_values,
    reads_all,
    to_numbers,
    words_among_numbers,
)
from mlkit.options import did_you_mean

SPLIT_PARTS = 3
"""Train, validation and test: a stratified split puts a row of every class in each."""

RARE = 5
"""A category seen in fewer rows than this is rare: a column with many such is long-tailed."""

__all__ = ["KINDS", "ColumnProfile", "CsvProfile", "inspect_csv"]

KINDS = ("number", "formatted number", "category", "date", "id", "constant", "empty", "text")
"""What a column can hold; constant, empty and text columns are never suggested as features."""

_LEFT_OUT = {"constant": "one value in every row, so it tells rows apart no better than nothing",
             "empty": "no values at all",
             "text": "too many distinct values, with spaces, to be categories (free text?)",
             "id": "identifies rows"}


@dataclass
class ColumnProfile:
    """One column: its kind, missing values (and the texts that meant missing), distinct
    values (after the suggested category spelling, for categories), an example value."""

    name: str
    kind: str
    missing: int
    tokens: list[str]
    distinct: int
    example: str | None
    note: str = ""


@dataclass
class CsvProfile:
    """A file's columns, its file-level facts and the ``data.csv`` options it suggests.

    ``duplicated`` and ``unlabeled`` are file lines: rows repeating an earlier row, and rows
    without a target value; ``footer`` the first cell of each footer line left out, by line.
    ``classes`` counts the rows of each class of a classification target.
    """

    path: str
    rows: int
    columns: list[ColumnProfile]
    target: str | None = None
    task: str | None = None
    classes: dict[str, int] | None = None
    duplicated: list[int] = field(default_factory=list)
    unlabeled: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    numbers: str = "plain"
    categories: str = "exact"
    dialect: Dialect = COMMA_UTF8
    found: list[str] = field(default_factory=list)
    min_frequency: int | None = None
    leaks: list[str] = field(default_factory=list)
    small: dict[str, list[int]] = field(default_factory=dict)
    date_format: str | None = None
    footer: dict[int, str] = field(default_factory=dict)

    def column(self, name: str) -> ColumnProfile:
        """The profile of column ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise DataError(f"{self.path!r} has no column {name!r}." + did_you_mean(
            name, [c.name for c in self.columns], sentence=True))

    def to_frame(self) -> pd.DataFrame:
        """One row per column: name, kind, missing, tokens, distinct, example, note."""
        return pd.DataFrame([vars(c) for c in self.columns])

    def read_with(self) -> str:
        """How the file was read, and which of it was detected or is suggested."""
        found = f" ({'; '.join(self.found)})" if self.found else ""
        return f"read with {self.dialect.describe()}{found}"

    def notes(self) -> list[str]:
        """File-level observations: duplicated rows, rows without a target, the task, likely
        leaks of the target."""
        notes = []
        if self.footer:
            notes.append(f"{len(self.footer)} line(s) under the rows "
                         f"({line_numbers(self.footer)}: "
                         f"{', '.join(map(repr, self.footer.values()))}) are a footer of "
                         "totals or notes, not rows: left out, as the suggested section does "
                         f"(skip_footer: {len(self.footer)})")
        if self.duplicated:
            notes.append(f"{len(self.duplicated)} row(s) repeat an earlier row exactly "
                         f"({line_numbers(self.duplicated)}): they would count twice in "
                         "training and could land in both the training and test rows, so the "
                         "suggested section drops them (duplicates: drop); set keep if they "
                         "are real repeats")
        if self.unlabeled:
            notes.append(f"{len(self.unlabeled)} row(s) have no target value "
                         f"({line_numbers(self.unlabeled)}); training and evaluation leave "
                         "them out and list them")
        if self.task == "classification":
            balance = ", ".join(f"{label} {count} ({count / sum(self.classes.values()):.0%})"
                                for label, count in self.classes.items())
            notes.append(f"target {self.target!r}: classification, {len(self.classes)} "
                         f"classes: {balance}")
        elif self.task == "regression":
            notes.append(f"target {self.target!r}: regression")
        for label, lines in self.small.items():
            notes.append(f"class {label!r} has {len(lines)} row(s) ({line_numbers(lines)}), "
                         f"fewer than the {SPLIT_PARTS} parts of a stratified split (train, "
                         "val, test; one each), so the suggested section sets data.split."
                         "stratify: false; correct or remove them to split by class")
        left_out = [c for c in self.columns if c.kind in _LEFT_OUT and c.name != self.target]
        for column in left_out:
            role = "named in ids" if column.kind == "id" else "left out of features"
            why = column.note or _LEFT_OUT[column.kind]
            if column.kind == "constant" and column.missing:
                why = (f"one value, {column.example!r}, where filled (missing in "
                       f"{column.missing} rows), so only whether it is filled tells rows apart")
            notes.append(f"{column.name!r} {role}: {why}")
        for column in self.columns:
            if column.name != self.target and column.kind not in _LEFT_OUT and (
                    2 * column.missing > self.rows):
                notes.append(f"{column.name!r} is missing in {column.missing} of {self.rows} rows"
                             ": impute fills them all with one value; missing_indicator: true "
                             "adds an input that says where a value was missing")
        target = [c for c in self.columns if c.name == self.target and c.note]
        return notes + [f"target {self.target!r}: {c.note}" for c in target] + self.leaks

    def csv_section(self) -> dict:
        """The suggested ``data.csv`` section (needs a target): every column a feature but
        the target, ids, and constant, empty and text columns; the reading options found;
        repeated rows dropped."""
        if self.target is None:
            raise DataError("a suggested data.csv section needs the target column; pass "
                            "target= to inspect_csv (--target in mlkit inspect).")
        features = [c for c in self.columns if c.name != self.target
                    and c.kind not in _LEFT_OUT]
        gaps = any(c.missing for c in features)
        return {"path": self.path, "target": self.target,
                "features": [c.name for c in features],
                "categorical": [c.name for c in features if c.kind == "category"],
                "dates": [c.name for c in features if c.kind == "date"],
                "date_format": self.date_format,
                "ids": [c.name for c in self.columns if c.kind == "id"
                       and c.name != self.target],
                "missing": list(self.missing), "numbers": self.numbers,
                "categories": self.categories, "impute": "median" if gaps else None,
                "duplicates": "drop" if self.duplicated else "keep", "sep": self.dialect.sep,
                "decimal": self.dialect.decimal, "encoding": self.dialect.encoding,
                "skip_lines": self.dialect.skip_lines,
                "skip_footer": self.dialect.skip_footer,
                "min_frequency": self.min_frequency}


def _kind(values: pd.Series, unique: pd.Series, plain: pd.Series | None, rows: int,
          decimal: str = ".") -> str:
    """The kind of a column's present values (no missing ones), by the loader's rules; each
    check but the counter's reads the column's distinct values (``unique``; ``plain``, see
    :func:`_plain_numbers`) once."""
    if values.empty:
        return "empty"
    if len(unique) == 1:
        return "constant"
    numbers = plain is not None
    if numbers and codes(unique):  # codes, never amounts
        return "id" if too_many_categories(len(unique), rows) else "category"
    if numbers:  # a counter 1, 2, 3 ... longer than a few is an id (no value repeats in it)
        counter = len(values) > FEW_CATEGORIES and len(unique) == len(values) and bool(
            np.all(np.diff(plain.to_numpy()) == 1))
        return "id" if counter else "number"
    if reads_all(unique, "formatted", decimal):
        return "formatted number"
    if looks_like_dates(unique):
        return "date"
    if looks_like_other_dates(unique):
        return "text"
    if too_many_categories(len(unique), rows):
        return "text" if unique.astype(str).str.contains(r"\s").any() else "id"
    return "category"


def _spelling(unique: dict[str, pd.Series], names: list[str]) -> str:
    """strip_lower when lowercasing merges categories of the ``names`` columns (``unique``:
    their distinct values) beyond what removing spaces does, strip when removing spaces
    merges some, else exact."""
    def count(how: str) -> int:
        return sum(normalize_categories(unique[c], how).nunique() for c in names)

    exact, strip, lower = count("exact"), count("strip"), count("strip_lower")
    return "strip_lower" if lower < strip else "strip" if strip < exact else "exact"


def inspect_csv(path, target: str | None = None, *, sep=None, decimal=None,
                encoding=None, skip_lines=None, skip_footer=None) -> CsvProfile:
    """Profile a CSV file: how it is written, each column's kind, missing values and distinct
    values, the rows repeated or without a target, and the ``data.csv`` options that read it.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV file with a header line of column names.
    target : str, optional
        The column to predict; gives the task, the class balance, the rows without a target,
        likely leaks of the target and :meth:`CsvProfile.csv_section`.
    sep, decimal, encoding : str, optional
        As in :func:`mlkit.data.load_csv`; by default the separator is detected, a decimal
        comma is suggested when it reads numbers that a point does not, and a file that is
        not UTF-8 is read as cp1252 (or latin-1) and that encoding suggested.
    skip_lines : int, optional
        As in :func:`mlkit.data.load_csv`; by default the title and notes lines found above
        the header line are skipped, and that count suggested.
    skip_footer : int, optional
        As in :func:`mlkit.data.load_csv`; by default the footer lines found under the rows
        (totals, notes) are left out, and that count suggested.
    """
    found = []
    if encoding is None:
        encoding = guess_encoding(path)
        if encoding != "utf-8":
            found.append(f"the file is not UTF-8; set encoding: {encoding}")
    if skip_lines is None:
        skip_lines = lines_above_header(path, encoding)
        if skip_lines:
            found.append("lines above the header found")
    dialect = Dialect.of(path, sep, "." if decimal is None else decimal, encoding, skip_lines,
                         skip_footer or 0)
    dialect = replace(dialect, own_footer=skip_footer is None)
    if sep is None:
        found.append("separator detected")
    header = list(read_table(path, dialect=dialect).columns)
    if target is not None:
        check_columns("target", [target], header, repr(os.fspath(path)))
    written = None if decimal is not None else read_table(path, header, header, dialect=dialect)
    unique = {} if written is None else {c: distinct(written[c]) for c in header}
    if unique and _decimal_comma(unique):
        dialect, written = replace(dialect, decimal=","), None  # footers read with it
        found.append("numbers like 3,5 found: decimal ',' suggested")
    raw, footer = read_table_and_footer(path, header, header, raw=True, dialect=dialect)
    read_with, dialect = dialect, replace(dialect, skip_footer=len(footer), own_footer=False)
    if len(footer) and skip_footer is None:
        found.append("footer found")
    same = written is not None and len(written) == len(raw) and (
        not len(footer) or read_with == dialect)  # the same rows as read again: no second read
    pandas_missing = written if same else read_table(path, header, header, dialect=dialect)
    unique = unique if same else {c: distinct(pandas_missing[c]) for c in header}
    plain = {c: _plain_numbers(unique[c], dialect.decimal) for c in header}
    tokens = sorted({t for c in header for t in _missing_marks(
        pandas_missing[c], unique[c], plain[c], dialect.decimal)})
    strays = [] if target is None else stray_texts(pandas_missing[target].where(
        ~pandas_missing[target].isin(tokens)), "formatted", dialect.decimal)
    tokens = sorted({*tokens, *strays})
    text = read_table(path, header, header, tokens, dialect=dialect) if tokens else pandas_missing
    if tokens:
        unique = {c: distinct(text[c]) for c in header}
        plain = {c: _plain_numbers(unique[c], dialect.decimal) for c in header}
    rows = len(text)
    if not rows:
        raise DataError(f"{os.fspath(path)!r} has a header but no data rows.")
    kinds = {c: _kind(text[c].dropna(), unique[c], plain[c], rows, dialect.decimal)
             for c in header}
    other_dates = [c for c in header if kinds[c] == "text" and looks_like_other_dates(text[c])]
    formats = sorted(set.intersection(*(set(formats_reading(text[c])) for c in other_dates)),
                     key=DATE_FORMATS.index) if other_dates else []
    date_format = formats[0] if len(formats) == 1 else None
    kinds.update({c: "date" for c in other_dates if date_format})
    categorical = [c for c in header if kinds[c] == "category" and c != target]
    categories = _spelling(unique, categorical)
    columns = []
    for col in header:
        values = text[col]
        if col in categorical:
            values = normalize_categories(values, categories)
        seen = sorted(set(raw[col][values.isna()]))
        present = values.dropna()
        columns.append(ColumnProfile(col, kinds[col], int(values.isna().sum()), seen,
                                     int(present.nunique()) if col in categorical
                                     else len(unique[col]),
                                     None if present.empty else str(present.iloc[0]),
                                     column_note(text[col], values, kinds[col],
                                                  col == target, dialect.decimal, formats)))
    formatted = any(kinds[c] == "formatted number" for c in header)
    read = {c: normalize_categories(text[c], categories) for c in categorical}
    long_tailed = [c for c in columns if c.name in categorical and _long_tailed(read[c.name])
                   and not other_decimal(text[c.name], dialect.decimal)]
    for column in long_tailed:
        counts = read[column.name].value_counts()
        column.note = "; ".join(filter(None, [column.note, (
            f"{int((counts < RARE).sum())} of {len(counts)} categories in fewer than {RARE} "
            f"rows: min_frequency: {RARE} makes them one '{column.name}=(other)' input")]))
    profile = CsvProfile(os.fspath(path), rows, columns, target,
                         duplicated=[int(r) for r in raw.index[raw.duplicated()]],
                         missing=tokens, numbers="formatted" if formatted else "plain",
                         categories=categories, dialect=dialect, found=found,
                         min_frequency=RARE if long_tailed else None, date_format=date_format,
                         footer={int(line): str(cell) for line, cell in footer.items()})
    if target is not None:
        labels = text[target]
        profile.unlabeled = [int(r) for r in labels.index[labels.isna()]]
        profile.task = infer_task(labels.dropna(), profile.numbers, dialect.decimal)
        usable = [c.name for c in columns if c.name != target and c.kind not in _LEFT_OUT]
        numeric = [c for c in usable if kinds[c] in ("number", "formatted number")
                   and profile.task != "classification"]  # read as numbers for regression
        profile.leaks = leak_notes(text, target, profile.task, usable, {
            c: to_numbers(text[c], profile.numbers, dialect.decimal)
            for c in numeric + ([target] if profile.task == "regression" else [])})
        if strays:
            profile.column(target).note = (
                f"{', '.join(map(repr, strays))} among its numbers: read as missing, so those "
                "rows are left out; correct them in the file to keep them")
        if profile.task == "classification":
            counts = labels.dropna().value_counts()
            profile.classes = {str(k): int(v) for k, v in sorted(counts.items())}
            few, lines = sorted(k for k, v in counts.items() if v < SPLIT_PARTS), {}
            for line, label in labels[labels.isin(few)].items():  # one pass, not one a class
                lines.setdefault(label, []).append(int(line))
            profile.small = {str(k): lines[k] for k in few}
    return profile


def _plain_numbers(unique: pd.Series, decimal: str) -> pd.Series | None:
    """A column's distinct values ``unique`` read as plain numbers, when every one reads
    (None when some does not: a column of words is told by its first values)."""
    if not reads_all(unique.iloc[:256], "plain", decimal):
        return None
    numbers = to_numbers(unique, "plain", decimal)
    return numbers if numbers.notna().all() else None


def _missing_marks(column: pd.Series, unique: pd.Series, plain: pd.Series | None,
                   decimal: str) -> list[str]:
    """The placeholders and words among numbers in ``column`` (its distinct values
    ``unique``, ``plain`` those read as numbers): none in a column whose every value is a
    (formatted) number, so such a column is read once, not searched for them."""
    if (decimal == "." and plain is not None) or reads_all(unique, "formatted", decimal):
        return []
    return placeholder_values(column) + words_among_numbers(column, decimal)


def _decimal_comma(unique: dict[str, pd.Series]) -> bool:
    """Whether a decimal comma reads some column's values (``unique``: each column's distinct
    ones) as numbers that a point does not, and reads every column a point reads as numbers."""
    def loss_ahead(values: pd.Series) -> bool:  # its first values read with a point only
        head = values.iloc[:256]
        return reads_all(head, "formatted", ".") and not reads_all(head, "formatted", ",")

    gains = False  # the likely losses first: one full read of a column of decimals decides
    for values in sorted(unique.values(), key=loss_ahead, reverse=True):
        point, comma = reads_all(values, "formatted", "."), reads_all(values, "formatted", ",")
        if point and not comma:  # a loss: a file of points ends here, at its first decimal
            return False
        gains = gains or (comma and not point and not values.empty)
    return gains


def _long_tailed(column: pd.Series) -> bool:
    """At least :data:`RARE` rare categories, making at least half of the column's."""
    counts = column.value_counts()
    rare = int((counts < RARE).sum())
    return rare >= RARE and 2 * rare >= len(counts)
