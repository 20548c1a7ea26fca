"""prod's initial= is a factor of the product: its derivatives carry it, also where the
product of the others is formed from the elements themselves (a zero among them). And a
where= mask that is a program input of mlkit.jit reaches the rules as the mask it is."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian, jit, make_jvp

X = onp.array([[2.0, -1.0, 0.0], [3.0, 0.5, 4.0]])
MASK = onp.array([True, True, False])


def by_hand(x, initial, axis):
    """d/dx_i of initial * prod(x) along axis: initial times the product of the others."""
    out = onp.empty_like(x)
    for index in onp.ndindex(x.shape):
        others = x.copy()
        others[index] = 1.0
        line = others[:, index[1]] if axis == 0 else others[index[0]] if axis == 1 else others
        out[index] = initial * onp.prod(line)
    return out


@pytest.mark.parametrize("initial", [0.0, 2.0, -1.5])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_the_gradient_carries_initial_at_zeros_in_both_modes(initial, axis):
    def f(x):
        return np.sum(np.prod(x, axis=axis, initial=initial))

    want = by_hand(X, initial, axis)
    assert_allclose(grad(f)(X), want, atol=1e-12)
    assert_allclose(jit(grad(f))(X), want, atol=1e-12)
    for index in onp.ndindex(X.shape):
        tangent = onp.zeros_like(X)
        tangent[index] = 1.0
        assert_allclose(make_jvp(f)(X)(tangent)[1], want[index], atol=1e-12)


def test_the_second_derivative_carries_initial_and_where():
    x = onp.array([2.0, 3.0, 0.0, 5.0])
    where = onp.array([True, True, True, False])  # 5 is left out
    h = hessian(lambda v: np.prod(v, initial=2.0, where=where))(x)
    want = 2.0 * onp.array([[0, 0, 3, 0], [0, 0, 2, 0], [3, 2, 0, 0], [0, 0, 0, 0]])
    assert_allclose(h, want, atol=1e-12)


def test_float32_stays_float32_with_a_float64_initial():
    g = grad(lambda v: np.prod(v, initial=onp.float64(3.0)))(X[0].astype(onp.float32))
    assert g.dtype == onp.float32
    assert_allclose(g, [0.0, 0.0, -6.0], atol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(axis=1), dict(axis=0, keepdims=True),
                                    dict(axis=None, initial=2.0)])
def test_a_where_mask_given_to_jit_as_an_input_gives_the_eager_gradient(kwargs):
    def f(x, mask):
        return grad(lambda v: np.sum(np.prod(v, where=mask, **kwargs) ** 2))(x)

    compiled = jit(f)
    for mask in (MASK, ~MASK, MASK):
        want = f(X, mask)
        assert_allclose(compiled(X, mask), want, atol=1e-12)
    if kwargs == dict(axis=1):  # row 1 keeps only 4: d(4**2)/d4 = 8; row 0's product is 0
        assert_allclose(f(X, ~MASK), [[0.0, 0.0, 0.0], [0.0, 0.0, 8.0]], atol=1e-12)
