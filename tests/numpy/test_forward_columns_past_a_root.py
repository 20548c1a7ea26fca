"""A Jacobian built column by column in forward mode: an input that does not reach a root at
0 (or a log at 0) has a finite column, the reverse-mode Jacobian's, not nan. The zero tangent
such an input leaves on the root's argument meets the root's infinite slope as 0."""

import numpy
import pytest
from numpy.testing import assert_array_equal

import mlkit.numpy as np
from mlkit import jacobian, jit, make_jvp


def _forward_jacobian(f, x):
    with numpy.errstate(all="ignore"):
        columns = [make_jvp(f)(x)(e)[1] for e in numpy.eye(x.size, dtype=x.dtype)]
    return numpy.stack(columns, axis=-1)


def _reverse_jacobian(f, x):
    with numpy.errstate(all="ignore"):
        return jacobian(f)(x)


FUNCTIONS = {
    "sqrt-plus": lambda v: np.stack([np.sqrt(v[0]) + v[1], v[1] * v[2]]),
    "log-times": lambda v: np.stack([np.log(v[0]) * 2.0, np.exp(v[1]) + v[2]]),
    "root-of-part": lambda v: np.sqrt(np.concatenate([v[:1], np.zeros(2, v.dtype), v[1:] ** 2])),
    "power": lambda v: np.stack([v[0] ** 0.5 - v[2], np.sin(v[1])]),
}


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_columns_of_inputs_that_miss_the_root_are_finite_and_match_reverse_mode(name, dtype):
    f, x = FUNCTIONS[name], numpy.array([0.0, 1.0, 2.0], dtype)
    forward = _forward_jacobian(f, x)
    assert forward.dtype == dtype
    assert numpy.isinf(forward[0, 0])  # the root's (or log's) own slope at 0
    assert numpy.all(numpy.isfinite(forward[:, 1:]))
    reverse = _reverse_jacobian(f, x)
    # rows past the root: reverse mode sends them a zero cotangent, which also gives 0
    assert_array_equal(forward, reverse)


def test_columns_under_jit_replay_the_eager_ones():
    f = FUNCTIONS["sqrt-plus"]

    def column(x, e):
        return make_jvp(f)(x)(e)[1]

    jitted = jit(column)
    for x in (numpy.array([4.0, 1.0, 2.0]), numpy.array([0.0, 1.0, 2.0])):
        for e in numpy.eye(3):
            with numpy.errstate(all="ignore"):
                assert_array_equal(jitted(x, e), column(x, e))
