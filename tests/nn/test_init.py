"""Initializers: scales and gains as PyTorch's, statistics, dtypes and bit reproducibility."""

import math

import numpy
import pytest

from mlkit import nn
from mlkit.nn import init

SHAPE = (400, 300)  # fan_in 400, fan_out 300


def test_fans_follow_the_in_out_layout():
    assert init.fans((400, 300)) == (400, 300)
    assert init.fans(7) == (7, 7)
    assert init.fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)
    with pytest.raises(ValueError, match="scalar"):
        init.fans(())


@pytest.mark.parametrize(("nonlinearity", "param", "gain"), [
    ("linear", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5 / 3),
    ("relu", None, math.sqrt(2)), ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))),
    ("leaky_relu", 0.0, math.sqrt(2)), ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ("selu", None, 0.75),
])
def test_calculate_gain(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain)


def test_calculate_gain_rejects_unknown_names():
    with pytest.raises(ValueError, match="calculate_gain: nonlinearity must be 'linear' or .*"
                                         "got 'swoosh'"):
        init.calculate_gain("swoosh")


# name -> (draw, expected bound for uniform draws or std for normal draws, kind)
CASES = {
    "uniform": (lambda r: init.uniform(r, SHAPE, low=-2.0, high=3.0), None, "uniform"),
    "normal": (lambda r: init.normal(r, SHAPE, mean=1.0, std=0.5), None, "normal"),
    "xavier_uniform": (lambda r: init.xavier_uniform(r, SHAPE, gain=2.0),
                       2.0 * math.sqrt(6 / 700), "uniform"),
    "xavier_normal": (lambda r: init.xavier_normal(r, SHAPE), math.sqrt(2 / 700), "normal"),
    "kaiming_uniform": (lambda r: init.kaiming_uniform(r, SHAPE, nonlinearity="relu"),
                        math.sqrt(2) * math.sqrt(3 / 400), "uniform"),
    "kaiming_uniform_fan_out": (
        lambda r: init.kaiming_uniform(r, SHAPE, a=0.2, mode="fan_out"),
        math.sqrt(2 / 1.04) * math.sqrt(3 / 300), "uniform"),
    "kaiming_normal": (lambda r: init.kaiming_normal(r, SHAPE, mode="fan_out",
                                                     nonlinearity="tanh"),
                       5 / 3 / math.sqrt(300), "normal"),
    "lecun_normal": (lambda r: init.lecun_normal(r, SHAPE), 1 / math.sqrt(400), "normal"),
    "lecun_uniform": (lambda r: init.lecun_uniform(r, SHAPE), math.sqrt(3 / 400), "uniform"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_statistics(name):
    draw, scale, kind = CASES[name]
    w = draw(numpy.random.default_rng(0)).astype(numpy.float64)
    assert w.shape == SHAPE
    if name == "uniform":
        assert w.min() >= -2.0 and w.max() < 3.0
        assert w.mean() == pytest.approx(0.5, abs=0.02)
        assert w.var() == pytest.approx(25 / 12, rel=0.02)
    elif name == "normal":
        assert w.mean() == pytest.approx(1.0, abs=0.005)
        assert w.std() == pytest.approx(0.5, rel=0.01)
    elif kind == "uniform":
        assert numpy.abs(w).max() <= scale
        assert numpy.abs(w).max() > 0.99 * scale
        assert w.std() == pytest.approx(scale / math.sqrt(3), rel=0.01)
    else:
        assert abs(w.mean()) < 0.02 * scale
        assert w.std() == pytest.approx(scale, rel=0.01)


@pytest.mark.parametrize("name", sorted(init.INITIALIZERS))
@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_named_initializers_respect_dtype_and_seed(name, dtype):
    fn = init.get_initializer(name)
    a = fn(numpy.random.default_rng(3), (5, 4), dtype)
    b = fn(numpy.random.default_rng(3), (5, 4), dtype)
    assert a.dtype == dtype and a.shape == (5, 4)
    numpy.testing.assert_array_equal(a, b)
    if name not in ("zeros", "ones"):
        c = fn(numpy.random.default_rng(4), (5, 4), dtype)
        assert not numpy.array_equal(a, c)


def test_float32_is_the_rounded_float64_draw():
    w64 = init.kaiming_normal(numpy.random.default_rng(1), (3, 4), numpy.float64)
    w32 = init.kaiming_normal(numpy.random.default_rng(1), (3, 4), numpy.float32)
    numpy.testing.assert_array_equal(w32, w64.astype(numpy.float32))


def test_constant_initializers_and_dtype_errors():
    numpy.testing.assert_array_equal(init.zeros(3), [0, 0, 0])
    assert init.ones((2, 2), numpy.float64).dtype == numpy.float64
    numpy.testing.assert_array_equal(init.constant((2,), 0.25), [0.25, 0.25])
    with pytest.raises(TypeError, match="floating-point"):
        init.zeros(3, numpy.int32)
    with pytest.raises(TypeError, match="rng must be"):
        init.normal("seed", (2,))


def test_same_seed_reproduces_a_model_bit_for_bit():
    def build(seed):
        return nn.MLP(5, [7, 3], 2, init="he_uniform", rng=seed)

    a, b, c = build(11).state_dict(), build(11).state_dict(), build(12).state_dict()
    assert all(numpy.array_equal(a[name], b[name]) for name in a)
    assert any(not numpy.array_equal(a[name], c[name]) for name in a)
    generator = numpy.random.default_rng(11)
    assert all(numpy.array_equal(x, y) for x, y in zip(
        build(generator).state_dict().values(), a.values()))
