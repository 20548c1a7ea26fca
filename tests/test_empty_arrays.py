"""Derivatives where an input or output has no elements: correctly shaped empty Jacobians
and Hessians, and the same values from forward and reverse mode."""

import warnings

import numpy as onp
import pytest
from numpy.testing import assert_array_equal

import mlkit.numpy as np
import mlkit.scipy.special as special
from mlkit import hessian, jacobian, make_jvp, make_vjp


def test_jacobian_of_an_empty_output_is_empty_with_the_inputs_dtype():
    j = jacobian(lambda x: x[:0] * x[0])(onp.ones(3, onp.float32))
    assert j.shape == (0, 3) and j.dtype == onp.float32
    assert jacobian(lambda x: x[:0] * 1j)(onp.ones(3)).dtype == onp.complex128
    blocks = jacobian(lambda x: (x[:0], x[1:] ** 2))(onp.array([1.0, 2.0, 3.0]))
    assert blocks[0].shape == (0, 3)
    assert_array_equal(blocks[1], [[0.0, 4.0, 0.0], [0.0, 0.0, 6.0]])


def test_hessian_of_an_empty_input_is_empty():
    assert hessian(lambda x: np.sum(x ** 2))(onp.ones(0)).shape == (0, 0)
    assert hessian(lambda x: np.sum(x ** 3))(onp.ones((2, 0))).shape == (2, 0, 2, 0)
    assert jacobian(lambda x: np.sum(x) * np.ones(2))(onp.ones(0)).shape == (2, 0)


@pytest.mark.parametrize("name", ["mean", "var", "std", "logsumexp", "mean axis 1", "mean where"])
def test_forward_and_reverse_agree_on_empty_reductions(name):
    """The Jacobian of a reduction of no elements has no columns: its JVP is 0 (not the nan
    of the empty mean) and its gradient is empty."""
    fun, x = {
        "mean": (np.mean, onp.zeros(0)),
        "var": (np.var, onp.zeros(0)),
        "std": (np.std, onp.zeros(0)),
        "logsumexp": (special.logsumexp, onp.zeros(0)),
        "mean axis 1": (lambda x: np.mean(x, axis=1), onp.zeros((2, 0))),
        "mean where": (lambda x: np.mean(x, axis=1, where=[[True, False], [False, False]]),
                      onp.array([[1.0, 2.0], [3.0, 4.0]])),
    }[name]
    with onp.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value, tangent = make_jvp(fun)(x)(onp.ones_like(x))
        cotangent = onp.ones_like(value)
        vjp = make_vjp(fun)(x)[0](cotangent)
    reachable = onp.isfinite(value)
    assert_array_equal(onp.asarray(tangent)[~reachable], 0.0)
    assert onp.sum(vjp * onp.ones_like(x)) == onp.sum(onp.asarray(tangent) * cotangent)
