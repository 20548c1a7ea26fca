"""x**z with a real base x < 0 and a complex exponent z: numpy raises the base as x + 0j, so
the value is |x|**z e^(i pi z) and d/dz x**z = (log|x| + i pi) x**z, finite. The slope must
use that complex logarithm (the real log of x < 0 is nan), in both modes, to second order,
under jit, and for a traced real base too."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit
import mlkit.numpy as np
from mlkit import grad, holomorphic_grad, make_jvp

BASES = {"python float": -2.0, "array": onp.array([-2.0, 3.0, -0.5]),
         "float32 array": onp.array([-2.0, 3.0, -0.5], onp.float32)}
Z = onp.array([0.3 + 0.4j, 1.2 - 0.7j, -0.6 + 0.2j])
W = onp.array([0.8 - 0.3j, -0.5 + 1.1j, 0.2 + 0.9j])


def _slope(base, z):
    """d/dz base**z from the complex base, checked against differences in z."""
    slope = onp.log(onp.asarray(base, complex)) * onp.power(onp.asarray(base, complex), z)
    h = 1e-6
    assert_allclose((onp.power(base, z + h) - onp.power(base, z - h)) / (2 * h), slope,
                    rtol=1e-6)
    return slope


@pytest.mark.parametrize("name", BASES)
def test_negative_real_base_to_a_complex_power_has_the_complex_log_slope(name):
    base = BASES[name]
    z = Z.astype(onp.result_type(onp.asarray(base).dtype, onp.complex64))
    slope = _slope(base, Z)
    rtol = 1e-5 if z.dtype == onp.complex64 else 1e-10
    holo = holomorphic_grad(lambda q: np.sum(np.power(base, q)))(z)
    assert holo.dtype == z.dtype
    assert_allclose(holo, slope, rtol=rtol)
    assert_allclose(make_jvp(lambda q: np.power(base, q))(z)(onp.ones(3, z.dtype))[1], slope,
                    rtol=rtol)
    loss = lambda q: np.real(np.sum(np.power(base, q) * W))
    assert_allclose(grad(loss)(z), W * slope, rtol=rtol)  # autograd's convention
    assert_allclose(mlkit.jit(grad(loss))(z), W * slope, rtol=rtol)
    slope_of = holomorphic_grad(lambda q: np.sum(np.power(base, q)))
    curvature = onp.log(onp.asarray(base, complex)) * slope
    assert_allclose(holomorphic_grad(lambda q: np.sum(slope_of(q)))(z), curvature, rtol=rtol)
    assert_allclose(make_jvp(slope_of)(z)(onp.ones(3, z.dtype))[1], curvature, rtol=rtol)


def test_traced_negative_real_base_under_a_complex_power():
    """Both arguments traced: the real base's slope z x**(z-1) was right already, the
    exponent's was nan; the loss is real, so each gradient is checked by differences."""
    x, z = onp.array([-1.3, 0.7]), onp.array([0.5 + 0.2j, 1.1 - 0.3j])
    loss = lambda x, z: np.real(np.sum(np.power(x, z) * W[:2]))
    h = 1e-6
    gx = [(loss(x + e, z) - loss(x - e, z)) / (2 * h) for e in onp.eye(2) * h]
    gz = [(loss(x, z + e) - loss(x, z - e)) / (2 * h)
          - 1j * (loss(x, z + 1j * e) - loss(x, z - 1j * e)) / (2 * h) for e in onp.eye(2) * h]
    assert_allclose(grad(loss, 0)(x, z), gx, rtol=1e-6)
    assert_allclose(grad(loss, 1)(x, z), gz, rtol=1e-6)
    tangent = make_jvp(lambda z: loss(x, z))(z)(onp.array([1.0, 1j]))[1]
    assert_allclose(tangent, onp.real(gz[0]) - onp.imag(gz[1]), rtol=1e-6)  # dL/dy = -Im g
