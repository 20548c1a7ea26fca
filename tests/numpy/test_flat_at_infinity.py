"""arctan, arcsinh, cbrt and sinc at x = +-inf: every derivative tends to 0 there, and is 0
in every composition of reverse and forward mode to third order (their slopes' formulas met
inf / inf, 0 * inf or cos(inf), and gave nan), in float64 and float32, and under mlkit.jit
whether the recorded call had an infinity or not."""

import itertools

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import elementwise_grad, jit, make_jvp


def forward(f):
    return lambda x: make_jvp(f)(x)(onp.ones_like(x))[1]


# third derivatives at finite x, written out
THIRD = {"arctan": lambda x: (6 * x ** 2 - 2) / (1 + x ** 2) ** 3,
         "arcsinh": lambda x: (2 * x ** 2 - 1) / (1 + x ** 2) ** 2.5,
         "cbrt": lambda x: 10 / 27 * onp.abs(x) ** (-8 / 3)}
X = onp.array([onp.inf, 1.0, -onp.inf, 0.3, -2.0])


@pytest.mark.parametrize("name", sorted(THIRD))
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_third_derivative_is_zero_at_infinity_in_every_mode(name, dtype):
    f = getattr(np, name)
    want = onp.zeros_like(X)
    finite = onp.isfinite(X)
    want[finite] = THIRD[name](X[finite])
    x = X.astype(dtype)
    for order in (2, 3):
        for modes in itertools.product((elementwise_grad, forward), repeat=order):
            g = f
            for mode in modes:
                g = mode(g)
            got = g(x)
            assert got.dtype == dtype
            if order == 3:
                assert_allclose(got, want, rtol=1e-5 if dtype == onp.float32 else 1e-12)
            else:
                assert onp.all(got[~finite] == 0) and onp.all(onp.isfinite(got))


@pytest.mark.parametrize("name", sorted(THIRD))
def test_jit_replays_the_zero_at_infinity(name):
    third = elementwise_grad(forward(elementwise_grad(getattr(np, name))))
    replayed = jit(third)
    replayed(onp.array([0.5, 1.0, -0.7, 0.3, -2.0]))  # recorded with no infinity
    assert_allclose(replayed(X), third(X), rtol=1e-12)
    assert replayed(X)[0] == replayed(X)[2] == 0


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_sinc_derivatives_vanish_at_infinity(dtype):
    x = onp.array([onp.inf, -onp.inf], dtype)
    for order in (1, 2, 3):
        for modes in itertools.product((elementwise_grad, forward), repeat=order):
            g = np.sinc
            for mode in modes:
                g = mode(g)
            got = g(x)
            assert got.dtype == dtype
            assert onp.all(got == 0)
    # and where x is finite, the third derivative is still the second's slope
    second = elementwise_grad(elementwise_grad(np.sinc))
    finite, h = onp.array([0.3, 2.5, -1.7]), 1e-4
    slope = (second(finite + h) - second(finite - h)) / (2 * h)
    assert_allclose(elementwise_grad(forward(elementwise_grad(np.sinc)))(finite), slope,
                    rtol=1e-7)
