"""The component names a config chooses from, and the facts known of them before any data.

The schema's sections accept these names and its cross-field checks read these tables.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

# ----------------------------------------------------------------------------- Component names
# config/build.py must map every name below to a component; COMPONENT_NAMES lets it check that.

DatasetName = Literal["iris", "wine", "breast_cancer", "digits", "diabetes", "make_classification",
                      "make_moons", "make_circles", "make_regression", "csv"]
ModelName = Literal["logistic_regression", "softmax_regression", "linear_regression", "mlp"]
ActivationName = Literal["relu", "leaky_relu", "elu", "gelu", "silu", "tanh", "sigmoid", "softplus"]
InitName = Literal["zeros", "normal", "uniform", "glorot_normal", "glorot_uniform", "he_normal",
                   "he_uniform", "lecun_normal"]
LossName = Literal["cross_entropy", "binary_cross_entropy", "mse", "l1", "huber", "hinge"]
OptimizerName = Literal["sgd", "adam", "adamw", "rmsprop", "adagrad", "lbfgs"]
ScheduleName = Literal["none", "step", "multistep", "exponential", "cosine", "warmup_cosine",
                       "linear_warmup", "onecycle", "plateau"]
MonitorName = Literal["train_loss", "val_loss", "val_accuracy", "val_log_loss", "val_r2",
                      "val_rmse", "val_mae"]
BaselineName = Literal["off", "auto", "logistic_regression", "ridge", "linear_regression", "mlp"]
ImputeName = Literal["none", "mean", "median", "most_frequent", "drop"]

COMPONENT_NAMES: dict[str, tuple[str, ...]] = {
    "dataset": get_args(DatasetName), "model": get_args(ModelName),
    "activation": get_args(ActivationName), "init": get_args(InitName),
    "loss": get_args(LossName), "optimizer": get_args(OptimizerName),
    "schedule": get_args(ScheduleName), "monitor": get_args(MonitorName),
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
                "linear_regression": ("mse", "l1", "huber"), "mlp": get_args(LossName)}
LOSS_TASKS = {"cross_entropy": "classification", "binary_cross_entropy": "classification",
              "hinge": "classification", "mse": "regression", "l1": "regression",
              "huber": "regression"}
MONITOR_MODES = {"train_loss": "min", "val_loss": "min", "val_accuracy": "max",
                 "val_log_loss": "min", "val_r2": "max", "val_rmse": "min", "val_mae": "min"}
MONITOR_TASKS = {"val_accuracy": "classification", "val_log_loss": "classification",
                 "val_r2": "regression", "val_rmse": "regression", "val_mae": "regression"}
BASELINE_TASKS = {"logistic_regression": "classification", "ridge": "regression",
                  "linear_regression": "regression"}
