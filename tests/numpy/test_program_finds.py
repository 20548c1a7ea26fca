"""Cases that random programs (tests/autodiff/test_random_programs.py and a wider differential run
against HIPS autograd) found wrong, each checked against finite differences or scipy."""

import numpy as onp
import pytest
import scipy.special

import mlkit.numpy as np
from mlkit import grad, jacobian
from mlkit.scipy import special
from mlkit.testing import check_grads

ROW = onp.array([[0.3, -0.5, 0.8]])


@pytest.mark.parametrize("fun", [
    lambda x: np.einsum("ab,ba->", x, x),               # each size-1 axis meets a size-3 one
    lambda x: np.einsum("ab,ba->", x, onp.ones((1, 3))),
    lambda x: np.einsum("ab,ba->ab", x, x),
    lambda x: np.einsum("ab,bc->ac", x, onp.ones((1, 2))),
    lambda x: np.einsum("ab,ba->", onp.ones((1, 3)), x),
])
def test_einsum_broadcasting_size_one_axes_is_differentiable(fun):
    # It raised "cannot reshape array of size 1 into shape (1,3)" in reverse mode.
    check_grads(fun, modes=["fwd", "rev"], order=2)(ROW)
    assert grad(lambda x: np.sum(fun(x)))(ROW).shape == ROW.shape


def test_einsum_broadcast_gradient_has_the_closed_form():
    # sum over a, b of x[0, b] * x[0, a] = sum(x) ** 2, whose gradient is 2 sum(x) everywhere.
    g = grad(lambda x: np.einsum("ab,ba->", x, x))(ROW)
    onp.testing.assert_allclose(g, onp.full((1, 3), 2 * ROW.sum()))


@pytest.mark.parametrize("kwargs", [{"keepdims": True}, {"axis": 0, "keepdims": True},
                                    {"keepdims": True, "return_sign": True}, {}])
def test_logsumexp_of_a_0d_value_has_scipys_shape(kwargs):
    # scipy reads a 0-d input as 1-d: keepdims gives shape (1,); mlkit gave shape ().
    point = onp.array(0.7)
    ours, theirs = special.logsumexp(point, **kwargs), scipy.special.logsumexp(point, **kwargs)
    for a, b in zip(ours, theirs) if "return_sign" in kwargs else [(ours, theirs)]:
        assert onp.shape(a) == onp.shape(b)
        onp.testing.assert_allclose(a, b)


def test_logsumexp_keepdims_of_a_0d_value_has_the_jacobian_of_its_shape():
    jac = jacobian(lambda x: special.logsumexp(2.0 * x, keepdims=True))(onp.array(0.7))
    assert jac.shape == (1,)
    onp.testing.assert_allclose(jac, [2.0])
    check_grads(lambda x: special.logsumexp(x * x, keepdims=True), modes=["fwd", "rev"],
                order=2)(onp.array(0.7))


@pytest.mark.parametrize("point", [onp.float32(0.5), onp.asarray(0.5, onp.float32),
                                   onp.full(2, 0.5, onp.float32)])
def test_float32_scalars_get_float32_gradients_when_float64_constants_take_part(point):
    # A float32 scalar or 0-d array got a float64 gradient (arrays of shape (2,) did not).
    weights = onp.array([1.0, 2.0])

    def f(x):
        return np.sum(np.sin(x) * weights)

    expected = onp.cos(0.5) * (weights.sum() if onp.ndim(point) == 0 else weights)
    for g in (grad(f)(point), grad(lambda d: f(d["x"]))({"x": point})["x"]):
        assert onp.result_type(g) == onp.float32
        onp.testing.assert_allclose(g, expected, rtol=1e-6)
    if onp.ndim(point) == 0:
        second = grad(grad(f))(point)
        assert onp.result_type(second) == onp.float32
        onp.testing.assert_allclose(second, -onp.sin(0.5) * weights.sum(), rtol=1e-6)


@pytest.mark.parametrize("point, axis", [(onp.asarray(0.0), None), (0.0, None),
                                         (onp.asarray(0.0), ()), (onp.zeros((2, 2)), ())])
def test_prod_of_a_zero_over_no_axes_has_derivative_one(point, axis):
    # The product of nothing but x itself raised IndexError at a zero (the zeros' branch).
    def f(x):
        return np.prod(np.sin(x) + x, axis=axis)  # zero where x is

    check_grads(f, modes=["fwd", "rev"], order=2)(point)
    onp.testing.assert_allclose(grad(lambda x: np.sum(f(x)))(point),
                                onp.full(onp.shape(point), 2.0))
