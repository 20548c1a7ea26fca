"""The blocked log-loss kernel against the engine's derivatives of the objective it stands for:
binary and multinomial, with and without intercept and penalty, in one block and in many."""

import numpy
import pytest
from numpy.testing import assert_allclose

import mlkit
from mlkit.estimators import logkernel
from mlkit.estimators.logloss import fused_objective, objective
from mlkit.testing import check_grads


def problem(binary, fit_intercept, penalized, n=53, d=4, k=3, scale=1.0, seed=0):
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * scale
    labels = rng.integers(0, 2 if binary else k, n)
    Y = 1.0 - 2.0 * labels if binary else numpy.eye(k)[labels]
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


CASES = [(binary, intercept, penalized) for binary in (True, False)
         for intercept in (True, False) for penalized in (True, False)]


@pytest.mark.parametrize("binary, fit_intercept, penalized", CASES)
@pytest.mark.parametrize("block_bytes", [1 << 20, 256])  # one block; blocks of 64 rows
def test_kernel_equals_the_engines_value_and_gradient(binary, fit_intercept, penalized,
                                                      block_bytes, monkeypatch):
    monkeypatch.setattr(logkernel, "BLOCK_BYTES", block_bytes)
    coef, args = problem(binary, fit_intercept, penalized, n=150)
    value, gradient = logkernel.objective_and_gradient(coef, *args)
    expected_value, expected_gradient = mlkit.value_and_grad(objective)(coef, *args)
    assert_allclose(value, expected_value, rtol=1e-13)
    assert_allclose(gradient, expected_gradient, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("binary", [True, False])
def test_kernel_is_stable_for_huge_scores(binary):
    coef, args = problem(binary, True, True, scale=1e4)
    value, gradient = logkernel.objective_and_gradient(coef, *args)
    expected_value, expected_gradient = mlkit.value_and_grad(objective)(coef, *args)
    assert numpy.isfinite(value) and numpy.all(numpy.isfinite(gradient))
    assert_allclose(value, expected_value, rtol=1e-12)
    assert_allclose(gradient, expected_gradient, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("binary", [True, False])
def test_fused_objective_has_the_engines_hessian_and_checks_to_third_order(binary):
    coef, args = problem(binary, True, True, n=20, d=3)
    assert_allclose(mlkit.hessian(fused_objective)(coef, *args),
                    mlkit.hessian(objective)(coef, *args), rtol=1e-11, atol=1e-14)
    check_grads(lambda c: fused_objective(c, *args), modes=("fwd", "rev"), order=3)(coef)
