"""prod's derivatives where some elements are 0: the products of the other elements are
formed without division, in memory and time near linear in the length (a Hessian-vector
product at n = 800 took about 4 GB when they were rows of an n-by-n array), with the
closed forms' values in both modes, to third order, under where=, initial=, nanprod,
along an axis, under jit, and in float32."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose
from peak import call_with_peak

import mlkit.numpy as np
from mlkit import grad, hessian, jit, make_hvp, make_jvp
from mlkit.testing import check_grads


def others(x):
    """d prod / dx_i: the product of the elements other than x_i."""
    return onp.array([onp.prod(onp.delete(x, i)) for i in range(x.size)])


def curvature(x):
    """d2 prod / dx_i dx_j: the product of the elements other than x_i and x_j (0 for i = j,
    prod being linear in each element)."""
    n = x.size
    return onp.array([[0.0 if i == j else onp.prod(onp.delete(x, [i, j])) for j in range(n)]
                      for i in range(n)])


def hvp_both_modes(f, x, v):
    """H v by reverse over reverse and by forward over reverse."""
    return make_hvp(f)(x)[0](v), make_jvp(grad(f))(x)(v)[1]


@pytest.mark.parametrize("zeros", [(3,), (0, 5), (1, 2, 6)])
def test_gradient_and_hessian_vector_products_are_the_closed_forms(zeros):
    x = onp.linspace(-1.5, 2.0, 9)
    x[list(zeros)] = 0.0
    v = onp.cos(onp.arange(9.0))
    assert_allclose(grad(np.prod)(x), others(x), atol=1e-14)
    for got in hvp_both_modes(np.prod, x, v):
        assert_allclose(got, curvature(x) @ v, atol=1e-13)
    assert_allclose(jit(lambda x, v: make_hvp(np.prod)(x)[0](v))(x, v), curvature(x) @ v,
                    atol=1e-13)


@pytest.mark.parametrize("zeros", [(2,), (0, 4)])
def test_derivatives_at_zeros_match_finite_differences_and_the_third_order_form(zeros):
    x = onp.array([0.7, -1.2, 1.5, 0.9, -0.4, 1.1])
    x[list(zeros)] = 0.0
    check_grads(np.prod, modes=["fwd", "rev"], order=2)(x)
    u, v = onp.sin(onp.arange(6.0)), onp.cos(onp.arange(6.0))
    n = x.size
    third = onp.array([[[0.0 if len({i, j, k}) < 3 else onp.prod(onp.delete(x, [i, j, k]))
                         for k in range(n)] for j in range(n)] for i in range(n)])
    want = onp.einsum("ijk,j,k->i", third, v, u)
    hv = lambda x: make_hvp(np.prod)(x)[0](v)  # noqa: E731
    assert_allclose(make_jvp(hv)(x)(u)[1], want, atol=1e-13)
    assert_allclose(make_hvp(lambda x: np.dot(grad(np.prod)(x), v))(x)[0](u), want, atol=1e-13)


def test_hessian_vector_product_memory_grows_slower_than_the_square():
    n = 300
    x = onp.linspace(0.5, 1.5, n)
    x[n // 2] = 0.0
    hvp = make_hvp(np.prod)(x)[0]
    got, peak = call_with_peak(hvp, onp.ones(n))
    # an n-by-n float64 array is 720 kB, an n**3 one 216 MB
    assert peak < 8 * n * n, f"peak {peak} bytes"
    assert_allclose(got, curvature(x).sum(axis=1), rtol=1e-12)


def test_along_an_axis_with_where_and_initial():
    a = onp.array([[0.0, 2.0, -1.0, 3.0], [1.5, 0.0, 0.0, 2.0], [0.5, -2.0, 4.0, 1.0]])
    mask = onp.array([True, True, False, True])

    def f(a):
        return np.sum(np.prod(a, axis=1, where=mask, initial=-2.0) ** 2)

    check_grads(f, modes=["fwd", "rev"], order=2)(a)
    # d/da_rj of sum_r p_r**2, p_r = -2 prod_j a_rj over the selected j: 2 p_r (-2) others
    want = onp.zeros_like(a)
    for r, row in enumerate(a[:, mask]):
        want[r, mask] = 2 * (-2.0 * row.prod()) * -2.0 * others(row)
    assert_allclose(grad(f)(a), want, atol=1e-12)
    h = hessian(f)(a).reshape(12, 12)
    assert_allclose(h, h.T, atol=1e-12)
    assert not h[:, ~onp.tile(mask, 3)].any()  # the masked-out elements do not move f


def test_nanprod_skips_nan_and_keeps_float32():
    x = onp.array([0.0, onp.nan, 2.0, -3.0, 0.5], dtype=onp.float32)
    kept = onp.array([0.0, 2.0, -3.0, 0.5])
    v = onp.array([1.0, 5.0, -1.0, 2.0, 0.5], dtype=onp.float32)
    want = onp.insert(curvature(kept) @ onp.delete(v, 1), 1, 0.0)
    for got in hvp_both_modes(np.nanprod, x, v):
        assert got.dtype == onp.float32
        assert_allclose(got, want, rtol=1e-6)
    g = grad(np.nanprod)(x)
    assert g.dtype == onp.float32
    assert_allclose(g, onp.insert(others(kept), 1, 0.0), rtol=1e-6)
