"""scipy.special with derivatives: sigmoids, error, gamma and beta functions (complete and
incomplete), Bessel functions, stable log-sum-exp.

Elementwise functions are primitives whose one derivative expression gives both the VJP and
the JVP (written with mlkit functions, so they differentiate again); the reductions
(``logsumexp``, ``softmax``, ``log_softmax``) are composites of mlkit.numpy primitives, shifted
by the maximum so that they neither overflow nor lose precision.
"""

import math

import numpy
import scipy.special

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.elementwise import def_elementwise
from mlkit.numpy.wrap import composite, nondifferentiable, raw_array, wrap
from mlkit.scipy.bessel import i0, i1, iv, ive, j0, j1, jn, y0, y1, yn
from mlkit.scipy.ufuncs import no_closed_form, wrap_ufunc

__all__ = [
    "beta",
    "betainc",
    "betaln",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcinv",
    "erfinv",
    "expit",
    "gamma",
    "gammainc",
    "gammaincc",
    "gammaln",
    "gammasgn",
    "i0",
    "i1",
    "iv",
    "ive",
    "j0",
    "j1",
    "jn",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "rgamma",
    "softmax",
    "stdtr",
    "xlog1py",
    "xlogy",
    "y0",
    "y1",
    "yn",
]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)

expit = wrap(scipy.special.expit, "expit")
logit = wrap(scipy.special.logit, "logit")
erf = wrap(scipy.special.erf, "erf")
erfc = wrap(scipy.special.erfc, "erfc")
erfinv = wrap(scipy.special.erfinv, "erfinv")
erfcinv = wrap(scipy.special.erfcinv, "erfcinv")
ndtr = wrap(scipy.special.ndtr, "ndtr")
log_ndtr = wrap(scipy.special.log_ndtr, "log_ndtr")
ndtri = wrap(scipy.special.ndtri, "ndtri")
gammaln = wrap(scipy.special.gammaln, "gammaln")
digamma = wrap(scipy.special.digamma, "digamma")
psi = digamma
entr = wrap(scipy.special.entr, "entr")
# scipy's own loops would turn a Python number with float32 values into float64.
xlogy = wrap_ufunc(scipy.special.xlogy, "xlogy")
xlog1py = wrap_ufunc(scipy.special.xlog1py, "xlog1py")
gammasgn = nondifferentiable(scipy.special.gammasgn)


# scipy computes polygamma in float64; the result keeps the dtype of x.
polygamma = wrap_ufunc(scipy.special.polygamma, "polygamma")

# expit(x) expit(-x) rather than ans (1 - ans), which rounds to 0 once ans rounds to 1.
def_elementwise(expit, lambda ans, x: ans * expit(-x))
def_elementwise(logit, lambda ans, x: 1 / (x * (1 - x)))
def_elementwise(erf, lambda ans, x: _TWO_OVER_SQRT_PI * mnp.exp(-x * x))
def_elementwise(erfc, lambda ans, x: -_TWO_OVER_SQRT_PI * mnp.exp(-x * x))
def_elementwise(erfinv, lambda ans, x: _SQRT_PI_OVER_TWO * mnp.exp(ans * ans))
def_elementwise(erfcinv, lambda ans, x: -_SQRT_PI_OVER_TWO * mnp.exp(ans * ans))
def_elementwise(ndtr, lambda ans, x: _INV_SQRT_2PI * mnp.exp(-0.5 * x * x))
# pdf / cdf, formed in logs: both shrink like exp(-x^2/2) far in the left tail.
def_elementwise(log_ndtr, lambda ans, x: _INV_SQRT_2PI * mnp.exp(-0.5 * x * x - ans))
def_elementwise(ndtri, lambda ans, x: _SQRT_2PI * mnp.exp(0.5 * ans * ans))
def_elementwise(gammaln, lambda ans, x: digamma(x))
def_elementwise(digamma, lambda ans, x: polygamma(1, x))
def_elementwise(polygamma, None, lambda ans, n, x: polygamma(n + 1, x))
def_elementwise(entr, lambda ans, x: -(mnp.log(x) + 1))
# Where x == 0 the function is 0 for every y, so its y-derivative is 0 there, also at the
# y where x / y would be 0 / 0.
def_elementwise(xlogy, lambda ans, x, y: mnp.log(y),
                lambda ans, x, y: x / mnp.where((getval(x) == 0) & (getval(y) == 0), 1, y))
def_elementwise(xlog1py, lambda ans, x, y: mnp.log1p(y),
                lambda ans, x, y: x / mnp.where((getval(x) == 0) & (getval(y) == -1), 1, 1 + y))

# --- gamma and beta functions, complete and incomplete ----------------------------------------
gamma = wrap_ufunc(scipy.special.gamma, "gamma")
rgamma = wrap_ufunc(scipy.special.rgamma, "rgamma")
beta = wrap_ufunc(scipy.special.beta, "beta")
betaln = wrap_ufunc(scipy.special.betaln, "betaln")
betainc = wrap_ufunc(scipy.special.betainc, "betainc")
gammainc = wrap_ufunc(scipy.special.gammainc, "gammainc")
gammaincc = wrap_ufunc(scipy.special.gammaincc, "gammaincc")
stdtr = wrap_ufunc(scipy.special.stdtr, "stdtr")

def_elementwise(gamma, lambda ans, x: ans * digamma(x))
def_elementwise(rgamma, lambda ans, x: -ans * digamma(x))
def_elementwise(beta, lambda ans, a, b: ans * (digamma(a) - digamma(a + b)),
                lambda ans, a, b: ans * (digamma(b) - digamma(a + b)))
def_elementwise(betaln, lambda ans, a, b: digamma(a) - digamma(a + b),
                lambda ans, a, b: digamma(b) - digamma(a + b))


def _beta_density(a, b, x):
    """x^(a-1) (1-x)^(b-1) / B(a, b), formed in logs (xlogy: a == 1 or b == 1 at the ends)."""
    return mnp.exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))


def _gamma_density(a, x):
    """x^(a-1) exp(-x) / Gamma(a), formed in logs."""
    return mnp.exp(xlogy(a - 1, x) - x - gammaln(a))


def _t_density(df, t):
    """Student's t density with ``df`` degrees of freedom."""
    half = 0.5 * (df + 1)
    return mnp.exp(gammaln(half) - gammaln(0.5 * df) - 0.5 * mnp.log(math.pi * df)
                   - half * mnp.log1p(t * t / df))


# The incomplete functions are differentiable in their upper limit only: in the shape
# parameters (and the degrees of freedom) the derivative has no closed form.
def_elementwise(betainc, no_closed_form("betainc", "a"), no_closed_form("betainc", "b"),
                lambda ans, a, b, x: _beta_density(a, b, x))
def_elementwise(gammainc, no_closed_form("gammainc", "a"),
                lambda ans, a, x: _gamma_density(a, x))
def_elementwise(gammaincc, no_closed_form("gammaincc", "a"),
                lambda ans, a, x: -_gamma_density(a, x))
def_elementwise(stdtr, no_closed_form("stdtr", "df"), lambda ans, df, t: _t_density(df, t))


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


def _max_shift(a, axis):
    """The maximum along ``axis`` (kept dims) as a constant, 0 where it is not finite."""
    raw = raw_array(a)
    if raw.size == 0:
        return numpy.zeros(())
    shift = numpy.max(raw, axis=axis, keepdims=True)
    return numpy.where(numpy.isfinite(shift), shift, 0).astype(raw.dtype)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) along ``axis``, computed as m + log(sum(b * exp(a - m))) with m the
    maximum, held constant (the result does not depend on m, so neither does its derivative).
    With ``return_sign``, log|sum| and the sum's sign (a constant), for sums that may be
    negative.
    """
    shift = _max_shift(a, axis)
    exps = mnp.exp(a - shift)
    if b is not None:
        exps = b * exps
    total = mnp.sum(exps, axis=axis, keepdims=True)
    sign = numpy.sign(getval(total))
    out = mnp.log(mnp.abs(total) if return_sign else total) + shift
    if not keepdims:
        out, sign = ((mnp.squeeze(out, axis=axis), numpy.squeeze(sign, axis=axis))
                     if axis is not None else (mnp.reshape(out, ()), sign.reshape(())))
    return (out, sign) if return_sign else out


def log_softmax(x, axis=None):
    """x - logsumexp(x) along ``axis``: log-probabilities that sum (in exp) to one."""
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis=None):
    """exp(log_softmax(x)): probabilities along ``axis``."""
    return mnp.exp(log_softmax(x, axis=axis))


logsumexp = composite(logsumexp, scipy.special.logsumexp)
log_softmax = composite(log_softmax, scipy.special.log_softmax)
softmax = composite(softmax, scipy.special.softmax)
