"""A partial derivative that is 0 at an end of the range (stdtr in df at t = 0) still varies
with the other argument: its slope there is the mixed partial, not 0."""

import numpy as onp
import pytest
import scipy.special
from numpy.testing import assert_allclose

from mlkit import grad, jit, make_jvp
from mlkit.scipy import special


def _t_density_in_df_fd(df, t, h=1e-5):
    """d/ddf of the t density by central differences of scipy's stdtr slope in t."""
    def density(d):
        return onp.exp(scipy.special.gammaln((d + 1) / 2) - scipy.special.gammaln(d / 2)
                       - 0.5 * onp.log(onp.pi * d) - (d + 1) / 2 * onp.log1p(t * t / d))
    return (density(df + h) - density(df - h)) / (2 * h)


@pytest.mark.parametrize("df", [0.5, 1.0, 3.0])
def test_stdtr_slope_in_df_at_zero_moves_with_t_in_every_mode(df):
    expected = _t_density_in_df_fd(df, 0.0)
    assert abs(expected) > 1e-3  # not the 0 the end-point rule used to give
    in_df = grad(special.stdtr, 0)
    assert_allclose(grad(in_df, 1)(df, 0.0), expected, rtol=1e-7)
    assert_allclose(jit(grad(in_df, 1))(df, 0.0), expected, rtol=1e-7)
    assert_allclose(make_jvp(lambda t: in_df(df, t))(0.0)(1.0)[1], expected, rtol=1e-7)
    assert_allclose(grad(grad(special.stdtr, 1), 0)(df, 0.0), expected, rtol=1e-7)
    assert grad(in_df, 1)(df, onp.inf) == 0.0  # the density and its slope vanish there


def test_stdtr_mixed_partial_keeps_float32_and_broadcasts():
    df = onp.array([1.0, 3.0], onp.float32)
    mixed = grad(lambda t: grad(lambda d: special.stdtr(d, t).sum())(df).sum())(onp.float32(0.0))
    assert mixed.dtype == onp.float32
    assert_allclose(mixed, sum(_t_density_in_df_fd(d, 0.0) for d in (1.0, 3.0)), rtol=1e-5)


@pytest.mark.parametrize("name, args", [("gammainc", (0.5, 0.0)), ("gammaincc", (1.0, 0.0)),
                                        ("betainc", (0.5, 2.0, 0.0))])
def test_unwritten_mixed_partials_at_an_end_are_refused_not_zero(name, args):
    # d/dx d/da gammainc(a, x) at x = 0 is -inf for a <= 1: the old constant 0 was wrong.
    fun = getattr(special, name)
    with pytest.raises(NotImplementedError, match=f"{name} .*'a and the last argument together'"):
        grad(grad(fun, 0), len(args) - 1)(*args)
    assert grad(fun, 0)(*args) == 0.0  # the first derivative at the end is still 0
