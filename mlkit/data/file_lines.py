"""The file line each data row of a CSV file starts on, so that messages name the file's lines.

pandas numbers the rows it reads in turn. The file's own numbers differ where pandas skips a
blank line (empty, or only spaces and tabs other than the separator) and where a quoted cell
spans lines. Lines end where pandas ends them: at a line feed, a carriage return or both, not
at a form feed. A file without quotes is matched with one scan for blank lines; only a file
whose quoted cells change the count is read record by record.
"""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd

__all__ = ["row_lines"]


def row_lines(path, dialect, rows: int) -> pd.Index:
    """The file line where each of the ``rows`` data rows pandas read from ``path`` starts;
    the rows numbered in turn from ``dialect.first_line`` when the file does not match them."""
    with open(path, encoding=dialect.encoding) as file:  # universal newlines, as pandas ends lines
        text = file.read().split("\n", dialect.skip_lines)[-1]  # from the header line on
    blank = _blank_lines(text, dialect.sep)
    starts = np.flatnonzero(~blank[1:]) + 1  # every filled line after the header starts a row
    if len(starts) != rows and '"' in text:
        starts = _record_starts(text, dialect.sep, blank)
    header = dialect.first_line - 1
    if starts is not None and len(starts) == rows:
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


def _record_starts(text: str, sep: str, blank: np.ndarray) -> np.ndarray | None:
    """The line (0 is the header's) where each data record of ``text`` starts, a quoted cell
    running over as many lines as it holds; None when the csv module cannot read the text."""
    reader = csv.reader(text.split("\n"), delimiter=sep)
    try:
        ends = np.array([reader.line_num for _ in reader], dtype=np.int64)
    except csv.Error:  # a cell over csv.field_size_limit(), a quote never closed
        return None
    starts = np.concatenate([[0], ends[:-1]])
    filled = (ends - starts > 1) | ~blank[starts]  # a record over several lines is never blank
    return starts[1:][filled[1:]]
