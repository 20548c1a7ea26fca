"""The names a config chooses from, and the facts known of them before any data.

Component names (model, loss, optimizer, schedule, monitored metric) come from the registry and
the layer's own names from nn; the schema's sections accept these names and its cross-field
checks read these tables.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

from mlkit import registry
from mlkit.data import DATASET_TASKS
from mlkit.nn.activation_layers import ActivationName
from mlkit.nn.init import InitName

# ----------------------------------------------------------------------------- Component names

DatasetName = Literal[(*DATASET_TASKS, "csv")]
MonitorName = registry.MonitorName
MetricName = registry.MetricName
BaselineName = Literal["off", "auto", "logistic_regression", "ridge", "linear_regression", "mlp"]

COMPONENT_NAMES: dict[str, tuple[str, ...]] = {
    "dataset": get_args(DatasetName), "model": tuple(registry.MODELS),
    "activation": get_args(ActivationName), "init": get_args(InitName),
    "loss": tuple(registry.LOSSES), "optimizer": tuple(registry.OPTIMIZERS),
    "schedule": tuple(registry.SCHEDULES), "monitor": tuple(registry.MONITORS),
    "metric": tuple(registry.METRICS),
    "baseline": get_args(BaselineName),
}

# ----------------------------------------------------------------------------- Static facts
# What can be known about a config without loading data, for the cross-field checks.


class DatasetFacts(NamedTuple):
    """A named data set's task (None: read from the CSV), its class count (None: regression
    or unknown) and the parameter that sets the class count. The parameters a loader accepts
    are its own signature's (:func:`mlkit.data.dataset_parameters`)."""

    task: str | None
    n_classes: int | None = None
    class_param: str | None = None


_CLASSES = {"iris": (3, None), "wine": (3, None), "breast_cancer": (2, None),
            "digits": (10, "n_class"), "make_classification": (2, "n_classes"),
            "make_moons": (2, None), "make_circles": (2, None)}
DATASETS: dict[str, DatasetFacts] = {
    **{name: DatasetFacts(task, *_CLASSES.get(name, (None, None)))
       for name, task in DATASET_TASKS.items()},
    "csv": DatasetFacts(None),
}
MODEL_TASKS = {"logistic_regression": "classification", "softmax_regression": "classification",
               "linear_regression": "regression", "mlp": None}
MODEL_LOSSES = {"logistic_regression": ("binary_cross_entropy",),
                "softmax_regression": ("cross_entropy",),
                "linear_regression": ("mse", "l1", "huber"), "mlp": tuple(registry.LOSSES)}
LOSS_TASKS = {name: "regression" if loss.head == "regression" else "classification"
              for name, loss in registry.LOSSES.items()}
MONITOR_MODES = {name: monitor.mode for name, monitor in registry.MONITORS.items()}
MONITOR_TASKS = {name: monitor.task for name, monitor in registry.MONITORS.items() if monitor.task}
BASELINE_TASKS = {"logistic_regression": "classification", "ridge": "regression",
                  "linear_regression": "regression"}
