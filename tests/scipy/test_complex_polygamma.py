"""polygamma(n, z) for complex z far left of the origin, where the reflection formula takes
over from the recurrence: values against mpmath's (written in), the derivatives the rule
gives against central differences, and the same answer on both sides of Re z = 1/2."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

from mlkit import elementwise_grad, make_jvp
from mlkit.scipy import special

# (n, z, psi_n(z)) from mpmath.psi at 30 digits
MPMATH = [
    (1, -50.3 + 0j, 15.059729299010273 + 0j),
    (1, -1e3 + 2j, -0.0011371718907894279 - 1.9979930160182373e-06j),
    (2, -1e3 + 2j, -9.989885240595932e-07 - 0.0008650520765780711j),
    (3, -7.5 + 0.25j, -32.22556506548271 - 0.00036037305237661795j),
    (2, -0.3 - 4j, 0.05612090927385973 + 0.02378667495584393j),
    (1, -2.9 - 30j, -0.0037308759357277607 + 0.032913471771562126j),
    (2, -1e5 + 0.5j, -9.999899999750015e-11 - 12.76709461034507j),
    (1, -3 + 1e-3j, -999996.9939612935 - 8.003972599499975e-05j),
]


@pytest.mark.parametrize("n, z, want", MPMATH)
def test_values_left_of_the_origin_match_mpmath(n, z, want):
    got = special.polygamma(n, onp.array([z]))[0]
    # to a few roundings of its modulus (mpmath's digits here are rounded once)
    assert abs(got - want) <= 1e-15 * abs(want)
    assert special.polygamma(n, onp.array([z], onp.complex64)).dtype == onp.complex64


def test_derivatives_left_of_the_origin_match_central_differences():
    z = onp.array([-50.3 + 0.5j, -1e3 + 2j, -7.5 + 0.25j, -0.3 - 4j])
    h = 1e-6
    for n in (1, 2):
        slope = elementwise_grad(lambda z: special.polygamma(n, z))(z)  # holomorphic
        difference = (special.polygamma(n, z + h) - special.polygamma(n, z - h)) / (2 * h)
        assert_allclose(slope, difference, rtol=1e-7)
        assert_allclose(make_jvp(lambda z: special.polygamma(n, z))(z)(onp.ones_like(z))[1],
                        slope, rtol=1e-15)


def test_the_reflection_meets_the_recurrence_at_a_half():
    # just left of Re z = 1/2 by reflection, just right by the recurrence: psi_n is smooth
    for n in (1, 2, 3):
        left, right = special.polygamma(n, onp.array([0.5 - 1e-9 + 1j, 0.5 + 1e-9 + 1j]))
        assert abs(left - right) < 1e-8 * abs(left)
