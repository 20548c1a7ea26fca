"""scipy.special with derivatives: sigmoids, error and gamma functions, stable log-sum-exp.

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
from mlkit.numpy.wrap import composite, dispatch_from, nondifferentiable, wrap

__all__ = [
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcinv",
    "erfinv",
    "expit",
    "gammaln",
    "gammasgn",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "softmax",
    "xlog1py",
    "xlogy",
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
xlogy = wrap(scipy.special.xlogy, "xlogy")
xlog1py = wrap(scipy.special.xlog1py, "xlog1py")
gammasgn = nondifferentiable(scipy.special.gammasgn)


def _polygamma(n, x):
    """scipy's polygamma in the dtype of ``x`` (scipy computes it in float64)."""
    out = scipy.special.polygamma(n, x)
    dtype = numpy.result_type(x)
    if dtype.kind == "f":
        out = numpy.asarray(out, dtype=dtype)
    return out[()] if numpy.ndim(out) == 0 else out


polygamma = wrap(_polygamma, "polygamma")
dispatch_from(polygamma, scipy.special.polygamma)

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


def _max_shift(a, axis):
    """The maximum along ``axis`` (kept dims) as a constant, 0 where it is not finite."""
    raw = numpy.asarray(getval(a))
    if raw.size == 0:
        return numpy.zeros(())
    shift = numpy.max(raw, axis=axis, keepdims=True)
    return numpy.where(numpy.isfinite(shift), shift, 0).astype(raw.dtype)


def logsumexp(a, axis=None, b=None, keepdims=False):
    """log(sum(b * exp(a))) along ``axis``, computed as m + log(sum(b * exp(a - m))) with m the
    maximum, held constant (the result does not depend on m, so neither does its derivative).
    """
    shift = _max_shift(a, axis)
    exps = mnp.exp(a - shift)
    if b is not None:
        exps = b * exps
    total = mnp.sum(exps, axis=axis, keepdims=True)
    out = mnp.log(total) + shift
    if not keepdims:
        out = mnp.squeeze(out, axis=axis) if axis is not None else mnp.reshape(out, ())
    return out


def log_softmax(x, axis=None):
    """x - logsumexp(x) along ``axis``: log-probabilities that sum (in exp) to one."""
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis=None):
    """exp(log_softmax(x)): probabilities along ``axis``."""
    return mnp.exp(log_softmax(x, axis=axis))


logsumexp = composite(logsumexp, scipy.special.logsumexp)
log_softmax = composite(log_softmax, scipy.special.log_softmax)
softmax = composite(softmax, scipy.special.softmax)
