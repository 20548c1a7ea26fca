"""cumprod's derivatives where some elements are 0 (or infinite): the partial products are
formed by scans without division, in memory and time near linear in the length (a
Hessian-vector product at n = 100 took 25 MB and at n = 1000 ran out of memory when they
were rows of an n-by-n array cumulated again), with the closed forms' values in both modes,
to third order, along an axis, with dtype=, under nancumprod, under jit, and in float32."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from peak import call_with_peak

import mlkit.numpy as np
from mlkit import grad, jit, make_hvp, make_jvp, make_vjp
from mlkit.testing import check_grads


def jacobian_form(x):
    """d y_k / d x_i = prod_{j <= k, j != i} x_j for i <= k, else 0."""
    n = x.size
    return onp.array([[onp.prod(onp.delete(x[:k + 1], i)) if i <= k else 0.0
                       for i in range(n)] for k in range(n)])


def second_form(x):
    """d2 y_k / d x_i d x_m = prod_{j <= k, j not in {i, m}} x_j for i != m, both <= k."""
    n = x.size
    return onp.array([[[onp.prod(onp.delete(x[:k + 1], [i, m])) if i != m and max(i, m) <= k
                        else 0.0 for m in range(n)] for i in range(n)] for k in range(n)])


def weighted(w):
    return lambda x: np.dot(w, np.cumprod(x))


@pytest.mark.parametrize("zeros", [(0,), (3,), (8,), (2, 3), (1, 5, 6)])
def test_first_and_second_derivatives_are_the_closed_forms(zeros):
    x = onp.linspace(-1.5, 2.0, 9)
    x[list(zeros)] = 0.0
    w, v = onp.sin(onp.arange(9.0) + 1), onp.cos(onp.arange(9.0))
    jac = jacobian_form(x)
    assert_allclose(make_jvp(np.cumprod)(x)(v)[1], jac @ v, atol=1e-14)
    assert_allclose(make_vjp(np.cumprod)(x)[0](w), w @ jac, atol=1e-14)
    want = onp.einsum("k,kil,l->i", w, second_form(x), v)
    f = weighted(w)
    assert_allclose(make_hvp(f)(x)[0](v), want, atol=1e-13)
    assert_allclose(make_jvp(grad(f))(x)(v)[1], want, atol=1e-13)
    jitted = jit(lambda x, v: make_hvp(f)(x)[0](v))
    assert_allclose(jitted(x, v), want, atol=1e-13)
    moved = onp.roll(x, 1)  # another point with zeros: the program's masks are its own
    assert_allclose(jitted(moved, v), onp.einsum("k,kil,l->i", w, second_form(moved), v),
                    atol=1e-13)


def test_next_to_an_infinity_a_zero_tangent_moves_nothing():
    # past the 0 each partial with both the infinity and the 0 as factors is nan, as 0 * inf
    x = onp.array([0.5, onp.inf, 2.0, 0.0, 1.5])
    with onp.errstate(invalid="ignore"):
        jac = jacobian_form(x)
    assert onp.isnan(jac).any() and onp.isinf(jac).any()
    for i in range(5):
        t = onp.eye(5)[i]
        with onp.errstate(invalid="ignore"):
            assert_array_equal(make_jvp(np.cumprod)(x)(t)[1], jac[:, i])
            assert_array_equal(make_vjp(np.cumprod)(x)[0](t), jac[i])


@pytest.mark.parametrize("zeros", [(2,), (0, 4)])
def test_derivatives_at_zeros_match_finite_differences_and_the_third_order_form(zeros):
    x = onp.array([0.7, -1.2, 1.5, 0.9, -0.4, 1.1])
    x[list(zeros)] = 0.0
    check_grads(np.cumprod, modes=["fwd", "rev"], order=2)(x)
    w, u, v = onp.arange(1.0, 7.0), onp.sin(onp.arange(6.0)), onp.cos(onp.arange(6.0))
    n = x.size
    third = onp.array([[[[onp.prod(onp.delete(x[:k + 1], [i, j, m]))
                          if len({i, j, m}) == 3 and max(i, j, m) <= k else 0.0
                          for m in range(n)] for j in range(n)] for i in range(n)]
                       for k in range(n)])
    want = onp.einsum("k,kijm,j,m->i", w, third, v, u)
    f = weighted(w)
    hv = lambda x: make_hvp(f)(x)[0](v)  # noqa: E731
    assert_allclose(make_jvp(hv)(x)(u)[1], want, atol=1e-13)
    assert_allclose(make_hvp(lambda x: np.dot(grad(f)(x), v))(x)[0](u), want, atol=1e-13)


def test_hessian_vector_product_memory_grows_slower_than_the_square():
    n = 300
    x = onp.linspace(0.5, 1.5, n)
    x[n // 3] = 0.0
    w = onp.cos(onp.arange(n))
    hvp = make_hvp(weighted(w))(x)[0]
    got, peak = call_with_peak(hvp, onp.ones(n))
    # an n-by-n float64 array is 720 kB, an n**3 one 216 MB
    assert peak < 8 * n * n, f"peak {peak} bytes"
    # cumprod is affine in each element, so H v at x_z = 0 is 2 (H v at 1) - (H v at 2),
    # where no element is 0 and the rule divides
    at = [make_hvp(weighted(w))(onp.where(onp.arange(n) == n // 3, z, x))[0](onp.ones(n))
          for z in (1.0, 2.0)]
    assert_allclose(got, 2 * at[0] - at[1], rtol=1e-9, atol=1e-12 * abs(at[1]).max())


@pytest.mark.parametrize("axis", [0, 1, None])
def test_along_an_axis_and_flattened(axis):
    a = onp.array([[0.0, 2.0, -1.0, 3.0], [1.5, 0.0, 0.0, 2.0], [0.5, -2.0, 4.0, 0.0]])
    w = onp.cos(onp.arange(12.0)).reshape(3, 4)

    def f(a):
        return np.sum(w.ravel() * np.ravel(np.cumprod(a, axis=axis)))

    check_grads(f, modes=["fwd", "rev"], order=2)(a)
    rows = {0: a.T, 1: a, None: a.reshape(1, -1)}[axis]
    weights = {0: w.T, 1: w, None: w.reshape(1, -1)}[axis]
    want = onp.array([wr @ jacobian_form(r) for r, wr in zip(rows, weights)])
    want = {0: want.T, 1: want, None: want.reshape(3, 4)}[axis]
    assert_allclose(grad(f)(a), want, atol=1e-14)


def test_float32_dtype_and_nancumprod_keep_float32():
    x = onp.array([[0.0, onp.nan, 2.0, -3.0, 0.5], [1.0, 0.0, 0.5, 0.0, 2.0]], onp.float32)
    w = onp.arange(1.0, 11.0, dtype=onp.float32).reshape(2, 5)
    v = onp.array([[1.0, 5.0, -1.0, 2.0, 0.5], [0.5, 1.0, 2.0, -1.0, 1.0]], onp.float32)
    kept = onp.nan_to_num(x, nan=1.0).astype(onp.float64)
    moves = ~onp.isnan(x)  # nancumprod's nan is a 1 that moves nothing
    for scan, point in ((lambda a: np.nancumprod(a, axis=1), x),
                        (lambda a: np.cumprod(a, axis=1, dtype=onp.float32), kept.astype("f4"))):
        f = lambda a: np.sum(w * scan(a))  # noqa: B023, E731
        g, hv = grad(f)(point), make_hvp(f)(point)[0](v)
        assert g.dtype == onp.float32 and hv.dtype == onp.float32
        mask = moves if point is x else onp.ones_like(moves)
        for r in range(2):
            g_want = w[r] @ jacobian_form(kept[r]) * mask[r]
            h_want = onp.einsum("k,kil,l->i", w[r], second_form(kept[r]), v[r] * mask[r])
            assert_allclose(g[r], g_want, rtol=1e-6, atol=1e-5)
            assert_allclose(hv[r], h_want * mask[r], rtol=1e-6, atol=1e-5)
