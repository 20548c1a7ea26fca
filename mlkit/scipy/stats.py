"""scipy.stats distributions with derivatives in every argument (x, loc, scale, df, ...).

Densities are written in log space from mlkit.numpy and mlkit.scipy.special, so they are
composites: differentiable in both modes to any order with no rules of their own.
"""

import math
from types import SimpleNamespace

import scipy.stats

import mlkit.numpy as mnp
from mlkit.numpy.wrap import composite
from mlkit.scipy.special import gammaln, log_ndtr, ndtr, ndtri

__all__ = ["norm", "t"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _log(value):
    """log of a parameter; a Python number stays one, so float32 inputs stay float32."""
    return math.log(value) if isinstance(value, (int, float)) else mnp.log(value)


def _lgamma(value):
    return math.lgamma(value) if isinstance(value, (int, float)) else gammaln(value)


def _norm_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -0.5 * z * z - _log(scale) - _HALF_LOG_2PI


def _norm_pdf(x, loc=0.0, scale=1.0):
    return mnp.exp(_norm_logpdf(x, loc, scale))


def _norm_cdf(x, loc=0.0, scale=1.0):
    return ndtr((x - loc) / scale)


def _norm_logcdf(x, loc=0.0, scale=1.0):
    return log_ndtr((x - loc) / scale)


def _norm_sf(x, loc=0.0, scale=1.0):
    return ndtr((loc - x) / scale)


def _norm_logsf(x, loc=0.0, scale=1.0):
    return log_ndtr((loc - x) / scale)


def _norm_ppf(q, loc=0.0, scale=1.0):
    return loc + scale * ndtri(q)


def _t_logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    half = 0.5 * (df + 1)
    return (_lgamma(half) - _lgamma(0.5 * df) - 0.5 * _log(df * math.pi) - _log(scale)
            - half * mnp.log1p(z * z / df))


def _t_pdf(x, df, loc=0.0, scale=1.0):
    return mnp.exp(_t_logpdf(x, df, loc, scale))


def _namespace(name, raw, **functions):
    for method, fun in functions.items():
        fun.__name__ = fun.__qualname__ = f"{name}.{method}"
        functions[method] = composite(fun, getattr(raw, method))
    return SimpleNamespace(**functions)


norm = _namespace("norm", scipy.stats.norm, pdf=_norm_pdf, logpdf=_norm_logpdf, cdf=_norm_cdf,
                  logcdf=_norm_logcdf, sf=_norm_sf, logsf=_norm_logsf, ppf=_norm_ppf)
t = _namespace("t", scipy.stats.t, pdf=_t_pdf, logpdf=_t_logpdf)
