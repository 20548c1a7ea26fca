"""What every mlkit estimator shares: input checks, weights, the training run, persistence.

The estimators are thin adapters. scikit-learn's own helpers validate the inputs, so errors
read exactly like scikit-learn's (plain numpy arrays take a quick path, see ``inputs``);
:mod:`mlkit.nn` and :mod:`mlkit.optim` build the model and its optimizer, the one training
loop :func:`mlkit.train.fit` trains it, and :mod:`mlkit.metrics` scores it.
"""

from __future__ import annotations

import json
import numbers
import warnings

import numpy
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array, check_is_fitted

from mlkit.data import DataError, train_val_test_split
from mlkit.data import class_weights as per_class_weights
from mlkit.estimators.inputs import validate_predict, validate_train
from mlkit.estimators.logloss import log_proba
from mlkit.estimators.params import declare_constraints
from mlkit.metrics import accuracy
from mlkit.train import (
    EarlyStopping,
    History,
    ProgressBar,
    TrainingDiverged,
    load_arrays,
    save_arrays,
)
from mlkit.train import fit as train_loop
from mlkit.train.checkpoint import join_prefix, split_prefix
from mlkit.tree import tree_fold

__all__ = ["Classifier", "MLKitEstimator", "SOLVER_OPTIONS", "check_sample_weight",
           "check_weighted_classes", "class_weights", "load", "make_rng", "score_target"]

# The dtypes an estimator fits in: X's own when it is one of them, else the first (scikit-learn's
# rule), so float32 data trains, and later predicts, in float32.
_FLOATS = [numpy.float64, numpy.float32]

# What scikit-learn's solvers mean beyond the optimizer's name: its "sgd" is SGD with Nesterov
# momentum 0.9. The other optimizers keep their own defaults.
SOLVER_OPTIONS = {"sgd": {"momentum": 0.9, "nesterov": True}}


def make_rng(random_state) -> numpy.random.Generator:
    """A Generator from a checked ``random_state``: None, an int seed, a Generator (itself)
    or a RandomState."""
    if isinstance(random_state, numpy.random.RandomState):
        return numpy.random.default_rng(random_state.randint(0, 2**31 - 1))
    return numpy.random.default_rng(random_state)


def check_sample_weight(sample_weight, n: int) -> numpy.ndarray | None:
    """``sample_weight`` as a new float64 array of shape (n,), or None for equal weights.

    Raises ValueError for a wrong shape, negative or non-finite weights, or all zeros.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        return numpy.full(n, float(sample_weight))
    weight = check_array(sample_weight, ensure_2d=False, dtype=numpy.float64, copy=True,
                         input_name="sample_weight")
    if weight.shape != (n,):
        raise ValueError(f"sample_weight.shape == {weight.shape}, expected ({n},): one weight "
                         "per sample")
    if numpy.any(weight < 0):
        raise ValueError("Negative values in sample_weight are not allowed; weights must "
                         "be >= 0")
    if not numpy.any(weight > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return weight


def score_target(y, predicted):
    """``y`` as a score compares it with ``predicted``: a one-column ``y`` (a column vector,
    a one-column DataFrame) against 1-D predictions is its column, as scikit-learn reads it."""
    y = numpy.asarray(y)
    return y[:, 0] if y.ndim == 2 and y.shape[1] == 1 and predicted.ndim == 1 else y


def check_weighted_classes(estimator: str, classes, y_index, weight) -> None:
    """ValueError unless rows of at least two classes keep a positive ``weight``."""
    present = numpy.bincount(y_index, weights=weight, minlength=len(classes)) > 0
    if present.sum() < 2:
        raise ValueError(f"{estimator} needs samples of at least 2 classes with positive "
                         f"weight, but the data has {present.sum()} class(es): "
                         f"{classes[present].tolist()}")


def class_weights(class_weight, classes, y_index, sample_weight) -> numpy.ndarray | None:
    """Per-class weights (k,) from a checked ``None``, ``"balanced"`` (by summed
    ``sample_weight``) or ``{label: weight}`` dict (its labels checked here), computed by
    :func:`mlkit.data.class_weights`."""
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        index = {label: i for i, label in enumerate(classes.tolist())}
        unknown = [label for label in class_weight if label not in index]
        if unknown:
            raise ValueError(f"class_weight names classes {unknown} that are not in the data; "
                             f"the classes are {classes.tolist()}")
        class_weight = {index[label]: float(w) for label, w in class_weight.items()}
    return per_class_weights(class_weight, y_index, len(classes), sample_weight)


class _Encoder(json.JSONEncoder):
    """JSON for parameter values: tuples and non-string dict keys survive the round trip."""

    def encode_value(self, value):
        return tree_fold(value, self._encode_leaf, self._encode_node)

    def _encode_node(self, node, items):
        if isinstance(node, tuple):
            return {"__tuple__": items}
        if isinstance(node, list):
            return items
        return {"__dict__": [[self.encode_value(k), v] for k, v in zip(node, items)]}

    def _encode_leaf(self, value):
        if isinstance(value, numpy.generic):
            return value.item()
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(f"cannot save a parameter of type {type(value).__name__} ({value!r}); "
                        "save() stores numbers, strings, None, lists, tuples and dicts; set "
                        "the parameter to one of those (e.g. random_state=0) before saving")


def _decoded(node: dict):
    """json's ``object_hook`` (called innermost first): a tuple or dict :class:`_Encoder` wrote,
    back as it was."""
    if "__tuple__" in node:
        return tuple(node["__tuple__"])
    return dict(node["__dict__"]) if "__dict__" in node else node


class MLKitEstimator(BaseEstimator):
    """Base class: validation, weights, the call into the training loop, save and load.

    Subclasses set ``_estimator_kind`` ("classifier" or "regressor") and implement ``fit``
    and ``_parameter_dtype`` (the fitted parameters' dtype, which predictions use);
    :meth:`_run` trains a model through :func:`mlkit.train.fit`. Each subclass's
    ``_parameter_constraints`` are derived from type hints (:mod:`mlkit.estimators.params`).
    """

    _estimator_kind = "regressor"

    # -- scikit-learn contract -------------------------------------------------------------
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declare_constraints(cls)

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, RegressorTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = self._estimator_kind
        tags.target_tags.required = True
        if self._estimator_kind == "classifier":
            tags.classifier_tags = ClassifierTags()
        else:
            tags.regressor_tags = RegressorTags()
        return tags

    def _validate_train(self, X, y, reset=True, multi_output=False):
        """Validated ``X`` (dense, finite, 2-D, in a dtype of ``_FLOATS``) and ``y``; sets
        ``n_features_in_`` on reset."""
        return validate_train(self, X, y, reset=reset, dtype=_FLOATS, multi_output=multi_output,
                              y_numeric=self._estimator_kind == "regressor")

    def _validate_predict(self, X):
        """``X`` validated against the fit, in the fitted parameters' dtype."""
        X = validate_predict(self, X, _FLOATS)  # NotFittedError before any fitted attribute
        return X.astype(self._parameter_dtype(), copy=False)

    # -- training --------------------------------------------------------------------------
    def _validation_split(self, n, labels, rng):
        """Train and validation row indices for early stopping (stratified for classifiers)."""
        seed = int(rng.integers(2**31 - 1))
        stratify = labels is not None
        name, fraction = type(self).__name__, self.validation_fraction
        try:
            train, val, _ = train_val_test_split(labels if stratify else n, val=fraction,
                                                 test=0.0, stratify=stratify, seed=seed)
        except DataError as error:  # a class too rare for both parts (the reason before ";")
            raise ValueError(f"{name}: early_stopping holds out validation_fraction={fraction} "
                             f"of each class, but {str(error).split(';')[0]}; pass more rows "
                             "of that class or set early_stopping=False") from error
        if len(val) < 2:  # one row's R2 is always 0, its accuracy 0 or 1: no signal to stop on
            raise ValueError(f"{name}: early_stopping's validation set has {len(val)} row(s) of "
                             f"{n}, too few to score; raise validation_fraction (now "
                             f"{fraction}), pass more rows, or set early_stopping=False")
        return train, val

    def _callbacks(self, stop_on_train_loss: bool, validating: bool) -> list:
        """Early stopping (on the training loss with ``tol``, or on validation), progress bar."""
        callbacks = []
        if validating:
            metric = getattr(self, "monitor", "score")
            callbacks.append(EarlyStopping(
                monitor=f"val_{metric}", mode="max" if metric == "score" else "min",
                patience=self.n_iter_no_change, min_delta=self.tol, restore_best=True))
        elif stop_on_train_loss:
            callbacks.append(EarlyStopping(monitor="train_loss", mode="min",
                                           patience=self.n_iter_no_change, min_delta=self.tol,
                                           restore_best=False))
        if self.verbose:
            callbacks.append(ProgressBar(metric="val_score", enabled=True,
                                         description=type(self).__name__))
        return callbacks

    def _run(self, model, loss_fn, optimizer, X, y, weight, *, epochs, batch_size, rng,
             shuffle=True, validation=None, evaluate=None, callbacks=(),
             row_blocks=None) -> History:
        """Train ``model`` in place with :func:`mlkit.train.fit`; returns its History. A fit
        that diverges is scikit-learn's ValueError, naming the estimator's own remedies."""
        try:
            return train_loop(model, loss_fn, optimizer, X, y, sample_weight=weight,
                              validation=validation, epochs=epochs, batch_size=batch_size,
                              seed=rng, shuffle=bool(shuffle), evaluate=evaluate,
                              callbacks=callbacks, jit=bool(self.jit), row_blocks=row_blocks)
        except TrainingDiverged as error:
            raise ValueError(f"{type(self).__name__}: training diverged: {error.what} at epoch "
                             f"{error.epoch}. Standardize the inputs (StandardScaler, e.g. in a "
                             "Pipeline) or lower learning_rate_init") from error

    def _warn_if_stalled(self, optimizer, stacklevel: int) -> None:
        """A ConvergenceWarning with the optimizer's reason when its last step could not move
        with the gradient still above ``tol`` (L-BFGS's line search found no decrease)."""
        if getattr(optimizer, "stalled", False):
            reason = optimizer.reason.replace("tolerance_grad", "tol")  # the estimator's name
            warnings.warn(f"{type(self).__name__}: {type(optimizer).__name__} stopped before its "
                          f"gradient reached tol={self.tol:g}: {reason}",
                          ConvergenceWarning, stacklevel=stacklevel + 1)

    @staticmethod
    def _extend_history(old: History | None, new: History) -> History:
        """``old`` followed by ``new`` with its epochs renumbered (partial_fit, warm start)."""
        if old is None:
            return new
        offset = len(old)
        rows = old.rows + [{**row, "epoch": row["epoch"] + offset} for row in new.rows]
        return History(rows, new.stop_reason)

    # -- persistence -----------------------------------------------------------------------
    def _fitted_state(self) -> dict:
        """Fitted attributes as plain values: arrays, numbers, strings, lists of arrays."""
        return {name: value for name, value in vars(self).items()
                if name.endswith("_") and not name.startswith("_") and name != "model_"}

    def _restore(self) -> None:
        """Rebuild derived fitted state (such as ``model_``) after :meth:`load`."""

    def save(self, path) -> None:
        """Write the parameters and the fitted state to ``path`` as an ``.npz`` (no pickle).

        Load it back with ``type(estimator).load(path)`` or :func:`mlkit.estimators.load`.
        """
        check_is_fitted(self)
        arrays, kinds = {}, {}
        for name, value in self._fitted_state().items():
            kinds[name] = _store(arrays, name, value)
        meta = {"class": type(self).__name__, "kinds": kinds,
                "params": _Encoder().encode_value(self.get_params(deep=False))}
        arrays["__meta__"] = numpy.array(json.dumps(meta))
        save_arrays(path, arrays)

    @classmethod
    def load(cls, path):
        """The estimator saved at ``path`` by :meth:`save`, fitted and ready to predict."""
        arrays, meta = _read_saved(path)
        if meta["class"] != cls.__name__:
            raise ValueError(f"{path} holds a {meta['class']}, not a {cls.__name__}; load it "
                             f"with {meta['class']}.load or mlkit.estimators.load")
        estimator = cls(**meta["params"])
        for name, kind in meta["kinds"].items():
            setattr(estimator, name, _fetch(arrays, name, kind))
        estimator._restore()
        return estimator


def _store(arrays: dict, name: str, value) -> str:
    """Put one fitted attribute into ``arrays``; returns how to read it back."""
    if value is None:
        return "none"
    if isinstance(value, History):
        arrays.update(join_prefix(name, value.to_arrays()))
        arrays[f"{name}.__reason__"] = numpy.array(value.stop_reason)
        return "history"
    if isinstance(value, list) and all(isinstance(v, numpy.ndarray) for v in value) and value:
        arrays.update(join_prefix(name, dict(enumerate(value))))
        return f"arrays:{len(value)}"
    if isinstance(value, list):
        arrays[name] = numpy.asarray(value, dtype=numpy.float64)
        return "list"
    if isinstance(value, numpy.ndarray) and value.dtype == object:
        arrays[name] = value.astype(str)
        return "strings"
    if isinstance(value, (bool, numpy.bool_)):
        arrays[name] = numpy.array(bool(value))
        return "bool"
    if isinstance(value, numpy.ndarray):
        arrays[name] = value
        return "array"
    for kind, python_type in (("int", numbers.Integral), ("float", numbers.Real), ("str", str)):
        if isinstance(value, python_type):
            arrays[name] = numpy.array(value)
            return kind
    raise TypeError(f"cannot save the fitted attribute {name!r} of type "
                    f"{type(value).__name__}")


def _fetch(arrays: dict, name: str, kind: str):
    if kind == "none":
        return None
    if kind == "history":
        columns = split_prefix(arrays, name)
        reason = columns.pop("__reason__")
        return History.from_arrays(columns, str(reason[()]))
    if kind.startswith("arrays:"):
        return [arrays[f"{name}.{i}"] for i in range(int(kind.split(":")[1]))]
    value = arrays[name]
    if kind == "list":
        return value.tolist()
    if kind == "strings":
        return value.astype(object)
    if kind in ("int", "float", "str", "bool"):
        return {"int": int, "float": float, "str": str, "bool": bool}[kind](value[()])
    return value


class Classifier:
    """What a classifier answers from its class scores (``_class_scores(X)``: (n,) binary
    logits or (n, k) class logits): probabilities, classes and accuracy."""

    _estimator_kind = "classifier"

    def predict_log_proba(self, X):
        """Log class probabilities, (n, n_classes), computed without overflow, in the
        parameters' dtype (float32 stays float32)."""
        return log_proba(self._class_scores(X))

    def predict_proba(self, X):
        """Class probabilities, (n, n_classes); rows sum to one."""
        return numpy.exp(self.predict_log_proba(X))

    def predict(self, X):
        """The most probable class of each row."""
        scores = self._class_scores(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else numpy.argmax(scores, axis=1)
        return self.classes_[index]

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` on ``(X, y)`` (mlkit's metric; weighted if asked)."""
        predicted = self.predict(X)
        return accuracy(score_target(y, predicted), predicted, sample_weight=sample_weight)


def load(path):
    """Any mlkit estimator saved by ``save(path)``, of whichever class it was."""
    from mlkit import estimators

    name = _read_saved(path)[1]["class"]
    if name not in estimators.__all__ or name == "load":
        raise ValueError(f"{path} holds an unknown estimator class {name!r}")
    return getattr(estimators, name).load(path)


def _read_saved(path) -> tuple[dict, dict]:
    """The arrays of a file :meth:`MLKitEstimator.save` wrote, and its decoded metadata."""
    arrays = load_arrays(path)
    if "__meta__" not in arrays:
        raise ValueError(f"{path} was not written by an mlkit estimator's save()")
    return arrays, json.loads(str(arrays["__meta__"][()]), object_hook=_decoded)
