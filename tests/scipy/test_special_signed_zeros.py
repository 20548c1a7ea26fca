"""At a negative zero, xlogy's slope in y and beta's slope in a pole argument are the same
as at 0.0: the limit from the side scipy's values come from (xlogy's y > 0; beta's a -> 0,
where the slope -(2a + 1) / (a (a + 1))**2 of B(a, 2) is -inf from both sides), not a
quotient by -0.0 or psi's limit from the left. In both modes and under jit."""

import warnings

import numpy as onp
import pytest
from numpy.testing import assert_array_equal

import mlkit.scipy.special as sp
from mlkit import grad, jit, make_jvp


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def slopes(f, argnum, *args):
    """The slope in ``argnum`` by reverse mode, forward mode and jitted reverse mode."""
    along = lambda v: f(*(v if i == argnum else a for i, a in enumerate(args)))  # noqa: E731
    return [grad(f, argnum)(*args), make_jvp(along)(args[argnum])(1.0)[1],
            jit(grad(f, argnum))(*args)]


@pytest.mark.parametrize("x, want", [(2.0, onp.inf), (-1.5, -onp.inf), (0.0, 0.0)])
def test_xlogy_slope_in_y_at_negative_zero(x, want):
    assert_array_equal(slopes(sp.xlogy, 1, x, -0.0), [want] * 3)
    assert_array_equal(slopes(sp.xlogy, 1, x, 0.0), [want] * 3)


def test_xlogy_mixed_partial_at_the_origin_from_either_zero():
    for y in (-0.0, 0.0):  # d/dx (x / y) = 1 / y from y > 0, in either order
        assert grad(grad(sp.xlogy, 1), 0)(0.0, y) == onp.inf
        assert grad(grad(sp.xlogy, 0), 1)(0.0, y) == onp.inf


@pytest.mark.parametrize("zero", [-0.0, 0.0])
def test_beta_slope_at_a_zero_argument_is_minus_infinity(zero):
    assert_array_equal(slopes(sp.beta, 0, zero, 2.0), [-onp.inf] * 3)
    assert_array_equal(slopes(sp.beta, 1, 3.0, zero), [-onp.inf] * 3)
