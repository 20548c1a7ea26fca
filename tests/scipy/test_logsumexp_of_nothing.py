"""logsumexp of a slice whose sum is 0 (every a is -inf, or every weight b is 0): the value is
-inf for every finite step of a, so every derivative there is 0, in reverse and forward mode,
to second order and under jit; other slices keep their softmax slopes."""

import numpy
import pytest
import scipy.special
from numpy.testing import assert_allclose, assert_array_equal

import mlkit
import mlkit.numpy as np
from mlkit import grad, hessian, make_jvp
from mlkit.scipy import special

NEG_INF = -numpy.inf


def _quiet(f, *args):
    with numpy.errstate(all="ignore"):
        return f(*args)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_a_sum_of_nothing_has_zero_derivatives_in_every_mode(dtype):
    a = numpy.array([NEG_INF, NEG_INF], dtype)
    ones = numpy.ones_like(a)
    value, tangent = _quiet(make_jvp(special.logsumexp)(a), ones)
    assert value == NEG_INF and value.dtype == dtype
    gradient = _quiet(grad(special.logsumexp), a)
    assert gradient.dtype == dtype
    assert_array_equal(gradient, [0.0, 0.0])  # was nan: 1/0 from log met exp's slope 0
    assert tangent == 0.0
    assert_array_equal(_quiet(hessian(special.logsumexp), a), numpy.zeros((2, 2)))
    forward_over_reverse = _quiet(make_jvp(grad(special.logsumexp))(a), ones)[1]
    assert_array_equal(forward_over_reverse, [0.0, 0.0])


def test_rows_of_nothing_leave_the_other_rows_softmax_slopes():
    a = numpy.array([[NEG_INF, NEG_INF], [0.0, 1.0], [NEG_INF, 2.0]])
    weights = numpy.array([1.0, 2.0, 3.0])

    def f(a):
        return np.sum(special.logsumexp(a, axis=1) * weights)

    expected = numpy.vstack([[0.0, 0.0], 2 * scipy.special.softmax(a[1]), [0.0, 3.0]])
    assert_allclose(_quiet(grad(f), a), expected, rtol=1e-15)
    t = numpy.array([[1.0, -2.0], [0.5, 0.25], [4.0, -1.0]])
    assert_allclose(_quiet(make_jvp(f)(a), t)[1], numpy.sum(expected * t), rtol=1e-15)
    jitted = mlkit.jit(grad(f))
    finite = numpy.array([[0.0, 1.0], [0.0, 1.0], [1.0, 2.0]])
    assert_allclose(_quiet(jitted, finite), _quiet(grad(f), finite), rtol=1e-15)
    assert_allclose(_quiet(jitted, a), expected, rtol=1e-15)  # recorded without a -inf row


@pytest.mark.parametrize("return_sign", [False, True])
def test_zero_weights_give_minus_inf_and_zero_slopes(return_sign):
    def f(a):
        out = special.logsumexp(a, b=numpy.zeros(2), return_sign=return_sign)
        return out[0] if return_sign else out

    a = numpy.array([0.5, -1.0])
    assert _quiet(f, a) == NEG_INF
    assert_array_equal(_quiet(grad(f), a), [0.0, 0.0])
    assert _quiet(make_jvp(f)(a), numpy.ones(2))[1] == 0.0
