"""The file line each data row of a CSV file starts on, so that messages name the file's lines.

pandas numbers the rows it reads in turn. The file's own numbers differ where pandas skips a
blank line (empty, or only spaces and tabs other than the separator) and where a quoted cell
spans lines. Lines end where pandas ends them: at a line feed, a carriage return or both, not
at a form feed. A file is matched with one scan for blank lines and, when quoted cells change
the count, one count of the quotes before each line; only a file with a quote inside an
unquoted cell (``55" wide``) is read record by record.
"""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd

__all__ = ["line_numbers", "row_lines"]


def line_numbers(rows, limit: int = 5) -> str:
    """``"line 3"`` or ``"lines 3, 5, ..."``: the file lines of rows labelled by
    :func:`row_lines`."""
    rows = list(rows)
    lines = ", ".join(str(int(r)) for r in rows[:limit]) + (
        ", ..." if len(rows) > limit else "")
    return ("line " if len(rows) == 1 else "lines ") + lines


def row_lines(path, dialect, rows: int) -> pd.Index:
    """The file line where each of the ``rows`` data rows pandas read from ``path`` starts;
    the rows numbered in turn from ``dialect.first_line`` when the file does not match them."""
    with open(path, encoding=dialect.encoding) as file:  # universal newlines, as pandas ends lines
        text = file.read().split("\n", dialect.skip_lines)[-1]  # from the header line on
    blank = _blank_lines(text, dialect.sep)
    starts = np.flatnonzero(~blank[1:]) + 1  # every filled line after the header starts a row
    if len(starts) != rows and '"' in text:
        inside = _lines_in_quotes(text, dialect.sep)
        if inside is None:
            inside = _lines_in_records(text, dialect.sep, len(blank))
        if inside is not None:
            starts = np.flatnonzero(~blank[1:] & ~inside[1:]) + 1
    header = dialect.first_line - 1
    if len(starts) == rows:
        return pd.Index(starts + header)
    return pd.RangeIndex(header + 1, header + 1 + rows)


def _blank_lines(text: str, sep: str) -> np.ndarray:
    """For each line of ``text``, whether pandas skips it as blank."""
    blank = np.zeros(text.count("\n") + 1, dtype=bool)
    spaces = re.escape(" \t".replace(sep, ""))
    line, at = 0, 0
    # "\n" before the text lets its first line match too; match.start() is then the position
    # in ``text`` where the blank line begins
    for match in re.finditer(f"\n[{spaces}]*(?=\n|\\Z)", "\n" + text):
        line += text.count("\n", at, match.start())
        at = match.start()
        blank[line] = True
    return blank


def _lines_in_quotes(text: str, sep: str) -> np.ndarray | None:
    """For each line of ``text``, whether it starts inside a quoted cell, by counting the
    quotes before it; None unless each quote so counted as opening follows a separator, a line
    end or a quote (of a doubled pair), and each closing one is followed by one: a quote inside
    an unquoted cell (``55" wide``) is a character, not a cell's start."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)  # '"', sep and "\n": one byte
    quotes = np.flatnonzero(data == ord('"'))
    bounds = [ord("\n"), ord(sep), ord('"')]
    for beside in (quotes[::2] - 1, quotes[1::2] + 1):
        found = data[beside[(beside >= 0) & (beside < len(data))]]
        if not np.isin(found, bounds).all():
            return None
    line_starts = np.concatenate([[0], np.flatnonzero(data == ord("\n")) + 1])
    return np.searchsorted(quotes, line_starts) % 2 == 1


def _lines_in_records(text: str, sep: str, lines: int) -> np.ndarray | None:
    """For each of the ``lines`` lines of ``text``, whether it continues a record begun on an
    earlier line, as the csv module reads quotes (like pandas); None when it cannot read them."""
    reader = csv.reader(text.split("\n"), delimiter=sep)
    try:
        ends = [reader.line_num for _ in reader]
    except csv.Error:  # a cell over csv.field_size_limit(), a quote never closed
        return None
    inside = np.ones(lines, dtype=bool)
    inside[[0, *ends[:-1]]] = False
    return inside
