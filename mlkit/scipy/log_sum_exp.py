"""log-sum-exp, softmax and log-softmax: mlkit's one overflow-free shifted-exponential pass
(``shifted_exp``, shared with mlkit.nn's losses), and logsumexp with the limits of its
derivatives where a slice sums to nothing or holds a +inf entry."""

import numpy
import scipy.special

import mlkit.numpy as mnp
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.wrap import composite, dispatch_from, raw_array, wrap

__all__ = ["log_softmax", "logsumexp", "none_of", "shifted_exp", "softmax"]


def none_of(mask):
    """Whether an untraced ``mask`` is all False: under mlkit.jit a guard on one bool, so the
    recorded program takes the same branch as an eager call, bit for bit."""
    return not bool(mnp.any(mask))


def _max_shift(raw, axis, other=0):
    """The maximum of a raw array (or of a recording trace's stand-in for one, under
    mlkit.jit) along ``axis`` (kept dims), ``other`` where it is not finite."""
    if raw.size == 0:
        return numpy.zeros((), raw.dtype)
    shift = (numpy.maximum.reduce(raw, axis=axis, keepdims=True)  # numpy.max, undispatched
             if type(raw) is numpy.ndarray else numpy.max(raw, axis=axis, keepdims=True))
    finite = numpy.isfinite(shift)
    if type(finite) is numpy.ndarray and finite.all():
        return shift
    return numpy.where(finite, shift, other).astype(raw.dtype)


def shifted_exp(x, axis=-1):
    """``(x - m, exp(x - m), sum(exp(x - m)))`` of a raw array along ``axis`` (the sum with kept
    dims), ``m`` its maximum there: the one overflow-free pass behind softmax and log-softmax,
    shared by mlkit's hand-written kernels (not a scipy name)."""
    x = numpy.asarray(x)
    shifted = numpy.subtract(x, _max_shift(x, axis))
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
defvjp(log_softmax, lambda ans, x, axis=None: lambda g: (
    g - mnp.exp(ans) * mnp.sum(g, axis=axis, keepdims=True)))
defjvp(log_softmax, lambda t, ans, x, axis=None: (
    t - mnp.sum(mnp.exp(ans) * t, axis=axis, keepdims=True)))
defvjp(softmax, lambda ans, x, axis=None: lambda g: (
    ans * (g - mnp.sum(g * ans, axis=axis, keepdims=True))))
defjvp(softmax, lambda t, ans, x, axis=None: (
    ans * (t - mnp.sum(t * ans, axis=axis, keepdims=True))))


@numpy.errstate(invalid="ignore")
def _infinite_top(a, b, axis, shift, top):
    """logsumexp's shift and sum where the slices ``top`` have no finite maximum: 0, as for
    finite ones, but a +inf maximum itself, traced, with the sum over its +inf entries alone:
    log of that plus the maximum is +inf, with the limits of the softmax weights as slopes
    (the maximum's: 1 on a lone +inf entry, 0 elsewhere)."""
    raw = raw_array(a)
    up = numpy.isposinf(numpy.max(raw, axis=axis, keepdims=True))
    shift = mnp.where(up, mnp.max(a, axis=axis, keepdims=True), numpy.where(top, 0, shift))
    exps = mnp.exp(mnp.where(numpy.isposinf(raw) & up, 0, a - shift))
    return shift, mnp.sum(exps if b is None else b * exps, axis=axis, keepdims=True)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) along ``axis``, computed as m + log(sum(b * exp(a - m))) with m the
    maximum, held constant (the result does not depend on m, so neither does its derivative).
    With ``return_sign``, log|sum| and the sum's sign (a constant), for sums that may be
    negative.
    """
    # real: the log's phase is principal; a real slice with no finite maximum gets the shift
    # nan, its sum nan, so that the guard below sends it to _infinite_top
    raw = raw_array(a)
    shift = _max_shift(numpy.real(raw), axis, 0 if raw.dtype.kind == "c" else numpy.nan)
    exps = mnp.exp(a - shift)
    if b is not None:
        exps = b * exps
    total = mnp.sum(exps, axis=axis, keepdims=True)
    sign = numpy.sign(getval(total))
    real = sign.dtype.kind != "c"
    if bool(mnp.all(sign > 0)) if real else none_of(sign == 0):  # one guard, common case
        out = mnp.log(mnp.abs(total) if return_sign else total) + shift
    else:
        top = numpy.isnan(shift)
        if not none_of(top):
            shift, total = _infinite_top(a, b, axis, shift, top)
            sign = numpy.sign(getval(total))
        size = mnp.abs(total) if return_sign else total
        # A sum of zeros only (every a -inf, or every b 0) stays 0 as a moves by any step: its
        # log is the constant -inf, of derivative 0 (not log's 1/0 times exp's 0 slope, nan).
        nothing = sign == 0
        out = mnp.where(nothing, -numpy.inf, mnp.log(mnp.where(nothing, 1, size))) + shift
        if not return_sign and real and not none_of(sign < 0):
            # A negative real sum's log is nan, and so are its derivatives (log's rule
            # 1/total would give finite ones); return_sign gives log|sum|. A complex sum has
            # a complex log.
            out = out * numpy.where(sign < 0, numpy.nan, 1).astype(sign.dtype)
    if not keepdims:
        out, sign = ((mnp.squeeze(out, axis=axis), numpy.squeeze(sign, axis=axis))
                     if axis is not None else (mnp.reshape(out, ()), sign.reshape(())))
    elif mnp.ndim(out) == 0:  # scipy reads a 0-d input as 1-d, so keepdims gives shape (1,)
        out, sign = mnp.reshape(out, (1,)), sign.reshape((1,))
    return (out, sign) if return_sign else out


logsumexp = composite(logsumexp, scipy.special.logsumexp)
