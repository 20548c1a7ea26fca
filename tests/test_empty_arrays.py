"""Derivatives where an input or output has no elements: correctly shaped empty Jacobians
and Hessians, and the same values from forward and reverse mode."""

import numpy as onp
from numpy.testing import assert_array_equal

import mlkit.numpy as np
from mlkit import hessian, jacobian


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
