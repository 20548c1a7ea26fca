"""Copies of traced values stay on the trace: ``copy.deepcopy`` of a box (or of a structure
holding boxes) is the identity function to the derivative, as ``copy.copy`` is."""

import copy

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, hessian, make_jvp
from mlkit.core import getval


def _central_difference(f, x, h=1e-6):
    out = onp.zeros_like(x)
    for i in range(x.size):
        step = onp.zeros_like(x)
        step.flat[i] = h
        out.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return out


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy])
def test_a_copied_scalar_carries_its_share_of_the_derivative(copier):
    # d/dx [copy(x) * x] = 2x: the copy's factor counts as much as the original's.
    assert grad(lambda x: copier(x) * x)(3.0) == pytest.approx(6.0, rel=1e-15)
    assert hessian(lambda x: copier(x) ** 3)(2.0) == pytest.approx(12.0, rel=1e-15)


def test_a_softplus_that_keeps_a_deep_copy_of_its_input_has_the_sigmoid_as_derivative():
    def softplus(eta):
        original = copy.deepcopy(eta)  # the large-argument branch reads the copy
        return np.where(eta >= 50, original, np.log1p(np.exp(np.minimum(eta, 50))))

    eta = onp.array([-3.0, 0.0, 2.0, 49.0, 51.0, 800.0])
    expected = onp.array([0.04742587317756678, 0.5, 0.8807970779778823, 1.0, 1.0, 1.0])
    got = grad(lambda e: np.sum(softplus(e)))(eta)
    onp.testing.assert_allclose(got, expected, rtol=1e-12)
    _, tangent = make_jvp(softplus)(eta)(onp.ones_like(eta))
    onp.testing.assert_allclose(tangent, expected, rtol=1e-12)


def test_a_deep_copied_parameter_dict_passes_the_gradient_to_every_entry():
    def loss(params):
        updated = copy.deepcopy(params)
        updated["w"] = updated["w"] * 2.0
        return np.sum(np.tanh(updated["w"] @ params["x"])) + updated["b"] ** 2

    params = {"w": onp.array([[0.3, -0.2], [0.1, 0.4]]), "x": onp.array([1.0, -2.0]), "b": 0.7}
    got = grad(loss)(params)
    for name in ("w", "x"):
        def along(v, name=name):
            return loss({**params, name: v})
        onp.testing.assert_allclose(got[name], _central_difference(along, params[name]),
                                    rtol=1e-7)
    assert got["b"] == pytest.approx(1.4, rel=1e-14)


def test_the_deep_copy_owns_its_numbers():
    def f(x):
        twin = copy.deepcopy(x)
        assert twin is not x and np.shape(twin) == (2,)
        onp.testing.assert_array_equal(getval(twin), getval(x))
        assert getval(twin) is not getval(x)
        return np.sum(twin * x)

    onp.testing.assert_allclose(grad(f)(onp.array([1.5, -2.0])), [3.0, -4.0], rtol=1e-15)
