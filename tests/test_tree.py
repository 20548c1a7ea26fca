"""mlkit.tree: leaves, flatten/unflatten, map over several trees, dotted names."""

from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkit.tree import (
    flatten_named,
    is_container,
    tree_flatten,
    tree_leaves,
    tree_map,
    tree_structure_equal,
    tree_unflatten,
    unflatten_named,
)

Pair = namedtuple("Pair", "left right")

TREE = {"b": [1, (2, 3)], "a": {"x": 4, "y": Pair(5, None)}}


def test_leaves_in_depth_first_insertion_order():
    assert tree_leaves(TREE) == [1, 2, 3, 4, 5, None]
    assert tree_leaves(7) == [7]
    assert tree_leaves([]) == []


def test_leaves_in_sorted_key_order_ignore_insertion_order():
    assert tree_leaves(TREE, sort_keys=True) == [4, 5, None, 1, 2, 3]
    shuffled = {"a": {"y": Pair(5, None), "x": 4}, "b": [1, (2, 3)]}
    assert tree_leaves(shuffled, sort_keys=True) == tree_leaves(TREE, sort_keys=True)


def test_is_container():
    assert is_container([]) and is_container(()) and is_container({}) and is_container(Pair(1, 2))
    assert not is_container(np.zeros(2)) and not is_container(None) and not is_container("ab")


def test_flatten_unflatten_round_trip_keeps_types():
    leaves, structure = tree_flatten(TREE)
    rebuilt = tree_unflatten(structure, leaves)
    assert rebuilt == TREE
    assert type(rebuilt["b"][1]) is tuple and type(rebuilt["a"]["y"]) is Pair
    assert tree_unflatten(tree_flatten(3)[1], [9]) == 9


@pytest.mark.parametrize("count", [5, 7])
def test_unflatten_with_the_wrong_number_of_leaves(count):
    structure = tree_flatten(TREE)[1]
    with pytest.raises(ValueError, match=f"structure has 6 leaves, got {count}"):
        tree_unflatten(structure, range(count))


def test_map_over_several_trees():
    a = {"w": [1, 2], "b": 3}
    b = {"b": 30, "w": (10, 20)}  # other key order and sequence type: same structure
    assert tree_map(lambda x, y: x + y, a, b) == {"w": [11, 22], "b": 33}


@pytest.mark.parametrize(
    "other, message",
    [
        ({"w": [1, 2]}, r"at <root>: missing keys \['b'\], unexpected \[\]"),
        ({"w": [1], "b": 3}, r"at w: expected a list of length 2, got list of length 1"),
        ({"w": {"0": 1}, "b": 3}, r"at w: expected a list of length 2, got dict"),
        ({"w": [1, 2], "b": [3]}, r"at b: expected a leaf, got a list"),
        ({"w": [1, [2]], "b": 3}, r"at w\.1: expected a leaf, got a list"),
    ],
)
def test_map_mismatch_names_the_path(other, message):
    with pytest.raises(ValueError, match=message):
        tree_map(lambda x, y: x, {"w": [1, 2], "b": 3}, other)
    assert not tree_structure_equal({"w": [1, 2], "b": 3}, other)


def test_structure_equal():
    assert tree_structure_equal(TREE, tree_map(lambda x: 0, TREE))
    assert not tree_structure_equal([1, 2], 3)


def test_named_flatten_and_back():
    flat = flatten_named(TREE)
    assert list(flat) == ["b.0", "b.1.0", "b.1.1", "a.x", "a.y.0", "a.y.1"]
    assert flatten_named(np.ones(1), prefix="w").keys() == {"w"}
    like = tree_map(lambda x: None, TREE)
    assert unflatten_named(flat, like) == TREE
    with pytest.raises(KeyError, match=r"missing names: \['a.x'\]"):
        unflatten_named({k: v for k, v in flat.items() if k != "a.x"}, like)


trees = st.recursive(
    st.integers(),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.text("abc", min_size=1, max_size=2), children, max_size=3),
    ),
    max_leaves=12,
)


@given(trees)
def test_round_trips_hold_for_any_tree(tree):
    leaves, structure = tree_flatten(tree)
    assert tree_unflatten(structure, leaves) == tree
    assert tree_map(lambda x: x, tree) == tree
    assert list(flatten_named(tree).values()) == leaves  # keys have no dots: no collisions
    doubled = tree_map(lambda x: 2 * x, tree)
    assert tree_leaves(doubled) == [2 * leaf for leaf in leaves]
    assert tree_structure_equal(tree, doubled)
