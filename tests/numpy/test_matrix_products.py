"""matmul's VJPs are products of transposed operands (one primitive): its derivatives of every
order, of stacks with broadcast batch axes too, and what a compiled second derivative reads."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, hessian_vector_product, jit
from mlkit.testing import check_grads

RNG = onp.random.default_rng(11)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((3, 4), (4, 2)),
    ((2, 3, 4), (4, 5)),         # a stack times one matrix: b's cotangent sums the stack
    ((1, 3, 4), (2, 4, 2)),      # batch axes broadcast from 1
    ((4,), (2, 4, 3)),           # a vector times a stack
])
def test_matmul_derivatives_to_third_order_in_both_modes(a_shape, b_shape):
    a, b = RNG.standard_normal(a_shape), RNG.standard_normal(b_shape)
    check_grads(lambda a, b: np.sin(a @ b), modes=["fwd", "rev"], order=3)(a, b)


def test_products_of_transposes_and_complex_factors_to_second_order():
    a = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))
    b = RNG.standard_normal((3, 2))
    check_grads(lambda a, b: np.tanh(a.T @ b), modes=["fwd", "rev"], order=2)(a, b)
    check_grads(lambda a, b: np.dot(b.T, a) ** 2, modes=["fwd", "rev"], order=2)(a, b)


def test_hessian_vector_product_of_a_bilinear_form_is_the_hand_derived_one():
    # f(A) = sum((X A Y)^2) / 2: H v = X^T X v Y Y^T, exactly linear in v.
    x, y = RNG.standard_normal((5, 3)), RNG.standard_normal((4, 2))
    a, v = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    got = hessian_vector_product(lambda a: np.sum((x @ a @ y) ** 2) / 2)(a, v)
    onp.testing.assert_allclose(got, x.T @ x @ v @ y @ y.T, rtol=1e-12)


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_a_compiled_mlp_hessian_vector_product_reads_no_transposed_product(dtype):
    x = RNG.standard_normal((32, 12)).astype(dtype)
    w1, w2 = (RNG.standard_normal(shape).astype(dtype) * 0.3 for shape in [(12, 16), (16, 3)])
    v1, v2 = (RNG.standard_normal(w.shape).astype(dtype) for w in (w1, w2))

    def loss(w):
        return np.sum(np.tanh(np.tanh(x @ w[0]) @ w[1]) ** 2)

    hvp = jit(hessian_vector_product(loss))
    listing = hvp.listing((w1, w2), (v1, v2))
    assert "swapaxes" not in listing and ".transpose(" not in listing
    want = hessian_vector_product(loss)((w1, w2), (v1, v2))
    for _ in range(2):  # the recording call, then a replay
        got = hvp((w1, w2), (v1, v2))
        for g, w in zip(got, want):
            assert g.dtype == dtype
            onp.testing.assert_array_equal(g, w)
    if dtype is onp.float64:  # and it is the derivative of the gradient along v
        step = 1e-6
        plus = grad(loss)((w1 + step * v1, w2 + step * v2))
        minus = grad(loss)((w1 - step * v1, w2 - step * v2))
        for g, p, m in zip(want, plus, minus):
            onp.testing.assert_allclose(g, (p - m) / (2 * step), rtol=1e-6, atol=1e-8)
