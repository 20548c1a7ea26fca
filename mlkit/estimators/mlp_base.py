"""The fitting shared by MLPClassifier and MLPRegressor: checks, model, optimizer, training.

Subclasses supply the targets, the data loss and the validation score; everything else, from
``partial_fit`` to pickling the optimizer state, is here once.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Integral
from typing import Annotated, Literal

import numpy
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if

from mlkit import nn, registry
from mlkit.estimators import params
from mlkit.estimators.base import SOLVER_OPTIONS, MLKitEstimator, make_rng
from mlkit.options import Length, NonNegativeFloat, PositiveInt, check

__all__ = ["BaseMLP"]

# scikit-learn's activation names, plus every activation layer mlkit has.
_ACTIVATIONS = {"logistic": "sigmoid", **{name: name for name in nn.layers.ACTIVATION_LAYERS}}
HiddenSizes = Annotated[Sequence[PositiveInt], Length(min=1)]


def _stochastic(estimator) -> bool:
    """Whether the optimizer named by the estimator takes mini-batch steps."""
    component = registry.OPTIMIZERS.get(estimator.optimizer)
    return component is None or not component.build.full_batch  # an unknown name fails later


class BaseMLP(MLKitEstimator):
    """Shared fitting of the two MLP estimators; subclasses define targets, loss and scores."""

    def __init__(self, hidden_layer_sizes: PositiveInt | HiddenSizes = (100,),
                 activation: Literal[tuple(_ACTIVATIONS)] = "relu", *,
                 optimizer: Literal[tuple(registry.OPTIMIZERS)] = "adam",
                 alpha: NonNegativeFloat = 0.0001, batch_size: params.BatchSize = "auto",
                 learning_rate_init=0.001, max_iter=200, shuffle=True,
                 random_state: params.Seed = None, tol=1e-4, verbose: params.Verbose = False,
                 warm_start: bool = False, early_stopping: bool = False,
                 validation_fraction: params.ValidationFraction = 0.1,
                 n_iter_no_change: PositiveInt = 10, monitor: params.Monitor = "score",
                 dropout=0.0, dtype=None, jit=True):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.monitor = monitor
        self.dropout = dropout
        self.dtype = dtype
        self.jit = jit

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Train on ``X`` (n_samples, n_features) and targets ``y``; returns self."""
        return self._fit(X, y, sample_weight, incremental=False, classes=None)

    @available_if(_stochastic)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer state.

        ``classes`` (classifiers): every label that will ever appear, on the first call (by
        default the labels of this first batch). Only for stochastic optimizers.
        """
        if getattr(self, "class_weight", None) == "balanced":
            raise ValueError(f"{type(self).__name__}: class_weight='balanced' would weigh each "
                             "partial_fit batch by its own class counts, not the data's; pass "
                             "a {label: n_samples / (n_classes * label count)} dict instead")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _check_params(self):
        """The hidden sizes as a tuple, once every parameter is checked (the sizes one by
        one: scikit-learn checks only that they are array-like)."""
        params.validate_params(self)
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        return tuple(check("hidden_layer_sizes", HiddenSizes, sizes,
                           params.invalid(type(self).__name__)))

    def _fit(self, X, y, sample_weight, incremental, classes):
        sizes = self._check_params()
        continuing = hasattr(self, "model_") and (incremental or self.warm_start)
        X, y = self._validate_train(X, y, reset=not continuing,
                                    multi_output=self._estimator_kind == "regressor")
        if self.dtype is not None:
            X = X.astype(self.dtype)
        if continuing and self.coefs_[0].dtype != X.dtype:
            X = X.astype(self.coefs_[0].dtype)
        targets, weight = self._targets(y, sample_weight, continuing, classes, X.dtype)
        weight = None if weight is None else weight.astype(X.dtype)
        rng = getattr(self, "_rng", None) if incremental else None
        rng = rng if rng is not None else make_rng(self.random_state)
        if not continuing:
            self.model_ = nn.MLP(X.shape[1], sizes, self.n_outputs_,
                                 activation=_ACTIVATIONS[self.activation], dropout=self.dropout,
                                 rng=rng, dtype=X.dtype)
            self._initialize(rng)
            self.hidden_activation_ = self.activation  # the model's, whatever set_params says
            self.history_ = None
            self.t_ = 0
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        history = self._train(X, targets, weight, rng, incremental)
        self._rng = rng if incremental else None
        self._set_fitted(history, len(X) * (len(history) if _stochastic(self) else 1))
        return self

    def _initialize(self, rng):
        """Glorot-uniform weights *and* biases, U(-b, b) with b = sqrt(6 / (fan_in + fan_out))
        (2 instead of 6 for the logistic activation): scikit-learn's initialization."""
        factor = 2.0 if self.activation == "logistic" else 6.0
        for layer in registry.penalized_weights(self.model_):
            bound = (factor / sum(layer.weight.shape)) ** 0.5
            dtype = layer.weight.dtype
            layer.weight = rng.uniform(-bound, bound, layer.weight.shape).astype(dtype)
            layer.bias = rng.uniform(-bound, bound, layer.bias.shape).astype(dtype)

    def __getstate__(self):
        # Optimizers hold compiled tree builders (closures): pickle their state arrays instead,
        # from a copy (BaseEstimator returns the live __dict__: the estimator keeps its own).
        state = dict(super().__getstate__())
        optimizer = state.pop("_optimizer", None)
        if optimizer is not None:
            state["_optimizer_state"] = optimizer.state_dict()
        return state

    def __setstate__(self, state):
        saved = state.pop("_optimizer_state", None)
        super().__setstate__(state)
        if saved is not None:
            self._optimizer = self._make_optimizer()
            self._optimizer.load_state_dict(saved)

    def _make_optimizer(self):
        if not _stochastic(self):  # it iterates within one step, bounded as in scikit-learn
            return registry.make_optimizer(
                self.optimizer, max_iter=self.max_iter, max_eval=20 * self.max_iter,
                tolerance_grad=self.tol, tolerance_change=1e-14, line_search_fn="strong_wolfe",
                history_size=10)  # scipy's maxcor
        return registry.make_optimizer(self.optimizer, lr=self.learning_rate_init,
                                       **SOLVER_OPTIONS.get(self.optimizer, {}))

    def _train(self, X, targets, weight, rng, incremental):
        """One call into the training loop (one epoch for ``partial_fit``)."""
        data_loss = self._data_loss()
        layers = registry.penalized_weights(self.model_)
        alpha = float(self.alpha)

        def loss_fn(model, X_batch, y_batch, w_batch):
            value = data_loss(model(X_batch), y_batch, w_batch)
            if not alpha:
                return value
            count = len(X_batch) if w_batch is None else float(w_batch.sum())
            weights = [layer.weight for layer in layers]
            return value + nn.weight_penalty(weights, l2=alpha / max(count, 1e-12))

        validation = evaluate = None
        validating = self.early_stopping and not incremental
        if validating:
            classifier = self._estimator_kind == "classifier"
            labels = targets.astype(numpy.int64) if classifier else None
            rows, held_out = self._validation_split(len(X), labels, rng)
            validation = (X[held_out], targets[held_out])
            evaluate = self._evaluator(data_loss)
            X, targets = X[rows], targets[rows]
            weight = None if weight is None else weight[rows]
        full_batch = self._optimizer.full_batch
        epochs = 1 if incremental or full_batch else self.max_iter
        batch_size = "full" if full_batch else params.resolve_batch_size(self.batch_size, len(X))
        callbacks = self._callbacks(stop_on_train_loss=not (incremental or full_batch),
                                    validating=validating)
        history = self._run(self.model_, loss_fn, self._optimizer, X, targets, weight,
                            epochs=epochs, batch_size=batch_size, rng=rng,
                            shuffle=self.shuffle, validation=validation, evaluate=evaluate,
                            callbacks=callbacks)
        if not incremental and self._converged(history) is False:
            warnings.warn(f"{type(self).__name__}: {self.optimizer} reached max_iter="
                          f"{self.max_iter} without converging; increase max_iter",
                          ConvergenceWarning, stacklevel=4)
        elif not incremental:
            self._warn_if_stalled(self._optimizer, stacklevel=4)
        return history

    def _converged(self, history) -> bool:
        if self._optimizer.full_batch:
            return self._optimizer.reason not in ("max_iter reached", "max_eval reached")
        return history.stop_reason != "completed"

    def _evaluator(self, data_loss):
        def evaluate(model, X_val, y_val):
            outputs = numpy.asarray(model(X_val))
            return {"loss": float(data_loss(outputs, y_val, None)),
                    "score": self._score_outputs(outputs, y_val)}
        return evaluate

    def _set_fitted(self, history, samples):
        self.history_ = self._extend_history(self.history_, history)
        layers = registry.penalized_weights(self.model_)
        self.coefs_ = [layer.weight for layer in layers]
        self.intercepts_ = [layer.bias for layer in layers]
        self.n_layers_ = len(layers) + 1
        if self._optimizer.full_batch and len(history) == 1 and not self.early_stopping:
            self.n_iter_ = max(1, self._optimizer.n_iter)
        else:
            self.n_iter_ = len(self.history_)
        self.t_ += samples
        self.loss_curve_ = self.history_.column("train_loss").tolist()
        self.loss_ = self.loss_curve_[-1]
        validated = "val_score" in self.history_.columns
        self.validation_scores_ = (self.history_.column("val_score").tolist() if validated
                                   else None)
        self.best_validation_score_ = (max(self.validation_scores_) if validated else None)
        self.best_loss_ = None if validated else min(self.loss_curve_)

    def _restore(self):
        sizes = [w.shape[1] for w in self.coefs_[:-1]]
        activation = getattr(self, "hidden_activation_", self.activation)  # older files lack it
        self.model_ = nn.MLP(self.coefs_[0].shape[0], sizes, self.coefs_[-1].shape[1],
                             activation=_ACTIVATIONS[activation], dropout=self.dropout,
                             rng=0, dtype=self.coefs_[0].dtype)
        for layer, weight, bias in zip(registry.penalized_weights(self.model_), self.coefs_,
                                       self.intercepts_):
            layer.weight, layer.bias = weight, bias
        self.model_.eval()

    # -- prediction ------------------------------------------------------------------------
    def _outputs(self, X) -> numpy.ndarray:
        X = self._validate_predict(X)  # first: an unfitted MLP has no model_
        return numpy.asarray(self.model_(X))

    def _parameter_dtype(self):
        return self.coefs_[0].dtype

