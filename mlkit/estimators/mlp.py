"""MLPClassifier and MLPRegressor: multilayer perceptrons trained by mlkit's training loop."""

from __future__ import annotations

import warnings

import numpy
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets

import mlkit.numpy as np
from mlkit import nn, optim, registry
from mlkit.estimators.base import MLKitEstimator, check_sample_weight, class_weights, make_rng
from mlkit.estimators.params import check_choice, check_number, resolve_batch_size
from mlkit.train.metrics import accuracy, r2

__all__ = ["MLPClassifier", "MLPRegressor"]

# scikit-learn's activation names, plus every activation layer mlkit has.
_ACTIVATIONS = {"logistic": "sigmoid", **{name: name for name in nn.layers.ACTIVATION_LAYERS}}
_FLOATS = [numpy.float64, numpy.float32]


def _stochastic(estimator) -> bool:
    return estimator.optimizer != "lbfgs"


class _BaseMLP(MLKitEstimator):
    """Shared fitting of the two MLP estimators; subclasses define targets, loss and scores."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, optimizer="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 monitor="score", dropout=0.0, dtype=None):
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
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _check_params(self):
        check_choice("optimizer", self.optimizer, tuple(registry.OPTIMIZERS))
        check_choice("activation", self.activation, tuple(_ACTIVATIONS))
        check_choice("monitor", self.monitor, ("score", "loss"))
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, int) else tuple(sizes)
        for size in sizes:
            check_number("hidden_layer_sizes", size, low=1, integer=True)
        check_number("alpha", self.alpha, low=0.0)
        check_number("learning_rate_init", self.learning_rate_init, low=0.0, low_open=True)
        check_number("max_iter", self.max_iter, low=1, integer=True)
        check_number("tol", self.tol, low=0.0)
        check_number("n_iter_no_change", self.n_iter_no_change, low=1, integer=True)
        check_number("dropout", self.dropout, low=0.0, high=1.0, high_open=True)
        check_number("validation_fraction", self.validation_fraction, low=0.0, high=1.0,
                     low_open=True, high_open=True)
        return sizes

    def _fit(self, X, y, sample_weight, incremental, classes):
        sizes = self._check_params()
        continuing = hasattr(self, "model_") and (incremental or self.warm_start)
        X, y = self._validate_train(X, y, reset=not continuing, dtype=_FLOATS,
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
        # Optimizers hold compiled tree builders (closures): pickle their state arrays instead.
        state = super().__getstate__()
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
        lr = self.learning_rate_init
        if self.optimizer == "lbfgs":
            return optim.LBFGS(max_iter=self.max_iter, max_eval=20 * self.max_iter,
                               tolerance_grad=self.tol, tolerance_change=1e-14,
                               line_search_fn="strong_wolfe")
        if self.optimizer == "sgd":
            return optim.SGD(lr=lr, momentum=0.9, nesterov=True)
        return registry.make_optimizer(self.optimizer, lr=lr)

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
            squares = [np.vdot(layer.weight, layer.weight) for layer in layers]
            return value + (0.5 * alpha / max(count, 1e-12)) * sum(squares[1:], squares[0])

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
        full_batch = self.optimizer == "lbfgs"
        epochs = 1 if incremental or full_batch else self.max_iter
        batch_size = "full" if full_batch else resolve_batch_size(self.batch_size, len(X))
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
        return history

    def _converged(self, history) -> bool:
        if self.optimizer == "lbfgs":
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
        if self.optimizer == "lbfgs" and len(history) == 1 and not self.early_stopping:
            self.n_iter_ = max(1, self._optimizer.n_iter)
        else:
            self.n_iter_ = len(self.history_)
        self.t_ += samples
        self.loss_curve_ = self.history_.column("train_loss").tolist()
        validated = "val_score" in self.history_.columns
        self.validation_scores_ = (self.history_.column("val_score").tolist() if validated
                                   else None)
        self.best_validation_score_ = (max(self.validation_scores_) if validated else None)
        self.best_loss_ = None if validated else min(self.loss_curve_)

    def _restore(self):
        sizes = [w.shape[1] for w in self.coefs_[:-1]]
        self.model_ = nn.MLP(self.coefs_[0].shape[0], sizes, self.coefs_[-1].shape[1],
                             activation=_ACTIVATIONS[self.activation], dropout=self.dropout,
                             rng=0, dtype=self.coefs_[0].dtype)
        for layer, weight, bias in zip(registry.penalized_weights(self.model_), self.coefs_,
                                       self.intercepts_):
            layer.weight, layer.bias = weight, bias
        self.model_.eval()

    # -- prediction ------------------------------------------------------------------------
    def _outputs(self, X) -> numpy.ndarray:
        X = self._validate_predict(X, dtype=_FLOATS)
        return numpy.asarray(self.model_(X.astype(self.coefs_[0].dtype, copy=False)))


class MLPClassifier(_BaseMLP):
    """A multilayer perceptron classifier (log-loss; sigmoid output for two classes, softmax
    otherwise), trained by mlkit's training loop.

    Parameters follow scikit-learn's MLPClassifier where the concept is the same
    (``hidden_layer_sizes``, ``activation`` incl. "logistic", ``alpha`` as an L2 penalty
    ``alpha / (2 batch weight) * sum ||W||^2``, ``batch_size``, ``learning_rate_init``,
    ``max_iter`` epochs, ``shuffle``, ``tol`` with ``n_iter_no_change``, ``early_stopping``
    with ``validation_fraction``, ``random_state``, ``warm_start``, ``verbose``), plus:

    optimizer : str
        ``"adam"`` (default), ``"sgd"`` (Nesterov momentum 0.9), ``"adamw"``, ``"rmsprop"``,
        ``"adagrad"`` or ``"lbfgs"`` (full batch, ``max_iter`` iterations).
    monitor : {"score", "loss"}
        What early stopping watches on the validation rows: accuracy or log-loss.
    dropout : float
        Dropout probability after each hidden layer.
    dtype : {None, "float32", "float64"}
        Parameter dtype; None follows the input (float32 stays float32).
    class_weight : dict, "balanced" or None
        Per-class multipliers of the sample weights.

    Attributes
    ----------
    classes_, model_ (the trained :class:`mlkit.nn.MLP`), coefs_, intercepts_, n_iter_,
    loss_curve_, best_loss_, validation_scores_, best_validation_score_, t_, n_outputs_,
    n_layers_, out_activation_, history_, n_features_in_, feature_names_in_.
    """

    _estimator_kind = "classifier"

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, optimizer="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 monitor="score", dropout=0.0, dtype=None, class_weight=None):
        super().__init__(hidden_layer_sizes, activation, optimizer=optimizer, alpha=alpha,
                         batch_size=batch_size, learning_rate_init=learning_rate_init,
                         max_iter=max_iter, shuffle=shuffle, random_state=random_state,
                         tol=tol, verbose=verbose, warm_start=warm_start,
                         early_stopping=early_stopping,
                         validation_fraction=validation_fraction,
                         n_iter_no_change=n_iter_no_change, monitor=monitor, dropout=dropout,
                         dtype=dtype)
        self.class_weight = class_weight

    def _targets(self, y, sample_weight, continuing, classes, dtype):
        check_classification_targets(y)
        if not continuing:
            given = numpy.unique(y) if classes is None else numpy.unique(classes)
            if len(given) < 2:
                raise ValueError(f"MLPClassifier needs samples of at least 2 classes, got 1 "
                                 f"class: {given.tolist()}")
            self.classes_ = given
            self.n_outputs_ = 1 if len(given) == 2 else len(given)
            self.out_activation_ = "logistic" if len(given) == 2 else "softmax"
        unseen = numpy.setdiff1d(numpy.unique(y), self.classes_)
        if len(unseen):
            raise ValueError(f"y contains labels {unseen.tolist()} that are not in classes_ "
                             f"{self.classes_.tolist()}")
        index = numpy.searchsorted(self.classes_, y)
        weight = check_sample_weight(sample_weight, len(y))
        per_class = class_weights(self.class_weight, self.classes_, index)
        if per_class is not None:
            weight = per_class[index] * (1.0 if weight is None else weight)
        if weight is not None:
            present = numpy.unique(index[weight > 0])
            if len(present) < 2 and not continuing:
                raise ValueError("MLPClassifier needs samples of at least 2 classes with "
                                 f"positive weight, got 1 class: "
                                 f"{self.classes_[present].tolist()}")
        return index.astype(dtype if self.n_outputs_ == 1 else numpy.int64), weight

    def _data_loss(self):
        name = "binary_cross_entropy" if self.n_outputs_ == 1 else "cross_entropy"
        return registry.make_loss(name)[1]

    def _score_outputs(self, outputs, y_index):
        if outputs.shape[1] == 1:
            return accuracy(y_index, (outputs[:, 0] > 0).astype(int))
        return accuracy(y_index, numpy.argmax(outputs, axis=1))

    def predict_proba(self, X):
        """Class probabilities, (n, n_classes)."""
        return numpy.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X):
        """Log class probabilities, (n, n_classes), computed without overflow."""
        outputs = self._outputs(X).astype(numpy.float64)
        if outputs.shape[1] == 1:
            z = outputs[:, 0]
            return numpy.stack([-numpy.logaddexp(0.0, z), -numpy.logaddexp(0.0, -z)], axis=1)
        shifted = outputs - outputs.max(axis=1, keepdims=True)
        return shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))

    def predict(self, X):
        """The most probable class of each row."""
        outputs = self._outputs(X)
        if outputs.shape[1] == 1:
            return self.classes_[(outputs[:, 0] > 0).astype(int)]
        return self.classes_[numpy.argmax(outputs, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` (mlkit's metric; weighted when asked)."""
        predicted = self.predict(X)
        if sample_weight is None:
            return accuracy(y, predicted)
        hits = (numpy.asarray(y) == predicted).astype(numpy.float64)
        return float(numpy.average(hits, weights=numpy.asarray(sample_weight, dtype=float)))


class MLPRegressor(_BaseMLP):
    """A multilayer perceptron regressor (squared error ``0.5 * mean (y - f(x))^2``, identity
    output, one or several targets), trained by mlkit's training loop.

    Parameters and attributes as :class:`MLPClassifier` (without ``class_weight`` and
    ``classes_``); early stopping's ``"score"`` is R2.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _targets(self, y, sample_weight, continuing, classes, dtype):
        Y = numpy.asarray(y, dtype=dtype)
        Y = Y[:, None] if Y.ndim == 1 else Y
        if continuing and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} target column(s) but the model was fitted "
                             f"with {self.n_outputs_}")
        if not continuing:
            self.n_outputs_ = Y.shape[1]
            self.out_activation_ = "identity"
        return Y, check_sample_weight(sample_weight, len(Y))

    def _data_loss(self):
        def squared_error(outputs, Y, weight):
            return 0.5 * nn.mse_loss(outputs, Y, weight=weight)
        return squared_error

    def _score_outputs(self, outputs, Y):
        return r2(Y, outputs)

    def predict(self, X):
        """Predicted targets: shape (n,) for one target, else (n, n_outputs)."""
        outputs = self._outputs(X)
        return outputs[:, 0] if self.n_outputs_ == 1 else outputs

    def score(self, X, y, sample_weight=None):
        """R2 of :meth:`predict` (mlkit's metric; weighted when asked)."""
        predicted = self.predict(X)
        if sample_weight is None:
            return r2(y, predicted)
        w = numpy.asarray(sample_weight, dtype=float)
        Y = numpy.asarray(y, dtype=float).reshape(len(w), -1)
        P = numpy.asarray(predicted, dtype=float).reshape(len(w), -1)
        mean = numpy.average(Y, axis=0, weights=w)
        residual = numpy.average((Y - P) ** 2, axis=0, weights=w)
        total = numpy.average((Y - mean) ** 2, axis=0, weights=w)
        return float(numpy.mean(1.0 - residual / numpy.where(total > 0, total, 1.0)))
