"""Behaviour of the estimators beyond scikit-learn's checks: solvers, weights, warm starts,
partial_fit, early stopping, history, progress bar and parameter errors."""

import io
import warnings

import numpy
import pytest
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from mlkit.estimators import LogisticRegression, MLPClassifier, MLPRegressor
from mlkit.train import History


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def objective(model, X, y):
    """Mean binary log-loss + ||coef||^2 / (2 n): what LogisticRegression(C=1) minimizes."""
    z = X @ model.coef_[0] + model.intercept_[0]
    penalty = float(numpy.sum(model.coef_**2)) / (2 * len(y))
    return numpy.mean(numpy.logaddexp(0.0, z) - y * z) + penalty


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_stochastic_solvers_approach_the_lbfgs_optimum(binary, solver):
    X, y = binary
    exact = LogisticRegression(tol=1e-8, max_iter=500).fit(X, y)
    model = LogisticRegression(solver=solver, max_iter=400, tol=1e-7, random_state=0,
                               learning_rate_init=0.02, batch_size=50).fit(X, y)
    assert objective(model, X, y) < objective(exact, X, y) * 1.01
    assert model.score(X, y) == pytest.approx(exact.score(X, y), abs=0.02)
    assert model.n_iter_[0] == len(model.history_) < 400


def test_integer_weights_equal_repeated_rows_and_balanced_equals_its_dict(iris):
    X, y = iris
    weight = numpy.random.default_rng(0).integers(0, 4, len(y))
    weighted = LogisticRegression(tol=1e-10, max_iter=500).fit(X, y, sample_weight=weight)
    repeated = LogisticRegression(tol=1e-10, max_iter=500).fit(X.repeat(weight, axis=0),
                                                              y.repeat(weight))
    numpy.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-5, atol=1e-7)
    imbalanced = numpy.r_[numpy.arange(100), numpy.arange(100, 150)[::2]]
    X, y = X[imbalanced], y[imbalanced]
    counts = numpy.bincount(y)
    manual = {c: len(y) / (3 * counts[c]) for c in range(3)}
    balanced = LogisticRegression(class_weight="balanced", tol=1e-10).fit(X, y)
    by_dict = LogisticRegression(class_weight=manual, tol=1e-10).fit(X, y)
    numpy.testing.assert_allclose(balanced.coef_, by_dict.coef_, rtol=1e-6)
    with pytest.raises(ValueError, match="not in the data"):
        LogisticRegression(class_weight={7: 1.0}).fit(X, y)


def test_warm_start_continues_from_the_previous_coefficients(iris):
    X, y = iris
    cold = LogisticRegression(tol=1e-8, max_iter=300).fit(X, y)
    warm = LogisticRegression(tol=1e-8, max_iter=300, warm_start=True)
    with pytest.warns(ConvergenceWarning):
        warm.set_params(max_iter=3).fit(X, y)
    warm.set_params(max_iter=300).fit(X, y)
    numpy.testing.assert_allclose(warm.coef_, cold.coef_, rtol=1e-4, atol=1e-5)
    again = warm.fit(X, y)
    assert again.n_iter_[0] <= 2  # already at the optimum


def test_partial_fit_runs_one_epoch_per_call_and_keeps_optimizer_state(iris):
    X, y = iris
    model = MLPClassifier(hidden_layer_sizes=(16,), random_state=0, batch_size=50)
    for call in range(1, 6):
        model.partial_fit(X, y, classes=[0, 1, 2])
        assert model.n_iter_ == call and len(model.loss_curve_) == call
    assert model.t_ == 5 * len(X)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model._optimizer.step_count == 5 * 3
    with pytest.raises(ValueError, match="not in classes_"):
        model.partial_fit(X, y + 5)
    with pytest.raises(ValueError, match=r"classes=\[0, 1, 2, 3\].*classes_ \[0, 1, 2\].*new "
                       "MLPClassifier"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])
    model.partial_fit(X, y, classes=[2, 1, 0])  # the same classes, in any order
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :2], y)
    assert not hasattr(MLPClassifier(optimizer="lbfgs"), "partial_fit")


def test_partial_fit_refuses_balanced_class_weight_which_each_batch_would_redefine(iris):
    """A batch's own class counts are not the data's: scikit-learn refuses it too."""
    X, y = iris
    model = MLPClassifier(hidden_layer_sizes=(4,), class_weight="balanced", random_state=0)
    with pytest.raises(ValueError, match=r"class_weight='balanced'.*partial_fit.*dict"):
        model.partial_fit(X[:60], y[:60], classes=[0, 1, 2])
    assert not hasattr(model, "classes_")
    weights = {label: len(y) / (3 * count) for label, count in enumerate(numpy.bincount(y))}
    model.set_params(class_weight=weights).partial_fit(X[:60], y[:60], classes=[0, 1, 2])
    assert model.n_iter_ == 1

def test_a_multilabel_target_is_refused_with_the_wrapper_that_fits_it(iris):
    """scikit-learn's MLPClassifier takes 0/1 label columns; this one names the wrapper."""
    from sklearn.multioutput import MultiOutputClassifier

    X, y = iris
    labels = numpy.stack([y == 0, y == 2], axis=1).astype(int)
    with pytest.raises(ValueError, match=r"one label per row.*\(150, 2\).*MultiOutputClassifier"):
        MLPClassifier().fit(X, labels)
    wrapped = MultiOutputClassifier(LogisticRegression()).fit(X, labels)
    assert wrapped.predict(X).shape == (150, 2) and wrapped.score(X, labels) > 0.9

def test_early_stopping_keeps_the_best_validation_epoch(iris):
    X, y = iris
    model = MLPClassifier(hidden_layer_sizes=(16,), early_stopping=True, n_iter_no_change=3,
                          learning_rate_init=0.05, max_iter=200, random_state=0).fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_ < 200
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.best_loss_ is None
    assert {"train_loss", "val_loss", "val_score", "lr", "grad_norm", "seconds"} <= set(
        model.history_.columns)
    by_loss = LogisticRegression(solver="adam", early_stopping=True, monitor="loss", tol=1e-2,
                                 n_iter_no_change=2, max_iter=500, random_state=0).fit(X, y)
    assert by_loss.history_.stop_reason == "early_stopping"
    assert len(by_loss.history_) < 500


def test_early_stopping_refuses_a_validation_set_too_small_to_score(iris):
    """15 rows hold out one for validation, whose R2 is always 0: training would stop after
    n_iter_no_change epochs whatever it learned. A class of one row cannot be in both parts."""
    X, y = iris
    with pytest.raises(ValueError, match=r"MLPRegressor: early_stopping's validation set has "
                       r"1 row\(s\) of 15.*validation_fraction.*early_stopping=False"):
        MLPRegressor(early_stopping=True).fit(X[:15], X[:15, 0])
    assert MLPRegressor(early_stopping=True, max_iter=3).fit(X[:20], X[:20, 0]).n_iter_ == 3
    rare = numpy.r_[y[:100], 2]
    with pytest.raises(ValueError, match=r"MLPClassifier: early_stopping.*class 2 has 1 "
                       r"row.*early_stopping=False"):
        MLPClassifier(early_stopping=True).fit(X[:101], rare)

def test_history_has_one_row_per_epoch(binary):
    X, y = binary
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=7, tol=0.0, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y.astype(float))
    assert isinstance(model.history_, History)
    assert [row["epoch"] for row in model.history_.rows] == list(range(1, 8))
    assert model.loss_curve_ == model.history_.column("train_loss").tolist()
    assert all(row["grad_norm"] > 0 and row["seconds"] > 0 for row in model.history_.rows)


def test_lbfgs_optimizer_for_mlp_and_multi_output_regression():
    X, Y = make_regression(n_samples=80, n_features=4, n_targets=2, noise=0.1, random_state=0)
    Y = Y / Y.std(0)
    model = MLPRegressor(hidden_layer_sizes=(16,), optimizer="lbfgs", max_iter=300,
                         random_state=0).fit(X, Y)
    assert model.predict(X).shape == (80, 2)
    assert model.score(X, Y) > 0.95
    assert model.n_iter_ > 1


def test_verbose_draws_a_progress_bar(binary, monkeypatch):
    X, y = binary
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    with pytest.warns(ConvergenceWarning):
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, verbose=True,
                      random_state=0).fit(X, y)
    assert "MLPClassifier" in stream.getvalue() and "3/3" in stream.getvalue()


@pytest.mark.parametrize("estimator, message", [
    (LogisticRegression(C=0), r"'C' parameter of LogisticRegression must be a float in the "
                              r"range \(0.0, inf\]. Got 0 instead"),
    (LogisticRegression(C=float("nan")), r"'C' parameter .* Got nan instead"),
    (LogisticRegression(fit_intercept=1e-300), r"'fit_intercept' parameter .* must be an "
                                               r"instance of 'bool'.* Got 1e-300 instead"),
    (LogisticRegression(solver="newton"), r"'solver' parameter .* must be a str among"),
    (LogisticRegression(penalty="l1"), r"'penalty' parameter .* must be a str among \{'l2'\} "
                                       r"or None"),
    (LogisticRegression(class_weight="even"), r"'class_weight' parameter"),
    (LogisticRegression(learning_rate_init=float("inf")), r"'learning_rate_init' parameter"),
    (LogisticRegression(validation_fraction=1.0), r"'validation_fraction' parameter"),
    (MLPClassifier(hidden_layer_sizes=(0,)), r"'hidden_layer_sizes\[0\]' parameter of "
                                             r"MLPClassifier must be an integer >= 1. Got 0"),
    (MLPClassifier(hidden_layer_sizes=(4, 4.5)), r"'hidden_layer_sizes\[1\]' parameter .* "
                                                 r"Got 4.5 instead"),
    (MLPClassifier(hidden_layer_sizes=()), r"'hidden_layer_sizes' parameter .* of length >= 1. "
                                           r"Got \[\] instead"),
    (MLPClassifier(activation="swishy"), r"'activation' parameter .* must be a str among"),
    (MLPClassifier(shuffle="yes"), r"'shuffle' parameter"),
    (MLPClassifier(dtype="int8"), r"'dtype' parameter of MLPClassifier must be None, 'float32'"),
    (MLPClassifier(dtype="1e-3"), r"'dtype' parameter of MLPClassifier .* Got '1e-3' instead"),
    (MLPRegressor(optimizer="adabelief"), r"'optimizer' parameter .* must be a str among"),
    (MLPRegressor(batch_size=0), r"'batch_size' parameter"),
    (MLPRegressor(alpha=float("nan")), r"'alpha' parameter"),
    (MLPRegressor(dropout=1.0), r"'dropout' parameter"),
    (MLPRegressor(max_iter=2.5), r"'max_iter' parameter"),
    (MLPRegressor(random_state="seed"), r"'random_state' parameter"),
])
def test_invalid_parameters_are_reported_at_fit(binary, estimator, message):
    X, y = binary
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y)
    assert not hasattr(estimator, "coef_") and not hasattr(estimator, "coefs_")


def test_parameters_are_checked_again_after_a_fit_with_valid_ones(binary):
    X, y = binary
    model = LogisticRegression(max_iter=5, tol=1e-2).fit(X, y)
    model.set_params(fit_intercept=1)  # equal to True, but not a bool
    with pytest.raises(ValueError, match="'fit_intercept' parameter"):
        model.fit(X, y)
    model.set_params(fit_intercept=True, C=-1.0)
    with pytest.raises(ValueError, match="'C' parameter"):
        model.fit(X, y)
    model.set_params(C=1.0, tol=float("nan"))
    with pytest.raises(ValueError, match="'tol' parameter"):
        model.fit(X, y)
    assert model.set_params(tol=1e-2).fit(X, y).n_iter_[0] >= 1


@pytest.mark.parametrize("estimator", [LogisticRegression(), MLPClassifier(), MLPRegressor()])
def test_every_parameter_has_a_constraint(estimator):
    assert set(estimator.get_params()) == set(estimator._parameter_constraints)


def test_infinite_C_means_no_penalty_as_in_scikit_learn(binary):
    X, y = binary
    free = LogisticRegression(C=float("inf"), max_iter=50).fit(X, y)
    assert numpy.isfinite(free.coef_).all()


def test_single_class_and_bad_weights_are_refused(binary):
    X, y = binary
    with pytest.raises(ValueError, match="at least 2 classes"):
        LogisticRegression().fit(X, numpy.zeros(len(y)))
    with pytest.raises(ValueError, match="at least 2 classes"):
        MLPClassifier().fit(X, y, sample_weight=(y == 1).astype(float))
    with pytest.raises(ValueError, match="Negative"):
        LogisticRegression().fit(X, y, sample_weight=-numpy.ones(len(y)))


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_mlp_loss_attributes_follow_scikit_learn(binary, Estimator):
    X, y = binary
    y = y if Estimator is MLPClassifier else y + 0.1 * X[:, 0]
    with pytest.warns(ConvergenceWarning):
        plain = Estimator(hidden_layer_sizes=(3,), max_iter=4, random_state=0).fit(X, y)
    assert plain.n_iter_ == len(plain.loss_curve_) == 4
    assert plain.loss_ == plain.loss_curve_[-1] and plain.best_loss_ == min(plain.loss_curve_)
    assert plain.validation_scores_ is None and plain.best_validation_score_ is None
    stopped = Estimator(hidden_layer_sizes=(3,), max_iter=30, early_stopping=True,
                        n_iter_no_change=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        stopped.fit(X, y)
    assert stopped.best_loss_ is None and stopped.loss_ == stopped.loss_curve_[-1]
    assert len(stopped.validation_scores_) == stopped.n_iter_ == len(stopped.loss_curve_)
    assert stopped.best_validation_score_ == max(stopped.validation_scores_)
    full = Estimator(hidden_layer_sizes=(3,), optimizer="lbfgs", max_iter=200, tol=1e-9,
                     alpha=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full.fit(X, y)
    assert full.n_iter_ > 1 and full.loss_ == full.best_loss_ == full.loss_curve_[-1]


@pytest.mark.parametrize("make", [
    lambda: MLPClassifier(optimizer="sgd", hidden_layer_sizes=(4,), max_iter=2),
    lambda: MLPClassifier(optimizer="rmsprop", hidden_layer_sizes=(4,), max_iter=2),
])
def test_the_sgd_solver_is_scikit_learns_nesterov_momentum_and_no_other_gets_it(iris, make):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make().fit(X, y)
    optimizer = model._optimizer
    if type(optimizer).__name__ == "SGD":
        assert (optimizer.momentum, optimizer.nesterov) == (0.9, True)
    else:
        assert optimizer.momentum == 0.0  # RMSprop's own default, not scikit-learn's SGD's


@pytest.mark.parametrize("make", [
    lambda: LogisticRegression(solver="sgd"),
    lambda: MLPClassifier(optimizer="sgd", learning_rate_init=10.0, hidden_layer_sizes=(3,)),
    lambda: MLPRegressor(hidden_layer_sizes=(3,)),
])
def test_diverging_training_is_scikit_learns_value_error_naming_the_estimators_fix(binary, make):
    """Unscaled, huge inputs: a ValueError (scikit-learn's type for it, which search and
    cross-validation tooling expect) naming the estimator, where, and its own parameters."""
    X, y = binary
    estimator = make()
    with pytest.raises(ValueError, match=rf"{type(estimator).__name__}: training diverged: the "
                       r"loss became (nan|inf) at epoch \d+.*StandardScaler.*learning_rate_init"):
        estimator.fit(X * 1e200, y)
