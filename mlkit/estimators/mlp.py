"""MLPClassifier and MLPRegressor: multilayer perceptrons trained by mlkit's training loop."""

from __future__ import annotations

import numpy

from mlkit import nn, registry
from mlkit.estimators.base import (
    Classifier,
    check_sample_weight,
    check_weighted_classes,
    class_weights,
    score_target,
)
from mlkit.estimators.inputs import check_classification_labels
from mlkit.estimators.mlp_base import BaseMLP
from mlkit.estimators.params import ClassWeight
from mlkit.metrics import accuracy, r2

__all__ = ["MLPClassifier", "MLPRegressor"]


class MLPClassifier(Classifier, BaseMLP):
    """A multilayer perceptron classifier (log-loss; sigmoid output for two classes, softmax
    otherwise), trained by mlkit's training loop.

    Parameters follow scikit-learn's MLPClassifier where the concept is the same
    (``hidden_layer_sizes``, ``activation`` incl. "logistic", ``alpha`` as an L2 penalty
    ``alpha / (2 batch weight) * sum ||W||^2``, ``batch_size``, ``learning_rate_init``,
    ``max_iter`` epochs, ``shuffle``, ``tol`` with ``n_iter_no_change``, ``early_stopping``
    with ``validation_fraction``, ``random_state``, ``warm_start``, ``verbose``), plus:

    optimizer : str
        ``"adam"`` (default), ``"sgd"`` (Nesterov momentum 0.9), ``"adamw"``, ``"rmsprop"``,
        ``"adagrad"``, ``"nadam"``, ``"radam"``, ``"adamax"``, ``"adadelta"`` (each at
        ``learning_rate_init``) or ``"lbfgs"`` (full batch, ``max_iter`` iterations).
    monitor : {"score", "loss"}
        What early stopping watches on the validation rows: accuracy or log-loss.
    dropout : float
        Dropout probability after each hidden layer.
    dtype : {None, "float32", "float64"}
        Parameter dtype; None follows the input (float32 stays float32).
    jit : bool
        Run each batch's loss and gradient as one :func:`mlkit.jit` program (the same
        numbers as eager training, faster); False trains eagerly.
    class_weight : dict, "balanced" or None
        Per-class multipliers of the sample weights.

    Attributes
    ----------
    classes_, model_ (the trained :class:`mlkit.nn.MLP`), coefs_, intercepts_, n_iter_,
    loss_, loss_curve_, best_loss_, validation_scores_, best_validation_score_, t_, n_outputs_,
    n_layers_, out_activation_, hidden_activation_ (the fit's ``activation``), history_,
    n_features_in_, feature_names_in_.
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, optimizer="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 monitor="score", dropout=0.0, dtype=None, class_weight: ClassWeight = None,
                 jit=True):
        super().__init__(hidden_layer_sizes, activation, optimizer=optimizer, alpha=alpha,
                         batch_size=batch_size, learning_rate_init=learning_rate_init,
                         max_iter=max_iter, shuffle=shuffle, random_state=random_state,
                         tol=tol, verbose=verbose, warm_start=warm_start,
                         early_stopping=early_stopping,
                         validation_fraction=validation_fraction,
                         n_iter_no_change=n_iter_no_change, monitor=monitor, dropout=dropout,
                         dtype=dtype, jit=jit)
        self.class_weight = class_weight

    def _validate_train(self, X, y, reset=True, multi_output=False):
        shape = getattr(y, "shape", ())  # an array's or a frame's (a list is checked later)
        if len(shape) == 2 and shape[1] > 1:  # scikit-learn's MLP takes multilabel columns
            raise ValueError(f"MLPClassifier takes one label per row, got y of shape "
                             f"{shape} (multilabel columns?); fit one per column "
                             "with sklearn.multioutput.MultiOutputClassifier(MLPClassifier())")
        return super()._validate_train(X, y, reset, multi_output)

    def _targets(self, y, sample_weight, continuing, classes, dtype):
        check_classification_labels(y)
        if not continuing:
            given = numpy.unique(y) if classes is None else numpy.unique(classes)
            if len(given) < 2:
                raise ValueError(f"MLPClassifier needs samples of at least 2 classes, got 1 "
                                 f"class: {given.tolist()}")
            self.classes_ = given
            self.n_outputs_ = 1 if len(given) == 2 else len(given)
            self.out_activation_ = "logistic" if len(given) == 2 else "softmax"
        elif classes is not None and not numpy.array_equal(numpy.unique(classes), self.classes_):
            raise ValueError(f"partial_fit got classes={numpy.asarray(classes).tolist()}, but the "
                             f"model was built for classes_ {self.classes_.tolist()}; train a "
                             "new MLPClassifier to learn other classes")
        unseen = numpy.setdiff1d(numpy.unique(y), self.classes_)
        if len(unseen):
            raise ValueError(f"y contains labels {unseen.tolist()} that are not in classes_ "
                             f"{self.classes_.tolist()}")
        index = numpy.searchsorted(self.classes_, y)
        weight = check_sample_weight(sample_weight, len(y))
        per_class = class_weights(self.class_weight, self.classes_, index, weight)
        if per_class is not None:
            weight = per_class[index] * (1.0 if weight is None else weight)
        if weight is not None and not continuing:
            check_weighted_classes("MLPClassifier", self.classes_, index, weight)
        return index.astype(dtype if self.n_outputs_ == 1 else numpy.int64), weight

    def _data_loss(self):
        name = "binary_cross_entropy" if self.n_outputs_ == 1 else "cross_entropy"
        return registry.make_loss(name).data_loss

    def _score_outputs(self, outputs, y_index):
        if outputs.shape[1] == 1:
            return accuracy(y_index, (outputs[:, 0] > 0).astype(int))
        return accuracy(y_index, numpy.argmax(outputs, axis=1))

    def _class_scores(self, X):
        outputs = self._outputs(X)
        return outputs[:, 0] if outputs.shape[1] == 1 else outputs


class MLPRegressor(BaseMLP):
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
        return r2(score_target(y, predicted), predicted, sample_weight=sample_weight)
