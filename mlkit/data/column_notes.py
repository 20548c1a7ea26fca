"""What reading a profiled column takes, said in one note of ``mlkit inspect``: spellings
merged, a formatted example, how its dates or numbers are written, codes with leading zeros,
target labels that differ only in spaces or case."""

from __future__ import annotations

import re

import pandas as pd

from mlkit.data.dates import looks_like_dates, looks_like_other_dates, parse_dates
from mlkit.data.values import alike_labels, distinct, reads_all, to_numbers

__all__ = ["codes", "column_note", "other_decimal"]


def codes(values: pd.Series) -> bool:
    """Whether some value of a column of numbers is written with a leading zero (``02139``,
    ``007``): codes, such as postal codes, rather than amounts. One search of the values
    joined finds none in most columns; the values are looked at one by one only if it finds
    some."""
    text = values.dropna().astype(str)
    if not _LEADING_ZERO_JOINED.search(_NUL + _NUL.join(text.to_numpy())):
        return False
    return bool(_leading_zero(text).any())


_NUL = "\x00"
_LEADING_ZERO_JOINED = re.compile(r"\x00\s*0\d")
"""A value starting with a leading zero (spaces before it) among values joined by NUL: it
finds every such value (and, rarely, text after a NUL inside a value)."""


def _leading_zero(values: pd.Series) -> pd.Series:
    """Which values are written with a leading zero (a boolean mask)."""
    return values.astype(str).str.match(r"^\s*0\d")


def other_decimal(written: pd.Series, decimal: str) -> str | None:
    """The other decimal mark, when it reads every value of a column that ``decimal`` does
    not read as plain numbers."""
    values, other = distinct(written), "," if decimal == "." else "."
    if reads_all(values, "plain", decimal):
        return None
    return other if reads_all(values, "plain", other) else None


def _thousands_dots(written: pd.Series) -> bool:
    """Whether a column of numbers reads like whole numbers with a point between thousands
    (``12.500``, ``1.250.000``, ``980``), as German or Dutch exports write them."""
    text = written.dropna().astype(str)
    if "." not in "".join(text.to_numpy()):  # most columns of whole numbers end here
        return False
    return _dots_as_thousands(text.iloc[:256]) and _dots_as_thousands(distinct(text))


def _dots_as_thousands(text: pd.Series) -> bool:
    """Whether every value (stripped) with a point is a whole number with points between
    thousands, and every one without has at most three digits."""
    text = text.str.strip()
    dotted = text.str.contains(".", regex=False)
    return bool(text[dotted].str.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3})+").all()
                and text[~dotted].str.fullmatch(r"-?\d{1,3}").all())


def column_note(written: pd.Series, read: pd.Series, kind: str, target: bool,
                 decimal: str = ".", date_formats: list[str] = ()) -> str:
    """What reading the column takes: the spellings merged, a formatted example, the format
    of dates (``date_formats``: those reading every such column of the file), the other
    decimal mark; for a target, labels that differ only in spaces or case."""
    if target and kind == "category":
        alike = alike_labels(written)
        if alike:
            return (f"labels {', '.join(repr(v) for v in alike[0])} differ only in spaces or "
                    "case, so they are different classes; correct them in the file "
                    "(data.csv.categories applies to inputs only)")
    other = other_decimal(written, decimal) if kind in ("category", "id", "text") else None
    if other:  # many distinct values make an id or text of them, a few a category
        return (f"numbers written with the decimal mark {other!r} (e.g. "
                f"{written.dropna().iloc[0]!r}): read the file with decimal: {other!r}")
    example = None if written.dropna().empty else written.dropna().iloc[0]
    if len(date_formats) == 1 and kind == "date" and not looks_like_dates(written):
        dates = written.dropna().astype(str)
        example = dates[parse_dates(dates).isna()].iloc[0]  # one that ISO 8601 does not read
        return f"dates written {date_formats[0]!r} (e.g. {example!r}): date_format reads them"
    if kind == "text" and looks_like_other_dates(written):
        if date_formats:
            return (f"dates, day or month first (e.g. {example!r}): set date_format: "
                    f"{' or '.join(map(repr, date_formats))} to use them")
        return (f"dates, but not written as ISO 8601 (e.g. {example!r}): rewrite them as "
                "YYYY-MM-DD to use them")
    present = written.dropna()
    if kind in ("category", "id") and codes(present):
        zero = present[_leading_zero(present)].iloc[0]
        role = "categories" if kind == "category" else "an id (too many for categories)"
        return f"codes written with leading zeros (e.g. {zero!r}): read as {role}, not amounts"
    if kind == "number" and decimal == "." and _thousands_dots(written):
        example = written[written.astype(str).str.contains(".", regex=False)].iloc[0]
        return (f"{example!r} looks like '.' between thousands (every value with a point "
                "has three digits after it, none without one has more than three): read as "
                f"{float(example):g}; if it means {float(example) * 1000:g}, read the file "
                "with decimal: ',' and numbers: formatted")
    if kind == "formatted number":
        plain = to_numbers(written.dropna(), "plain", decimal)
        example = written.dropna()[plain.isna()].iloc[0]
        return f"{example!r} is {to_numbers(pd.Series([example]), 'formatted', decimal)[0]:.12g}"
    if kind == "category" and written.nunique() != read.nunique():
        return f"{written.nunique()} spellings of {read.nunique()} categories"
    return ""
