"""mlkit.tree: leaves, flatten/unflatten, map over several trees, dotted names."""

import re
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlkit.tree import (
    flatten_named,
    is_container,
    join_path,
    tree_align,
    tree_builder,
    tree_flatten,
    tree_fold,
    tree_items,
    tree_leaves,
    tree_map,
    tree_signature,
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


# -- options: exact types, looking through wrappers, prefix matching -------------------------
def test_exact_treats_subclasses_as_leaves():
    tree = (Pair(1, 2), [3])
    assert tree_leaves(tree, exact=True) == [Pair(1, 2), 3]
    assert tree_leaves(tree) == [1, 2, 3]
    assert is_container(Pair(1, 2)) and not is_container(Pair(1, 2), exact=True)
    leaves, structure = tree_flatten(tree, exact=True)
    assert structure == (None, [None])
    assert tree_unflatten(structure, leaves) == tree
    assert list(flatten_named(tree, exact=True)) == ["0", "1.0"]
    assert tree_map(lambda x: x, tree, exact=True)[0] is tree[0]


class Wrapped:
    """Stands for a container, like a traced box: indexing it is recorded."""

    taken: list = []

    def __init__(self, value):
        self.value = value

    def __getitem__(self, key):
        Wrapped.taken.append(key)
        return self.value[key]


def unwrap(x):
    return x.value if isinstance(x, Wrapped) else x


def test_look_through_opens_wrapped_containers_by_indexing():
    Wrapped.taken = []
    tree = [Wrapped({"a": 1.0, "b": Wrapped((2.0, 3.0))}), 4.0]
    assert tree_leaves(tree, look_through=unwrap) == [1.0, 2.0, 3.0, 4.0]
    assert Wrapped.taken == ["a", "b", 0, 1]
    Wrapped.taken = []
    leaves, structure = tree_flatten(tree, look_through=unwrap)
    assert leaves == [1.0, 2.0, 3.0, 4.0] and Wrapped.taken == ["a", "b", 0, 1]
    assert structure == [{"a": None, "b": (None, None)}, None]
    assert tree_leaves(tree) == tree  # without the option a wrapper is a leaf


def test_prefix_passes_the_other_trees_subtrees_whole():
    got = tree_map(lambda x, t: (x, t), {"a": 1, "b": [2]}, {"b": [(5, 6)], "a": {"k": 7}},
                   prefix=True)
    assert got == {"a": (1, {"k": 7}), "b": [(2, (5, 6))]}
    with pytest.raises(ValueError, match=r"at b: expected a list of length 1, got list of "
                                         r"length 2"):
        tree_map(lambda x, t: x, {"a": 1, "b": [2]}, {"a": 1, "b": [2, 3]}, prefix=True)
    with pytest.raises(ValueError, match=r"at a: expected a leaf, got a dict"):
        tree_map(lambda x, t: x, {"a": 1}, {"a": {"k": 7}})


def test_fold_reduces_bottom_up():
    depth = tree_fold(TREE, lambda leaf: 0, lambda node, depths: 1 + max(depths, default=0))
    assert depth == 3
    assert tree_fold(TREE, lambda leaf: leaf, lambda node, items: type(node).__name__) == "dict"
    assert tree_fold(Pair(1, 2), str, lambda node, items: "+".join(items)) == "1+2"
    assert tree_fold(Pair(1, 2), str, lambda node, items: "+".join(items), exact=True) == str(
        Pair(1, 2))


def test_builder_rebuilds_the_same_structure_repeatedly():
    build = tree_builder(tree_flatten(TREE)[1])
    leaves = tree_leaves(TREE)
    assert build(leaves) == TREE and build(leaves) == TREE
    assert type(build(leaves)["a"]["y"]) is Pair
    assert build([10, 20, 30, 40, 50, 60]) == tree_unflatten(tree_flatten(TREE)[1],
                                                             [10, 20, 30, 40, 50, 60])


def test_signature_compares_layouts():
    leaves, signature = tree_signature(TREE)
    assert leaves == tree_leaves(TREE)
    assert tree_signature({"b": [1, [2, 3]], "a": {"x": 4, "y": [5, 6]}})[1] == signature
    assert tree_signature({"a": {"x": 4, "y": [5, 6]}, "b": [1, [2, 3]]})[1] != signature
    assert tree_signature({"b": [1, [2]], "a": {"x": 4, "y": [5, 6]}})[1] != signature


def test_align_takes_leaves_in_the_structures_order():
    leaves, structure = tree_flatten(TREE)
    signature = tree_signature(TREE)[1]
    reordered = {"a": {"y": [50, 60], "x": 40}, "b": [10, (20, 30)]}  # keys in another order
    assert tree_align(reordered, structure) == [10, 20, 30, 40, 50, 60]
    assert tree_align(reordered, structure, signature) == [10, 20, 30, 40, 50, 60]
    assert tree_align(TREE, structure, signature) == leaves
    assert tree_align(7, tree_flatten(3)[1]) == [7]


@pytest.mark.parametrize("context, message", [
    (None, r"^tree mismatch at a: missing keys \['y'\], unexpected \['z'\]$"),
    ("Adam: grads", r"^Adam: grads: tree mismatch at a: missing keys \['y'\], unexpected "
                    r"\['z'\]$"),
])
def test_align_refuses_another_structure_naming_the_path(context, message):
    structure = tree_flatten(TREE)[1]
    other = {"b": [1, (2, 3)], "a": {"x": 4, "z": 5}}
    with pytest.raises(ValueError, match=message):
        tree_align(other, structure, tree_signature(TREE)[1], context)
    with pytest.raises(ValueError, match=r"at b\.1: expected a tuple of length 2, got list of "
                                         r"length 3"):
        tree_align({"a": {"x": 4, "y": (5, 6)}, "b": [1, [2, 3, 4]]}, structure)


def test_named_helpers():
    assert flatten_named({"a": {"b": [1, 2]}, "c": 3}, dicts_only=True) == {"a.b": [1, 2], "c": 3}
    assert flatten_named([1], "w") == {"w.0": 1}
    assert join_path("", 3) == "3" and join_path("a", "b") == "a.b"
    assert list(tree_items({"k": 1})) == [("k", 1)] and list(tree_items((5,))) == [(0, 5)]


# -- properties ------------------------------------------------------------------------------
def _paths(tree, prefix=()):
    """Every leaf's path as a tuple of keys."""
    if not is_container(tree):
        return [prefix]
    return [path for key, child in tree_items(tree) for path in _paths(child, prefix + (key,))]


def _replaced(tree, path, value):
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {**tree, key: _replaced(tree[key], rest, value)}
    items = list(tree)
    items[key] = _replaced(items[key], rest, value)
    return type(tree)(items)


@settings(max_examples=60, deadline=None)
@given(trees, st.data())
def test_mismatch_names_the_path_of_any_leaf(tree, data):
    paths = _paths(tree)
    assume(paths)
    path = data.draw(st.sampled_from(paths))
    other = _replaced(tree, path, [0, 0])
    where = ".".join(map(str, path)) or "<root>"
    with pytest.raises(ValueError, match=f"tree mismatch at {re.escape(where)}: expected a leaf"):
        tree_map(lambda a, b: a, tree, other)
    assert not tree_structure_equal(tree, other)
    assert tree_map(lambda a, b: b, tree, other, prefix=True) == other


@settings(max_examples=60, deadline=None)
@given(trees)
def test_exact_builder_fold_and_signature_agree_with_flatten(tree):
    leaves, structure = tree_flatten(tree, exact=True)
    assert (leaves, structure) == tree_flatten(tree)  # hypothesis draws plain containers only
    assert tree_builder(structure)(leaves) == tree
    assert tree_signature(tree)[0] == leaves
    assert tree_fold(tree, lambda leaf: [leaf], lambda node, parts: sum(parts, [])) == leaves
    assert tree_leaves(tree, look_through=lambda x: x) == leaves
    assert tree_align(tree, structure, tree_signature(tree)[1]) == leaves
    reversed_dicts = tree_fold(tree, None, lambda node, items: dict(
        reversed(list(zip(node, items)))) if isinstance(node, dict) else type(node)(items))
    assert tree_align(reversed_dicts, structure, tree_signature(tree)[1]) == leaves
