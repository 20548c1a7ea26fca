"""Reading a CSV file's columns, with errors that name the file, the lines and the fix.

Every reader of CSV files (loading, inspecting, evaluating, predicting) goes through
:func:`read_table`, so a file is read the same way, and a bad value is reported the same way,
wherever it is read. Its rows are labelled by their line in the file (the header's lines
and any lines skipped above it counted), so every message names the file's own lines; a
footer under them is left out as the dialect's ``skip_footer`` says (see ``footer.py``).
"""

from __future__ import annotations

import os
import warnings

import pandas as pd

from mlkit.data.dates import formats_reading, parse_dates
from mlkit.data.dialect import COMMA_UTF8, encoding_error, is_number
from mlkit.data.errors import DataError
from mlkit.data.file_lines import line_numbers, row_lines
from mlkit.data.footer import footer_rows
from mlkit.data.header import header_names
from mlkit.data.values import (
    comma_decimal_values,
    filled,
    formatted_values,
    placeholder_values,
    to_numbers,
    words_among_numbers,
)
from mlkit.options import did_you_mean

__all__ = ["check_columns", "date_problems", "line_numbers", "numeric_problems", "raise_problems",
           "read_columns", "read_table", "read_table_and_footer"]


def read_table(path, columns=None, text=(), missing=(), raw=False, dialect=COMMA_UTF8,
               ) -> pd.DataFrame:
    """Read ``path`` as ``dialect`` says (only ``columns``; ``text`` columns as strings) with
    errors naming it; the ``missing`` strings are read as missing values, besides pandas' own
    (``NA``, ...), unless ``raw``: then no text at all is read as missing. With a decimal
    comma every column is read as text (numbers are read by :func:`to_numbers`). Rows are
    labelled by their file line. A column without a name must be empty, and is left out."""
    return read_table_and_footer(path, columns, text, missing, raw, dialect)[0]


def read_table_and_footer(path, columns=None, text=(), missing=(), raw=False,
                          dialect=COMMA_UTF8) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`read_table`'s rows, and the footer lines left out under them: each one's first
    cell, labelled by its file line."""
    names = header_names(path, dialect)
    if columns is None and all(names):
        return pd.DataFrame(columns=names), pd.Series(dtype=object)
    unnamed = {f"(column {i + 1})": i + 1 for i, name in enumerate(names) if not name}
    names = [name or f"(column {i + 1})" for i, name in enumerate(names)]
    as_text = names if dialect.decimal != "." else [*text, *unnamed]
    try:
        with warnings.catch_warnings():
            # every row must have as many values as the header has names: pandas would
            # otherwise drop the extras or turn the first column into the index
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, sep=dialect.sep, encoding=dialect.encoding, header=0,
                                skiprows=dialect.skip_lines, names=names,
                                dtype={c: str for c in as_text}, index_col=False,
                                na_values=list(missing) or None, keep_default_na=not raw)
    except pd.errors.ParserWarning:
        raise DataError(f"CSV file {os.fspath(path)!r} has a row with more values than its "
                        "header has column names; remove the extra values or name the "
                        "column.") from None
    except UnicodeDecodeError:
        raise encoding_error(path, dialect.encoding) from None
    except pd.errors.ParserError as exc:
        raise DataError(f"CSV file {os.fspath(path)!r} could not be parsed ({str(exc).strip()});"
                        f" check that every row has one value per column, {dialect.sep!r}-"
                        "separated (set data.csv.sep if another separator is meant).") from None
    frame.index = row_lines(path, dialect, len(frame))
    rows = len(frame) - footer_rows(frame, path, dialect)
    footer, frame = frame.iloc[rows:, 0], frame.iloc[:rows]
    _refuse_unnamed_values(frame[list(unnamed)], unnamed, path)
    _refuse_header_rows(frame.drop(columns=list(unnamed)), path)
    if columns is None:  # the header's names alone, once the unnamed columns are checked
        return frame.iloc[:0].drop(columns=list(unnamed)), footer
    return frame[list(columns)], footer


def _refuse_unnamed_values(frame: pd.DataFrame, numbers: dict[str, int], path) -> None:
    """Refuse a column without a name in the header line that holds a value; one empty in
    every row (a separator left at the end of each line, as spreadsheets export) is no
    column at all."""
    valued = filled(frame)
    held = [name for name in frame.columns if valued[name].any()]
    if held:
        first = valued.index[valued[held[0]].to_numpy()][0]
        raise DataError(f"CSV file {os.fspath(path)!r}'s header line has a problem: "
                        f"column(s) {[numbers[n] for n in held]} (counting from 1) have no name"
                        f" but hold values (e.g. {frame.loc[first, held[0]]!r} on line "
                        f"{first}); name them in the header line.")


def _refuse_header_rows(frame: pd.DataFrame, path) -> None:
    """Refuse rows repeating the header line (files of one export joined one after another):
    read as data, their names would become a class, a category and missing-value marks."""
    rows, compared = frame.index, False
    for name in frame.columns:
        column = frame[name].loc[rows]
        if not pd.api.types.is_numeric_dtype(column):
            text = column.astype(str)
            if name not in "".join(text.dropna().to_numpy()):  # no value holds the name
                return
            rows, compared = rows[text.str.strip().to_numpy() == name], True
        elif not is_number(name):  # a column of numbers holds no name
            return
        if rows.empty:
            return
    if compared:
        raise DataError(f"CSV file {os.fspath(path)!r} repeats its header line as a row "
                        f"({line_numbers(rows)}), as files joined one after another do; "
                        "delete those lines, so that the header line comes once, at the top.")


def check_columns(param: str, names, columns, source: str) -> list[str]:
    """``names`` (checked as a list of text) as a list of columns of the file."""
    names = list(names)
    for name in names:
        if name not in columns:
            raise DataError(f"{param} column {name!r} is not in {source}; its columns are "
                            f"{', '.join(columns)}." + did_you_mean(name, columns, sentence=True))
    return names


def raise_problems(source: str, problems: list[str]) -> None:
    """Raise one DataError listing every problem found in a file (nothing when none)."""
    if len(problems) == 1:
        raise DataError(problems[0])
    if problems:
        raise DataError(f"{source} has {len(problems)} problems:\n- " + "\n- ".join(problems))


def numeric_problems(frame: pd.DataFrame, numeric: list[str], source: str,
                     numbers: str = "plain", decimal: str = ".", run: bool = False,
                     ) -> list[str]:
    """One message per ``numeric`` column holding values that are not numbers as ``numbers``
    and ``decimal`` read them, naming the option that would read them when one would; for a
    file read by a trained ``run``, as a setting to train with (a run's cannot change)."""
    problems = []
    for col in numeric:
        column = frame[col]
        values = to_numbers(column, numbers, decimal)
        huge = column.index[values.abs() > _LARGEST]
        if len(huge):
            problems.append(f"column {col!r} of {source} holds numbers too large to learn from "
                            f"or score ({_count_lines(huge)}, e.g. {str(column[huge[0]])!r}): "
                            "infinite, or beyond 1e154, whose square overflows; correct them, "
                            "or list the text in data.csv.missing (missing= in Python) to read "
                            "them as missing.")
        bad = column.notna() & values.isna()
        if not bad.any():
            continue
        fixes = []
        formatted = bad & formatted_values(column, decimal)
        if formatted.any():
            first = formatted.idxmax()
            fixes.append(f"{column[first]!r} ({_count_lines(column.index[formatted])}) looks "
                         "like a formatted number: set data.csv.numbers: formatted "
                         "(numbers='formatted' in Python)")
        if decimal == ".":
            comma = bad & ~formatted & comma_decimal_values(column, "formatted")
            if comma.any():
                first = comma.idxmax()
                fixes.append(f"{column[first]!r} ({_count_lines(column.index[comma])}) looks "
                             "like a number with a decimal comma: set data.csv.decimal: ',' "
                             "(decimal=',' in Python; then '.' separates thousands, read "
                             "with numbers: formatted)")
                formatted = formatted | comma
        tokens = placeholder_values(column[bad & ~formatted])
        marked = bad & column.isin(tokens)
        if tokens:
            fixes.append(f"{', '.join(repr(t) for t in tokens)} "
                         f"({_count_lines(column.index[marked])}) "
                         f"{'looks' if len(tokens) == 1 else 'look'} like a missing-value mark:"
                         f" set data.csv.missing: {tokens} (missing={tokens} in Python)")
        other = column.index[bad & ~formatted & ~marked]
        message = f"column {col!r} of {source} is not numeric"
        if len(other):
            more = f" ({len(other)} values, {line_numbers(other)})" if len(other) > 1 else ""
            words = words_among_numbers(column, decimal)
            message += (f" (e.g. {column[other[0]]!r} on line {other[0]}); " + (
                f"if {' and '.join(repr(w) for w in words)} "
                f"{'means' if len(words) == 1 else 'mean'} the value is missing, set "
                f"data.csv.missing: {words} (missing={words} in Python); otherwise "
                if words else "") + "list it in a config's data.csv.categorical, data.csv.dates "
                "or data.csv.ids (categorical=, dates=, ids= in Python), or fix the value"
                f"{more}")
        if fixes:
            message += ("; " if len(other) else ": ") + "; ".join(fixes)
        if run:
            message += (" (this run reads files as its training file was read: train again "
                        "with that setting, or write the values as the training file did)")
        problems.append(message + ".")
    return problems


_LARGEST = 1e154
"""Beyond this a number's square, in a variance or a squared error, overflows float64."""


def _count_lines(rows) -> str:
    """``"1 value, line 3"`` or ``"4 values, lines 3, 5, ..."``."""
    return f"{len(rows)} value{'s' if len(rows) > 1 else ''}, {line_numbers(rows)}"


def date_problems(frame: pd.DataFrame, dates, source: str,
                  date_format: str | None = None) -> list[str]:
    """One message per date column holding values that are not dates (ISO 8601, or in
    ``date_format``), naming the format that reads them when one does."""
    problems = []
    for col in dates:
        values = frame[col]
        bad = values.index[parse_dates(values.astype(str), date_format).isna().to_numpy()
                           & values.notna()]
        if not len(bad):
            continue
        written = f" or as {date_format!r} says" if date_format else ""
        fix = "write dates as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS" + written
        formats = formats_reading(values[bad])
        if formats and date_format:  # '13/01/2020' under '%d/%m/%Y': 01/02/2020 read wrong too
            fix = (f"they read as {' or '.join(map(repr, formats))}, not as {date_format!r}: "
                   "if the file writes every date so, those read either way are misread; "
                   + fix)
        elif formats:
            which = ", whichever order the file uses" if len(formats) > 1 else ""
            fix = (f"they read as dates with data.csv.date_format: "
                   f"{' or '.join(map(repr, formats))} (date_format= in Python{which}); or {fix}")
        problems.append(f"column {col!r} of {source} has {len(bad)} value(s) that are not "
                        f"dates (e.g. {values[bad[0]]!r}, {line_numbers(bad)}); {fix}.")
    return problems


def read_columns(path, names: list[str], rows=None, dialect=COMMA_UTF8) -> pd.DataFrame:
    """The ``names`` columns of a CSV file as text (the rows of those file lines only, if
    ``rows`` are given)."""
    header = list(read_table(path, dialect=dialect).columns)
    absent = [c for c in names if c not in header]
    if absent:
        raise DataError(f"{os.fspath(path)!r} has no column(s) {', '.join(absent)} to keep; its "
                        f"columns are {', '.join(header)}.")
    if not names:
        return pd.DataFrame(index=pd.RangeIndex(0) if rows is None else rows)
    frame = read_table(path, names, names, dialect=dialect)[names]
    return frame if rows is None else frame.loc[rows]
