"""The logistic family, said once: ``expit`` (the sigmoid), ``log_expit``, ``logsumexp``,
``softmax`` and ``log_softmax``, stable for inputs of any magnitude.

mlkit.scipy.special publishes them under scipy's names and mlkit.nn re-uses them; hand-written
kernels that need a softmax inside one numpy pass call :func:`shifted_exp`, the max-shifted
exponential every softmax here is built on. Derivatives are written with these same functions,
so they keep their relative accuracy in both tails and at every order: the sigmoid's is
``expit(x) expit(-x)``, not ``ans (1 - ans)``, which is 0 once ``expit(x)`` rounds to 1.
"""

import numpy
import scipy.special

import mlkit.numpy as mnp
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.elementwise import def_elementwise
from mlkit.numpy.wrap import composite, dispatch_from, wrap

__all__ = ["expit", "log_expit", "log_softmax", "logsumexp", "shifted_exp", "softmax"]


def _expit(x):
    """``1 / (1 + exp(-x))`` from ``e = exp(-|x|)``: ``1 / (1 + e)`` or ``e / (1 + e)``, so
    that nothing overflows and the left tail keeps its relative precision."""
    x = numpy.asarray(x)
    if x.dtype.kind == "c":
        raise TypeError("expit: complex input is not supported; pass real values")
    e = numpy.exp(-numpy.abs(x))
    return numpy.where(x >= 0, 1, e) / (1 + e)


expit = wrap(_expit, "expit")
dispatch_from(expit, scipy.special.expit)
def_elementwise(expit, lambda ans, x: ans * expit(-x))

# scipy's log(expit(x)) never forms expit(x); its derivative 1 - expit(x) is expit(-x).
log_expit = wrap(scipy.special.log_expit, "log_expit")
def_elementwise(log_expit, lambda ans, x: expit(-x))


def _max_shift(raw, axis):
    """The maximum of a raw array along ``axis`` (kept dims), 0 where it is not finite."""
    if raw.size == 0:
        return numpy.zeros((), raw.dtype)
    shift = raw.max(axis=axis, keepdims=True)
    finite = numpy.isfinite(shift)
    return shift if finite.all() else numpy.where(finite, shift, 0).astype(raw.dtype)


def shifted_exp(x, axis=-1, overwrite=False):
    """``(x - m, exp(x - m), sum(exp(x - m)))`` of a raw array along ``axis`` (the sum with kept
    dims), ``m`` its maximum there: the one overflow-free pass behind softmax and log-softmax.
    ``overwrite=True`` shifts ``x`` itself in place (for kernels that own their buffer)."""
    x = numpy.asarray(x)
    shifted = numpy.subtract(x, _max_shift(x, axis), out=x if overwrite else None)
    exps = numpy.exp(shifted)
    return shifted, exps, exps.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis=None):
    shifted, _, totals = shifted_exp(x, axis)
    return shifted - numpy.log(totals)


def _softmax(x, axis=None):
    _, exps, totals = shifted_exp(x, axis)
    exps /= totals
    return exps


log_softmax = wrap(_log_softmax, "log_softmax")
softmax = wrap(_softmax, "softmax")
dispatch_from(log_softmax, scipy.special.log_softmax)
dispatch_from(softmax, scipy.special.softmax)
# Both rules use the softmax p = exp(log_softmax): J = diag(p) - p p' for softmax, and
# I - 1 p' for log_softmax; each is symmetric in the way its two modes need.
defvjp(log_softmax, lambda ans, x, axis=None: lambda g: (
    g - mnp.exp(ans) * mnp.sum(g, axis=axis, keepdims=True)))
defjvp(log_softmax, lambda t, ans, x, axis=None: (
    t - mnp.sum(mnp.exp(ans) * t, axis=axis, keepdims=True)))
defvjp(softmax, lambda ans, x, axis=None: lambda g: (
    ans * (g - mnp.sum(g * ans, axis=axis, keepdims=True))))
defjvp(softmax, lambda t, ans, x, axis=None: (
    ans * (t - mnp.sum(t * ans, axis=axis, keepdims=True))))


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) along ``axis``, computed as m + log(sum(b * exp(a - m))) with m the
    maximum, held constant (the result does not depend on m, so neither does its derivative).
    With ``return_sign``, log|sum| and the sum's sign (a constant), for sums that may be
    negative.
    """
    shift = _max_shift(numpy.asarray(getval(a)), axis)
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


logsumexp = composite(logsumexp, scipy.special.logsumexp)
