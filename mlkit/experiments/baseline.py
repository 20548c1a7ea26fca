"""The scikit-learn baseline: the same split, preprocessing and (where one exists) objective.

The baseline is fitted on exactly the arrays mlkit trains on (the plan's scaled training
rows and its class weights, wherever the estimator's ``fit`` takes ``sample_weight``; its row
of the table says ``[unweighted]`` otherwise) and scored on the same test rows with mlkit's
own metrics (the run's ``metrics:``), so the table printed after a run compares the solvers
and nothing else. Penalties are mapped
to scikit-learn's parameterization:

- logistic / softmax regression, mean loss + l2/2 |w|^2  ->  ``C = 1 / (l2 * sum(w_i))``
  (``sum(w_i)`` is the row count without class weights; ``l2 = 0`` is ``penalty=None``);
- linear regression with mse, mean loss + l2/2 |w|^2  ->  ``Ridge(alpha = n * l2 / 2)``;
- mlp: scikit-learn adds ``alpha / (2 B) |W|^2`` to each batch's mean loss (B its size), and
  its regression loss is half the squared error, so ``alpha = l2 * B`` (classification) or
  ``l2 * B / 2`` (regression), with the same hidden sizes, activation, batch size and rate;
  its solver steps as mlkit's optimizer does: ``lbfgs`` for a ``full_batch`` optimizer (whole
  data, line search), otherwise its stochastic ``adam``.
"""

from __future__ import annotations

import inspect
import time
import warnings
from dataclasses import dataclass

import numpy as np

from mlkit.train.plan import Plan

__all__ = ["BaselineResult", "baseline_name", "fit_baseline"]

_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}


@dataclass
class BaselineResult:
    """A fitted baseline's description, test metrics, fit time and test predictions
    (``{"proba": (n, k)}`` or ``{"values": (n,)}`` in the target's units, as the metrics read
    them)."""

    name: str
    description: str
    test: dict
    fit_seconds: float
    note: str = ""
    predictions: dict | None = None


def baseline_name(config) -> str | None:
    """The baseline a config asks for (``auto`` resolved), or None for ``off``."""
    name = config.baseline.name
    if name == "off":
        return None
    if name != "auto":
        return name
    model = config.model.name
    if model == "mlp":
        return "mlp"
    if model == "linear_regression":
        return "ridge" if config.loss.l2 else "linear_regression"
    return "logistic_regression"


def _estimator(name: str, config, plan: Plan):
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    splits, loss, notes = plan.splits, config.loss, []
    n = len(splits.X_train)
    seed = config.training.seed
    max_iter = config.baseline.max_iter
    if name == "logistic_regression":
        total_weight = n if splits.w_train is None else float(np.sum(splits.w_train))
        if loss.l1:
            notes.append("l1 not mapped")
        if loss.l2:
            model = LogisticRegression(C=1.0 / (loss.l2 * total_weight), max_iter=max_iter)
            return model, f"LogisticRegression(C={1.0 / (loss.l2 * total_weight):.4g})", notes
        return LogisticRegression(penalty=None, max_iter=max_iter), \
            "LogisticRegression(penalty=None)", notes
    if name == "ridge":
        alpha = n * loss.l2 / 2 if loss.l2 else 1.0
        if not loss.l2:
            notes.append("loss.l2 is 0: scikit-learn's default alpha=1 used")
        return Ridge(alpha=alpha), f"Ridge(alpha={alpha:.4g})", notes
    if name == "linear_regression":
        return LinearRegression(), "LinearRegression()", notes
    hidden = tuple(config.model.hidden) if config.model.name == "mlp" else (100,)
    activation = _ACTIVATIONS.get(getattr(config.model, "activation", "relu"), "relu")
    if activation != getattr(config.model, "activation", "relu"):
        notes.append(f"activation {config.model.activation} not in scikit-learn; relu used")
    size = n if config.training.batch_size == "full" else min(config.training.batch_size, n)
    regression = plan.head.kind == "regression"
    alpha = loss.l2 * size / (2 if regression else 1)
    options = {"hidden_layer_sizes": hidden, "activation": activation, "alpha": alpha,
               "batch_size": size, "max_iter": max_iter, "random_state": seed,
               "early_stopping": False}
    if plan.optimizer.full_batch:
        options.update(solver="lbfgs")
    else:
        options.update(solver="adam", learning_rate_init=config.optimizer.lr)
    estimator = (MLPRegressor if regression else MLPClassifier)(**options)
    label = (f"{type(estimator).__name__}(hidden={list(hidden)}, alpha={alpha:.3g}, "
             f"solver={estimator.solver})")
    return estimator, label, notes


def fit_baseline(config, plan: Plan) -> BaselineResult | None:
    """Fit and score the config's scikit-learn baseline on the plan's split (None if off)."""
    name = baseline_name(config)
    if name is None:
        return None
    from sklearn.exceptions import ConvergenceWarning

    estimator, description, notes = _estimator(name, config, plan)
    splits = plan.splits
    y_train = splits.y_train.astype(np.int64) if plan.head.is_classifier else splits.y_train
    fit_args = {}
    if splits.w_train is not None:
        if "sample_weight" in inspect.signature(estimator.fit).parameters:
            fit_args["sample_weight"] = splits.w_train
        else:
            description += " [unweighted]"
            notes.append(f"{type(estimator).__name__}.fit takes no sample_weight: trained "
                         "without the class weights")
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        estimator.fit(splits.X_train, y_train, **fit_args)
    seconds = time.perf_counter() - start
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        notes.append(f"did not converge in max_iter={config.baseline.max_iter}")
    head = plan.head
    if head.is_classifier:
        proba = np.zeros((len(splits.X_test), len(plan.preprocessing.classes)))
        proba[:, estimator.classes_] = estimator.predict_proba(splits.X_test)
        test = head.proba_metrics(proba, splits.y_test, plan.metrics)
        predictions = {"proba": proba}
    else:
        raw = estimator.predict(splits.X_test).reshape(-1, 1)
        test = head.metrics(raw, splits.y_test, plan.metrics)
        predictions = {"values": head.values(raw)}
    return BaselineResult(name, description, test, seconds, "; ".join(notes), predictions)
