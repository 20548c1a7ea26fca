"""``flatten``: any tree of arrays and scalars as one vector, and the function that undoes it.

The vector is the concatenation of the raveled leaves (dicts in sorted-key order), and
``unflatten`` is the VJP of that concatenation: it is linear, exact, and differentiable
itself, so an objective of the flat vector can be differentiated through it.
"""

import mlkit.numpy as np
from mlkit.operators import make_vjp
from mlkit.tree import tree_flatten, tree_leaves, tree_unflatten

__all__ = ["concatenated", "flatten", "flatten_func"]


def concatenated(tree):
    """The leaves of ``tree`` raveled and joined into one vector, in ``flatten``'s order."""
    leaves = tree_leaves(tree, sort_keys=True)
    if not leaves:
        return np.zeros(0)
    return np.concatenate([np.ravel(leaf) for leaf in leaves])


def flatten(value):
    """``(vector, unflatten)``: ``value``'s leaves as one 1-D array, and the inverse map.

    ``value`` nests tuples, lists and dicts (with sortable keys) of arrays and numbers;
    ``unflatten(vector)`` rebuilds that structure from any vector of the same size.
    """
    if not tree_leaves(value):
        structure = tree_flatten(value)[1]
        return np.zeros(0), lambda vector: tree_unflatten(structure, [])
    unflatten, vector = make_vjp(concatenated)(value)
    return vector, unflatten


def flatten_func(func, example):
    """``(flat_func, unflatten, flat_example)``: ``func`` of a tree like ``example`` as a
    function of one vector, returning its output flattened (``flat_func(v, *args)``)."""
    flat_example, unflatten = flatten(example)

    def flat_func(vector, *args):
        return concatenated(func(unflatten(vector), *args))

    return flat_func, unflatten, flat_example


flatten.flatten_func = flatten_func
