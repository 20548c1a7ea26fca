"""Every metric by name: what it reads, the task it fits, and whether higher is better.

Names follow scikit-learn's scorer names (``f1_macro``, ``roc_auc_ovr``); the error metrics keep
short positive names (``log_loss``, ``brier``, ``rmse``, ``mae``, ``mape``: lower is better)
where scikit-learn's scorers negate them. Plain ``precision``, ``recall``, ``f1``,
``roc_auc`` and ``average_precision`` are those of the positive class (class 1) of a binary
task; every averaged metric names its average. The config's ``metrics:`` list, the monitors
``val_<name>`` and :func:`mlkit.train.fit`'s ``metrics=`` all read this one table.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mlkit.options import did_you_mean

from . import classification as c
from . import ranking as r
from . import regression as g
from . import resampled as b
from .inputs import UndefinedMetric

__all__ = ["METRICS", "Metric", "averaged_forms", "check_metrics", "default_metrics",
           "known_metric", "metric_input", "metric_inputs", "score"]


@dataclass(frozen=True)
class Metric:
    """A named metric: ``function(y_true, input, sample_weight=...)`` where the input is the
    predicted ``labels``, the class ``proba``bilities (``positive``: P(class 1) only) or the
    regression ``values``; its task, whether it needs exactly two classes, and its mode.
    ``batched``, where the metric allows, scores many resamples of the rows at once (a
    builder of :mod:`mlkit.metrics.resampled`), for the bootstrap."""

    function: Callable
    reads: str
    task: str
    mode: str
    binary: bool = False
    batched: Callable | None = None

    @property
    def doc(self) -> str:
        """The first line of the metric function's docstring."""
        target = getattr(self.function, "func", self.function)
        return (target.__doc__ or "").strip().splitlines()[0]


def _labels(function, mode="max", binary=False, batched=None, **options) -> Metric:
    bound = functools.partial(function, **options) if options else function
    return Metric(bound, "labels", "classification", mode, binary, batched)


def _averaged(function, average) -> Metric:
    batched = b.averaged_by_counts(function.__name__, average)
    return _labels(function, binary=average == "binary", batched=batched, average=average)


def _proba(function, mode, binary=False, reads="proba", batched=None, **options) -> Metric:
    bound = functools.partial(function, **options) if options else function
    return Metric(bound, reads, "classification", mode, binary, batched)


def _values(function, mode, batched=None) -> Metric:
    return Metric(function, "values", "regression", mode, batched=batched)


METRICS: dict[str, Metric] = {
    "accuracy": _labels(c.accuracy, batched=b.mean_of_rows(c.hits)),
    "balanced_accuracy": _labels(c.balanced_accuracy, batched=b.balanced_by_counts),
    **{f"{function.__name__}{suffix}": _averaged(function, average)
       for function in (c.precision, c.recall, c.f1)
       for suffix, average in (("", "binary"), ("_macro", "macro"), ("_weighted", "weighted"))},
    "roc_auc": _proba(r.roc_auc, "max", binary=True, reads="positive",
                      batched=b.roc_auc_by_counts),
    "roc_auc_ovr": _proba(r.roc_auc_ovr, "max", batched=b.roc_auc_ovr_by_counts("macro"),
                          average="macro"),
    "roc_auc_ovr_weighted": _proba(r.roc_auc_ovr, "max", average="weighted",
                                   batched=b.roc_auc_ovr_by_counts("weighted")),
    "average_precision": _proba(r.average_precision, "max", binary=True, reads="positive",
                                batched=b.average_precision_by_counts),
    "log_loss": _proba(c.log_loss, "min", batched=b.mean_of_rows(c.log_losses)),
    "brier": _proba(c.brier, "min", batched=b.mean_of_rows(c.brier_losses)),
    "r2": _values(g.r2, "max"),
    "explained_variance": _values(g.explained_variance, "max"),
    "rmse": _values(g.rmse, "min", b.mean_of_rows(g.squared_errors, finish=np.sqrt)),
    "mse": _values(g.mse, "min", b.mean_of_rows(g.squared_errors)),
    "mae": _values(g.mae, "min", b.mean_of_rows(g.absolute_errors)),
    "mape": _values(g.mape, "min", b.mean_of_rows(g.percentage_errors)),
}
"""Every metric mlkit computes, by name."""

_DEFAULTS = {
    ("binary", False): ("accuracy", "log_loss", "precision", "recall", "f1"),
    ("multiclass", False): ("accuracy", "log_loss", "precision_macro", "recall_macro",
                            "f1_macro"),
    ("regression", False): ("r2", "rmse", "mse", "mae"),
    ("scores", False): ("accuracy", "precision_macro", "recall_macro", "f1_macro"),
    ("binary", True): ("accuracy", "log_loss"),
    ("multiclass", True): ("accuracy", "log_loss"),
    ("scores", True): ("accuracy",),
    ("regression", True): ("r2", "rmse", "mae"),
}


def default_metrics(head: str, validation: bool = False) -> tuple[str, ...]:
    """The metrics reported when none are chosen, for a ``binary``, ``multiclass``,
    ``scores`` or ``regression`` head: the test set's, or (``validation``) the cheap ones
    every epoch."""
    return _DEFAULTS[head, validation]


def known_metric(name) -> Metric:
    """``METRICS[name]``, or ValueError suggesting the closest name."""
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}{did_you_mean(name, METRICS)} Metrics: "
                         f"{', '.join(METRICS)}.")
    return METRICS[name]


def averaged_forms(name: str) -> list[str]:
    """The metrics that stand in for positive-class metric ``name`` on more than two classes:
    its averages (``f1`` -> ``f1_macro``, ``f1_weighted``; ``roc_auc`` -> ``roc_auc_ovr``,
    ...), or ``roc_auc_ovr`` for one with none."""
    return [other for other in METRICS if other.startswith(name + "_")] or ["roc_auc_ovr"]


def check_metrics(names, head: str, n_classes: int | None = None) -> tuple[str, ...]:
    """``names`` as a tuple, or ValueError for a name that is unknown or does not fit a
    ``binary``, ``multiclass``, ``scores`` or ``regression`` head (of ``n_classes`` classes,
    when known: a positive-class metric fits any head of two)."""
    if isinstance(names, str):
        names = (names,)
    task = "regression" if head == "regression" else "classification"
    for name in names:
        metric = known_metric(name)
        if metric.task != task:
            raise ValueError(f"metric {name!r} is for {metric.task}, but the model's head is "
                             f"{head}.")
        if metric.reads in ("proba", "positive") and head == "scores":
            raise ValueError(f"metric {name!r} needs class probabilities, but the model was "
                             "trained with a margin loss (hinge), which gives class scores; "
                             "choose a label metric (accuracy, f1_macro, ...).")
        if metric.binary and head != "binary" and n_classes != 2:
            raise ValueError(f"metric {name!r} is the positive class's of a binary task, but "
                             f"the head is {head}; use {' or '.join(averaged_forms(name))}.")
    return tuple(names)


def score(names, y_true, *, labels=None, proba=None, values=None,
          sample_weight=None) -> dict[str, float]:
    """``{name: value}`` of the named metrics; a metric undefined on these rows (ROC AUC with
    one class present, say) is NaN rather than an error, so one small validation split cannot
    stop a run."""
    inputs = metric_inputs(labels=labels, proba=proba, values=values)
    found = {}
    for name in names:
        metric = METRICS[name]
        given = metric_input(name, inputs)
        try:
            found[name] = float(metric.function(y_true, given, sample_weight=sample_weight))
        except UndefinedMetric:
            found[name] = math.nan
    return found


def metric_inputs(labels=None, proba=None, values=None) -> dict:
    """What each kind of metric reads (:attr:`Metric.reads`), from a model's predictions."""
    return {"labels": labels, "proba": proba, "values": values,
            "positive": None if proba is None else np.asarray(proba)[:, -1]}


def metric_input(name: str, inputs: dict):
    """The input metric ``name`` reads from :func:`metric_inputs`; ValueError when missing."""
    metric = known_metric(name)
    given = inputs[metric.reads]
    if given is None:
        raise ValueError(f"metric {name!r} needs {metric.reads}, which were not given.")
    return given
