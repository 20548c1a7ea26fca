"""Permutation importance: how much a metric suffers when one input column is shuffled.

Shuffling a column across rows keeps its values but breaks their link to the target and to
the other columns; the metric's loss of quality then says how much the model relies on it.
Columns that stand for one input together (the one-hot columns of a category, the features
of a date) are shuffled together, with one permutation of the rows.

Permutations are drawn as ``np.random.default_rng(seed).permutation(n)``, column group after
column group in the order given and ``n_repeats`` times for each, so a seed fixes them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlkit.options import NonNegativeInt, PositiveInt, checked

from .inputs import UndefinedMetric
from .table import check_metrics, known_metric, metric_input, metric_inputs, score

__all__ = ["Importance", "importance_reference", "permutation_importance"]


@dataclass(frozen=True)
class Importance:
    """Per input column the loss of ``metric`` when that column is shuffled: ``drops[i, r]``
    for repeat ``r`` of column ``names[i]``; positive means the metric got worse (it fell for
    a higher-is-better metric, rose for an error). ``reference`` is the unshuffled value."""

    metric: str
    reference: float
    names: list[str]
    drops: np.ndarray
    seed: int

    @property
    def mean(self) -> np.ndarray:
        """Mean loss per column over the repeats."""
        return self.drops.mean(axis=1)

    @property
    def std(self) -> np.ndarray:
        """Standard deviation of the loss per column over the repeats (ddof=0)."""
        return self.drops.std(axis=1)

    def frame(self) -> pd.DataFrame:
        """``column, mean, std`` with the most important column first."""
        table = pd.DataFrame({"column": self.names, "mean": self.mean, "std": self.std})
        return table.sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)


def _check_groups(groups, width: int) -> dict[str, np.ndarray]:
    if not isinstance(groups, dict) or not groups:
        raise ValueError("groups must be a non-empty dict {input column name: indices of its "
                         f"columns in X}}, got {groups!r}.")
    checked = {}
    for name, columns in groups.items():
        columns = np.asarray(columns)
        if columns.ndim != 1 or not len(columns) or columns.dtype.kind not in "iu" or \
                columns.min() < 0 or columns.max() >= width:
            raise ValueError(f"groups[{name!r}] must list column indices of X (0..{width - 1}),"
                             f" got {columns.tolist()!r}.")
        checked[str(name)] = columns
    return checked


def importance_reference(metric: str, y_true, predictions: dict) -> float:
    """``metric`` on the unshuffled rows, which every shuffle is compared with.

    Raises UndefinedMetric saying why when the metric has no value on these rows (ROC AUC
    with one class present, say): every drop would be NaN, so there is nothing to rank."""
    given = metric_input(metric, metric_inputs(**predictions))
    try:
        value = float(known_metric(metric).function(y_true, given, sample_weight=None))
    except UndefinedMetric as error:
        reason = str(error)
    else:
        if np.isfinite(value):
            return value
        reason = f"it is {value} here."
    raise UndefinedMetric(f"metric {metric!r} has no value on these {len(np.asarray(y_true))}"
                          f" rows, so no shuffle can be compared with it: {reason} Choose a "
                          "metric defined on them (accuracy, say, for a classifier).")


@checked
def permutation_importance(predict, X, y_true, metric: str, groups=None,
                           n_repeats: PositiveInt = 5, seed: NonNegativeInt = 0,
                           task: str | None = None) -> Importance:
    """Loss of ``metric`` per input column when its values are shuffled across the rows.

    Parameters
    ----------
    predict : callable
        ``predict(X)`` returns the model's predictions as :func:`score` reads them: a dict
        with ``labels`` and ``proba``, or ``values``.
    X : array-like of shape (n, d)
        The rows ``predict`` reads.
    y_true : array-like of shape (n,)
        True class indices or regression targets.
    metric : str
        A name of :data:`METRICS`, e.g. ``"accuracy"``, ``"log_loss"`` or ``"r2"``.
    groups : dict, optional
        ``{input column name: indices of its columns in X}``, shuffled together; default
        each column of ``X`` alone, named by its index.
    n_repeats : int
        Shuffles per column; the result keeps each one's loss.
    seed : int
        Seed of the permutations.
    task : {"binary", "multiclass", "scores", "regression"}, optional
        Checks that ``metric`` fits the model.

    Returns
    -------
    Importance

    Raises
    ------
    UndefinedMetric
        When ``metric`` has no value on the unshuffled rows (see
        :func:`importance_reference`).
    """
    known_metric(metric)
    if task is not None:
        check_metrics([metric], task)
    X = np.asarray(X)
    if X.ndim != 2 or len(X) != len(np.asarray(y_true)) or len(X) < 2:
        raise ValueError(f"X must have shape (n, d) with one row per target (n >= 2), got X of "
                         f"shape {X.shape} and {len(np.asarray(y_true))} targets.")
    groups = _check_groups({str(i): [i] for i in range(X.shape[1])} if groups is None
                           else groups, X.shape[1])
    sign = 1.0 if known_metric(metric).mode == "max" else -1.0
    reference = importance_reference(metric, y_true, predict(X))
    rng = np.random.default_rng(seed)
    drops = np.empty((len(groups), n_repeats))
    for i, columns in enumerate(groups.values()):
        for r in range(n_repeats):
            shuffled = X.copy()
            shuffled[:, columns] = X[rng.permutation(len(X))][:, columns]
            drops[i, r] = sign * (reference - score([metric], y_true,
                                                    **predict(shuffled))[metric])
    return Importance(metric, reference, list(groups), drops, seed)
