"""The adjugate adj(A) = det(A) A^-1 of a stack of square matrices, exact at singular ones,
in O(n**3): det's gradient where some matrix is singular (where det(A) A^-T is 0 * inf).

From the SVD A = U S V^H, adj(A) = adj(V^H) adj(S) adj(U) = det(U) det(V^H) V C U^H with C
diagonal, C_ii the product of the other singular values. Its derivative along T, with
D = U^H T V and q_ij the product of the singular values other than s_i and s_j, is
det(U) det(V^H) V M U^H, M_ii = sum_{k != i} q_ik D_kk and M_ij = -q_ij D_ij: the derivative of
adj at the diagonal S, a polynomial, so exact at any rank. Both are polynomials in A
(holomorphic for complex A, taken without conjugation as HIPS autograd does).
"""

import numpy

from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.numpy.rules.others import others_product
from mlkit.numpy.rules.shape import swapaxes
from mlkit.numpy.wrap import wrap

__all__ = ["adjugate"]


def _transposed(x):
    """The matrix transpose of every matrix in a stack, traced or not."""
    return swapaxes(x, -1, -2)


def _parts(a):
    """U, V, det(U) det(V^H) as a stack of 1x1 matrices, and q: q_ij the product of the
    singular values other than s_i and s_j (the other than s_i on the diagonal)."""
    u, s, vh = numpy.linalg.svd(a)
    n = s.shape[-1]
    skip_own = numpy.broadcast_to(s[..., None, :], s.shape + (n,)).copy()
    skip_own[..., numpy.arange(n), numpy.arange(n)] = 1  # row i leaves out s_i
    q = others_product(numpy.prod(skip_own, axis=-1), skip_own, -1, False)
    sign = (numpy.linalg.det(u) * numpy.linalg.det(vh))[..., None, None]
    return u, _transposed(vh).conj(), sign, q


def _adjugate(a):
    u, v, sign, q = _parts(a)
    others = numpy.diagonal(q, axis1=-2, axis2=-1)
    return sign * ((v * others[..., None, :]) @ _transposed(u).conj())


def _adjugate_derivative(a, t):
    """d adj(A) along t: linear in t, exact at any rank of A."""
    u, v, sign, q = _parts(a)
    n = q.shape[-1]
    q[..., numpy.arange(n), numpy.arange(n)] = 0
    d = _transposed(u).conj() @ t @ v
    m = -q * d
    diagonal = (q @ numpy.diagonal(d, axis1=-2, axis2=-1)[..., None])[..., 0]
    m[..., numpy.arange(n), numpy.arange(n)] = diagonal
    return sign * (v @ m @ _transposed(u).conj())


adjugate = wrap(_adjugate, "adjugate")
adjugate_derivative = wrap(_adjugate_derivative, "adjugate_derivative")


def _transposed_derivative(a, g):
    """The VJP of t -> adjugate_derivative(a, t): adj(A^T) = adj(A)^T makes that map's transpose
    g -> adjugate_derivative(a, g^T)^T."""
    return _transposed(adjugate_derivative(a, _transposed(g)))


def _no_third_derivative(*_):
    raise NotImplementedError(
        "np.linalg.det at a singular matrix: mlkit differentiates it to second order only "
        "(its third derivative there is not implemented); differentiate at a nonsingular "
        "matrix, or write the determinant of your structured matrix as a custom primitive")


defvjp(adjugate, lambda ans, a: lambda g: _transposed_derivative(a, g))
defjvp(adjugate, lambda t, ans, a: adjugate_derivative(a, t))
defvjp(adjugate_derivative, _no_third_derivative,
       lambda ans, a, t: lambda g: _transposed_derivative(a, g))
defjvp(adjugate_derivative, _no_third_derivative, argnums=(0,))
def_linear(adjugate_derivative, argnums=(1,))
