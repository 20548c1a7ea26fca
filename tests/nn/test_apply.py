"""Module.apply: PyTorch's re-initialisation idiom, model.apply(init_weights)."""

import numpy

from mlkit import nn
from mlkit.nn import init


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU())
        self.heads = {"a": nn.Linear(4, 2, rng=1), "b": nn.Linear(4, 1, rng=2)}


def test_apply_visits_submodules_first_then_the_module_in_torchs_order():
    seen = []
    Net().apply(lambda module: seen.append(type(module).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Linear", "Linear", "Net"]


def test_apply_reinitialises_every_linear_layer_in_place():
    rng = numpy.random.default_rng(5)

    def init_weights(module):
        if isinstance(module, nn.Linear):
            module.weight = init.xavier_uniform(rng, module.weight.shape, module.weight.dtype)
            module.bias = init.zeros(module.bias.shape, module.bias.dtype)

    model = Net()
    assert model.apply(init_weights) is model
    expected = numpy.random.default_rng(5)
    for layer in (model.body[0], model.heads["a"], model.heads["b"]):
        fan_in, fan_out = layer.weight.shape
        bound = numpy.sqrt(6.0 / (fan_in + fan_out))
        numpy.testing.assert_array_equal(
            layer.weight, expected.uniform(-bound, bound, (fan_in, fan_out)).astype(numpy.float32))
        numpy.testing.assert_array_equal(layer.bias, numpy.zeros(fan_out, numpy.float32))
    assert set(model.state_dict()) == {"body.layers.0.weight", "body.layers.0.bias",
                                       "heads.a.weight", "heads.a.bias", "heads.b.weight",
                                       "heads.b.bias"}
