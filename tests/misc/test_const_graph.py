"""mlkit.misc.const_graph: the first call traces, later calls replay only the primitives (the
Python around them does not run again), with the right values and derivatives."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad
from mlkit.misc import const_graph


def test_later_calls_replay_the_primitives_without_the_python_around_them():
    runs = []

    def model(x, w, scale=1.0):
        runs.append(1)
        hidden = np.tanh(np.dot(w, x))
        return (scale * np.sum(hidden**2), hidden)

    w = onp.array([[1.0, -0.5], [0.3, 2.0]])
    cached = const_graph(model, scale=3.0)
    for x in (onp.array([0.1, 0.2]), onp.array([-1.0, 0.5]), onp.array([2.0, 0.0])):
        value, hidden = cached(x, w)
        expected = onp.tanh(w @ x)
        assert_allclose(hidden, expected) and assert_allclose(value, 3.0 * onp.sum(expected**2))
    assert len(runs) == 1


def test_replays_are_differentiable():
    cached = const_graph(lambda x, y: np.sin(x) * y + x)
    cached(1.0, 2.0)
    assert_allclose(grad(cached)(0.5, 3.0), 3.0 * onp.cos(0.5) + 1.0)
    assert_allclose(grad(cached, 1)(0.5, 3.0), onp.sin(0.5))


def test_a_function_independent_of_its_arguments_is_refused():
    with pytest.raises(ValueError, match="does not depend on its arguments"):
        const_graph(lambda x: np.ones(2))(1.0)
