"""Multivariate distributions with scipy's conventions: ``multivariate_normal`` (pdf, logpdf,
entropy; differentiable in x, mean and cov) and ``dirichlet`` (pdf, logpdf; differentiable in
x and alpha), composites of mlkit.numpy and mlkit.scipy.special.

A positive definite cov goes through ``solve`` and ``slogdet`` of the whole matrix (so a
perturbation of cov need not be symmetric); a singular one (``allow_singular=True``) uses the
pseudo-inverse and pseudo-determinant of a constant cov, as scipy does.
"""

import math

import numpy
import scipy.stats

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.wrap import nondifferentiable
from mlkit.scipy.special import gammaln, xlogy
from mlkit.scipy.stats.base import masked, namespace

__all__ = ["dirichlet", "multivariate_normal"]

_LOG_2PI = math.log(2.0 * math.pi)


def _float_dtype(*values):
    dtype = numpy.result_type(*[getval(v) for v in values])
    return dtype if dtype.kind == "f" else numpy.dtype(numpy.float64)


def _parameters(mean, cov):
    """``(dim, mean, cov)`` with cov as a (dim, dim) matrix: the dimension comes from mean, else
    from cov, else is 1; a scalar cov is a multiple of the identity, a vector its diagonal."""
    raw_cov = numpy.asarray(getval(cov))
    if mean is not None:
        dim = numpy.size(getval(mean))
    else:
        dim = raw_cov.shape[0] if raw_cov.ndim else 1
        mean = 0.0
    if raw_cov.ndim == 0:
        cov = cov * numpy.eye(dim, dtype=_float_dtype(cov))
    elif raw_cov.ndim == 1:
        cov = mnp.diag(cov)
    if numpy.shape(getval(cov)) != (dim, dim):
        raise ValueError(f"multivariate_normal: cov must be a scalar, a vector of {dim} variances "
                         f"or a {dim}x{dim} matrix for a mean of size {dim}; got cov of shape "
                         f"{raw_cov.shape}")
    return dim, mean, cov


def _spectrum(cov, allow_singular):
    """``(eigenvalues, eigenvectors, eps)`` of the raw cov when it is singular (scipy's cutoff
    eps below which an eigenvalue counts as zero), None when it is positive definite."""
    raw = numpy.asarray(getval(cov))
    s, u = numpy.linalg.eigh(raw)
    eps = {"f": 1e3, "d": 1e6}[raw.dtype.char.lower()] * numpy.finfo(raw.dtype).eps
    eps = eps * numpy.max(numpy.abs(s))
    if numpy.min(s) < -eps:
        raise ValueError("multivariate_normal: cov must be symmetric positive semidefinite")
    if numpy.all(s > eps):
        return None
    if not allow_singular:
        raise ValueError("multivariate_normal: cov is singular; pass allow_singular=True to use "
                         "its pseudo-inverse and pseudo-determinant")
    if getval(cov) is not cov:
        raise NotImplementedError(
            "multivariate_normal: the density is not differentiable with respect to a singular "
            "cov (its support changes with it); pass cov as a constant")
    return s, u, eps


def _points(x, dim):
    """x as points of dimension ``dim`` on its last axis (a vector is one point, or many
    points when dim is 1), as scipy reads it."""
    raw = numpy.asarray(getval(x))
    if raw.ndim == 0 or (raw.ndim == 1 and dim == 1):
        x = mnp.reshape(x, (-1, 1))
    if numpy.shape(getval(x))[-1] != dim:
        raise ValueError(f"multivariate_normal: x must have {dim} entries on its last axis, the "
                         f"dimension of the distribution; got x of shape {raw.shape}")
    return x


def _squeezed(out):
    """scipy's output shape: size-1 axes removed, a single point as a scalar."""
    return mnp.reshape(out, ()) if numpy.size(getval(out)) == 1 else mnp.squeeze(out)


def _mvn_logpdf(x, mean=None, cov=1, allow_singular=False):
    dim, mean, cov = _parameters(mean, cov)
    dev = _points(x, dim) - mean
    batch = numpy.shape(getval(dev))[:-1]
    flat = mnp.reshape(dev, (-1, dim))
    singular = _spectrum(cov, allow_singular)
    if singular is None:
        rank, logdet = dim, mnp.linalg.slogdet(cov)[1]
        maha = mnp.sum(mnp.transpose(flat) * mnp.linalg.solve(cov, mnp.transpose(flat)), axis=0)
        inside = True
    else:
        s, u, eps = singular
        kept = s > eps
        dtype = _float_dtype(flat)
        whiten = (u[:, kept] / numpy.sqrt(s[kept])).astype(dtype)
        rank, logdet = int(kept.sum()), numpy.sum(numpy.log(s[kept])).astype(dtype)
        maha = mnp.sum(mnp.square(mnp.matmul(flat, whiten)), axis=-1)
        residual = numpy.linalg.norm(numpy.asarray(getval(flat)) @ u[:, ~kept], axis=-1)
        inside = residual < 1e3 * eps
    out = masked(inside, -0.5 * (rank * _LOG_2PI + logdet + maha), -numpy.inf)
    return _squeezed(mnp.reshape(out, batch))


def _mvn_pdf(x, mean=None, cov=1, allow_singular=False):
    return mnp.exp(_mvn_logpdf(x, mean, cov, allow_singular))


def _mvn_entropy(mean=None, cov=1):
    """Differential entropy, 0.5 (rank (1 + log 2 pi) + log pdet(cov)); it does not depend on
    mean. A singular cov counts by its rank and pseudo-determinant, as in scipy."""
    dim, _, cov = _parameters(mean, cov)
    singular = _spectrum(cov, allow_singular=True)
    if singular is None:
        return 0.5 * (dim * (1 + _LOG_2PI) + mnp.linalg.slogdet(cov)[1])
    s, _, eps = singular
    kept = s[s > eps]
    return 0.5 * (kept.size * (1 + _LOG_2PI) + numpy.sum(numpy.log(kept)))


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


def _dirichlet_logpdf(x, alpha):
    x, column = _simplex_points(x, alpha)
    log_beta = mnp.sum(gammaln(alpha)) - gammaln(mnp.sum(alpha))
    return mnp.sum(xlogy(column - 1, x), axis=0) - log_beta


def _dirichlet_pdf(x, alpha):
    return mnp.exp(_dirichlet_logpdf(x, alpha))


multivariate_normal = namespace("multivariate_normal", scipy.stats.multivariate_normal,
                                pdf=_mvn_pdf, logpdf=_mvn_logpdf, entropy=_mvn_entropy)
dirichlet = namespace("dirichlet", scipy.stats.dirichlet, pdf=_dirichlet_pdf,
                      logpdf=_dirichlet_logpdf)
dirichlet.rvs = nondifferentiable(scipy.stats.dirichlet.rvs)
