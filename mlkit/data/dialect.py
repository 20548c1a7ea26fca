"""How a CSV file is written: its separator, decimal mark and text encoding, the title
lines above its header line (whose names ``header.py`` reads) and the footer lines under its
rows (which ``footer.py`` checks).

A :class:`Dialect` is stored in a run's schema, so a file read at prediction time is split,
decoded and parsed exactly as the training file was. Only the separator is ever detected, and
only when exactly one candidate splits every sampled line into the same number of columns;
the decimal mark, the encoding and the lines to skip are options (``mlkit inspect`` suggests
them). A count of lines to skip that the file's start (or end) contradicts is refused.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass, replace
from typing import Literal

from mlkit.data.csv_rules import encoding_problems, raise_first
from mlkit.data.errors import DataError, DataFileNotFoundError, check_choice, check_int

__all__ = ["COMMA_UTF8", "DECIMALS", "SEPARATORS", "Dialect", "Separator", "check_encoding",
           "encoding_error", "guess_encoding", "is_number", "lines_above_header",
           "separator_by_name", "setting"]

SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
"""The column separators read, by the name messages give them (and an option may use)."""
Separator = Literal[(*SEPARATORS, *SEPARATORS.values())]
"""A column separator, or its name."""

DECIMALS = (".", ",")
"""Decimal marks: ``"."``, or ``","`` (then ``"."`` separates thousands under
``numbers="formatted"``: ``1.234,56`` is 1234.56)."""

_SAMPLE_BYTES = 1 << 16
_SAMPLE_LINES = 50


@dataclass(frozen=True)
class Dialect:
    """The separator, decimal mark and encoding of a CSV file, how many lines (a title,
    notes) stand above its header line, and how many (totals, notes) under its rows. With
    ``own_footer`` (a file read later) the footer the file shows is left out when it differs
    from ``skip_footer`` (see :func:`mlkit.data.footer.footer_rows`); else it is refused."""

    sep: str = ","
    decimal: str = "."
    encoding: str = "utf-8"
    skip_lines: int = 0
    skip_footer: int = 0
    own_footer: bool = False

    @classmethod
    def checked(cls, sep=",", decimal=".", encoding="utf-8", skip_lines=0, skip_footer=0,
                name: str = "{}") -> Dialect:
        """The dialect of these options, each checked (``name`` spells an option in messages)."""
        return cls(check_choice(name.format("sep"), separator_by_name(sep), tuple(SEPARATORS)),
                   check_choice(name.format("decimal"), decimal, DECIMALS),
                   check_encoding(encoding, name),
                   check_int(name.format("skip_lines"), skip_lines, 0),
                   check_int(name.format("skip_footer"), skip_footer, 0))

    @classmethod
    def of(cls, path, sep=None, decimal=".", encoding="utf-8", skip_lines=0,
           skip_footer=0) -> Dialect:
        """Check the options, ``skip_lines`` against the file's start, and resolve
        ``sep=None`` by detecting the file's separator (``skip_footer`` is checked against
        the rows when they are read)."""
        dialect = cls.checked("," if sep is None else sep, decimal, encoding, skip_lines,
                              skip_footer)
        text = _table_sample(path, dialect.encoding, dialect.skip_lines)
        return dialect if sep is not None else replace(dialect,
                                                       sep=_detect_separator(path, text))

    def for_file(self, path) -> Dialect:
        """This dialect for another file of the same export: with the count of lines above
        the header that file's start shows (none in a copy cleaned by hand, one more in a
        month with an extra note), else with this one's; and the footer its rows show."""
        text = _sample(path, self.encoding)
        shown = _lines_above_header(text)
        dialect = replace(self, own_footer=True)
        dialect = dialect if shown is None else replace(dialect, skip_lines=shown)
        table = "".join(text.splitlines(keepends=True)[dialect.skip_lines:])
        found = list(_separators(table))
        if self.sep not in found and len(found) == 1:
            raise DataError(f"CSV file {os.fspath(path)!r} is separated by {found[0]!r} "
                            f"({SEPARATORS[found[0]]}), but the run reads files as its "
                            f"training file was written: {self.describe()}; save the file "
                            "that way.")
        return dialect

    @property
    def first_line(self) -> int:
        """The file line of the first data row (lines count from 1): the one line every
        reader's row labels start from, so messages name the file's own lines."""
        return self.skip_lines + 2

    def describe(self) -> str:
        """``"separator ';' (semicolon), decimal mark ',', encoding 'utf-8'"`` (and the lines
        skipped above the header and under the rows, if any)."""
        skipped = (f", {_count(self.skip_lines)} above the header skipped" if self.skip_lines
                   else "") + (f", {_count(self.skip_footer)} of footer skipped"
                               if self.skip_footer else "")
        return (f"separator {self.sep!r} ({SEPARATORS[self.sep]}), decimal mark "
                f"{self.decimal!r}, encoding {self.encoding!r}{skipped}")


def separator_by_name(sep):
    """The separator a name of :data:`SEPARATORS` stands for (``"tab"`` is ``"\\t"``); any
    other value unchanged."""
    names = {name: char for char, name in SEPARATORS.items()}
    return names.get(sep, sep) if isinstance(sep, str) else sep


def check_encoding(encoding, name: str = "{}") -> str:
    """The standard name of a text encoding (``"utf_8"`` for ``"UTF-8"``)."""
    if not isinstance(encoding, str):
        raise TypeError(f"{name.format('encoding')} must be a text encoding's name, got "
                        f"{encoding!r}.")
    raise_first(encoding_problems(encoding, name))
    return codecs.lookup(encoding).name


COMMA_UTF8 = Dialect()
"""Comma-separated UTF-8 with decimal points: how files were read before these options."""


def _sample(path, encoding: str) -> str:
    """The first lines of the file as text (a last line cut by the sample size left out)."""
    _check_path(path)
    with open(path, "rb") as file:
        data = file.read(_SAMPLE_BYTES)
        complete = not file.read(1)
    text = _decode(path, data, encoding, complete)
    if not complete:
        text = text[:_last_record_end(text)] or text
    return text.lstrip("\ufeff")


def _last_record_end(text: str) -> int:
    """Where the sample's last whole record ends: after its last line break outside quotes (an
    even count of quotes before it), so a quoted cell over several lines is never cut."""
    end = text.rfind("\n") + 1
    quotes = text.count('"', 0, end)
    while quotes % 2 and end:
        start = text.rfind("\n", 0, end - 1) + 1
        quotes -= text.count('"', start, end)
        end = start
    return end or text.rfind("\n") + 1


def _decode(path, data: bytes, encoding: str, complete: bool) -> str:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, data, exc.start) from None


def encoding_error(path, encoding: str, data: bytes | None = None, at: int | None = None,
                   ) -> DataError:
    """The error for a file that is not ``encoding`` text, naming the encoding to set."""
    if data is None:
        with open(path, "rb") as file:
            data = file.read()
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            at = exc.start
    where = ""
    if at is not None:
        line = data.count(b"\n", 0, at) + 1
        where = f" (byte {data[at:at + 1].hex()!r} on line {line})"
    suggested = guess_encoding(path)
    why = (" (as Windows and older Excel write)" if suggested in ("cp1252", "latin-1") else
           " (a byte-order mark says so)" if suggested == "utf-16" else "")
    return DataError(f"CSV file {os.fspath(path)!r} is not {encoding} text{where}; it looks "
                     f"written as {suggested}{why}: set data.csv.encoding: {suggested} in the "
                     f"config (encoding={suggested!r} in Python), or save the file as CSV "
                     "UTF-8.")


def guess_encoding(path) -> str:
    """``"utf-16"`` for a file starting with its byte-order mark (Excel's "Unicode text"),
    ``"utf-8"`` when the file decodes as UTF-8, else ``"cp1252"`` when it decodes as that
    (Windows' Western encoding: é, ü, £, €), else ``"latin-1"`` (which decodes anything)."""
    _check_path(path)
    with open(path, "rb") as file:
        data = file.read()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _check_path(path) -> None:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str), got {type(path).__name__}.")
    if not os.path.exists(path):
        raise DataFileNotFoundError(f"CSV file {os.fspath(path)!r} does not exist; check the "
                                    "path (in a config file, a relative data.csv.path starts "
                                    "from the config file's folder).")
    if os.path.isdir(path):
        raise DataError(f"{os.fspath(path)!r} is a directory; pass the path of a CSV file.")


def _field_counts(text: str, sep: str) -> list[int]:
    rows = csv.reader(io.StringIO(text), delimiter=sep)
    filled = (row for row in rows if "".join(row).strip())  # a blank line splits nothing
    try:
        return [len(row) for row, _ in zip(filled, range(_SAMPLE_LINES))]
    except csv.Error:  # a carriage return inside a cell (a binary file): no split at all
        return []


def _detect_separator(path, text: str) -> str:
    """The one separator splitting every line of ``text`` (the file's start, from its header
    line on) into the same number (> 1) of columns; a comma when none does (a one-column
    file, or a ragged one the reader reports)."""
    splits = _separators(text)
    if len(splits) > 1:
        found = ", ".join(f"{s!r} ({SEPARATORS[s]}: {n} columns)" for s, n in splits.items())
        raise DataError(f"CSV file {os.fspath(path)!r} could be separated by {found}; say which "
                        "with data.csv.sep in the config (sep= in Python; mlkit inspect --sep).")
    return next(iter(splits), ",")


def _separators(text: str) -> dict[str, int]:
    """Each separator splitting every line of ``text`` into as many (> 1) columns, and that
    count."""
    splits = {}
    for sep in SEPARATORS:
        counts = _field_counts(text, sep)
        if counts and min(counts) == max(counts) > 1:
            splits[sep] = counts[0]
    return splits


def _lines_above_header(text: str) -> int | None:
    """How many lines the file's start shows above its header line (a title, notes, blank
    lines, as report exports write): 0 for a table from the first line on; a count when each
    of those lines holds one value at most and, for some separator, every record from the
    header on (a quoted cell may span lines) splits into the same number (> 1) of fields, the
    header naming every one (and not with numbers only); None when the start shows neither.
    One such line as wide as the table (``customer,``) is a header missing names, not a title,
    unless the line under it names columns that hold numbers (``Sales report,,`` above
    ``region,amount``), as a spreadsheet's export pads a title."""
    if not text.strip():
        return None
    records = {sep: _records(text, sep) for sep in SEPARATORS}
    if _is_table(rows for rows, _ in records.values()):
        return 0
    above, width = None, 1
    for rows, starts in records.values():
        titles = 0
        while titles < len(rows) - 2 and sum(bool(v.strip()) for v in rows[titles]) <= 1:
            titles += 1
        header = rows[titles]
        if titles == 1 and len(rows[0]) == len(header) and not _names_numbers(rows[1:]):
            continue
        named = _without_trailing_blanks(header)
        if titles and _same_width(rows[titles:]) and len(header) > width \
                and len(named) > 1 and all(v.strip() for v in named) and not all(
                    is_number(v, ".") for v in named):
            above, width = starts[titles], len(header)
    return above


def _without_trailing_blanks(row: list[str]) -> list[str]:
    """A header's cells without the empty ones at its end: a separator a spreadsheet leaves
    after the last name (an empty column the reader drops) does not make it a title."""
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _records(text: str, sep: str) -> tuple[list[list[str]], list[int]]:
    """The first records of ``text`` split by ``sep``, and the line (from 0) each starts on:
    a quoted cell over several lines leaves its record's later lines out."""
    reader = csv.reader(text.splitlines(), delimiter=sep)
    rows, starts = [], [0]
    for row in reader:
        rows.append(row)
        starts.append(reader.line_num)  # lines read: where the next record starts
        if len(rows) == _SAMPLE_LINES:
            break
    return rows, starts[:-1]


def _is_table(splits) -> bool:
    """Whether, for some separator's records, every one has as many fields, the first more
    than one value: a table from the first line on."""
    return any(_same_width(rows) and sum(bool(v.strip()) for v in rows[0]) > 1
               for rows in splits)


def _same_width(rows: list[list[str]]) -> bool:
    """Whether every record but the blank lines (which pandas skips) has as many fields."""
    return len({len(row) for row in rows if len(row) > 1 or "".join(row).strip()}) == 1


def lines_above_header(path, encoding: str = "utf-8") -> int:
    """How many lines (a title, notes, blank lines) the file's start shows above its header
    line, as :func:`_lines_above_header` finds them: the ``skip_lines`` to suggest."""
    return _lines_above_header(_sample(path, encoding)) or 0


def _table_sample(path, encoding: str, skip_lines: int) -> str:
    """The file's start from its header line on, once ``skip_lines`` is checked against the
    lines the file shows above its header."""
    text = _sample(path, encoding)
    lines = text.splitlines(keepends=True)
    shown = _lines_above_header(text)
    if shown != skip_lines:
        _check_skip(path, [line.rstrip("\r\n") for line in lines], skip_lines, shown)
    return "".join(lines[skip_lines:])


def _check_skip(path, lines: list[str], skip: int, found: int | None) -> None:
    """Refuse ``skip`` lines skipped where the file shows ``found`` above its header line,
    naming the count to set; a start that shows no count (None: notes with several values,
    say) is left to ``skip`` if it leaves a header line and data."""
    source = repr(os.fspath(path))
    if found:
        count, where, look = (("1 line", "line 1", "looks") if found == 1 else
                              (f"{found} lines", f"lines 1-{found}", "look"))
        how = "read it as it is with" if not skip else f"skip_lines={skip} " + (
            "skips into the data" if skip > found else
            f"leaves {_count(found - skip)} of them above it") + "; set"
        raise DataError(f"CSV file {source} has {count} above its header line: line "
                        f"{found + 1} ({lines[found]!r}) names the columns, and {where} "
                        f"(starting {lines[0]!r}) {look} like a title or notes; {how} "
                        f"{setting('skip_lines', found)}.")
    if found is None and skip and len(lines) < skip + 2:
        raise DataError(f"skip_lines={skip} leaves no header line and data row in the "
                        f"{_count(len(lines))} read of CSV file {source}; set "
                        "data.csv.skip_lines (skip_lines= in Python) to the number of lines "
                        "above its header line, 0 when it has none.")
    if found == 0:
        rows = " and data rows" if skip > 1 else ""
        raise DataError(f"CSV file {source} starts with its header line (line 1: "
                        f"{lines[0]!r}), so skip_lines={skip} would skip it{rows}; set "
                        f"{setting('skip_lines', 0)}, or leave it out.")


def setting(option: str, count: int) -> str:
    """How to set a count of lines to skip, in a config, in Python and for ``mlkit inspect``:
    ``"data.csv.skip_lines: 3 in the config (skip_lines=3 in Python; mlkit inspect
    --skip-lines 3)"``."""
    flag = option.replace("_", "-")
    return (f"data.csv.{option}: {count} in the config ({option}={count} in Python; mlkit "
            f"inspect --{flag} {count})")


def _count(lines: int) -> str:
    return f"{lines} line{'' if lines == 1 else 's'}"


def _names_numbers(rows: list[list[str]]) -> bool:
    """Whether the first row is text over some column holding numbers in every later row
    (a header line over data, not a row of data itself)."""
    data = [row for row in rows[1:] if row]

    def number(text):
        return is_number(text, ".") or is_number(text, ",")
    return bool(data) and any(not number(name) and all(len(row) > i and number(row[i])
                                                       for row in data)
                              for i, name in enumerate(rows[0]))


def is_number(text: str, decimal: str = ".") -> bool:
    """Whether ``text`` is a number as ``float`` reads it, with ``decimal`` as its mark."""
    try:
        float(text.replace(",", ".") if decimal == "," else text)
        return True
    except ValueError:
        return False
