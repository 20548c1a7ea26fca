"""Losses against hand-computed values for every reduction and option; stability; errors."""

import math

import numpy
import pytest

import mlkit.numpy as np
from mlkit import elementwise_grad, grad, make_jvp, nn, value_and_grad
from mlkit.testing import check_grads

P = numpy.array([0.5, -1.0, 2.0, 3.0])
T = numpy.array([1.0, 1.0, 2.0, -1.0])
W = numpy.array([1.0, 2.0, 0.0, 0.5])


def reduced(per_sample, reduction, weight=None, denominator=None):
    """The reference reduction: weighted sum, or weighted mean over the weight total."""
    w = numpy.ones_like(per_sample) if weight is None else weight
    if reduction == "none":
        return per_sample * w
    if reduction == "sum":
        return numpy.sum(per_sample * w)
    return numpy.sum(per_sample * w) / (w.sum() if denominator is None else denominator)


ELEMENTWISE = {
    "mse": (nn.mse_loss, {}, [0.25, 4.0, 0.0, 16.0]),
    "l1": (nn.l1_loss, {}, [0.5, 2.0, 0.0, 4.0]),
    # delta 1.5: |d| = 0.5 -> 0.125, 2 -> 1.5 * (2 - 0.75), 0 -> 0, 4 -> 1.5 * (4 - 0.75)
    "huber": (nn.huber_loss, {"delta": 1.5}, [0.125, 1.875, 0.0, 4.875]),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_regression_losses(name, weighted, reduction):
    fun, options, per_sample = ELEMENTWISE[name]
    weight = W if weighted else None
    value = fun(P, T, **options, weight=weight, reduction=reduction)
    numpy.testing.assert_allclose(value, reduced(numpy.array(per_sample), reduction, weight))


def test_sample_weights_broadcast_over_elements():
    p, t = P.reshape(2, 2), T.reshape(2, 2)
    w = numpy.array([1.0, 3.0])
    squared = (p - t) ** 2
    expected = (squared * w[:, None]).sum() / (2 * w.sum())
    numpy.testing.assert_allclose(nn.mse_loss(p, t, weight=w), expected)
    with pytest.raises(ValueError, match=r"weight has shape \(3,\), expected \(2,\)"):
        nn.mse_loss(p, t, weight=numpy.ones(3))


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"predictions have shape \(4, 1\) but targets have "
                                         r"shape \(4,\)"):
        nn.mse_loss(P.reshape(4, 1), T)
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.l1_loss(P, T, reduction="avg")


def test_binary_cross_entropy_on_probabilities():
    p = numpy.array([0.9, 0.2, 0.6])
    y = numpy.array([1.0, 0.0, 0.3])
    per_sample = -(y * numpy.log(p) + (1 - y) * numpy.log(1 - p))
    for reduction in ("mean", "sum", "none"):
        numpy.testing.assert_allclose(nn.binary_cross_entropy(p, y, reduction=reduction),
                                      reduced(per_sample, reduction))
    w = numpy.array([2.0, 1.0, 1.0])
    numpy.testing.assert_allclose(nn.binary_cross_entropy(p, y, weight=w),
                                  reduced(per_sample, "mean", w))
    edge = nn.binary_cross_entropy(numpy.array([0.0, 1.0]), numpy.array([1.0, 0.0]),
                                   reduction="none")
    numpy.testing.assert_allclose(edge, -math.log(numpy.finfo(numpy.float64).eps))


def test_binary_cross_entropy_with_logits_matches_the_definition():
    x = numpy.array([-2.0, 0.0, 0.7, 3.0])
    y = numpy.array([0.0, 1.0, 1.0, 0.25])
    s = 1 / (1 + numpy.exp(-x))
    per_sample = -(y * numpy.log(s) + (1 - y) * numpy.log(1 - s))
    for reduction in ("mean", "sum", "none"):
        numpy.testing.assert_allclose(
            nn.binary_cross_entropy_with_logits(x, y, weight=W, reduction=reduction),
            reduced(per_sample, reduction, W))
    numpy.testing.assert_allclose(grad(nn.binary_cross_entropy_with_logits)(x, y),
                                  (s - y) / 4)
    check_grads(lambda x, y: nn.binary_cross_entropy_with_logits(x, y, reduction="none"),
                argnum=(0, 1))(x, y)


LOGITS = numpy.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0], [-1.0, 2.0, 0.0], [0.0, 0.0, 0.0]])
LABELS = numpy.array([0, 2, 2, 1])
CLASS_WEIGHT = numpy.array([1.0, 3.0, 0.5])


def log_softmax(z):
    return z - numpy.log(numpy.exp(z).sum(-1, keepdims=True))


def test_cross_entropy_with_labels_all_reductions_and_weights():
    logp = log_softmax(LOGITS)
    nll = -logp[numpy.arange(4), LABELS]
    for reduction in ("mean", "sum", "none"):
        numpy.testing.assert_allclose(nn.cross_entropy(LOGITS, LABELS, reduction=reduction),
                                      reduced(nll, reduction))
        numpy.testing.assert_allclose(
            nn.cross_entropy(LOGITS, LABELS, weight=W, reduction=reduction),
            reduced(nll, reduction, W))
    # class weights: PyTorch divides the mean by the summed weights of the samples' classes
    cw = CLASS_WEIGHT[LABELS]
    numpy.testing.assert_allclose(nn.cross_entropy(LOGITS, LABELS, class_weight=CLASS_WEIGHT),
                                  (cw * nll).sum() / cw.sum())
    numpy.testing.assert_allclose(
        nn.cross_entropy(LOGITS, LABELS, class_weight=CLASS_WEIGHT, reduction="none"), cw * nll)
    numpy.testing.assert_allclose(
        nn.cross_entropy(LOGITS, LABELS, weight=W, class_weight=CLASS_WEIGHT),
        (W * cw * nll).sum() / (W * cw).sum())
    numpy.testing.assert_allclose(nn.cross_entropy(LOGITS, LABELS), nn.nll_loss(logp, LABELS))


def test_cross_entropy_label_smoothing_as_pytorch():
    eps = 0.2
    logp = log_softmax(LOGITS)
    nll = -logp[numpy.arange(4), LABELS]
    smooth = -logp.sum(-1)  # sum over classes
    expected = (1 - eps) * nll.mean() + eps / 3 * smooth.mean()
    numpy.testing.assert_allclose(nn.cross_entropy(LOGITS, LABELS, label_smoothing=eps),
                                  expected)
    # with class weights: (1 - eps) * weighted nll + eps / C * sum_c w_c (-logp_c), both over
    # the summed weights of the samples' classes
    cw = CLASS_WEIGHT[LABELS]
    weighted_smooth = -(logp * CLASS_WEIGHT).sum(-1)
    expected = ((1 - eps) * (cw * nll).sum() + eps / 3 * weighted_smooth.sum()) / cw.sum()
    numpy.testing.assert_allclose(
        nn.cross_entropy(LOGITS, LABELS, class_weight=CLASS_WEIGHT, label_smoothing=eps),
        expected)


def test_cross_entropy_with_probability_targets():
    target = numpy.array([[1.0, 0, 0], [0.2, 0.3, 0.5], [0, 0, 1], [0.5, 0.5, 0]])
    logp = log_softmax(LOGITS)
    per_sample = -(target * logp).sum(-1)
    numpy.testing.assert_allclose(nn.cross_entropy(LOGITS, target), per_sample.mean())
    smoothed = target * 0.9 + 0.1 / 3
    numpy.testing.assert_allclose(
        nn.cross_entropy(LOGITS, target, label_smoothing=0.1, class_weight=CLASS_WEIGHT,
                         reduction="sum"),
        -(smoothed * CLASS_WEIGHT * logp).sum())
    check_grads(lambda z, t: nn.cross_entropy(z, t, reduction="none"), argnum=(0, 1))(
        LOGITS, target)


def test_cross_entropy_gradient_is_softmax_minus_target():
    probs = numpy.exp(log_softmax(LOGITS))
    onehot = numpy.eye(3)[LABELS]
    numpy.testing.assert_allclose(grad(nn.cross_entropy)(LOGITS, LABELS), (probs - onehot) / 4)
    check_grads(lambda z: nn.cross_entropy(z, LABELS, class_weight=CLASS_WEIGHT,
                                           label_smoothing=0.1))(LOGITS)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_logit_losses_are_stable_and_exact_at_1e4(dtype):
    logits = numpy.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]], dtype)
    labels = numpy.array([1, 2, 0])
    with numpy.errstate(over="raise", invalid="raise", divide="raise"):
        value, g = np.array(nn.cross_entropy(logits, labels)), grad(nn.cross_entropy)(
            logits, labels)
        assert value.dtype == dtype and g.dtype == dtype
        # per-sample losses: 2e4, log 2, log 2
        numpy.testing.assert_allclose(value, (2e4 + 2 * math.log(2)) / 3, rtol=1e-6)
        expected = numpy.array([[1, -1, 0], [0, 0.5, -0.5], [0.5 - 1, 0.5, 0]]) / 3
        numpy.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-30)
        x = numpy.array([1e4, -1e4, 1e4, -1e4], dtype)
        y = numpy.array([1.0, 1.0, 0.0, 0.0], dtype)
        bce = nn.binary_cross_entropy_with_logits(x, y, reduction="none")
        assert bce.dtype == dtype
        numpy.testing.assert_allclose(bce, [0, 1e4, 1e4, 0], atol=1e-30)
        g = grad(lambda x: nn.binary_cross_entropy_with_logits(x, y, reduction="sum"))(x)
        numpy.testing.assert_array_equal(g, [0, -1, 1, 0])


def test_nll_loss_with_class_weights():
    logp = log_softmax(LOGITS)
    cw = CLASS_WEIGHT[LABELS]
    picked = -logp[numpy.arange(4), LABELS]
    numpy.testing.assert_allclose(nn.nll_loss(logp, LABELS, class_weight=CLASS_WEIGHT),
                                  (cw * picked).sum() / cw.sum())
    numpy.testing.assert_allclose(nn.nll_loss(logp, LABELS, reduction="sum"), picked.sum())


def test_hinge_binary_and_multiclass():
    s = numpy.array([0.3, -2.0, 1.5, -0.2])
    y = numpy.array([1.0, -1.0, -1.0, 1.0])
    numpy.testing.assert_allclose(nn.hinge_loss(s, y, reduction="none"), [0.7, 0, 2.5, 1.2])
    numpy.testing.assert_allclose(nn.hinge_loss(s, y, margin=2.0, weight=W),
                                  reduced(numpy.array([1.7, 0, 3.5, 2.2]), "mean", W))
    with pytest.raises(ValueError, match="-1 or \\+1"):
        nn.hinge_loss(s, numpy.array([1.0, 0.0, 0.0, 1.0]))
    # multiclass (PyTorch's MultiMarginLoss): sum_{j != y} max(0, 1 - s_y + s_j) / C
    per_sample = numpy.array([
        (max(0, 1 - 2 + 1) + max(0, 1 - 2 - 1)) / 3,
        (max(0, 1 - 3 + 0.5) + max(0, 1 - 3 + 0.5)) / 3,
        (max(0, 1 - 0 - 1) + max(0, 1 - 0 + 2)) / 3,
        (max(0, 1 - 0 + 0) + max(0, 1 - 0 + 0)) / 3,
    ])
    numpy.testing.assert_allclose(nn.hinge_loss(LOGITS, LABELS, reduction="none"), per_sample)
    numpy.testing.assert_allclose(
        nn.hinge_loss(LOGITS, LABELS, class_weight=CLASS_WEIGHT),
        (per_sample * CLASS_WEIGHT[LABELS]).mean())


def test_label_errors():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        nn.cross_entropy(LOGITS, numpy.array([0, 1, 3, 0]))
    with pytest.raises(ValueError, match=r"labels have shape \(3,\), expected \(4,\)"):
        nn.cross_entropy(LOGITS, numpy.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"probability targets have shape \(4, 2\)"):
        nn.cross_entropy(LOGITS, numpy.ones((4, 2)))
    with pytest.raises(ValueError, match=r"class_weight has shape \(2,\), expected \(3,\)"):
        nn.cross_entropy(LOGITS, LABELS, class_weight=numpy.ones(2))


def test_float32_losses_stay_float32():
    p32, t64 = P.astype(numpy.float32), T  # float64 targets are cast to the predictions' dtype
    for fun in (nn.mse_loss, nn.l1_loss, nn.huber_loss):
        assert np.array(fun(p32, t64, weight=W)).dtype == numpy.float32
        assert grad(lambda p, fun=fun: fun(p, t64))(p32).dtype == numpy.float32
    logits32 = LOGITS.astype(numpy.float32)
    for options in ({}, {"class_weight": CLASS_WEIGHT, "label_smoothing": 0.1}, {"weight": W}):
        assert np.array(nn.cross_entropy(logits32, LABELS, **options)).dtype == numpy.float32
    assert np.array(nn.hinge_loss(logits32, LABELS)).dtype == numpy.float32


def test_penalties_over_a_tree():
    tree = {"a": numpy.array([1.0, -2.0]), "b": [numpy.array([[3.0]]), {}]}
    assert nn.l1_penalty(tree) == pytest.approx(6.0)
    assert nn.l2_penalty(tree) == pytest.approx(14.0)
    g = grad(nn.l2_penalty)(tree)
    numpy.testing.assert_allclose(g["a"], [2.0, -4.0])
    numpy.testing.assert_allclose(grad(nn.l1_penalty)(tree)["b"][0], [[1.0]])


@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (1, 7)])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_reduced_label_cross_entropy_equals_the_per_sample_losses(shape, reduction, dtype):
    """Integer labels reduced to a scalar take one fused op; it must agree with reducing the
    per-sample losses, keep the dtype, and differentiate to second order in both modes."""
    rng = numpy.random.default_rng(len(shape))
    logits = (rng.standard_normal(shape) * 3).astype(dtype)
    labels = rng.integers(0, shape[-1], shape[:-1])
    fused = nn.cross_entropy(logits, labels, reduction=reduction)
    per_sample = nn.cross_entropy(logits, labels, reduction="none")
    expected = per_sample.mean() if reduction == "mean" else per_sample.sum()
    tolerance = 1e-5 if dtype == numpy.float32 else 1e-12
    numpy.testing.assert_allclose(fused, expected, rtol=tolerance)
    value, gradient = value_and_grad(
        lambda z: nn.cross_entropy(z, labels, reduction=reduction))(logits)
    assert numpy.asarray(value).dtype == dtype and gradient.dtype == dtype
    if dtype == numpy.float64:
        check_grads(lambda z: nn.cross_entropy(z, labels, reduction=reduction),
                    modes=("fwd", "rev"), order=2)(logits)


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("shape", [(4,), (2, 2)])
def test_binary_cross_entropy_keeps_exact_slopes_at_confident_right_answers(dtype, shape):
    # -(y log p + (1 - y) log(1 - p)) at p = y in {0, 1} is 0, with slope (p - y) / (p (1 - p))
    # from the one live term: +1 at p = y = 0, -1 at p = y = 1; its second derivative is 1.
    p = numpy.array([0.0, 1.0, 0.0, 1.0], dtype).reshape(shape)
    y = p.copy()

    def loss(p):
        return nn.binary_cross_entropy(p, y, reduction="sum")

    slope = numpy.where(p == 0, 1.0, -1.0)
    numpy.testing.assert_array_equal(loss(p), 0.0)
    g = grad(loss)(p)
    assert g.dtype == dtype
    numpy.testing.assert_allclose(g, slope, rtol=1e-6)
    numpy.testing.assert_allclose(make_jvp(loss)(p)(numpy.ones_like(p))[1], slope.sum(),
                                  rtol=1e-6)
    numpy.testing.assert_allclose(elementwise_grad(grad(loss))(p), 1.0, rtol=1e-6)
    # Just inside [0, 1], where the old floor also flattened the live term:
    # d/dp -log(1 - p) = 1 / (1 - p) at p = eps / 2 for y = 0.
    tiny = numpy.full(shape, numpy.finfo(dtype).eps / 2, dtype)
    numpy.testing.assert_allclose(grad(lambda p: nn.binary_cross_entropy(
        p, numpy.zeros_like(p), reduction="sum"))(tiny), 1 / (1 - tiny), rtol=1e-6)


@pytest.mark.filterwarnings("ignore:overflow encountered")  # softmax's x - max(x)
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("labels", [[0, 2], None])
def test_label_smoothing_of_logits_spread_past_the_dtype_range(dtype, labels):
    # A class of smoothed target t > 0 whose x - max(x) overflows adds t (max(x) - x): finite
    # while the loss is (was inf). The gradient is softmax - target, its curvature 0 there.
    top = float(numpy.finfo(dtype).max)
    logits = numpy.array([[0.9 * top, -0.9 * top, 0.0], [1.0, 2.0, 0.5]], dtype)
    eps = 0.3
    onehot = numpy.eye(3)[[0, 2]]
    target = onehot * (1 - eps) + eps / 3
    z = logits[1].astype(numpy.float64)
    log_p1 = z - numpy.log(numpy.exp(z).sum())
    row0 = eps / 3 * 2.7 * top  # log_softmax(row 0) = [0, -1.8 top, -0.9 top]
    expected = [row0, -(target[1] * log_p1).sum()]
    targets = numpy.array(labels) if labels is not None else target.astype(dtype)

    def loss(x):
        return nn.cross_entropy(x, targets, label_smoothing=eps if labels else 0.0,
                                reduction="sum")
    losses = nn.cross_entropy(logits, targets, label_smoothing=eps if labels else 0.0,
                              reduction="none")
    assert losses.dtype == dtype
    numpy.testing.assert_allclose(losses, expected, rtol=1e-6)
    softmax = numpy.stack([[1.0, 0.0, 0.0], numpy.exp(log_p1)])
    g = grad(loss)(logits)
    assert g.dtype == dtype
    numpy.testing.assert_allclose(g, softmax - target, rtol=1e-6, atol=1e-7)
    v = numpy.array([[0.5, -1.0, 2.0], [1.0, 0.0, -1.0]], dtype)
    numpy.testing.assert_allclose(make_jvp(loss)(logits)(v)[1], ((softmax - target) * v).sum(),
                                  rtol=1e-6)
    hv = make_jvp(grad(loss))(logits)(v)[1]  # per row diag(p) v - p (p . v)
    p = softmax
    numpy.testing.assert_allclose(hv, p * v - p * (p * v).sum(-1, keepdims=True), rtol=1e-5,
                                  atol=1e-7)


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.parametrize("options", [{"reduction": "none"}, {"class_weight": [1.0, 2.0, 3.0]},
                                     {"weight": [2.0, 1.0]}])
def test_cross_entropy_of_a_float32_spread_past_its_range_is_finite(options):
    # x - max(x) is -inf for the -3e38 logit: its class, of target 0, must add 0, not 0 * inf.
    logits = numpy.array([[3e38, -3e38, 0.0], [1.0, 2.0, 0.5]], numpy.float32)
    labels = numpy.array([0, 1])
    options = {k: numpy.asarray(v, numpy.float32) if isinstance(v, list) else v
               for k, v in options.items()}
    z = logits[1].astype(numpy.float64)
    row1 = numpy.log(numpy.exp(z).sum()) - z[1]
    if "class_weight" in options:  # "none" keeps each sample's class weight
        row1 *= options["class_weight"][1]
    losses = nn.cross_entropy(logits, labels, **{**options, "reduction": "none"})
    assert losses.dtype == numpy.float32
    numpy.testing.assert_allclose(losses, [0.0, row1], rtol=1e-6)
    g = grad(lambda z: nn.cross_entropy(z, labels, **options).sum())(logits)
    assert g.dtype == numpy.float32 and numpy.isfinite(g).all()
    numpy.testing.assert_array_equal(g[0], 0.0)  # softmax is exactly the one-hot row
