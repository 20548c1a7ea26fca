"""Matrix decompositions (Cholesky, symmetric eigen, SVD, QR) and their VJP and JVP rules.

Decompositions with several outputs return a plain tuple, which the engine traces as one
container value: their VJPs receive a tuple of cotangents and their JVPs build a tuple of
tangents with ``make_sequence``. numpy reads only one triangle of the matrix given to
``cholesky`` and ``eigh``; the rules differentiate exactly that (the gradient lands on the
triangle that was read), so they are right for any perturbation, symmetric or not.

Eigenvector and singular-vector derivatives divide by gaps between eigenvalues (squared singular
values); where two coincide those terms are set to zero, which is right for functions that do not
depend on the basis chosen inside the degenerate subspace (sums of eigenvalues, norms,
projectors) and arbitrary otherwise. Only real matrices are differentiated here.
"""

import numpy

from mlkit.autodiff.containers import make_sequence
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.arrangement import diagonal, tril, triu
from mlkit.numpy.rules.base import shape_of
from mlkit.numpy.rules.elementwise import where_primitive as where
from mlkit.numpy.rules.linalg import real_only, solve, transposed
from mlkit.numpy.rules.products import matmul
from mlkit.numpy.rules.shape import expand_dims
from mlkit.numpy.wrap import wrap

__all__ = ["cholesky_lower", "eigh_tuple", "qr_reduced", "svd_reduced"]


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
    real_only("cholesky", a)
    inner = solve(ans, transposed(solve(ans, _lower_read(t))))
    return matmul(ans, _phi(inner))


def _cholesky_vjp(ans, a):
    real_only("cholesky", a)
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
    real_only("eigh", a)
    w, v = ans[0], ans[1]
    m = matmul(transposed(v), matmul(_sym_read(t, UPLO), v))
    return make_sequence(tuple, _diag_part(m), matmul(v, _inverse_gaps(w) * m))


def _eigh_vjp(ans, a, UPLO="L"):
    real_only("eigh", a)
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
    real_only("svd", a)
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
    real_only("svd", a)
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
    real_only("qr", a)
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
