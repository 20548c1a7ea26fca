"""``mlkit.numpy.linalg``: numpy.linalg with derivatives, for single and stacked matrices.

Decompositions return plain tuples (``w, v = np.linalg.eigh(a)`` unpacks as with numpy).
``norm`` takes the subgradient 0 wherever the norm itself is 0, so it never gives nan.
"""

import numpy
from numpy.linalg import LinAlgError

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import conj, real, reshape, shape_of, sum
from mlkit.numpy.rules.decompositions import (
    cholesky_lower,
    eig_tuple,
    eigh_tuple,
    qr_reduced,
    svd_reduced,
)
from mlkit.numpy.rules.elementwise import absolute, power, sqrt, where
from mlkit.numpy.rules.linalg import det, inv, logabsdet, pinv, solve, transposed
from mlkit.numpy.rules.products import matmul
from mlkit.numpy.rules.reductions import max, min
from mlkit.numpy.rules.shape import moveaxis
from mlkit.numpy.wrap import composite, nondifferentiable

__all__ = ["LinAlgError", "cholesky", "det", "eig", "eigvals", "eigh", "eigvalsh", "inv",
           "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve",
           "svd", "svdvals"]


def _is_traced(a):
    return getval(a) is not a


def slogdet(a):
    """``(sign, logabsdet)``; only logabsdet carries a derivative (for real matrices the sign
    is locally constant; for complex ones differentiate ``det`` if the phase matters)."""
    if not _is_traced(a):
        return tuple(numpy.linalg.slogdet(a))
    return numpy.linalg.slogdet(getval(a))[0], logabsdet(a)


def cholesky(a, upper=False):
    """The lower (or, with ``upper``, upper) Cholesky factor, reading that triangle of ``a``."""
    if upper:
        return transposed(cholesky_lower(transposed(a)))
    return cholesky_lower(a)


def eigh(a, UPLO="L"):
    """``(eigenvalues ascending, eigenvectors)`` of symmetric matrices; see the caveat on
    repeated eigenvalues in mlkit.numpy.rules.decompositions."""
    return eigh_tuple(a, UPLO=UPLO)


def eig(a):
    """``(eigenvalues, unit eigenvectors)`` of square matrices, real or complex (complex
    results for a real matrix with complex eigenvalues, as numpy). Derivatives need distinct
    eigenvalues; the eigenvectors' phase is arbitrary (see mlkit.numpy.rules.decompositions)."""
    return eig_tuple(a)


def eigvals(a):
    if not _is_traced(a):
        return numpy.linalg.eigvals(a)
    return eig_tuple(a)[0]


def eigvalsh(a, UPLO="L"):
    if not _is_traced(a):
        return numpy.linalg.eigvalsh(a, UPLO)
    return eigh_tuple(a, UPLO=UPLO)[0]


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``(u, s, vh)``, or ``s`` alone with ``compute_uv=False``.

    Differentiable for the reduced decomposition (``full_matrices=False``, or any square
    matrix); singular vectors need distinct singular values (see mlkit.numpy.rules.decompositions).
    """
    m, n = shape_of(a)[-2:]
    if compute_uv and full_matrices and m != n:
        if _is_traced(a):
            raise NotImplementedError(
                f"svd(full_matrices=True) of a {m}x{n} matrix is not differentiable (the extra "
                "singular vectors are arbitrary); pass full_matrices=False"
            )
        return tuple(numpy.linalg.svd(a, full_matrices=True, hermitian=hermitian))
    if not compute_uv:
        return svdvals(a)
    return svd_reduced(a)


def svdvals(x):
    """Singular values; traced, they come from the full reduced SVD (its vectors are needed)."""
    if not _is_traced(x):
        return numpy.linalg.svd(x, compute_uv=False)
    return svd_reduced(x)[1]


def qr(a, mode="reduced"):
    """``(q, r)`` for ``mode='reduced'``, ``r`` for ``mode='r'`` (differentiable for m >= n)."""
    if mode not in ("reduced", "r"):
        if _is_traced(a):
            raise NotImplementedError(f"qr(mode={mode!r}) is not differentiable; use 'reduced'")
        return numpy.linalg.qr(a, mode=mode)
    result = qr_reduced(a)
    return result if mode == "reduced" else result[1]


def matrix_power(a, n):
    """``a`` multiplied by itself ``n`` times (by squaring; negative ``n`` inverts first)."""
    if n == 0:
        raw = numpy.asarray(getval(a))
        return numpy.broadcast_to(numpy.eye(raw.shape[-1], dtype=raw.dtype), raw.shape).copy()
    if n < 0:
        a, n = inv(a), -n
    result = None
    while True:
        if n & 1:
            result = a if result is None else matmul(result, a)
        n >>= 1
        if not n:
            return result
        a = matmul(a, a)


def multi_dot(arrays):
    """The product of a chain of matrices, left to right (1-D ends act as vectors)."""
    arrays = list(arrays)
    result = arrays[0]
    for array in arrays[1:]:
        result = matmul(result, array)
    return result


# --- norms ----------------------------------------------------------------------------------
def _guarded(total, finish):
    """``finish(total)`` with the value and derivative 0 where ``total`` is 0."""
    zero = numpy.asarray(getval(total)) == 0
    return where(zero, 0, finish(where(zero, 1, total)))


def _euclidean(x, axis, keepdims):
    squares = real(x * conj(x)) if numpy.iscomplexobj(getval(x)) else x * x
    return _guarded(sum(squares, axis=axis, keepdims=keepdims), sqrt)


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return _euclidean(x, axis, keepdims)
    if ord == numpy.inf:
        return max(absolute(x), axis=axis, keepdims=keepdims)
    if ord == -numpy.inf:
        return min(absolute(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        raw = numpy.asarray(getval(x))
        return numpy.sum(raw != 0, axis=axis, keepdims=keepdims).astype(raw.real.dtype)
    if ord == 1:
        return sum(absolute(x), axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"invalid norm order {ord!r} for vectors")  # noqa: TRY004 (as numpy)
    powers = _guarded(absolute(x), lambda a: power(a, float(ord)))  # finite at 0 for ord < 1
    return _guarded(sum(powers, axis=axis, keepdims=keepdims), lambda t: power(t, 1.0 / ord))


def _matrix_norm(x, ord, rows, cols, keepdims):
    if ord in (None, "fro", "f"):
        out = _euclidean(x, (rows, cols), False)
    elif ord in ("nuc", 2, -2):
        values = svdvals(moveaxis(x, (rows, cols), (-2, -1)))
        out = sum(values, -1) if ord == "nuc" else (max if ord == 2 else min)(values, -1)
        out = where(numpy.asarray(getval(out)) == 0, 0, out)  # 0, not U V^T, at the zero matrix
    elif ord in (1, -1, numpy.inf, -numpy.inf):
        summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)
        extreme = max if ord > 0 else min
        out = extreme(sum(absolute(x), axis=summed), axis=other - (other > summed))
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    if keepdims:
        shape = list(shape_of(x))
        shape[rows] = shape[cols] = 1
        out = reshape(out, tuple(shape))
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    """numpy.linalg.norm: vector norms (any p, inf, 0) and matrix norms (fro, nuc, 1, 2, inf
    and their negatives), over ``axis``; the derivative is 0 where the norm is 0."""
    ndim = len(shape_of(x))
    if axis is None:
        if ord is None or (ord in ("fro", "f") and ndim == 2) or (ord == 2 and ndim == 1):
            out = _euclidean(reshape(x, (-1,)), 0, False)
            return reshape(out, (1,) * ndim) if keepdims else out
        if ndim not in (1, 2):
            raise ValueError("improper number of dimensions to norm: give axis for ndim > 2")
        axis = tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(a % ndim for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) == 2 and axes[0] != axes[1]:
        return _matrix_norm(x, ord, axes[0], axes[1], keepdims)
    raise ValueError(f"norm takes one axis (vector norm) or two distinct axes, got {axis!r}")


for _name in ("slogdet", "cholesky", "eig", "eigvals", "eigh", "eigvalsh", "svd", "svdvals", "qr",
              "matrix_power", "multi_dot", "norm"):
    composite(globals()[_name], getattr(numpy.linalg, _name))
matrix_rank = nondifferentiable(numpy.linalg.matrix_rank)
