"""Nested tuples, lists and dicts of arrays ("trees"): walk, map, flatten, rebuild, name.

The one place where mlkit walks trees, from the engine's entry points to optimizers, modules,
checkpoints and configs. Pure Python with no other mlkit import, so every layer may use it.
A leaf is anything that is not a branch; which values are branches is an option:

- by default every tuple, list and dict, subclasses included (namedtuples are rebuilt as
  namedtuples, dict subclasses as plain dicts);
- ``exact=True``: only plain ``tuple``, ``list`` and ``dict`` and the types given to
  ``register_branch`` (numpy's ``EighResult``; any other namedtuple is one leaf), as the
  engine sees values;
- ``look_through=f``: a value ``x`` is judged by ``f(x)`` (the value under a traced box), and a
  branch seen that way is opened by indexing ``x`` itself, so that a traced container records
  each item taken from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["flatten_named", "is_container", "join_path", "register_branch", "tree_align",
           "tree_builder", "tree_flatten", "tree_fold", "tree_items", "tree_leaves", "tree_map",
           "tree_signature", "tree_structure_equal", "tree_unflatten", "unflatten_named"]

_CONTAINERS = (tuple, list, dict)
_PLAIN = set(_CONTAINERS)


def register_branch(kind: type) -> None:
    """Make ``kind``, a tuple, list or dict subclass, a branch for ``exact=True`` too."""
    _PLAIN.add(kind)


def is_container(x: Any, exact: bool = False) -> bool:
    """True for the tuple, list and dict nodes of a tree (with ``exact``, only the plain types
    and registered branches)."""
    return type(x) in _PLAIN if exact else isinstance(x, _CONTAINERS)


def join_path(prefix: str, key: Any) -> str:
    """The dotted path ``prefix.key`` (just ``key`` at the root)."""
    return f"{prefix}.{key}" if prefix else str(key)


def tree_items(node) -> Iterable:
    """``(key, child)`` pairs of one dict, list or tuple (list items keyed by index)."""
    return node.items() if isinstance(node, dict) else enumerate(node)


def _branch(x, exact, look_through):
    """The container ``x`` stands for, or None when ``x`` is a leaf."""
    raw = x if look_through is None else look_through(x)
    if type(raw) in _PLAIN if exact else isinstance(raw, _CONTAINERS):
        return raw
    return None


def _keys(raw):
    return list(raw) if isinstance(raw, dict) else range(len(raw))


def _children(x, raw):
    """The children of branch ``x`` (taken by indexing when ``x`` only stands for ``raw``)."""
    if x is raw:
        return list(raw.values()) if isinstance(raw, dict) else list(raw)
    return [x[key] for key in _keys(raw)]


def _rebuild(raw, children):
    """A container of ``raw``'s kind (and keys) holding ``children``."""
    if isinstance(raw, dict):
        return dict(zip(raw.keys(), children))
    if isinstance(raw, tuple) and hasattr(raw, "_fields"):
        return type(raw)(*children)
    return type(raw)(children)


def tree_leaves(tree: Any, sort_keys: bool = False, *, exact: bool = False,
                look_through: Callable | None = None) -> list:
    """The leaves of ``tree`` in depth-first order (dicts in insertion order, or in the order
    of their sorted keys with ``sort_keys``, which makes the order independent of insertion)."""
    leaves, stack = [], [tree]
    while stack:
        node = stack.pop()
        raw = _branch(node, exact, look_through)
        if raw is None:
            leaves.append(node)
        elif sort_keys and isinstance(raw, dict):
            stack.extend(node[key] for key in sorted(raw, reverse=True))
        else:
            stack.extend(reversed(_children(node, raw)))
    return leaves


def tree_flatten(tree: Any, *, exact: bool = False,
                 look_through: Callable | None = None) -> tuple[list, Any]:
    """Split ``tree`` into its leaves and a structure that :func:`tree_unflatten` rebuilds.

    The structure is the tree with every leaf replaced by None (and anything looked through
    replaced by the container it stands for), so rebuilding it needs no options."""
    leaves = []

    def take(leaf):
        leaves.append(leaf)

    structure = tree_map(take, tree, exact=exact, look_through=look_through)
    return leaves, structure


def tree_builder(structure: Any) -> Callable[[Iterable], Any]:
    """A function ``leaves -> tree`` rebuilding ``structure`` (from :func:`tree_flatten`) with
    the given leaves. Each node's kind is decided once, here, so rebuilding the same structure
    at every training step costs only the new containers."""
    build = _compile(structure)
    return lambda leaves: build(iter(leaves).__next__)


def _compile(node):
    if isinstance(node, dict):
        parts = [(key, _compile(child)) for key, child in node.items()]
        return lambda take: {key: build(take) for key, build in parts}
    if not isinstance(node, (tuple, list)):
        return lambda take: take()
    parts = [_compile(child) for child in node]
    kind = type(node)
    if kind is list:
        return lambda take: [build(take) for build in parts]
    if hasattr(node, "_fields"):
        return lambda take: kind(*[build(take) for build in parts])
    return lambda take: kind([build(take) for build in parts])


def tree_unflatten(structure: Any, leaves: Iterable) -> Any:
    """Rebuild a tree of ``structure`` (from :func:`tree_flatten`) with the given leaves.

    Raises ``ValueError`` when the number of leaves differs from the structure's.
    """
    leaves = list(leaves)
    position = iter(leaves)
    try:
        tree = _map_one(lambda _: next(position), structure, False)
        too_few = False
    except StopIteration:
        too_few = True
    if too_few or next(position, position) is not position:
        expected = len(tree_leaves(structure))
        raise ValueError(f"the structure has {expected} leaves, got {len(leaves)}")
    return tree


class _Mismatch(Exception):
    """Two trees differ at a node; the keys leading there are collected on the way out."""

    def __init__(self, what):
        super().__init__(what)
        self.what, self.keys = what, []

    def message(self):
        where = ".".join(str(key) for key in reversed(self.keys)) or "<root>"
        return f"tree mismatch at {where}: {self.what}"


def tree_map(fn: Callable, tree: Any, *rest: Any, exact: bool = False, prefix: bool = False,
             look_through: Callable | None = None) -> Any:
    """Apply ``fn`` leafwise over one or more trees of the same structure.

    Dicts are matched by key (their order may differ) and a list matches a tuple of the same
    length; the result has ``tree``'s containers. With ``prefix`` the other trees need only
    match down to ``tree``'s leaves, and whatever they hold there is passed to ``fn`` whole.
    A structure mismatch raises ``ValueError`` naming the dotted path where the trees differ.
    """
    if not rest and look_through is None:  # one plain tree: nothing can mismatch
        return _map_one(fn, tree, exact)
    try:
        return _map(fn, tree, rest, exact, prefix, look_through)
    except _Mismatch as mismatch:
        raise ValueError(mismatch.message()) from None


def _map_one(fn, node, exact):
    if type(node) in _PLAIN if exact else isinstance(node, _CONTAINERS):
        items = node.values() if isinstance(node, dict) else node
        return _rebuild(node, [_map_one(fn, child, exact) for child in items])
    return fn(node)


def _map(fn, tree, rest, exact, prefix, look_through):
    raw = _branch(tree, exact, look_through)
    if raw is None:
        if not prefix:
            for other in rest:
                if _branch(other, exact, look_through) is not None:
                    raise _Mismatch(f"expected a leaf, got a {type(other).__name__}")
        return fn(tree, *rest)
    for other in rest:
        _check_same_node(raw, _branch(other, exact, look_through), other)
    children = []
    for key in _keys(raw):
        try:
            children.append(_map(fn, tree[key], [other[key] for other in rest], exact, prefix,
                                 look_through))
        except _Mismatch as mismatch:
            mismatch.keys.append(key)
            raise
    return _rebuild(raw, children)


def _check_same_node(a, b, other):
    """Raise _Mismatch unless container ``b`` (None for a leaf ``other``) matches ``a``."""
    if isinstance(a, dict):
        if not isinstance(b, dict):
            raise _Mismatch(f"expected a dict, got {type(other).__name__}")
        if set(a) != set(b):
            missing = sorted(map(str, set(a) - set(b)))
            extra = sorted(map(str, set(b) - set(a)))
            raise _Mismatch(f"missing keys {missing}, unexpected {extra}")
    elif not isinstance(b, (tuple, list)) or len(a) != len(b):
        got = f"{type(b).__name__} of length {len(b)}" if b is not None else type(other).__name__
        raise _Mismatch(f"expected a {type(a).__name__} of length {len(a)}, got {got}")


def tree_fold(tree: Any, leaf_fn: Callable | None, node_fn: Callable, *,
              exact: bool = False) -> Any:
    """Reduce ``tree`` bottom-up: ``leaf_fn(leaf)`` at the leaves (the leaf itself when
    ``leaf_fn`` is None), then ``node_fn(node, results)`` at each container, with the results
    of its children in order."""
    if type(tree) not in _PLAIN if exact else not isinstance(tree, _CONTAINERS):
        return tree if leaf_fn is None else leaf_fn(tree)
    children = tree.values() if isinstance(tree, dict) else tree
    return node_fn(tree, [tree_fold(child, leaf_fn, node_fn, exact=exact) for child in children])


def tree_structure_equal(a: Any, b: Any) -> bool:
    """True when two trees have the same containers, keys and lengths."""
    try:
        _map(lambda x, y: None, a, (b,), False, False, None)
    except _Mismatch:
        return False
    return True


def tree_signature(tree: Any) -> tuple[list, list]:
    """The leaves of ``tree`` and a list that is equal for trees of equal structure.

    Comparing signatures is a cheap check that a tree has the layout seen before: dict keys
    must come in the same order, and lists and tuples of one length count as equal, as in
    :func:`tree_map`.
    """
    leaves = []
    signature = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            signature.append(tuple(node))
            stack.extend(reversed(node.values()))
        elif isinstance(node, (list, tuple)):
            signature.append(len(node))
            stack.extend(reversed(node))
        else:
            signature.append(None)
            leaves.append(node)
    return leaves, signature


def tree_align(tree: Any, structure: Any, signature: list | None = None,
               context: str | None = None) -> list:
    """The leaves of ``tree`` in the order of ``structure``'s (from :func:`tree_flatten`).

    Lets a tree whose dicts list their keys in another order line up, leaf for leaf, with
    state recorded for ``structure`` (an optimizer's, a flat vector's). ``signature``, that of
    ``structure`` kept by the caller, makes the usual case (the same layout again) one
    comparison. Another structure raises ``ValueError`` naming the path where the trees
    differ, after ``"{context}: "`` when a context is given.
    """
    leaves, seen = tree_signature(tree)
    if seen == (tree_signature(structure)[1] if signature is None else signature):
        return leaves
    try:
        return tree_leaves(tree_map(lambda _, leaf: leaf, structure, tree))
    except ValueError as error:
        if context is None:
            raise
        raise ValueError(f"{context}: {error}") from None


def flatten_named(tree: Any, prefix: str = "", *, exact: bool = False,
                  dicts_only: bool = False) -> dict[str, Any]:
    """A flat ``{dotted.name: leaf}`` dict of ``tree`` (list items named by index; with
    ``dicts_only`` lists and tuples are leaves, as in a config's sections)."""
    flat: dict[str, Any] = {}

    def visit(node, name):
        if not (isinstance(node, dict) if dicts_only else is_container(node, exact)):
            flat[name] = node
            return
        for key, child in tree_items(node):
            visit(child, join_path(name, key))

    visit(tree, prefix)
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
