"""A footer under a CSV file's rows (totals and notes, as reports write there): found among
the last rows read, so that it is never read as rows, and left out as ``skip_footer`` says.

The rows pandas read are looked at, not the file again. A footer line holds a text in the
first column alone (a sentence, or ``Total`` under numbers), or is a totals line (``Total``
and the column sums; its totals word found once in that column). A count of footer lines to
leave out is checked as the count of title lines above the header is: one that leaves a
footer line under the rows, or skips a line that reads like a row, is refused with the count
to set, never dropping a row unsaid.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from mlkit.data.dialect import setting
from mlkit.data.errors import DataError
from mlkit.data.file_lines import line_numbers
from mlkit.data.values import filled, to_numbers

__all__ = ["footer_rows"]

_TAIL = 20
"""Rows looked at above the lines to skip: a footer is a few lines under the rows."""

_TOTALS = r"(?i)^\s*(?:grand |sub-?)?(?:totals?|sum|summe|gesamt|somme|totaal|totaux):?\s*$"
"""A totals line's first cell (``Total``, ``Grand total:``, ``Summe``; not ``Total care``),
once in the file (a plan named ``Total`` in other rows too is a category)."""


def footer_rows(frame: pd.DataFrame, path, dialect) -> int:
    """How many last rows of ``frame`` (read from ``path`` as ``dialect`` says, labelled by
    file line) are a footer to leave out: ``dialect.skip_footer`` once checked against the
    rows; for a file read later (``dialect.own_footer``), the footer its rows show when that
    count does not fit them (none in a file to score: its last row stays a row)."""
    skip, rows = dialect.skip_footer, len(frame)
    tail = frame.iloc[-(_TAIL + skip):]
    first = tail.iloc[:, 0]
    values = to_numbers(first, "plain", dialect.decimal)
    text = filled(first) & values.isna()
    if not skip and (tail.empty or not text.iloc[-1]):  # most files end here, cheaply
        return 0
    like = _footer_like(tail, text, values, frame.iloc[:, 0])
    found = _trailing(like) if frame.shape[1] >= 3 else 0  # two columns: a footer is a row
    if skip == found:
        return skip
    kept = _row_like(tail, like, skip, found, dialect.decimal) if found < skip < rows else None
    if kept is not None and kept.empty:  # a footer of lines unlike both rows and notes
        return skip
    if dialect.own_footer:
        return found
    source = repr(os.fspath(path))
    if skip >= rows:
        raise DataError(f"skip_footer={skip} would skip every row of CSV file {source} "
                        f"(it has {rows} lines under its header line); set data.csv.skip_footer "
                        "(skip_footer= in Python) to the number of footer lines under the "
                        "rows, 0 when it has none.")
    if skip > found:
        raise DataError(f"CSV file {source}: skip_footer={skip} would skip "
                        f"{line_numbers(kept)} (starting {str(tail.loc[kept[0]].iloc[0])!r})"
                        ", which reads like a row of the table (a number in each column of "
                        "numbers), not a footer; set " + setting("skip_footer", found)
                        + (", or leave it out." if not found else "."))
    lines = tail.index[-found:]
    how = ("delete those lines, or read the file as it is with" if not skip else
           f"skip_footer={skip} leaves {found - skip} of them under the rows; set")
    raise DataError(f"CSV file {source} ends with {found} line(s) holding a text in the first "
                    f"column alone or a total ({line_numbers(lines)}: "
                    f"{', '.join(repr(str(v)) for v in first.iloc[-found:])}): a footer of "
                    f"totals or notes, not rows; {how} {setting('skip_footer', found)}.")


def _footer_like(tail: pd.DataFrame, text: pd.Series, values: pd.Series,
                 column: pd.Series) -> pd.Series:
    """For each row of ``tail``, whether it reads as a footer line: a text (``text``, its
    first cell not a number) alone, a sentence or under numbers, or a totals word once in
    the whole first ``column``."""
    first = tail.iloc[:, 0].astype(str)
    alone = text & ~filled(tail.iloc[:, 1:]).any(axis=1)
    seen = column[column.isin(set(tail.iloc[:, 0].dropna()))]  # not all of a column of ids
    once = tail.iloc[:, 0].map(seen.value_counts()) == 1  # 'Total' in rows above: a category
    totals = text & first.str.contains(_TOTALS) & once
    numbers_above = values[~alone & ~totals & tail.iloc[:, 0].notna()].notna().all()
    return (alone & (first.str.contains(r"\s") | numbers_above)) | totals


def _trailing(like: pd.Series) -> int:
    """How many last rows are footer-like, under rows that are not (0 when all are)."""
    count = len(like) - np.flatnonzero(np.r_[True, ~like.to_numpy()])[-1]
    return count if count < len(like) else 0


def _row_like(tail: pd.DataFrame, like: pd.Series, skip: int, found: int,
              decimal: str) -> pd.Index:
    """The lines among the last ``skip`` rows of ``tail`` above its ``found`` footer lines
    that read like rows: not footer-like, with a value, and a number (or nothing) in each
    column holding only numbers in the rows above."""
    end = len(tail) - skip
    above, cells = tail.iloc[:end][~like.iloc[:end]], tail.iloc[end:len(tail) - found]
    valued = filled(cells)
    row = valued.any(axis=1) & ~like.iloc[end:len(tail) - found]
    for name in tail.columns:
        column = above[name][filled(above[name])]
        if len(column) and to_numbers(column, "plain", decimal).notna().all():
            row &= ~valued[name] | to_numbers(cells[name], "plain", decimal).notna()
    return cells.index[row.to_numpy()]
