"""Derivatives of the incomplete gamma and beta functions and of the gamma, chi2, beta and
Poisson distributions at the ends of their support, where the density is a power of x that
is 0 or finite: first and second order, reverse and forward, float64 and float32, against
closed forms (formed in logs, they were 0 * inf = nan there)."""

import math

import numpy as onp
import pytest
import scipy.special
from numpy.testing import assert_allclose

import mlkit
from mlkit import elementwise_grad, grad, make_jvp
from mlkit.scipy import special, stats


def forward(f):
    """The elementwise derivative of f by forward mode."""
    return lambda x: make_jvp(f)(x)(onp.ones_like(x))[1]


def slopes(f, x):
    """f's first and second derivatives at x: reverse, forward, and forward over reverse."""
    first = [elementwise_grad(f)(x), forward(f)(x)]
    second = [elementwise_grad(elementwise_grad(f))(x), forward(forward(f))(x),
              forward(elementwise_grad(f))(x)]
    return first, second


def check(f, x, want_first, want_second, dtype):
    x = onp.asarray(x, dtype)
    first, second = slopes(f, x)
    rtol = 1e-5 if dtype == onp.float32 else 1e-12
    for got in first:
        assert got.dtype == dtype
        assert_allclose(got, want_first, rtol=rtol, atol=rtol)
    for got in second:
        assert got.dtype == dtype
        assert_allclose(got, want_second, rtol=rtol, atol=rtol)


def power(x, n):
    """x^n with 0^0 = 1 (and 0 for n < 0, where it only meets a coefficient 0)."""
    return onp.where(x == 0, float(n == 0), onp.abs(x) ** n) if n >= 0 else 0 * x


def gamma_slopes(a, x):
    """d/dx and d2/dx2 of gammainc(a, x) for a = 1 or a >= 2: x^(a-1) e^-x / Gamma(a) and
    ((a-1) x^(a-2) - x^(a-1)) e^-x / Gamma(a)."""
    x = onp.asarray(x, float)
    scale = onp.exp(-x) / math.gamma(a)
    return scale * power(x, a - 1), scale * ((a - 1) * power(x, a - 2) - power(x, a - 1))


def beta_slopes(a, b, x):
    """d/dx and d2/dx2 of betainc(a, b, x) for a, b in {1, 2, 3, 4.5} (their products and
    quotients with the powers written out, so 0^0 = 1)."""
    x = onp.asarray(x, float)
    norm = scipy.special.beta(a, b)
    first = x ** (a - 1) * (1 - x) ** (b - 1) / norm
    left = (a - 1) * (x ** (a - 2) if a != 1 else 0 * x) * (1 - x) ** (b - 1)
    right = (b - 1) * x ** (a - 1) * ((1 - x) ** (b - 2) if b != 1 else 0 * x)
    return first, (left - right) / norm


EDGES = onp.array([0.0, 2.0 ** -10, 0.5])
DTYPES = [onp.float64, onp.float32]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a", [1.0, 2.0, 3.0, 4.5])
def test_gammainc_and_gammaincc_at_zero_and_just_inside(a, dtype):
    first, second = gamma_slopes(a, EDGES)
    check(lambda x: special.gammainc(a, x), EDGES, first, second, dtype)
    check(lambda x: special.gammaincc(a, x), EDGES, -first, -second, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a, b", [(1.0, 1.0), (1.0, 3.0), (2.0, 2.0), (3.0, 1.0), (2.0, 4.5),
                                  (4.5, 3.0)])
def test_betainc_at_zero_one_and_just_inside(a, b, dtype):
    x = onp.array([0.0, 2.0 ** -10, 0.5, 1 - 2.0 ** -10, 1.0])
    first, second = beta_slopes(a, b, x)
    check(lambda x: special.betainc(a, b, x), x, first, second, dtype)


def test_infinite_second_derivatives_stay_infinite():
    # gammainc(1.5, x)'' = x^(-1/2) (1/2 - x) / Gamma(3/2) -> +inf; betainc(2, 0.5) at 1: -inf
    assert grad(grad(lambda x: special.gammainc(1.5, x)))(0.0) == onp.inf
    assert forward(forward(lambda x: special.gammaincc(1.5, x)))(0.0) == -onp.inf
    assert grad(grad(lambda x: special.betainc(2.0, 0.5, x)))(1.0) == onp.inf


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_density_slopes_in_the_shape_parameters(dtype):
    """d/da of gammainc's slope x^(a-1) e^-x / Gamma(a) is that times log x - psi(a), whose
    limit at x = 0 is 0 for a > 1; the same for betainc's in a and b, at 0 and at 1."""
    x = onp.array([0.0, 0.25, 1.0], dtype)
    rtol = 1e-5 if dtype == onp.float32 else 1e-12

    def gamma_slope(a):
        return elementwise_grad(lambda x: special.gammainc(a, x))(x)

    for a in (1.5, 2.0, 3.5):
        inner = onp.log(onp.where(x == 0, 1, x)) - scipy.special.digamma(a)
        want = onp.where(x == 0, 0, gamma_slopes(a, x)[0] * inner)
        got = elementwise_grad(gamma_slope)(onp.full(3, a, dtype))
        assert got.dtype == dtype
        assert_allclose(got, want, rtol=rtol, atol=rtol)
        # second order: (log x - psi(a))^2 - psi'(a) times the slope, 0 at x = 0
        want = gamma_slopes(a, x)[0] * (inner ** 2 - scipy.special.polygamma(1, a))
        assert_allclose(elementwise_grad(elementwise_grad(gamma_slope))(onp.full(3, a, dtype)),
                        onp.where(x == 0, 0, want), rtol=10 * rtol, atol=rtol)

    inside = onp.array([0.0, 0.25, 1.0], dtype)
    b = 2.5
    for a in (1.5, 3.0):
        density = inside ** (a - 1) * (1 - inside) ** (b - 1) / scipy.special.beta(a, b)
        with onp.errstate(divide="ignore", invalid="ignore"):
            in_a = density * (onp.log(inside) - scipy.special.digamma(a)
                              + scipy.special.digamma(a + b))
            in_b = density * (onp.log1p(-inside) - scipy.special.digamma(b)
                              + scipy.special.digamma(a + b))
        in_a[[0, 2]] = in_b[[0, 2]] = 0  # the density is 0 at both ends for a, b > 1
        got_a = elementwise_grad(lambda p: elementwise_grad(
            lambda x: special.betainc(p, b, x))(inside))(onp.full(3, a, dtype))
        got_b = elementwise_grad(lambda p: elementwise_grad(
            lambda x: special.betainc(a, p, x))(inside))(onp.full(3, b, dtype))
        assert_allclose(got_a, in_a, rtol=rtol, atol=rtol)
        assert_allclose(got_b, in_b, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a", [1.0, 2.0, 3.0])
def test_gamma_and_chi2_pdfs_at_zero(a, dtype):
    # the pdf is gammainc's slope; chi2 with df = 2a is the gamma with scale 2
    first, second = gamma_slopes(a, EDGES)[1], _gamma_third(a, EDGES)
    check(lambda x: stats.gamma.pdf(x, a), EDGES, first, second, dtype)
    check(lambda x: stats.chi2.pdf(x, 2 * a), 2 * EDGES, first / 4, second / 8, dtype)
    check(lambda x: stats.gamma.cdf(x, a), EDGES, *gamma_slopes(a, EDGES), dtype)


def _gamma_third(a, x):
    """d3/dx3 of gammainc(a, x) = e^-x / Gamma(a) times (a-1)(a-2) x^(a-3) - 2 (a-1) x^(a-2)
    + x^(a-1)."""
    return (onp.exp(-x) / math.gamma(a) * ((a - 1) * (a - 2) * power(x, a - 3)
                                           - 2 * (a - 1) * power(x, a - 2) + power(x, a - 1)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a, b", [(1.0, 3.0), (2.0, 2.0), (3.0, 1.0)])
def test_beta_pdf_and_cdf_at_zero_and_one(a, b, dtype):
    """The cdf's slope at 0 and 1 is the density's limit from inside the support (it was
    0: the ends were masked out as constants)."""
    x = onp.array([0.0, 0.5, 1.0])
    first, second = beta_slopes(a, b, x)
    check(lambda x: stats.beta.cdf(x, a, b), x, first, second, dtype)
    # the pdf of (a, b) = (2, 2) is 6 x (1 - x): slopes 6 - 12 x and -12
    if (a, b) == (2.0, 2.0):
        check(lambda x: stats.beta.pdf(x, a, b), x, 6 - 12 * x, -12 + 0 * x, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_pmf_in_mu_at_zero(dtype):
    # mu^k e^-mu / k!: slopes at 0 are 1 (k = 1) and 0 (k = 2); second: -2 and 1
    for k, first, second in [(0, -1.0, 1.0), (1, 1.0, -2.0), (2, 0.0, 1.0), (3, 0.0, 0.0)]:
        check(lambda mu: stats.poisson.pmf(k, mu), onp.zeros(1), [first], [second], dtype)


def test_xlogy_of_python_numbers_has_an_infinite_slope_at_zero():
    assert grad(lambda y: special.xlogy(0.5, y))(0.0) == onp.inf
    assert grad(lambda y: special.xlog1py(-0.5, y))(-1.0) == -onp.inf
    assert grad(lambda y: special.xlogy(0.0, y))(0.0) == 0.0


def test_jit_replays_the_edge_slopes():
    f = elementwise_grad(elementwise_grad(lambda x: special.betainc(2.0, 3.0, x)))
    x = onp.array([0.0, 0.5, 1.0])
    compiled = mlkit.jit(f)
    assert_allclose(compiled(x), [12.0, -3.0, 0.0])
    assert_allclose(compiled(x[::-1].copy()), [0.0, -3.0, 12.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_shape_slopes_are_zero_at_the_ends_and_refused_inside(dtype):
    """gammainc(a, 0) = 0, gammaincc(a, 0) = 1, betainc(a, b, 0 or 1) = 0 or 1 and
    stdtr(df, 0) = 1/2 for every shape: there the slope in the shape is 0, though it has no
    closed form elsewhere."""
    a = onp.array([0.5, 2.0, 3.5], dtype)
    ends = onp.array([0.0, 1.0, 0.0], dtype)
    cases = [(lambda a: special.gammainc(a, ends * 0), a),
             (lambda a: special.gammaincc(a, onp.array([0.0, onp.inf, 0.0], dtype)), a),
             (lambda a: special.betainc(a, 2.0, ends), a),
             (lambda b: special.betainc(2.0, b, ends), a),
             (lambda df: special.stdtr(df, ends * 0), a)]
    for f, p in cases:
        for slope in (elementwise_grad(f)(p), forward(f)(p)):
            assert slope.dtype == dtype
            assert onp.all(slope == 0)
    with pytest.raises(NotImplementedError, match="'a'"):
        elementwise_grad(lambda a: special.gammainc(a, onp.array([0.0, 0.5, 0.0])))(a)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet_pdf_at_a_face_of_the_simplex(dtype):
    # alpha = (2, 3, 2) along x = (t, 1/2, 1/2 - t): t (1/4) (1/2 - t) / B, B = 2/6! = 1/360;
    # slopes at t = 0: 45 and -180
    alpha = onp.array([2.0, 3.0, 2.0], dtype)

    def f(t):
        return stats.dirichlet.pdf(mlkit.numpy.stack([t, 0.5 + 0 * t, 0.5 - t]), alpha)

    check(f, onp.array(0.0), 45.0, -180.0, dtype)
