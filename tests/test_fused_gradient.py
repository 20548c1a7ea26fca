"""custom_vjp and with_fused_gradient: a hand-written first reverse derivative stands in for the
traced one, its residuals saved on the call's own node, and every other derivative still comes
from the engine differentiating the reference function."""

import gc
import weakref

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import (
    custom_vjp,
    grad,
    hessian,
    jacobian,
    make_hvp,
    make_jvp,
    make_vjp,
    value_and_grad,
    with_fused_gradient,
)
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


# --- custom_vjp ---------------------------------------------------------------------------
class Saved:
    """Residuals in an object that can be watched with a weak reference."""

    def __init__(self, x, A, z):
        self.x, self.A, self.z = x, A, z


def make_custom(log=None):
    """``reference`` in both arguments, with fwd/bwd that log what they are handed."""
    log = [] if log is None else log

    def fwd(x, A):
        z = A @ x
        saved = Saved(x, A, z)
        log.append(("fwd", saved))
        return onp.sum(onp.logaddexp(0.0, z)) + onp.sum(x ** 4), saved

    def bwd(saved, g):
        log.append(("bwd", saved))
        p = 1.0 / (1.0 + onp.exp(-saved.z))
        return g * (saved.A.T @ p + 4.0 * saved.x ** 3), g * onp.outer(p, saved.x)

    return custom_vjp(reference).defvjp(fwd, bwd), log


def test_custom_vjp_value_and_gradients_in_each_argument_match_the_reference():
    f, log = make_custom()
    for argnum in (0, 1):
        value, gradient = value_and_grad(f, argnum)(X, A)
        expected_value, expected_gradient = value_and_grad(reference, argnum)(X, A)
        assert_allclose(value, expected_value, rtol=1e-14)
        assert_allclose(gradient, expected_gradient, rtol=1e-13)
    assert [kind for kind, _ in log] == ["fwd", "bwd", "fwd", "bwd"]


def test_bwd_gets_the_residuals_its_own_call_saved():
    f, log = make_custom()

    def both(x):
        return f(x, A) + 2.0 * f(-x, A)

    assert_allclose(grad(both)(X), grad(lambda x: reference(x, A) + 2.0 * reference(-x, A))(X),
                    rtol=1e-13)
    saved = {kind: [s for k, s in log if k == kind] for kind in ("fwd", "bwd")}
    assert len(saved["fwd"]) == len(saved["bwd"]) == 2
    assert {id(s) for s in saved["bwd"]} == {id(s) for s in saved["fwd"]}


def test_interleaved_calls_keep_their_own_residuals():
    f, _ = make_custom()
    X2 = -2.0 * X
    vjp_1, _ = make_vjp(lambda x: f(x, A))(X)
    vjp_2, _ = make_vjp(lambda x: f(x, A))(X2)
    assert_allclose(vjp_1(3.0), 3.0 * grad(reference)(X, A), rtol=1e-13)
    assert_allclose(vjp_2(1.0), grad(reference)(X2, A), rtol=1e-13)
    assert_allclose(vjp_1(1.0), grad(reference)(X, A), rtol=1e-13)


def test_the_vjp_is_differentiable_in_its_cotangent():
    f, log = make_custom()
    vjp, _ = make_vjp(lambda x: f(x, A))(X)
    assert_allclose(grad(lambda g: vjp(g) @ V)(2.0), grad(reference)(X, A) @ V, rtol=1e-13)
    assert [kind for kind, _ in log] == ["fwd", "bwd"]


def test_residuals_live_on_the_node_and_nothing_keeps_them_after_the_call():
    f, log = make_custom()
    vjp, _ = make_vjp(lambda x: f(x, A))(X)
    watch = weakref.ref(log.pop()[1])
    gc.collect()
    assert watch() is not None  # the recorded node holds them while its VJP can run
    vjp(1.0)
    log.clear()
    del vjp
    gc.collect()
    assert watch() is None
    value_and_grad(f)(X, A)
    watches = [weakref.ref(saved) for _, saved in log]
    log.clear()
    gc.collect()
    assert watches and all(w() is None for w in watches)


def test_an_untraced_call_and_forward_mode_run_the_reference_not_fwd():
    f, log = make_custom()
    assert_allclose(f(X, A), reference(X, A), rtol=1e-15)
    assert_allclose(make_jvp(f)(X, A)(V)[1], onp.dot(grad(reference)(X, A), V), rtol=1e-12)
    assert log == []


@pytest.mark.parametrize("argnum", [0, 1])
def test_custom_vjp_higher_derivatives_check_against_finite_differences(argnum):
    f, _ = make_custom()
    args = [X, A]

    def partial(value):
        return f(*[value if i == argnum else a for i, a in enumerate(args)])

    check_grads(partial, modes=("fwd", "rev"), order=2)(args[argnum])


def test_mixed_derivative_across_two_traces_is_the_references():
    """x and A traced by two different traces: fwd and bwd cannot see that A depends on the
    outer one, so the reference runs and the mixed second derivative is exact."""
    f, _ = make_custom()

    def mixed(fun):
        return jacobian(lambda a: grad(lambda x: fun(x, a))(X))(A)

    assert_allclose(mixed(f), mixed(reference), rtol=1e-12)


def test_argnums_limits_fwd_and_bwd_to_those_arguments():
    log = []
    f, _ = make_custom(log)
    only_x = custom_vjp(reference, argnums=(0,)).defvjp(
        f.fwd, lambda saved, g: f.bwd(saved, g)[:1])
    assert_allclose(grad(only_x, 1)(X, A), grad(reference, 1)(X, A), rtol=1e-13)
    assert log == []  # A is not in argnums: the reference ran
    assert_allclose(grad(only_x)(X, A), grad(reference)(X, A), rtol=1e-13)
    assert [kind for kind, _ in log] == ["fwd", "bwd"]


def test_a_bwd_of_the_wrong_shape_or_with_none_is_refused():
    f, _ = make_custom()
    short = custom_vjp(reference).defvjp(f.fwd, lambda saved, g: f.bwd(saved, g)[:1])
    with pytest.raises(ValueError, match=r"must return a tuple of 2 cotangent\(s\)"):
        grad(short)(X, A)
    no_x = custom_vjp(reference).defvjp(f.fwd, lambda saved, g: (None, f.bwd(saved, g)[1]))
    with pytest.raises(ValueError, match="returned None for argument 0"):
        grad(no_x)(X, A)
    assert_allclose(grad(no_x, 1)(X, A), grad(reference, 1)(X, A), rtol=1e-13)


def test_custom_vjp_without_rules_is_the_reference():
    plain = custom_vjp(reference)
    assert_allclose(grad(plain)(X, A), grad(reference)(X, A), rtol=1e-15)
    assert plain.__name__ == "reference"


# --- with_fused_gradient --------------------------------------------------------------------
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


def test_the_other_arguments_are_differentiated_through_the_reference():
    swapped = with_fused_gradient(lambda A, x: reference(x, A), lambda A, x: kernel(x, A),
                                  argnum=1)
    assert_allclose(grad(swapped, 1)(A, X), grad(reference)(X, A), rtol=1e-13)
    assert_allclose(grad(swapped, 0)(A, X), grad(reference, 1)(X, A), rtol=1e-13)


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
    hvp = make_hvp(fused)(x32, A32)[0](V.astype(onp.float32))
    assert hvp.dtype == onp.float32
    assert_allclose(hvp, make_hvp(reference)(X, A)[0](V), rtol=1e-4)


@pytest.mark.parametrize("as_value", [onp.asarray, float])
def test_jit_records_the_kernel_whole_and_matches_the_eager_gradient_bit_for_bit(as_value):
    import mlkit

    calls = []

    def reference(x, y):
        return np.sum((x - y) ** 2)

    def kernel(x, y):
        calls.append(1)
        return as_value(onp.sum((x - y) ** 2)), 2 * (x - y)

    f = with_fused_gradient(reference, kernel)
    step = mlkit.jit(mlkit.value_and_grad(f))
    rng = onp.random.default_rng(0)
    for _ in range(3):
        x, y = rng.standard_normal(5), rng.standard_normal(5)
        value, gradient = step(x, y)
        eager_value, eager_gradient = mlkit.value_and_grad(f)(x, y)
        assert value == eager_value
        onp.testing.assert_array_equal(gradient, eager_gradient)
    assert len(calls) == 6  # the kernel ran at every call, recorded or replayed
    assert step.cache_info() == {"signatures": 1, "paths": [1]}
