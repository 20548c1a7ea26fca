"""mlkit.scipy.stats computes what scipy.stats computes (scipy's signatures, broadcasting,
values off the support and for invalid parameters), in the input's precision; derivatives
match closed forms; the derivatives that do not exist raise naming the argument. (Finite-
difference checks of every method are in tests/numpy/specs.py.)"""

import numpy as onp
import pytest
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as hs
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, make_jvp
from mlkit.scipy import stats

RNG = onp.random.default_rng(3)
X = onp.array([-0.5, 0.0, 0.3, 1.2, 2.5, 7.0])
U = onp.array([-0.2, 0.0, 0.25, 0.5, 1.0, 1.3])

# (distribution, method, x, shape parameters, loc/scale keywords)
UNIVARIATE = [
    ("t", m, X, (onp.array([[1.5], [4.0]]),), {"loc": 0.2, "scale": 1.3})
    for m in ("pdf", "logpdf", "cdf", "logcdf")
] + [
    (d, m, X, shape, kw) for d, shape in (("gamma", (1.7,)), ("gamma", (0.6,)), ("chi2", (3.0,)))
    for m in ("pdf", "logpdf", "cdf") for kw in ({}, {"loc": -0.4, "scale": 2.0})
] + [
    ("beta", m, U, shape, kw) for shape in ((1.5, 2.5), (0.7, 1.0))
    for m in ("pdf", "logpdf", "cdf") for kw in ({}, {"loc": -0.1, "scale": 1.2})
] + [
    ("poisson", m, onp.array([-1.0, 0.0, 1.0, 2.5, 3.0, 7.0]), (onp.array([0.0, 0.5, 2.0, 3.0,
                                                                           3.0, 4.0]),), kw)
    for m in ("pmf", "logpmf", "cdf") for kw in ({}, {"loc": 1})
]


@pytest.mark.parametrize("dist, method, x, shapes, kwargs", UNIVARIATE,
                         ids=[f"{u[0]}.{u[1]}-{i}" for i, u in enumerate(UNIVARIATE)])
def test_univariate_values_match_scipy(dist, method, x, shapes, kwargs):
    expected = getattr(getattr(scipy.stats, dist), method)(x, *shapes, **kwargs)
    got = getattr(getattr(stats, dist), method)(x, *shapes, **kwargs)
    assert onp.shape(got) == onp.shape(expected)
    assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


INVALID = [("gamma", "logpdf", (1.0, -2.0), {}), ("gamma", "cdf", (1.0, 2.0), {"scale": -1.0}),
           ("chi2", "pdf", (1.0, 0.0), {}), ("beta", "cdf", (0.5, 2.0, -1.0), {}),
           ("beta", "logpdf", (0.5, 2.0, 1.0), {"scale": 0.0}), ("t", "logpdf", (0.5, -1.0), {}),
           ("t", "cdf", (0.5, 2.0), {"scale": -1.0}), ("poisson", "pmf", (2.0, -1.0), {}),
           ("poisson", "cdf", (2.0, -1.0), {})]


@pytest.mark.parametrize("dist, method, args, kwargs", INVALID,
                         ids=[f"{i[0]}.{i[1]}" for i in INVALID])
def test_invalid_parameters_give_nan_as_in_scipy(dist, method, args, kwargs):
    with onp.errstate(divide="ignore"):
        assert onp.isnan(getattr(getattr(scipy.stats, dist), method)(*args, **kwargs))
    assert onp.isnan(getattr(getattr(stats, dist), method)(*args, **kwargs))


def test_float32_stays_float32():
    x = onp.float32([0.2, 0.5, 0.9])
    for fun in (stats.gamma.pdf, stats.chi2.logpdf, stats.t.cdf, stats.beta.cdf):
        assert fun(x, 1.5, 0.1, 1.2).dtype == onp.float32
        assert grad(lambda x, f=fun: f(x, 1.5, 0.1, 1.2).sum())(x).dtype == onp.float32
    assert stats.poisson.logpmf(2.0, x).dtype == onp.float32


def test_logpdf_gradients_by_hand():
    x, a, b = 0.3, 1.7, 2.4
    gx, ga, gb = grad(stats.beta.logpdf, argnum=(0, 1, 2))(x, a, b)
    assert_allclose(gx, (a - 1) / x - (b - 1) / (1 - x))
    assert_allclose(ga, onp.log(x) - scipy.special.digamma(a) + scipy.special.digamma(a + b))
    assert_allclose(gb, onp.log1p(-x) - scipy.special.digamma(b) + scipy.special.digamma(a + b))
    x, a, scale = 1.3, 2.5, 2.0
    gx, ga, gscale = grad(stats.gamma.logpdf, argnum=(0, 1, 3))(x, a, 0.0, scale)
    assert_allclose(gx, (a - 1) / x - 1 / scale)
    assert_allclose(ga, onp.log(x / scale) - scipy.special.digamma(a))
    assert_allclose(gscale, x / scale ** 2 - a / scale)
    assert_allclose(grad(stats.poisson.logpmf, argnum=1)(3.0, 2.0), 3.0 / 2.0 - 1)
    # d/dmu P(K <= k) = -pmf(floor(k), mu)
    assert_allclose(grad(stats.poisson.cdf, argnum=1)(3.5, 2.0), -scipy.stats.poisson.pmf(3, 2.0))
    with pytest.warns(UserWarning, match="does not depend"):
        assert grad(stats.poisson.cdf)(3.5, 2.0) == 0.0  # a step function of k
    assert_allclose(grad(stats.t.cdf)(0.7, 3.0, 0.2, 1.5), scipy.stats.t.pdf(0.7, 3.0, 0.2, 1.5))
    assert_allclose(grad(stats.chi2.cdf)(2.0, 3.0), scipy.stats.chi2.pdf(2.0, 3.0))


SHAPES = {"t": 1, "gamma": 1, "chi2": 1, "beta": 2}


@settings(max_examples=20, deadline=None)
@given(dist=hs.sampled_from(sorted(SHAPES)), u=hs.floats(0.05, 0.95),
       shapes=hs.tuples(hs.floats(0.6, 5.0), hs.floats(0.6, 5.0)),
       loc=hs.floats(-2.0, 2.0), scale=hs.floats(0.3, 3.0))
def test_the_cdf_differentiates_to_the_pdf(dist, u, shapes, loc, scale):
    """d cdf / dx = pdf and d cdf / dloc = -pdf, at a point inside the support."""
    shapes = shapes[:SHAPES[dist]]
    x = float(getattr(scipy.stats, dist).ppf(u, *shapes, loc=loc, scale=scale))
    module = getattr(stats, dist)
    dx, dloc = grad(module.cdf, argnum=(0, 1 + len(shapes)))(x, *shapes, loc, scale)
    pdf = getattr(scipy.stats, dist).pdf(x, *shapes, loc=loc, scale=scale)
    assert_allclose((dx, dloc), (pdf, -pdf), rtol=1e-9)
    assert_allclose(module.pdf(x, *shapes, loc, scale), pdf, rtol=1e-9)


def test_gradients_outside_the_support_are_zero_and_finite():
    x = onp.array([-1.0, 0.5])
    assert_allclose(grad(lambda x: stats.gamma.pdf(x, 2.0).sum())(x), [0.0, 0.5 * onp.exp(-0.5)])
    assert_allclose(grad(lambda x: stats.beta.cdf(x, 2.0, 1.0).sum())(onp.array([-1.0, 2.0])),
                    [0.0, 0.0])


@pytest.mark.parametrize("dist, shape", [("gamma", 0.5), ("chi2", 1.5)])
def test_cdf_below_the_support_has_zero_slope_at_every_order(dist, shape):
    """The cdf is 0 below loc: its derivatives there are 0, not 0 * inf = nan from the stand-in
    point, for a shape (chi2: df / 2) below 1, where the slope at 0 is infinite."""
    cdf = getattr(stats, dist).cdf
    x = onp.array([-1.0, 0.0, 2.0])
    slope = getattr(scipy.stats, dist).pdf(2.0, shape)
    assert_allclose(grad(lambda x: cdf(x, shape).sum())(x), [0.0, onp.inf, slope])
    assert_allclose(make_jvp(lambda x: cdf(x, shape))(x)(onp.ones(3))[1], [0.0, onp.inf, slope])
    curvature = grad(lambda x: grad(lambda y: cdf(y, shape).sum())(x)[0])(x[:1])
    assert_allclose(curvature, [0.0])


REFUSED = [(stats.gamma.cdf, (1.0, 2.0), 1, "'a'"), (stats.chi2.cdf, (1.0, 2.0), 1, "'a'"),
           (stats.beta.cdf, (0.3, 2.0, 3.0), 2, "'b'"), (stats.t.cdf, (0.3, 2.0), 1, "'df'"),
           (stats.t.logcdf, (0.3, 2.0), 1, "'df'"), (stats.poisson.pmf, (2.0, 1.5), 0, "'k'"),
           (stats.poisson.logpmf, (2.0, 1.5), 0, "'k'")]


@pytest.mark.parametrize("fun, args, argnum, arg_name", REFUSED,
                         ids=[f"{r[0].__name__}-{r[3]}" for r in REFUSED])
def test_derivatives_that_do_not_exist_raise_in_both_modes(fun, args, argnum, arg_name):
    with pytest.raises(NotImplementedError, match=arg_name):
        grad(fun, argnum=argnum)(*args)

    def along(v):
        moved = list(args)
        moved[argnum] = v
        return fun(*moved)

    with pytest.raises(NotImplementedError, match=arg_name):
        make_jvp(along)(args[argnum])(1.0)


def test_distributions_are_modules_as_in_scipy_and_autograd():
    import mlkit.scipy.stats.multivariate_normal as mvn
    import mlkit.scipy.stats.norm as norm

    assert mvn is stats.multivariate_normal and norm is stats.norm
    for dist in stats.__all__:
        module = getattr(stats, dist)
        assert module.__all__ and all(hasattr(getattr(scipy.stats, dist), name)
                                      for name in module.__all__)
        kinds = {name: row["kind"] for name, row in np.coverage(module).items()}
        assert set(kinds) == set(module.__all__)
        assert {n for n, k in kinds.items() if k != "composite"} <= {"rvs"}


# --- multivariate ---------------------------------------------------------------------------
A = RNG.standard_normal((3, 3))
COV = A @ A.T + onp.eye(3)
MEAN = RNG.standard_normal(3)
POINTS = RNG.standard_normal((4, 3))
MVN_CASES = [(POINTS, MEAN, COV), (POINTS[0], MEAN, COV), (POINTS[:1], MEAN, COV),
             (POINTS.reshape(2, 2, 3), MEAN, COV), (POINTS, MEAN, onp.array([1.0, 2.0, 0.5])),
             (POINTS, MEAN, 2.5), (onp.array([0.1, 0.2, 0.3]), 0.0, 2.0), (0.4, None, 1),
             (POINTS[:, :2], [0, 1], [[2, 1], [1, 3]])]


@pytest.mark.parametrize("method", ["pdf", "logpdf"])
@pytest.mark.parametrize("x, mean, cov", MVN_CASES, ids=[str(i) for i in range(len(MVN_CASES))])
def test_multivariate_normal_matches_scipy(method, x, mean, cov):
    expected = getattr(scipy.stats.multivariate_normal, method)(x, mean, cov)
    got = getattr(stats.multivariate_normal, method)(x, mean, cov)
    assert onp.shape(got) == onp.shape(expected)
    assert_allclose(got, expected, rtol=1e-12)


def test_multivariate_normal_gradients_by_hand():
    x = POINTS[0]
    inv = onp.linalg.inv(COV)
    solved = inv @ (x - MEAN)
    gx, gmean, gcov = grad(stats.multivariate_normal.logpdf, argnum=(0, 1, 2))(x, MEAN, COV)
    assert_allclose(gx, -solved)
    assert_allclose(gmean, solved)
    assert_allclose(gcov, 0.5 * (onp.outer(solved, solved) - inv))
    assert_allclose(grad(stats.multivariate_normal.entropy, argnum=1)(MEAN, COV), 0.5 * inv)
    assert_allclose(stats.multivariate_normal.entropy(MEAN, COV),
                    scipy.stats.multivariate_normal.entropy(MEAN, COV))


SINGULAR = onp.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 2.0]])


def test_multivariate_normal_with_a_singular_cov():
    y = onp.array([[0.5, 0.5, 0.1], [0.5, 0.2, 0.1]])  # on the support, then off it
    mean = onp.zeros(3)
    for method in ("pdf", "logpdf"):
        assert_allclose(
            getattr(stats.multivariate_normal, method)(y, mean, SINGULAR, allow_singular=True),
            getattr(scipy.stats.multivariate_normal, method)(y, mean, SINGULAR,
                                                             allow_singular=True))
    assert_allclose(stats.multivariate_normal.entropy(cov=SINGULAR),
                    scipy.stats.multivariate_normal.entropy(cov=SINGULAR))
    # on the support the density is a normal in the range of cov: -pinv(cov) (y - mean)
    assert_allclose(grad(stats.multivariate_normal.logpdf)(y[0], mean, SINGULAR, True),
                    -onp.linalg.pinv(SINGULAR) @ y[0])
    with pytest.raises(ValueError, match="allow_singular=True"):
        stats.multivariate_normal.logpdf(y[0], mean, SINGULAR)
    with pytest.raises(NotImplementedError, match="singular cov"):
        grad(stats.multivariate_normal.logpdf, argnum=2)(y[0], mean, SINGULAR, True)
    with pytest.raises(ValueError, match="positive semidefinite"):
        stats.multivariate_normal.logpdf(y[0], mean, -SINGULAR)
    with pytest.raises(ValueError, match="last axis"):
        stats.multivariate_normal.logpdf(onp.zeros(2), mean, SINGULAR)


ALPHA = onp.array([1.0, 2.0, 3.5])
SIMPLEX = onp.array([[0.2, 0.1], [0.3, 0.4], [0.5, 0.5]])


@pytest.mark.parametrize("method", ["pdf", "logpdf"])
@pytest.mark.parametrize("x", [SIMPLEX, SIMPLEX[:, 0], SIMPLEX[:2], SIMPLEX[:2, 1]],
                         ids=["points", "point", "heads", "head"])
def test_dirichlet_matches_scipy(method, x):
    assert_allclose(getattr(stats.dirichlet, method)(x, ALPHA),
                    getattr(scipy.stats.dirichlet, method)(x, ALPHA), rtol=1e-12)


def test_dirichlet_gradients_and_checks():
    x = SIMPLEX[:, 0]
    gx, galpha = grad(stats.dirichlet.logpdf, argnum=(0, 1))(x, ALPHA)
    assert_allclose(gx, (ALPHA - 1) / x)
    assert_allclose(galpha, scipy.special.digamma(ALPHA.sum()) - scipy.special.digamma(ALPHA)
                    + onp.log(x))
    with pytest.raises(ValueError, match="sum to 1"):
        stats.dirichlet.logpdf(onp.array([0.2, 0.3, 0.6]), ALPHA)
    with pytest.raises(ValueError, match="3 \\(or 2\\) components"):
        stats.dirichlet.logpdf(onp.array([1.0]), ALPHA)
    with pytest.raises(ValueError, match="alpha"):
        stats.dirichlet.logpdf(x, -ALPHA)
    draws = stats.dirichlet.rvs(ALPHA, size=5, random_state=0)
    assert draws.shape == (5, 3) and onp.allclose(draws.sum(axis=1), 1.0)
