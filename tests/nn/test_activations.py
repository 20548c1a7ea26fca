"""Activations against their formulas, with derivative checks, stability and dtypes."""

import math

import numpy
import pytest
import scipy.special

from mlkit import elementwise_grad, grad, make_jvp, nn
from mlkit.testing import check_grads

X = numpy.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5])  # no kinks: finite differences are exact

FORMULAS = {
    "relu": (nn.relu, lambda x: numpy.maximum(x, 0)),
    "leaky_relu": (lambda x: nn.leaky_relu(x, 0.1), lambda x: numpy.where(x > 0, x, 0.1 * x)),
    "elu": (lambda x: nn.elu(x, 0.7), lambda x: numpy.where(x > 0, x, 0.7 * (numpy.exp(x) - 1))),
    "gelu_tanh": (nn.gelu, lambda x: 0.5 * x * (1 + numpy.tanh(
        math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    "silu": (nn.silu, lambda x: x / (1 + numpy.exp(-x))),
    "tanh": (nn.tanh, numpy.tanh),
    "sigmoid": (nn.sigmoid, lambda x: 1 / (1 + numpy.exp(-x))),
    "softplus": (nn.softplus, lambda x: numpy.log1p(numpy.exp(x))),
    "softplus_beta": (lambda x: nn.softplus(x, 2.0), lambda x: numpy.log1p(numpy.exp(2 * x)) / 2),
    "softmax": (nn.softmax, lambda x: numpy.exp(x) / numpy.exp(x).sum(-1, keepdims=True)),
    "log_softmax": (nn.log_softmax, lambda x: x - numpy.log(numpy.exp(x).sum(-1, keepdims=True))),
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_value_matches_formula(name):
    fun, formula = FORMULAS[name]
    numpy.testing.assert_allclose(fun(X), formula(X), rtol=1e-12, atol=1e-15)
    matrix = X.reshape(2, 3)
    numpy.testing.assert_allclose(fun(matrix), formula(matrix), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_derivatives_check_in_both_modes_to_second_order(name):
    fun, _ = FORMULAS[name]
    check_grads(fun)(X.reshape(2, 3))


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_float32_in_float32_out(name):
    fun, _ = FORMULAS[name]
    x = X.astype(numpy.float32)
    assert fun(x).dtype == numpy.float32
    assert elementwise_grad(lambda x: fun(x) * 1.0)(x).dtype == numpy.float32


def test_gelu_exact_uses_erf():
    expected = 0.5 * X * (1 + scipy.special.erf(X / math.sqrt(2)))
    numpy.testing.assert_allclose(nn.gelu(X, approximate="none"), expected, rtol=1e-12)
    check_grads(lambda x: nn.gelu(x, approximate="none"))(X)


def test_relu_and_leaky_relu_subgradients_at_zero():
    zero = numpy.zeros(3)
    numpy.testing.assert_array_equal(elementwise_grad(nn.relu)(zero), 0.0)
    numpy.testing.assert_array_equal(elementwise_grad(lambda x: nn.leaky_relu(x, 0.2))(zero), 0.2)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_stable_for_large_inputs(dtype):
    big = numpy.array([-1e4, -100.0, 100.0, 1e4], dtype)
    with numpy.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is fine
        numpy.testing.assert_allclose(nn.sigmoid(big), [0, math.exp(-100), 1, 1], atol=1e-43)
        numpy.testing.assert_allclose(nn.softplus(big), [0, 0, 100, 1e4], atol=1e-30)
        numpy.testing.assert_allclose(nn.log_softmax(big), [-2e4, -10100, -9900, 0], rtol=1e-6)
        numpy.testing.assert_allclose(nn.softmax(big), [0, 0, 0, 1])
        numpy.testing.assert_allclose(nn.silu(big), [0, 0, 100, 1e4], atol=1e-30)
        numpy.testing.assert_allclose(nn.elu(big), [-1, -1, 100, 1e4])
        numpy.testing.assert_allclose(elementwise_grad(nn.sigmoid)(big), [0, 0, 0, 0],
                                      atol=1e-30)
        numpy.testing.assert_allclose(elementwise_grad(nn.softplus)(big), [0, 0, 1, 1],
                                      atol=1e-30)


def test_get_activation():
    assert nn.get_activation("relu") is nn.relu
    assert nn.get_activation(numpy.tanh) is numpy.tanh
    with pytest.raises(ValueError, match="unknown activation 'nope'"):
        nn.get_activation("nope")


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("alpha", [1.0, 0.7])
def test_elu_slope_at_zero_is_alpha(dtype, alpha):
    # The left derivative alpha exp(0), as PyTorch; for alpha = 1 ELU is smooth there.
    x = numpy.array([[0.0, -0.5], [0.0, 2.0]], dtype)
    expected = numpy.where(x > 0, 1.0, alpha * numpy.exp(numpy.minimum(x, 0)))
    slope = elementwise_grad(lambda x: nn.elu(x, alpha))(x)
    assert slope.dtype == dtype
    numpy.testing.assert_allclose(slope, expected, rtol=1e-6)
    numpy.testing.assert_allclose(make_jvp(lambda x: nn.elu(x, alpha))(x)(numpy.ones_like(x))[1],
                                  expected, rtol=1e-6)
    if alpha == 1.0:
        check_grads(nn.elu, order=1)(numpy.zeros(3))


def _gelu_closed_forms(x, approximate):
    """GELU and its derivative in float64, from functions exact in the left tail."""
    if approximate == "none":
        pdf = numpy.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return x * scipy.special.ndtr(x), scipy.special.ndtr(x) + x * pdf
    c = math.sqrt(2 / math.pi)
    z2 = 2 * c * (x + 0.044715 * x ** 3)  # 0.5 (1 + tanh(z)) = expit(2 z)
    s, rest = scipy.special.expit(z2), scipy.special.expit(-z2)
    return x * s, s + x * s * rest * 2 * c * (1 + 3 * 0.044715 * x * x)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("approximate", ["tanh", "none"])
def test_gelu_keeps_relative_accuracy_in_the_left_tail(dtype, approximate):
    x = numpy.array([-12.0, -9.0, -5.0, -2.0, 3.0], dtype)  # 0.5 (1 + erf/tanh) rounded to 0
    value, slope = _gelu_closed_forms(x.astype(numpy.float64), approximate)
    rtol = 1e-5 if dtype == numpy.float32 else 1e-10
    got = nn.gelu(x, approximate=approximate)
    got_slope = elementwise_grad(lambda x: nn.gelu(x, approximate=approximate))(x)
    assert got.dtype == got_slope.dtype == dtype
    # (float32 holds no value below 1e-45: those are 0 in both)
    numpy.testing.assert_allclose(got, value.astype(dtype), rtol=rtol, atol=0)
    numpy.testing.assert_allclose(got_slope, slope.astype(dtype), rtol=rtol, atol=0)


@pytest.mark.filterwarnings("ignore:overflow encountered")  # x * x in the normal density
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_gelu_derivatives_stay_finite_where_x_cubed_overflows(dtype):
    x = numpy.array([-1e20, -1e3, 1e3, 1e20], dtype)
    expected = numpy.array([0.0, 0.0, 1.0, 1.0])
    for approximate in ("tanh", "none"):
        def gelu(x):
            return nn.gelu(x, approximate=approximate)
        numpy.testing.assert_array_equal(gelu(x), numpy.where(x > 0, x, 0))
        numpy.testing.assert_array_equal(elementwise_grad(gelu)(x), expected)
        numpy.testing.assert_array_equal(make_jvp(gelu)(x)(numpy.ones_like(x))[1], expected)
        numpy.testing.assert_array_equal(elementwise_grad(elementwise_grad(gelu))(x), 0.0)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("beta", [2.0, 1e6])
def test_softplus_with_beta_where_beta_x_passes_the_dtype_range(dtype, beta):
    # Past finfo.max / beta, softplus is relu(x) to every precision: slope 1 or 0, curvature 0
    # (beta x was inf: nan values and slopes). Inside, the slope is sigmoid(beta x).
    top = float(numpy.finfo(dtype).max)
    x = numpy.array([[-top, -top / 1.5 / beta, -30 / beta], [30 / beta, top / 1.5 / beta, top]],
                    dtype)
    with numpy.errstate(over="ignore"):  # +-inf in float64 too, for float64 inputs
        z = beta * x.astype(numpy.float64)
    slope = scipy.special.expit(z)
    curvature = beta * slope * scipy.special.expit(-z)
    value = numpy.where(x > 0, x, 0) + numpy.log1p(numpy.exp(-abs(z))) / beta

    def fun(x):
        return nn.softplus(x, beta)
    with numpy.errstate(over="raise", invalid="raise", divide="raise"):
        got, got_slope = fun(x), elementwise_grad(fun)(x)
        assert got.dtype == got_slope.dtype == dtype
        numpy.testing.assert_allclose(got, value, rtol=1e-6)
        numpy.testing.assert_allclose(got_slope, slope, rtol=1e-6)
        numpy.testing.assert_allclose(make_jvp(fun)(x)(numpy.ones_like(x))[1], slope, rtol=1e-6)
        numpy.testing.assert_allclose(elementwise_grad(elementwise_grad(fun))(x), curvature,
                                      rtol=1e-5)


@pytest.mark.parametrize("name", [n for n in FORMULAS if "softmax" not in n])  # elementwise
def test_a_python_float_is_taken_as_a_float64_scalar(name):
    # softplus with beta != 1 read x.dtype, which a Python float has not (AttributeError)
    fun, formula = FORMULAS[name]
    numpy.testing.assert_allclose(fun(0.9), formula(numpy.float64(0.9)), rtol=1e-12)
    slope = (formula(0.9 + 1e-6) - formula(0.9 - 1e-6)) / 2e-6
    numpy.testing.assert_allclose(grad(fun)(0.9), slope, rtol=1e-6)
