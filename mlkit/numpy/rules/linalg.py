"""Linear-algebra primitives (``np.linalg``) and their VJP and JVP rules.

All work on stacks of matrices (the last two axes). Decompositions with several outputs return
a plain tuple, which the engine traces as one container value: their VJPs receive a tuple of
cotangents and their JVPs build a tuple of tangents with ``make_sequence``. numpy reads only one
triangle of the matrix given to ``cholesky`` and ``eigh``; the rules differentiate exactly that
(the gradient lands on the triangle that was read), so they are right for any perturbation.

Caveats, as in every autodiff system: eigenvector and singular-vector derivatives divide by gaps
between eigenvalues (singular values); where two of them coincide the ill-defined terms are set
to zero, which is right for functions that do not depend on the choice of basis within the
degenerate subspace (sums of eigenvalues, norms, projectors) and arbitrary otherwise.
"""

import numpy

from mlkit.autodiff.containers import make_sequence
from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.arrangement import diagonal, tril, triu
from mlkit.numpy.rules.base import is_complex, real, reshape, shape_of, sum, unbroadcast
from mlkit.numpy.rules.elementwise import where
from mlkit.numpy.rules.products import matmul
from mlkit.numpy.rules.shape import expand_dims, swapaxes
from mlkit.numpy.wrap import wrap

__all__ = ["inv", "det", "logabsdet", "solve", "pinv", "cholesky_lower", "eigh_tuple",
           "svd_reduced", "qr_reduced", "transposed"]


def transposed(x):
    """Swap the last two axes (the matrix transpose of every matrix in a stack)."""
    return swapaxes(x, -1, -2)


def _real_only(name, a):
    if is_complex(a):
        raise NotImplementedError(
            f"mlkit differentiates np.linalg.{name} for real matrices only; for complex ones, "
            "compute it outside the differentiated function or write a custom primitive"
        )


def _as_matrix(x):
    """A scalar or stack of scalars as a stack of 1x1 matrices, to scale matrices with."""
    return reshape(x, tuple(shape_of(x)) + (1, 1))


def _diag_part(m):
    return diagonal(m, 0, -2, -1)


def _diag_embed(v):
    n = shape_of(v)[-1]
    return expand_dims(v, -1) * numpy.eye(n, dtype=numpy.result_type(getval(v)))


def _safe_inverse(x, zero):
    """``1 / x`` where ``zero`` (a raw mask) is False, and 0 where it is True."""
    return where(zero, 0, 1 / where(zero, 1, x))


def _inverse_gaps(w):
    """F[..., i, j] = 1 / (w_j - w_i) off the diagonal; 0 on it and for coinciding values."""
    gaps = expand_dims(w, -2) - expand_dims(w, -1)
    raw = numpy.asarray(getval(gaps))
    scale = numpy.max(numpy.abs(getval(w)), axis=-1, keepdims=True)[..., None]
    tiny = numpy.abs(raw) <= 64 * numpy.finfo(raw.dtype).eps * scale
    return _safe_inverse(gaps, tiny | numpy.eye(raw.shape[-1], dtype=bool))


# --- inverse, determinants, solve -----------------------------------------------------------
inv = wrap(numpy.linalg.inv, "inv")
defvjp(inv, lambda ans, a: lambda g: -matmul(transposed(ans), matmul(g, transposed(ans))))
defjvp(inv, lambda t, ans, a: -matmul(ans, matmul(t, ans)))

det = wrap(numpy.linalg.det, "det")
defvjp(det, lambda ans, a: lambda g: _as_matrix(g * ans) * transposed(inv(a)))
defjvp(det, lambda t, ans, a: ans * sum(transposed(inv(a)) * t, axis=(-2, -1)))


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


def _pinv_jvp(t, ans, a, *args, **kwargs):
    _real_only("pinv", a)
    p, m, n = ans, shape_of(a)[-2], shape_of(a)[-1]
    tt = transposed(t)
    left = _eye_for(a, m) - matmul(a, p)
    right = _eye_for(a, n) - matmul(p, a)
    return (-matmul(p, matmul(t, p)) + matmul(matmul(p, transposed(p)), matmul(tt, left))
            + matmul(right, matmul(tt, matmul(transposed(p), p))))


def _pinv_vjp(ans, a, *args, **kwargs):
    _real_only("pinv", a)
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

# --- Cholesky -------------------------------------------------------------------------------
cholesky_lower = wrap(numpy.linalg.cholesky, "cholesky")


def _lower_read(t):
    """The symmetric matrix numpy sees when it reads the lower triangle of ``t``."""
    return tril(t) + transposed(tril(t, -1))


def _phi(x):
    """The lower triangle of ``x`` with its diagonal halved."""
    n = shape_of(x)[-1]
    weights = numpy.tri(n) - 0.5 * numpy.eye(n)
    return x * weights.astype(numpy.result_type(getval(x)))


def _cholesky_jvp(t, ans, a):
    _real_only("cholesky", a)
    inner = solve(ans, transposed(solve(ans, _lower_read(t))))
    return matmul(ans, _phi(inner))


def _cholesky_vjp(ans, a):
    _real_only("cholesky", a)
    lt = transposed(ans)

    def vjp(g):
        z = solve(lt, _phi(matmul(lt, g)))
        p = transposed(solve(lt, transposed(z)))
        return tril(p) + tril(transposed(p), -1)

    return vjp


defvjp(cholesky_lower, _cholesky_vjp)
defjvp(cholesky_lower, _cholesky_jvp)


# --- symmetric eigendecomposition -----------------------------------------------------------
def _eigh(a, UPLO="L"):
    return tuple(numpy.linalg.eigh(a, UPLO))


eigh_tuple = wrap(_eigh, "eigh")


def _sym_read(t, uplo):
    if uplo.upper() == "L":
        return _lower_read(t)
    return triu(t) + transposed(triu(t, 1))


def _eigh_jvp(t, ans, a, UPLO="L"):
    _real_only("eigh", a)
    w, v = ans[0], ans[1]
    m = matmul(transposed(v), matmul(_sym_read(t, UPLO), v))
    return make_sequence(tuple, _diag_part(m), matmul(v, _inverse_gaps(w) * m))


def _eigh_vjp(ans, a, UPLO="L"):
    _real_only("eigh", a)
    w, v = ans[0], ans[1]
    gaps = _inverse_gaps(w)

    def vjp(g):
        core = _diag_embed(g[0]) + gaps * matmul(transposed(v), g[1])
        p = matmul(v, matmul(core, transposed(v)))
        if UPLO.upper() == "L":
            return tril(p) + tril(transposed(p), -1)
        return triu(p) + triu(transposed(p), 1)

    return vjp


defvjp(eigh_tuple, _eigh_vjp)
defjvp(eigh_tuple, _eigh_jvp)


# --- singular value decomposition (reduced) -------------------------------------------------
def _svd(a):
    return tuple(numpy.linalg.svd(a, full_matrices=False))


svd_reduced = wrap(_svd, "svd")


def _svd_parts(ans):
    u, s, vh = ans[0], ans[1], ans[2]
    zero = numpy.asarray(getval(s)) == 0
    return u, s, transposed(vh), _inverse_gaps(s * s), _safe_inverse(s, zero)


def _svd_jvp(t, ans, a):
    _real_only("svd", a)
    u, s, v, gaps, s_inv = _svd_parts(ans)
    tv = matmul(t, v)
    dp = matmul(transposed(u), tv)
    dpt = transposed(dp)
    row, col = expand_dims(s, -1), expand_dims(s, -2)
    du = matmul(u, gaps * (dp * col + row * dpt)) + (tv - matmul(u, dp)) * expand_dims(s_inv, -2)
    tu = matmul(transposed(t), u)
    dv = matmul(v, gaps * (row * dp + dpt * col)) + (tu - matmul(v, dpt)) * expand_dims(s_inv, -2)
    return make_sequence(tuple, du, _diag_part(dp), transposed(dv))


def _svd_vjp(ans, a):
    _real_only("svd", a)
    u, s, v, gaps, s_inv = _svd_parts(ans)
    vh = ans[2]
    row, col = expand_dims(s, -1), expand_dims(s, -2)

    def vjp(g):
        gu, gv = g[0], transposed(g[2])
        j = matmul(transposed(u), gu)
        k = matmul(transposed(v), gv)
        core = (_diag_embed(g[1]) + (gaps * (j - transposed(j))) * col
                + row * (gaps * (k - transposed(k))))
        right = matmul(core, vh) + expand_dims(s_inv, -1) * (g[2] - matmul(transposed(k), vh))
        left = (gu - matmul(u, j)) * expand_dims(s_inv, -2)
        return matmul(u, right) + matmul(left, vh)

    return vjp


defvjp(svd_reduced, _svd_vjp)
defjvp(svd_reduced, _svd_jvp)


# --- QR (reduced, m >= n) -------------------------------------------------------------------
def _qr(a):
    return tuple(numpy.linalg.qr(a, mode="reduced"))


qr_reduced = wrap(_qr, "qr")


def _check_tall(a):
    _real_only("qr", a)
    m, n = shape_of(a)[-2:]
    if m < n:
        raise NotImplementedError(
            f"mlkit differentiates qr for matrices with at least as many rows as columns, got "
            f"{m}x{n}; differentiate qr of the transpose (an LQ decomposition) instead"
        )


def _qr_jvp(t, ans, a):
    _check_tall(a)
    q, r = ans[0], ans[1]
    x = transposed(solve(transposed(r), transposed(t)))
    m = matmul(transposed(q), x)
    lower = tril(m, -1)
    upper_part = m - (lower - transposed(lower))
    return make_sequence(tuple, x - matmul(q, upper_part), matmul(upper_part, r))


def _qr_vjp(ans, a):
    _check_tall(a)
    q, r = ans[0], ans[1]

    def vjp(g):
        b = matmul(g[1], transposed(r)) - matmul(transposed(q), g[0])
        m_bar = b - tril(b - transposed(b), -1)
        x_bar = g[0] + matmul(q, m_bar)
        return transposed(solve(r, transposed(x_bar)))

    return vjp


defvjp(qr_reduced, _qr_vjp)
defjvp(qr_reduced, _qr_jvp)
