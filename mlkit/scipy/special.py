"""scipy.special with derivatives: error, gamma and beta functions (complete and incomplete),
Bessel functions, and the logistic family (sigmoids; log-sum-exp and softmax, from log_sum_exp).

Elementwise functions are primitives whose one derivative expression gives both the VJP and
the JVP (written with mlkit functions, so they differentiate again). The logistic family is
mlkit's one implementation, which mlkit.nn re-uses; its derivatives keep their relative
accuracy in both tails and at every order.
"""

import math

import numpy
import scipy.special

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.elementwise import def_elementwise, elementwise, flat_at_infinity
from mlkit.numpy.rules.unbounded import times_either, unbounded
from mlkit.numpy.wrap import composite, dispatch_from, nondifferentiable, raw_array, wrap
from mlkit.scipy.bessel import i0, i1, iv, ive, j0, j1, jn, y0, y1, yn
from mlkit.scipy.complex_polygamma import complex_polygamma
from mlkit.scipy.densities import beta_power, gamma_power
from mlkit.scipy.digamma_gap import digamma_gap
from mlkit.scipy.error_functions import (
    erf,
    erfc,
    erfcinv,
    erfinv,
    log_ndtr,
    ndtr,
    ndtri,
    overflowing_exp,
)
from mlkit.scipy.gamma_ratio import log_gamma_ratio
from mlkit.scipy.log_sum_exp import log_softmax, logsumexp, softmax
from mlkit.scipy.log_sum_exp import none_of as _none_of
from mlkit.scipy.ufuncs import no_closed_form_inside, wrap_ufunc
from mlkit.scipy.xlog import xlog1py, xlogy

__all__ = ["beta", "betainc", "betaln", "digamma", "entr", "erf", "erfc", "erfcinv", "erfinv",
           "expit", "gamma", "gammainc", "gammaincc", "gammaln", "gammasgn", "i0", "i1", "iv",
           "ive", "j0", "j1", "jn", "log_expit", "log_ndtr", "log_softmax", "logit", "logsumexp",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "rgamma", "softmax", "stdtr",
           "xlog1py", "xlogy", "y0", "y1", "yn"]

# 1 / (x (1 - x)) as 1 / x + 1 / (1 - x): the product's reverse pass meets 0 * inf at the
# ends (x = 0, 1), where every derivative has a one-sided limit, as log's; (x + 0.0: log's -0.0)
logit = elementwise(scipy.special.logit,
                    unbounded(lambda ans, x: mnp.reciprocal(x + 0.0) + mnp.reciprocal(1 - x)))
gammaln = elementwise(scipy.special.gammaln, unbounded(lambda ans, x: digamma(x)))
digamma = def_elementwise(wrap(scipy.special.digamma, "digamma"),
                          unbounded(lambda ans, x: polygamma(1, x)))
psi = digamma
entr = elementwise(scipy.special.entr, unbounded(lambda ans, x: -(mnp.log(x) + 1)))
gammasgn = nondifferentiable(scipy.special.gammasgn)


def _polygamma(n, x):
    """scipy's polygamma, and mlkit's series for complex x (scipy's is real only)."""
    if numpy.iscomplexobj(x):
        return complex_polygamma(n, x)
    return scipy.special.polygamma(n, x)


# scipy computes polygamma in float64; the result keeps the dtype of x.
polygamma = wrap_ufunc(_polygamma, "polygamma", None,
                       unbounded(lambda ans, n, x: polygamma(n + 1, x)))
dispatch_from(polygamma, scipy.special.polygamma)

# --- gamma and beta functions, complete and incomplete ----------------------------------------


def _near_pole(x):
    """Within 1/4 of a pole of Gamma (a non-positive integer): a mask that is not traced (a
    recorded one under mlkit.jit: no guard on the input's values)."""
    raw = getval(x)
    return (raw < 0.25) & (mnp.abs(raw - mnp.round(raw)) < 0.25)


def _rgamma_slope(ans, x):
    """d/dx 1/Gamma(x) = -psi(x) / Gamma(x). 1/Gamma is entire: at a pole -n of Gamma, where
    psi is infinite, the slope is (-1)^n n!. Within 1/4 of those poles it is taken from the
    reflection 1/Gamma(x) = Gamma(1 - x) sin(pi x) / pi, which is finite there and, unlike the
    product, keeps full accuracy at every order (the product's second derivative cancels two
    terms of size 1/distance). Each branch sees only inputs it is finite at: no nan leaks."""
    near = _near_pole(x)
    if _none_of(near):
        return -times_either(ans, digamma(x))
    x_near, x_else = mnp.where(near, x, 0), mnp.where(near, 0.5, x)
    reflected = (times_either(gamma(1 - x_near), mnp.cos(math.pi * x_near))
                 - rgamma(x_near) * digamma(1 - x_near))
    return mnp.where(near, reflected, -times_either(ans, digamma(x_else)))


def _digamma_drop(a, b):
    """psi(a) - psi(a + b), B's and betaln's slope over B: from digamma_gap where |b| < a, whose
    difference of two near digamma values lost its digits (0 at a = 1e16, b = 3, for -3e-16),
    else the difference itself. Both branches always, on stand-ins: no guard under jit."""
    raw_a, raw_b = getval(a), getval(b)
    close = (numpy.abs(raw_b) < raw_a) & (raw_a > 1e-100)  # 1/a^2 in the gap's slope: finite
    apart_a, apart_b = mnp.where(close, 1.0, a), mnp.where(close, 1.0, b)
    return mnp.where(close, -digamma_gap(mnp.where(close, a, 1.0), mnp.where(close, b, 0.5)),
                     digamma(apart_a) - digamma(apart_a + apart_b))


def _beta_slope_sum_pole(ans, a, b):
    """dB/da near a pole of Gamma at a + b, Gamma(a) Gamma(b) finite: B psi(a) + Gamma(a)
    Gamma(b) (1/Gamma)'(a + b) (from B = Gamma(a) Gamma(b) / Gamma(a + b)), finite where B is
    0 and psi(a + b) infinite."""
    c = a + b
    return ans * digamma(a) + gamma(a) * gamma(b) * _rgamma_slope(rgamma(c), c)


def _offsets(x):
    """``x - n`` (exact near n) and ``(-1)^n``, for ``n`` the integer nearest the raw ``x``."""
    nearest = mnp.round(getval(x))
    return x - nearest, 1 - 2 * (nearest % 2)


def _beta_slope_a_pole(ans, a, b):
    """dB/da with a and a + b near poles of Gamma, b near a positive integer n: by the
    reflection psi(x) = psi(1 - x) - pi cot(pi x), B (psi(1 - a) - psi(1 - a - b)) - pi (-1)^n
    Gamma(b) Gamma(1 - a - b) sin(pi (b - n)) / (Gamma(1 - a) sin^2(pi a)). At b = n the last
    term is 0, and B(a, n) = (n - 1)! / (a (a + 1) ... (a + n - 1)) its finite slope at a pole
    of a (psi(a) - psi(a + b) is inf - inf there)."""
    da, _ = _offsets(a)
    db, sign_b = _offsets(b)
    # At a pole only b == n gives a finite B, and there the last term is 0 / 0 -> 0.
    sin_a = mnp.sin(math.pi * mnp.where(getval(da) == 0, 0.5, da))
    # (a difference of two huge gammaln values, which can round to an overflowing exponent)
    size = overflowing_exp(gammaln(b) + gammaln(1 - a - b) - gammaln(1 - a))
    return (times_either(ans, digamma(1 - a) - digamma(1 - a - b))
            - math.pi * sign_b * times_either(size, mnp.sin(math.pi * db)) / (sin_a * sin_a))


def _beta_slope_b_pole(ans, a, b):
    """dB/da with b and a + b near poles of Gamma, a near a positive integer n: by the same
    reflection, B (psi(a) - psi(1 - a - b)) + pi (-1)^n Gamma(a) Gamma(1 - a - b)
    cos(pi (a + b)) / (Gamma(1 - b) sin(pi b)); nan at a pole of b (B(n + e, -m) is infinite
    for every e != 0)."""
    da, sign_a = _offsets(a)
    db, _ = _offsets(b)
    at_pole = getval(db) == 0
    size = overflowing_exp(gammaln(a) + gammaln(1 - a - b) - gammaln(1 - b))
    slope = (ans * (digamma(a) - digamma(1 - a - b))
             + math.pi * sign_a * size * mnp.cos(math.pi * (da + db))
             / mnp.sin(math.pi * mnp.where(at_pole, 0.5, db)))
    # nan derivatives too, not 0
    return times_either(slope, mnp.where(at_pole, numpy.nan, 1).astype(getval(db).dtype))


def _beta_slope(ans, a, b):
    """dB/da = B (psi(a) - psi(a + b)), except near a pole of Gamma at a + b, where psi(a + b)
    is infinite or nearly, and B is 0 or finite: there one of the three rules above, each
    finite and free of cancelling terms, so accurate at every order. Each branch sees only
    inputs it is finite at: no nan leaks."""
    raw_a, raw_b = getval(a), getval(b)
    near_sum = _near_pole(raw_a + raw_b)
    a_pole = near_sum & _near_pole(raw_a) & (raw_b > 0.5)
    b_pole = near_sum & _near_pole(raw_b) & (raw_a > 0.5)
    with numpy.errstate(all="ignore"):
        sum_pole = (near_sum & ~a_pole & ~b_pole
                    & mnp.isfinite(gamma(raw_a) * gamma(raw_b)))
    branches = [(mask, rule) for mask, rule in ((sum_pole, _beta_slope_sum_pole),
                                                 (a_pole, _beta_slope_a_pole),
                                                 (b_pole, _beta_slope_b_pole))
                if not _none_of(mask)]
    if not branches:  # a + 0.0: psi(-0.0) is psi's left limit, B(-0.0, b) scipy's right one
        return times_either(ans, _digamma_drop(a + 0.0, b))
    other = sum_pole | a_pole | b_pole
    a_else, b_else = mnp.where(other, 1, a), mnp.where(other, 1, b)
    slope = times_either(ans, _digamma_drop(a_else, b_else))
    for mask, rule in branches:  # 1/4 is no pole, nor near one
        slope = mnp.where(mask, rule(mnp.where(mask, ans, 0), mnp.where(mask, a, 0.25),
                                     mnp.where(mask, b, 0.25)), slope)
    return slope


def _beta_slope_beside_pole(ans, a, b):
    """dB/da, nan where b is a pole of Gamma and B infinite (was 0 at b == 0: inf times a
    zero difference), with nan derivatives too: (a + b) nan, not a constant. At a == 0, B ~ 1/a:
    -B**2, whose derivatives are the limits from a > 0 (not psi's inf - inf)."""
    raw_b, infinite = getval(b), ~mnp.isfinite(getval(ans))
    pole = (raw_b <= 0) & (raw_b == mnp.round(raw_b)) & infinite
    at_zero, slope = (getval(a) == 0) & infinite & ~pole, _beta_slope(ans, a, b)
    slope = slope if _none_of(at_zero) else mnp.where(at_zero, -times_either(ans, ans), slope)
    return slope if _none_of(pole) else mnp.where(pole, (a + b) * numpy.nan, slope)


gamma = wrap_ufunc(scipy.special.gamma, "gamma",
                   unbounded(lambda ans, x: times_either(ans, digamma(x))))
rgamma = wrap_ufunc(scipy.special.rgamma, "rgamma", unbounded(_rgamma_slope))
beta = wrap_ufunc(scipy.special.beta, "beta", unbounded(_beta_slope_beside_pole),
                  unbounded(lambda ans, a, b: _beta_slope_beside_pole(ans, b, a)))
betaln = wrap_ufunc(scipy.special.betaln, "betaln",
                    unbounded(lambda ans, a, b: _digamma_drop(a, b)),
                    unbounded(lambda ans, a, b: _digamma_drop(b, a)))


def _beta_density(a, b, x):
    """x^(a-1) (1-x)^(b-1) / B(a, b), exact to every order at x = 0 and 1 (beta_power)."""
    return beta_power(0, 0)(a - 1, b - 1, x, -betaln(a, b))


def _gamma_density(a, x):
    """x^(a-1) exp(-x) / Gamma(a), exact to every order at x = 0 (gamma_power)."""
    return gamma_power(0)(a - 1, x, -gammaln(a))


def _t_density(df, t):
    """Student's t density with ``df`` degrees of freedom."""
    return mnp.exp(log_gamma_ratio(0.5 * df) - 0.5 * mnp.log(math.pi * df)
                   - 0.5 * (df + 1) * mnp.log1p(t * t / df))


# The incomplete functions are differentiable in their upper limit only: in the shape
# parameters (and the degrees of freedom) the derivative has no closed form, except at the
# ends of the range, where the value is 0 or 1 (1/2 for stdtr at 0) whatever the shape.
def _at_zero_or_one(x):
    return (x == 0) | (x == 1)


def _at_zero_or_inf(x):
    return (x == 0) | numpy.isposinf(x)


def _at_zero_or_infinite(t):
    return (t == 0) | numpy.isinf(t)


betainc = wrap_ufunc(scipy.special.betainc, "betainc",
                     no_closed_form_inside("betainc", "a", _at_zero_or_one),
                     no_closed_form_inside("betainc", "b", _at_zero_or_one),
                     unbounded(lambda ans, a, b, x: _beta_density(a, b, x)))
gammainc = wrap_ufunc(scipy.special.gammainc, "gammainc",
                      no_closed_form_inside("gammainc", "a", _at_zero_or_inf),
                      unbounded(lambda ans, a, x: _gamma_density(a, x)))
gammaincc = wrap_ufunc(scipy.special.gammaincc, "gammaincc",
                       no_closed_form_inside("gammaincc", "a", _at_zero_or_inf),
                       unbounded(lambda ans, a, x: -_gamma_density(a, x)))
def _t_density_in_df(df, t):
    """d/ddf of the t density: the slope in t of stdtr's 0 slope in df at t = 0 (0 at +-inf)."""
    infinite = numpy.isinf(getval(t))
    t = mnp.where(infinite, 0.0, t)
    log_slope = 0.5 * (digamma(0.5 * (df + 1)) - digamma(0.5 * df) - 1 / df
                       - mnp.log1p(t * t / df) + (df + 1) * t * t / (df * (df + t * t)))
    return mnp.where(infinite, 0.0, _t_density(df, t) * log_slope)


stdtr = wrap_ufunc(scipy.special.stdtr, "stdtr",
                   no_closed_form_inside("stdtr", "df", _at_zero_or_infinite, _t_density_in_df),
                   flat_at_infinity(lambda ans, df, t: _t_density(df, t)))


def multigammaln(a, d):
    """log of the multivariate gamma function of dimension ``d``: d(d-1)/4 log(pi) plus the
    sum of gammaln(a - j/2) for j < d, as a composite (so differentiable in ``a`` to any order).
    """
    if isinstance(d, bool) or not isinstance(d, (int, numpy.integer)) or d < 1:
        raise ValueError(f"multigammaln: the dimension d must be a positive integer, got {d!r}")
    raw = raw_array(a)
    if numpy.any(raw <= 0.5 * (d - 1)):
        raise ValueError(f"multigammaln: every a must exceed (d - 1) / 2 = {0.5 * (d - 1)} "
                         f"for d = {d}; got a minimum of {raw.min()}")
    dtype = raw.dtype if raw.dtype.kind == "f" else numpy.float64
    halves = numpy.arange(d, dtype=dtype) / 2
    return (mnp.sum(gammaln(mnp.expand_dims(a, -1) - halves), axis=-1)
            + 0.25 * d * (d - 1) * math.log(math.pi))


multigammaln = composite(multigammaln, scipy.special.multigammaln)


# --- the logistic family: sigmoids (log-sum-exp and softmax: log_sum_exp) -----------------------
def _expit(x):
    """``1 / (1 + exp(-x))`` from ``e = exp(-|x|)``: no overflow, and exact in the left tail."""
    x = numpy.asarray(x)
    if x.dtype.kind == "c":
        raise TypeError("expit: complex input is not supported; pass real values")
    e = numpy.exp(-numpy.abs(x))
    return numpy.where(x >= 0, 1, e) / (1 + e)


# expit(x) expit(-x), not ans (1 - ans), which is 0 once ans rounds to 1.
expit = def_elementwise(wrap(_expit, "expit"), lambda ans, x: ans * expit(-x))
dispatch_from(expit, scipy.special.expit)


def _log_expit(x):
    """``log(expit(x)) = min(x, 0) - log1p(exp(-|x|))``: never forms ``expit(x)``, so it keeps
    its relative accuracy in both tails, in a few vectorized passes."""
    x = numpy.asarray(x)
    if x.dtype.kind == "c":
        raise TypeError("log_expit: complex input is not supported; pass real values")
    if x.dtype.kind != "f":  # integers and booleans give float64, as scipy's
        x = x.astype(numpy.float64)
    tail = numpy.abs(x)
    if type(tail) is not numpy.ndarray:  # a 0-d input gives numpy scalars
        return numpy.minimum(x, 0) - numpy.log1p(numpy.exp(-tail))
    numpy.negative(tail, out=tail)  # one buffer for the intermediate results
    numpy.exp(tail, out=tail)
    numpy.log1p(tail, out=tail)
    return numpy.subtract(numpy.minimum(x, 0), tail, out=tail)


# The derivative 1 - expit(x) = expit(-x) is -expm1(ans): one pass over the value, and exact
# in both tails (ans is -exp(-x) to first order where expit(-x) is tiny).
log_expit = def_elementwise(wrap(_log_expit, "log_expit"), lambda ans, x: -mnp.expm1(ans))
dispatch_from(log_expit, scipy.special.log_expit)
