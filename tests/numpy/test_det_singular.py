"""np.linalg.det at singular matrices (rank n-1 and n-2): the gradient is adj(A)^T and the
HVP its derivative, against signed determinants of the minors and their finite differences,
in both modes and under jit, float32 and complex kept; the cost stays O(n**3), far from the
minors' O(n**4) memory. Higher orders: test_det_singular_orders.py."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from peak import call_with_peak
from singular import cofactor_derivative, of_rank, total_det

from mlkit import grad, holomorphic_grad, jit, make_hvp, make_jvp

CASES = [((2, 2), 1), ((2, 2), 0), ((3, 3), 1), ((6, 6), 5), ((6, 6), 4), ((3, 5, 5), 4),
         ((2, 4, 4), 2), ((30, 30), 29), ((30, 30), 28)]


@pytest.mark.parametrize("shape, rank", CASES)
def test_gradient_and_hvp_in_both_modes_and_under_jit(shape, rank):
    a = of_rank(1, shape, rank)
    v = onp.random.default_rng(2).standard_normal(shape)
    scale = max(1.0, onp.abs(cofactor_derivative(a)).max())
    for gradient in (grad(total_det), jit(grad(total_det))):
        assert_allclose(gradient(a), cofactor_derivative(a), atol=1e-10 * scale)
    eps = 1e-6
    expected = (cofactor_derivative(a + eps * v) - cofactor_derivative(a - eps * v)) / (2 * eps)
    reverse = lambda x, w: make_hvp(total_det)(x)[0](w)  # noqa: E731
    forward = lambda x, w: make_jvp(grad(total_det))(x)(w)[1]  # noqa: E731
    assert onp.abs(expected).max() > 1e-3  # the HVP checked is not trivially zero
    for hvp in (reverse, forward, jit(reverse), jit(forward)):
        assert_allclose(hvp(a, v), expected, atol=1e-5 * onp.abs(expected).max())


@pytest.mark.parametrize("rank", [3, 2])
def test_complex_gradient_and_hvp_are_holomorphic(rank):
    a = of_rank(3, (2, 4, 4), rank, complex_=True)
    v = onp.random.default_rng(4).standard_normal(a.shape) * (1 - 0.3j)
    assert_allclose(holomorphic_grad(total_det)(a), cofactor_derivative(a), atol=1e-12)
    eps = 1e-6
    expected = (cofactor_derivative(a + eps * v) - cofactor_derivative(a - eps * v)) / (2 * eps)
    got = make_jvp(holomorphic_grad(total_det))(a)(v)[1]
    assert_allclose(got, expected, atol=1e-6 * onp.abs(expected).max())


def test_float32_stays_float32():
    a = of_rank(5, (2, 5, 5), 3).astype(onp.float32)
    v = onp.ones_like(a)
    g = grad(total_det)(a)
    h = make_hvp(total_det)(a)[0](v)
    assert g.dtype == h.dtype == onp.float32
    assert_allclose(g, cofactor_derivative(a.astype(float)), atol=1e-4)


def test_memory_is_far_below_the_minors_size():
    """The minors hold n**4 numbers (20 MB at n = 40 in float64); the adjugate a few n**2."""
    n = 40
    a = of_rank(6, (n, n), n - 1)
    v = onp.random.default_rng(7).standard_normal((n, n))
    _, grad_peak = call_with_peak(grad(total_det), a)
    _, hvp_peak = call_with_peak(lambda x: make_hvp(total_det)(x)[0](v), a)
    assert max(grad_peak, hvp_peak) < 8 * n ** 4 / 40, (grad_peak, hvp_peak)


def test_nonsingular_matrices_keep_the_inverse_rule():
    a = of_rank(9, (4, 4), 4)
    assert_array_equal(grad(total_det)(a), onp.linalg.det(a) * onp.linalg.inv(a).T)


@pytest.mark.parametrize("bad", [onp.nan, onp.inf])
def test_a_matrix_holding_a_nan_or_an_infinity_has_nan_cofactors_beside_singular_ones(bad):
    """numpy's SVD fails on such a matrix (det's rule read it to choose a path): its
    cofactors are nan, as det(A) A^-T gives them, and its neighbours' stay exact."""
    a = onp.stack([of_rank(8, (3, 3), 3), of_rank(9, (3, 3), 2), onp.eye(3)])
    a[2, 0, 1] = bad
    v = onp.random.default_rng(10).standard_normal(a.shape)
    for gradient in (grad(total_det), jit(grad(total_det))):
        for stack in (a, a[::2]):
            got = gradient(stack)
            assert onp.isnan(got[-1]).all()
            assert_allclose(got[:-1], cofactor_derivative(stack[:-1]), atol=1e-12)
    hvp = make_hvp(total_det)(a)[0](v)
    assert onp.isnan(hvp[2]).all()
    expected = cofactor_derivative(a[:2], (v[:2],))
    assert_allclose(hvp[:2], expected, atol=1e-12 * onp.abs(expected).max())
