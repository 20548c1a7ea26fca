"""mlkit.scipy.integrate.odeint: scipy's values; derivatives with respect to y0, t and the
extra args, in reverse mode (adjoint method) and forward mode (sensitivities), against closed
forms (linear ODEs) and against finite differences (Lotka-Volterra), at tight tolerances; second
derivatives in all four mode pairs, Hessians, under jit; args in trees, tfirst, Dfun; float32
cotangents; clear errors."""

import warnings

import numpy as onp
import pytest
import scipy.integrate
import scipy.linalg
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian, jit, make_jvp
from mlkit.scipy.integrate import odeint
from mlkit.testing import check_grads

TIGHT = {"rtol": 1e-10, "atol": 1e-10}
A = onp.array([[-0.5, 1.0], [-1.0, -0.3]])
Y0 = onp.array([1.0, 0.5])
T = onp.linspace(0.0, 2.0, 5)
W = onp.random.default_rng(0).standard_normal((5, 2))  # output weights for scalar losses


def linear(y, t, a):
    return np.dot(a, y)


def lotka_volterra(y, t, alpha, beta, gamma, delta):
    prey, predators = y[0], y[1]
    return np.array([alpha * prey - beta * prey * predators,
                     -gamma * predators + delta * prey * predators])


LV_ARGS = (1.0, 0.4, 1.0, 0.3)
LV_Y0 = onp.array([2.0, 1.0])
LV_T = onp.linspace(0.0, 3.0, 4)


def central_difference(f, x, eps=1e-5):
    """The gradient of scalar ``f`` at array ``x``, one coordinate at a time."""
    x = onp.asarray(x, dtype=float)
    out = onp.zeros_like(x)
    for i in onp.ndindex(x.shape):
        step = onp.zeros_like(x)
        step[i] = eps
        out[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return out


def test_values_match_scipy_traced_or_not():
    expected = scipy.integrate.odeint(lambda y, t: A @ y, Y0, T, **TIGHT)
    assert_allclose(odeint(linear, Y0, T, (A,), **TIGHT), expected)
    value = make_jvp(lambda y0: odeint(linear, y0, T, (A,), **TIGHT))(Y0)(Y0)[0]
    assert_allclose(value, expected)


def test_linear_ode_gradients_equal_the_closed_form():
    def loss(y0, t, a):
        return np.sum(odeint(linear, y0, t, (a,), **TIGHT) * W)

    g_y0, g_t, g_a = grad(loss, argnum=(0, 1, 2))(Y0, T, A)
    flows = [scipy.linalg.expm(A * (t - T[0])) for t in T]
    assert_allclose(g_y0, sum(f.T @ w for f, w in zip(flows, W)), rtol=1e-8)
    # moving t_j (j > 0) moves y(t_j) along A y(t_j); moving t_0 shifts the whole path
    ys = [f @ Y0 for f in flows]
    expected_t = [w @ (A @ y) for w, y in zip(W, ys)]
    expected_t[0] = -sum(w @ (f @ A @ Y0) for f, w in zip(flows[1:], W[1:]))
    assert_allclose(g_t, expected_t, rtol=1e-8, atol=1e-10)
    assert_allclose(g_a, central_difference(lambda a: loss(Y0, T, a), A), rtol=1e-6)


def test_forward_mode_equals_reverse_mode():
    def path(y0, t, a):
        return odeint(linear, y0, t, (a,), **TIGHT)

    rng = onp.random.default_rng(1)
    tangents = (rng.standard_normal(2), rng.standard_normal(5), rng.standard_normal((2, 2)))
    for argnum, v in enumerate(tangents):
        _, jv = make_jvp(path, argnum)(Y0, T, A)(v)
        g = grad(lambda *xs: np.sum(path(*xs) * W), argnum)(Y0, T, A)
        assert_allclose(onp.sum(jv * W), onp.sum(g * v), rtol=1e-8)


def test_lotka_volterra_gradients_against_finite_differences():
    def loss(y0, t, *params):
        return np.sum(odeint(lotka_volterra, y0, t, params, **TIGHT) ** 2)

    grads = grad(loss, argnum=(0, 1, 2, 3, 4, 5))(LV_Y0, LV_T, *LV_ARGS)
    assert_allclose(grads[0], central_difference(lambda y0: loss(y0, LV_T, *LV_ARGS), LV_Y0),
                    rtol=1e-6)
    assert_allclose(grads[1], central_difference(lambda t: loss(LV_Y0, t, *LV_ARGS), LV_T),
                    rtol=1e-6)
    for i in range(4):
        def along(p, i=i):
            params = list(LV_ARGS)
            params[i] = float(p)
            return loss(LV_Y0, LV_T, *params)

        assert_allclose(grads[2 + i], central_difference(along, onp.array(LV_ARGS[i])),
                        rtol=1e-6)


def test_check_grads_in_both_modes_to_first_order():
    check_grads(lambda y0, t, a, b, c, d: odeint(lotka_volterra, y0, t, (a, b, c, d), **TIGHT),
                modes=("fwd", "rev"), order=1)(LV_Y0, LV_T, *LV_ARGS)


def test_args_as_a_tree_with_constants_and_tfirst():
    def rhs(t, y, params, scale, label):
        assert label == "decay"
        return -params["rates"] * y * scale + params["inputs"][0] * np.sin(t)

    params = {"rates": onp.array([0.5, 1.5]), "inputs": [onp.array(0.3)]}

    def loss(params):
        return np.sum(odeint(rhs, Y0, T, (params, 2.0, "decay"), tfirst=True, **TIGHT) * W)

    g = grad(loss)(params)

    def with_rates(r):
        return loss({"rates": r, "inputs": params["inputs"]})

    assert_allclose(g["rates"], central_difference(with_rates, params["rates"]), rtol=1e-6)
    assert_allclose(g["inputs"][0], central_difference(
        lambda u: loss({"rates": params["rates"], "inputs": [u]}), params["inputs"][0]),
        rtol=1e-6)


def test_a_single_array_arg_and_a_jacobian_function():
    def jac(y, t, a):
        return a

    def loss(a):
        return np.sum(odeint(linear, Y0, T, a, Dfun=jac, **TIGHT) * W)

    assert_allclose(grad(loss)(A), central_difference(loss, A), rtol=1e-6)


def test_scalar_state_and_float32_cotangents():
    def decay(y, t, k):
        return -k * y

    def loss(y0, k):
        return np.sum(odeint(decay, y0, T, (k,), **TIGHT)[:, 0])

    g_y0, g_k = grad(loss, argnum=(0, 1))(onp.float32(2.0), onp.float32(0.7))
    assert onp.result_type(g_y0) == onp.result_type(g_k) == onp.float32
    assert_allclose(g_y0, onp.sum(onp.exp(-0.7 * T)), rtol=1e-5)
    assert_allclose(g_k, onp.sum(-T * 2.0 * onp.exp(-0.7 * T)), rtol=1e-5)


def coupled(y, t, a, b):
    return -np.sqrt(t) - y + a - np.mean((y + b) ** 2)


def test_second_derivatives_in_both_modes_with_respect_to_every_input():
    rng = onp.random.default_rng(2)
    y0, a, b = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(3)
    check_grads(odeint, (1, 2, 3), modes=("fwd", "rev"), order=2)(
        coupled, y0, onp.linspace(0.1, 0.2, 4), (a, b))


def test_second_derivatives_with_nested_args_and_tfirst():
    def rhs(t, y, params, scale):
        return -params["rates"] * y * scale + params["inputs"][0] * np.sin(t) - 0.1 * y ** 2

    def path(y0, t, params):
        return odeint(rhs, y0, t, (params, 2.0), tfirst=True)

    params = {"rates": onp.array([0.5, 1.5]), "inputs": [onp.array(0.3)]}
    check_grads(path, (0, 1, 2), modes=("fwd", "rev"), order=2)(Y0, onp.linspace(0.0, 0.5, 3),
                                                                params)


def test_hessian_of_exponential_decay_equals_the_closed_form():
    def loss(x):  # x = (y0, k): the sum of y0 exp(-k t) over the output times
        return np.sum(odeint(lambda y, t, k: -k * y, x[0], T, (x[1],), **TIGHT))

    y0, k = 2.0, 0.7
    decay = onp.exp(-k * T)
    expected = [[0.0, onp.sum(-T * decay)], [onp.sum(-T * decay), onp.sum(y0 * T ** 2 * decay)]]
    assert_allclose(hessian(loss)(onp.array([y0, k])), expected, rtol=1e-7, atol=1e-10)


def test_hessian_equals_finite_differences_of_the_gradient():
    def loss(x):  # x = (prey, predators, alpha, beta, gamma, delta)
        return np.sum(odeint(lotka_volterra, x[:2], LV_T[:3] / 2, tuple(x[2:]), **TIGHT) ** 2)

    x = onp.concatenate([LV_Y0, LV_ARGS])
    h = hessian(loss)(x)
    eps = 1e-5
    steps = onp.eye(len(x)) * eps
    differences = [(grad(loss)(x + e) - grad(loss)(x - e)) / (2 * eps) for e in steps]
    assert_allclose(h, onp.array(differences).T, rtol=1e-5, atol=1e-6)
    assert_allclose(h, h.T, rtol=1e-7)


def test_float32_inputs_at_second_order():
    def loss(y0, k):
        return np.sum(odeint(lambda y, t, k: -k * y, y0, T, (k,), **TIGHT))

    curvature = grad(lambda k: grad(loss, 1)(onp.float32(2.0), k))(onp.float32(0.7))
    assert_allclose(curvature, onp.sum(2.0 * T ** 2 * onp.exp(-0.7 * T)), rtol=1e-5)
    _, tangent = make_jvp(lambda k: grad(loss, 1)(onp.float32(2.0), k))(onp.float32(0.7))(
        onp.float32(1.0))
    assert_allclose(tangent, curvature, rtol=1e-5)


def test_jit_replays_first_and_second_derivatives():
    def loss(y0, a):
        return np.sum(odeint(lambda y, t, a: np.dot(a, y) - 0.1 * y ** 3, y0, T, (a,)) * W)

    first = grad(loss, argnum=(0, 1))
    second = grad(lambda y0, a: np.sum(grad(loss)(y0, a) ** 2), argnum=(0, 1))
    for fun in (first, second):
        jitted = jit(fun)
        for y0 in (Y0, onp.array([0.3, -2.0])):
            for got, expected in zip(jitted(y0, A), fun(y0, A)):
                assert_allclose(got, expected, rtol=1e-12)
        assert jitted.cache_info() == {"signatures": 1, "paths": [1]}


def test_full_output_outside_tracing_and_refused_inside():
    out, info = odeint(linear, Y0, T, (A,), full_output=True)
    assert out.shape == (5, 2) and "nfe" in info
    with pytest.raises(NotImplementedError, match="full_output"):
        grad(lambda y0: np.sum(odeint(linear, y0, T, (A,), full_output=True)[0]))(Y0)


def test_bad_shapes_are_explained():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="y0 must be a scalar or a vector"):
            grad(lambda y0: np.sum(odeint(linear, y0, T, (A,))))(onp.ones((2, 2)))
        with pytest.raises(ValueError, match="t must be a vector"):
            grad(lambda t: np.sum(odeint(linear, Y0, t, (A,))))(onp.array(1.0))


def test_a_right_hand_side_free_of_the_state_differentiates_silently():
    def forcing(y, t):
        return onp.array([onp.cos(t)])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g_y0, g_t = grad(lambda y0, t: np.sum(odeint(forcing, y0, t, **TIGHT)), argnum=(0, 1))(
            onp.zeros(1), T)
    assert_allclose(g_y0, [len(T)])
    assert_allclose(g_t[1:], onp.cos(T[1:]), rtol=1e-8)
    assert_allclose(g_t[0], -(len(T) - 1) * onp.cos(T[0]), rtol=1e-8)
