"""``mlkit.numpy.linalg``: numpy.linalg with derivatives, for single and stacked matrices.

Decompositions return plain tuples (``w, v = np.linalg.eigh(a)`` unpacks as with numpy).
``norm`` takes the subgradient 0 wherever the norm itself is 0, so it never gives nan.
"""

import builtins

import numpy
from numpy.linalg import LinAlgError

from mlkit.autodiff.containers import register_sequence
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.arrangement import diagonal as _diagonal
from mlkit.numpy.rules.arrangement import trace as _trace
from mlkit.numpy.rules.base import axes_tuple, conj, real, reshape, shape_of, sum
from mlkit.numpy.rules.decompositions import (
    cholesky_lower,
    eig_tuple,
    eigh_tuple,
    hermitian_read,
    qr_reduced,
    svd_full,
    svd_reduced,
)
from mlkit.numpy.rules.elementwise import sign
from mlkit.numpy.rules.linalg import det, inv, logabsdet, real_only, solve, transposed
from mlkit.numpy.rules.linalg import pinv as _pinv
from mlkit.numpy.rules.norms import norm, norm_order, svdvals
from mlkit.numpy.rules.products import dot, matmul
from mlkit.numpy.rules.products import outer as _outer
from mlkit.numpy.rules.products import tensordot as _tensordot
from mlkit.numpy.rules.shape import moveaxis
from mlkit.numpy.rules.shape import transpose as _transpose
from mlkit.numpy.rules.vector_products import cross as _cross
from mlkit.numpy.rules.vector_products import vecdot as _vecdot
from mlkit.numpy.wrap import (
    composite,
    holds_box,
    holds_complex,
    nondifferentiable,
    refuse_out,
    value_array,
)

__all__ = ["LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigvals",
           "eigh", "eigvalsh", "inv", "lstsq", "matrix_norm", "matrix_power", "matrix_rank",
           "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve",
           "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot",
           "vector_norm"]


# numpy's named results (EighResult, SVDResult, ...) differentiate as the tuples they are.
_SlogdetResult = type(numpy.linalg.slogdet(numpy.eye(1)))
for _decomposition in (numpy.linalg.eigh, numpy.linalg.eig, numpy.linalg.svd, numpy.linalg.qr):
    register_sequence(type(_decomposition(numpy.eye(1))))
register_sequence(_SlogdetResult)


def slogdet(a):
    """``(sign, logabsdet)``. For a real matrix the sign is locally constant; for a complex
    one it is the phase det / |det|, traced (with the subgradient 0 where det is 0)."""
    if not holds_box(a):
        return numpy.linalg.slogdet(a)
    if not numpy.iscomplexobj(getval(a)):
        return _SlogdetResult(numpy.linalg.slogdet(value_array(a))[0], logabsdet(a))
    return _SlogdetResult(sign(det(a)), logabsdet(a))


def cholesky(a, upper=False):
    """The lower (or, with ``upper``, upper) Cholesky factor, reading that triangle of ``a``."""
    if upper:
        return transposed(cholesky_lower(transposed(a)))
    return cholesky_lower(a)


def eigh(a, UPLO="L"):
    """``(eigenvalues ascending, eigenvectors)`` of symmetric matrices; see the caveat on
    repeated eigenvalues in mlkit.numpy.rules.decompositions."""
    if not holds_box(a):
        return numpy.linalg.eigh(a, UPLO)
    return eigh_tuple(a, UPLO=UPLO)


def eig(a):
    """``(eigenvalues, unit eigenvectors)`` of square matrices, real or complex (complex
    results for a real matrix with complex eigenvalues, as numpy). Derivatives need distinct
    eigenvalues; complex eigenvectors keep LAPACK's phase (largest entry real)."""
    if not holds_box(a):
        return numpy.linalg.eig(a)
    return _eig_traced(a)


def eigvals(a):
    if not holds_box(a):
        return numpy.linalg.eigvals(a)
    return _eig_traced(a)[0]


def _eig_traced(a):
    """eig of a traced matrix: numpy's results for a real one are complex exactly when some
    eigenvalue is, a guard under mlkit.jit."""
    result = eig_tuple(a)
    holds_complex(result[0])
    return result


def eigvalsh(a, UPLO="L"):
    if not holds_box(a):
        return numpy.linalg.eigvalsh(a, UPLO)
    return eigh_tuple(a, UPLO=UPLO)[0]


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``(u, s, vh)``, or ``s`` alone with ``compute_uv=False``.

    Differentiable, singular vectors for distinct singular values (see
    mlkit.numpy.rules.decompositions); of a non-square matrix with ``full_matrices=True``, all
    but the extra singular vectors, which are an arbitrary basis of a null space. With
    ``hermitian``, numpy decomposes the Hermitian matrix its ``eigh`` reads from the lower
    triangle, and so does this.
    """
    if not holds_box(a):
        return numpy.linalg.svd(a, full_matrices, compute_uv, hermitian)
    if hermitian:
        a = hermitian_read(a)
    m, n = shape_of(a)[-2:]
    if compute_uv and full_matrices and m != n:
        return svd_full(a)
    if not compute_uv:
        return svdvals(a)
    return svd_reduced(a)


def qr(a, mode="reduced"):
    """``(q, r)`` for ``mode='reduced'``, ``r`` for ``mode='r'`` (differentiable for m >= n)."""
    if not holds_box(a):
        return numpy.linalg.qr(a, mode=mode)
    if mode not in ("reduced", "r"):
        raise NotImplementedError(f"qr(mode={mode!r}) is not differentiable; use 'reduced'")
    result = qr_reduced(a)
    return result if mode == "reduced" else result[1]


def pinv(a, rcond=None, hermitian=False, **kwargs):
    """numpy.linalg.pinv. With ``hermitian``, numpy inverts the Hermitian matrix its ``eigh``
    reads from the lower triangle; traced, this one does too, so its derivative is that of
    numpy's function (the upper triangle has none)."""
    if hermitian and holds_box(a):
        return _pinv(hermitian_read(a), rcond, **kwargs)
    return _pinv(a, rcond, hermitian, **kwargs)


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


def multi_dot(arrays, *, out=None):
    """The product of a chain of matrices, left to right (1-D ends act as vectors); of two
    arrays, ``dot`` of them (any shapes), as numpy."""
    refuse_out("multi_dot", out)
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("multi_dot: expecting at least two arrays")
    if len(arrays) == 2:
        return dot(arrays[0], arrays[1])
    for k, array in enumerate(arrays):
        ndim = len(shape_of(array))
        if ndim != 2 and not (ndim == 1 and k in (0, len(arrays) - 1)):
            raise LinAlgError(f"multi_dot: array {k} is {ndim}-dimensional; a chain of three "
                              "or more takes matrices (vectors at its ends only)")
    result = arrays[0]
    for array in arrays[1:]:
        result = matmul(result, array)
    return result


# --- numpy's array-API functions of matrices and vectors ------------------------------------
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """A vector norm over ``axis`` (over all elements when None, any number of axes)."""
    ord = norm_order(ord)
    shape = tuple(shape_of(x))
    if axis is None or not isinstance(axis, int) and len(axis) > 1:
        axes = tuple(range(len(shape))) if axis is None else axes_tuple(axis, len(shape))
        rest = tuple(a for a in range(len(shape)) if a not in axes)
        flat = reshape(moveaxis(x, axes, tuple(range(-len(axes), 0))),
                       tuple(shape[a] for a in rest) + (-1,))
        out = norm(flat, ord=ord, axis=-1)
        if keepdims:
            out = reshape(out, tuple(1 if a in axes else n for a, n in enumerate(shape)))
        return out
    return norm(x, ord=ord, axis=axis, keepdims=keepdims)


def matrix_transpose(x, /):
    return transposed(x)


# HIPS autograd's names for the transpose and product of each matrix in a stack, which
# programs written against its linalg module call.
T = transposed
_dot = matmul


def diagonal(x, /, *, offset=0):
    return _diagonal(x, offset, -2, -1)


def trace(x, /, *, offset=0, dtype=None):
    return _trace(x, offset, -2, -1, dtype)


def outer(x1, x2, /):
    if len(shape_of(x1)) != 1 or len(shape_of(x2)) != 1:
        raise ValueError("linalg.outer takes two vectors; use np.outer or broadcasting for "
                         "arrays of other shapes")
    return _outer(x1, x2)


def vecdot(x1, x2, /, *, axis=-1):
    return _vecdot(x1, x2, axis=axis)


def cross(x1, x2, /, *, axis=-1):
    if shape_of(x1)[axis] != 3 or shape_of(x2)[axis] != 3:
        raise ValueError("linalg.cross takes 3-vectors; np.cross also takes 2-vectors")
    return _cross(x1, x2, axis=axis)


def tensordot(x1, x2, /, *, axes=2):
    return _tensordot(x1, x2, axes=axes)


def tensorinv(a, ind=2):
    """The inverse of ``a`` seen as a square matrix from its first ``ind`` axes to the rest."""
    shape = tuple(shape_of(a))
    rows = int(numpy.prod(shape[ind:]))
    return reshape(inv(reshape(a, (rows, -1))), shape[ind:] + shape[:ind])


def tensorsolve(a, b, axes=None):
    """``x`` with ``tensordot(a, x, x.ndim) == b``."""
    if axes is not None:
        order = [k for k in range(len(shape_of(a))) if k not in axes] + list(axes)
        a = _transpose(a, order)
    unknown = tuple(shape_of(a))[len(shape_of(b)):]
    size = int(numpy.prod(unknown))
    return reshape(solve(reshape(a, (size, size)), reshape(b, (-1,))), unknown)


def cond(x, p=None):
    """The condition number: the ratio of extreme singular values for p None, 2 or -2,
    ``norm(x, p) * norm(inv(x), p)`` otherwise."""
    p = norm_order(p)
    if p in (None, 2, -2):
        s = svdvals(x)
        ratio = s[..., 0] / s[..., -1]
        return 1.0 / ratio if p == -2 else ratio
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


def lstsq(a, b, rcond=None):
    """``(x, residuals, rank, singular values)`` as numpy; traced, x is ``pinv(a) @ b`` and
    the residuals the squared norms of ``b - a x`` (given, as numpy, for full column rank
    with more rows than columns)."""
    if not (holds_box(a) or holds_box(b)):
        return numpy.linalg.lstsq(a, b, rcond=rcond)
    real_only("lstsq", a)
    m, n = shape_of(a)[-2:]
    rank = _lstsq_rank(getval(a), getval(b), rcond)
    cutoff = (numpy.finfo(numpy.result_type(getval(a))).eps * builtins.max(m, n)
              if rcond is None else rcond)
    x = matmul(pinv(a, rcond=cutoff), b)
    if rank == n and m > n:
        fit = b - matmul(a, x)
        squares = real(fit * conj(fit)) if numpy.iscomplexobj(getval(fit)) else fit * fit
        residuals = sum(squares, axis=0)
        residuals = reshape(residuals, (1,)) if len(shape_of(residuals)) == 0 else residuals
    else:  # empty, as numpy's, in the real dtype of the solution
        real_dtype = numpy.finfo(numpy.result_type(getval(a), getval(b), 1.0)).dtype
        residuals = numpy.empty((0,), real_dtype)
    return x, residuals, rank, svdvals(a)


def _lstsq_rank(a, b, rcond):
    """The rank numpy's lstsq finds: read off the values (under mlkit.jit a step of its own,
    its result a guard)."""
    return numpy.linalg.lstsq(a, b, rcond=rcond)[2]


_lstsq_rank = nondifferentiable(_lstsq_rank)


for _name in ("slogdet", "cholesky", "eig", "eigvals", "eigh", "eigvalsh", "svd", "svdvals", "qr",
              "pinv", "matrix_power", "norm", "matrix_norm", "vector_norm",
              "matrix_transpose", "diagonal", "trace", "outer", "vecdot", "cross", "tensordot",
              "tensorinv", "tensorsolve", "cond", "lstsq"):
    globals()[_name] = composite(globals()[_name], getattr(numpy.linalg, _name))
composite(multi_dot, numpy.linalg.multi_dot, pack_sequences=False)  # a sequence of matrices
matrix_rank = nondifferentiable(numpy.linalg.matrix_rank)
