"""Structured matrices built from vectors (``toeplitz``, ``hankel``, ``circulant``,
``block_diag``, ``diagsvd``): linear in their inputs, so each is an indexing or padding of
them, and mlkit's indexing and padding rules differentiate it.

Untraced calls go to scipy; traced ones take what scipy takes: stacks of vectors for
``toeplitz``, ``circulant`` and ``diagsvd`` and stacks of blocks for ``block_diag`` (leading
axes broadcast, one matrix per vector or per set of blocks), and for ``hankel`` any array,
flattened with scipy's FutureWarning.
"""

import warnings

import numpy
import scipy.linalg

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import any_box, getval
from mlkit.numpy.rules.base import shape_of
from mlkit.numpy.wrap import composite

__all__ = ["block_diag", "circulant", "diagsvd", "hankel", "toeplitz"]


def _stacked(c, r):
    """``c`` and ``r`` as stacks of vectors over one broadcast batch shape (0-d as length 1)."""
    c, r = mnp.atleast_1d(c), mnp.atleast_1d(r)
    batch = numpy.broadcast_shapes(shape_of(c)[:-1], shape_of(r)[:-1])
    return (mnp.broadcast_to(c, batch + shape_of(c)[-1:]),
            mnp.broadcast_to(r, batch + shape_of(r)[-1:]))


def toeplitz(c, r=None):
    """Constant diagonals: first column ``c``, first row ``r`` (``conj(c)`` by default; its
    first entry is ignored); one matrix per vector of a stack."""
    if not any_box(c, r):
        return scipy.linalg.toeplitz(c, r)
    c = mnp.atleast_1d(c)
    c, r = _stacked(c, mnp.conj(c) if r is None else r)
    m, n = shape_of(c)[-1], shape_of(r)[-1]
    values = mnp.concatenate([mnp.flip(c, -1), r[..., 1:]], axis=-1)
    return values[..., m - 1 - numpy.arange(m)[:, None] + numpy.arange(n)[None, :]]


_HANKEL_WARNING = ("Beginning in SciPy 1.19, multidimensional input will be treated as a "
                   "batch, not `ravel`ed. To preserve the existing behavior and silence "
                   "this warning, `ravel` arguments before passing them to `hankel`.")


def hankel(c, r=None):
    """Constant anti-diagonals: first column ``c``, last row ``r`` (zeros by default; its
    first entry is ignored). Arrays of more dimensions are flattened, as scipy 1.17 does."""
    if not any_box(c, r):
        return scipy.linalg.hankel(c, r)
    r = mnp.zeros_like(c) if r is None else r
    if len(shape_of(c)) > 1 or len(shape_of(r)) > 1:
        warnings.warn(_HANKEL_WARNING, FutureWarning, stacklevel=2)
    c, r = mnp.ravel(c), mnp.ravel(r)
    m, n = shape_of(c)[0], shape_of(r)[0]
    values = mnp.concatenate([c, r[1:]])
    return values[numpy.arange(m)[:, None] + numpy.arange(n)[None, :]]


def circulant(c):
    """Each column the one before rotated down by one; first column ``c`` (one matrix per
    vector of a stack)."""
    if not any_box(c):
        return scipy.linalg.circulant(c)
    c = mnp.atleast_1d(c)
    n = shape_of(c)[-1]
    return c[..., (numpy.arange(n)[:, None] - numpy.arange(n)[None, :]) % n]


def block_diag(*arrs):
    """The arrays as diagonal blocks (scalars as 1x1, vectors as one row), zeros elsewhere;
    arrays of more than two dimensions are stacks of blocks, their leading axes broadcast."""
    if not any_box(*arrs):
        return scipy.linalg.block_diag(*arrs)
    blocks = [mnp.atleast_2d(a) for a in arrs]
    batch = numpy.broadcast_shapes(*(shape_of(b)[:-2] for b in blocks))
    blocks = [mnp.broadcast_to(b, batch + shape_of(b)[-2:]) for b in blocks]
    width = sum(shape_of(b)[-1] for b in blocks)
    rows, left = [], 0
    for block in blocks:
        cols = shape_of(block)[-1]
        pad = ((0, 0),) * (len(batch) + 1) + ((left, width - left - cols),)
        rows.append(mnp.pad(block, pad))
        left += cols
    return mnp.concatenate(rows, axis=-2)


def diagsvd(s, M, N):
    """The M x N matrix with ``s`` on its diagonal (singular values back into a matrix); one
    matrix per vector of a stack."""
    if not any_box(s):
        return scipy.linalg.diagsvd(s, M, N)
    if len(shape_of(s)) == 0:
        raise ValueError("diagsvd: s must be a vector of singular values (or a stack of them), "
                         "got a 0-d array")
    k = shape_of(s)[-1]
    if k not in (M, N):
        raise ValueError(f"diagsvd: length of s is {k}, which is neither M={M} nor N={N}")
    square = s[..., None] * numpy.eye(k, dtype=numpy.result_type(getval(s)))
    return mnp.pad(square, ((0, 0),) * (len(shape_of(s)) - 1) + ((0, M - k), (0, N - k)))


for _name in __all__:
    composite(globals()[_name], pack_sequences=False)  # arguments are arrays, as in scipy
