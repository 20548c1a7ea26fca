"""At the ends of a support, the mixed partials of the gamma, chi2 and beta densities are one
number in every order and mode, the closed form's.

logpdf at x = loc: log z is log(x - loc) - log scale, so the scale moves none of the infinite
terms; through z they were inf - inf (nan) in one order and a lone infinite term in the
other. pdf: the slope of a density power in its constant factor (the power itself, infinite
at an end) meets a zero cotangent with times_partial's care (a plain product gave nan), and
gamma's z, 0 for every scale at x = loc, takes an infinite cotangent to a zero scale-slope."""

import warnings

import numpy as onp
import pytest
import scipy.stats
from numpy.testing import assert_allclose

import mlkit.scipy.stats as st
from mlkit import grad, jit, make_jvp

LOC, SCALE = 0.5, 2.0


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def mixed(f, args, i, j):
    """d2 f / d args[i] d args[j] in both reverse orders, forward over reverse, and jitted."""
    def along(v):
        return grad(f, i)(*(v if n == j else a for n, a in enumerate(args)))
    return [grad(grad(f, i), j)(*args), grad(grad(f, j), i)(*args),
            make_jvp(along)(args[j])(1.0)[1], jit(grad(grad(f, i), j))(*args)]


# (name, function, arguments at x = loc, argument pairs with their closed forms)
CASES = [
    ("gamma a=1", st.gamma.logpdf, (LOC, 1.0, LOC, SCALE),
     {(0, 3): 1 / SCALE**2, (1, 3): -1 / SCALE, (2, 3): -1 / SCALE**2}),
    ("gamma a=2.5", st.gamma.logpdf, (LOC, 2.5, LOC, SCALE),
     {(0, 3): 1 / SCALE**2, (1, 3): -1 / SCALE, (2, 3): -1 / SCALE**2}),
    # chi2(df) is gamma(df / 2) with scale 2 scale
    ("chi2 df=2", st.chi2.logpdf, (LOC, 2.0, LOC, SCALE),
     {(0, 3): 0.5 / SCALE**2, (1, 3): -0.5 / SCALE, (2, 3): -0.5 / SCALE**2}),
    # beta: the (b - 1) log1p(-z) term gives (b - 1) / scale**2 at z = 0
    ("beta a=1 b=3", st.beta.logpdf, (LOC, 1.0, 3.0, LOC, SCALE),
     {(0, 4): 2 / SCALE**2, (1, 4): -1 / SCALE, (3, 4): -2 / SCALE**2}),
    ("beta a=2 b=1", st.beta.logpdf, (LOC, 2.0, 1.0, LOC, SCALE),
     {(0, 4): 0.0, (1, 4): -1 / SCALE, (3, 4): 0.0}),
]


@pytest.mark.parametrize("name, f, args, forms", CASES, ids=[c[0] for c in CASES])
def test_mixed_partials_with_scale_at_loc_are_the_closed_forms(name, f, args, forms):
    for (i, j), want in forms.items():
        assert_allclose(mixed(f, args, i, j), [want] * 4, atol=1e-15, err_msg=f"{(i, j)}")


def test_values_are_scipys_and_the_scale_slope_the_closed_form():
    x, a, b = onp.array([LOC, 0.7, 1.5, 2.4, 4.0]), 2.5, 1.5
    assert_allclose(st.gamma.logpdf(x, a, LOC, SCALE),
                    scipy.stats.gamma.logpdf(x, a, LOC, SCALE), rtol=1e-13)
    assert_allclose(st.chi2.logpdf(x, a, LOC, SCALE),
                    scipy.stats.chi2.logpdf(x, a, LOC, SCALE), rtol=1e-13)
    assert_allclose(st.beta.logpdf(x[:4], a, b, LOC, SCALE),
                    scipy.stats.beta.logpdf(x[:4], a, b, LOC, SCALE), rtol=1e-13)
    z = (x - LOC) / SCALE  # d/dscale of gamma.logpdf: (z - a) / scale
    assert_allclose(grad(lambda s: st.gamma.logpdf(x[1:], a, LOC, s).sum())(SCALE),
                    onp.sum((z[1:] - a) / SCALE), rtol=1e-13)


def test_float32_stays_float32_at_loc():
    x = onp.array([LOC, LOC + 1.0], onp.float32)
    g = grad(lambda s: grad(lambda x: st.gamma.logpdf(x, 1.0, LOC, s).sum())(x).sum())(
        onp.float32(SCALE))
    assert g.dtype == onp.float32
    assert_allclose(g, 2 / SCALE**2, rtol=1e-6)


def test_beta_pdf_at_the_upper_end():
    # b = 1: pdf = a u**(a-1) / scale**a, u = x - loc = scale at the end
    a = 2.0
    args = (LOC + SCALE, a, 1.0, LOC, SCALE)
    for (i, j), want in {(0, 1): (2 * a - 1) / SCALE**2, (1, 3): -(2 * a - 1) / SCALE**2,
                         (1, 4): -2 * a / SCALE**2}.items():
        assert_allclose(mixed(st.beta.pdf, args, i, j), [want] * 4, rtol=1e-13,
                        err_msg=f"{(i, j)}")


def test_gamma_pdf_at_loc_with_shape_one():
    # a = 1: d/dx pdf = ((a-1) z**(a-2) - z**(a-1)) e**-z / (Gamma(a) scale**2), whose
    # a-slope at z = 0 is z**-1 / scale**2 = +inf; the loc-slope is minus the x-slope
    args = (LOC, 1.0, LOC, SCALE)
    assert mixed(st.gamma.pdf, args, 0, 1) == [onp.inf] * 4
    assert mixed(st.gamma.pdf, args, 1, 2) == [-onp.inf] * 4


@pytest.mark.parametrize("a, want", [(1.0, onp.inf), (1.5, 0.0), (2.0, 0.0)])
def test_gamma_and_chi2_pdf_shape_and_scale_at_loc(a, want):
    # d/da pdf = pdf (log z - psi(a)): for a > 1, z**(a-1) log z and its scale-slope vanish
    # at z = 0; for a = 1 the scale-slope of log z / scale is -(1 + log z) / scale**2 = +inf
    assert mixed(st.gamma.pdf, (LOC, a, LOC, SCALE), 1, 3) == [want] * 4
    assert mixed(st.chi2.pdf, (LOC, 2 * a, LOC, SCALE), 1, 3) == [want] * 4

