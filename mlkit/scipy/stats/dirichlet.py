"""The Dirichlet distribution, ``dirichlet.logpdf(x, alpha)`` with scipy's conventions
(components on the first axis of x, one column per point; the last component may be left
out), and ``pdf``: composites, differentiable in x and alpha to any order. ``rvs`` draws
samples (a constant)."""

import numpy
import scipy.stats

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import shape_of
from mlkit.numpy.wrap import nondifferentiable
from mlkit.scipy.densities import beta_power
from mlkit.scipy.special import gammaln, xlogy
from mlkit.scipy.stats.base import register

__all__ = ["logpdf", "pdf", "rvs"]


def _simplex_points(x, alpha):
    """x with components on its first axis (the last one filled in as 1 - the others when
    omitted), checked as scipy checks it: on the simplex, > 0 wherever alpha < 1."""
    raw_alpha = numpy.asarray(getval(alpha))
    if raw_alpha.ndim != 1 or numpy.any(raw_alpha <= 0):
        raise ValueError("dirichlet: alpha must be a vector of concentrations > 0; got "
                         f"{raw_alpha!r}")
    k = raw_alpha.shape[0]
    raw = numpy.asarray(getval(x))
    if raw.ndim not in (1, 2) or raw.shape[0] not in (k, k - 1):
        raise ValueError(f"dirichlet: x must hold {k} (or {k - 1}) components on its first axis, "
                         f"one column per point; got x of shape {raw.shape} for {k} alphas")
    if raw.shape[0] == k - 1:
        x = mnp.concatenate([x, 1 - mnp.sum(x, axis=0, keepdims=True)], axis=0)
        raw = numpy.asarray(getval(x))
    if numpy.any(raw < 0) or numpy.any(raw > 1):
        raise ValueError("dirichlet: every component of x must lie in [0, 1]")
    column = raw_alpha.reshape((k,) + (1,) * (raw.ndim - 1))
    if numpy.any((raw == 0) & (column < 1)):
        raise ValueError("dirichlet: a component of x may be 0 only where its alpha is >= 1")
    if numpy.any(numpy.abs(numpy.sum(raw, axis=0) - 1) > 1e-9):
        raise ValueError("dirichlet: the components of x must sum to 1 (along the first axis); "
                         f"they sum to {numpy.sum(raw, axis=0)}")
    return x, mnp.reshape(alpha, column.shape)


def logpdf(x, alpha):
    x, column = _simplex_points(x, alpha)
    log_beta = mnp.sum(gammaln(alpha)) - gammaln(mnp.sum(alpha))
    return mnp.sum(xlogy(column - 1, x), axis=0) - log_beta


def pdf(x, alpha):
    """The product of x_i^(alpha_i - 1) (each from beta_power, so its derivatives at x_i = 0
    are the power's, not exp(-inf) * inf = nan), over B(alpha)."""
    x, column = _simplex_points(x, alpha)
    powers = beta_power(0, 0)(column - 1, 0.0, x, 0.0)
    out = powers[0]
    for k in range(1, shape_of(powers)[0]):
        out = out * powers[k]
    return out / mnp.exp(mnp.sum(gammaln(alpha)) - gammaln(mnp.sum(alpha)))


pdf, logpdf = register("dirichlet", scipy.stats.dirichlet, pdf, logpdf)
rvs = nondifferentiable(scipy.stats.dirichlet.rvs)
