"""prod and cumprod's first and second derivatives where infinities, zeros and nans mix: the
closed forms' values, sum_i t_i prod_(j != i) x_j term by term (a 0 (co)tangent drops its
term) and sum_(i != m) t_i v_m prod_(j not in {i, m}) x_j, which are nan where a term is
(0 * inf, a nan factor) or where an inf and a -inf term meet, however the scans group the sum;
in every mode, along an axis, under jit and nancumprod; the third order is refused there."""

import warnings

import numpy as onp
import pytest
from numpy.testing import assert_array_equal

import mlkit.numpy as np
from mlkit import grad, hessian, jacobian, jit, make_hvp, make_jvp, make_vjp

inf, nan = onp.inf, onp.nan


def _quiet(fun, *args):
    with warnings.catch_warnings(), onp.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return fun(*args)


def _jvp(f, x, t):
    return _quiet(lambda: make_jvp(f)(onp.array(x))(onp.array(t))[1])


def _vjp(f, x, g):
    return _quiet(lambda: make_vjp(f)(onp.array(x))[0](onp.array(g)))


@pytest.mark.parametrize("x, g, expected", [
    # at 1: 2 * inf (k = 1) + 1 * (inf * -1) (k = 2): inf - inf (a scan gave inf, 2M - M)
    ([inf, 1.0, -1.0], [0.0, 2.0, 1.0], [1.0, nan, inf]),
    ([2.0, inf, 3.0, -1.0], [1.0, 0.0, 2.0, 1.0], [nan, 6.0, nan, inf]),
    ([-inf, 0.0, 0.5, -1.0], [-1.0, 1.0, 2.0, 1.0], [-1.0, nan, nan, nan]),
    ([-inf, 0.5, inf, 2.0, 0.0], [2.0, 0.0, 2.0, 0.0, -1.0], [nan, nan, nan, nan, inf]),
    # a nan's own partial leaves it out: 1 * 2 (k = 2), the 0 cotangent at k = 1 dropped
    ([1.0, nan, 2.0], [1.0, 0.0, 1.0], [nan, 2.0, nan]),
])
def test_cumprods_vjp_is_the_closed_form(x, g, expected):
    assert_array_equal(_vjp(np.cumprod, x, g), expected)


@pytest.mark.parametrize("x, t, expected", [
    ([inf, 0.5, 2.0, -inf], [-1.0, 1.0, 0.0, -1.0], [-1.0, inf, inf, nan]),
    ([-1.0, 0.0, inf, -inf, 0.5, 0.5], [0.0, -1.0, -1.0, 0.0, 0.0, 1.0],
     [0.0, 1.0, inf, nan, nan, nan]),
    ([inf, 0.5, inf, 0.5], [-1.0, 1.0, 2.0, 0.0], [-1.0, inf, nan, nan]),
    ([nan, 0.0, nan, -1.0], [2.0, 0.0, 2.0, 2.0], [2.0, 0.0, nan, nan]),
])
def test_cumprods_jvp_is_the_closed_form(x, t, expected):
    assert_array_equal(_jvp(np.cumprod, x, t), expected)


def test_prod_at_a_nan_leaves_it_out_of_its_own_partial():
    assert_array_equal(_vjp(np.prod, [-1.0, 2.0, nan], 1.0), [nan, nan, -2.0])
    assert_array_equal(_vjp(np.prod, [-1.0, nan, -1.0], 0.0), [0.0, 0.0, 0.0])
    assert _jvp(np.prod, [nan, 2.0, 0.5], [1.0, 0.0, 0.0]) == 1.0
    assert _jvp(np.prod, [2.0, nan], [0.0, 0.0]) == 0.0


def test_nan_skipping_products_differentiate_the_rest():
    x = [nan, inf, -1.0, 2.0]  # the nan counts as a constant 1
    assert onp.isnan(_jvp(np.nanprod, x, [5.0, 0.0, 1.0, 1.0]))  # inf * 2 meets inf * -1
    assert_array_equal(_jvp(np.nancumprod, x, [0.0, 1.0, -1.0, 1.0]), [0.0, 1.0, -inf, -inf])
    assert_array_equal(_vjp(np.nancumprod, x, [1.0, 1.0, 1.0, 1.0]), [0.0, -2.0, inf, -inf])


def test_along_an_axis_and_under_jit():
    x = onp.array([[inf, 1.0, -1.0], [2.0, 3.0, 4.0]])
    g = onp.array([[0.0, 2.0, 1.0], [1.0, 1.0, 1.0]])
    expected = [[1.0, nan, inf], [16.0, 10.0, 6.0]]
    assert_array_equal(_vjp(lambda a: np.cumprod(a, axis=1), x, g), expected)
    assert_array_equal(_vjp(lambda a: np.cumprod(a, axis=0), x.T, g.T), onp.transpose(expected))
    jitted = jit(lambda x, g: make_vjp(np.cumprod)(x)[0](g))
    for point, want in (([inf, 1.0, -1.0], [1.0, nan, inf]), ([2.0, 1.0, -1.0], [1.0, 2.0, 2.0]),
                        ([1.0, inf, -inf], [nan, -inf, inf])):
        assert_array_equal(_quiet(jitted, onp.array(point), g[0]), want)
        assert_array_equal(_vjp(np.cumprod, point, g[0]), want)


def _second(f, x, v):
    """f's HVP along v at x, reverse over reverse and forward over reverse, which agree."""
    x, v = onp.array(x), onp.array(v)
    reverse = _quiet(lambda: make_hvp(f)(x)[0](v))
    assert_array_equal(_quiet(lambda: make_jvp(grad(f))(x)(v)[1]), reverse)
    return reverse


@pytest.mark.parametrize("x, w, v, expected", [
    # sum_(k, m) w_k v_m prod_(j <= k, j not in {i, m}) x_j; at 0 the m = 1 terms leave out
    # the infinity: 2 * 2 + 1 * 2 * -1
    ([inf, 0.0, -1.0], [1.0, 2.0, 1.0], [-1.0, 2.0, 2.0], [2.0, inf, inf]),
    ([0.5, -1.0, 2.0, inf], [1.0, -1.0, 0.0, -1.0], [-1.0, 1.0, 2.0, 2.0], [nan, nan, -inf, -2.0]),
    ([0.0, 0.0, 1.5, -inf], [-1.0, -1.0, 2.0, 2.0], [1.0, -1.0, 1.0, 0.0], [nan, nan, nan, 0.0]),
])
def test_cumprods_second_derivative_is_the_closed_form(x, w, v, expected):
    assert_array_equal(_second(lambda a: np.dot(onp.array(w), np.cumprod(a)), x, v), expected)


@pytest.mark.parametrize("x, v, expected", [
    ([1.5, inf, 1.5, 0.0], [-1.0, 0.0, 0.0, 0.0], [0.0, 0.0, nan, -inf]),  # -1 * (inf * 0)
    ([1.5, 0.0, -1.0, inf, 0.5], [0.0, 2.0, 2.0, 0.0, 0.0], [nan, inf, inf, -1.5, nan]),
    ([inf, 2.0, 3.0], [1.0, 1.0, 1.0], [5.0, inf, inf]),
])
def test_prods_second_derivative_is_the_closed_form(x, v, expected):
    assert_array_equal(_second(np.prod, x, v), expected)


def test_second_derivatives_in_forward_over_forward_and_of_nancumprod():
    x, t, v = onp.array([2.0, inf, -1.0, 0.5]), onp.array([1.0, 0.0, 1.0, 2.0]), onp.ones(4)
    # at k: sum_(i != m <= k) t_i v_m prod_(j <= k, j not in {i, m}) x_j
    got = _quiet(lambda: make_jvp(lambda a: make_jvp(np.cumprod)(a)(t)[1])(x)(v)[1])
    assert_array_equal(got, [0.0, 1.0, inf, nan])
    x = onp.array([nan, inf, 2.0, 0.5])  # the nan is a constant 1
    assert_array_equal(_quiet(hessian(lambda a: np.sum(np.nancumprod(a))), x),
                       [[0, 0, 0, 0], [0, 0, 1.5, 2], [0, 1.5, 0, inf], [0, 2, inf, 0]])


def test_the_second_derivative_is_linear_in_its_directions():
    """Differentiating an HVP by its direction is still the second order: the Jacobian of
    v -> H v is the Hessian, and so for a cumprod's weights, in every mode."""
    x, v = onp.array([1.5, inf, 2.0, 0.5]), onp.array([1.0, 0.0, -1.0, 2.0])
    expected = [[0, 1, inf, inf], [1, 0, 0.75, 3], [inf, 0.75, 0, inf], [inf, 3, inf, 0]]
    assert_array_equal(_quiet(hessian(np.prod), x), expected)
    for hvp in (lambda w: make_hvp(np.prod)(x)[0](w), lambda w: make_jvp(grad(np.prod))(x)(w)[1]):
        assert_array_equal(_quiet(jacobian(hvp), v), expected)
        assert_array_equal(_quiet(make_jvp(hvp)(v), onp.eye(4)[2])[1], [inf, 0.75, 0, inf])
        assert_array_equal(_quiet(grad(lambda w: np.sum(hvp(w) * onp.eye(4)[1])), v),
                           [1, 0, 0.75, 3])
    w = onp.array([1.0, 0.0, 2.0, -1.0])  # cumprod's weights: d/dw_k of its HVP at 1
    weighted = lambda u: make_hvp(lambda a: np.dot(u, np.cumprod(a)))(x)[0](v)[1]  # noqa: E731
    # at k = 2: v_0 x_2 ... leave out x_1: 1 * 2 - 1 * 1.5 = 0.5; at k = 3: 2 * 0.5 - 0.75 + 6
    assert_array_equal(_quiet(grad(weighted), w), [0.0, 1.0, 0.5, 6.25])


def test_the_third_derivative_there_is_refused():
    x = onp.array([inf, 2.0, 3.0])
    third = grad(lambda a: np.sum(make_hvp(np.prod)(a)[0](onp.ones(3))))
    with pytest.raises(NotImplementedError, match="not the third"):
        _quiet(third, x)


def test_float32_stays_float32():
    x = onp.array([inf, 2.0, 0.0, -1.0], onp.float32)
    v = onp.ones(4, onp.float32)
    first = _vjp(np.cumprod, x, v)
    second = _second(np.prod, x, v)
    assert first.dtype == second.dtype == onp.float32
    assert_array_equal(first, [3.0, nan, nan, nan])
    assert_array_equal(second, [-2.0, nan, nan, nan])
