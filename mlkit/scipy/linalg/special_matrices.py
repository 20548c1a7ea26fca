"""Structured matrices built from vectors (``toeplitz``, ``hankel``, ``circulant``,
``block_diag``, ``diagsvd``): linear in their inputs, so each is an indexing or padding of
them, and mlkit's indexing and padding rules differentiate it.

Untraced calls go to scipy; traced ones take the same 1-D vectors and 2-D blocks as scipy.
"""

import numpy
import scipy.linalg

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import getval, is_box
from mlkit.numpy.wrap import composite

__all__ = ["block_diag", "circulant", "diagsvd", "hankel", "toeplitz"]


def _traced(*xs):
    return any(is_box(x) for x in xs)


def _vector(name, x):
    x = mnp.ravel(x) if numpy.ndim(getval(x)) == 0 else x
    if numpy.ndim(getval(x)) != 1:
        raise ValueError(f"{name}: expected a 1-D vector, got shape {numpy.shape(getval(x))}; "
                         "build one matrix per vector")
    return x


def toeplitz(c, r=None):
    """Constant diagonals: first column ``c``, first row ``r`` (``conj(c)`` by default; its
    first entry is ignored)."""
    if not _traced(c, r):
        return scipy.linalg.toeplitz(c, r)
    c = _vector("toeplitz", c)
    r = mnp.conj(c) if r is None else _vector("toeplitz", r)
    m, n = numpy.shape(getval(c))[0], numpy.shape(getval(r))[0]
    values = mnp.concatenate([mnp.flip(c), r[1:]])
    return values[m - 1 - numpy.arange(m)[:, None] + numpy.arange(n)[None, :]]


def hankel(c, r=None):
    """Constant anti-diagonals: first column ``c``, last row ``r`` (zeros by default; its
    first entry is ignored)."""
    if not _traced(c, r):
        return scipy.linalg.hankel(c, r)
    c = _vector("hankel", c)
    r = mnp.zeros_like(c) if r is None else _vector("hankel", r)
    m, n = numpy.shape(getval(c))[0], numpy.shape(getval(r))[0]
    values = mnp.concatenate([c, r[1:]])
    return values[numpy.arange(m)[:, None] + numpy.arange(n)[None, :]]


def circulant(c):
    """Each column the one before rotated down by one; first column ``c``."""
    if not _traced(c):
        return scipy.linalg.circulant(c)
    c = _vector("circulant", c)
    n = numpy.shape(getval(c))[0]
    return c[(numpy.arange(n)[:, None] - numpy.arange(n)[None, :]) % n]


def block_diag(*arrs):
    """The arrays as diagonal blocks (scalars as 1x1, vectors as one row), zeros elsewhere."""
    if not _traced(*arrs):
        return scipy.linalg.block_diag(*arrs)
    blocks = [mnp.atleast_2d(a) for a in arrs]
    shapes = [numpy.shape(getval(b)) for b in blocks]
    if any(len(s) != 2 for s in shapes):
        raise ValueError(f"block_diag: blocks must have at most 2 dimensions, got shapes "
                         f"{shapes}")
    width = sum(s[1] for s in shapes)
    rows, left = [], 0
    for block, (_, cols) in zip(blocks, shapes):
        rows.append(mnp.pad(block, ((0, 0), (left, width - left - cols))))
        left += cols
    return mnp.concatenate(rows, axis=0)


def diagsvd(s, M, N):
    """The M x N matrix with ``s`` on its diagonal (singular values back into a matrix)."""
    if not _traced(s):
        return scipy.linalg.diagsvd(s, M, N)
    k = numpy.shape(getval(s))[0]
    if k not in (M, N):
        raise ValueError(f"diagsvd: length of s is {k}, which is neither M={M} nor N={N}")
    return mnp.pad(mnp.diag(s), ((0, M - k), (0, N - k)))


for _name in __all__:
    composite(globals()[_name], pack_sequences=False)  # arguments are arrays, as in scipy
