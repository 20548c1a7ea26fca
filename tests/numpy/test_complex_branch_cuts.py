"""Derivatives on a branch cut, at points with a signed zero imaginary (or real) part: numpy's
value there is the limit from the side the zero's sign names (arcsin(1.5 + 0j) from above,
arcsin(1.5 - 0j) from below), so the derivative must be that side's too. Formulas through
x * x or x + 1 drop the zero's sign and gave the other side's slope (its negative) for
arcsin, arccos, arcsinh and arccosh (sqrt and log were right); checked by one-sided
differences that keep the sign."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit
import mlkit.numpy as np
from mlkit import grad, holomorphic_grad, make_jvp

W = onp.array([0.8 - 0.3j, -0.5 + 1.1j])
# function, real parts and imaginary parts of two points on its cuts (the zero's sign varies)
CUTS = {"arcsin": (np.arcsin, onp.arcsin, [1.5, -2.5], [0.0, 0.0]),
        "arccos": (np.arccos, onp.arccos, [1.5, -2.5], [0.0, 0.0]),
        "arccosh": (np.arccosh, onp.arccosh, [0.5, -2.5], [0.0, 0.0]),
        "arcsinh": (np.arcsinh, onp.arcsinh, [0.0, 0.0], [1.5, -2.5]),
        "sqrt": (np.sqrt, onp.sqrt, [-1.5, -0.4], [0.0, 0.0]),
        "log": (np.log, onp.log, [-1.5, -0.4], [0.0, 0.0])}


def _complex(re, im):
    """re + i im keeping the sign of a zero part (re + 1j * im would not)."""
    out = onp.empty(onp.shape(re), complex)
    out.real, out.imag = re, im
    return out


def _one_sided(f, re, im, dre, dim):
    """d/dt f(re + t dre, im + t dim) at t = 0+, to second order, staying on one side."""
    h = 1e-6
    at = lambda t: f(_complex(re + t * dre, im + t * dim))
    return (-3 * at(0) + 4 * at(h) - at(2 * h)) / (2 * h)


@pytest.mark.parametrize("zero", [0.0, -0.0], ids=["+0", "-0"])
@pytest.mark.parametrize("name", CUTS)
def test_slope_on_a_branch_cut_is_the_side_numpy_takes(name, zero):
    fun, raw, re, im = CUTS[name]
    re, im = onp.array(re), onp.array(im)
    on_real_axis = name != "arcsinh"
    if on_real_axis:
        im = onp.copysign(im, zero)
    else:
        re = onp.copysign(re, zero)
    z = _complex(re, im)
    inward = onp.copysign(1.0, zero)  # the step into the side numpy's value belongs to
    d_re, d_im = (onp.zeros(2), inward * onp.ones(2)) if on_real_axis else (inward * onp.ones(2),
                                                                             onp.zeros(2))
    slope = _one_sided(raw, re, im, d_re, d_im) / _complex(d_re, d_im)
    assert_allclose(holomorphic_grad(lambda q: np.sum(fun(q)))(z), slope, rtol=1e-5)
    assert_allclose(make_jvp(fun)(z)(onp.ones(2, complex))[1], slope, rtol=1e-5)
    loss = lambda q: np.real(np.sum(fun(q) * W))
    assert_allclose(grad(loss)(z), W * slope, rtol=1e-5)
    assert_allclose(mlkit.jit(grad(loss))(z), W * slope, rtol=1e-5)
    curvature = _one_sided(lambda q: onp.asarray(holomorphic_grad(
        lambda p: np.sum(fun(p)))(q)), re, im, d_re, d_im) / _complex(d_re, d_im)
    slope_of = holomorphic_grad(lambda q: np.sum(fun(q)))
    assert_allclose(make_jvp(slope_of)(z)(onp.ones(2, complex))[1], curvature, rtol=1e-4)
