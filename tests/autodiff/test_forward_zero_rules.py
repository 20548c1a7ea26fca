"""Forward mode when a traced argument has no rule (None, a zero tangent): as in HIPS autograd,
the output's zero is added, so a rule's tangent that only broadcasts to the output takes the
output's shape (libraries written for autograd return zeros(n) for a (2, n) index output)."""

import numpy as onp
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import make_jvp
from mlkit.extend import defjvp, primitive


@primitive
def scaled_and_shifted(values, index):
    """(2 * values, index + 1): a float output and an integer (2, n) one."""
    return 2.0 * values, index + 1


# The integer output's tangent is written as zeros(n), not zeros((2, n)); index has no rule.
defjvp(scaled_and_shifted,
       lambda g, ans, values, index: (2.0 * g, onp.zeros(ans[1].shape[1])), None)


@primitive
def floored_shift(row, offsets):
    """row + floor(offsets): a (3,) row broadcast over a (2, 3) array of offsets."""
    return row + onp.floor(offsets)


# floor is piecewise constant, so the offsets have no rule (None); the row's tangent is given
# for the row alone, and broadcasts to the output.
defjvp(floored_shift, lambda g, ans, row, offsets: g, None)

INDEX = onp.array([[0, 1, 2], [3, 4, 5]])


def joined(values, shapes):
    a, i = scaled_and_shifted(values, INDEX)
    b, j = scaled_and_shifted(a * a, i)  # a traced index output goes to the rule-less argument
    c, k = scaled_and_shifted(b, j)
    both = np.hstack((j, k))  # integer outputs joined along their second axis
    shapes.append(np.shape(both))
    return np.sum(c) + 0.0 * np.sum(both * 1.0)


def test_an_index_tangent_written_as_zeros_n_takes_its_outputs_shape():
    x = onp.array([1.0, -2.0, 0.5])
    shapes = []
    value, tangent = make_jvp(joined)(x, shapes)(onp.array([1.0, 0.0, -1.0]))
    assert shapes == [(2, 6)]
    # sum(2 * 2 * (2x)^2) = 16 |x|^2, so the tangent along v is 32 x . v
    assert value == 16.0 * onp.sum(x ** 2)
    assert tangent == 32.0 * (1.0 - 0.5)


def test_a_tangent_that_broadcasts_to_the_output_is_broadcast():
    row = onp.array([1.0, 2.0, 3.0])
    v = onp.array([1.0, 0.0, 2.0])
    # The offsets depend on the row (so they are traced, and their rule is None): the tangent
    # is v repeated over the two rows of the output, as the finite difference says.
    def f(r):
        return floored_shift(r, np.stack([r * 1.7, r * -0.3]))

    value, tangent = make_jvp(f)(row)(v)
    assert onp.shape(tangent) == (2, 3)
    assert_allclose(tangent, [[1.0, 0.0, 2.0], [1.0, 0.0, 2.0]], rtol=1e-15)
    h = 1e-7
    assert_allclose((f(row + h * v) - value) / h, tangent, rtol=1e-6)
