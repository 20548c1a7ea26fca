"""scipy.linalg's signatures over mlkit's differentiable linear algebra.

Untraced calls go to scipy itself (same values, dtypes and errors); traced ones compute the same
function from mlkit primitives, reading only what scipy reads: one triangle for ``cholesky``,
``cho_solve`` and the symmetric kinds of ``solve``, the diagonal for ``assume_a='diagonal'``.
"""

import numpy
import scipy.linalg
from scipy.linalg import LinAlgError

import mlkit.numpy as mnp
from mlkit.autodiff.tracer import any_box, getval
from mlkit.numpy.rules.base import is_complex
from mlkit.numpy.rules.linalg import transposed
from mlkit.numpy.wrap import composite, nondifferentiable
from mlkit.scipy.linalg.matfuncs import solve_sylvester
from mlkit.scipy.linalg.triangular import read_triangle, solve_triangular

__all__ = ["cho_factor", "cho_solve", "cholesky", "det", "eigh", "eigvalsh", "inv", "lu_solve",
           "norm", "pinv", "qr", "solve", "solve_continuous_lyapunov", "svd", "svdvals"]


def _check_square(name, a):
    shape = numpy.shape(getval(a))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{name}: expected a square matrix (or a stack of them), got shape "
                         f"{shape}")


def _eye_like(diagonal):
    """The identity matching ``diagonal``'s length and dtype (float32 stays float32)."""
    value = getval(diagonal)
    return numpy.eye(numpy.shape(value)[-1], dtype=numpy.result_type(value))


def _symmetric_from(a, lower, hermitian):
    """The symmetric (Hermitian) matrix whose ``lower`` (else upper) triangle is ``a``'s."""
    strict = mnp.tril(a, -1) if lower else mnp.triu(a, 1)
    other = transposed(strict)
    if hermitian and is_complex(a):
        other = mnp.conj(other)
        diagonal = mnp.real(mnp.diagonal(a, 0, -2, -1))
        return strict + other + mnp.expand_dims(diagonal, -1) * _eye_like(diagonal)
    return read_triangle(a, lower) + other


_GENERAL = {None, "gen", "general"}
_SYMMETRIC = {"sym", "symmetric"}
_HERMITIAN = {"her", "hermitian"}
_POSITIVE = {"pos", "positive definite"}
_TRIANGULAR = {"upper triangular": False, "lower triangular": True}
# Kinds scipy recognizes from the whole matrix: the general solve is the same function.
_WHOLE = {"banded", "tridiagonal"}


def _effective(name, a, assume_a, lower):
    """The matrix scipy's ``solve``/``inv`` sees for ``assume_a``, from what it reads."""
    if assume_a in _GENERAL or assume_a in _WHOLE:
        return a
    if assume_a in _SYMMETRIC or assume_a in _HERMITIAN or assume_a in _POSITIVE:
        hermitian = assume_a in _HERMITIAN or assume_a in _POSITIVE
        return _symmetric_from(a, lower, hermitian)
    if assume_a == "diagonal":
        diagonal = mnp.diagonal(a, 0, -2, -1)
        return diagonal[..., None] * _eye_like(diagonal)
    if assume_a in _TRIANGULAR:
        return read_triangle(a, _TRIANGULAR[assume_a])
    raise ValueError(f"{name}: unknown assume_a {assume_a!r}")


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """The Cholesky factor of ``a``: upper (A = U^H U) by default, lower with ``lower=True``,
    reading that triangle of ``a`` only (as scipy does)."""
    if not any_box(a):
        return scipy.linalg.cholesky(a, lower=lower, check_finite=check_finite)
    a = mnp.atleast_2d(a)  # a number is a 1x1 matrix, as in scipy
    _check_square("cholesky", a)
    return mnp.linalg.cholesky(a, upper=not lower)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``(c, lower)``: the factor in one triangle of c, a's own entries in the other."""
    if not any_box(a):
        return scipy.linalg.cho_factor(a, lower=lower, check_finite=check_finite)
    factor = cholesky(a, lower=lower)
    a = mnp.atleast_2d(a)
    rest = mnp.triu(a, 1) if lower else mnp.tril(a, -1)
    batch = numpy.shape(getval(a))[:-2]  # scipy answers one flag per matrix of a stack
    return factor + rest, numpy.full(batch, lower) if batch else lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """Solve A x = b from ``cho_factor``'s ``(c, lower)`` (two triangular solves)."""
    c, lower = c_and_lower
    if not any_box(c, b):
        return scipy.linalg.cho_solve((c, lower), b, check_finite=check_finite)
    vector = numpy.ndim(getval(b)) == 1  # one right-hand side, for each matrix of a stack
    b = mnp.expand_dims(b, -1) if vector else b
    if lower:  # A = L L^H
        x = solve_triangular(c, solve_triangular(c, b, lower=True), trans=2, lower=True)
    else:  # A = U^H U
        x = solve_triangular(c, solve_triangular(c, b, trans=2, lower=False), lower=False)
    return x[..., 0] if vector else x


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """x with A x = b (A^T x = b with ``trans=1``, A^H x = b with 2) from ``lu_factor``'s
    ``(lu, piv)``: A = P L U, so a row permutation and two triangular solves."""
    lu, piv = lu_and_piv
    if not any_box(lu, b):
        return scipy.linalg.lu_solve((lu, piv), b, trans=trans, check_finite=check_finite)
    if trans not in (0, 1, 2):
        raise ValueError(f"lu_solve: trans must be 0, 1 or 2, got {trans!r}")
    vector = numpy.ndim(getval(b)) == 1  # one right-hand side, for each matrix of a stack
    b = mnp.expand_dims(b, -1) if vector else b
    rows = _rows_of_pivots(piv, numpy.result_type(getval(lu)))  # P^T
    if trans == 0:
        x = solve_triangular(lu, solve_triangular(lu, rows @ b, lower=True, unit_diagonal=True))
    else:
        y = solve_triangular(lu, b, trans=trans)
        x = transposed(rows) @ solve_triangular(lu, y, trans=trans, lower=True,
                                                unit_diagonal=True)
    return x[..., 0] if vector else x


def _rows_of_pivots(piv, dtype):
    """P^T as a matrix from LAPACK's pivots: row i swapped with row piv[i], for i in order."""
    piv = numpy.asarray(piv)
    order = numpy.broadcast_to(numpy.arange(piv.shape[-1]), piv.shape).copy()
    for i in range(piv.shape[-1]):
        j = piv[..., i : i + 1]
        row = order[..., i : i + 1].copy()
        order[..., i : i + 1] = numpy.take_along_axis(order, j, -1)
        numpy.put_along_axis(order, j, row, -1)
    return numpy.eye(piv.shape[-1], dtype=dtype)[order]


_rows_of_pivots = nondifferentiable(_rows_of_pivots)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """x with A x = b (A^T x = b with ``transposed``), reading of A what ``assume_a`` says."""
    if not any_box(a, b):
        return scipy.linalg.solve(a, b, lower=lower, check_finite=check_finite,
                                  assume_a=assume_a, transposed=transposed)
    a, b = mnp.atleast_2d(a), mnp.atleast_1d(b)
    _check_square("solve", a)
    if numpy.size(getval(a)) == 1:  # a number: scipy divides (b may have any length)
        vector = len(numpy.shape(getval(b))) == 1
        out = (b[:, None] if vector else b) / a
        return out[..., 0] if vector else out
    if transposed and is_complex(a):
        raise NotImplementedError("solve: transposed=True is not available for complex "
                                  "matrices (as in scipy); pass the transpose of a instead")
    if assume_a in _TRIANGULAR:
        return solve_triangular(a, b, trans=1 if transposed else 0,
                                lower=_TRIANGULAR[assume_a])
    matrix = _effective("solve", a, assume_a, lower)
    if transposed:
        matrix = mnp.swapaxes(matrix, -1, -2)
    if assume_a in _POSITIVE:
        return cho_solve(_positive_factor("solve", matrix), b)
    return mnp.linalg.solve(matrix, b)


def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    """The inverse of ``a``, reading of it what ``assume_a`` says (as ``solve``)."""
    if not any_box(a):
        return scipy.linalg.inv(a, check_finite=check_finite, assume_a=assume_a, lower=lower)
    _check_square("inv", a)
    matrix = _effective("inv", a, assume_a, lower)
    if assume_a in _POSITIVE:
        identity = _eye_like(mnp.diagonal(matrix, 0, -2, -1))
        return cho_solve(_positive_factor("inv", matrix), identity)
    return mnp.linalg.inv(matrix)


def _positive_factor(name, matrix):
    """``(L, True)`` with ``matrix = L L^H``: scipy's ``assume_a='pos'`` factors so, and refuses a
    matrix that is not positive definite rather than answering a number."""
    try:
        return mnp.linalg.cholesky(matrix), True
    except numpy.linalg.LinAlgError as error:
        raise LinAlgError(f"{name}: assume_a='pos' but the matrix is not positive definite "
                          f"({error}); pass assume_a='sym' (or 'her') for an indefinite "
                          "matrix") from None


def det(a, overwrite_a=False, check_finite=True):
    """The determinant, in scipy's result dtype (float64 for float32 input)."""
    if not any_box(a):
        return scipy.linalg.det(a, check_finite=check_finite)
    _check_square("det", a)
    out = mnp.linalg.det(a)
    dtype = numpy.result_type(getval(a), numpy.float64)
    return out if numpy.result_type(getval(out)) == dtype else mnp.astype(out, dtype)


def norm(a, ord=None, axis=None, keepdims=False, check_finite=True):
    """Vector and matrix norms as numpy.linalg.norm (subgradient 0 where the norm is 0)."""
    if not any_box(a):
        return scipy.linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims,
                                 check_finite=check_finite)
    out = mnp.linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims)
    return mnp.astype(out, numpy.float64) if _by_blas(getval(a), ord, axis, keepdims) else out


def _by_blas(a, ord, axis, keepdims):
    """Whether scipy computes this norm with BLAS nrm2 or LAPACK lange, whose result is a
    Python float (double precision even for float32 input). The shape decides: a traced
    array's memory layout is not known under mlkit.jit."""
    if not numpy.size(a) or numpy.result_type(a).char not in "fdFD" or axis is not None \
            or keepdims:
        return False
    if numpy.ndim(a) == 1:
        return ord in (None, 2)
    return numpy.ndim(a) == 2 and ord in (1, numpy.inf)  # (scipy: for contiguous a only)


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
        lapack_driver="gesdd"):
    """``(u, s, vh)`` or ``s``; differentiable for the reduced decomposition (square matrices,
    or ``full_matrices=False``) with distinct singular values."""
    if not any_box(a):
        return scipy.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                                check_finite=check_finite, lapack_driver=lapack_driver)
    return mnp.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """``(q, r)``, or ``(r,)`` with ``mode='r'``; differentiable without pivoting for
    ``mode='economic'`` (or a square matrix) with at least as many rows as columns."""
    if not any_box(a):
        return scipy.linalg.qr(a, lwork=lwork, mode=mode, pivoting=pivoting,
                               check_finite=check_finite)
    m, n = numpy.shape(getval(a))[-2:]
    if pivoting or mode not in ("full", "economic", "r") or (mode == "full" and m > n):
        raise NotImplementedError(
            f"qr(mode={mode!r}, pivoting={pivoting}) of a {m}x{n} matrix is not "
            "differentiable (pivots jump, extra columns of q are arbitrary); use "
            "mode='economic' without pivoting")
    q, r = mnp.linalg.qr(a)
    if mode != "r":
        return q, r
    batch = numpy.shape(getval(r))[:-2]
    r = mnp.pad(r, ((0, 0),) * len(batch) + ((0, max(m - n, 0)), (0, 0)))  # m x n, as scipy
    return r if batch else (r,)  # scipy 1.17 answers a stack's r alone, not in a tuple


def svdvals(a, overwrite_a=False, check_finite=True):
    """Singular values, descending."""
    if not any_box(a):
        return scipy.linalg.svdvals(a, check_finite=check_finite)
    return mnp.linalg.svdvals(a)


def pinv(a, *, atol=None, rtol=None, return_rank=False, check_finite=True):
    """The pseudo-inverse (differentiable where the rank does not change)."""
    if not any_box(a):
        return scipy.linalg.pinv(a, atol=atol, rtol=rtol, return_rank=return_rank,
                                 check_finite=check_finite)
    rcond, rank = _pinv_cutoff(a, atol, rtol)
    out = mnp.linalg.pinv(a, rcond)
    return (out, rank) if return_rank else out


def _pinv_cutoff(a, atol, rtol):
    """scipy's cutoff ``atol + rtol * largest singular value``, per matrix of a stack, as
    numpy's relative ``rcond``; and the rank it gives (constants of the values)."""
    s = numpy.linalg.svd(a, compute_uv=False)
    largest = s.max(axis=-1, initial=0.0)
    rtol = max(a.shape[-2:]) * numpy.finfo(s.dtype).eps if rtol is None else rtol
    cutoff = (0.0 if atol is None else atol) + rtol * largest
    rcond = numpy.where(largest > 0, cutoff / numpy.where(largest > 0, largest, 1), rtol)
    return rcond, numpy.sum(s > numpy.expand_dims(cutoff, -1), axis=-1)


_pinv_cutoff = nondifferentiable(_pinv_cutoff)


def _eigen_arguments(name, b, kwargs):
    if b is not None or any(kwargs.get(k) is not None for k in
                            ("subset_by_index", "subset_by_value")) or kwargs.get("type", 1) != 1:
        raise NotImplementedError(
            f"{name}: mlkit differentiates the standard symmetric eigenproblem only (no b, "
            "type, subset_by_index or subset_by_value); compute the generalized problem "
            "outside the differentiated function")


def eigh(a, b=None, *, lower=True, eigvals_only=False, **kwargs):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, reading one triangle."""
    if not any_box(a, b):
        return scipy.linalg.eigh(a, b, lower=lower, eigvals_only=eigvals_only, **kwargs)
    _eigen_arguments("eigh", b, kwargs)
    w, v = mnp.linalg.eigh(a, UPLO="L" if lower else "U")
    return w if eigvals_only else (w, v * _scipy_phases(a, v, lower, kwargs.get("driver")))


def _scipy_phases(a, v, lower, driver):
    """The unit factors turning the columns of ``v`` into the eigenvectors of scipy's LAPACK
    ``driver`` (each picks its own signs, numpy others); 1 where the two disagree beyond a phase
    (repeated eigenvalues)."""
    theirs = scipy.linalg.eigh(a, lower=lower, driver=driver)[1]
    overlap = numpy.sum(numpy.conj(v) * theirs, axis=-2, keepdims=True)
    size = numpy.abs(overlap)
    return numpy.where(size > 0.5, overlap / numpy.where(size > 0.5, size, 1), 1).astype(
        theirs.dtype)


_scipy_phases = nondifferentiable(_scipy_phases)


def eigvalsh(a, b=None, *, lower=True, **kwargs):
    """Eigenvalues (ascending) of a symmetric matrix."""
    if not any_box(a, b):
        return scipy.linalg.eigvalsh(a, b, lower=lower, **kwargs)
    _eigen_arguments("eigvalsh", b, kwargs)
    return eigh(a, lower=lower, eigvals_only=True)


def solve_continuous_lyapunov(a, q):
    """X with A X + X A^H = Q: a Sylvester equation."""
    if not any_box(a, q):
        return scipy.linalg.solve_continuous_lyapunov(a, q)
    a, q = mnp.atleast_2d(a), mnp.atleast_2d(q)  # numbers are 1x1 matrices, as in scipy
    return solve_sylvester(a, mnp.conj(transposed(a)), q)


for _name in __all__:
    composite(globals()[_name], pack_sequences=False)  # (c, lower) pairs stay tuples
