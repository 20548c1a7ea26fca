"""mlkit.misc.fixed_points.fixed_point: the solution, and its derivative in the parameter by the
implicit function theorem, against the closed form and finite differences in both modes."""

import numpy as onp
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, jacobian
from mlkit.misc.fixed_points import fixed_point
from mlkit.testing import check_grads

W = onp.array([[0.2, -0.3, 0.1], [0.05, 0.1, 0.4], [-0.2, 0.15, 0.0]])


def newton_sqrt(a):
    return lambda x: 0.5 * (x + a / x)


def distance(x, y):
    return np.max(np.abs(x - y))


def sqrt_by_iteration(a):
    return fixed_point(newton_sqrt, a, 1.0, distance, 1e-13)


def equilibrium(a):
    """The fixed point of x = tanh(W x + a), a contraction since |W| < 1."""
    return fixed_point(lambda a: lambda x: np.tanh(W @ x + a), a, onp.zeros(3), distance, 1e-13)


def test_the_square_root_and_its_derivatives():
    assert_allclose(sqrt_by_iteration(2.0), onp.sqrt(2.0))
    assert_allclose(grad(sqrt_by_iteration)(2.0), 0.5 / onp.sqrt(2.0))
    assert_allclose(grad(grad(sqrt_by_iteration))(2.0), -0.25 * 2.0**-1.5)
    check_grads(sqrt_by_iteration, modes=["fwd", "rev"], order=2)(3.0)


def test_a_vector_equilibrium_matches_the_implicit_function_theorem():
    a = onp.array([0.3, -0.5, 0.8])
    x = equilibrium(a)
    assert_allclose(x, onp.tanh(W @ x + a), atol=1e-12)
    slope = onp.diag(1 - x**2)
    expected = onp.linalg.solve(onp.eye(3) - slope @ W, slope)
    assert_allclose(jacobian(equilibrium)(a), expected, rtol=1e-9)
    check_grads(lambda a: np.sum(np.sin(equilibrium(a))), modes=["fwd", "rev"], order=2)(a)


def test_a_state_that_is_a_dict_of_scalars():
    def step(a):
        return lambda s: {"u": 0.5 * np.cos(s["v"]) + a, "v": 0.3 * np.sin(s["u"])}

    def gap(x, y):
        return np.abs(x["u"] - y["u"]) + np.abs(x["v"] - y["v"])

    def v_star(a):
        return fixed_point(step, a, {"u": 0.0, "v": 0.0}, gap, 1e-14)["v"]

    # v = 0.3 sin(0.5 cos v + a): dv/da = c / (1 + 0.5 c sin v), c = 0.3 cos(u)
    v = v_star(0.2)
    u = 0.5 * onp.cos(v) + 0.2
    c = 0.3 * onp.cos(u)
    assert_allclose(grad(v_star)(0.2), c / (1 + 0.5 * c * onp.sin(v)))
    check_grads(v_star, modes=["fwd", "rev"], order=2)(0.2)
