"""Values and derivatives at x = +-inf where their limits exist: Student's t (stdtr and the t
distribution's methods) and the normal's log cdf, to third order, in every composition of
reverse and forward mode, replayed by mlkit.jit, in float64 and float32. Each formula met
inf / inf, 0 * inf or inf - inf there and gave nan."""

import itertools

import numpy as onp
import pytest
from numpy.testing import assert_allclose

from mlkit import elementwise_grad, grad, jit, make_jvp
from mlkit.scipy import special, stats


def _forward(f):
    return lambda x: make_jvp(f)(x)(onp.ones_like(x))[1]


def check_limits(f, x, wants, dtype):
    """f's derivatives of order 1, 2, ... at ``x`` are ``wants`` in every mode and under jit."""
    x = onp.asarray(x, dtype)
    for order, want in enumerate(wants, start=1):
        for modes in itertools.product((elementwise_grad, _forward), repeat=order):
            g = f
            for mode in modes:
                g = mode(g)
            for got in (g(x), jit(g)(x), jit(g)(x)):
                assert onp.asarray(got).dtype == dtype
                assert_allclose(got, want, rtol=1e-5 if dtype == onp.float32 else 1e-12,
                                err_msg=f"order {order}, modes {[m.__name__ for m in modes]}")


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_stdtr_is_flat_in_t_at_both_infinities(dtype):
    # stdtr's slope in t is the t density, whose every derivative tends to 0 at +-inf; its
    # second derivative there was nan (the density's log1p(t^2 / df) at t = inf).
    x = [-onp.inf, onp.inf, 1.0]
    density_slope = -3.5 / 2.5 * (1 + 1 / 2.5) ** -2.75  # d/dt of the t density at t = 1
    scale = onp.exp(special.gammaln(1.75) - special.gammaln(1.25)) / onp.sqrt(onp.pi * 2.5)
    check_limits(lambda t: special.stdtr(2.5, t), x,
                 [[0.0, 0.0, scale * (1 + 1 / 2.5) ** -1.75], [0.0, 0.0, scale * density_slope]],
                 dtype)
    check_limits(lambda t: special.stdtr(2.5, t), x[:2], [[0, 0]] * 3, dtype)


# logpdf ~ c(df) + df log(scale) - (df + 1) log|x - loc| as x -> +-inf (df = 3, scale = 2):
# its slopes in x and loc tend to 0, in scale to df / scale, and in df to -inf, then to
# psi'(2) / 4 - psi'(3/2) / 4 + 1/6 and psi''(2) / 8 - psi''(3/2) / 8 - 1/18 (by mpmath).
T_LOGPDF_AT_INFINITY = [
    ("x", lambda v: stats.t.logpdf(v, 3.0, 0.5, 2.0), None, [0.0, 0.0, 0.0]),
    ("loc", lambda v: stats.t.logpdf(onp.inf, 3.0, v, 2.0), 0.5, [0.0, 0.0, 0.0]),
    ("scale", lambda v: stats.t.logpdf(-onp.inf, 3.0, 0.5, v), 2.0, [1.5, -0.75, 0.75]),
    ("df", lambda v: stats.t.logpdf(onp.inf, v, 0.5, 2.0), 3.0,
     [-onp.inf, 0.09419963324255345, -0.0024702008161641275]),
]


@pytest.mark.parametrize("name, f, at, wants", T_LOGPDF_AT_INFINITY,
                         ids=[case[0] for case in T_LOGPDF_AT_INFINITY])
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_t_logpdf_derivatives_at_infinite_x_are_their_limits(name, f, at, wants, dtype):
    # They were nan: z * z / df is inf / inf in every slope.
    x = [-onp.inf, onp.inf] if at is None else [at]
    check_limits(f, x, [[w] * len(x) for w in wants], dtype)
    assert f(onp.asarray(x, dtype)).tolist() == [-onp.inf] * len(x)


def test_t_logpdf_is_finite_where_z_squared_overflows():
    # -(df + 1) log|z| + c(df): z * z overflowed at |x| > 1e154, and logpdf was -inf.
    want = (special.gammaln(2.0) - special.gammaln(1.5) - 0.5 * onp.log(3 * onp.pi)
            + 2 * onp.log(3.0) - 4 * 300 * onp.log(10.0))
    assert_allclose(stats.t.logpdf(1e300, 3.0), want, rtol=1e-14)
    in_df = (0.5 * (special.digamma(2.0) - special.digamma(1.5)) + 0.5 + 0.5 * onp.log(3.0)
             - 300 * onp.log(10.0))
    assert_allclose(grad(stats.t.logpdf, 1)(-1e300, 3.0), in_df, rtol=1e-13)
    assert_allclose(grad(stats.t.logpdf)(-1e300, 3.0), 4e-300, rtol=1e-12)


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_t_pdf_and_its_derivatives_vanish_at_infinite_x(dtype):
    # The density is 0 there for every df: its slope in df was exp(-inf) * -inf = nan.
    zeros = [[0.0, 0.0]] * 3
    check_limits(lambda v: stats.t.pdf(v, 3.0, 0.5, 2.0), [-onp.inf, onp.inf], zeros, dtype)
    for f in (lambda v: stats.t.pdf(onp.inf, v, 0.5, 2.0),
              lambda v: stats.t.pdf(-onp.inf, 3.0, 0.5, v)):
        check_limits(f, [3.0, 2.0], zeros, dtype)


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_log_ndtr_far_left_has_its_limits(dtype):
    # d/dx log ndtr(x) = pdf / cdf ~ -x - 1/x: +inf at -inf, then -1, then 0. The log form's
    # exponent -x^2/2 - log_ndtr(x) was inf - inf there (nan), and at x = -1e300 too.
    x = [-onp.inf, -1e300 if dtype == onp.float64 else -1e30]
    check_limits(special.log_ndtr, x, [[onp.inf, -x[1]], [-1.0, -1.0], [0.0, 0.0]], dtype)
    check_limits(lambda v: stats.norm.logsf(v, 0.5, 2.0), [onp.inf],
                 [[-onp.inf], [-0.25], [0.0]], dtype)


def test_log_ndtr_slopes_in_the_far_left_tail():
    # by mpmath; the log form's third derivative at -50 was off by a relative 1e-4 (the
    # series' first omitted term moves it by 5e-12)
    x = onp.array([-50.0, -1e8])
    wants = [[50.019984031905639809, 100000000.00000001],
             [-0.99960095681319610045, -0.9999999999999999],
             [0.000015923581891197385836, 1.9999999999999976e-24]]
    for order, want in enumerate(wants, start=1):
        g = special.log_ndtr
        for _ in range(order):
            g = elementwise_grad(g)
        assert_allclose(g(x), want, rtol=1e-13 if order < 3 else 1e-11)


# log cdf ~ c(df) + df log(scale) - df log|x - loc| as x -> -inf (df = 3, scale = 2): slopes
# 0 in x and loc, df / scale in scale, and in df -inf, then (by mpmath) the two numbers below.
T_LOGCDF_AT_MINUS_INFINITY = [
    ("x", lambda v: stats.t.logcdf(v, 3.0, 0.5, 2.0), None, [0.0, 0.0, 0.0]),
    ("loc", lambda v: stats.t.logcdf(-onp.inf, 3.0, v, 2.0), 0.5, [0.0, 0.0, 0.0]),
    ("scale", lambda v: stats.t.logcdf(-onp.inf, 3.0, 0.5, v), 2.0, [1.5, -0.75, 0.75]),
    ("df", lambda v: stats.t.logcdf(-onp.inf, v, 0.5, 2.0), 3.0,
     [-onp.inf, 0.20531074435366456, -0.0765442748902382]),
]


@pytest.mark.parametrize("name, f, at, wants", T_LOGCDF_AT_MINUS_INFINITY,
                         ids=[case[0] for case in T_LOGCDF_AT_MINUS_INFINITY])
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_t_logcdf_derivatives_at_minus_infinity_are_their_limits(name, f, at, wants, dtype):
    # The slope in x was nan in reverse mode (log's 1/0 times stdtr's 0), 0 in forward mode.
    x = [-onp.inf] if at is None else [at]
    check_limits(f, x, [[w] for w in wants], dtype)


def test_t_logcdf_is_finite_where_the_cdf_underflows():
    # by mpmath (log of betainc(df/2, 1/2, df / (df + x^2)) / 2); both were -inf (cdf 0)
    assert_allclose(stats.t.logcdf(onp.array([-1e10, -1e300]), 3.0),
                    [-68.97982935077677, -2072.2288602555964], rtol=1e-15)
    assert_allclose(grad(stats.t.logcdf)(-1e300, 3.0), 3e-300, rtol=1e-12)
    with pytest.raises(NotImplementedError, match="'df'"):
        grad(stats.t.logcdf, 1)(-3.0, 3.0)  # inside, the slope in df is refused as before


# Each is constant at x = +-inf for every loc, scale and shape, so each derivative in them is 0
# there; z's slope in scale (-z / scale, infinite) met the method's zero slope in z as nan in
# forward mode. The incomplete functions at the ends of their range are constant in their
# shape parameters, whose derivatives beyond the first were refused.
FLAT_AT_INFINITE_X = [
    ("norm.pdf", lambda x, v: stats.norm.pdf(x, 0.5, v), [-onp.inf, onp.inf]),
    ("norm.cdf", lambda x, v: stats.norm.cdf(x, 0.5, v), [-onp.inf, onp.inf]),
    ("norm.sf", lambda x, v: stats.norm.sf(x, 0.5, v), [-onp.inf, onp.inf]),
    ("norm.logcdf", lambda x, v: stats.norm.logcdf(x, 0.5, v), [onp.inf]),
    ("norm.logsf", lambda x, v: stats.norm.logsf(x, 0.5, v), [-onp.inf]),
    ("norm.cdf in loc", lambda x, v: stats.norm.cdf(x, v, 2.0), [-onp.inf, onp.inf]),
    ("gamma.pdf", lambda x, v: stats.gamma.pdf(x, 2.5, 0.5, v), [onp.inf]),
    ("gamma.cdf", lambda x, v: stats.gamma.cdf(x, 2.5, 0.5, v), [onp.inf]),
    ("t.cdf", lambda x, v: stats.t.cdf(x, 3.0, 0.5, v), [-onp.inf, onp.inf]),
    ("t.cdf in df", lambda x, v: stats.t.cdf(x, v, 0.5, 2.0), [-onp.inf, onp.inf]),
    ("t.logcdf", lambda x, v: stats.t.logcdf(x, 3.0, 0.5, v), [onp.inf]),
    ("t.logcdf in df", lambda x, v: stats.t.logcdf(x, v, 0.5, 2.0), [onp.inf]),
    ("stdtr in df", lambda x, v: special.stdtr(v, x), [-onp.inf, 0.0, onp.inf]),
    ("gammainc in a", lambda x, v: special.gammainc(v, x), [0.0, onp.inf]),
    ("betainc in b", lambda x, v: special.betainc(1.5, v, x), [0.0, 1.0]),
    ("poisson.cdf in mu", lambda x, v: stats.poisson.cdf(x, v), [onp.inf]),
]


@pytest.mark.parametrize("name, f, ends", FLAT_AT_INFINITE_X,
                         ids=[case[0] for case in FLAT_AT_INFINITE_X])
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_derivatives_in_the_parameters_vanish_at_infinite_x(name, f, ends, dtype):
    for x in ends:
        check_limits(lambda v, x=x: f(onp.asarray(x, dtype), v), [2.0], [[0.0]] * 3, dtype)


@pytest.mark.parametrize("method, x", [("logpdf", onp.inf), ("logpdf", -onp.inf),
                                       ("logcdf", -onp.inf)])
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_t_at_infinite_x_with_every_parameter_traced_agrees_in_both_modes(method, x, dtype):
    # df times the infinite log|z| met df's zero tangent along x, loc or scale as 0 * inf: the
    # forward columns were nan where the gradient holds 0, 0 and df / scale.
    f = lambda p: getattr(stats.t, method)(p[0], p[1], p[2], p[3])  # noqa: E731
    p = onp.array([x, 3.0, 0.5, 2.0], dtype)
    gradient = grad(f)(p)
    assert_allclose(gradient, [0.0, -onp.inf, 0.0, 1.5], rtol=1e-6)
    basis = onp.eye(4, dtype=dtype)
    columns = [make_jvp(f)(p)(e)[1] for e in basis]
    assert [onp.asarray(c).dtype for c in columns] == [dtype] * 4
    assert_allclose(columns, gradient, rtol=1e-6)
    hessian_rows = [make_jvp(grad(f))(p)(e)[1] for e in basis]
    assert_allclose(hessian_rows, [jit(grad(lambda q: grad(f)(q) @ e))(p) for e in basis],
                    rtol=1e-6)
