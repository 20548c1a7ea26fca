"""The adjugate adj(A) = det(A) A^-1 of a stack of square matrices, exact at singular ones and
differentiable to every order in O(n**3): det's gradient where some matrix is singular (where
det(A) A^-T is 0 * inf).

At the point A0 = U S V^H (the SVD, read off the raw value), adj(A) = sign V adj(X) U^H with
X = S + U^H (A - A0) V and sign = det(U) det(V^H), an identity in A for these fixed U, V. X is
diagonal at the point, and adj(X) is taken by blocks: the leading singular values down to
``_RATIO`` of the largest form a block P that is safe to invert; with B = X_PP^-1 X_PN,
C = X_NP X_PP^-1 and the Schur complement Z = X_NN - X_NP B (diagonal at the point too),

    adj(X) = det(X_PP) [[det(Z) X_PP^-1 + B adj(Z) C, -B adj(Z)], [-adj(Z) C, adj(Z)]],

with adj(Z) and det(Z) found the same way, and as polynomials in Z's entries once the
singular values left are numerically zero, or small and few (``_frame``): the inverse of a
block of size s has derivatives of size 1 / s**k, which cancel to roundoff of that size, and
the polynomials (Faddeev-LeVerrier) lose accuracy over many spread values. Every step is a
traced mlkit.numpy call, so derivatives of any order are the formula's own (holomorphic for
complex A, without conjugation, as HIPS autograd takes them).
"""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.arrangement import trace
from mlkit.numpy.rules.base import conj, reshape, shape_of
from mlkit.numpy.rules.linalg import det, finite_or_identity, inv, small_ratio, transposed
from mlkit.numpy.rules.shape import concatenate
from mlkit.numpy.wrap import nondifferentiable, value_array

__all__ = ["adjugate"]

# Within a block the singular values differ by less than this factor, so that the roundoff of
# the block's adj as det(X_PP) X_PP^-1 and of its derivatives grows by at most ~1 / _RATIO**2.
_RATIO = 0.1
_SHORT = 4  # at most this many nonzero singular values in a tail taken by polynomials
_POLYNOMIAL = -1  # the label of the singular values taken by polynomials


def _frame(a):
    """U, S, V^H of each matrix of a (k, n, n) stack, det(U) det(V^H), and each singular
    value's block label: 0, 1, ... for blocks within ``_RATIO`` to invert, ``_POLYNOMIAL``
    for the tail past them: the numerically zero singular values (under matrix_rank's
    tolerance), and the small ones (under ``small_ratio`` of the largest) if at most
    ``_SHORT`` of them are not zero. A matrix holding an infinity or a nan is taken around
    the identity (its adj is nan, through A - A0)."""
    u, s, vh = numpy.linalg.svd(finite_or_identity(a))
    n = s.shape[-1]
    zero = s <= s[:, :1] * n * numpy.finfo(s.dtype).eps
    nonzero_after = numpy.cumsum(~zero[:, ::-1], axis=-1)[:, ::-1]
    tail = zero | ((s <= s[:, :1] * small_ratio(s.dtype)) & (nonzero_after <= _SHORT))
    labels = numpy.zeros(s.shape, int)
    head = s[:, 0]
    for i in range(1, n):
        new = s[:, i] < _RATIO * head
        head = numpy.where(new, s[:, i], head)
        labels[:, i] = labels[:, i - 1] + new
    labels[tail] = _POLYNOMIAL
    return u, s, vh, numpy.linalg.det(u) * numpy.linalg.det(vh), labels


_frame = nondifferentiable(_frame)  # under mlkit.jit a step of the program, run at replay


def adjugate(a):
    """adj(A) for each matrix of a stack ``a`` (..., n, n), n >= 1; see the module's note."""
    shape = shape_of(a)
    n = shape[-1]
    flat = reshape(a, (-1, n, n))
    u, s, vh, sign, labels = _frame(flat)
    # one block structure for each group of matrices (under mlkit.jit a guard)
    kinds, which = numpy.unique(value_array(labels), axis=0, return_inverse=True)
    which = which.reshape(-1)
    moved = flat - getval(flat)  # 0 at the point (under mlkit.jit at replay too), A's derivatives
    eye = numpy.eye(n, dtype=numpy.result_type(getval(flat)))
    parts, order = [], []
    for kind, labels_of_kind in enumerate(kinds):
        idx = numpy.flatnonzero(which == kind)
        left, right = conj(u[idx]), conj(vh[idx])  # U^H = conj(U)^T, V = conj(V^H)^T
        x = s[idx][:, :, None] * eye + transposed(left) @ moved[idx] @ transposed(right)
        adj_x = _block_adjugate(x, labels_of_kind)[0]
        parts.append(sign[idx][:, None, None] * (transposed(right) @ adj_x @ transposed(left)))
        order.append(idx)
    if len(parts) == 1:
        return reshape(parts[0], shape)
    joined = concatenate(parts, axis=0)
    return reshape(joined[numpy.argsort(numpy.concatenate(order))], shape)


def _block_adjugate(x, labels):
    """``(adj(X), det(X))`` for a (k, m, m) stack X that is diagonal at the point, with the
    singular values' block ``labels`` (one row for the whole stack)."""
    if labels[0] == _POLYNOMIAL:
        return _polynomial_adjugate(x)
    p = int(numpy.count_nonzero(labels == labels[0]))
    if p == len(labels):
        whole = det(x)
        return whole[:, None, None] * inv(x), whole
    inverse = inv(x[:, :p, :p])
    b = inverse @ x[:, :p, p:]
    c = x[:, p:, :p] @ inverse
    adj_z, det_z = _block_adjugate(x[:, p:, p:] - x[:, p:, :p] @ b, labels[p:])
    b_adj = b @ adj_z
    top = concatenate([det_z[:, None, None] * inverse + b_adj @ c, -b_adj], axis=-1)
    bottom = concatenate([-(adj_z @ c), adj_z], axis=-1)
    det_p = det(x[:, :p, :p])
    return det_p[:, None, None] * concatenate([top, bottom], axis=-2), det_p * det_z


def _polynomial_adjugate(x):
    """``(adj(X), det(X))`` of a (k, m, m) stack as polynomials in X's entries, for blocks
    with nothing to invert: Faddeev-LeVerrier's M_j = X M_(j-1) + c_(m-j+1) I with
    c_(m-j) = -tr(X M_j) / j (M_1 = I), then adj(X) = (-1)**(m+1) M_m, det(X) = (-1)**m c_0."""
    m = shape_of(x)[-1]
    eye = numpy.eye(m, dtype=numpy.result_type(getval(x)))
    if m == 1:
        return numpy.ones(shape_of(x), eye.dtype), x[:, 0, 0]
    power = eye
    coefficient = -trace(x, axis1=-2, axis2=-1)
    for j in range(2, m + 1):
        power = x @ power + coefficient[:, None, None] * eye
        coefficient = -trace(x @ power, axis1=-2, axis2=-1) / j
    return (-1) ** (m + 1) * power, (-1) ** m * coefficient
