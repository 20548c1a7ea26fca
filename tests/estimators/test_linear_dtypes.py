"""LogisticRegression fits in X's float dtype: float32 in, float32 coefficients and outputs;
float64 exactly as before (values recorded from the float64-only implementation)."""

import functools
import re
import warnings

import numpy
import pytest
from numpy.testing import assert_array_equal
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning

from mlkit.estimators import LogisticRegression, MLPClassifier, load


def standardized(name):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    spread = X.std(0)
    spread[spread == 0] = 1.0
    return (X - X.mean(0)) / spread, y


@pytest.fixture(scope="module")
def iris():
    return standardized("iris")


def fit_quietly(estimator, X, y, **fit_args):
    """``estimator.fit`` with a ConvergenceWarning raised as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return estimator.fit(X, y, **fit_args)


@pytest.mark.parametrize("classes", [2, 3])
def test_float32_data_gives_float32_coefficients_and_outputs(iris, classes):
    X, y = iris
    X, y = (X[y > 0], y[y > 0]) if classes == 2 else (X, y)
    X32 = X.astype(numpy.float32)
    clf = fit_quietly(LogisticRegression(), X32, y)
    assert clf.coef_.dtype == clf.intercept_.dtype == numpy.float32
    outputs = [clf.decision_function(X32), clf.predict_proba(X32), clf.predict_log_proba(X32)]
    assert [out.dtype for out in outputs] == [numpy.float32] * 3
    # float64 rows are converted to the model's dtype, as the MLP estimators do
    assert_array_equal(clf.predict_proba(X), outputs[1])
    # the probabilities are the float64 softmax of the float32 scores, to float32 accuracy
    scores = numpy.asarray(outputs[0], dtype=numpy.float64)
    scores = numpy.stack([-scores, scores], axis=1) / 2 if classes == 2 else scores
    expected = numpy.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    numpy.testing.assert_allclose(outputs[1], expected, rtol=2e-6, atol=1e-7)


def test_integer_data_fits_in_float64_as_scikit_learn():
    X = numpy.array([[0, 1], [1, 0], [2, 3], [3, 2], [4, 5], [5, 4]], dtype=numpy.int32)
    clf = LogisticRegression().fit(X, [0, 0, 0, 1, 1, 1])
    assert clf.coef_.dtype == clf.predict_proba(X).dtype == numpy.float64


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
def test_float32_fit_converges_and_agrees_with_the_float64_fit(name):
    X, y = standardized(name)
    fits = [fit_quietly(LogisticRegression(), X.astype(dtype), y)
            for dtype in (numpy.float64, numpy.float32)]
    assert fits[1].coef_.dtype == numpy.float32
    assert [fit.history_.stop_reason for fit in fits] == ["converged", "converged"]
    (coef64, coef32), (intercept64, intercept32) = (
        [fit.coef_ for fit in fits], [fit.intercept_ for fit in fits])
    assert numpy.abs(coef32 - coef64).max() <= 1e-4 * numpy.abs(coef64).max()
    assert numpy.abs(intercept32 - intercept64).max() <= 1e-4 * numpy.abs(intercept64).max() + 1e-6
    assert abs(int(fits[1].n_iter_[0]) - int(fits[0].n_iter_[0])) <= 3
    numpy.testing.assert_allclose(fits[1].predict_proba(X.astype(numpy.float32)),
                                  fits[0].predict_proba(X), atol=1e-4)


# Recorded from the float64-only implementation: a float64 fit must not move, to the last
# bits that BLAS kernels round differently (OpenBLAS's Haswell and SkylakeX kernels differ by
# 3e-15 relative here).
RECORDED = {
    "multinomial lbfgs": (
        [-1.076592383408973, 1.159776476265976, -1.9281413773868528, -1.8122730678613932,
         0.5899242979747026, -0.3626359517880014, -0.3646131244721281, -0.8270024133640822,
         0.48666808543426915, -0.797140524477975, 2.292754501858981, 2.6392754812254746],
        [-0.20463896723690578, 2.0745583444136786, -1.8699193771767773]),
    "binary lbfgs": (
        [0.29015239047276414, -0.3110212418426067, 1.8117556661276257, 2.3984832048909888],
        [-2.9174860426957125]),
    "multinomial sgd": (
        [-0.35399322095786345, 0.3395729929012845, -0.48108838656747044, -0.4600708273643258,
         0.028699981781993667, -0.30341820015605353, 0.10011289467783845, 0.034535164540954406,
         0.3252932391758698, -0.03615479274523095, 0.38097549188963203, 0.42553566282337124],
        [-0.030578049758670622, 0.04272615785724934, -0.012148108098578702]),
}
RECORDED_ERRORS = ([0.41511261623262175, 0.38054242989177367, 0.6057992380636623,
                    0.5256720364453928], [0.5570612211433018])


def test_float64_fits_equal_the_recorded_ones_to_rounding(iris):
    X, y = iris
    same = functools.partial(numpy.testing.assert_allclose, rtol=1e-13, atol=0)
    fits = {
        "multinomial lbfgs": LogisticRegression().fit(X, y),
        "binary lbfgs": LogisticRegression(C=0.5, standard_errors=True).fit(X[y > 0], y[y > 0]),
    }
    with pytest.warns(ConvergenceWarning):
        fits["multinomial sgd"] = LogisticRegression(
            solver="sgd", max_iter=5, random_state=0, batch_size=32).fit(X, y)
    for name, (coef, intercept) in RECORDED.items():
        assert fits[name].coef_.dtype == numpy.float64
        same(fits[name].coef_.ravel(), coef, err_msg=name)
        same(fits[name].intercept_, intercept, err_msg=name)
    binary = fits["binary lbfgs"]
    same(binary.standard_errors_.ravel(), RECORDED_ERRORS[0])
    same(binary.intercept_standard_errors_, RECORDED_ERRORS[1])


def test_standard_errors_of_a_float32_fit_are_a_float64_report(iris):
    X, y = iris
    X, y = X[y > 0], y[y > 0]
    fits = [fit_quietly(LogisticRegression(C=0.5, standard_errors=True), X.astype(dtype), y)
            for dtype in (numpy.float64, numpy.float32)]
    assert fits[1].coef_.dtype == numpy.float32
    assert fits[1].standard_errors_.dtype == numpy.float64
    numpy.testing.assert_allclose(fits[1].standard_errors_, fits[0].standard_errors_, rtol=1e-4)
    table = fits[1].summary()
    assert set(table.dtypes) == {numpy.dtype(numpy.float64)}
    numpy.testing.assert_allclose(table["z"], fits[0].summary()["z"], rtol=1e-4)


def test_save_and_load_keep_float32(iris, tmp_path):
    X, y = iris
    X32 = X.astype(numpy.float32)
    clf = fit_quietly(LogisticRegression(), X32, y)
    clf.save(tmp_path / "clf.npz")
    loaded = load(tmp_path / "clf.npz")
    assert loaded.coef_.dtype == loaded.intercept_.dtype == numpy.float32
    assert_array_equal(loaded.predict_proba(X32), clf.predict_proba(X32))


def test_warm_start_continues_in_the_new_data_dtype(iris):
    X, y = iris
    clf = fit_quietly(LogisticRegression(warm_start=True, max_iter=200), X, y)
    refit = fit_quietly(clf, X.astype(numpy.float32), y)
    assert refit.coef_.dtype == numpy.float32
    assert refit.n_iter_[0] <= 3  # it starts at the float64 optimum
    numpy.testing.assert_allclose(refit.coef_, LogisticRegression().fit(X, y).coef_, rtol=1e-4,
                                  atol=1e-4)


def test_float32_mini_batches_of_zero_weight_stay_finite(iris):
    X, y = iris
    weight = numpy.zeros(len(y))
    weight[::3] = 1.0  # batches of two rows, many of them weightless
    fits = []
    for dtype in (numpy.float64, numpy.float32):
        with pytest.warns(ConvergenceWarning):
            fits.append(LogisticRegression(solver="sgd", max_iter=5, batch_size=2,
                                           random_state=0).fit(X.astype(dtype), y,
                                                               sample_weight=weight))
    assert fits[1].coef_.dtype == numpy.float32
    numpy.testing.assert_allclose(fits[1].coef_, fits[0].coef_, rtol=1e-4, atol=1e-5)


def _largest_gradient(clf, X, y):
    """The largest entry of the objective's gradient at ``clf``'s coefficients, in float64
    (multinomial log-loss over ``len(X)`` plus the penalty with C = 1, not on the intercept)."""
    coef = numpy.vstack([clf.coef_.T, clf.intercept_]).astype(numpy.float64)
    Xb = numpy.hstack([X, numpy.ones((len(X), 1))])
    scores = Xb @ coef
    p = numpy.exp(scores - scores.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    grad = Xb.T @ (p - numpy.eye(coef.shape[1])[y]) / len(X)
    grad[:-1] += coef[:-1] / len(X)
    return numpy.abs(grad).max()


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_float32_lbfgs_reaches_tol_where_the_loss_is_flat_to_rounding(name):
    # Near the optimum the float32 loss no longer shows the decrease of a step; the line
    # search then goes by the slope (approximate Wolfe), which float32 still resolves.
    X, y = standardized(name)
    X32 = X.astype(numpy.float32)
    clf = fit_quietly(LogisticRegression(tol=1e-6), X32, y)
    assert clf.coef_.dtype == clf.intercept_.dtype == numpy.float32
    assert clf.history_.stop_reason == "converged"
    assert _largest_gradient(clf, X32, y) < 2e-6  # tol=1e-6, measured where it stopped
    exact = fit_quietly(LogisticRegression(tol=1e-12), X32.astype(numpy.float64), y)
    same_tol = fit_quietly(LogisticRegression(tol=1e-6), X32.astype(numpy.float64), y)
    scale = numpy.abs(exact.coef_).max()
    error32 = numpy.abs(clf.coef_ - exact.coef_).max() / scale
    error64 = numpy.abs(same_tol.coef_ - exact.coef_).max() / scale
    # measured: iris 5.0e-5 (float64 at tol=1e-6: 5.0e-5), wine 2.2e-5 (5.9e-5); when
    # float32 stalled: 3e-4 and 2e-4
    assert error32 < 1.5 * error64 and error32 < 1e-4
    numpy.testing.assert_allclose(clf.coef_, same_tol.coef_, rtol=0, atol=1e-4 * scale)


def test_a_float32_fit_stopped_short_of_a_tiny_tol_warns_with_the_cause(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning) as caught:
        clf = LogisticRegression(tol=1e-8).fit(X.astype(numpy.float32), y)
    message = str(caught[0].message)
    assert message.startswith(
        "LogisticRegression: LBFGS stopped before its gradient reached tol=1e-08: the line "
        "search found no decrease: the loss cannot resolve smaller steps in float32; the "
        "largest gradient entry is ")
    assert message.endswith("> tol 1e-08; use float64 data or a larger tol")  # its own name
    reported = float(re.search(r"entry is (\S+) >", message)[1])
    assert 0.5 < reported / _largest_gradient(clf, X, y) < 2.0  # the gradient where it stopped
    assert clf.history_.stop_reason == "stalled"


def test_a_float32_mlp_fit_by_lbfgs_stopped_short_of_tol_warns_with_the_cause(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="no decrease: the loss cannot resolve smaller "
                      "steps in float32; the largest gradient entry is .* > tol 1e-09; use "
                      "float64 data or a larger tol$"):
        MLPClassifier(hidden_layer_sizes=(5,), optimizer="lbfgs", tol=1e-9, max_iter=500,
                      random_state=0).fit(X.astype(numpy.float32), y)
