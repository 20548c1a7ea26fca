"""Every differential operator of mlkit.__all__ against derivatives worked out by hand, plus
containers, the complex convention, deep graphs and subgradients at kinks."""

import collections
import inspect
import pathlib
import warnings

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit
import mlkit.numpy as np
from mlkit import (
    checkpoint,
    deriv,
    elementwise_grad,
    grad,
    grad_and_aux,
    grad_named,
    hessian,
    hessian_tensor_product,
    hessian_vector_product,
    holomorphic_grad,
    jacobian,
    make_ggnvp,
    make_hvp,
    make_jvp,
    make_vjp,
    value_and_grad,
    vector_jacobian_product,
)
from mlkit.builtins import tuple as traced_tuple
from mlkit.testing import check_grads

X = onp.array([0.5, -1.2, 2.0])
A = onp.array([[1.0, 2.0, 0.5], [-1.0, 0.3, 2.0]])
S = onp.array([[2.0, 0.5, 0.1], [0.3, 1.0, -0.4], [0.0, 0.7, 3.0]])


def cubic(x):
    return np.sum(x ** 3)


# --- gradients ------------------------------------------------------------------------------
def test_grad_of_each_argument_and_of_a_tuple_of_them():
    def f(x, y):
        return x * x * y + np.sin(y)

    assert_allclose(grad(f)(2.0, 3.0), 12.0)
    assert_allclose(grad(f, argnum=1)(2.0, 3.0), 4.0 + onp.cos(3.0))
    gx, gy = grad(f, argnum=(0, 1))(2.0, 3.0)
    assert_allclose((gx, gy), (12.0, 4.0 + onp.cos(3.0)))
    assert type(gx) is onp.float64 and type(gy) is onp.float64  # numpy scalars, as for argnum=0


def test_a_negative_argnum_counts_from_the_end_as_in_check_grads():
    def f(x, y, z):
        return x * y * y + z ** 3

    assert_allclose(grad(f, argnum=-2)(2.0, 3.0, 5.0), 12.0)
    assert_allclose(grad(f, argnum=-1)(2.0, 3.0, 5.0), 75.0)
    gx, gz = grad(f, argnum=(0, -1))(2.0, 3.0, 5.0)
    assert_allclose((gx, gz), (9.0, 75.0))
    check_grads(f, argnum=-2, order=1)(2.0, 3.0, 5.0)


@pytest.mark.parametrize("argnum", [2, -3, (0, 2)])
def test_an_argnum_out_of_range_names_the_function_and_the_count(argnum):
    def f(x, y):
        return x * y

    with pytest.raises(TypeError, match=r"f was given 2 arguments, so argnum (2|-3) is out of"):
        grad(f, argnum)(2.0, 3.0)


def test_grad_keeps_keyword_arguments_constant():
    def f(x, scale=1.0):
        return scale * np.sum(x * x)

    assert_allclose(grad(f)(X, scale=3.0), 6.0 * X)


@pytest.mark.parametrize("argnum", [0, 1, (0, 1)])
def test_a_constant_output_warns_naming_the_function(argnum):
    def constant(x, y):
        return 3.0

    with pytest.warns(UserWarning, match="output of constant does not depend on its input"):
        zero = grad(constant, argnum)(1.0, 2.0)
    assert onp.all(onp.asarray(zero) == 0.0)
    # a filter written for HIPS autograd's wording of the warning silences it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", "Output seems independent")
        grad(constant, argnum)(1.0, 2.0)


def test_value_and_grad():
    value, gradient = value_and_grad(cubic)(X)
    assert_allclose(value, onp.sum(X ** 3))
    assert_allclose(gradient, 3 * X ** 2)


def test_grad_and_aux_passes_aux_through_untouched():
    def f(x):
        return np.sum(np.exp(x)), {"note": "kept", "n": 3, "first": x[0] * 2.0}

    gradient, aux = grad_and_aux(f)(X)
    assert_allclose(gradient, onp.exp(X))
    assert aux == {"note": "kept", "n": 3, "first": 2 * X[0]}
    assert type(aux["first"]) is onp.float64  # a plain value, no longer traced


def test_elementwise_grad_and_deriv():
    assert_allclose(elementwise_grad(np.tanh)(X), 1 - onp.tanh(X) ** 2)
    assert_allclose(deriv(np.sin)(0.3), onp.cos(0.3))
    assert_allclose(deriv(lambda t: t ** 3)(2.0), 12.0)


def test_grad_named():
    def f(w, bias):
        return np.sum(w * bias ** 2)

    assert_allclose(grad_named(f, "bias")(X, 3.0), 6.0 * onp.sum(X))
    with pytest.raises(TypeError, match="no argument named 'b'.*'w', 'bias'"):
        grad_named(f, "b")


def test_higher_order_grads_of_known_functions():
    assert_allclose(grad(grad(grad(lambda x: x ** 4)))(1.5), 24 * 1.5)
    assert_allclose(grad(grad(grad(np.sin)))(0.7), -onp.cos(0.7))
    assert_allclose(grad(grad(lambda x: np.exp(2.0 * x)))(0.1), 4 * onp.exp(0.2))


# --- Jacobians and Hessians -----------------------------------------------------------------
def test_jacobian_of_a_linear_map_is_its_matrix():
    assert_allclose(jacobian(lambda x: A @ x)(X), A)
    assert jacobian(lambda x: A @ x)(X).shape == (2, 3)


def test_jacobian_shape_is_output_shape_then_input_shape():
    x = onp.arange(6.0).reshape(2, 3)
    jac = jacobian(lambda m: m * m)(x)
    assert jac.shape == (2, 3, 2, 3)
    assert_allclose(jac.reshape(6, 6), onp.diag(2 * x.ravel()))


def test_jacobian_with_respect_to_two_arguments():
    y = onp.array([3.0, 4.0, 5.0])
    jx, jy = jacobian(lambda x, y: x * y, argnum=(0, 1))(X, y)
    assert_allclose(jx, onp.diag(y))
    assert_allclose(jy, onp.diag(X))


def test_jacobian_of_dict_output_and_tuple_input():
    y = onp.array([1.0, 2.0, 3.0])
    jac = jacobian(lambda x, y: {"prod": x * y, "total": np.sum(x)}, argnum=(0, 1))(X, y)
    assert set(jac) == {"prod", "total"}
    assert_allclose(jac["prod"][0], onp.diag(y))
    assert_allclose(jac["prod"][1], onp.diag(X))
    assert_allclose(jac["total"][0], onp.ones(3))
    assert_allclose(jac["total"][1], onp.zeros(3))


def test_jacobian_of_dict_input_and_list_output():
    params = {"a": onp.array([1.0, 2.0]), "b": (3.0,)}
    jac = jacobian(lambda d: [d["a"] * 2.0, d["b"][0] * d["a"]])(params)
    assert_allclose(jac[0]["a"], 2 * onp.eye(2))
    assert_allclose(jac[0]["b"][0], onp.zeros(2))
    assert_allclose(jac[1]["a"], 3 * onp.eye(2))
    assert_allclose(jac[1]["b"][0], params["a"])



def test_jacobian_of_a_one_leaf_container_keeps_its_structure():
    # A dict, list or tuple ``argnum`` of one array was returned as the bare matrix.
    jac = jacobian(lambda d: np.sum(d["a"] ** 2) * onp.array([1.0, 2.0]))({"a": X[:2]})
    assert_allclose(jac["a"], [2 * X[:2], 4 * X[:2]])
    (only,) = jacobian(lambda x: [x ** 2])(X)
    assert_allclose(only, onp.diag(2 * X))
    (d_x,) = jacobian(lambda x: x ** 3, argnum=(0,))(X)
    assert_allclose(d_x, onp.diag(3 * X ** 2))
    assert_allclose(hessian(lambda t: np.sum(t[0] ** 3))((X,))[0][0], onp.diag(6 * X))


def test_hessian():
    assert_allclose(hessian(cubic)(X), onp.diag(6 * X))
    assert_allclose(hessian(lambda x: x @ S @ x)(X), S + S.T)


def test_jacobian_of_jacobian_and_mixed_nesting():
    second = jacobian(jacobian(lambda x: np.sin(x) * x[0]))(X)
    assert second.shape == (3, 3, 3)
    # d2/dx_j dx_k of sin(x_i) x_0
    expected = onp.zeros((3, 3, 3))
    for i in range(3):
        expected[i, i, i] += -onp.sin(X[i]) * X[0]
        expected[i, i, 0] += onp.cos(X[i])
        expected[i, 0, i] += onp.cos(X[i])
    assert_allclose(second, expected)


# --- products with vectors ------------------------------------------------------------------
V = onp.array([0.3, -0.2, 1.0])


def quartic(x):
    return np.sum(np.sin(x) * x ** 2) + x[0] * x[1] * x[2]


def test_make_hvp_and_hessian_tensor_product_equal_hessian_times_vector():
    h = hessian(quartic)(X)
    hvp, gradient = make_hvp(quartic)(X)
    assert_allclose(hvp(V), h @ V)
    assert_allclose(gradient, grad(quartic)(X))
    assert_allclose(hessian_tensor_product(quartic)(X, V), h @ V)
    assert_allclose(hessian_vector_product(quartic)(X, V), h @ V)


def _softplus_of_affine(w, b, scale=1.0):
    return scale * np.sum(np.log1p(np.exp(A @ w + b)) ** 2)


def _tanh_quadratic(W):
    return np.sum(np.tanh(W @ S) ** 2) + np.sum(W ** 3)


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_hessian_vector_product_equals_explicit_hessian_times_vector(dtype):
    rng = onp.random.default_rng(3)
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == onp.float32 else {"rtol": 1e-10}
    w, b = rng.standard_normal(3).astype(dtype), rng.standard_normal(2).astype(dtype)
    W, V_mat = (rng.standard_normal((2, 3)).astype(dtype) for _ in range(2))
    vw, vb = rng.standard_normal(3).astype(dtype), rng.standard_normal(2).astype(dtype)
    cases = [  # (function, argnum, arguments, vector, explicit Hessian times vector)
        (quartic, 0, (X.astype(dtype),), V.astype(dtype),
         hessian(quartic)(X.astype(dtype)) @ V.astype(dtype)),
        (_tanh_quadratic, 0, (W,), V_mat,
         onp.tensordot(hessian(_tanh_quadratic)(W), V_mat, 2)),
        (_softplus_of_affine, 1, (w, b), vb,
         hessian(_softplus_of_affine, argnum=1)(w, b) @ vb),
    ]
    for fun, argnum, args, vector, expected in cases:
        got = hessian_vector_product(fun, argnum)(*args, vector)
        assert got.dtype == dtype and got.shape == vector.shape
        assert_allclose(got, expected, **tol)
    # A tuple of parameters: the explicit Hessian of the flattened function, split back.
    flat = lambda z: _softplus_of_affine(z[:3], z[3:], scale=2.0)  # noqa: E731
    expected = hessian(flat)(onp.concatenate([w, b])) @ onp.concatenate([vw, vb])
    got_w, got_b = hessian_vector_product(lambda p, scale: _softplus_of_affine(*p, scale=scale))(
        (w, b), 2.0, (vw, vb))
    assert got_w.dtype == got_b.dtype == dtype
    assert_allclose(onp.concatenate([got_w, got_b]), expected, **tol)


def test_make_jvp_make_vjp_and_vector_jacobian_product():
    def f(x):
        return np.stack([x[0] * x[1], np.exp(x[2]), np.sum(x ** 2)])

    jac = jacobian(f)(X)
    value, tangent = make_jvp(f)(X)(V)
    assert_allclose(value, f(X))
    assert_allclose(tangent, jac @ V)
    vjp, value = make_vjp(f)(X)
    w = onp.array([1.0, -2.0, 0.5])
    assert_allclose(value, f(X))
    assert_allclose(vjp(w), w @ jac)
    assert_allclose(vector_jacobian_product(f)(X, w), w @ jac)


def test_make_vjp_refuses_a_cotangent_of_another_size():
    """A cotangent of the wrong size is named as such (HIPS autograd returns a wrong-shaped
    answer); one of the output's size in another shape is taken in the output's shape."""
    vjp, _ = make_vjp(lambda x: x * 2.0)(onp.ones(2))
    for bad in (1.0, onp.ones(1), onp.ones((1, 1)), onp.ones(3)):
        with pytest.raises(ValueError, match=r"cotangent has shape .* output has shape \(2,\)"):
            vjp(bad)
    assert_allclose(vjp(onp.array([[1.0, -3.0]])), [2.0, -6.0])
    x = onp.array([0.5, 1.0, 2.0])  # reshaped for every rule, broadcasting ones included
    vjp_sin, _ = make_vjp(lambda x: np.sin(x) * 2.0)(x)
    assert_allclose(vjp_sin(onp.array([[1.0], [0.0], [-1.0]])),
                    [2 * onp.cos(0.5), 0.0, -2 * onp.cos(2.0)])
    vjp_one, _ = make_vjp(lambda x: np.exp(x) + onp.zeros((1, 1)))(onp.ones(1))
    assert_allclose(vjp_one(3.0), [3 * onp.e])
    vjp_tuple, _ = make_vjp(lambda t: t[0] * t[1])((onp.ones(2), onp.full(2, 3.0)))
    with pytest.raises(ValueError, match="cotangent has shape"):
        vjp_tuple(onp.ones(4))


def test_make_jvp_reversemode_pushes_forward_through_reverse_only_rules():
    """Two reverse passes give J v, also through a primitive that has a VJP and no JVP."""

    @mlkit.primitive
    def cube(x):
        return x ** 3

    mlkit.defvjp(cube, lambda ans, x: lambda g: 3 * x ** 2 * g)

    def f(x):
        return np.stack([x[0] * x[1], np.exp(x[2]), np.sum(cube(x))])

    jvp = mlkit.operators.make_jvp_reversemode(f)(X)
    assert_allclose(jvp(V), jacobian(f)(X) @ V, rtol=1e-12)
    assert_allclose(jvp(2 * V), 2 * jvp(V), rtol=1e-12)
    with pytest.raises(NotImplementedError):
        make_jvp(f)(X)(V)
    # a function of a 1-d vector to a matrix, the other argument held constant
    g = mlkit.operators.make_jvp_reversemode(lambda a, x: np.outer(x, np.sin(a * x)), argnum=1)
    assert_allclose(g(2.0, X)(V), make_jvp(lambda x: np.outer(x, np.sin(2.0 * x)))(X)(V)[1],
                    rtol=1e-12)


def test_make_ggnvp_equals_jt_h_j_formed_explicitly():
    def f(x):
        return np.tanh(A @ x)

    def loss(y):
        return np.sum(np.log1p(y * y)) + y[0] * y[1]

    jac = jacobian(f)(X)
    h = hessian(loss)(f(X))
    assert_allclose(make_ggnvp(f, loss)(X)(V), jac.T @ h @ jac @ V)
    # The default loss is half the squared norm: H = I.
    assert_allclose(make_ggnvp(f)(X)(V), jac.T @ jac @ V)


# --- complex --------------------------------------------------------------------------------
def test_holomorphic_grad_of_z_squared_is_2z():
    z = 1.0 + 2.0j
    assert_allclose(holomorphic_grad(lambda z: z * z)(z), 2 * z)
    zs = onp.array([0.5 - 1j, 2 + 0.3j])
    assert_allclose(holomorphic_grad(lambda z: np.sum(np.exp(z)))(zs), onp.exp(zs))


def test_holomorphic_grad_nests_and_refuses_a_function_that_is_not_holomorphic():
    z = 1.0 + 2.0j
    assert_allclose(holomorphic_grad(holomorphic_grad(lambda z: z ** 3))(z), 6 * z)
    for f in (np.conj, lambda z: np.abs(z) ** 2, lambda z: z + 1e-3 * np.real(z)):
        with pytest.raises(ValueError, match="holomorphic_grad: .* is not holomorphic"):
            holomorphic_grad(f)(z)


def test_holomorphic_grad_over_a_tuple_argnum_gives_each_arguments_derivative():
    # A dispersive model eps(eps_inf, poles, f) = eps_inf + sum_k a_k / (i f - b_k), derived
    # with respect to eps_inf and the (a, b) poles at once: 1, 1 / (i f - b), a / (i f - b)^2.
    def eps_model(eps_inf, poles, f):
        return eps_inf + np.sum(poles[:, 0] / (1j * f - poles[:, 1]))

    poles = onp.array([[1 + 1j, 2 - 1j], [0.5j, 3.0 + 0j]])
    d_inf, d_poles = holomorphic_grad(eps_model, argnum=(0, 1))(2.0 + 0j, poles, 0.7 + 0j)
    gap = 1j * 0.7 - poles[:, 1]
    assert d_inf == 1.0
    assert_allclose(d_poles, onp.stack([1 / gap, poles[:, 0] / gap ** 2], axis=1), rtol=1e-14)
    with pytest.raises(ValueError, match="is not holomorphic"):  # conj(b): none in b
        holomorphic_grad(lambda a, b: a * np.conj(b), argnum=(0, 1))(1.0 + 1j, 2.0 + 0.5j)


def test_holomorphic_grad_of_a_real_input_warns_as_autograd_does_and_gives_the_derivative():
    # HIPS autograd warns "Input to holomorphic_grad is not complex" and returns f'(x).
    with pytest.warns(UserWarning, match="Input to holomorphic_grad is not complex: .*cube"):
        assert_allclose(holomorphic_grad(cube)(1.5), 3 * 1.5**2)
    with pytest.warns(UserWarning, match="not complex"):
        assert_allclose(holomorphic_grad(cube)(X), 3 * X**2)


def cube(x):
    return np.sum(x**3)


@pytest.mark.parametrize("f", [
    lambda z: np.abs(z) ** 2,
    lambda z: np.real(z * np.sin(z)),
    lambda z: np.imag(np.exp(z)) + np.real(z) ** 3,
    lambda z: np.angle(z),
], ids=["abs2", "re(z sin z)", "im(exp z)+re^3", "angle"])
def test_grad_of_a_real_function_of_z_is_df_dx_minus_i_df_dy(f):
    z, eps = 0.7 - 0.4j, 1e-6
    df_dx = (f(z + eps) - f(z - eps)) / (2 * eps)
    df_dy = (f(z + 1j * eps) - f(z - 1j * eps)) / (2 * eps)
    assert_allclose(grad(f)(z), df_dx - 1j * df_dy, rtol=1e-6)


def test_abs_squared_gradient_is_twice_the_conjugate():
    z = onp.array([1.0 + 2.0j, -0.5 + 0.1j])
    assert_allclose(grad(lambda z: np.sum(np.abs(z) ** 2))(z), 2 * onp.conj(z))


def _central_difference(f, x, direction, eps=1e-6):
    return (f(x + eps * direction) - f(x - eps * direction)) / (2 * eps)


@pytest.mark.parametrize("dtype", [onp.float64, onp.complex128])
def test_jacobian_and_elementwise_grad_of_a_complex_output_are_complex(dtype):
    # exp(i x) of a real x, or the holomorphic exp(i z): d/dx = i exp(i x) either way.
    x = onp.array([0.3, -1.1, 2.0]).astype(dtype) + (0.2j if dtype is onp.complex128 else 0)
    f = lambda x: np.exp(1j * x) * x[0]  # noqa: E731
    expected = onp.stack([_central_difference(f, x, e) for e in onp.eye(3)], axis=1)
    assert_allclose(jacobian(f)(x), expected, rtol=1e-7)
    assert_allclose(elementwise_grad(lambda x: np.exp(1j * x))(x), 1j * onp.exp(1j * x))
    assert_allclose(mlkit.jit(jacobian(f))(x), expected, rtol=1e-7)
    assert jacobian(f)(x.astype(onp.complex64 if dtype is onp.complex128 else onp.float32)
                       ).dtype == onp.complex64


def test_jacobian_of_mixed_outputs_and_inputs_keeps_real_blocks_real():
    x, z = onp.array([0.3, 0.5]), onp.array([1 + 2j, 0.5 - 1j])
    d_sin, d_exp = jacobian(lambda x: (np.sin(x), np.exp(1j * x)))(x)
    assert d_sin.dtype == onp.float64 and d_exp.dtype == onp.complex128
    assert_allclose(onp.diag(d_exp), 1j * onp.exp(1j * x))
    d_a, d_b = jacobian(lambda a, b: a * b, (0, 1))(x, z)
    assert_allclose(onp.diag(d_a), z) and assert_allclose(onp.diag(d_b), x)


@pytest.mark.parametrize("f", [np.conj, lambda z: z * np.conj(z), lambda z: np.abs(z) + 0j],
                         ids=["conj", "|z|^2", "|z|"])
def test_a_complex_output_not_holomorphic_in_a_complex_input_has_no_jacobian(f):
    z = onp.array([1 + 2j, 0.5 - 1j])
    for operator in (jacobian, elementwise_grad):
        with pytest.raises(ValueError, match="not holomorphic"):
            operator(f)(z)


# --- checkpoint -----------------------------------------------------------------------------
def block(x):
    for _ in range(3):
        x = np.tanh(x @ S) + x
    return x


def test_checkpoint_gives_the_same_derivatives_in_both_modes():
    def plain(x):
        return np.sum(block(block(x)) ** 2)

    saved = checkpoint(block)

    def checkpointed(x):
        return np.sum(saved(saved(x)) ** 2)

    assert_allclose(grad(checkpointed)(X), grad(plain)(X))
    assert_allclose(make_jvp(checkpointed)(X)(V)[1], make_jvp(plain)(X)(V)[1])
    assert_allclose(hessian(checkpointed)(X), hessian(plain)(X))


def test_checkpoint_with_tuple_output():
    pair = checkpoint(lambda x: (np.sin(x), x * x))

    def f(x):
        s, q = pair(x)
        return np.sum(s * q)

    assert_allclose(grad(f)(X), onp.cos(X) * X ** 2 + 2 * X * onp.sin(X))


# --- containers -----------------------------------------------------------------------------
def test_gradients_come_back_in_the_input_structure_dtype_and_shape():
    params = {"w": onp.ones((2, 3), onp.float32),
              "layers": [(onp.arange(2.0, dtype=onp.float32), 2.0)],
              "scale": onp.float32(0.5)}

    def loss(p):
        w, (b, c) = p["w"], p["layers"][0]
        return p["scale"] * np.sum(w) + np.sum(b * b) * c

    g = grad(loss)(params)
    assert set(g) == {"w", "layers", "scale"}
    assert isinstance(g["layers"], list) and isinstance(g["layers"][0], tuple)
    assert g["w"].dtype == onp.float32 and g["w"].shape == (2, 3)
    assert_allclose(g["w"], onp.full((2, 3), 0.5))
    assert onp.result_type(g["scale"]) == onp.float32
    assert_allclose(g["scale"], 6.0)
    assert g["layers"][0][0].dtype == onp.float32
    assert_allclose(g["layers"][0][0], 2 * onp.arange(2.0) * 2.0)
    assert_allclose(g["layers"][0][1], 1.0)


def test_the_gradient_for_a_python_number_is_a_numpy_scalar_whatever_the_rules_return():
    # HIPS autograd's gradients have .shape and .dtype even when a rule returns a Python float.
    @mlkit.primitive
    def scaled(x, scale=2.0):
        return scale * x**2

    mlkit.defvjp(scaled, lambda ans, x, scale=2.0: lambda g: g * scale * 2 * x)
    got = [grad(scaled)(1.5), grad(lambda x: max(x, 2.0 - x))(1.5),
           *grad(lambda p: scaled(p[0]) * p[1])((1.5, 2.0)), *grad(lambda p: p[1:][0])([1.5, 2.0])]
    assert [type(g) for g in got] == [onp.float64] * 6
    assert_allclose(got, [6.0, 1.0, 12.0, 4.5, 0.0, 1.0])
    z = grad(lambda z: np.abs(scaled(z, 1.0)))(1.0 + 2.0j)
    assert type(z) is onp.complex128 and z.shape == ()
    assert_allclose(z, 2.0 - 4.0j)  # d|z|^2/dx - i d|z|^2/dy, as autograd gives


def test_functions_returning_containers_of_traced_values():
    def f(x):
        return {"sum": np.sum(x), "parts": [x[0], (x[1] * 2.0,)]}

    jac = jacobian(f)(X)
    assert_allclose(jac["sum"], onp.ones(3))
    assert_allclose(jac["parts"][0], [1.0, 0.0, 0.0])
    assert_allclose(jac["parts"][1][0], [0.0, 2.0, 0.0])
    vjp, value = make_vjp(f)(X)
    assert_allclose(value["parts"][1][0], 2 * X[1])
    assert_allclose(vjp({"sum": 1.0, "parts": [2.0, (3.0,)]}), [3.0, 7.0, 1.0])


def test_containers_can_be_indexed_iterated_and_unpacked_while_traced():
    def f(p):
        a, b = p["pair"]
        total = sum(item for item in p["list"])
        return a * b + total * len(p["list"]) + np.sum(p.get("missing", 0.0))

    p = {"pair": (2.0, 3.0), "list": [1.0, 4.0]}
    g = grad(f)(p)
    assert_allclose(g["pair"], (3.0, 2.0))
    assert_allclose(g["list"], (2.0, 2.0))


def test_jvp_tangents_are_matched_to_the_input_tree_by_key():
    jvp = make_jvp(lambda d: d["a"] * d["b"] ** 2)({"a": 2.0, "b": 3.0})
    assert_allclose(jvp({"b": 1.0, "a": 0.0})[1], 12.0)
    assert_allclose(jvp({"b": 0.0, "a": 1.0})[1], 9.0)
    with pytest.raises(ValueError, match=r"tree mismatch at <root>: missing keys \['b'\]"):
        jvp({"a": 1.0})


def test_a_namedtuple_inside_an_input_is_refused_with_its_path():
    pair = collections.namedtuple("Pair", "left right")
    with pytest.raises(TypeError, match="argument 0 at 1: it is Pair"):
        grad(lambda t: t[0])((1.0, pair(1.0, 2.0)))


def test_jacobian_with_respect_to_a_traced_container():
    def outer(x):
        pair = traced_tuple([x, 2.0 * x])  # one traced tuple, opened by jacobian
        jac = jacobian(lambda t: t[0] * t[1] ** 2)(pair)  # (4 x^2, 4 x^2)
        return jac[0] + jac[1]

    assert_allclose(grad(outer)(1.5), 16 * 1.5)


# --- deep graphs ----------------------------------------------------------------------------
def test_a_20000_step_python_loop_differentiates_without_recursion_error():
    def f(x):
        for _ in range(20000):
            x = x + 1e-4 * np.sin(x)
        return x

    value, gradient = value_and_grad(f)(0.1)
    x, expected = 0.1, 1.0
    for _ in range(20000):
        expected *= 1 + 1e-4 * onp.cos(x)
        x = x + 1e-4 * onp.sin(x)
    assert_allclose(value, x)
    assert_allclose(gradient, expected, rtol=1e-10)


# --- subgradients at kinks ------------------------------------------------------------------
def test_documented_subgradients_at_kinks_are_finite():
    zero = onp.array([0.0, 1.0, -1.0])
    assert_allclose(grad(lambda x: np.sum(np.abs(x)))(zero), [0.0, 1.0, -1.0])
    assert_allclose(grad(lambda x: np.sum(np.maximum(x, 0.0)))(zero), [0.5, 1.0, 0.0])
    assert_allclose(grad(lambda x: np.sum(np.minimum(x, 0.0)))(zero), [0.5, 0.0, 1.0])
    tied = grad(lambda x, y: np.maximum(x, y), argnum=(0, 1))(1.0, 1.0)
    assert_allclose(tied, (0.5, 0.5))
    assert_allclose(grad(lambda x: np.max(x))(onp.array([2.0, 2.0, 1.0])), [0.5, 0.5, 0.0])
    assert_allclose(grad(lambda x: np.sum(np.clip(x, 0.0, 1.0)))(onp.array([0.0, 1.0, 2.0])),
                    [1.0, 1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero on the way
        assert_allclose(grad(np.linalg.norm)(onp.zeros(3)), onp.zeros(3))


def test_relu_written_with_maximum():
    def relu(x):
        return np.maximum(x, 0.0)

    x = onp.array([-2.0, 0.5, 3.0])
    assert_allclose(elementwise_grad(relu)(x), [0.0, 1.0, 1.0])
    assert_allclose(grad(grad(lambda t: relu(t) ** 2))(1.5), 2.0)


# --- functional indexed updates -------------------------------------------------------------
def test_at_set_and_add_gradients():
    def set_first(x, v):
        return np.sum(x.at[0].set(v * v) * onp.array([5.0, 1.0, 2.0]))

    gx, gv = grad(set_first, argnum=(0, 1))(X, 3.0)
    assert_allclose(gx, [0.0, 1.0, 2.0])
    assert_allclose(gv, 5.0 * 2 * 3.0)

    def add_repeated(x, v):
        return np.sum(x.at[onp.array([1, 1, 2])].add(v) ** 2)

    v = onp.array([1.0, 2.0, 3.0])
    gx, gv = grad(add_repeated, argnum=(0, 1))(X, v)
    updated = X + onp.array([0.0, 3.0, 3.0])
    assert_allclose(gx, 2 * updated)
    assert_allclose(gv, 2 * updated[[1, 1, 2]])

    def get(x):
        return x.at[1:].get() * 2.0

    assert_allclose(jacobian(get)(X), [[0.0, 2.0, 0.0], [0.0, 0.0, 2.0]])


# --- the public surface ---------------------------------------------------------------------
TEST_FILES = ("jit/test_jit.py", "test_operators.py", "test_fused_gradient.py", "test_builtins.py")


def test_every_operator_in_mlkit_all_is_tested_here():
    names = set(mlkit.__all__) - {"primitive", "defvjp", "defjvp", "builtins"}
    here = pathlib.Path(__file__).parent
    source = "".join((here / name).read_text() for name in TEST_FILES)
    untested = sorted(n for n in names if f"{n}(" not in source)
    assert not untested, f"operators without a test in {TEST_FILES}: {untested}"


@pytest.mark.parametrize("shape", [(1,), (1, 1), (1, 1, 1)])
def test_gradient_operators_take_any_real_output_of_size_one(shape):
    x = onp.array([0.5, -1.5, 2.0])

    def sized_one(x):
        return np.reshape(np.sum(np.sin(x) * x), shape)

    expected = onp.sin(x) + x * onp.cos(x)
    assert_allclose(grad(sized_one)(x), expected)
    value, gradient = value_and_grad(sized_one)(x)
    assert value.shape == shape
    assert_allclose(gradient, expected)
    gradient, aux = grad_and_aux(lambda x: (sized_one(x), "aux"))(x)
    assert_allclose(gradient, expected)
    assert aux == "aux"
    assert_allclose(grad(lambda x: np.sum(x ** 2, keepdims=True))(x), 2 * x)


def test_gradient_operators_still_refuse_outputs_of_size_two():
    with pytest.raises(TypeError, match=r"real scalar \(any value of size one\).*elementwise_grad"):
        grad(lambda x: x * 2.0)(onp.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="complex scalar"):
        grad(lambda x: np.reshape(x * 1j, (1,)))(onp.array([1.0]))


def test_operators_of_ones_own_made_nary_with_unary_to_nary():
    from mlkit.autodiff.entry import make_jvp as make_unary_jvp
    from mlkit.extend import isbox, unary_to_nary

    @unary_to_nary
    def directional(fun, x, direction):
        """The derivative of fun at x along direction."""
        return make_unary_jvp(fun, x)(direction)[1]

    seen = []

    def f(a, b):
        seen.append((isbox(a), isbox(b)))
        return np.sin(a) * b ** 2

    a, b = onp.array([0.3, 1.2]), onp.array([2.0, -1.0])
    assert_allclose(directional(f, 0, onp.ones(2))(a, b), onp.cos(a) * b ** 2)
    assert_allclose(directional(f, 1, direction=onp.ones(2))(a, b), 2 * onp.sin(a) * b)
    both = directional(f, (0, 1), (onp.ones(2), onp.ones(2)))(a, b)
    assert_allclose(both, onp.cos(a) * b ** 2 + 2 * onp.sin(a) * b)
    assert seen == [(True, False), (False, True), (True, True)]
    assert directional.__name__ == "directional"
    assert directional(f, 0, 1.0).__name__ == "directional_of_f_wrt_argnum_0"


DAYS = onp.array([1, 2, 5, 12])


@pytest.mark.parametrize("days", [DAYS, DAYS.astype(onp.int32), DAYS.astype(onp.uint8),
                                  onp.array([True, False, True, True])])
def test_integer_and_boolean_arrays_are_differentiated_as_float64(days):
    # As in HIPS autograd: a timeline of whole days is differentiated as the real points it
    # names (a survival model's hazard is the elementwise derivative of its cumulative hazard).
    def cumulative_hazard(scale, t):
        return (t / scale) ** 1.5

    as_float = days.astype(float)
    expected = 1.5 * as_float**0.5 / 2.0**1.5
    hazard = elementwise_grad(cumulative_hazard, 1)(2.0, days)
    assert hazard.dtype == onp.float64
    assert_allclose(hazard, expected, rtol=1e-14)
    assert_allclose(grad(lambda t: np.sum(t**2))(days), 2 * as_float)  # an integer sum too
    assert_allclose(jacobian(cumulative_hazard, 1)(2.0, days), onp.diag(expected), rtol=1e-14)
    assert_allclose(hessian(lambda t: np.sum(t**2.5))(days),
                    onp.diag(3.75 * as_float**0.5), rtol=1e-14)
    assert_allclose(make_jvp(cumulative_hazard, 1)(2.0, days)(onp.ones(4))[1], expected)
    assert_allclose(deriv(lambda t: t**3)(onp.array(2)), 12.0)
    tree = grad(lambda p: np.sum(p["t"] ** 2 * p["w"]))({"t": days, "w": 0.5})
    assert tree["t"].dtype == onp.float64 and tree["w"] == onp.sum(as_float**2)
    assert_allclose(mlkit.jit(grad(lambda t: np.sum(t**2.5)))(days), 2.5 * as_float**1.5)


NAMED_OPERATORS = ["grad", "value_and_grad", "grad_and_aux", "elementwise_grad", "deriv",
                   "holomorphic_grad", "jacobian", "hessian", "make_vjp", "make_jvp",
                   "make_jvp_reversemode", "make_hvp", "hessian_tensor_product",
                   "hessian_vector_product", "vector_jacobian_product",
                   "tensor_jacobian_product", "make_ggnvp"]


@pytest.mark.parametrize("name", NAMED_OPERATORS)
def test_operators_name_what_they_make_as_autograd_does(name):
    import mlkit.differential_operators as operators

    def foo(x, scale):
        """Foo's own words."""
        return np.sum(x * scale)

    operator_of = getattr(operators, name)
    made = operator_of(foo, f_argnum=1) if name == "make_ggnvp" else operator_of(foo, 1)
    operator = "hessian_tensor_product" if name == "hessian_vector_product" else name
    assert made.__name__ == f"{operator}_of_foo_wrt_argnum_1"
    assert made.__doc__.startswith(f"The {operator} of foo with respect to argument 1")
    takes_a_vector = name.endswith("_product")
    signature = inspect.signature(made)
    assert list(signature.parameters) == (["args", "kwargs"] if takes_a_vector
                                          else ["x", "scale"])
