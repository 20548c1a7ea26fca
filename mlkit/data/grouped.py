"""Group and time splits: whole groups, or whole stretches of time, to each part.

Rows of one customer (one patient, one machine ...) are alike, so a customer with rows in
training and in test makes test scores too kind; so does a model trained on rows later than
the ones it is tested on. These helpers give every row a part number (0, 1, ...) so that a
group never spans two parts, and an ordered split never puts a later row before an earlier
one; :mod:`mlkit.data.split` turns the part numbers into index arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlkit.checks import rectangular
from mlkit.data.dates import parse_dates
from mlkit.data.errors import DataError
from mlkit.data.reading import line_numbers
from mlkit.data.values import to_numbers


def check_order(order, n: int | None = None) -> np.ndarray:
    """``order`` as a 1-D array of numbers or datetimes (``n`` of them, if given) with no
    missing value."""
    order = rectangular(order, "order", DataError)
    if order.ndim != 1 or len(order) != (len(order) if n is None else n) or len(order) == 0:
        rows = "at least one row" if n is None else f"one value per row ({n})"
        raise DataError(f"order must be 1-D with {rows}, got shape {order.shape}.")
    if order.dtype.kind not in "iufM":
        raise TypeError(f"order must hold numbers or dates (numpy datetime64) to sort the rows "
                        f"by, got dtype {order.dtype}; convert text dates with "
                        "pandas.to_datetime first.")
    gaps = np.flatnonzero(pd.isna(order))  # NaN of floats, NaT of datetimes
    if len(gaps):
        raise DataError(f"order has {len(gaps)} missing value(s) (rows {gaps[:5].tolist()}"
                        f"{', ...' if len(gaps) > 5 else ''}); every row needs a time to be "
                        "placed before or after the others.")
    return order


def assign_groups(codes: np.ndarray, classes: np.ndarray, fractions: np.ndarray,
                  rng: np.random.Generator, what: str) -> np.ndarray:
    """The part of every row, each group whole in one part, part sizes near ``fractions``.

    Groups are taken largest first (equal sizes in a seeded random order), each into the
    part whose row counts per class it brings closest to the wanted counts (least squared
    error), so with one class this is the part furthest below its share; with several,
    the class mix of each part is kept near the whole set's as well as whole groups allow.
    A part with a positive fraction always gets a group. ``what`` names the parts in errors.
    """
    n_groups = int(codes.max()) + 1
    needed = np.flatnonzero(fractions > 0)
    if n_groups < len(needed):
        raise DataError(f"groups has {n_groups} distinct group(s), but {what} needs at least "
                        f"{len(needed)} (every group stays whole in one part); use a column "
                        "with more groups, or fewer parts.")
    n_classes = int(classes.max()) + 1
    counts = np.zeros((n_groups, n_classes))
    np.add.at(counts, (codes, classes), 1)
    wanted = fractions[:, None] * counts.sum(axis=0)[None, :]
    have = np.zeros_like(wanted)
    sizes = counts.sum(axis=1)
    shuffled = rng.permutation(n_groups)
    part_of_group = np.full(n_groups, -1)
    for group in shuffled[np.argsort(-sizes[shuffled], kind="stable")]:
        added = counts[group][None, :]
        cost = (added * (2 * (have[needed] - wanted[needed]) + added)).sum(axis=1)
        part = needed[int(np.argmin(cost))]
        part_of_group[group] = part
        have[part] += counts[group]
    for part in needed:
        if not (part_of_group == part).any():
            members = np.bincount(part_of_group[part_of_group >= 0], minlength=len(fractions))
            donor = int(np.argmax(members))
            candidates = np.flatnonzero(part_of_group == donor)
            part_of_group[candidates[np.argmin(sizes[candidates])]] = part
    return part_of_group[codes]


def cut_in_order(order: np.ndarray, fractions: np.ndarray, what: str) -> np.ndarray:
    """The part of every row: parts follow each other in ``order``, sizes near ``fractions``.

    Rows with equal ``order`` values stay in one part (a day is not cut in two), so each cut
    falls on the boundary between two distinct values nearest the wanted row count; a part
    with a positive fraction always gets at least one distinct value.
    """
    values, inverse, counts = np.unique(order, return_inverse=True, return_counts=True)
    bounds = np.concatenate([[0], np.cumsum(counts)])  # rows before each distinct value
    nonempty = fractions > 0
    if len(values) < nonempty.sum():
        raise DataError(f"order has {len(values)} distinct value(s), but {what} needs at least "
                        f"{nonempty.sum()} (rows of one time stay in one part); use a finer "
                        "order column, or fewer parts.")
    wanted = len(order) * np.cumsum(fractions)[:-1]
    cuts, previous = [], 0
    for part, target in enumerate(wanted):
        low = previous + int(nonempty[part])
        high = len(values) - int(nonempty[part + 1:].sum())
        allowed = np.arange(low, high + 1)
        previous = int(allowed[np.argmin(np.abs(bounds[allowed] - target))])
        cuts.append(previous)
    part_of_value = np.searchsorted(np.asarray(cuts), np.arange(len(values)), side="right")
    return part_of_value[inverse]


def times_of(column: pd.Series, numbers: str = "plain", decimal: str = ".",
             date_format: str | None = None) -> np.ndarray:
    """A CSV column of text as values to sort rows by: floats when every value is a number
    (as ``numbers`` and ``decimal`` read them), datetimes when every value is a date (ISO
    8601, or as ``date_format`` says). Missing cells stay NaN/NaT (:func:`check_order` names
    them); a column that is neither raises a DataError naming a value that does not fit and
    its lines."""
    present = column.notna()
    values = to_numbers(column, numbers, decimal)
    if values[present].notna().all():
        return values.to_numpy(np.float64)
    times = parse_dates(column.astype(object).where(present, None), date_format)
    if times[present].notna().all():
        return times.dt.tz_convert(None).to_numpy("datetime64[ns]")
    as_dates = times.notna().sum() > values.notna().sum()
    bad = column.index[present & (times.isna() if as_dates else values.isna())]
    kind = ("among dates" if as_dates else "among numbers" if values.notna().any()
            else "and other text that is neither numbers nor dates")
    raise DataError(f"holds {column[bad[0]]!r} ({line_numbers(bad)}) {kind}, so its rows "
                    "cannot be sorted in time; fix those values, or use a column of numbers "
                    "or dates")
