"""np.linalg.det at singular matrices beyond the second derivative: the third and fourth, in
reverse, forward and mixed modes, against det's expansion by rows (tests/numpy/singular.py)
and finite differences of the second derivative, at rank n-1 to n-3 up to 8x8 and at widely
spread singular values, across a stack of mixed ranks under jit, complex and float32."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose
from singular import cofactor_derivative, of_rank, total_det

import mlkit.numpy as np
from mlkit import grad, holomorphic_grad, jit, make_hvp, make_jvp


def _hvp(a, t):
    return make_hvp(total_det)(a)[0](t)


def _third_forward(a, t, w):
    return make_jvp(lambda x: make_jvp(grad(total_det))(x)(t)[1])(a)(w)[1]


THIRD = {  # d/dA of <d2 det(A)[t, .], w>, the open slot last: symmetric, so all agree
    "reverse": lambda a, t, w: grad(lambda x: np.sum(_hvp(x, t) * w))(a),
    "forward": _third_forward,
    "mixed": lambda a, t, w: make_jvp(lambda x: _hvp(x, t))(a)(w)[1],
}
FOURTH = {
    "reverse": lambda a, t, w, z: grad(lambda x: np.sum(_third_forward(x, t, w) * z))(a),
    "forward": lambda a, t, w, z: make_jvp(lambda x: _third_forward(x, t, w))(a)(z)[1],
}
SPREAD = onp.geomspace(1.0, 1e-6, 6)  # singular values across six decades


def _directions(seed, shape, count):
    rng = onp.random.default_rng(seed)
    return [rng.standard_normal(shape) for _ in range(count)]


@pytest.mark.parametrize("mode", sorted(THIRD))
@pytest.mark.parametrize("shape, rank, values", [
    ((3, 3), 2, None), ((4, 4), 2, None), ((5, 5), 2, None), ((8, 8), 7, None),
    ((8, 8), 6, None), ((8, 8), 5, None), ((2, 4, 4), 3, None), ((6, 6), 4, SPREAD),
    ((6, 6), 5, SPREAD)])
def test_third_derivative_in_every_mode(mode, shape, rank, values):
    a = of_rank(11, shape, rank, values=values)
    t, w = _directions(12, shape, 2)
    expected = cofactor_derivative(a, (t, w))
    scale = onp.abs(expected).max()
    assert scale > 1e-4  # not trivially zero
    assert_allclose(THIRD[mode](a, t, w), expected, atol=1e-11 * scale)


@pytest.mark.parametrize("rank", [5, 4, 3])
def test_third_derivative_is_the_second_ones_finite_difference(rank):
    """For a 6x6 matrix the second derivative along a line is a quartic, for which the
    five-point difference is exact: steps of 0.01 keep the points far from singular."""
    a = of_rank(13, (6, 6), rank)
    t, w = _directions(14, (6, 6), 2)
    h = 0.01
    along = [_hvp(a + k * h * w, t) for k in (-2, -1, 1, 2)]
    expected = (along[0] - 8 * along[1] + 8 * along[2] - along[3]) / (12 * h)
    assert_allclose(_third_forward(a, t, w), expected, atol=1e-10 * onp.abs(expected).max())


@pytest.mark.parametrize("mode", sorted(FOURTH))
@pytest.mark.parametrize("shape, rank", [((5, 5), 4), ((5, 5), 3), ((5, 5), 2), ((6, 6), 3)])
def test_fourth_derivative_in_both_modes(mode, shape, rank):
    a = of_rank(15, shape, rank)
    t, w, z = _directions(16, shape, 3)
    expected = cofactor_derivative(a, (t, w, z))
    assert_allclose(FOURTH[mode](a, t, w, z), expected, atol=1e-11 * onp.abs(expected).max())


def test_past_the_polynomials_degree_the_derivative_is_zero():
    """det of a 3x3 matrix is cubic: the fourth derivative of its gradient is 0."""
    a = of_rank(17, (3, 3), 2)
    t, w, z = _directions(18, (3, 3), 3)
    for fourth in FOURTH.values():
        assert_allclose(fourth(a, t, w, z), 0, atol=1e-13)


def test_a_stack_of_mixed_ranks_under_jit_and_replayed_at_other_ranks():
    shape = (5, 4, 4)
    stack = onp.stack([of_rank(i, (4, 4), r) for i, r in enumerate((4, 3, 2, 3, 1))])
    other = onp.stack([of_rank(9 + i, (4, 4), r) for i, r in enumerate((3, 4, 3, 2, 2))])
    t, w = _directions(19, shape, 2)
    for mode in ("reverse", "forward"):
        jitted = jit(THIRD[mode])
        for a in (stack, other, stack):
            expected = cofactor_derivative(a, (t, w))
            assert_allclose(jitted(a, t, w), expected, atol=1e-12 * onp.abs(expected).max())


def test_complex_third_derivative_is_holomorphic():
    a = of_rank(20, (2, 5, 5), 3, complex_=True)
    t, w = (d * (1 - 0.3j) for d in _directions(21, a.shape, 2))
    gradient = holomorphic_grad(total_det)
    got = make_jvp(lambda x: make_jvp(gradient)(x)(t)[1])(a)(w)[1]
    expected = cofactor_derivative(a, (t, w))
    assert_allclose(got, expected, atol=1e-12 * onp.abs(expected).max())


def test_float32_stays_float32_at_third_and_fourth_order():
    a = of_rank(22, (2, 5, 5), 3).astype(onp.float32)
    t, w, z = (d.astype(onp.float32) for d in _directions(23, a.shape, 3))
    third = THIRD["reverse"](a, t, w)
    fourth = FOURTH["forward"](a, t, w, z)
    assert third.dtype == fourth.dtype == onp.float32
    expected = cofactor_derivative(a.astype(float), (t, w))
    assert_allclose(third, expected, atol=1e-5 * onp.abs(expected).max())


@pytest.mark.parametrize("smallest", [1e-6, 1e-10])
def test_near_singular_matrices_keep_every_order_accurate(smallest):
    """det(A) A^-T loses about eps * cond(A)**k of the k-th derivative (the third was off by
    1.6e-5 relative at cond 1e6, by 1e3 at cond 1e10): such matrices take the adjugate's way."""
    values = onp.linspace(0.8, 1.25, 6)
    values[0] = smallest
    a = of_rank(24, (6, 6), 6, values=values)
    t, w = _directions(25, (6, 6), 2)
    expected = cofactor_derivative(a, (t,))
    assert_allclose(_hvp(a, t), expected, atol=1e-12 * onp.abs(expected).max())
    expected = cofactor_derivative(a, (t, w))
    for mode in ("reverse", "forward"):
        assert_allclose(THIRD[mode](a, t, w), expected, atol=1e-11 * onp.abs(expected).max())
