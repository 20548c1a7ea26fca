"""Bootstrap confidence intervals of test metrics, and of one model's lead over another.

The test rows are drawn with replacement ``n_resamples`` times; each metric recomputed on each
resample shows how far it could move on another test set of the same size, and the central
``confidence`` share of those values is its percentile interval. Two models scored on the same
resamples give the paired difference, whose interval says whether they can be told apart.

A resample is the test set with each row weighted by how often it was drawn, so every metric is
computed by its own function with those counts as ``sample_weight`` (rows never drawn left
out), and a metric whose form allows it (:attr:`Metric.batched`: means of per-row terms, and
the scores of a confusion matrix) scores a block of resamples with a few array operations.
Resample ``b`` draws its rows as
``np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))[b]``. With ``groups``
(rows that are alike, such as one customer's), whole groups are drawn instead, ``m`` of the
``m`` groups, and every row counts as often as its group was drawn: rows of one group are
not independent, and the interval should show how far a metric moves over other groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np

from mlkit.checks import group_codes
from mlkit.options import NonNegativeInt, Range, checked

from .inputs import UndefinedMetric
from .table import known_metric, metric_input, metric_inputs, score

__all__ = ["MAX_RESAMPLES", "Bootstrap", "Interval", "bootstrap", "resample_counts"]

MAX_RESAMPLES = 100_000
"""More resamples than this move an interval's ends by far less than its width, and would
only cost minutes and memory (one float per resample and metric)."""
_BLOCK_CELLS = 2_000_000  # resamples are drawn and scored in blocks of about this many counts


@dataclass(frozen=True)
class Interval:
    """A metric on all test rows (``value``) with its bootstrap interval ``[low, high]`` over
    the resamples where it is defined; ``undefined`` counts the others (ROC AUC of a resample
    holding one class, say), which the interval leaves out."""

    value: float
    low: float
    high: float
    undefined: int

    def excludes(self, point: float = 0.0) -> bool:
        """Whether ``point`` lies outside the interval (for a difference: the models differ)."""
        return bool(point < self.low or point > self.high)


@dataclass
class Bootstrap:
    """Intervals per metric name: of the model, of the baseline and of model - baseline (these
    two None without a baseline), and every resample's value (``draws``, NaN where undefined)."""

    n_rows: int
    n_resamples: int
    confidence: float
    seed: int
    model: dict[str, Interval]
    baseline: dict[str, Interval] | None
    difference: dict[str, Interval] | None
    draws: dict[str, np.ndarray]
    baseline_draws: dict[str, np.ndarray] | None
    n_groups: int | None = None
    """With ``groups``: how many groups the resamples drew from (None: rows were drawn)."""


def resample_counts(n: int, n_resamples: int, seed: int = 0, groups=None):
    """Yield ``(first, counts)`` blocks: ``counts[i, r]`` is how often resample ``first + i``
    drew row ``r`` (each row of counts sums to ``n``). With ``groups`` (a group per row), the
    ``m`` groups are drawn ``m`` times and row ``r`` counts as often as its group (a row of
    counts then sums to the drawn groups' sizes)."""
    if groups is not None:
        codes, _ = group_codes(groups, n)
        for first, counts in resample_counts(int(codes.max()) + 1, n_resamples, seed):
            yield first, counts[:, codes]
        return
    rng = np.random.default_rng(seed)
    block = max(1, _BLOCK_CELLS // n)
    for first in range(0, n_resamples, block):
        size = min(block, n_resamples - first)
        drawn = rng.integers(0, n, size=(size, n))
        flat = (drawn + n * np.arange(size)[:, None]).ravel()
        yield first, np.bincount(flat, minlength=size * n).reshape(size, n)


def _scorer(name: str, y_true, given):
    """``counts (b, n) -> values (b,)`` of metric ``name``, NaN where it is undefined."""
    metric = known_metric(name)
    if metric.batched is not None:
        return metric.batched(y_true, given)
    y_true, given = np.asarray(y_true), np.asarray(given)

    def one_by_one(counts):
        found = np.empty(len(counts))
        for i, row in enumerate(counts):
            drawn = row > 0
            try:
                found[i] = metric.function(y_true[drawn], given[drawn],
                                           sample_weight=row[drawn])
            except UndefinedMetric:
                found[i] = np.nan
        return found
    return one_by_one


def _interval(value: float, draws: np.ndarray, confidence: float) -> Interval:
    defined = draws[~np.isnan(draws)]
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(defined, [tail, 100 - tail]) if len(defined) else (np.nan, np.nan)
    return Interval(float(value), float(low), float(high), int(len(draws) - len(defined)))


@checked
def bootstrap(names, y_true, *, labels=None, proba=None, values=None, baseline=None,
              n_resamples: Annotated[int, Range(ge=1, le=MAX_RESAMPLES)] = 1000,
              confidence: Annotated[float, Range(gt=0, lt=1)] = 0.95, seed: NonNegativeInt = 0,
              groups=None) -> Bootstrap:
    """Percentile bootstrap intervals of the named metrics (:data:`METRICS`) over test rows.

    Parameters
    ----------
    names : sequence of str
        Metric names, e.g. ``["accuracy", "log_loss"]``.
    y_true : array-like of shape (n,) or (n, m)
        True class indices or regression targets.
    labels, proba, values : array-like, optional
        The model's predictions, as for :func:`score`: predicted labels, class probabilities
        (n, k), or regression values; each metric reads the one it needs.
    baseline : dict, optional
        Another model's predictions on the same rows (``{"labels": ..., "proba": ...}`` or
        ``{"values": ...}``): it is scored on the same resamples, and its difference from the
        model too (model - baseline).
    n_resamples : int
        Resamples of the ``n`` rows (each ``n`` rows drawn with replacement).
    confidence : float
        Share of the resampled values inside each interval (0.95: the 2.5th to 97.5th
        percentiles).
    seed : int
        Seed of the resampling: the same seed gives the same intervals.
    groups : array-like of shape (n,), optional
        A group per row (a customer id, say): resamples draw whole groups, so the intervals
        show how far the metrics move over other groups, not just other rows of the same ones.

    Returns
    -------
    Bootstrap
    """
    names = [names] if isinstance(names, str) else list(names)
    for name in names:
        known_metric(name)
    models = {"model": {"labels": labels, "proba": proba, "values": values}}
    if baseline is not None:
        models["baseline"] = _checked_baseline(baseline)
    points = {who: score(names, y_true, **given) for who, given in models.items()}
    y_true = np.asarray(y_true)
    scorers = {(who, name): _scorer(name, y_true, metric_input(name, metric_inputs(**given)))
               for who, given in models.items() for name in names}
    draws = {key: np.empty(n_resamples) for key in scorers}
    n_groups = None if groups is None else len(group_codes(groups, len(y_true))[1])
    for first, counts in resample_counts(len(y_true), n_resamples, seed, groups):
        for key, scorer in scorers.items():
            draws[key][first:first + len(counts)] = scorer(counts)

    def intervals(who):
        return {name: _interval(points[who][name], draws[who, name], confidence)
                for name in names}

    result = Bootstrap(len(y_true), n_resamples, confidence, seed, intervals("model"), None,
                       None, {name: draws["model", name] for name in names}, None, n_groups)
    if baseline is not None:
        result.baseline, result.baseline_draws = intervals("baseline"), {
            name: draws["baseline", name] for name in names}
        result.difference = {name: _interval(
            points["model"][name] - points["baseline"][name],
            draws["model", name] - draws["baseline", name], confidence) for name in names}
    return result


def _checked_baseline(baseline) -> dict:
    kinds = {"labels", "proba", "values"}
    if not isinstance(baseline, dict) or not set(baseline) <= kinds:
        found = sorted(set(baseline) - kinds) if isinstance(baseline, dict) else baseline
        raise ValueError(f"baseline must be a dict with keys among labels, proba and values "
                         f"(the baseline's predictions), got {found!r}.")
    return dict(baseline)
