"""A jitted call gives back the types an eager call gives: a numpy scalar stays a scalar."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, jit


def mixed(y):  # a float32 input whose cotangent comes back float64, cast to float32
    return np.sum(y * y) + 0.5 * np.sum((y * y).astype(onp.float64))


@pytest.mark.parametrize("y", [onp.array(0.5, onp.float32), onp.float32(0.5)],
                         ids=["0-d array", "numpy scalar"])
def test_a_derivative_cast_back_to_float32_is_a_scalar_jitted_too(y):
    eager, jitted = grad(mixed)(y), jit(grad(mixed))(y)
    assert type(jitted) is type(eager) is onp.float32
    assert jitted == eager == onp.float32(1.5)


def test_astype_of_a_numpy_scalar_is_a_scalar_jitted_too():
    def widened(y):
        return y.astype(onp.float64)

    jitted = jit(widened)
    for y in (onp.float32(2.5), onp.float32(-3.0)):
        eager = widened(y)
        assert type(jitted(y)) is type(eager) is onp.float64
        assert jitted(y) == eager == float(y)
