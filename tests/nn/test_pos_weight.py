"""binary_cross_entropy_with_logits's pos_weight: PyTorch's weighting of the positive term."""

import numpy
import pytest

from mlkit import grad, nn
from mlkit.testing import check_grads

X = numpy.array([[-2.0, 0.5, 3.0], [1.0, -0.5, 0.0]])
Y = numpy.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])


def _by_definition(x, y, p):
    sig = 1.0 / (1.0 + numpy.exp(-x))
    return -(p * y * numpy.log(sig) + (1.0 - y) * numpy.log(1.0 - sig))


@pytest.mark.parametrize("pos_weight", [3.0, numpy.array([0.5, 2.0, 4.0])])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_pos_weight_scales_the_positive_term(pos_weight, reduction):
    expected = _by_definition(X, Y, pos_weight)
    expected = {"none": expected, "mean": expected.mean(), "sum": expected.sum()}[reduction]
    got = nn.binary_cross_entropy_with_logits(X, Y, pos_weight=pos_weight, reduction=reduction)
    numpy.testing.assert_allclose(got, expected, rtol=1e-13)


def test_the_gradient_weighs_the_positive_terms_slope_by_p_to_second_order():
    p = numpy.array([0.5, 2.0, 4.0])
    g = grad(lambda x: nn.binary_cross_entropy_with_logits(x, Y, pos_weight=p,
                                                           reduction="sum"))(X)
    sig = 1.0 / (1.0 + numpy.exp(-X))
    numpy.testing.assert_allclose(g, -p * Y * (1.0 - sig) + (1.0 - Y) * sig, rtol=1e-13)
    check_grads(lambda x: nn.binary_cross_entropy_with_logits(x, Y, pos_weight=p),
                modes=["fwd", "rev"], order=2)(X)


def test_pos_weight_keeps_float32_and_large_logits_finite():
    x = numpy.array([-800.0, 800.0], numpy.float32)
    y = numpy.array([1.0, 0.0], numpy.float32)
    loss = nn.binary_cross_entropy_with_logits(x, y, pos_weight=2.0, reduction="none")
    assert loss.dtype == numpy.float32
    numpy.testing.assert_array_equal(loss, [1600.0, 800.0])


def test_a_pos_weight_of_the_wrong_shape_names_the_shapes():
    with pytest.raises(ValueError, match=r"pos_weight has shape \(2,\), expected \(\) or \(3,\)"):
        nn.binary_cross_entropy_with_logits(X, Y, pos_weight=numpy.ones(2))
