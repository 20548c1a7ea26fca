"""Module: the parameter tree, update, freezing, state dicts, modes, repr and errors."""

import io

import numpy
import pytest

from mlkit import nn


class Block(nn.Module):
    """A module with every kind of attribute: arrays, buffers, submodules, containers, config."""

    def __init__(self):
        super().__init__()
        self.scale = numpy.full(2, 3.0)
        self.heads = [nn.Linear(2, 2, rng=0, dtype=numpy.float64), nn.ReLU()]
        self.named = {"a": nn.Linear(2, 1, bias=False, rng=1, dtype=numpy.float64)}
        self.pair = (numpy.ones(1), numpy.zeros(1))
        self.register_buffer("count", numpy.array(0, numpy.int64))
        self.sizes = [2, 2]
        self.name = "block"
        self.fn = numpy.tanh
        self.index = numpy.arange(3)  # an integer array that is not a buffer: a constant

    def forward(self, x):
        return self.named["a"](self.heads[1](self.heads[0](x * self.scale)))


def test_parameters_tree_follows_attributes():
    block = Block()
    params = block.parameters()
    assert list(params) == ["scale", "heads", "named", "pair"]
    assert params["scale"] is block.scale
    assert params["heads"][0]["weight"] is block.heads[0].weight
    assert params["heads"][1] == {}
    assert set(params["named"]["a"]) == {"weight"}
    assert isinstance(params["pair"], tuple) and params["pair"][0] is block.pair[0]
    assert block.buffers() == {"heads": [{}, {}], "named": {"a": {}}, "pair": ({}, {}),
                               "count": block.count}
    assert block.num_parameters() == 2 + 6 + 2 + 2


def test_update_accepts_partial_trees_and_rebuilds_tuples():
    block = Block()
    new_weight = numpy.full((2, 2), 7.0)
    block.update({"heads": [{"weight": new_weight}, {}], "pair": ({}, numpy.full(1, 5.0))})
    assert block.heads[0].weight is new_weight
    assert block.pair[1][0] == 5.0 and block.pair[0][0] == 1.0
    with pytest.raises(KeyError, match="no parameter or submodule 'nope'"):
        block.update({"nope": numpy.ones(1)})
    with pytest.raises(ValueError, match=r"shape \(2,\), got an array of shape \(3,\)"):
        block.update({"scale": numpy.ones(3)})


def test_parameters_update_round_trip_is_identity():
    block = Block()
    before = block.state_dict()
    block.update(block.parameters())
    after = block.state_dict()
    assert before.keys() == after.keys()
    assert all(numpy.array_equal(before[k], after[k]) for k in before)


def test_freeze_and_unfreeze():
    block = Block()
    block.freeze("heads.0")
    trainable = block.trainable_parameters()
    assert trainable["heads"][0] == {}
    assert "weight" in block.parameters()["heads"][0]
    assert block.num_parameters(trainable_only=True) == 2 + 2 + 2
    block.freeze(["pair.1", "scale"])
    assert block.trainable_parameters()["pair"] == (block.pair[0], {})
    assert "scale" not in block.trainable_parameters()
    block.unfreeze("heads")
    assert "weight" in block.trainable_parameters()["heads"][0]
    block.freeze()
    assert block.num_parameters(trainable_only=True) == 0
    block.unfreeze()
    assert block.num_parameters(trainable_only=True) == block.num_parameters()
    with pytest.raises(KeyError, match="no parameters"):
        block.freeze("heads.7")


def test_freezing_a_modules_own_arrays_by_name():
    block = Block()
    block.freeze(["scale"])
    assert "scale" not in block.trainable_parameters() and "scale" in block.parameters()
    block.unfreeze("scale")
    assert "scale" in block.trainable_parameters()
    block.counts = numpy.arange(3)  # an integer array is no parameter
    for name in ("counts", "_frozen", "scale.0"):
        with pytest.raises(KeyError, match="no parameters"):
            block.freeze(name)


def test_frozen_parameters_get_no_gradient_and_others_do():
    model = nn.Sequential(nn.Linear(3, 4, rng=0, dtype=numpy.float64), nn.Tanh(),
                          nn.Linear(4, 1, rng=1, dtype=numpy.float64))
    x = numpy.random.default_rng(0).normal(size=(5, 3))
    loss = nn.value_and_grad(model, lambda: nn.mse_loss(model(x), numpy.zeros((5, 1))))
    _, full = loss()
    model.freeze("layers.0.weight")
    _, partial = loss()
    assert "weight" not in partial["layers"][0]
    numpy.testing.assert_allclose(partial["layers"][0]["bias"], full["layers"][0]["bias"])
    numpy.testing.assert_allclose(partial["layers"][2]["weight"], full["layers"][2]["weight"])


def test_state_dict_round_trip_through_npz():
    model = nn.MLP(3, [4], 2, batch_norm=True, rng=0)
    model(numpy.random.default_rng(1).normal(size=(8, 3)))  # moves the running statistics
    state = model.state_dict()
    assert "layers.1.running_mean" in state and "layers.1.num_batches_tracked" in state
    buffer = io.BytesIO()
    numpy.savez(buffer, **state)
    buffer.seek(0)
    with numpy.load(buffer, allow_pickle=False) as loaded:
        restored = {name: loaded[name] for name in loaded.files}
    other = nn.MLP(3, [4], 2, batch_norm=True, rng=5)
    other.load_state_dict(restored)
    for name, value in model.state_dict().items():
        numpy.testing.assert_array_equal(other.state_dict()[name], value)
        assert other.state_dict()[name].dtype == value.dtype
    x = numpy.ones((2, 3), numpy.float32)
    numpy.testing.assert_array_equal(model.eval()(x), other.eval()(x))


def test_state_dict_returns_copies():
    model = nn.Linear(2, 2, rng=0)
    state = model.state_dict()
    state["weight"][...] = 100.0
    assert not numpy.any(model.weight == 100.0)


def test_load_state_dict_lists_every_problem():
    model = nn.MLP(3, [4], 2, batch_norm=True, rng=0)
    state = model.state_dict()
    del state["layers.0.bias"]
    state["layers.3.weight"] = numpy.zeros((2, 4), numpy.float32)
    state["layers.0.weight"] = state["layers.0.weight"].astype(numpy.float64)
    state["extra.weight"] = numpy.zeros(1)
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "4 problem(s)" in message
    assert "missing: ['layers.0.bias']" in message
    assert "unexpected: ['extra.weight']" in message
    assert "layers.3.weight: shape (2, 4), expected (4, 2)" in message
    assert "layers.0.weight: dtype float64, expected float32" in message
    # strict=False ignores missing and unexpected names but not shape or dtype mismatches
    with pytest.raises(ValueError, match="2 problem"):
        model.load_state_dict(state, strict=False)
    partial = {"layers.3.bias": numpy.full(2, 9.0, numpy.float32), "other": numpy.ones(1)}
    model.load_state_dict(partial, strict=False)
    assert numpy.all(model.layers[3].bias == 9.0)


def test_train_and_eval_are_recursive():
    block = Block()
    assert block.training and block.heads[0].training
    assert block.eval() is block
    assert not block.training
    assert not any(module.training for _, module in block.named_modules())
    block.train()
    assert all(module.training for _, module in block.named_modules())
    names = [name for name, _ in block.named_modules()]
    assert names == ["", "heads.0", "heads.1", "named.a"]


def test_repr_is_nested_with_shapes():
    block = Block()
    block.freeze("scale")
    text = repr(block)
    assert text.startswith("Block() {")
    assert "  scale: float64[2] [frozen]" in text
    assert "  (heads.0): Linear(in_features=2, out_features=2, bias=True) {" in text
    assert "    weight: float64[2, 2]" in text
    assert "  (heads.1): ReLU()" in text
    assert "  count: int64[] [buffer]" in text
    assert "pair.1: float64[1]" in text
    assert "  index: int64[3] [constant]" in text
    assert "sizes" not in text and "'block'" not in text


class Forgetful(nn.Module):
    def __init__(self):
        self.weight = numpy.ones(2)


class ForgetfulCall(nn.Module):
    def __init__(self):
        self.p = 0.5

    def forward(self, x):
        return x


def test_missing_super_init_is_explained():
    with pytest.raises(AttributeError, match=r"did not call super\(\).__init__\(\) before "
                                             r"assigning self.weight"):
        Forgetful()
    with pytest.raises(RuntimeError, match="before the first call"):
        ForgetfulCall()(1.0)


def test_missing_forward_is_explained():
    with pytest.raises(NotImplementedError, match="defines no forward"):
        nn.Module()(1.0)


class Tower(nn.Module):
    """A hand-built tree: a nested module, a list and a dict of modules, one module held twice."""

    def __init__(self):
        super().__init__()
        self.bias = numpy.zeros(2)
        self.stem = Block()
        self.stages = [nn.Linear(2, 2, rng=2), {"norm": nn.BatchNorm1d(2), "skip": 3}]
        self.again = self.stem  # shared, as a tied layer
        self.out = nn.Linear(2, 1, rng=3)


def test_children_and_modules_follow_pytorch_order_and_drop_a_module_held_twice():
    tower = Tower()
    stem, (stage, norm), out = tower.stem, (tower.stages[0], tower.stages[1]["norm"]), tower.out
    children = [("stem", stem), ("stages.0", stage), ("stages.1.norm", norm), ("out", out)]
    assert [(name, id(m)) for name, m in tower.named_children()] == [
        (name, id(m)) for name, m in children]
    assert [id(m) for m in tower.children()] == [id(m) for _, m in children]
    inside = [("stem.heads.0", stem.heads[0]), ("stem.heads.1", stem.heads[1]),
              ("stem.named.a", stem.named["a"])]
    expected = [("", tower), ("stem", stem), *inside, ("stages.0", stage),
                ("stages.1.norm", norm), ("out", out)]
    assert [(name, id(m)) for name, m in tower.named_modules()] == [
        (name, id(m)) for name, m in expected]
    assert [id(m) for m in tower.modules()] == [id(m) for _, m in expected]
    every = [name for name, _ in tower.named_modules(remove_duplicate=False)]
    assert every == ["", "stem", "stem.heads.0", "stem.heads.1", "stem.named.a", "stages.0",
                     "stages.1.norm", "again", "again.heads.0", "again.heads.1", "again.named.a",
                     "out"]
    assert [name for name, _ in stem.named_modules(prefix="stem")][1] == "stem.heads.0"
    assert list(nn.Linear(2, 2, rng=0).children()) == []
