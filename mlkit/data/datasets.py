"""Named data sets: scikit-learn's bundled tables and its synthetic generators.

Every loader returns the same :class:`Dataset`, so the training loop, the CLI and the configs
handle a bundled table, a generated one and a CSV file alike. This is the one module of
``mlkit`` (besides the baseline and the estimators) that imports scikit-learn.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mlkit.checks import rectangular
from mlkit.data.errors import DataError, check_float_dtype
from mlkit.options import did_you_mean

if TYPE_CHECKING:
    from mlkit.data.schema import CsvSchema

__all__ = ["DATASET_TASKS", "TASKS", "Dataset", "available_datasets", "dataset_defaults",
           "dataset_parameters", "load_dataset"]

TASKS = ("classification", "regression")
"""What a data set's target asks of a model."""


@dataclass
class Dataset:
    """A table of features ``X`` (n, d) and targets ``y`` (n,) with its description.

    For classification ``y`` holds class indices ``0..k-1`` and ``target_names[i]`` names class
    ``i``; for regression ``y`` is float and ``target_names`` is None. ``schema`` is set for
    data read from a CSV file and re-applies the same encoding to new files; ``notes`` say
    what reading it left out (rows without a target, say), for the user to see, and ``lines``
    where each row is in its file.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_names: list[str] | None
    task: str
    name: str
    schema: CsvSchema | None = None
    notes: list[str] = field(default_factory=list)
    lines: np.ndarray | None = None
    """For data read from a file: the file line of each row (the header is line 1)."""

    def __post_init__(self):
        self.X, self.y = rectangular(self.X, "X", DataError), rectangular(self.y, "y", DataError)
        if self.task not in TASKS:
            raise DataError(f"Dataset {self.name!r}: task must be 'classification' or "
                            f"'regression', got {self.task!r}.")
        if self.X.ndim != 2 or self.X.dtype.kind != "f":
            raise DataError(f"Dataset {self.name!r}: X must be a 2-D float array, got shape "
                            f"{self.X.shape} and dtype {self.X.dtype}.")
        if self.y.shape != (len(self.X),):
            raise DataError(f"Dataset {self.name!r}: y must have shape ({len(self.X)},) to match "
                            f"X, got {self.y.shape}.")
        if len(self.feature_names) != self.X.shape[1]:
            raise DataError(f"Dataset {self.name!r}: {len(self.feature_names)} feature names for "
                            f"{self.X.shape[1]} columns of X.")
        if (self.task == "classification") != (self.target_names is not None):
            raise DataError(f"Dataset {self.name!r}: target_names must be a list for "
                            "classification and None for regression.")
        if self.target_names is not None and (
            self.y.dtype.kind not in "iu"
            or (len(self.y) and not 0 <= self.y.min() <= self.y.max() < len(self.target_names))
        ):
            raise DataError(f"Dataset {self.name!r}: y must hold class indices 0.."
                            f"{len(self.target_names) - 1}, one per target name.")

    @property
    def n_classes(self) -> int | None:
        """Number of classes, or None for regression."""
        return None if self.target_names is None else len(self.target_names)


@dataclass(frozen=True)
class _Source:
    """How to build one named data set: a scikit-learn function and its hidden arguments.

    The function is looked up by name on first use, so importing ``mlkit.data`` does not
    import scikit-learn.
    """

    function_name: str
    task: str
    bundled: bool
    hidden: tuple[str, ...]

    @property
    def function(self):
        """The scikit-learn function, imported now."""
        return getattr(importlib.import_module("sklearn.datasets"), self.function_name)


_SOURCES = {
    "iris": _Source("load_iris", "classification", True, ("return_X_y", "as_frame")),
    "wine": _Source("load_wine", "classification", True, ("return_X_y", "as_frame")),
    "breast_cancer": _Source("load_breast_cancer", "classification", True,
                             ("return_X_y", "as_frame")),
    "digits": _Source("load_digits", "classification", True, ("return_X_y", "as_frame")),
    "diabetes": _Source("load_diabetes", "regression", True, ("return_X_y", "as_frame")),
    "make_classification": _Source("make_classification", "classification", False,
                                   ("return_X_y",)),
    "make_moons": _Source("make_moons", "classification", False, ()),
    "make_circles": _Source("make_circles", "classification", False, ()),
    "make_regression": _Source("make_regression", "regression", False,
                               ("coef", "n_targets")),
}


DATASET_TASKS = {name: source.task for name, source in _SOURCES.items()}
"""Each named data set's task, "classification" or "regression"."""


def available_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`, sorted."""
    return sorted(_SOURCES)


def dataset_parameters(name: str) -> list[str]:
    """The parameters :func:`load_dataset` accepts for data set ``name``: those of its
    scikit-learn function (imported now), less the ones mlkit sets itself."""
    return list(dataset_defaults(name))


def dataset_defaults(name: str) -> dict:
    """``{parameter: default}`` for the parameters of :func:`dataset_parameters`."""
    source = _SOURCES[name]
    return {key: parameter.default for key, parameter in
            inspect.signature(source.function).parameters.items() if key not in source.hidden}


def load_dataset(name: str, dtype="float64", **params) -> Dataset:
    """Load a bundled data set or generate a synthetic one by name.

    Parameters
    ----------
    name : str
        One of :func:`available_datasets`.
    dtype : {"float64", "float32"}
        Float type of ``X`` (and of ``y`` for regression).
    **params
        Passed to the generator, e.g. ``n_samples``, ``noise``; ``random_state`` (an int)
        seeds it and defaults to 0 so that a config always yields the same data.

    Returns
    -------
    Dataset
    """
    if not isinstance(name, str) or name not in _SOURCES:
        raise DataError(f"unknown dataset {name!r}; available: {', '.join(available_datasets())}."
                        + did_you_mean(str(name), _SOURCES, sentence=True))
    dtype = check_float_dtype(dtype)
    source = _SOURCES[name]
    allowed = dataset_parameters(name)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        valid = ", ".join(allowed) if allowed else "none"
        raise DataError(f"dataset {name!r} got unknown parameter(s) {', '.join(unknown)}; "
                        f"allowed: {valid}." + did_you_mean(unknown[0], allowed, sentence=True))
    if "random_state" in allowed:
        params.setdefault("random_state", 0)
        seed = params["random_state"]
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"dataset {name!r}: random_state must be an int seed, got {seed!r}.")
    try:
        result = source.function(**params)
    except ValueError as exc:
        raise DataError(f"dataset {name!r}: {exc}") from None
    if source.bundled:
        X, y = result.data, result.target
        features = [str(f) for f in result.feature_names]
        classes = getattr(result, "target_names", None)
    else:
        X, y = result
        features = [f"x{j}" for j in range(X.shape[1])]
        classes = None
    if source.task == "classification":
        y = np.asarray(y, dtype=np.int64)
        n_classes = int(y.max()) + 1
        names = range(n_classes) if classes is None else classes[:n_classes]
        target_names = [str(c) for c in names]
    else:
        y = np.asarray(y, dtype=dtype)
        target_names = None
    return Dataset(np.asarray(X, dtype=dtype), y, features, target_names, source.task, name)
