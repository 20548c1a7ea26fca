"""with_fused_gradient: a kernel's gradient stands in for the traced one, and derivatives of
any order beyond it still come from the engine differentiating the reference function."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian, make_hvp, make_jvp, value_and_grad, with_fused_gradient
from mlkit.testing import check_grads

A = onp.random.default_rng(0).standard_normal((7, 3))
X = onp.array([0.4, -0.3, 0.8])
V = onp.array([1.0, 0.5, -2.0])


def reference(x, A, scale=1.0):
    """A softplus regression loss plus a quartic term: curved enough for third derivatives."""
    return scale * (np.sum(np.logaddexp(0.0, A @ x)) + np.sum(x ** 4))


def kernel(x, A, scale=1.0):
    z = A @ x
    value = scale * (onp.sum(onp.logaddexp(0.0, z)) + onp.sum(x ** 4))
    return value, scale * (A.T @ (1.0 / (1.0 + onp.exp(-z))) + 4.0 * x ** 3)


fused = with_fused_gradient(reference, kernel)


def test_value_and_gradient_match_the_reference():
    value, gradient = value_and_grad(fused)(X, A, scale=2.0)
    expected_value, expected_gradient = value_and_grad(reference)(X, A, scale=2.0)
    assert_allclose(value, expected_value, rtol=1e-14)
    assert_allclose(gradient, expected_gradient, rtol=1e-13)


def test_the_first_derivative_is_the_kernels_own():
    """A kernel that returns a wrong gradient is trusted: the first derivative is the kernel's
    (so tests of a kernel must compare it with the reference, as this file does)."""
    wrong = with_fused_gradient(reference, lambda x, A: (kernel(x, A)[0], onp.zeros(3)))
    assert_allclose(grad(wrong)(X, A), onp.zeros(3))
    assert_allclose(wrong(X, A), reference(X, A))


@pytest.mark.parametrize("order", [2, 3])
def test_higher_derivatives_are_the_references_in_both_modes(order):
    check_grads(lambda x: fused(x, A), modes=("fwd", "rev"), order=order)(X)


def test_hessian_forward_mode_and_hvp_equal_the_references():
    assert_allclose(hessian(fused)(X, A), hessian(reference)(X, A), rtol=1e-12)
    assert_allclose(make_jvp(fused)(X, A)(V)[1], onp.dot(grad(reference)(X, A), V), rtol=1e-12)
    hvp, gradient = make_hvp(fused)(X, A)
    assert_allclose(hvp(V), make_hvp(reference)(X, A)[0](V), rtol=1e-12)
    assert_allclose(gradient, grad(reference)(X, A), rtol=1e-13)


def test_composes_with_traced_code_around_it():
    def outer(x):
        return np.sin(fused(2.0 * x, A)) + np.sum(x ** 2)

    def outer_reference(x):
        return np.sin(reference(2.0 * x, A)) + np.sum(x ** 2)

    assert_allclose(grad(outer)(X), grad(outer_reference)(X), rtol=1e-12)
    assert_allclose(hessian(outer)(X), hessian(outer_reference)(X), rtol=1e-10)


def test_another_argnum_is_differentiated_and_the_rest_held_constant():
    swapped = with_fused_gradient(lambda A, x: reference(x, A), lambda A, x: kernel(x, A),
                                  argnum=1)
    assert_allclose(grad(swapped, 1)(A, X), grad(reference)(X, A), rtol=1e-13)
    with pytest.raises(NotImplementedError, match="argument 0 of with_fused_gradient"):
        grad(swapped, 0)(A, X)


def test_a_tuple_argnum_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="argnum must be an int"):
        with_fused_gradient(reference, kernel, argnum=(0, 1))


def test_several_calls_in_one_function_each_get_their_own_gradient():
    def twice(x):
        return fused(x, A) + 3.0 * fused(-x, A, scale=0.5)

    def twice_reference(x):
        return reference(x, A) + 3.0 * reference(-x, A, scale=0.5)

    assert_allclose(grad(twice)(X), grad(twice_reference)(X), rtol=1e-13)


def test_float32_stays_float32():
    x32, A32 = X.astype(onp.float32), A.astype(onp.float32)
    value, gradient = value_and_grad(fused)(x32, A32)
    assert value.dtype == onp.float32 and gradient.dtype == onp.float32
    assert_allclose(gradient, grad(reference)(X, A), rtol=1e-5)
