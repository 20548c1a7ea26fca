"""Singular matrices of a chosen rank, and det's derivatives there computed without mlkit:
what the tests of det at singular matrices check against."""

import itertools

import numpy as onp

import mlkit.numpy as np


def of_rank(seed, shape, rank, complex_=False, values=None):
    """Random singular vectors, singular values ``values`` (by default in [0.8, 1.25]) past
    which n - rank are 0: with the default, det's derivatives stay O(1), so roundoff stays small."""
    rng = onp.random.default_rng(seed)
    n = shape[-1]
    u = onp.linalg.qr(rng.standard_normal(shape))[0]
    v = onp.linalg.qr(rng.standard_normal(shape))[0]
    values = onp.linspace(0.8, 1.25, n) if values is None else onp.asarray(values)
    s = onp.where(onp.arange(n) < rank, values, 0.0)
    a = (u * s[..., None, :]) @ onp.swapaxes(v, -1, -2)
    return a * (1 + 0.5j) if complex_ else a


def total_det(a):
    return np.sum(np.linalg.det(a))


def cofactor_derivative(a, directions=()):
    """The derivative of det's gradient at each matrix of a stack ``a`` along ``directions``
    (stacks like ``a``), by det's linearity in each row: entry (i, j) sums, over the ordered
    choices of other rows, the determinant of ``a`` with row i made e_j and the chosen rows
    taken from the directions in turn. With no direction, the signed minors (cofactors)."""
    n = a.shape[-1]
    dtype = onp.result_type(a, *directions)
    out = onp.zeros(a.shape, dtype)
    for i in range(n):
        for rows in itertools.permutations([r for r in range(n) if r != i], len(directions)):
            m = a.astype(dtype)
            for direction, row in zip(directions, rows):
                m[..., row, :] = direction[..., row, :]
            m = onp.repeat(m[..., None, :, :], n, axis=-3)  # copy j of the matrix ...
            m[..., i, :] = onp.eye(n)  # ... has e_j for its row i
            out[..., i, :] += onp.linalg.det(m)
    return out
