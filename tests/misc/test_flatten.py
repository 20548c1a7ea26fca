"""mlkit.misc.flatten: leaf order, round trips of structure, shape and dtype, and derivatives
through both the flattening and its inverse."""

import numpy as onp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad
from mlkit.misc import flatten
from mlkit.misc.flatten import flatten_func
from mlkit.testing import check_grads
from mlkit.tree import tree_leaves, tree_structure_equal

TREE = {"b": [onp.array([1.0, 2.0]), (3.0, onp.array([[4.0, 5.0], [6.0, 7.0]]))],
        "a": {"y": onp.array(8.0), "x": onp.array([9.0, 10.0])}}


def test_leaves_are_raveled_in_sorted_key_then_sequence_order():
    vector, _ = flatten(TREE)
    assert_allclose(vector, [9.0, 10.0, 8.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])


def test_unflatten_rebuilds_the_structure_from_any_vector_of_that_size():
    vector, unflatten = flatten(TREE)
    tree = unflatten(-vector)
    assert list(tree) == ["b", "a"] and isinstance(tree["b"][1], tuple)
    assert tree["b"][1][1].shape == (2, 2) and tree["a"]["y"].shape == ()
    assert_allclose(tree["b"][1][1], -TREE["b"][1][1])
    assert_allclose(tree["a"]["x"], [-9.0, -10.0])
    assert_allclose(flatten(tree)[0], -vector)


def test_float32_leaves_stay_float32_and_complex_leaves_complex():
    vector, unflatten = flatten([onp.ones(2, onp.float32), onp.zeros(1, onp.float32)])
    assert vector.dtype == onp.float32
    assert all(leaf.dtype == onp.float32 for leaf in unflatten(vector + 1))
    vector, unflatten = flatten({"z": onp.array([1.0 + 2.0j]), "r": 3.0})
    assert_allclose(vector, [3.0, 1.0 + 2.0j])
    assert_allclose(unflatten(vector)["z"], [1.0 + 2.0j])


def test_an_empty_tree_flattens_to_an_empty_vector():
    vector, unflatten = flatten({"a": [], "b": ()})
    assert vector.shape == (0,)
    assert unflatten(vector) == {"a": [], "b": ()}


def test_gradients_pass_through_unflatten_and_through_flatten():
    _, unflatten = flatten(TREE)

    def of_vector(v):
        tree = unflatten(v)
        return np.sum(np.sin(tree["b"][1][1]) * tree["a"]["x"]) + tree["b"][1][0] ** 3

    check_grads(of_vector, modes=["fwd", "rev"], order=2)(onp.linspace(-1.0, 1.0, 10))

    def of_leaves(x, y):
        vector, _ = flatten([x, {"k": y}])
        return np.sum(vector ** 2)

    gx, gy = grad(of_leaves, (0, 1))(onp.array([1.0, -2.0]), 3.0)
    assert_allclose(gx, [2.0, -4.0]) and assert_allclose(gy, 6.0)


def test_flatten_func_makes_a_tree_function_a_vector_function():
    def scale(tree, factor):
        return {"out": [tree["a"]["x"] * factor, tree["b"][0]]}

    flat_func, unflatten, flat_example = flatten_func(scale, TREE)
    assert_allclose(flat_example, flatten(TREE)[0])
    assert_allclose(flat_func(flat_example, 2.0), [18.0, 20.0, 1.0, 2.0])
    assert flatten.flatten_func is flatten_func
    assert_allclose(unflatten(flat_example)["a"]["y"], 8.0)


float_trees = st.recursive(
    st.floats(-10, 10).map(lambda v: onp.full((2,), v)),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.text("abc", min_size=1, max_size=2), children, max_size=3),
    ),
    max_leaves=8,
)


@settings(max_examples=30, deadline=None)
@given(float_trees)
def test_flatten_round_trips_any_tree_in_sorted_key_order(tree):
    vector, unflatten = flatten(tree)
    expected = tree_leaves(tree, sort_keys=True)
    assert_allclose(vector, onp.concatenate(expected) if expected else onp.zeros(0))
    rebuilt = unflatten(vector * 3.0)
    assert tree_structure_equal(rebuilt, tree)
    assert_allclose(flatten(rebuilt)[0], vector * 3.0)
