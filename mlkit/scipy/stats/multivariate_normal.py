"""The multivariate normal, ``multivariate_normal.logpdf(x, mean=None, cov=1,
allow_singular=False)`` with scipy's conventions (points on the last axis of x; cov a scalar,
a vector of variances or a matrix; size-1 axes squeezed from the result), and ``pdf`` and
``entropy``: composites, differentiable in x, mean and cov to any order.

A positive definite cov goes through ``solve`` and ``slogdet`` of the whole matrix (so a
perturbation of cov need not be symmetric); a singular one (``allow_singular=True``) uses the
pseudo-inverse and pseudo-determinant of a constant cov, as scipy does.
"""

import math

import numpy
import scipy.stats

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval, is_box
from mlkit.scipy.stats.base import masked, register

__all__ = ["entropy", "logpdf", "pdf"]

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
    eps = {"f": 1e3, "d": 1e6}[s.dtype.char] * numpy.finfo(s.dtype).eps
    eps = eps * numpy.max(numpy.abs(s))
    if numpy.min(s) < -eps:
        raise ValueError("multivariate_normal: cov must be symmetric positive semidefinite")
    if numpy.all(s > eps):
        return None
    if not allow_singular:
        raise ValueError("multivariate_normal: cov is singular; pass allow_singular=True to use "
                         "its pseudo-inverse and pseudo-determinant")
    if is_box(cov):
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


def logpdf(x, mean=None, cov=1, allow_singular=False):
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


def pdf(x, mean=None, cov=1, allow_singular=False):
    return mnp.exp(logpdf(x, mean, cov, allow_singular))


def entropy(mean=None, cov=1):
    """Differential entropy, 0.5 (rank (1 + log 2 pi) + log pdet(cov)); it does not depend on
    mean. A singular cov counts by its rank and pseudo-determinant, as in scipy."""
    dim, _, cov = _parameters(mean, cov)
    singular = _spectrum(cov, allow_singular=True)
    if singular is None:
        return 0.5 * (dim * (1 + _LOG_2PI) + mnp.linalg.slogdet(cov)[1])
    s, _, eps = singular
    kept = s[s > eps]
    return 0.5 * (kept.size * (1 + _LOG_2PI) + numpy.sum(numpy.log(kept)))


pdf, logpdf, entropy = register(
    "multivariate_normal", scipy.stats.multivariate_normal, pdf, logpdf, entropy)
