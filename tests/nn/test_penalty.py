"""nn.weight_penalty, the one weight penalty: its value and gradient by hand, and the configs'
penalty built on it."""

import numpy
import pytest
from numpy.testing import assert_allclose

from mlkit import grad, make_jvp, nn, registry

TREE = {"a": numpy.array([1.0, -2.0]), "b": [numpy.array([[3.0, 0.5]], numpy.float32)]}


def test_value_and_gradient_by_hand():
    # l2/2 * (1 + 4 + 9 + 0.25) + l1 * (1 + 2 + 3 + 0.5), with l2 = 0.4 and l1 = 0.1
    assert nn.weight_penalty(TREE, l2=0.4, l1=0.1) == pytest.approx(0.2 * 14.25 + 0.1 * 6.5)
    g = grad(lambda t: nn.weight_penalty(t, l2=0.4, l1=0.1))(TREE)
    assert_allclose(g["a"], [0.4 * 1 + 0.1, 0.4 * -2 - 0.1])
    assert g["b"][0].dtype == numpy.float32
    assert_allclose(g["b"][0], [[0.4 * 3 + 0.1, 0.4 * 0.5 + 0.1]], rtol=1e-6)
    assert nn.weight_penalty(TREE) == 0.0 and nn.weight_penalty([], l2=1.0) == 0.0


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_l1_subgradient_at_zero_is_zero(dtype):
    # sign(0) = 0, as documented: a weight at 0 is pulled by the l2 term (also 0) only.
    w = [numpy.array([0.0, -0.0, 1.5, -2.0], dtype), numpy.zeros((2, 2), dtype)]

    def penalty(w):
        return nn.weight_penalty(w, l2=0.4, l1=0.3)
    g = grad(penalty)(w)
    assert g[0].dtype == g[1].dtype == dtype
    assert_allclose(g[0], [0.0, 0.0, 0.4 * 1.5 + 0.3, 0.4 * -2.0 - 0.3], rtol=1e-6)
    assert_allclose(g[1], 0.0)
    ones = [numpy.ones_like(a) for a in w]
    assert make_jvp(penalty)(w)(ones)[1] == pytest.approx(0.4 * -0.5, rel=1e-6)


def test_l1_and_l2_penalties_are_the_weight_penalty():
    assert nn.l2_penalty(TREE) == nn.weight_penalty(TREE, l2=2.0) == pytest.approx(14.25)
    assert nn.l1_penalty(TREE) == nn.weight_penalty(TREE, l1=1.0) == pytest.approx(6.5)


def test_config_penalty_covers_linear_weights_only():
    model = nn.MLP(2, [3], 1, rng=numpy.random.default_rng(0))
    weights = [layer.weight for layer in registry.penalized_weights(model)]
    penalty = registry.weight_penalty(model, l2=0.3, l1=0.2)
    assert penalty() == nn.weight_penalty(weights, l2=0.3, l1=0.2)
    expected = sum(0.15 * numpy.sum(w * w) + 0.2 * numpy.sum(numpy.abs(w)) for w in weights)
    assert penalty() == pytest.approx(expected)
    assert registry.weight_penalty(model) is None
