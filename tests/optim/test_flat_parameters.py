"""FlatParameters: a tree kept as one vector per dtype, its views, joins and updates, traced too."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlkit
import mlkit.numpy as mnp
from mlkit.optim import SGD, FlatParameters
from mlkit.tree import tree_leaves


def mixed():
    """A tree whose leaves are float64, float32, float64, float32 (in tree order)."""
    return {
        "w": np.arange(6.0).reshape(2, 3),
        "b": np.array([0.5, -0.5], np.float32),
        "layers": [np.array(2.0), (np.arange(3, dtype=np.float32).reshape(3, 1) - 1.0,)],
    }


def test_leaves_are_grouped_by_dtype_in_order_of_first_appearance():
    tree = mixed()
    flat = FlatParameters(tree)
    assert flat.dtypes == [np.dtype(np.float64), np.dtype(np.float32)] and flat.size == 12
    assert [v.dtype for v in flat.vectors] == flat.dtypes
    np.testing.assert_array_equal(flat.vectors[0], [0, 1, 2, 3, 4, 5, 2.0])
    np.testing.assert_array_equal(flat.vectors[1], [0.5, -0.5, -1.0, 0.0, 1.0])
    assert flat.parameters() is flat.tree
    assert set(flat.tree) == set(tree) and isinstance(flat.tree["layers"][1], tuple)
    for leaf, original in zip(tree_leaves(flat.tree), tree_leaves(tree)):
        assert leaf.dtype == original.dtype and leaf.shape == original.shape
        np.testing.assert_array_equal(leaf, original)
        assert not np.shares_memory(leaf, original)  # a copy: the caller's arrays stay apart


def test_the_tree_is_views_of_the_vectors():
    flat = FlatParameters(mixed())
    assert all(vector.flags.c_contiguous and vector.ndim == 1 for vector in flat.vectors)
    flat.vectors[0][6] = 7.0
    flat.vectors[1][2:] = 9.0
    assert flat.tree["layers"][0] == 7.0
    np.testing.assert_array_equal(flat.tree["layers"][1][0], np.full((3, 1), 9.0, np.float32))
    assert np.shares_memory(flat.tree["w"], flat.vectors[0])
    assert np.shares_memory(flat.tree["b"], flat.vectors[1])


def test_views_of_other_vectors_and_join_are_inverse():
    flat = FlatParameters(mixed())
    vectors = [np.linspace(-1, 1, 7), np.linspace(0, 4, 5).astype(np.float32)]
    tree = flat.views(vectors)
    np.testing.assert_array_equal(tree["w"], vectors[0][:6].reshape(2, 3))
    np.testing.assert_array_equal(tree["layers"][1][0], vectors[1][2:].reshape(3, 1))
    joined = flat.join(tree)
    for a, b in zip(joined, vectors):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="expected 2 vectors"):
        flat.views(vectors[:1])


def test_join_casts_to_the_group_dtype_and_counts_none_as_zeros():
    flat = FlatParameters(mixed())
    grads = {
        "w": np.ones((2, 3), np.float32),  # float32 gradient of a float64 parameter
        "b": None,
        "layers": [np.array(3.0), (np.full((3, 1), 1 / 3),)],  # float64 of a float32 one
    }
    first, second = flat.join(grads)
    assert first.dtype == np.float64 and second.dtype == np.float32
    np.testing.assert_array_equal(first, [1, 1, 1, 1, 1, 1, 3.0])
    np.testing.assert_array_equal(second, np.array([0, 0, 1 / 3, 1 / 3, 1 / 3], np.float32))
    with pytest.raises(ValueError, match="'w' has shape \\(3, 2\\), expected \\(2, 3\\)"):
        flat.join(dict(grads, w=np.ones((3, 2))))
    with pytest.raises(ValueError, match="does not match"):
        flat.join({"w": grads["w"]})


def test_a_single_leaf_group_is_joined_without_concatenation():
    flat = FlatParameters({"w": np.ones((2, 2))})
    grad = np.arange(4.0).reshape(2, 2)
    (vector,) = flat.join({"w": grad})
    np.testing.assert_array_equal(vector, [0, 1, 2, 3])


def test_holds_notices_replaced_arrays():
    flat = FlatParameters(mixed())
    assert flat.holds(flat.tree)
    same_leaves = {"w": flat.tree["w"], "b": flat.tree["b"], "layers": flat.tree["layers"]}
    assert flat.holds(same_leaves)
    replaced = dict(same_leaves, b=flat.tree["b"].copy())
    assert not flat.holds(replaced)
    assert not flat.holds({"w": flat.tree["w"]})


def test_update_copies_values_in_and_keeps_the_views():
    flat = FlatParameters(mixed())
    vectors = [vector for vector in flat.vectors]
    new = {"layers": [np.array(-1.0), (np.full((3, 1), 5.0),)],  # dict order differs
           "b": np.array([1.0, 2.0]), "w": np.full((2, 3), 4.0)}
    flat.update(new)
    assert flat.vectors[0] is vectors[0] and flat.holds(flat.tree)
    np.testing.assert_array_equal(flat.vectors[0], [4, 4, 4, 4, 4, 4, -1])
    np.testing.assert_array_equal(flat.vectors[1], [1, 2, 5, 5, 5])
    flat.update(flat.tree)  # its own views: nothing to copy
    np.testing.assert_array_equal(flat.vectors[1], [1, 2, 5, 5, 5])
    with pytest.raises(ValueError, match="'b' has shape \\(3,\\), expected \\(2,\\)"):
        flat.update(dict(new, b=np.zeros(3)))
    with pytest.raises(ValueError, match="does not match"):
        flat.update([np.zeros(3)])


def test_bad_leaves_are_refused_with_their_name():
    with pytest.raises(TypeError, match="'a.1' must be a floating-point numpy array, got a int"):
        FlatParameters({"a": [np.zeros(2), np.arange(3)]})
    with pytest.raises(TypeError, match="'b' must be a floating-point numpy array, got a float"):
        FlatParameters({"a": np.zeros(2), "b": 1.0})
    empty = FlatParameters({})
    assert empty.vectors == [] and empty.size == 0 and empty.join({}) == []


def test_an_optimizer_steps_it_as_a_model():
    flat = FlatParameters({"w": np.array([1.0, 2.0])})
    vector = flat.vectors[0]
    SGD(lr=0.5).update(flat, {"w": np.array([1.0, -1.0])})
    np.testing.assert_array_equal(vector, [0.5, 2.5])


def loss_of_tree(tree):
    """A loss mixing every leaf, with a float32 and a float64 group."""
    w, b = tree["w"], tree["b"]
    scalar, (column,) = tree["layers"]
    hidden = mnp.tanh(w @ mnp.arange(3.0) + b)
    return mnp.sum(hidden**2) * scalar + mnp.sum(mnp.sin(column)) + mnp.sum(w**3)


def test_grad_through_views_is_the_joined_tree_gradient():
    flat = FlatParameters(mixed())
    by_vectors = mlkit.grad(lambda vectors: loss_of_tree(flat.views(vectors)))(flat.vectors)
    by_tree = flat.join(mlkit.grad(loss_of_tree)(flat.tree))
    assert [v.dtype for v in by_vectors] == flat.dtypes
    for a, b in zip(by_vectors, by_tree):
        np.testing.assert_allclose(a, b, rtol=1e-6)
        assert np.abs(a).max() > 0.1


def test_grad_through_join_is_the_views_of_the_weights():
    flat = FlatParameters(mixed())
    weights = [np.linspace(1, 2, 7), np.linspace(-1, 1, 5).astype(np.float32)]

    def dot_joined(tree):
        first, second = flat.join(tree)
        return mnp.sum(first * weights[0]) + mnp.sum(second * weights[1])

    grads = mlkit.grad(dot_joined)(flat.tree)
    expected = flat.views(weights)
    for got, want in zip(tree_leaves(grads), tree_leaves(expected)):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_views_and_join_under_jit_give_the_eager_numbers():
    flat = FlatParameters(mixed())

    def step(vectors):
        return flat.join(mlkit.grad(loss_of_tree)(flat.views(vectors)))

    jitted = mlkit.jit(step)
    for shift in (0.0, 0.25):
        vectors = [flat.vectors[0] + shift, flat.vectors[1] - np.float32(shift)]
        eager, traced = step(vectors), jitted(vectors)
        for a, b in zip(eager, traced):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-6)


def test_join_casts_traced_leaves_and_their_gradient_comes_back_in_their_dtype():
    flat = FlatParameters({"w": np.zeros(3, np.float32)})

    def first_joined(x):
        (vector,) = flat.join({"w": x})
        assert vector.dtype == np.float32
        return mnp.sum(vector * np.array([1.0, 2.0, 3.0], np.float32))

    grad = mlkit.grad(first_joined)(np.ones(3))
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(grad, [1.0, 2.0, 3.0])


leaf_specs = st.lists(
    st.tuples(st.lists(st.integers(0, 3), max_size=3), st.sampled_from([np.float32, np.float64])),
    max_size=5,
)


@settings(max_examples=30, deadline=None)
@given(specs=leaf_specs, seed=st.integers(0, 2**16))
def test_join_of_views_gives_back_the_vectors_for_any_layout(specs, seed):
    rng = np.random.default_rng(seed)
    tree = {f"p{i}": rng.normal(size=tuple(shape)).astype(dtype)
            for i, (shape, dtype) in enumerate(specs)}
    flat = FlatParameters(tree)
    assert flat.size == sum(leaf.size for leaf in tree.values())
    assert flat.dtypes == list(dict.fromkeys(leaf.dtype for leaf in tree.values()))
    for name, leaf in tree.items():
        np.testing.assert_array_equal(flat.tree[name], leaf)
    others = [rng.normal(size=v.size).astype(v.dtype) for v in flat.vectors]
    for a, b in zip(flat.join(flat.views(others)), others, strict=True):
        np.testing.assert_array_equal(a, b)
    flat.update(flat.views(others))
    assert flat.holds(flat.tree)
    for vector, other in zip(flat.vectors, others):
        np.testing.assert_array_equal(vector, other)
