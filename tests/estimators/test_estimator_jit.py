"""The estimators' ``jit`` switch: jitted and eager training give the same model (float64
exactly, float32 to 6 significant digits), through fit, warm starts and partial_fit; L-BFGS's
line search and later fits replay one recorded program."""

import warnings

import numpy
import pytest
from sklearn.datasets import load_breast_cancer, load_wine, make_regression

from mlkit.data import Standardizer
from mlkit.estimators import LogisticRegression, MLPClassifier, MLPRegressor, logloss


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return Standardizer().fit_transform(X), y


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    return Standardizer().fit_transform(X), y


def _both(make, fit):
    """``fit(make(jit))`` for jit on and off, warnings (convergence) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(make(True)), fit(make(False))


def _fitted(estimator, X, y):
    return estimator.fit(X, y)


@pytest.mark.parametrize("data", ["cancer", "wine"])
@pytest.mark.parametrize("options", [{}, {"C": 0.05, "class_weight": "balanced"},
                                     {"penalty": None, "fit_intercept": False, "max_iter": 40}])
def test_lbfgs_logistic_regression_is_identical_with_and_without_jit(data, options, request):
    X, y = request.getfixturevalue(data)
    jitted, eager = _both(lambda jit: LogisticRegression(jit=jit, tol=1e-8, **options),
                          lambda model: _fitted(model, X, y))
    assert jitted.n_iter_[0] == eager.n_iter_[0] > 5
    numpy.testing.assert_array_equal(jitted.coef_, eager.coef_)
    numpy.testing.assert_array_equal(jitted.intercept_, eager.intercept_)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_minibatch_logistic_regression_is_identical_with_and_without_jit(solver, wine):
    X, y = wine
    sample_weight = numpy.linspace(0.5, 2.0, len(y))
    jitted, eager = _both(
        lambda jit: LogisticRegression(solver=solver, max_iter=4, batch_size=32,
                                       random_state=0, jit=jit),
        lambda model: model.fit(X, y, sample_weight=sample_weight))
    numpy.testing.assert_array_equal(jitted.coef_, eager.coef_)
    numpy.testing.assert_array_equal(jitted.predict_proba(X), eager.predict_proba(X))


def test_warm_started_logistic_regression_is_identical_with_and_without_jit(cancer):
    X, y = cancer

    def fit(model):
        model.fit(X, y)
        model.set_params(C=0.5).fit(X, y)
        return model

    jitted, eager = _both(lambda jit: LogisticRegression(warm_start=True, max_iter=7, jit=jit),
                          fit)
    numpy.testing.assert_array_equal(jitted.coef_, eager.coef_)
    assert jitted.n_iter_[0] == eager.n_iter_[0]


def test_an_lbfgs_fit_records_its_objective_once_and_later_fits_record_nothing(wine,
                                                                               monkeypatch):
    calls = []
    objective = logloss.objective

    def counted(*args):
        calls.append(1)
        return objective(*args)

    monkeypatch.setattr(logloss, "objective", counted)
    X, y = wine
    X = X[:, :7]  # shapes no other test fits, so the first fit records
    first = LogisticRegression(tol=1e-8).fit(X, y)
    assert len(calls) == 1 and first.history_.rows and first.n_iter_[0] > 5
    calls.clear()
    second = LogisticRegression(tol=1e-8, C=0.3).fit(X, y)
    assert calls == []  # the penalty is an input of the shared program
    eager = LogisticRegression(tol=1e-8, C=0.3, jit=False).fit(X, y)
    assert len(calls) >= second.n_iter_[0] > 5  # eagerly: one trace per evaluation
    numpy.testing.assert_array_equal(second.coef_, eager.coef_)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_mlps_are_identical_with_and_without_jit_in_float64(Estimator, optimizer, wine):
    X, y = wine
    if Estimator is MLPRegressor:
        X, y = make_regression(n_samples=120, n_features=5, n_targets=2, random_state=0)
    jitted, eager = _both(
        lambda jit: Estimator(hidden_layer_sizes=(8,), optimizer=optimizer, max_iter=6,
                              batch_size=40, random_state=0, dtype="float64", jit=jit),
        lambda model: _fitted(model, X, y))
    for a, b in zip(jitted.coefs_ + jitted.intercepts_, eager.coefs_ + eager.intercepts_):
        numpy.testing.assert_array_equal(a, b)
    numpy.testing.assert_array_equal(jitted.predict(X), eager.predict(X))


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_mlps_agree_to_six_digits_with_and_without_jit_in_float32(Estimator, wine):
    X, y = wine
    if Estimator is MLPRegressor:
        X, y = make_regression(n_samples=120, n_features=5, random_state=1)
        y = y / y.std()
    X = X.astype(numpy.float32)
    jitted, eager = _both(
        lambda jit: Estimator(hidden_layer_sizes=(8,), max_iter=5, batch_size=40,
                              random_state=0, dropout=0.1, jit=jit),
        lambda model: _fitted(model, X, y))
    assert jitted.coefs_[0].dtype == numpy.float32
    for a, b in zip(jitted.coefs_ + jitted.intercepts_, eager.coefs_ + eager.intercepts_):
        numpy.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    numpy.testing.assert_allclose(jitted.loss_curve_, eager.loss_curve_, rtol=1e-6)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_partial_fit_is_identical_with_and_without_jit(Estimator, wine):
    X, y = wine
    if Estimator is MLPRegressor:
        X, y = make_regression(n_samples=120, n_features=5, random_state=2)

    def fit(model):
        for _ in range(3):
            if Estimator is MLPClassifier:
                model.partial_fit(X, y, classes=numpy.unique(y))
            else:
                model.partial_fit(X, y)
        return model

    jitted, eager = _both(lambda jit: Estimator(hidden_layer_sizes=(8,), batch_size=40,
                                                random_state=0, dtype="float64", jit=jit), fit)
    assert jitted.loss_curve_ == eager.loss_curve_
    for a, b in zip(jitted.coefs_ + jitted.intercepts_, eager.coefs_ + eager.intercepts_):
        numpy.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("Estimator", [LogisticRegression, MLPClassifier, MLPRegressor])
def test_jit_is_a_documented_parameter_defaulting_to_true(Estimator):
    assert Estimator().get_params()["jit"] is True
    documented = MLPClassifier if Estimator is MLPRegressor else Estimator  # "as MLPClassifier"
    assert "jit : bool" in documented.__doc__
    with pytest.raises(ValueError, match="jit"):
        Estimator(jit="yes").fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
