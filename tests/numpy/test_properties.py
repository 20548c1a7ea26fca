"""Properties every derivative must have, on inputs drawn by hypothesis: linearity, agreement of
the operators with each other (jacobian, vjp, jvp, hvp, Hessians by two routes) and closed-form
third derivatives."""

import math

import numpy as onp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian, jacobian, make_hvp, make_jvp, make_vjp
from mlkit.scipy import special

M = onp.array([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0], [0.0, 0.4, 0.6]])

SCALAR_FUNCTIONS = {
    "sum sin(x) x": lambda x: np.sum(np.sin(x) * x),
    "sum exp(-x^2)": lambda x: np.sum(np.exp(-x * x)),
    "sum tanh(x M)": lambda x: np.sum(np.tanh(x @ M)),
    "logsumexp": lambda x: special.logsumexp(x),
    "x0 x1 + x2^2 cos x0": lambda x: x[0] * x[1] + x[2] ** 2 * np.cos(x[0]),
    "softplus norm": lambda x: np.sum(np.logaddexp(0.0, x)) * np.sqrt(1.0 + np.sum(x * x)),
}
VECTOR_FUNCTIONS = {
    "sin(x) x0": lambda x: np.sin(x) * x[0],
    "M tanh(x)": lambda x: M @ np.tanh(x),
    "cumsum x^2": lambda x: np.cumsum(x * x),
    "softmax": lambda x: special.softmax(x),
    "stack": lambda x: np.stack([x[0] * x[1], np.exp(x[2]), np.sum(x)]),
}

points = arrays(onp.float64, 3, elements=st.floats(-2.0, 2.0))
scalars = st.floats(-3.0, 3.0)
scalar_names = st.sampled_from(sorted(SCALAR_FUNCTIONS))
vector_names = st.sampled_from(sorted(VECTOR_FUNCTIONS))
checked = settings(max_examples=15, deadline=None)

TOL = {"rtol": 1e-8, "atol": 1e-10}


@checked
@given(points, scalars, scalars, scalar_names, scalar_names)
def test_the_gradient_is_linear_in_the_function(x, a, b, f_name, g_name):
    f, g = SCALAR_FUNCTIONS[f_name], SCALAR_FUNCTIONS[g_name]
    combined = grad(lambda x: a * f(x) + b * g(x))(x)
    assert_allclose(combined, a * grad(f)(x) + b * grad(g)(x), **TOL)


@checked
@given(points, points, scalars, vector_names)
def test_jvp_is_linear_in_the_tangent(x, v, a, f_name):
    jvp = make_jvp(VECTOR_FUNCTIONS[f_name])(x)
    u = onp.array([1.0, -2.0, 0.5])
    assert_allclose(jvp(a * v + u)[1], a * jvp(v)[1] + jvp(u)[1], **TOL)


@checked
@given(points, points, points, vector_names)
def test_jacobian_rows_are_vjps_and_columns_are_jvps(x, v, w, f_name):
    f = VECTOR_FUNCTIONS[f_name]
    jac = jacobian(f)(x)
    vjp, value = make_vjp(f)(x)
    assert_allclose(value, f(x))
    assert_allclose(vjp(w), w @ jac, **TOL)
    assert_allclose(make_jvp(f)(x)(v)[1], jac @ v, **TOL)
    for i, e in enumerate(onp.eye(3)):
        assert_allclose(vjp(e), jac[i], **TOL)
        assert_allclose(make_jvp(f)(x)(e)[1], jac[:, i], **TOL)


@checked
@given(points, points, scalar_names)
def test_hvp_equals_hessian_times_vector(x, v, f_name):
    f = SCALAR_FUNCTIONS[f_name]
    hvp, gradient = make_hvp(f)(x)
    assert_allclose(hvp(v), hessian(f)(x) @ v, **TOL)
    assert_allclose(gradient, grad(f)(x), **TOL)


@checked
@given(points, scalar_names)
def test_forward_over_reverse_hessian_equals_reverse_over_reverse(x, f_name):
    f = SCALAR_FUNCTIONS[f_name]
    reverse_over_reverse = jacobian(grad(f))(x)
    gradient_jvp = make_jvp(grad(f))(x)
    forward_over_reverse = onp.stack([gradient_jvp(e)[1] for e in onp.eye(3)], axis=1)
    reverse_over_forward = onp.stack(
        [grad(lambda y, _e=e: make_jvp(f)(y)(_e)[1])(x) for e in onp.eye(3)], axis=1)
    assert_allclose(forward_over_reverse, reverse_over_reverse, **TOL)
    assert_allclose(reverse_over_forward, reverse_over_reverse, **TOL)
    assert_allclose(reverse_over_reverse, reverse_over_reverse.T, **TOL)


THIRD_DERIVATIVES = {
    "sin(a t)": (lambda a: lambda t: np.sin(a * t), lambda a, t: -a ** 3 * math.cos(a * t)),
    "exp(a t)": (lambda a: lambda t: np.exp(a * t), lambda a, t: a ** 3 * math.exp(a * t)),
    "t^4 a": (lambda a: lambda t: a * t ** 4, lambda a, t: 24.0 * a * t),
    "log(1 + t^2)": (lambda a: lambda t: np.log1p(t * t),
                     lambda a, t: 4.0 * t * (t * t - 3.0) / (1.0 + t * t) ** 3),
    "tanh(t)": (lambda a: np.tanh,
                lambda a, t: -2.0 * (1 - math.tanh(t) ** 2) * (1 - 3 * math.tanh(t) ** 2)),
}


@checked
@given(st.floats(-1.5, 1.5), st.floats(-1.5, 1.5), st.sampled_from(sorted(THIRD_DERIVATIVES)))
def test_third_derivatives_of_known_functions(t, a, name):
    make, third = THIRD_DERIVATIVES[name]
    assert_allclose(grad(grad(grad(make(a))))(t), third(a, t), rtol=1e-8, atol=1e-8)
