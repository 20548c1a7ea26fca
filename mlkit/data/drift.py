"""How far new rows are from what training saw, column by column.

For every input column of a :class:`~mlkit.data.training_profile.TrainingProfile`:

- ``outside``: share of the new values below the training minimum or above its maximum
  (the model extrapolates there);
- ``mean_shift``: (new mean - training mean) / training standard deviation;
- ``psi``: the population stability index, sum over bins of (new - training share) *
  ln(new / training share), on the training deciles (numbers) or the training categories
  plus one bin for unseen ones; shares below :data:`SHARE_FLOOR` count as that floor, so an
  empty bin gives a large but finite value. By the usual rule of thumb, below 0.1 is stable,
  0.1 to 0.25 a moderate shift and 0.25 or more a major one;
- ``unseen``: share of the new categories that training never saw;
- ``missing_change``: the new share of missing values minus training's.

A column is flagged (``drifted``, with the reasons in ``why``) when any of them passes its
limit in :data:`LIMITS` and also what sampling alone gives (:mod:`mlkit.data.drift_chance`)
with probability :data:`EACH_CHANCE`, a quarter of :data:`CHANCE` per measure, so that new rows
drawn like the training rows flag a column at most one time in a hundred. So a small file (or a
small training set) needs a larger difference to be flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlkit.data.drift_chance import (
    SHARE_FLOOR,
    beyond_range_chance,
    missing_change_chance,
    psi,
    psi_chance,
)
from mlkit.data.errors import DataError
from mlkit.data.training_profile import TrainingProfile, bin_shares

__all__ = ["CHANCE", "EACH_CHANCE", "LIMITS", "SHARE_FLOOR", "drift_report", "drift_summary",
           "drift_table", "psi"]

CHANCE = 0.01
EACH_CHANCE = CHANCE / 4
"""Each of a column's (at most) four tests against chance gets a quarter of :data:`CHANCE`, so
that a column drawn like training is flagged at most that often."""
LIMITS = {"outside": 0.05, "mean_shift": 0.5, "psi": 0.25, "unseen": 0.05,
          "missing_change": 0.1}
"""The value (absolute, for the mean shift and the missing change) from which a measure flags
its column."""

_COLUMNS = ["column", "kind", "present", "missing_train", "missing_new", "missing_change",
            "outside", "mean_shift", "psi", "unseen", "drifted", "why"]


def _numbers(stats: dict, values: pd.Series, name: str) -> dict:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & numbers.isna()
    if bad.any():
        raise DataError(f"column {name!r} holds {values[bad].iloc[0]!r}, but training saw "
                        "numbers there; pass the column as numbers.")
    present = numbers.dropna().to_numpy(dtype=np.float64)
    if not len(present) or stats["mean"] is None:
        return {"outside": np.nan, "mean_shift": np.nan, "psi": np.nan, "unseen": np.nan}
    outside = float(np.mean((present < stats["min"]) | (present > stats["max"])))
    gap = float(present.mean()) - stats["mean"]
    shift = gap / stats["std"] if stats["std"] > 0 else (0.0 if gap == 0 else np.copysign(
        np.inf, gap))
    return {"outside": outside, "mean_shift": shift,
            "psi": psi(stats["shares"], bin_shares(present, stats["edges"])), "unseen": np.nan}


def _categories(stats: dict, values: pd.Series) -> dict:
    present = values.dropna().astype(str)
    known = stats["frequencies"]
    if not len(present):
        return {"outside": np.nan, "mean_shift": np.nan, "psi": np.nan, "unseen": np.nan}
    shares = present.value_counts(normalize=True)
    unseen = float(shares[~shares.index.isin(list(known))].sum())
    actual = [float(shares.get(category, 0.0)) for category in known] + [unseen]
    return {"outside": np.nan, "mean_shift": np.nan,
            "psi": psi(list(known.values()) + [0.0], actual), "unseen": unseen}


def _seen_once(stats: dict, trained: float) -> int:
    """How many training values were alone in their kind: the minimum and the maximum of a
    number column, the categories counted once in a category column."""
    if stats["kind"] == "number":
        return 2
    counts = np.rint(np.array(list(stats["frequencies"].values())) * trained)
    return int(np.sum(counts == 1))


def _psi_chance(row: dict, stats: dict, trained: float) -> float:
    """Probability that sampling alone gives a PSI as large as the row's."""
    if stats["kind"] == "number":
        return psi_chance(row["psi"], tuple(stats["shares"]), row["present"], round(trained))
    return psi_chance(row["psi"], tuple(stats["frequencies"].values()), row["present"],
                      round(trained), rare=_seen_once(stats, trained))


def _chance_shift(spread: float, trained: float) -> float:
    """The mean shift (in training standard deviations, themselves estimated from ``trained``
    values) that sampling alone passes with probability :data:`EACH_CHANCE`: Student's t."""
    if trained < 3:
        return np.inf
    from scipy.stats import t as student  # here: scipy.stats adds 0.4 s to every CLI start
    return float(student.ppf(1 - EACH_CHANCE / 2, trained - 1) * spread
                 * np.sqrt(trained / (trained - 1)))


def _reasons(row: dict, stats: dict, rows: int, new_rows: int) -> str:
    """The measures past their limit and past chance, e.g. ``"PSI 1.84, mean +2.31 sd"``;
    ``""`` when none is."""
    trained = rows * (1 - stats["missing"])
    present = row["present"]
    spread = np.sqrt(1 / max(present, 1) + 1 / max(trained, 1))
    parts = []
    if row["psi"] >= LIMITS["psi"] and _psi_chance(row, stats, trained) <= EACH_CHANCE:
        parts.append(f"PSI {row['psi']:.2f}")
    if abs(row["mean_shift"]) >= max(LIMITS["mean_shift"], _chance_shift(spread, trained)):
        parts.append(f"mean {row['mean_shift']:+.2f} sd")
    for measure, words in (("outside", "outside the training range"),
                           ("unseen", "unseen categories")):
        if row[measure] >= LIMITS[measure] and beyond_range_chance(
                round(row[measure] * present), present, _seen_once(stats, trained),
                round(trained)) <= EACH_CHANCE:
            parts.append(f"{row[measure]:.0%} {words}")
    if abs(row["missing_change"]) >= LIMITS["missing_change"] and missing_change_chance(
            new_rows - present, new_rows, round(rows * stats["missing"]), rows) <= EACH_CHANCE:
        parts.append(f"missing {row['missing_train']:.0%} -> {row['missing_new']:.0%}")
    return ", ".join(parts)


def drift_report(profile: TrainingProfile, frame: pd.DataFrame) -> pd.DataFrame:
    """Compare new rows with training, one row per profiled column.

    Parameters
    ----------
    profile : TrainingProfile
        What training saw (a run keeps it as ``training_profile.json``).
    frame : pandas.DataFrame
        The new rows' input columns, before any fill of missing values: numbers, or text
        for categorical columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``column, kind, present`` (new values not missing), ``missing_train,
        missing_new, missing_change, outside, mean_shift, psi, unseen`` (NaN where a
        measure does not apply), ``drifted`` and ``why`` (the measures past their limit).
    """
    if not isinstance(profile, TrainingProfile):
        raise TypeError(f"profile must be a TrainingProfile, got {type(profile).__name__}.")
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}.")
    absent = [name for name in profile.columns if name not in frame.columns]
    if absent:
        raise DataError(f"the new rows lack column(s) {', '.join(absent)} that training saw; "
                        "pass every input column of the run.")
    if len(frame) == 0:
        raise DataError("the new rows are empty; there is nothing to compare with training.")
    rows = []
    for name, stats in profile.columns.items():
        values = frame[name]
        missing = float(values.isna().mean())
        row = {"column": name, "kind": stats["kind"], "present": int(values.notna().sum()),
               "missing_train": stats["missing"], "missing_new": missing,
               "missing_change": missing - stats["missing"]}
        row.update(_numbers(stats, values, name) if stats["kind"] == "number"
                   else _categories(stats, values))
        row["why"] = _reasons(row, stats, profile.rows, len(frame))
        row["drifted"] = bool(row["why"])
        rows.append(row)
    return pd.DataFrame(rows, columns=_COLUMNS)


def drift_summary(report: pd.DataFrame) -> str:
    """A few lines naming each flagged column and why, or ``""`` when none is flagged."""
    flagged = report[report["drifted"]]
    if flagged.empty:
        return ""
    width = max(len(name) for name in flagged["column"])
    lines = [f"drift: {len(flagged)} of {len(report)} input columns differ from training "
             "(PSI >= 0.25 is a major shift; --drift shows every column):"]
    lines += [f"  {row.column:<{width}}  {row.why}" for row in flagged.itertuples()]
    return "\n".join(lines)


def drift_table(report: pd.DataFrame) -> str:
    """The whole report as text: shares in percent, "-" where a measure does not apply."""
    def share(value):
        return f"{value:.1%}"

    formats = {"missing_train": share, "missing_new": share, "outside": share, "unseen": share,
               "missing_change": lambda v: f"{v * 100:+.1f} pt",
               "mean_shift": lambda v: f"{v:+.3f}", "psi": lambda v: f"{v:.3f}",
               "drifted": lambda flag: "yes" if flag else "no"}
    return report.drop(columns="why").to_string(index=False, formatters=formats, na_rep="-")
