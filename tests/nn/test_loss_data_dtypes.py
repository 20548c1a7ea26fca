"""Targets and weights of another dtype are cast to the predictions' dtype by eager and jitted
calls alike: mlkit.jit traces a loss's data too, and a recorded program must compute what the
eager call computes (float32 stays float32), derivatives of every order included."""

import numpy
import pytest

import mlkit.numpy as np
from mlkit import grad, make_jvp, nn
from mlkit.jit import jit

RNG = numpy.random.default_rng(0)


def _cases(batch):
    """(loss of predictions and float64 data, predictions, data) for each loss and option."""
    p, t = RNG.normal(size=batch), RNG.normal(size=batch)
    w = RNG.uniform(0.5, 2.0, size=batch)
    signs = numpy.where(RNG.normal(size=batch) > 0, 1.0, -1.0)
    logits = 2 * RNG.normal(size=batch + (3,))
    labels = RNG.integers(0, 3, size=batch)
    cw = numpy.array([1.0, 2.5, 0.5])
    return {
        "mse": (lambda p, t, w: nn.mse_loss(p, t, weight=w), p, (t, w)),
        "huber": (lambda p, t, w: nn.huber_loss(p, t, 0.7, weight=w, reduction="sum"), p, (t, w)),
        "bce_logits": (lambda p, t, w: nn.binary_cross_entropy_with_logits(p, t, weight=w),
                       p, ((t > 0) * 1.0, w)),
        "bce": (lambda p, t, w: nn.binary_cross_entropy(p, t, weight=w), numpy.abs(t) % 0.8 + 0.1,
                (RNG.uniform(size=batch), w)),
        "hinge": (lambda p, t, w: nn.hinge_loss(p, t, 1.5, weight=w), 2 * p, (signs, w)),
        "cross_entropy": (lambda z, y, w, c: nn.cross_entropy(
            z, y, weight=w, class_weight=c, label_smoothing=0.1), logits, (labels, w, cw)),
        "soft_cross_entropy": (lambda z, q, c: nn.cross_entropy(z, q, class_weight=c), logits,
                               (RNG.dirichlet(numpy.ones(3), size=batch), cw)),
        "nll": (lambda z, y, w, c: nn.nll_loss(nn.log_softmax(z), y, weight=w, class_weight=c),
                logits, (labels, w, cw)),
        "multiclass_hinge": (lambda z, y, c: nn.hinge_loss(z, y, 0.5, class_weight=c,
                                                           reduction="sum"), logits, (labels, cw)),
    }


def _derivatives(loss):
    """The loss, its gradient, a JVP and a forward-over-reverse HVP at ``(x, v, *data)``."""
    def value(x, *data):
        return loss(x, *data)

    def derivatives(x, v, *data):
        gradient = grad(value)
        return (value(x, *data), gradient(x, *data), make_jvp(value)(x, *data)(v)[1],
                make_jvp(gradient)(x, *data)(v)[1])
    return derivatives


@pytest.mark.filterwarnings("ignore:Output seems independent")  # the hinges' second order
@pytest.mark.parametrize("name", sorted(_cases((1,))))
@pytest.mark.parametrize("batch", [(1,), (5,)])
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_a_jitted_loss_casts_float64_data_as_the_eager_call_does(name, batch, dtype):
    loss, x, data = _cases(batch)[name]
    x = x.astype(dtype)
    v = RNG.normal(size=x.shape).astype(dtype)
    derivatives = _derivatives(loss)
    eager = derivatives(x, v, *data)
    jitted = jit(derivatives)
    jitted(x, v, *data)
    for recorded, expected in zip(jitted(x, v, *data), eager):
        assert numpy.asarray(expected).dtype == dtype
        assert numpy.asarray(recorded).dtype == dtype
        numpy.testing.assert_array_equal(recorded, expected)


@pytest.mark.parametrize("batch", [(), (1,), (4,)])
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_derivatives_through_the_cast_of_traced_weights_match_the_closed_form(batch, dtype):
    """d/dw of sum(w (p - t)^2) is (p - t)^2 in the predictions' dtype, returned in the
    weight's (float64); the JVP along u is sum(u (p - t)^2); d/dp of that is 2 u (p - t)."""
    p = numpy.asarray(RNG.normal(size=batch), dtype=dtype)
    t = numpy.asarray(RNG.normal(size=batch), dtype=dtype)
    w, u = RNG.uniform(0.5, 2.0, size=batch), RNG.normal(size=batch)

    def loss(weight, predictions=p):
        return nn.mse_loss(predictions, t, weight=weight, reduction="sum")

    square = (p - t) ** 2
    by_weight = grad(loss)(w)
    assert by_weight.dtype == numpy.float64
    numpy.testing.assert_array_equal(by_weight, square.astype(numpy.float64))
    along = make_jvp(loss)(w)(u)[1]
    assert numpy.asarray(along).dtype == dtype
    tol = 1e-6 if dtype == numpy.float32 else 1e-14
    numpy.testing.assert_allclose(along, numpy.sum(u * square), rtol=tol)

    def weight_slope(predictions):
        return np.sum(grad(loss)(w, predictions) * u)

    second = grad(weight_slope)(p)
    assert second.dtype == dtype
    numpy.testing.assert_allclose(second, 2 * u * (p - t), rtol=tol, atol=tol)
    forward = make_jvp(weight_slope)(p)(numpy.ones_like(p))[1]
    numpy.testing.assert_allclose(forward, numpy.sum(2 * u * (p - t)), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("targets", [numpy.array(["yes", "no", "yes"]), ["yes", "no", "yes"],
                                     numpy.array([1.0, None, 0.0], dtype=object)])
def test_text_or_object_targets_are_refused_by_the_loss_with_the_fix(name, targets):
    with pytest.raises(TypeError, match=rf"{name}: targets must be numbers, got dtype "
                                        r"(<U3|object).*numpy.unique\(y, return_inverse=True\)"):
        getattr(nn, name)(numpy.array([0.2, 0.7, 0.4]), targets)


def test_text_class_labels_get_the_encoding_fix_and_integer_labels_still_work():
    logits = numpy.array([[2.0, 0.0], [0.0, 1.0]])
    with pytest.raises(TypeError, match=r"cross_entropy: integer class labels expected, got "
                                        r"dtype <U1; encode labels as integers first"):
        nn.cross_entropy(logits, numpy.array(["a", "b"]))
    expected = (numpy.log1p(numpy.exp(-2.0)) + numpy.log1p(numpy.exp(-1.0))) / 2
    assert nn.cross_entropy(logits, numpy.array([0, 1])) == pytest.approx(expected, rel=1e-15)
