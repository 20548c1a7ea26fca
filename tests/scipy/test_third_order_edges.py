"""Derivatives to fourth order at the ends of a function's domain, in every composition of
reverse and forward mode: the one-sided limit where it exists (logit's +-inf at 0 and 1,
x log y's 2 x / y^3 at y = 0, 0 at infinity for erf, log_ndtr, the normal pdf and the gamma
densities), the same in every mode, in float64 and float32 (each formula once met 0 * inf or
inf - inf there, and gave nan or a wrong sign)."""

import itertools

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mlkit import elementwise_grad, jit, make_jvp
from mlkit.scipy import special, stats


def forward(f):
    """The elementwise derivative of f by forward mode."""
    return lambda x: make_jvp(f)(x)(onp.ones_like(x))[1]


def derivatives(f, order):
    """f's ``order``-th elementwise derivative in each of the 2^order compositions of reverse
    (elementwise_grad) and forward (make_jvp) mode."""
    out = []
    for modes in itertools.product((elementwise_grad, forward), repeat=order):
        g = f
        for mode in modes:
            g = mode(g)
        out.append(g)
    return out


def check_all(f, x, order, want, dtype=onp.float64):
    x = onp.asarray(x, dtype)
    for g in derivatives(f, order):
        got = g(x)
        assert got.dtype == dtype
        assert_allclose(got, want, rtol=1e-5 if dtype == onp.float32 else 1e-12)


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_logit_has_its_one_sided_limits_at_both_ends(dtype):
    x = onp.array([0.0, 1.0, 0.25])
    check_all(special.logit, x, 2, [-onp.inf, onp.inf, -1 / x[2] ** 2 + 1 / (1 - x[2]) ** 2],
              dtype)
    check_all(special.logit, x, 3, [onp.inf, onp.inf, 2 / x[2] ** 3 + 2 / (1 - x[2]) ** 3],
              dtype)


BOTH_ENDS = [-onp.inf, onp.inf]
NORMAL_FAMILY = [(special.erf, BOTH_ENDS), (special.erfc, BOTH_ENDS), (special.ndtr, BOTH_ENDS),
                 (special.log_ndtr, [onp.inf]), (stats.norm.pdf, BOTH_ENDS)]


@pytest.mark.parametrize("f, ends", NORMAL_FAMILY, ids=["erf", "erfc", "ndtr", "log_ndtr", "pdf"])
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_normal_family_derivatives_vanish_at_infinity(f, ends, dtype):
    for order in (1, 2, 3):
        check_all(f, ends, order, onp.zeros(len(ends)), dtype)


@pytest.mark.parametrize("x", [-3.0, -0.5, 0.0, 0.5, 4.0])
def test_log_ndtr_third_derivative_matches_differences_of_the_second(x):
    second = elementwise_grad(elementwise_grad(special.log_ndtr))
    h = 1e-3
    difference = (8 * (second(x + h) - second(x - h)) - (second(x + 2 * h) - second(x - 2 * h)))
    want = difference / (12 * h)
    for g in derivatives(special.log_ndtr, 3):
        assert_allclose(g(x), want, rtol=1e-8, atol=1e-12)
    replayed = jit(derivatives(special.log_ndtr, 3)[0])
    replayed(onp.array([x, 1.0]))  # recorded with no infinity, replayed with one
    assert_allclose(replayed(onp.array([x, onp.inf])), [want, 0.0], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("f, y0", [(special.xlogy, 0.0), (special.xlog1py, -1.0)])
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_x_log_y_third_and_fourth_y_derivatives_at_the_pole(f, y0, dtype):
    y = onp.array([y0, y0 + 0.5, y0 + 2.0])
    d = y - y0
    for x in (1.0, 2.0):
        def in_y(t, x=x):
            return f(x, t)

        with onp.errstate(divide="ignore"):
            check_all(in_y, y, 3, 2 * x / d ** 3, dtype)
            assert_array_equal(derivatives(in_y, 4)[0](y.astype(dtype)), -6 * x / d ** 4)
            assert_array_equal(derivatives(in_y, 4)[-1](y.astype(dtype)), -6 * x / d ** 4)


GAMMA_AT_INFINITY = [  # (f, its third derivative at finite x)
    (lambda x: special.gammainc(2.0, x), lambda x: (x - 2) * onp.exp(-x)),
    (lambda x: special.gammaincc(2.0, x), lambda x: (2 - x) * onp.exp(-x)),
    (lambda x: stats.gamma.pdf(x, 2.0), lambda x: (3 - x) * onp.exp(-x)),
    (lambda x: stats.chi2.cdf(x, 4.0), lambda x: (x / 8 - 0.5) * onp.exp(-x / 2) / 2),
]


@pytest.mark.parametrize("f, third", GAMMA_AT_INFINITY)
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_gamma_densities_derivatives_vanish_at_infinity(f, third, dtype):
    x = onp.array([onp.inf, 0.5, 2.0])
    for order in (1, 2):
        check_all(f, x[:1], order, [0.0], dtype)
    check_all(f, x, 3, [0.0, *third(x[1:])], dtype)
