"""Layers against hand-computed outputs and gradients, and the contract every layer keeps."""

import numpy
import pytest

import mlkit.numpy as np
from mlkit import grad, make_jvp, nn
from mlkit.testing import check_grads
from mlkit.tree import tree_leaves, tree_map

RNG = numpy.random.default_rng(0)


def grads_of(model, x, cotangent):
    """Gradients of ``sum(model(x) * cotangent)``: the VJP of ``cotangent``."""
    return nn.value_and_grad(model, lambda: np.sum(model(x) * cotangent))()[1]


def test_linear_output_and_gradients():
    layer = nn.Linear(3, 2, rng=0, dtype=numpy.float64)
    x, g = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))
    numpy.testing.assert_allclose(layer(x), x @ layer.weight + layer.bias)
    grads = grads_of(layer, x, g)
    numpy.testing.assert_allclose(grads["weight"], x.T @ g)
    numpy.testing.assert_allclose(grads["bias"], g.sum(0))
    # inputs of any leading shape; a single sample too
    x3, g3 = RNG.normal(size=(2, 5, 3)), RNG.normal(size=(2, 5, 2))
    grads = grads_of(layer, x3, g3)
    numpy.testing.assert_allclose(grads["weight"], x3.reshape(-1, 3).T @ g3.reshape(-1, 2))
    numpy.testing.assert_allclose(grads["bias"], g3.sum((0, 1)))
    grads = grads_of(layer, x[0], g[0])
    numpy.testing.assert_allclose(grads["weight"], numpy.outer(x[0], g[0]))


def test_linear_input_gradient_and_higher_order():
    layer = nn.Linear(3, 2, rng=1, dtype=numpy.float64)
    x = RNG.normal(size=(4, 3))
    check_grads(lambda x, w, b: np.tanh(nn.layers._affine(x, w, b)), argnum=None)(
        x, layer.weight, layer.bias)
    check_grads(lambda x: np.tanh(nn.layers._affine(x, layer.weight, layer.bias)))(x[0])


def test_linear_without_bias_and_named_initializers():
    layer = nn.Linear(4, 3, bias=False, init="xavier_uniform", rng=0)
    assert layer.bias is None and set(layer.parameters()) == {"weight"}
    numpy.testing.assert_allclose(layer(numpy.eye(4)), layer.weight, rtol=1e-6)
    zeros = nn.Linear(4, 3, init="he_normal", rng=0)
    assert not zeros.bias.any()
    bound = 1 / numpy.sqrt(4)
    default = nn.Linear(4, 3, rng=0)
    assert numpy.abs(default.bias).max() <= bound and numpy.abs(default.weight).max() <= bound
    with pytest.raises(ValueError, match="Linear: init must be 'default' or .* or a callable"):
        nn.Linear(2, 2, init="nope")


def test_sequential_mixes_modules_and_functions():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.relu, nn.Linear(3, 1, rng=1))
    x = RNG.normal(size=(5, 2)).astype(numpy.float32)
    hidden = numpy.maximum(x @ model[0].weight + model[0].bias, 0)
    numpy.testing.assert_allclose(model(x), hidden @ model[2].weight + model[2].bias, rtol=1e-6)
    assert len(model) == 3 and list(model)[1] is nn.relu
    assert model.parameters()["layers"][1] == {}
    assert list(model.state_dict()) == ["layers.0.weight", "layers.0.bias", "layers.2.weight",
                                        "layers.2.bias"]


def test_mlp_structure_and_reproducibility():
    model = nn.MLP(4, [8, 6], 3, activation="tanh", dropout=0.2, batch_norm=True, rng=7)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear", "BatchNorm1d", "Tanh",
                     "Dropout", "Linear"]
    again = nn.MLP(4, [8, 6], 3, activation="tanh", dropout=0.2, batch_norm=True, rng=7)
    x = RNG.normal(size=(10, 4)).astype(numpy.float32)
    numpy.testing.assert_array_equal(model(x), again(x))  # same seed: same init and masks
    assert nn.MLP(4, [], 2, rng=0).layers[0].weight.shape == (4, 2)
    with pytest.raises(ValueError, match="MLP: activation must be .* or a Module class, got "
                       "'swishy' — did you mean 'swish'"):
        nn.MLP(2, [2], 2, activation="swishy")


def test_dropout_scaling_eval_identity_and_explicit_rng():
    layer = nn.Dropout(0.25, rng=0)
    x = numpy.ones((400, 50), numpy.float32)
    y = layer(x)
    assert y.dtype == numpy.float32
    kept = y != 0
    numpy.testing.assert_allclose(y[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01
    numpy.testing.assert_array_equal(layer.eval()(x), x)
    layer.train()
    a = layer(x, rng=numpy.random.default_rng(3))
    b = layer(x, rng=numpy.random.default_rng(3))
    numpy.testing.assert_array_equal(a, b)
    assert not nn.Dropout(1.0)(x).any()
    grads = grads_of(nn.Sequential(nn.Linear(50, 1, rng=0), nn.Dropout(0.5, rng=1)), x[:3],
                     numpy.ones((3, 1), numpy.float32))
    assert grads["layers"][0]["bias"][0] in (0.0, 2.0, 4.0, 6.0)
    with pytest.raises(ValueError, match=r"Dropout: p must be a finite number in \[0, 1\], got"):
        nn.Dropout(1.5)


def test_layer_norm_numbers_and_gradient():
    layer = nn.LayerNorm(3, dtype=numpy.float64)
    layer.update({"weight": numpy.array([1.0, 2.0, 0.5]), "bias": numpy.array([0.0, 1.0, -1.0])})
    x = numpy.array([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]])
    # row means 2 and 2; biased variances 2/3 and 8
    normalized = numpy.array([[-1.0, 0.0, 1.0], [-2.0, -2.0, 4.0]]) / numpy.sqrt(
        [[2 / 3 + 1e-5], [8 + 1e-5]])
    numpy.testing.assert_allclose(layer(x), normalized * [1.0, 2.0, 0.5] + [0.0, 1.0, -1.0])
    check_grads(lambda x, w: nn.LayerNorm(3, dtype=numpy.float64).update(
        {"weight": w})(x), argnum=(0, 1), modes=["rev"])(x, numpy.array([1.0, 2.0, 0.5]))
    with pytest.raises(ValueError, match="last 1 axes must be"):
        layer(numpy.ones((2, 4)))


def test_batch_norm_train_and_eval_numbers():
    layer = nn.BatchNorm1d(2, momentum=0.1, dtype=numpy.float64)
    x = numpy.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]])
    mean, var = numpy.array([3.0, 12.0]), numpy.array([8 / 3, 8.0])
    numpy.testing.assert_allclose(layer(x), (x - mean) / numpy.sqrt(var + 1e-5))
    numpy.testing.assert_allclose(layer.running_mean, 0.1 * mean)
    numpy.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * var * 3 / 2)  # unbiased
    assert int(layer.num_batches_tracked) == 1
    layer.update({"weight": numpy.array([2.0, 1.0]), "bias": numpy.array([0.0, -1.0])})
    layer.eval()
    expected = (x - layer.running_mean) / numpy.sqrt(layer.running_var + 1e-5) * [2, 1] + [0, -1]
    numpy.testing.assert_allclose(layer(x), expected)
    assert int(layer.num_batches_tracked) == 1  # eval leaves the statistics alone


def test_batch_norm_cumulative_average_3d_input_and_errors():
    layer = nn.BatchNorm1d(2, momentum=None, dtype=numpy.float64)
    a, b = RNG.normal(size=(4, 2, 3)), RNG.normal(size=(4, 2, 3))
    layer(a)
    layer(b)
    both = numpy.concatenate([a.mean((0, 2)), b.mean((0, 2))]).reshape(2, 2).mean(0)
    numpy.testing.assert_allclose(layer.running_mean, both)
    out = layer(a)
    numpy.testing.assert_allclose(out.mean((0, 2)), 0, atol=1e-12)
    with pytest.raises(ValueError, match="more than one value per channel"):
        layer(numpy.ones((1, 2)))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(N, 2\)"):
        layer(numpy.ones((3, 5)))
    check_grads(lambda x: nn.BatchNorm1d(2, dtype=numpy.float64)(x) ** 2, modes=["rev"])(a)


def test_embedding_gathers_and_accumulates_repeated_indices():
    layer = nn.Embedding(5, 3, rng=0, dtype=numpy.float64)
    idx = numpy.array([[0, 2], [2, 2]])
    numpy.testing.assert_array_equal(layer(idx), layer.weight[idx])
    g = RNG.normal(size=(2, 2, 3))
    grad = grads_of(layer, idx, g)["weight"]
    expected = numpy.zeros((5, 3))
    expected[0] = g[0, 0]
    expected[2] = g[0, 1] + g[1, 0] + g[1, 1]
    numpy.testing.assert_allclose(grad, expected)
    with pytest.raises(TypeError, match="integer indices"):
        layer(numpy.array([0.5]))
    for outside in ([[0, -1]], [5]):  # -1 read the last row, silently, and trained it
        with pytest.raises(IndexError, match=r"indices must be in \[0, 5\)"):
            layer(numpy.array(outside))


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64, numpy.int64])
@pytest.mark.parametrize("shape", [(200, 50), (4, 30, 20)])
def test_dropout_derivatives_are_its_mask(dtype, shape):
    # y = m x with m = keep / (1 - p): slope m in both modes, curvature of sum(y^2) 2 m^2.
    # Integers come out in float64, scaled (the scale cast to int 1 left them unscaled).
    p = 0.3
    x = numpy.random.default_rng(1).integers(1, 9, shape).astype(dtype)
    out = numpy.float32 if dtype == numpy.float32 else numpy.float64
    y = nn.Dropout(p, rng=5)(x)
    assert y.dtype == out
    keep = y != 0
    mask = keep / (1 - p)
    numpy.testing.assert_allclose(y, mask * x, rtol=1e-6)
    assert abs(keep.mean() - (1 - p)) < 0.02
    if dtype == numpy.int64:
        return
    slope = grad(lambda x: np.sum(nn.Dropout(p, rng=5)(x) * x))(x)  # 2 m x
    assert slope.dtype == dtype
    numpy.testing.assert_allclose(slope, 2 * mask * x, rtol=1e-6)
    tangent = make_jvp(nn.Dropout(p, rng=5))(x)(numpy.ones_like(x))[1]
    numpy.testing.assert_allclose(tangent, mask, rtol=1e-6)
    curvature = make_jvp(grad(lambda x: np.sum(nn.Dropout(p, rng=5)(x) ** 2)))(x)(
        numpy.ones_like(x))[1]
    numpy.testing.assert_allclose(curvature, 2 * mask * mask, rtol=1e-6)


# -- the contract every layer keeps -----------------------------------------------------------
def make_layers(dtype):
    return {
        "Linear": (nn.Linear(4, 3, rng=0, dtype=dtype), (5, 4)),
        "MLP": (nn.MLP(4, [6], 2, dropout=0.1, batch_norm=True, rng=0, dtype=dtype), (5, 4)),
        "Sequential": (nn.Sequential(nn.Linear(4, 2, rng=0, dtype=dtype), nn.GELU()), (5, 4)),
        "Identity": (nn.Identity(), (5, 4)),
        "Dropout": (nn.Dropout(0.3, rng=0), (5, 4)),
        "LayerNorm": (nn.LayerNorm(4, dtype=dtype), (5, 4)),
        "BatchNorm1d": (nn.BatchNorm1d(4, dtype=dtype), (5, 4)),
        "Embedding": (nn.Embedding(6, 3, rng=0, dtype=dtype), None),
        **{cls.__name__: (cls(), (5, 4))
           for cls in nn.activation_layers.ACTIVATION_LAYERS.values()},
        "Softmax": (nn.Softmax(), (5, 4)),
        "LogSoftmax": (nn.LogSoftmax(), (5, 4)),
    }


def test_every_layer_class_is_in_the_contract():
    exported = {name for name in nn.__all__ if isinstance(getattr(nn, name), type)
                and issubclass(getattr(nn, name), nn.Module) and name != "Module"}
    assert exported <= set(make_layers(numpy.float32))


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("name", sorted(make_layers(numpy.float32)))
def test_layer_contract(name, dtype):
    layer, shape = make_layers(dtype)[name]
    x = numpy.array([[0, 5, 1], [2, 2, 3]]) if shape is None else RNG.normal(size=shape)
    x = x if shape is None else x.astype(dtype)
    out = layer(x)
    assert out.dtype == dtype, f"{name} turned {dtype.__name__} into {out.dtype}"
    params = layer.parameters()
    assert all(leaf.dtype == dtype for leaf in tree_leaves(params))
    # update(parameters()) round-trips, and update writes new arrays in
    layer.update(params)
    assert all(a is b for a, b in zip(tree_leaves(layer.parameters()), tree_leaves(params)))
    layer.update(tree_map(lambda a: a + 1, params))
    for old, new in zip(tree_leaves(params), tree_leaves(layer.parameters())):
        numpy.testing.assert_array_equal(new, old + 1)
    loss, grads = nn.value_and_grad(layer, lambda: np.sum(layer(x) ** 2))()
    assert numpy.asarray(loss).dtype == dtype
    assert all(g.dtype == dtype and g.shape == p.shape
               for g, p in zip(tree_leaves(grads), tree_leaves(layer.parameters())))
    assert all(type(p) is numpy.ndarray for p in tree_leaves(layer.parameters()))
    state = layer.state_dict()
    layer.load_state_dict(state)
    assert repr(layer).startswith(type(layer).__name__ + "(")


def _smooth_layers():
    f64 = numpy.float64
    eval_norm = nn.BatchNorm1d(3, dtype=f64)
    eval_norm(RNG.normal(size=(6, 3)))
    return {
        "Linear(3-d input)": (nn.Linear(4, 3, rng=0, dtype=f64), (2, 5, 4)),
        "LayerNorm(2 axes)": (nn.LayerNorm((3, 4), dtype=f64), (2, 3, 4)),
        "BatchNorm1d(train)": (nn.BatchNorm1d(4, dtype=f64), (5, 4)),
        "BatchNorm1d(train, 3-d)": (nn.BatchNorm1d(3, dtype=f64), (4, 3, 2)),
        "BatchNorm1d(eval)": (eval_norm.eval(), (5, 3)),
        "MLP(softplus, batch norm)": (nn.MLP(4, [5], 2, activation="softplus", batch_norm=True,
                                             rng=0, dtype=f64), (6, 4)),
    }


@pytest.mark.parametrize("name", sorted(_smooth_layers()))
def test_smooth_layers_to_third_order(name):
    layer, shape = _smooth_layers()[name]
    params = tree_map(lambda a: a + RNG.uniform(0.1, 0.5, a.shape), layer.parameters())

    def forward(x, params):
        layer.update(params)
        return layer(x)
    check_grads(forward, argnum=None, modes=["fwd", "rev"], order=3)(RNG.normal(size=shape),
                                                                      params)


@pytest.mark.parametrize("build, message", [
    (lambda: nn.Linear(3, 0), "Linear: out_features must be an integer >= 1, got 0"),
    (lambda: nn.MLP(0, [4], 2), "MLP: in_features must be an integer >= 1, got 0"),
    (lambda: nn.MLP(3, [4, 0], 2), r"MLP: hidden_sizes\[1\] must be an integer >= 1, got 0"),
])
def test_a_layer_without_width_is_refused_naming_its_size(build, message):
    """A zero width is refused with the size that has it (it divided by zero in the
    initializer), while numpy's integers and arrays of sizes are taken as sizes."""
    with pytest.raises(ValueError, match=message):
        build()
    assert nn.MLP(numpy.int64(3), numpy.array([4, 5]), 2).hidden_sizes == (4, 5)
