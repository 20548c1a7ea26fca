"""The quality bar: mlkit's estimators against scikit-learn's on the same standardized splits.

LogisticRegression must reach scikit-learn's lbfgs objective (within 1e-6 relative) and its
accuracy; the MLPs must match or beat scikit-learn's MLPs of the same architecture and epochs.
"""

import warnings

import numpy
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor

from mlkit.data import Standardizer, train_val_test_split
from mlkit.estimators import LogisticRegression, MLPClassifier, MLPRegressor

LOADERS = {"breast_cancer": load_breast_cancer, "wine": load_wine, "digits": load_digits}


def split(loader, stratify=True):
    X, y = loader(return_X_y=True)
    train, _, test = train_val_test_split(y if stratify else len(y), test=0.25,
                                          stratify=stratify, seed=0)
    scaler = Standardizer().fit(X[train])
    return scaler.transform(X[train]), y[train], scaler.transform(X[test]), y[test]


def logistic_objective(X, y, coef, intercept, C=1.0):
    """scikit-learn's lbfgs objective: mean multinomial (or binary) log-loss + ||W||^2/(2Cn)."""
    scores = X @ coef.T + intercept
    if scores.shape[1] == 1:
        scores = numpy.hstack([numpy.zeros_like(scores), scores])
    index = numpy.searchsorted(numpy.unique(y), y)
    log_norm = numpy.logaddexp.reduce(scores, axis=1)
    loss = numpy.mean(log_norm - scores[numpy.arange(len(y)), index])
    return loss + numpy.sum(coef * coef) / (2 * C * len(y))


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_logistic_regression_reaches_sklearn_objective_and_accuracy(name):
    X, y, X_test, y_test = split(LOADERS[name])
    reference = SklearnLogisticRegression(max_iter=1000).fit(X, y)
    ours = LogisticRegression(solver="lbfgs", tol=1e-6, max_iter=1000).fit(X, y)
    target = logistic_objective(X, y, reference.coef_, reference.intercept_)
    reached = logistic_objective(X, y, ours.coef_, ours.intercept_)
    assert reached <= target * (1 + 1e-6)
    assert ours.score(X_test, y_test) >= reference.score(X_test, y_test)
    assert ours.coef_.shape == reference.coef_.shape
    assert ours.intercept_.shape == reference.intercept_.shape


def mean_score(estimator_class, seeds, X, y, X_test, y_test, **options):
    scores = []
    for seed in seeds:
        with warnings.catch_warnings():  # a fixed epoch budget may end before convergence
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = estimator_class(random_state=seed, **options).fit(X, y)
        scores.append(model.score(X_test, y_test))
    return float(numpy.mean(scores))


@pytest.mark.parametrize("name, epochs, seeds", [("breast_cancer", 100, 5), ("wine", 200, 5),
                                                 ("digits", 30, 3)])
def test_mlp_classifier_matches_sklearn_accuracy(name, epochs, seeds):
    """Same architecture, epochs and optimizer settings; the mean test accuracy over seeds must
    match scikit-learn's within one percentage point (single seeds of either library differ
    by more than that)."""
    X, y, X_test, y_test = split(LOADERS[name])
    options = dict(hidden_layer_sizes=(32,), max_iter=epochs)
    reference = mean_score(SklearnMLPClassifier, range(seeds), X, y, X_test, y_test, **options)
    ours = mean_score(MLPClassifier, range(seeds), X, y, X_test, y_test, **options)
    assert ours >= reference - 0.01


def test_mlp_regressor_matches_sklearn_r2_on_diabetes():
    X, y, X_test, y_test = split(load_diabetes, stratify=False)
    options = dict(hidden_layer_sizes=(32,), max_iter=300, learning_rate_init=0.01)
    reference = mean_score(SklearnMLPRegressor, range(3), X, y, X_test, y_test, **options)
    ours = mean_score(MLPRegressor, range(3), X, y, X_test, y_test, **options)
    assert ours >= reference - 0.01
    assert ours > 0.3


def test_standard_errors_match_the_closed_form():
    X, y, _, _ = split(load_breast_cancer)
    X = X[:, :6]  # a well-conditioned subset keeps the comparison tight
    weight = numpy.random.default_rng(0).uniform(0.5, 2.0, len(y))
    C = 0.5
    model = LogisticRegression(C=C, tol=1e-10, max_iter=500, standard_errors=True)
    model.fit(X, y, sample_weight=weight)
    design = numpy.hstack([X, numpy.ones((len(X), 1))])
    p = 1.0 / (1.0 + numpy.exp(-(design @ numpy.append(model.coef_[0], model.intercept_))))
    hessian = design.T @ (design * (weight * p * (1 - p))[:, None])
    hessian += numpy.diag(numpy.append(numpy.full(X.shape[1], 1.0 / C), 0.0))
    expected = numpy.sqrt(numpy.diag(numpy.linalg.inv(hessian)))
    numpy.testing.assert_allclose(model.standard_errors_[0], expected[:-1], rtol=1e-6)
    numpy.testing.assert_allclose(model.intercept_standard_errors_, expected[-1:], rtol=1e-6)
    table = model.summary()
    assert list(table.columns) == ["coef", "std_err", "z", "p_value"]
    assert table.index[-1] == "intercept"
    numpy.testing.assert_allclose(table["z"].to_numpy(),
                                  table["coef"].to_numpy() / table["std_err"].to_numpy())
    assert ((table["p_value"] >= 0) & (table["p_value"] <= 1)).all()


def test_balanced_class_weight_counts_classes_by_their_sample_weight_as_scikit_learn():
    """With sample weights, "balanced" divides by each class's summed weight, not its row
    count (scikit-learn's rule), so both libraries fit the same model."""
    X, y, _, _ = split(LOADERS["wine"])
    weight = numpy.random.default_rng(0).uniform(0.1, 3.0, len(y)) * (1 + 2 * (y == 2))
    reference = SklearnLogisticRegression(class_weight="balanced", tol=1e-8, max_iter=1000).fit(
        X, y, sample_weight=weight)
    ours = LogisticRegression(class_weight="balanced", tol=1e-8, max_iter=1000).fit(
        X, y, sample_weight=weight)
    numpy.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-5)
    mlp = MLPClassifier(class_weight="balanced", optimizer="lbfgs", hidden_layer_sizes=(3,),
                        max_iter=5, random_state=0)
    totals = numpy.bincount(y, weights=weight)
    explicit = mlp.set_params(class_weight=dict(enumerate(weight.sum() / (3 * totals))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        by_dict = explicit.fit(X, y, sample_weight=weight).predict_proba(X)
        balanced = mlp.set_params(class_weight="balanced").fit(X, y, sample_weight=weight)
    numpy.testing.assert_allclose(balanced.predict_proba(X), by_dict, rtol=1e-9)
