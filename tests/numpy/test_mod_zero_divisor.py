"""mod, remainder and fmod at a zero divisor: the value is nan (numpy's), and so is the slope
in the divisor (the sawtooth's period shrinks to nothing there), in every mode and for Python
floats too, which raised ZeroDivisionError; elsewhere the slope is -floor(x / y) (-trunc)."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import elementwise_grad, grad, jit, make_jvp


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name, away", [("mod", [-3.0, 4.0]), ("remainder", [-3.0, 4.0]),
                                        ("fmod", [-3.0, 3.0])])
def test_the_slope_in_a_zero_divisor_is_nan_in_every_mode(name, away):
    f = getattr(np, name)
    slopes = [grad(f, 1)(2.0, 0.0), make_jvp(lambda v: f(2.0, v))(0.0)(1.0)[1],
              jit(grad(f, 1))(2.0, 0.0), grad(grad(f, 1), 1)(2.0, 0.0)]
    assert onp.isnan(slopes[:3]).all() and slopes[3] == 0.0  # piecewise constant slope
    mixed = [grad(grad(f, 0), 1)(2.0, 0.0), make_jvp(lambda v: grad(f, 0)(2.0, v))(0.0)(1.0)[1],
             grad(lambda v: make_jvp(lambda u: f(u, v))(2.0)(1.0)[1])(0.0)]
    assert_allclose(mixed, 0.0)  # the slope in x is 1 everywhere
    x, y = onp.array([7.0, 2.0, -7.0]), onp.array([2.0, 0.0, 2.0])
    assert_allclose(elementwise_grad(lambda v: f(x, v))(y), [away[0], onp.nan, away[1]])
