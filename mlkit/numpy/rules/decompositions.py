"""Matrix decompositions (Cholesky, symmetric eigen, SVD, QR) and their VJP and JVP rules.

Decompositions with several outputs return numpy's named results (``EighResult``, ...),
which the engine traces as one container value: their VJPs receive a tuple of cotangents and
their JVPs build one of tangents with ``make_sequence``. numpy reads only one triangle of the
matrix given to ``cholesky`` and ``eigh``; the rules differentiate exactly that (the gradient
lands on the triangle that was read), so they are right for any perturbation, symmetric or not.

Eigenvector and singular-vector derivatives divide by gaps between eigenvalues (singular
values); where two coincide (within 64 eps of the largest; a zero singular value counts as
repeated) those terms are set to zero. At such a repeated value the decomposition is not
differentiable, and first derivatives are right only for functions that see its cluster
through symmetric functions of the values and the cluster's projector (or, for ``svd``, its
``U V^H``): sums of functions of eigenvalues, norms, projectors, polar factors. Functions that
weigh a cluster's vectors one by one, even smooth ones such as ``U diag(s) V^H`` rebuilt or
``sum(w_i v_i^H B v_i)``, and second derivatives (``hessian`` of ``sum(s**2)`` included) taken
at the repeated value get finite numbers that are wrong; compute those from the matrix itself,
or away from the repetition. Just above that tolerance, basis-free derivatives lose about
``eps * max|w| / gap`` of relative accuracy to rounding (1e-3 at a gap of 1e-13).

Complex matrices follow HIPS autograd's convention (a VJP is the transpose of the JVP under
``Re(sum(g * t))``). numpy reads the Hermitian matrix from one triangle and the real part of
the diagonal. ``eig``'s vectors follow LAPACK's documented convention (unit length, largest
entry real), and their rule keeps it, so complex eigenvectors differentiate as numpy computes
them. ``eigh`` and ``svd`` fix only the length of complex vectors (their phase is whatever
LAPACK's algorithm leaves), so only quantities independent of it (eigenvalues, ``|v|**2``,
projectors, ``U V^H``) are meaningful derivatives of those.
"""

import numpy

from mlkit.autodiff.containers import make_sequence
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, rawval
from mlkit.numpy.rules.arrangement import diagonal, tril, triu
from mlkit.numpy.rules.base import conj, imag, is_complex, real, shape_of, sum
from mlkit.numpy.rules.elementwise import where_primitive as where
from mlkit.numpy.rules.linalg import solve, transposed
from mlkit.numpy.rules.products import matmul
from mlkit.numpy.rules.shape import expand_dims
from mlkit.numpy.wrap import raw_array, value_array, wrap

__all__ = ["cholesky_lower", "eig_tuple", "eigh_tuple", "hermitian_read", "qr_reduced", "svd_full",
           "svd_reduced"]


def _diag_part(m):
    return diagonal(m, 0, -2, -1)


def _diag_embed(v):
    n = shape_of(v)[-1]
    return expand_dims(v, -1) * numpy.eye(n, dtype=numpy.result_type(getval(v)))


def _conj(x):
    return conj(x) if is_complex(x) else x


def _adjoint(x):
    """The conjugate transpose of every matrix in a stack (the transpose for real ones)."""
    return _conj(transposed(x))


def _real_diag_embed(m):
    """The real part of the diagonal of ``m`` as a diagonal matrix."""
    d = _diag_part(m)
    return _diag_embed(real(d) if is_complex(d) else d)


def _safe_inverse(x, zero):
    """``1 / x`` where ``zero`` (a raw mask) is False, and 0 where it is True."""
    return where(zero, 0, 1 / where(zero, 1, x))


def _inverse_gaps(w):
    """F[..., i, j] = 1 / (w_j - w_i) off the diagonal; 0 on it and for coinciding values."""
    gaps = expand_dims(w, -2) - expand_dims(w, -1)
    raw = raw_array(gaps)
    scale = numpy.max(numpy.abs(getval(w)), axis=-1, keepdims=True, initial=0)[..., None]
    tiny = numpy.abs(raw) <= 64 * numpy.finfo(raw.dtype).eps * scale
    return _safe_inverse(gaps, tiny | numpy.eye(raw.shape[-1], dtype=bool))


# --- reading a Hermitian matrix from one triangle -------------------------------------------
def hermitian_read(t, lower=True):
    """The Hermitian matrix numpy sees when it reads one triangle of ``t`` (and the real part
    of its diagonal)."""
    part = tril(t, -1) if lower else triu(t, 1)
    return part + _adjoint(part) + _real_diag_embed(t)


def _hermitian_read_vjp(p, lower=True):
    """The transpose of ``hermitian_read``: the cotangent folded onto the triangle read."""
    fold = p + _adjoint(p)
    return (tril(fold, -1) if lower else triu(fold, 1)) + _real_diag_embed(p)


# --- Cholesky -------------------------------------------------------------------------------
cholesky_lower = wrap(numpy.linalg.cholesky, "cholesky")


def _phi(x):
    """The lower triangle of ``x`` with its diagonal halved."""
    n = shape_of(x)[-1]
    weights = numpy.tri(n) - 0.5 * numpy.eye(n)
    return x * weights.astype(numpy.finfo(numpy.result_type(getval(x))).dtype)


def _cholesky_jvp(t, ans, a):
    inner = solve(ans, _adjoint(solve(ans, hermitian_read(t))))
    return matmul(ans, _phi(inner))


def _cholesky_vjp(ans, a):
    lt = transposed(ans)

    def vjp(g):
        z = solve(lt, _phi(matmul(lt, g)))
        p = transposed(solve(_conj(lt), transposed(z)))
        return _hermitian_read_vjp(p)

    return vjp


defvjp(cholesky_lower, _cholesky_vjp)
defjvp(cholesky_lower, _cholesky_jvp)


# --- Hermitian eigendecomposition -----------------------------------------------------------
def _eigh(a, UPLO="L"):
    return numpy.linalg.eigh(a, UPLO)


eigh_tuple = wrap(_eigh, "eigh")


def _eigh_jvp(t, ans, a, UPLO="L"):
    w, v = ans[0], ans[1]
    m = matmul(_adjoint(v), matmul(hermitian_read(t, UPLO.upper() == "L"), v))
    dw = _diag_part(m)
    return make_sequence(type(rawval(ans)), real(dw) if is_complex(dw) else dw,
                         matmul(v, _inverse_gaps(w) * m))


def _eigh_vjp(ans, a, UPLO="L"):
    w, v = ans[0], ans[1]
    gaps = _inverse_gaps(w)

    def vjp(g):
        core = _diag_embed(g[0]) + gaps * matmul(transposed(v), g[1])
        p = matmul(_conj(v), matmul(core, transposed(v)))
        return _hermitian_read_vjp(p, UPLO.upper() == "L")

    return vjp


defvjp(eigh_tuple, _eigh_vjp)
defjvp(eigh_tuple, _eigh_jvp)


# --- general eigendecomposition -------------------------------------------------------------
def _eig(a):
    return numpy.linalg.eig(a)


eig_tuple = wrap(_eig, "eig")


def _largest_entries(v):
    """A raw 0/1 mask of each column's largest entry, where LAPACK's eig makes a complex
    eigenvector real (its phase convention), and those entries' real parts."""
    raw = raw_array(v)
    mask = numpy.abs(raw) == numpy.max(numpy.abs(raw), axis=-2, keepdims=True)
    mask = mask & (numpy.cumsum(mask, axis=-2) == 1)  # the first of equal largest, as LAPACK
    mask = mask.astype(raw.real.dtype)
    return mask, real(sum(v * mask, axis=-2, keepdims=True))


def _eig_jvp(t, ans, a):
    """dP = V^-1 dA V: eigenvalues move by its diagonal, eigenvectors by V (F o dP), less the
    part along each vector that would change its unit length and, for complex vectors, the
    phase that keeps each one's largest entry real."""
    w, v = ans[0], ans[1]
    dp = solve(v, matmul(t, v))
    dv = matmul(v, _inverse_gaps(w) * dp)
    stretch = real(_diag_part(matmul(_adjoint(v), dv)))
    dv = dv - v * expand_dims(stretch, -2)
    if is_complex(dv):
        mask, largest = _largest_entries(v)
        dv = dv - 1j * v * (imag(sum(dv * mask, axis=-2, keepdims=True)) / largest)
    return make_sequence(type(rawval(ans)), _diag_part(dp), dv)


def _eig_vjp(ans, a):
    w, v = ans[0], ans[1]
    gaps = _inverse_gaps(w)
    real_input = not is_complex(a)

    def vjp(g):
        gw, gv = g[0], g[1]
        if is_complex(v):
            mask, largest = _largest_entries(v)
            gv = gv - 1j * mask * (imag(sum(gv * v, axis=-2, keepdims=True)) / largest)
        stretch = real(_diag_part(matmul(transposed(v), gv)))
        gv = gv - _conj(v) * expand_dims(stretch, -2)
        core = _diag_embed(gw) + gaps * matmul(transposed(v), gv)
        ga = solve(transposed(v), matmul(core, transposed(v)))
        return real(ga) if real_input and is_complex(ga) else ga

    return vjp


defvjp(eig_tuple, _eig_vjp)
defjvp(eig_tuple, _eig_jvp)


# --- singular value decomposition (reduced) -------------------------------------------------
def _svd(a):
    return numpy.linalg.svd(a, full_matrices=False)


svd_reduced = wrap(_svd, "svd")


def _inverse_sums(s):
    """E[..., i, j] = 1 / (s_j + s_i) off the diagonal; 0 on it and where both are 0."""
    sums = expand_dims(s, -2) + expand_dims(s, -1)
    raw = raw_array(sums)
    return _safe_inverse(sums, (raw == 0) | numpy.eye(raw.shape[-1], dtype=bool))


def _svd_parts(ans):
    """U, s, V, the inverse gaps and sums of singular values, and 1 / s (0 where s is 0).

    The singular-vector terms divide by s_j**2 - s_i**2 = (s_j - s_i)(s_j + s_i); they are
    split into a part over the gap, a rotation of u and v together that a function blind to
    the basis of a repeated singular value does not feel (so it is dropped there), and a part
    over the sum, which stays finite and is kept."""
    u, s, vh = ans[0], ans[1], ans[2]
    zero = raw_array(s) == 0
    return u, s, _adjoint(vh), _inverse_gaps(s), _inverse_sums(s), _safe_inverse(s, zero)


def _svd_jvp(t, ans, a):
    u, s, v, gaps, sums, s_inv = _svd_parts(ans)
    tv = matmul(t, v)
    dp = matmul(_adjoint(u), tv)
    dph = _adjoint(dp)
    rotation, stretch = gaps * (0.5 * (dp + dph)), sums * (0.5 * (dp - dph))
    du = matmul(u, rotation + stretch) + (tv - matmul(u, dp)) * expand_dims(s_inv, -2)
    tu = matmul(_adjoint(t), u)
    dv = matmul(v, rotation - stretch) + (tu - matmul(v, dph)) * expand_dims(s_inv, -2)
    ds = _diag_part(dp)
    if is_complex(dp):  # the phase left free by the diagonal of U^H dA V goes to u
        du = du + u * expand_dims(1j * imag(ds) * s_inv, -2)
        ds = real(ds)
    return make_sequence(type(rawval(ans)), du, ds, _adjoint(dv))


def _svd_vjp(ans, a):
    u, s, v, gaps, sums, s_inv = _svd_parts(ans)
    vh_bar = _conj(ans[2])  # V^T
    u_bar = _conj(u)

    def vjp(g):
        gu, gvh = g[0], g[2]
        j = matmul(transposed(u), gu)
        k = matmul(vh_bar, transposed(_conj(gvh)))
        skew_u, skew_v = j - _adjoint(j), k - _adjoint(k)
        core = (_diag_embed(g[1]) + gaps * (0.5 * (skew_u + skew_v))
                + sums * (0.5 * (skew_u - skew_v)))
        if is_complex(j):
            core = core + _diag_embed(1j * imag(_diag_part(j)) * s_inv)
        right = (matmul(core, vh_bar)
                 + expand_dims(s_inv, -1) * (gvh - matmul(matmul(gvh, transposed(ans[2])),
                                                         vh_bar)))
        left = (gu - matmul(u_bar, j)) * expand_dims(s_inv, -2)
        return matmul(u_bar, right) + matmul(left, vh_bar)

    return vjp


defvjp(svd_reduced, _svd_vjp)
defjvp(svd_reduced, _svd_jvp)


# --- singular value decomposition (full, non-square) ----------------------------------------
def _svd_full(a):
    return numpy.linalg.svd(a, full_matrices=True)


svd_full = wrap(_svd_full, "svd")


def _arbitrary_columns(a):
    m, n = shape_of(a)[-2:]
    return (f"the last {abs(m - n)} {'columns of u' if m > n else 'rows of vh'} of "
            f"svd(full_matrices=True) of a {m}x{n} matrix are an arbitrary basis of a null "
            "space, so they have no derivative; use only s, u[..., :k] and vh[..., :k, :] "
            f"(k = {min(m, n)}), or pass full_matrices=False")


def _svd_full_vjp(ans, a):
    """The reduced SVD's rule, when no cotangent reaches the arbitrary extra singular vectors
    (checked on the values, a guard under mlkit.jit)."""
    k = min(shape_of(a)[-2:])
    reduced = _svd_vjp((ans[0][..., :k], ans[1], ans[2][..., :k, :]), a)

    def vjp(g):
        if numpy.any(value_array(g[0][..., k:])) or numpy.any(value_array(g[2][..., k:, :])):
            raise NotImplementedError(_arbitrary_columns(a))
        return reduced((g[0][..., :k], g[1], g[2][..., :k, :]))

    return vjp


def _svd_full_jvp(t, ans, a):
    raise NotImplementedError(_arbitrary_columns(a) + " (forward mode gives every output a "
                              "tangent)")


defvjp(svd_full, _svd_full_vjp)
defjvp(svd_full, _svd_full_jvp)


# --- QR (reduced, m >= n) -------------------------------------------------------------------
def _qr(a):
    return numpy.linalg.qr(a, mode="reduced")


qr_reduced = wrap(_qr, "qr")


def _check_tall(a):
    m, n = shape_of(a)[-2:]
    if m < n:
        raise NotImplementedError(
            f"mlkit differentiates qr for matrices with at least as many rows as columns, got "
            f"{m}x{n}; differentiate qr of the transpose (an LQ decomposition) instead"
        )


def _skew_part(m):
    """Q^H dQ from M = Q^H dA R^-1: anti-Hermitian, with the imaginary diagonal that keeps
    the diagonal of R real (numpy's R has a real diagonal)."""
    lower = tril(m, -1)
    skew = lower - _adjoint(lower)
    if is_complex(m):
        skew = skew + _diag_embed(1j * imag(_diag_part(m)))
    return skew


def _qr_jvp(t, ans, a):
    _check_tall(a)
    q, r = ans[0], ans[1]
    x = transposed(solve(transposed(r), transposed(t)))
    m = matmul(_adjoint(q), x)
    upper_part = m - _skew_part(m)
    return make_sequence(type(rawval(ans)), x - matmul(q, upper_part), matmul(upper_part, r))


def _qr_vjp(ans, a):
    _check_tall(a)
    q, r = ans[0], ans[1]

    def vjp(g):
        b = matmul(g[1], transposed(r)) - matmul(transposed(q), g[0])
        m_bar = b - tril(b - _adjoint(b), -1)
        if is_complex(b):
            m_bar = m_bar - _diag_embed(1j * imag(_diag_part(b)))
        x_bar = g[0] + matmul(_conj(q), m_bar)
        return transposed(solve(r, transposed(x_bar)))

    return vjp


defvjp(qr_reduced, _qr_vjp)
defjvp(qr_reduced, _qr_jvp)
