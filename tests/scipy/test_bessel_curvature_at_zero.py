"""i0 and i1 are smooth at x = 0, so their second derivatives there are the limits of
I0'' = I0 - I1 / x and I1'' = I0' - (I0 - I1 / x) / x + I1 / x**2: 1/2 and 0 in every mode
(a rule that writes i0 through exp(|x|) i0e picks up a spurious 1 there)."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

from mlkit import grad, jit, make_jvp
from mlkit.scipy import special


def _second(fun, mode):
    """The second derivative of a scalar function, by reverse-over-reverse, forward-over-reverse,
    forward-over-forward or jit of reverse-over-reverse."""
    if mode == "rr":
        return grad(grad(fun))
    if mode == "fr":
        return lambda x: make_jvp(grad(fun))(x)(1.0)[1]
    if mode == "ff":
        return lambda x: make_jvp(lambda y: make_jvp(fun)(y)(1.0)[1])(x)(1.0)[1]
    return jit(grad(grad(fun)))


@pytest.mark.parametrize("mode", ["rr", "fr", "ff", "jit"])
@pytest.mark.parametrize("name, at_zero", [("i0", 0.5), ("i1", 0.0)])
def test_second_derivative_at_zero_is_the_limit_from_either_side(name, at_zero, mode):
    fun = getattr(special, name)
    assert_allclose(_second(fun, mode)(0.0), at_zero, atol=1e-12)
    # the closed form just off 0, from both sides, tends to the same value
    x = onp.array([-1e-3, 1e-3])
    i0, i1 = special.i0(x), special.i1(x)
    near = i0 - i1 / x if name == "i0" else (i1 - (i0 - i1 / x) / x + i1 / x ** 2)
    assert_allclose(near, at_zero, atol=2e-3)
    assert_allclose(_second(fun, mode)(x[1]), near[1], rtol=1e-9)


@pytest.mark.parametrize("mode", ["rr", "fr", "ff", "jit"])
@pytest.mark.parametrize("order, slope, curvature", [(0.0, 0.0, 1.5), (1.0, 0.5, 0.0),
                                                     (2.0, 0.0, 0.25)])
def test_ive_at_its_kink_takes_the_mean_of_both_sides(order, slope, curvature, mode):
    """ive(v, x) = iv(v, x) exp(-|x|) kinks at 0: its derivatives there are the mean of the
    one-sided values, as |x|'s 0 is. ive(0, x) = 1 - |x| + 3/4 x**2 + ...: slopes -1 and 1
    (mean 0), curvature 3/2 on both sides (the slope's formula alone gives 1/2: sign(0)**2 is
    0, not 1); ive(1, x) = x/2 - x|x|/2 + ...: curvatures -1 and 1, mean 0."""
    fun = lambda x: special.ive(order, x)  # noqa: E731
    assert_allclose([grad(fun)(0.0), make_jvp(fun)(0.0)(1.0)[1]], slope, atol=1e-12)
    assert_allclose(_second(fun, mode)(0.0), curvature, atol=1e-12)
    h = 1e-4  # one-sided second differences on each side
    sides = [(fun(s * 2 * h) - 2 * fun(s * h) + fun(0.0)) / h ** 2 for s in (1, -1)]
    assert_allclose(onp.mean(sides), curvature, atol=1e-3)
    assert_allclose(_second(fun, mode)(0.3), (fun(0.3 + h) - 2 * fun(0.3) + fun(0.3 - h)) / h ** 2,
                    rtol=1e-6)
