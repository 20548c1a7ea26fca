"""LogisticRegression: binary and multinomial, trained by mlkit's L-BFGS, Adam or SGD."""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Literal

import numpy
from sklearn.exceptions import ConvergenceWarning

from mlkit import optim
from mlkit.estimators import params
from mlkit.estimators.base import (
    SOLVER_OPTIONS,
    Classifier,
    MLKitEstimator,
    check_sample_weight,
    check_weighted_classes,
    class_weights,
    make_rng,
)
from mlkit.estimators.inference import coefficient_table, standard_errors
from mlkit.estimators.inputs import check_classification_labels, encode_labels
from mlkit.estimators.logloss import (
    Coefficients,
    batch_loss,
    evaluator,
    full_loss,
    objective,
    unpenalized_loss,
)
from mlkit.options import PositiveInt
from mlkit.train import RowBlocks

__all__ = ["LogisticRegression"]

# Each solver's optimizer, given the estimator and the iterations per full-batch step.
_SOLVERS = {
    "lbfgs": lambda est, iterations: optim.LBFGS(
        lr=1.0, max_iter=iterations, max_eval=iterations * 20, tolerance_grad=est.tol,
        tolerance_change=1e-14, history_size=10, line_search_fn="strong_wolfe",
        first_step="l2"),
    "adam": lambda est, _: optim.Adam(lr=est.learning_rate_init),
    "sgd": lambda est, _: optim.SGD(lr=est.learning_rate_init, **SOLVER_OPTIONS["sgd"]),
}


class LogisticRegression(Classifier, MLKitEstimator):
    """Logistic regression (binary or multinomial) trained by mlkit's engine and training loop.

    Minimizes ``sum_i w_i logloss_i / S + ||coef||^2 / (2 C S)`` with ``S`` the summed sample
    weights: scikit-learn's objective, so the same ``C`` means the same model.

    Parameters
    ----------
    penalty : {"l2", None}
        L2 penalty on the coefficients (never the intercept), or none.
    C : float
        Inverse penalty strength, ``> 0``.
    fit_intercept : bool
        Learn an intercept per class.
    solver : {"lbfgs", "adam", "sgd"}
        ``lbfgs``: full-batch L-BFGS with a strong Wolfe line search (the exact optimum),
        each evaluation summed over blocks of a few MiB of rows (``mlkit.train.RowBlocks``),
        so a large ``X`` streams from memory once per evaluation;
        ``adam`` / ``sgd`` (with Nesterov momentum 0.9): mini-batch epochs. Every solver
        takes the gradient of the objective from the engine.
    max_iter : int
        L-BFGS iterations, or epochs for adam / sgd.
    tol : float
        L-BFGS stops when the largest gradient entry is at most ``tol``; adam / sgd stop when
        the training loss has not improved by ``tol`` for ``n_iter_no_change`` epochs.
    class_weight : dict, "balanced" or None
        Weights multiplying the sample weights of each class.
    random_state : int, Generator, RandomState or None
        Seeds the mini-batch order and the validation split.
    warm_start : bool
        Start from the previous fit's coefficients.
    learning_rate_init : float
        Step size of adam / sgd.
    batch_size : int or "auto"
        Rows per adam / sgd step; "auto" is ``min(200, n_samples)``.
    early_stopping : bool
        Hold out ``validation_fraction`` of the rows and stop when the ``monitor``-ed
        validation number has not improved by ``tol`` for ``n_iter_no_change`` iterations;
        the best coefficients are kept.
    validation_fraction : float
        Share of rows held out for early stopping.
    n_iter_no_change : int
        Patience of the stopping rules.
    monitor : {"score", "loss"}
        Early stopping on validation accuracy or on validation log-loss.
    standard_errors : bool
        Also compute ``standard_errors_`` from the exact Hessian (``mlkit.hessian``) of the
        penalized negative log-likelihood at the optimum (costs one Hessian).
    verbose : bool
        Show a progress bar.
    jit : bool
        Evaluate the objective and its gradient (the engine's derivative) as one
        :func:`mlkit.jit` program, recorded once per problem shape and shared by later fits;
        False differentiates it eagerly. Both give the same coefficients.

    Attributes
    ----------
    classes_, coef_ (n_rows, n_features), intercept_ (n_rows,), n_iter_ (1,),
    n_features_in_, feature_names_in_, history_ (:class:`mlkit.train.History`),
    standard_errors_ and intercept_standard_errors_ (when ``standard_errors=True``; float64).
    ``n_rows`` is 1 for two classes, the number of classes otherwise.

    The fit runs in ``X``'s dtype when it is float32 or float64 (float64 for anything else,
    as scikit-learn): ``coef_``, ``intercept_`` and every prediction keep it, and predictions
    convert their input to it.

    Examples
    --------
    >>> from mlkit.estimators import LogisticRegression
    >>> clf = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> clf.predict([[0.2], [2.9]]).tolist()
    [0, 1]
    """

    # (0, inf]: an infinite C is no penalty, as in scikit-learn (no finite-number hint says so)
    _unhinted_constraints = {"C": [params.Interval(Real, 0, None, closed="right")]}

    def __init__(self, penalty: Literal["l2"] | None = "l2", C=1.0, fit_intercept: bool = True,
                 solver: Literal[tuple(_SOLVERS)] = "lbfgs", max_iter=100, tol=1e-4,
                 class_weight: params.ClassWeight = None, random_state: params.Seed = None,
                 warm_start: bool = False, learning_rate_init=0.01,
                 batch_size: params.BatchSize = "auto", early_stopping: bool = False,
                 validation_fraction: params.ValidationFraction = 0.1,
                 n_iter_no_change: PositiveInt = 10, monitor: params.Monitor = "score",
                 standard_errors: bool = False, verbose: params.Verbose = False, jit=True):
        self.penalty = penalty
        self.C = C
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.random_state = random_state
        self.warm_start = warm_start
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.monitor = monitor
        self.standard_errors = standard_errors
        self.verbose = verbose
        self.jit = jit

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Fit the model to ``X`` (n_samples, n_features) and labels ``y``; returns self."""
        params.validate_params(self)
        X, y = self._validate_train(X, y)
        check_classification_labels(y)
        classes, y_index = encode_labels(y)
        weight = check_sample_weight(sample_weight, len(y))
        weight = numpy.ones(len(y)) if weight is None else weight
        per_class = class_weights(self.class_weight, classes, y_index, weight)
        if per_class is not None:
            weight = weight * per_class[y_index]
        check_weighted_classes("LogisticRegression", classes, y_index, weight)
        binary = len(classes) == 2
        total = float(weight.sum())
        dtype = X.dtype  # float32 or float64: the model's, in every array of the fit
        Y = 2.0 * y_index - 1.0 if binary else numpy.eye(len(classes))[y_index]
        width = X.shape[1] + int(self.fit_intercept)
        penalty = None
        if self.penalty == "l2":
            penalty = numpy.full(width, 0.5 / (self.C * total), dtype=dtype)
            if self.fit_intercept:
                penalty[-1] = 0.0
        start = self._start(classes, width, binary, dtype)
        model = Coefficients(start, penalty)
        history, optimizer = self._train(model, X, Y.astype(dtype, copy=False),
                                         (weight / total).astype(dtype, copy=False), y_index)
        coef = model.coef if model.coef.ndim == 2 else model.coef[:, None]
        d = X.shape[1]
        self.classes_ = classes
        self.coef_ = numpy.ascontiguousarray(coef[:d].T)
        self.intercept_ = (coef[d].copy() if self.fit_intercept
                           else numpy.zeros(coef.shape[1], dtype))
        self.history_ = history
        self.n_iter_ = numpy.array([self._iterations(history, optimizer)])
        self.standard_errors_ = self.intercept_standard_errors_ = None
        if self.standard_errors:
            self._set_standard_errors(model.coef, X, Y, weight, penalty, total)
        return self

    def _start(self, classes, width, binary, dtype):
        """Zeros, or the previous coefficients when warm-starting a compatible fit, in
        ``dtype``."""
        shape = (width,) if binary else (width, len(classes))
        previous = getattr(self, "coef_", None)
        if (not self.warm_start or previous is None
                or not numpy.array_equal(self.classes_, classes)
                or previous.shape[1] + int(self.fit_intercept) != width):
            return numpy.zeros(shape, dtype)
        stacked = numpy.vstack([previous.T, self.intercept_[None]] if self.fit_intercept
                               else [previous.T])
        return stacked.reshape(shape).astype(dtype)

    def _train(self, model, X, Y, weight, y_index):
        """Run the training loop; returns the History and the optimizer."""
        fit_intercept = self.fit_intercept
        validation = evaluate = None
        # max_iter counts L-BFGS iterations (one per epoch when validating) or epochs.
        per_step = 1 if self.early_stopping else self.max_iter
        optimizer = _SOLVERS[self.solver](self, per_step)
        full_batch = optimizer.full_batch
        # whole-data steps without a validation split draw nothing: no generator seeded
        # from the operating system for them (a seed of 0 is cheaper)
        rng = make_rng(self.random_state) if self.early_stopping or not full_batch else 0
        if self.early_stopping:
            rows, held_out = self._validation_split(len(X), y_index, rng)
            evaluate = evaluator(X[held_out], y_index[held_out], fit_intercept)
            validation = (X[held_out], y_index[held_out])
            X, Y, weight = X[rows], Y[rows], weight[rows] / weight[rows].sum()
        loss_fn = full_loss if full_batch else batch_loss
        epochs = self.max_iter // per_step if full_batch else self.max_iter
        batch_size = "full" if full_batch else params.resolve_batch_size(self.batch_size, len(X))
        callbacks = self._callbacks(stop_on_train_loss=not full_batch,
                                    validating=self.early_stopping)
        history = self._run(model, loss_fn, optimizer, X, Y, weight, epochs=epochs,
                            batch_size=batch_size, rng=rng, validation=validation,
                            evaluate=evaluate, callbacks=callbacks,
                            row_blocks=RowBlocks(unpenalized_loss) if full_batch else None)
        return history, optimizer

    def _iterations(self, history, optimizer):
        """Iterations run; warns when the budget ran out before convergence."""
        count = max(1, optimizer.n_iter) if optimizer.full_batch else len(history)
        exhausted = history.stop_reason == "completed"
        if optimizer.full_batch and not self.early_stopping:
            exhausted = optimizer.reason in ("max_iter reached", "max_eval reached")
        if exhausted:
            warnings.warn(f"{self.solver} did not converge within max_iter={self.max_iter} "
                          "iterations; increase max_iter or standardize the features",
                          ConvergenceWarning, stacklevel=3)
        else:
            self._warn_if_stalled(optimizer, stacklevel=3)
        return count

    def _set_standard_errors(self, coef, X, Y, weight, penalty, total):
        """Standard errors from the inverse Hessian of the penalized negative log-likelihood.

        The objective is that likelihood divided by ``total``, hence the rescaling; the
        Hessian is the engine's exact one, not an approximation kept by L-BFGS. It is taken
        in float64 at the fitted coefficients whatever the fit's dtype: the errors are a
        report on the model, not part of it, and inverting a float32 Hessian would cost them
        digits.
        """
        weight = weight / total
        X = X.astype(numpy.float64, copy=False)
        if penalty is not None:
            penalty = penalty.astype(numpy.float64)

        def penalized(c):
            return objective(c, X, Y, weight, penalty, self.fit_intercept)

        errors = standard_errors(penalized, coef.astype(numpy.float64), total)
        d = self.coef_.shape[1]
        self.standard_errors_ = numpy.ascontiguousarray(errors[:d].T)
        if self.fit_intercept:
            self.intercept_standard_errors_ = errors[d].copy()

    # -- prediction ------------------------------------------------------------------------
    def decision_function(self, X):
        """Scores ``X @ coef_.T + intercept_``: shape (n,) for two classes, else (n, k)."""
        X = self._validate_predict(X)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    _class_scores = decision_function

    def _parameter_dtype(self):
        return self.coef_.dtype

    def summary(self):
        """A table of coefficients, standard errors, z-scores and two-sided p-values.

        Needs a fit with ``standard_errors=True``. Rows are named by feature (and class, for
        more than two classes); the intercept comes last. Every column is float64, computed
        from the fitted coefficients (float32 after a float32 fit): a report, not the model.
        """
        if getattr(self, "standard_errors_", None) is None:
            raise ValueError("summary() needs standard errors: fit with "
                             "LogisticRegression(standard_errors=True)")
        names = list(getattr(self, "feature_names_in_", [f"x{i}" for i in
                                                         range(self.n_features_in_)]))
        coef, errors = self.coef_.astype(numpy.float64), self.standard_errors_
        if self.fit_intercept:
            names.append("intercept")
            coef = numpy.hstack([coef, self.intercept_[:, None]])
            errors = numpy.hstack([errors, self.intercept_standard_errors_[:, None]])
        return coefficient_table(coef, errors, names, self.classes_)
