"""Date and datetime columns as numeric features a model can use.

A date becomes its year, its month, day of year and day of week as points on a circle (sine and
cosine, so December is next to January) and the days elapsed since an origin (the first date of
the training file). Dates are ISO 8601 text (``2024-03-01``, ``2024-03-01 10:30``, with an
optional UTC offset); every value is read in UTC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DATE_PARTS", "date_feature_names", "date_features", "looks_like_dates",
           "looks_like_other_dates", "parse_dates"]

DATE_PARTS = ("year", "month_sin", "month_cos", "dayofyear_sin", "dayofyear_cos",
              "dayofweek_sin", "dayofweek_cos", "days")
"""The features of one date column, in order; ``days`` counts days since the origin."""


def parse_dates(column: pd.Series) -> pd.Series:
    """UTC timestamps of ISO 8601 text; NaT for a missing or unreadable value."""
    return pd.to_datetime(column, format="ISO8601", utc=True, errors="coerce")


def looks_like_dates(column: pd.Series) -> bool:
    """True for a text column with values, every one of them an ISO 8601 date."""
    values = column.dropna()
    if values.empty or pd.api.types.is_numeric_dtype(column):
        return False
    return bool(parse_dates(values.astype(str)).notna().all())


def looks_like_other_dates(column: pd.Series) -> bool:
    """True for text whose values all hold digits and read as dates, but not all as ISO 8601
    (``10/27/2020``, ``27.10.2020``): dates that :func:`parse_dates` does not read."""
    values = column.dropna().astype(str)
    if values.empty or looks_like_dates(values) or not values.str.contains(r"\d").all():
        return False
    other = pd.to_datetime(values, format="mixed", utc=True, errors="coerce")
    return bool(other.notna().all())


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
