"""Nested tuples, lists and dicts of arrays ("trees"): map, flatten, and dotted names.

Pure Python with no autodiff import, so that optimizers, modules, checkpoints and the training
loop all walk parameter trees the same way. A leaf is anything that is not a tuple, list or dict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "flatten_named",
    "is_container",
    "tree_flatten",
    "tree_leaves",
    "tree_map",
    "tree_structure_equal",
    "tree_unflatten",
    "unflatten_named",
]

_CONTAINERS = (tuple, list, dict)


def is_container(x: Any) -> bool:
    """True for the tuple, list and dict nodes of a tree (not for leaves)."""
    return isinstance(x, _CONTAINERS)


def _children(node):
    if isinstance(node, dict):
        return list(node.values())
    return list(node)


def _rebuild(node, children):
    if isinstance(node, dict):
        return dict(zip(node.keys(), children))
    if isinstance(node, tuple) and hasattr(node, "_fields"):
        return type(node)(*children)
    return type(node)(children)


def tree_leaves(tree: Any, sort_keys: bool = False) -> list:
    """The leaves of ``tree`` in depth-first order (dicts in insertion order, or in the order
    of their sorted keys with ``sort_keys``, which makes the order independent of insertion)."""
    leaves, stack = [], [tree]
    while stack:
        node = stack.pop()
        if sort_keys and isinstance(node, dict):
            stack.extend(node[key] for key in sorted(node, reverse=True))
        elif is_container(node):
            stack.extend(reversed(_children(node)))
        else:
            leaves.append(node)
    return leaves


def tree_flatten(tree: Any) -> tuple[list, Any]:
    """Split ``tree`` into its leaves and a structure that :func:`tree_unflatten` rebuilds."""
    return tree_leaves(tree), tree_map(lambda _: None, tree)


def tree_unflatten(structure: Any, leaves) -> Any:
    """Rebuild a tree of ``structure`` (from :func:`tree_flatten`) with the given leaves.

    Raises ``ValueError`` when the number of leaves differs from the structure's.
    """
    leaves = list(leaves)
    position = iter(leaves)

    def fill(node):
        if is_container(node):
            return _rebuild(node, [fill(child) for child in _children(node)])
        return next(position)

    try:
        tree = fill(structure)
        too_few = False
    except StopIteration:
        too_few = True
    if too_few or next(position, position) is not position:
        expected = len(tree_leaves(structure))
        raise ValueError(f"the structure has {expected} leaves, got {len(leaves)}")
    return tree


def tree_structure_equal(a: Any, b: Any) -> bool:
    """True when two trees have the same containers, keys and lengths."""
    try:
        tree_map(lambda x, y: None, a, b)
    except ValueError:
        return False
    return True


def tree_map(fn: Callable, tree: Any, *rest: Any, path: str = "") -> Any:
    """Apply ``fn`` leafwise over one or more trees of the same structure.

    A structure mismatch raises ``ValueError`` naming the dotted path where the trees differ.
    """
    if not is_container(tree):
        for other in rest:
            if is_container(other):
                where = path or "<root>"
                raise ValueError(
                    f"tree mismatch at {where}: expected a leaf, got a {type(other).__name__}"
                )
        return fn(tree, *rest)
    for other in rest:
        _check_same_node(tree, other, path)
    if isinstance(tree, dict):
        children = [
            tree_map(fn, value, *(o[key] for o in rest), path=_join(path, key))
            for key, value in tree.items()
        ]
    else:
        children = [
            tree_map(fn, value, *(o[i] for o in rest), path=_join(path, i))
            for i, value in enumerate(tree)
        ]
    return _rebuild(tree, children)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _check_same_node(a, b, path):
    where = path or "<root>"
    if isinstance(a, dict):
        if not isinstance(b, dict):
            raise ValueError(f"tree mismatch at {where}: expected a dict, got {type(b).__name__}")
        if set(a) != set(b):
            missing = sorted(map(str, set(a) - set(b)))
            extra = sorted(map(str, set(b) - set(a)))
            raise ValueError(
                f"tree mismatch at {where}: missing keys {missing}, unexpected {extra}"
            )
    elif not isinstance(b, (tuple, list)) or len(a) != len(b):
        got = f"{type(b).__name__} of length {len(b)}" if is_container(b) else type(b).__name__
        raise ValueError(
            f"tree mismatch at {where}: expected a {type(a).__name__} of length {len(a)}, got {got}"
        )


def flatten_named(tree: Any, prefix: str = "") -> dict[str, Any]:
    """A flat ``{dotted.name: leaf}`` dict of ``tree`` (list items named by index)."""
    if not is_container(tree):
        return {prefix: tree}
    items = tree.items() if isinstance(tree, dict) else enumerate(tree)
    flat: dict[str, Any] = {}
    for key, value in items:
        flat.update(flatten_named(value, _join(prefix, key)))
    return flat


def unflatten_named(flat: dict[str, Any], like: Any) -> Any:
    """Rebuild a tree shaped like ``like`` from a ``{dotted.name: leaf}`` dict.

    Raises ``KeyError`` listing every name of ``like`` that ``flat`` lacks.
    """
    names = list(flatten_named(like))
    missing = [name for name in names if name not in flat]
    if missing:
        raise KeyError(f"missing names: {missing}")
    return tree_unflatten(tree_flatten(like)[1], [flat[name] for name in names])
