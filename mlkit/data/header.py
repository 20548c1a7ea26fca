"""The header line of a CSV file: its column names, and what keeps a line from being one (a
name used twice, a row index, numbers), each refused with the fix."""

from __future__ import annotations

import csv
import io
import os

from mlkit.data.dialect import _SAMPLE_LINES, SEPARATORS, Dialect, _table_sample, is_number
from mlkit.data.errors import DataError

__all__ = ["header_names"]


def header_names(path, dialect: Dialect) -> list[str]:
    """The column names of the file's header line (its first unless ``skip_lines`` says
    otherwise), without surrounding spaces (or a byte-order mark), ``""`` for a column without
    one (the reader checks it holds no value); a line that cannot be a header is refused with
    the fix."""
    text = _table_sample(path, dialect.encoding, dialect.skip_lines)
    source = repr(os.fspath(path))
    first = next((row for row in csv.reader(io.StringIO(text), delimiter=dialect.sep)), None)
    if not first:
        raise DataError(f"CSV file {source} is empty; it needs a header line of column names "
                        "and at least one data row.")
    names = [name.strip() for name in first]
    others = [s for s in SEPARATORS if s != dialect.sep and s in first[0]]
    if len(names) == 1 and others:
        raise DataError(f"CSV file {source} read with separator {dialect.sep!r} "
                        f"({SEPARATORS[dialect.sep]}) has one column, {first[0]!r}; it looks "
                        f"separated by {others[0]!r} ({SEPARATORS[others[0]]}): set "
                        f"data.csv.sep: {others[0]!r} (sep={others[0]!r} in Python).")
    problems = []
    empty = [i + 1 for i, name in enumerate(names) if not name]
    if empty == [1] and _row_counter(text, dialect.sep):
        problems.append("the first column has no name and counts the rows 0, 1, 2 ...: a row "
                        "index, as pandas' to_csv writes unless given index=False; save the "
                        "file without it, or name it in the header line and list it in "
                        "data.csv.ids")
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    for name in repeated:
        where = [i + 1 for i, n in enumerate(names) if n == name]
        problems.append(f"column name {name!r} is used by columns {where} (counting from 1); "
                        "give each column its own name in the header line")
    counted = names in ([str(i) for i in range(len(names))],
                        [str(i + 1) for i in range(len(names))])  # numpy arrays saved by pandas
    if all(is_number(n, dialect.decimal) for n in names if n) and any(names) and not counted:
        line = f"line {dialect.skip_lines + 1}" if dialect.skip_lines else "its first line"
        problems.append(f"{line} ({dialect.sep.join(first)!r}) holds numbers, not column "
                        "names: the header line is missing; add a line naming the columns "
                        "above the data" + (f", or check skip_lines={dialect.skip_lines}"
                                            if dialect.skip_lines else ""))
    if problems and empty and not problems[0].startswith("the first column"):
        problems.insert(0, f"column(s) {empty} (counting from 1) have no name; name them")
    if problems:
        raise DataError(f"CSV file {source}'s header line has a problem: " + "; ".join(problems)
                        + ".")
    return names


def _row_counter(text: str, sep: str) -> bool:
    """Whether the first field of the sampled data rows counts 0, 1, 2 ... (or 1, 2, 3 ...)."""
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))[1:_SAMPLE_LINES]
    firsts = [row[0].strip() for row in rows if row]
    return bool(firsts) and firsts[0] in ("0", "1") and firsts == [
        str(int(firsts[0]) + i) for i in range(len(firsts))]
