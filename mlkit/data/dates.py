"""Date and datetime columns as numeric features a model can use.

A date becomes its year, its month, day of year and day of week as points on a circle (sine and
cosine, so December is next to January) and the days elapsed since an origin (the first date of
the training file). Dates are ISO 8601 text (``2024-03-01``, ``2024-03-01 10:30``, with an
optional UTC offset) or, given a ``date_format``, text in that format (``%d/%m/%Y`` reads
``27/10/2020``); every value is read in UTC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DATE_FORMATS", "DATE_PARTS", "date_feature_names",
           "date_features", "date_format_problem", "formats_reading", "looks_like_dates",
           "looks_like_other_dates", "parse_dates"]

DATE_PARTS = ("year", "month_sin", "month_cos", "dayofyear_sin", "dayofyear_cos",
              "dayofweek_sin", "dayofweek_cos", "days")
"""The features of one date column, in order; ``days`` counts days since the origin."""


DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d",
                "%d/%m/%y", "%m/%d/%y", "%d.%m.%y")
"""The formats besides ISO 8601 that ``mlkit inspect`` tries on a column of dates (each reads
a time after the date too, see :func:`parse_dates`)."""
_TIMES = (" %H:%M", " %H:%M:%S")


def date_format_problem(date_format) -> str | None:
    """Why ``date_format`` is no strftime format with a day, month or year that pandas
    reads (``"'Q' is a bad directive ..."``), or None when it is one."""
    if not isinstance(date_format, str) or not any(
            code in date_format for code in ("%d", "%m", "%b", "%B", "%y", "%Y", "%j")):
        return "it needs a day, month or year"
    try:  # pandas compiles the format before reading any value
        pd.to_datetime(pd.Series(["-"]), format=date_format, utc=True, errors="coerce")
    except ValueError as error:
        return str(error)
    return None


def parse_dates(column: pd.Series, date_format: str | None = None) -> pd.Series:
    """UTC timestamps of ISO 8601 text, or of text in ``date_format``; NaT for a missing or
    unreadable value. A format without a time (``%d/%m/%Y``) also reads its dates followed
    by one (``27/10/2020 14:30`` or ``14:30:05``), so a file's date and date-and-time columns
    share one format."""
    formats = ["ISO8601"]
    if date_format is not None:  # the file's own format first: most values read
        with_times = [date_format + time for time in _TIMES] if "%H" not in date_format else []
        formats = [date_format, *with_times, "ISO8601"]
    times = pd.to_datetime(column, format=formats[0], utc=True, errors="coerce")
    for other in formats[1:]:
        unread = times.isna() & column.notna()
        if not unread.any():
            break
        times[unread] = pd.to_datetime(column[unread], format=other, utc=True, errors="coerce")
    return times


def looks_like_dates(column: pd.Series, date_format: str | None = None) -> bool:
    """True for a text column with values, every one of them a date (see parse_dates)."""
    values = column.dropna()
    if values.empty or pd.api.types.is_numeric_dtype(column):
        return False
    return all(parse_dates(part.astype(str), date_format).notna().all()  # words end early
               for part in (values.iloc[:256], values))


_MONTH = r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
"""A month's name, in full or short (``Jan``, ``March``), as the date parser reads them."""


def looks_like_other_dates(column: pd.Series) -> bool:
    """True for text whose values all hold two numbers or more (a day and a year, say), or a
    number and a month's name (``Jan 2020``), and read as dates, but not all as ISO 8601
    (``10/27/2020``, ``27.10.2020``): dates that :func:`parse_dates` does not read. One number
    alone is no date: the parser reads machine ``m3`` as 3 minutes past midnight of year 1."""
    values = column.dropna().astype(str).drop_duplicates()  # a date repeats in many rows
    if values.empty or not all(_dated(part) for part in (values.iloc[:256], values)) or (
            looks_like_dates(values)):
        return False
    other = pd.to_datetime(values, format="mixed", utc=True, errors="coerce")
    return bool(other.notna().all())


def _dated(values: pd.Series) -> bool:
    """Whether every value holds two numbers or more, or one and a month's name (a month's
    name alone, 'May', is a category)."""
    numbers = values.str.count(r"\d+")
    return bool(((numbers > 1) | ((numbers == 1) & values.str.contains(_MONTH))).all())


def formats_reading(column: pd.Series) -> list[str]:
    """The :data:`DATE_FORMATS` that read every value of ``column`` (ISO 8601 ones aside):
    one when the column says how its dates are written; two when, as with ``04/08/2020``,
    both day and month come first in some format."""
    values = column.dropna().astype(str).drop_duplicates()  # each format tried on each value
    if values.empty:
        return []
    return [f for f in DATE_FORMATS if parse_dates(values, f).notna().all()]


def date_feature_names(column: str) -> list[str]:
    """``column_year``, ``column_month_sin``, ... in :data:`DATE_PARTS` order."""
    return [f"{column}_{part}" for part in DATE_PARTS]


def date_features(times: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    """The (n, 8) float64 features of parsed timestamps (no NaT) relative to ``origin``."""
    times = pd.DatetimeIndex(times)
    days_in_year = np.where(times.is_leap_year, 366.0, 365.0)
    turns = {"month": (times.month.to_numpy() - 1) / 12.0,
             "dayofyear": (times.day_of_year.to_numpy() - 1) / days_in_year,
             "dayofweek": times.day_of_week.to_numpy() / 7.0}
    columns = [times.year.to_numpy(dtype=np.float64)]
    for turn in turns.values():
        angle = 2 * np.pi * turn
        columns += [np.sin(angle), np.cos(angle)]
    columns.append(((times - origin) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64))
    return np.stack(columns, axis=1).astype(np.float64)
