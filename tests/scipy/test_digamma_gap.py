"""B's and betaln's slopes, psi(a) - psi(a + b), where one argument is small beside the other:
as a difference of two near digamma values they lost their digits (betaln's slope in b was 0
at a = 3, b = 1e16, and a relative 1e-7 off at b = 1e10). The numbers are mpmath's, at the
float64 inputs."""

import pytest
from numpy.testing import assert_allclose

from mlkit import deriv, grad
from mlkit.scipy import special

# (a, b, psi(b) - psi(a + b), psi'(b) - psi'(a + b))
SLOPES_IN_B = [
    (3.0, 1e16, -2.9999999999999997e-16, 2.9999999999999994e-32),
    (2.0, 1e10, -1.9999999999e-10, 1.9999999998e-20),
    (1e-10, 0.5, -4.9348021997032397e-10, 1.6828796639363866e-9),
]


@pytest.mark.parametrize("a, b, slope, curvature", SLOPES_IN_B)
def test_betaln_slopes_in_b_keep_their_digits(a, b, slope, curvature):
    for mode in (grad, deriv):
        assert_allclose(mode(special.betaln, 1)(a, b), slope, rtol=1e-12)
        assert_allclose(mode(special.betaln, 0)(b, a), slope, rtol=1e-12)
        assert_allclose(mode(mode(special.betaln, 1), 1)(a, b), curvature, rtol=1e-8)
    assert_allclose(grad(special.beta, 1)(a, b) / special.beta(a, b), slope, rtol=1e-12)

