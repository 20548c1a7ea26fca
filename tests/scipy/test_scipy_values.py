"""mlkit.scipy computes what scipy computes, stays stable where the naive formulas overflow,
and its derivatives match closed forms in the tails. (Finite-difference checks of every
function are in tests/numpy/specs.py.)"""

import math
import warnings

import numpy as onp
import pytest
import scipy.special
import scipy.stats
from numpy.testing import assert_allclose

from mlkit import grad
from mlkit.scipy import special, stats

RNG = onp.random.default_rng(7)
X = RNG.standard_normal((3, 4))
P = RNG.uniform(0.05, 0.95, (3, 4))
POS = RNG.uniform(0.2, 4.0, (3, 4))

ELEMENTWISE = [("expit", X), ("logit", P), ("erf", X), ("erfc", X), ("erfinv", 2 * P - 1),
               ("erfcinv", P), ("ndtr", X), ("log_ndtr", X), ("ndtri", P), ("gammaln", POS),
               ("digamma", POS), ("psi", POS), ("entr", POS)]


@pytest.mark.parametrize("name, x", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_values_match_scipy(name, x):
    assert_allclose(getattr(special, name)(x), getattr(scipy.special, name)(x), rtol=1e-12)


def test_binary_and_indexed_values_match_scipy():
    assert_allclose(special.xlogy(X, POS), scipy.special.xlogy(X, POS))
    assert_allclose(special.xlog1py(X, POS), scipy.special.xlog1py(X, POS))
    assert special.xlogy(0.0, 0.0) == 0.0
    for n in (0, 1, 3):
        assert_allclose(special.polygamma(n, POS), scipy.special.polygamma(n, POS))


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": 1}, {"axis": (0, 1)},
                                    {"axis": -1, "keepdims": True}, {"b": POS},
                                    {"axis": 0, "b": POS[0]}])
def test_logsumexp_matches_scipy(kwargs):
    assert_allclose(special.logsumexp(X, **kwargs), scipy.special.logsumexp(X, **kwargs))


def test_logsumexp_is_stable_where_the_naive_formula_overflows():
    big = onp.array([1000.0, 1000.0, -onp.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_allclose(special.logsumexp(big), 1000.0 + math.log(2.0))
        assert_allclose(grad(special.logsumexp)(big), [0.5, 0.5, 0.0])
        assert_allclose(special.logsumexp(-big[:2]), -1000.0 + math.log(2.0))


@pytest.mark.parametrize("axis", [None, 0, -1])
def test_softmax_and_log_softmax_match_scipy_and_normalize(axis):
    assert_allclose(special.softmax(X, axis=axis), scipy.special.softmax(X, axis=axis))
    assert_allclose(special.log_softmax(X, axis=axis), scipy.special.log_softmax(X, axis=axis))
    assert_allclose(onp.sum(special.softmax(X, axis=axis), axis=axis), 1.0)
    assert onp.all(onp.isfinite(special.log_softmax(1e4 * X, axis=axis)))


def test_softmax_gradient_of_one_component():
    x = onp.array([0.1, -0.4, 1.2])
    p = scipy.special.softmax(x)
    assert_allclose(grad(lambda x: special.softmax(x)[0])(x), p[0] * (onp.eye(3)[0] - p))


def test_derivatives_in_the_tails_are_finite_and_exact():
    # d/dx log ndtr(x) = pdf / cdf ~ -x for very negative x
    assert_allclose(grad(special.log_ndtr)(-40.0), 40.0249688472, rtol=1e-9)
    assert_allclose(grad(special.expit)(50.0), math.exp(-50.0), rtol=1e-6)
    assert_allclose(grad(grad(special.gammaln))(3.0), math.pi ** 2 / 6 - 1 - 1 / 4)
    assert_allclose(grad(special.erfinv)(0.0), math.sqrt(math.pi) / 2)


NORM_METHODS = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"]


@pytest.mark.parametrize("method", NORM_METHODS)
def test_norm_matches_scipy_stats(method):
    loc, scale = onp.array([0.3, -1.0, 0.0, 2.0]), 1.7
    expected = getattr(scipy.stats.norm, method)(X, loc, scale)
    assert_allclose(getattr(stats.norm, method)(X, loc, scale), expected, rtol=1e-12)
    assert_allclose(getattr(stats.norm, method)(X), getattr(scipy.stats.norm, method)(X))


def test_norm_ppf_inverts_cdf_and_t_matches_scipy():
    assert_allclose(stats.norm.ppf(P, 0.5, 2.0), scipy.stats.norm.ppf(P, 0.5, 2.0))
    assert_allclose(stats.norm.cdf(stats.norm.ppf(P, 0.5, 2.0), 0.5, 2.0), P)
    for method in ("pdf", "logpdf"):
        assert_allclose(getattr(stats.t, method)(X, 3.5, 0.2, 1.3),
                        getattr(scipy.stats.t, method)(X, 3.5, 0.2, 1.3))


def test_norm_logpdf_gradients_in_every_argument_by_hand():
    x, loc, scale = 1.3, 0.4, 2.0
    z = (x - loc) / scale
    gx, gloc, gscale = grad(stats.norm.logpdf, argnum=(0, 1, 2))(x, loc, scale)
    assert_allclose((gx, gloc, gscale), (-z / scale, z / scale, (z * z - 1) / scale))


def test_scipy_ufuncs_called_on_traced_values_dispatch_to_mlkit():
    x = onp.array([0.2, -0.3])
    assert_allclose(grad(lambda x: scipy.special.erf(x).sum())(x),
                    2 / math.sqrt(math.pi) * onp.exp(-x * x))
    assert_allclose(grad(lambda x: scipy.special.expit(x)[0])(x), [0.2475165727, 0.0])
