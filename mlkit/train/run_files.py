"""Checks of the files read back from a run directory: they are inputs too.

A run directory may be edited by hand, copied half-way or damaged. Everything mlkit reads back
(``preprocessing.json``, ``model.npz``, ``last.npz``, ``baseline.npz``) is checked against
what mlkit writes (types, lengths, shapes, finiteness) before it is used; a problem names the
file and the key.
Keys these checks do not know are left to the code that reads them.
"""

from __future__ import annotations

import json
from numbers import Integral

import numpy as np

from mlkit.data.errors import is_finite
from mlkit.train.checkpoint import CheckpointError
from mlkit.train.heads import HEADS

__all__ = ["check_baseline", "check_preprocessing", "check_training_state", "check_weights"]


class _Bad(ValueError):
    """One key of a file holding a value mlkit never writes there."""

    def __init__(self, key: str, expected: str, value):
        text = json.dumps(value, default=repr)
        text = text if len(text) <= 60 else text[:57] + "..."
        super().__init__(f"key {key!r} must be {expected} (got {text})")


def _strings(key: str, value, *, empty: bool = False, distinct: bool = True) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value) or \
            (not value and not empty) or (distinct and len(set(value)) != len(value)):
        what = "a list of distinct strings" if distinct else "a list of strings"
        raise _Bad(key, what + ("" if empty else ", not empty"), value)
    return value


def _numbers(key: str, value, length: int, *, positive: bool = False) -> None:
    if not isinstance(value, list) or len(value) != length or not all(map(is_finite, value)) or \
            (positive and not all(v > 0 for v in value)):
        what = "positive finite numbers" if positive else "finite numbers"
        raise _Bad(key, f"a list of {length} {what}", value)


def check_preprocessing(state) -> None:
    """Raise ValueError naming the first key of ``preprocessing.json`` that mlkit never writes
    so: a wrong type, a list of the wrong length, a non-finite number, a bad CSV schema."""
    if not isinstance(state, dict):
        raise ValueError(f"must hold a JSON object, not {type(state).__name__}")
    head = state.get("head")
    if head not in HEADS:
        raise _Bad("head", f"one of {', '.join(HEADS)}", head)
    names = _strings("feature_names", state.get("feature_names"))
    classes = state.get("classes")
    if head == "regression":
        if classes is not None:
            raise _Bad("classes", "null for a regression head", classes)
    elif not isinstance(classes, list) or len(classes) < 2 or \
            len({repr(c) for c in classes}) != len(classes) or not (
                all(isinstance(c, str) for c in classes) or
                all(isinstance(c, Integral) and not isinstance(c, bool) for c in classes)):
        raise _Bad("classes", "a list of at least 2 distinct labels, all strings or all "
                   "integers", classes)
    if head == "binary" and len(classes) != 2:
        raise _Bad("classes", "a list of 2 labels for a binary head", classes)
    for key in ("x_mean", "x_scale"):
        if (state.get("x_mean") is None) != (state.get("x_scale") is None):
            raise _Bad(key, "given together with x_mean/x_scale, or both null", state.get(key))
        if state.get(key) is not None:
            _numbers(key, state[key], len(names), positive=key == "x_scale")
    if not is_finite(state.get("y_mean")):
        raise _Bad("y_mean", "a finite number", state.get("y_mean"))
    if not is_finite(state.get("y_scale")) or state["y_scale"] <= 0:
        raise _Bad("y_scale", "a positive finite number", state.get("y_scale"))
    if not isinstance(state.get("target"), str):
        raise _Bad("target", "a column name (string)", state.get("target"))
    if state.get("dtype") not in ("float32", "float64"):
        raise _Bad("dtype", "float32 or float64", state.get("dtype"))
    if state.get("csv_schema") is not None:
        _check_csv_schema(state["csv_schema"], names)


def _check_csv_schema(schema, feature_names: list[str]) -> None:
    if not isinstance(schema, dict):
        raise _Bad("csv_schema", "a JSON object or null", schema)
    numeric = _strings("csv_schema.numeric", schema.get("numeric"), empty=True)
    categorical = schema.get("categorical")
    if not isinstance(categorical, dict):
        raise _Bad("csv_schema.categorical", "a JSON object", categorical)
    columns = _strings("csv_schema.categorical.names", categorical.get("names"), empty=True)
    categories = categorical.get("categories")
    if not isinstance(categories, list) or len(categories) != len(columns):
        raise _Bad("csv_schema.categorical.categories",
                   f"a list of {len(columns)} lists of categories", categories)
    for column, values in zip(columns, categories):
        _strings(f"csv_schema.categorical.categories ({column})", values, empty=True)
    fill = schema.get("fill", {})
    if not isinstance(fill, dict):
        raise _Bad("csv_schema.fill", "a JSON object of column: value", fill)
    for column, value in fill.items():
        wanted = is_finite(value) if column in numeric else isinstance(value, str)
        if not wanted:
            kind = "a finite number" if column in numeric else "a category (string)"
            raise _Bad(f"csv_schema.fill.{column}", kind, value)
    if len(numeric) > len(feature_names):
        raise _Bad("csv_schema.numeric", "a prefix of feature_names", numeric)


def check_weights(arrays: dict, path) -> None:
    """Raise CheckpointError naming ``path`` and the first array of weights (``model.npz`` or
    the ``model.*`` part of ``last.npz``) that is not a finite floating-point array."""
    for name, array in arrays.items():
        if array.dtype.kind not in "fc" and name.endswith(("weight", "bias")):
            raise CheckpointError(f"{path}: key {name!r} must be a floating-point array, not "
                                  f"{array.dtype}; restore the file or train again")
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            raise CheckpointError(f"{path}: key {name!r} holds non-finite values (nan or inf); "
                                  "restore the file or train again")


def check_training_state(arrays: dict, path) -> None:
    """Raise CheckpointError naming ``path`` and the key when a training checkpoint
    (``last.npz``) holds a counter that is not a whole number >= 0, a history whose columns
    differ in length, or weights or optimizer state that are not finite."""
    for key in ("loop.epoch", "loop.step"):
        if key not in arrays:
            continue
        value = arrays[key]
        if value.shape != () or value.dtype.kind not in "iuf" or not np.isfinite(value) or \
                value < 0 or value != np.floor(value):
            raise CheckpointError(f"{path}: key {key!r} must be a whole number >= 0 (got "
                                  f"{value!r}); restore the file or train again")
    for name, value in arrays.items():
        if name.startswith("optimizer.") and name.endswith(".step") or name == "optimizer.step":
            if value.shape != () or value.dtype.kind not in "iu" or value < 0:
                raise CheckpointError(f"{path}: key {name!r} must be a whole number >= 0 (got "
                                      f"{value!r}); restore the file or train again")
    steps = {name: value for name, value in arrays.items() if name.startswith("history.steps.")}
    history = {name: value for name, value in arrays.items()
               if name.startswith("history.") and name not in steps}
    for keys, columns in (("history.*", history), ("history.steps.*", steps)):
        lengths = {value.shape for value in columns.values()}
        if len(lengths) > 1 or any(len(shape) != 1 for shape in lengths):
            shapes = {name: value.shape for name, value in columns.items()}
            raise CheckpointError(f"{path}: the {keys} keys must be 1-d arrays of one length "
                                  f"(got {shapes}); restore the file or train again")
    lengths = {value.shape for value in history.values()}
    if "loop.epoch" in arrays and lengths and next(iter(lengths))[0] != int(arrays["loop.epoch"]):
        raise CheckpointError(f"{path}: key 'loop.epoch' is {int(arrays['loop.epoch'])} but the "
                              f"history holds {next(iter(lengths))[0]} epochs; restore the file "
                              "or train again")
    for name, value in arrays.items():
        if name.startswith("rng.") and (value.shape != () or value.dtype.kind != "U"):
            raise CheckpointError(f"{path}: key {name!r} must be a generator state (text); "
                                  "restore the file or train again")
    check_weights({name: value for name, value in arrays.items()
                   if name.startswith(("model.", "optimizer.state."))}, path)


def check_baseline(arrays: dict, path, head: str, n_rows: int, n_classes: int | None) -> None:
    """Raise CheckpointError naming ``path`` unless ``baseline.npz`` holds a text
    ``description`` and finite predictions of ``n_rows`` rows: ``proba`` (n_rows, n_classes)
    for a classifier, ``values`` (n_rows,) for a regression ``head``."""
    fix = "train the run again to keep the baseline's predictions"
    description = arrays.get("description")
    if description is None or description.shape != () or description.dtype.kind != "U":
        raise CheckpointError(f"{path}: key 'description' must be text; {fix}")
    key, shape = ("values", (n_rows,)) if head == "regression" else ("proba", (n_rows, n_classes))
    value = arrays.get(key)
    if value is None or value.dtype.kind != "f" or not np.isfinite(value).all():
        raise CheckpointError(f"{path}: key {key!r} must hold finite numbers for a {head} "
                              f"model; {fix}")
    if value.shape != shape:
        raise CheckpointError(f"{path}: key {key!r} has shape {value.shape}, but the run's test "
                              f"split gives {shape}: it belongs to another run; {fix}")
