"""Module.named_parameters: PyTorch's loop over (name, parameter), with state_dict's names."""

import numpy

from mlkit import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = [nn.Linear(2, 3, rng=0), nn.Linear(3, 1, bias=False, rng=1)]
        self.pair = (numpy.ones(2, numpy.float32), numpy.zeros(1, numpy.float32))
        self.register_buffer("count", numpy.zeros(1, numpy.float32))
        self.index = numpy.arange(3)  # an integer constant, not a parameter


def test_named_parameters_are_the_models_own_arrays_by_dotted_name():
    model = Net()
    named = list(model.named_parameters())
    assert [name for name, _ in named] == ["body.0.weight", "body.0.bias", "body.1.weight",
                                           "pair.0", "pair.1"]
    assert named[0][1] is model.body[0].weight  # the array itself: writes reach the model
    assert named[3][1] is model.pair[0]
    assert sum(array.size for _, array in named) == model.num_parameters() == 6 + 3 + 3 + 3


def test_trainable_only_leaves_frozen_parameters_out():
    model = Net().freeze(["body.0", "pair.1"])
    names = [name for name, _ in model.named_parameters(trainable_only=True)]
    assert names == ["body.1.weight", "pair.0"]
    assert len(list(model.named_parameters())) == 5
