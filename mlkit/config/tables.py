"""The names a config chooses from, and the facts known of them before any data.

Component names (model, loss, optimizer, schedule, monitored metric) come from the registry and
the layer's own names from nn; the schema's sections accept these names and its cross-field
checks read these tables.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

from mlkit import registry
from mlkit.nn.activation_layers import ActivationName
from mlkit.nn.init import InitName

# ----------------------------------------------------------------------------- Component names

DatasetName = Literal["iris", "wine", "breast_cancer", "digits", "diabetes", "make_classification",
                      "make_moons", "make_circles", "make_regression", "csv"]
MonitorName = registry.MonitorName
BaselineName = Literal["off", "auto", "logistic_regression", "ridge", "linear_regression", "mlp"]
ImputeName = Literal["none", "mean", "median", "most_frequent", "drop"]

COMPONENT_NAMES: dict[str, tuple[str, ...]] = {
    "dataset": get_args(DatasetName), "model": tuple(registry.MODELS),
    "activation": get_args(ActivationName), "init": get_args(InitName),
    "loss": tuple(registry.LOSSES), "optimizer": tuple(registry.OPTIMIZERS),
    "schedule": tuple(registry.SCHEDULES), "monitor": tuple(registry.METRICS),
    "baseline": get_args(BaselineName), "impute": get_args(ImputeName),
}

# ----------------------------------------------------------------------------- Static facts
# What can be known about a config without loading data, for the cross-field checks.


class DatasetFacts(NamedTuple):
    """A named data set's task, its class count (None: regression or set by a parameter),
    the parameter that sets the class count, and the parameters its loader accepts."""

    task: str | None
    n_classes: int | None
    class_param: str | None
    params: tuple[str, ...]


_MOONS = ("n_samples", "shuffle", "noise", "random_state")
DATASETS: dict[str, DatasetFacts] = {
    "iris": DatasetFacts("classification", 3, None, ()),
    "wine": DatasetFacts("classification", 3, None, ()),
    "breast_cancer": DatasetFacts("classification", 2, None, ()),
    "digits": DatasetFacts("classification", 10, "n_class", ("n_class",)),
    "diabetes": DatasetFacts("regression", None, None, ("scaled",)),
    "make_classification": DatasetFacts("classification", 2, "n_classes", (
        "n_samples", "n_features", "n_informative", "n_redundant", "n_repeated", "n_classes",
        "n_clusters_per_class", "weights", "flip_y", "class_sep", "hypercube", "shift", "scale",
        "shuffle", "random_state")),
    "make_moons": DatasetFacts("classification", 2, None, _MOONS),
    "make_circles": DatasetFacts("classification", 2, None, _MOONS + ("factor",)),
    "make_regression": DatasetFacts("regression", None, None, (
        "n_samples", "n_features", "n_informative", "bias", "effective_rank", "tail_strength",
        "noise", "shuffle", "random_state")),
    "csv": DatasetFacts(None, None, None, ()),
}
MODEL_TASKS = {"logistic_regression": "classification", "softmax_regression": "classification",
               "linear_regression": "regression", "mlp": None}
MODEL_LOSSES = {"logistic_regression": ("binary_cross_entropy",),
                "softmax_regression": ("cross_entropy",),
                "linear_regression": ("mse", "l1", "huber"), "mlp": tuple(registry.LOSSES)}
LOSS_TASKS = {name: "regression" if loss.head == "regression" else "classification"
              for name, loss in registry.LOSSES.items()}
MONITOR_MODES = {name: metric.mode for name, metric in registry.METRICS.items()}
MONITOR_TASKS = {name: metric.task for name, metric in registry.METRICS.items() if metric.task}
BASELINE_TASKS = {"logistic_regression": "classification", "ridge": "regression",
                  "linear_regression": "regression"}
