"""special.beta(a, b) in a at a = 0, where B(a, b) ~ 1/a: the one-sided limits from a > 0,
-inf then +inf, in every order and mode, under jit and in float32. Reverse over reverse
met an infinite cotangent in psi'(a) - psi'(a + b) as inf - inf (nan)."""

import numpy as onp
import pytest
import scipy.special
from numpy.testing import assert_allclose

from mlkit import elementwise_grad, grad, jit, make_jvp
from mlkit.scipy import special

INF = onp.inf


pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _forward(f):
    return lambda x: make_jvp(f)(x)(onp.ones_like(x))[1]


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
@pytest.mark.parametrize("b", [1.0, 2.5, 0.1])
def test_slopes_at_zero_are_the_limits_from_the_right(b, dtype):
    f = lambda a: special.beta(a, dtype(b))  # noqa: E731
    a = onp.array([0.0, 0.5], dtype)
    inside = scipy.special.beta(0.5, b)
    dpsi = scipy.special.digamma(0.5) - scipy.special.digamma(0.5 + b)
    dpsi2 = scipy.special.polygamma(1, 0.5) - scipy.special.polygamma(1, 0.5 + b)
    slopes = [[-INF, inside * dpsi], [INF, inside * (dpsi**2 + dpsi2)]]
    for order, want in enumerate(slopes, start=1):
        for modes in ([elementwise_grad] * order, [_forward] * order,
                      [elementwise_grad, _forward][:order], [_forward, elementwise_grad][:order]):
            g = f
            for mode in modes:
                g = mode(g)
            for got in (g(a), jit(g)(a)):
                assert got.dtype == dtype
                assert_allclose(got, want, rtol=1e-5 if dtype == onp.float32 else 1e-12)


def test_one_over_a_at_b_equal_one():
    # B(a, 1) = 1/a: slopes -1/a**2 and 2/a**3, heading for the limits at 0
    f = lambda a: special.beta(a, 1.0)  # noqa: E731
    assert_allclose([grad(f)(1e-3), grad(grad(f))(1e-3)], [-1e6, 2e9], rtol=1e-9)
    assert [grad(f)(0.0), grad(grad(f))(0.0), make_jvp(grad(f))(0.0)(1.0)[1]] == [-INF, INF, INF]
