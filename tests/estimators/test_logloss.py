"""LogisticRegression's objective, which training differentiates with the engine: its value and
gradient against the hand-derived formulas (binary and multinomial, with and without intercept
and penalty, huge scores included), its derivatives to third order, and its jitted form."""

import numpy
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mlkit
from mlkit.estimators.logloss import objective
from mlkit.testing import check_grads


def problem(binary, fit_intercept, penalized, n=53, d=4, k=3, scale=1.0, seed=0):
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * scale
    labels = rng.integers(0, 2 if binary else k, n)
    Y = 2.0 * labels - 1.0 if binary else numpy.eye(k)[labels]
    weight = rng.random(n)
    weight /= weight.sum()
    width = d + int(fit_intercept)
    coef = rng.standard_normal(width if binary else (width, k))
    penalty = None
    if penalized:
        penalty = numpy.full(width, 0.3)
        if fit_intercept:
            penalty[-1] = 0.0
    return coef, (X, Y, weight, penalty, fit_intercept)


def by_hand(coef, X, Y, weight, penalty, fit_intercept):
    """Value and gradient derived on paper: sigmoid / softmax residuals pulled back by X."""
    design = numpy.hstack([X, numpy.ones((len(X), 1))]) if fit_intercept else X
    scores = design @ coef
    if coef.ndim == 1:
        margins = Y * scores
        value = weight @ numpy.logaddexp(0.0, -margins)
        residual = -weight * Y * numpy.exp(-numpy.logaddexp(0.0, margins))  # 1 / (1 + e^m)
    else:
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))
        value = -weight @ (Y * log_probs).sum(axis=1)
        residual = weight[:, None] * (numpy.exp(log_probs) - Y)
    gradient = design.T @ residual
    if penalty is not None:
        scaled = penalty * coef if coef.ndim == 1 else penalty[:, None] * coef
        value += numpy.vdot(coef, scaled)
        gradient += 2.0 * scaled
    return value, gradient


CASES = [(binary, intercept, penalized) for binary in (True, False)
         for intercept in (True, False) for penalized in (True, False)]


@pytest.mark.parametrize("binary, fit_intercept, penalized", CASES)
def test_engine_value_and_gradient_equal_the_formulas(binary, fit_intercept, penalized):
    coef, args = problem(binary, fit_intercept, penalized)
    value, gradient = mlkit.value_and_grad(objective)(coef, *args)
    expected_value, expected_gradient = by_hand(coef, *args)
    assert_allclose(value, expected_value, rtol=1e-13)
    assert_allclose(gradient, expected_gradient, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("binary", [True, False])
def test_huge_scores_give_finite_exact_gradients(binary):
    coef, args = problem(binary, True, True, scale=1e4)
    value, gradient = mlkit.value_and_grad(objective)(coef, *args)
    expected_value, expected_gradient = by_hand(coef, *args)
    assert numpy.isfinite(value) and numpy.all(numpy.isfinite(gradient))
    assert_allclose(value, expected_value, rtol=1e-12)
    assert_allclose(gradient, expected_gradient, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("binary, fit_intercept", [(True, True), (False, True), (True, False)])
def test_derivatives_check_to_third_order_in_both_modes(binary, fit_intercept):
    coef, args = problem(binary, fit_intercept, True, n=20, d=3)
    check_grads(lambda c: objective(c, *args), modes=("fwd", "rev"), order=3)(coef)


@pytest.mark.parametrize("binary", [True, False])
def test_jitted_value_and_gradient_equal_eager_bit_for_bit(binary):
    coef, (X, Y, weight, penalty, fit_intercept) = problem(binary, True, True)
    eager = mlkit.value_and_grad(objective)
    jitted = mlkit.jit(eager, static_argnums=5)
    for step in range(3):
        point = coef * (1.0 + step)
        value, gradient = jitted(point, X, Y, weight, penalty, fit_intercept)
        expected_value, expected_gradient = eager(point, X, Y, weight, penalty, fit_intercept)
        assert float(value) == float(expected_value)
        assert_array_equal(gradient, expected_gradient)
    assert jitted.cache_info() == {"signatures": 1, "paths": [1]}
