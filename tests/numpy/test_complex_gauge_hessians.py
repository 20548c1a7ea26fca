"""Second derivatives of complex svd, eigh and eig through losses that do not depend on the
phase of each singular or eigenvector: reverse-over-reverse and forward-over-reverse Hessians
against central differences of the gradient, and the gradient against differences of the
loss (in the real and imaginary parts of the matrix)."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian, make_jvp

RNG = onp.random.default_rng(3)
A = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))


def _matrix(p):
    return np.reshape(p[:9] + 1j * p[9:], (3, 3))


def _hermitian(p):
    m = _matrix(p)
    return m + np.conj(m).T


LOSSES = {
    "sum |s|": lambda p: np.sum(np.abs(np.linalg.svd(_matrix(p), compute_uv=False))),
    "|u^H a v|^2": lambda p: (lambda u, s, vh: np.abs(np.conj(u[:, 0]) @ A @ np.conj(vh[0])) ** 2)(
        *np.linalg.svd(_matrix(p))),
    "eigh values": lambda p: np.sum(np.linalg.eigh(_hermitian(p))[0] ** 3),
    "|v^H a v|^2": lambda p: (lambda w, v: np.abs(np.conj(v[:, 0]) @ A @ v[:, 0]) ** 2)(
        *np.linalg.eigh(_hermitian(p))),
    "eig |w|^2": lambda p: np.sum(np.abs(np.linalg.eig(_matrix(p))[0]) ** 2),
    "eigvals real w^2": lambda p: np.real(np.sum(np.linalg.eigvals(_matrix(p)) ** 2)),
}


@pytest.mark.parametrize("name", LOSSES)
def test_phase_free_losses_of_complex_decompositions_have_the_right_hessian(name):
    f = LOSSES[name]
    p = onp.random.default_rng(7).standard_normal(18)
    h, basis = 1e-5, onp.eye(18)
    slope = onp.array([(f(p + h * e) - f(p - h * e)) / (2 * h) for e in basis])
    assert_allclose(grad(f)(p), slope, rtol=1e-6, atol=1e-6)
    differences = onp.stack([(grad(f)(p + h * e) - grad(f)(p - h * e)) / (2 * h)
                             for e in basis], axis=1)
    assert_allclose(hessian(f)(p), differences, rtol=1e-5, atol=1e-5)
    tangents = onp.stack([make_jvp(grad(f))(p)(e)[1] for e in basis], axis=1)
    assert_allclose(tangents, differences, rtol=1e-5, atol=1e-5)
