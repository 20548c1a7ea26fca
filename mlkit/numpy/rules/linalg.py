"""Linear-algebra primitives: inverse, determinants, solve and pseudo-inverse, with rules.

All work on stacks of matrices (the last two axes). inv, det, logabsdet and solve take complex
matrices too, following HIPS autograd's convention (the VJP of a holomorphic function is
``g * f'(x)``, without conjugation); the decompositions live in ``decompositions.py``.
"""

import numpy

from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, rawval
from mlkit.numpy.rules.base import is_complex, real, reshape, shape_of, sum, unbroadcast
from mlkit.numpy.rules.products import matmul
from mlkit.numpy.rules.shape import expand_dims, swapaxes
from mlkit.numpy.wrap import wrap

__all__ = ["det", "finite_or_identity", "inv", "logabsdet", "pinv", "real_only", "solve",
           "transposed"]


def transposed(x):
    """Swap the last two axes (the matrix transpose of every matrix in a stack)."""
    return swapaxes(x, -1, -2)


def real_only(name, a):
    """Refuse, with a clear message, to differentiate ``name`` at a complex matrix."""
    if is_complex(a):
        raise NotImplementedError(
            f"mlkit differentiates np.linalg.{name} for real matrices only; for complex ones, "
            "compute it outside the differentiated function or write a custom primitive"
        )


def _as_matrix(x):
    """A scalar or stack of scalars as a stack of 1x1 matrices, to scale matrices with."""
    return reshape(x, tuple(shape_of(x)) + (1, 1))


# --- inverse, determinants, solve -----------------------------------------------------------
inv = wrap(numpy.linalg.inv, "inv")
defvjp(inv, lambda ans, a: lambda g: -matmul(transposed(ans), matmul(g, transposed(ans))))
defjvp(inv, lambda t, ans, a: -matmul(ans, matmul(t, ans)))

det = wrap(numpy.linalg.det, "det")


def _cofactors(ans, a):
    """d det(A) / dA: det(A) A^-T where every matrix of the stack is well conditioned, else
    the transposed adjugate, exact at any rank in O(n**3) and differentiable to every order
    (det(A) A^-T is 0 * inf at a singular matrix, and loses about eps * cond(A)**k of the
    k-th derivative near one: 1e-5 for the third at cond 1e6 in float64)."""
    raw = numpy.asarray(getval(a))
    n = raw.shape[-1]
    if n and _well_conditioned(raw):
        return _as_matrix(ans) * transposed(inv(a))
    if n <= 1:  # a 1x1 matrix's cofactor is 1; a 0x0 one has none
        return numpy.ones_like(raw)
    from mlkit.numpy.rules.adjugate import adjugate  # built on inv and det, defined here

    return transposed(adjugate(a))


def _well_conditioned(raw):
    """Whether each matrix's smallest singular value is over ``small_ratio`` of its
    largest (one holding an infinity or a nan counts as well conditioned)."""
    s = numpy.linalg.svd(finite_or_identity(raw), compute_uv=False)
    return bool(numpy.all(s[..., -1] > s[..., 0] * small_ratio(s.dtype)))


def finite_or_identity(a):
    """The stack ``a`` (..., n, n) with the identity for each matrix holding an infinity or
    a nan, whose SVD numpy cannot take: their cofactors hold nans either way, in det(A) A^-T
    (as HIPS autograd's) as in the adjugate taken around the identity."""
    if numpy.all(numpy.isfinite(a)):  # the common case, at the cost of one pass
        return a
    finite = numpy.all(numpy.isfinite(a), axis=(-2, -1))[..., None, None]
    return numpy.where(finite, a, numpy.eye(numpy.shape(a)[-1], dtype=numpy.result_type(a)))


def small_ratio(dtype):
    """eps**0.25 (1.2e-4 in float64, 0.018 in float32): under this ratio to the largest
    singular value, a singular value's inverse makes det's third derivative lose more than
    about eps**0.5 to roundoff."""
    return numpy.finfo(dtype).eps ** 0.25


defvjp(det, lambda ans, a: lambda g: _as_matrix(g) * _cofactors(ans, a))
defjvp(det, lambda t, ans, a: sum(_cofactors(ans, a) * t, axis=(-2, -1)))


def _logabsdet(a):
    return numpy.linalg.slogdet(a)[1]


logabsdet = wrap(_logabsdet, "logabsdet")
# d log|det A| = Re tr(A^-1 dA); for complex A the VJP follows HIPS autograd (no conjugate).
defvjp(logabsdet, lambda ans, a: lambda g: _as_matrix(g) * transposed(inv(a)))
defjvp(logabsdet, lambda t, ans, a: _real_if(sum(transposed(inv(a)) * t, axis=(-2, -1)), a))


def _real_if(x, a):
    return real(x) if is_complex(a) else x


solve = wrap(numpy.linalg.solve, "solve")


def _columns(x, vector):
    """Right-hand sides as a stack of matrices (a vector b is one column)."""
    return expand_dims(x, -1) if vector else x


def _uncolumns(x, vector):
    return x[..., 0] if vector else x


def _solve_vjp_a(ans, a, b):
    vector = len(shape_of(b)) == 1

    def vjp(g):
        gb = solve(transposed(a), _columns(g, vector))
        return unbroadcast(-matmul(gb, transposed(_columns(ans, vector))), a)

    return vjp


def _solve_vjp_b(ans, a, b):
    vector = len(shape_of(b)) == 1
    return lambda g: unbroadcast(_uncolumns(solve(transposed(a), _columns(g, vector)), vector), b)


def _solve_jvp_a(t, ans, a, b):
    vector = len(shape_of(b)) == 1
    return _uncolumns(solve(a, -matmul(t, _columns(ans, vector))), vector)


defvjp(solve, _solve_vjp_a, _solve_vjp_b)
defjvp(solve, _solve_jvp_a, argnums=(0,))
def_linear(solve, argnums=(1,))

# --- pseudo-inverse (constant rank) ---------------------------------------------------------
pinv = wrap(numpy.linalg.pinv, "pinv")


def _eye_for(x, n):
    return numpy.eye(n, dtype=numpy.result_type(getval(x)))


def _constant_rank(ans, a, truncating):
    """Refuse a derivative where a tolerance (``truncating``: rcond, rtol, atol) dropped
    singular values that are not zero: the rules hold for the inverse of a, not of a truncated a."""
    raw_a, raw_p = numpy.asarray(rawval(a)), numpy.asarray(rawval(ans))  # no jit guard
    if truncating and numpy.any(numpy.linalg.matrix_rank(raw_a @ raw_p)
                                < numpy.linalg.matrix_rank(raw_a)):
        raise NotImplementedError(
            "pinv: its tolerance (rcond, rtol or atol) dropped nonzero singular values of the "
            "matrix, and mlkit has no derivative of that truncated inverse; lower the tolerance, "
            "or build it from np.linalg.svd as (v[:, :k] / s[:k]) @ u[:, :k].T, which "
            "differentiates")


def _pinv_jvp(t, ans, a, *args, **kwargs):
    real_only("pinv", a)
    _constant_rank(ans, a, args or kwargs)
    p, m, n = ans, shape_of(a)[-2], shape_of(a)[-1]
    tt = transposed(t)
    left = _eye_for(a, m) - matmul(a, p)
    right = _eye_for(a, n) - matmul(p, a)
    return (-matmul(p, matmul(t, p)) + matmul(matmul(p, transposed(p)), matmul(tt, left))
            + matmul(right, matmul(tt, matmul(transposed(p), p))))


def _pinv_vjp(ans, a, *args, **kwargs):
    real_only("pinv", a)
    _constant_rank(ans, a, args or kwargs)
    p, pt, m, n = ans, transposed(ans), shape_of(a)[-2], shape_of(a)[-1]
    left = _eye_for(a, m) - matmul(a, p)
    right = _eye_for(a, n) - matmul(p, a)

    def vjp(g):
        gt = transposed(g)
        return (-matmul(pt, matmul(g, pt)) + matmul(left, matmul(gt, matmul(p, pt)))
                + matmul(matmul(pt, p), matmul(gt, right)))

    return vjp


defvjp(pinv, _pinv_vjp)
defjvp(pinv, _pinv_jvp)
