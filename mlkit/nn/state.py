"""Writing trees and state dicts into modules: merge, dotted-path assignment, validation.

These helpers see a module as any object that is not an array or a container (they never
import ``Module``), so that module.py keeps only the class.
"""

from __future__ import annotations

import numpy

from mlkit.numpy import ArrayBox
from mlkit.tree import join_path

__all__ = ["assign", "check_state", "merge"]

_ARRAYS = (numpy.ndarray, ArrayBox)


def merge(owner: str, path: str, current, new):
    """``current`` with the arrays of subtree ``new`` written in; modules and lists are updated
    in place, tuples rebuilt. An empty dict leaves ``current`` unchanged."""
    if isinstance(current, _ARRAYS):
        if isinstance(new, _ARRAYS):
            if new.shape != current.shape:
                raise ValueError(f"{owner}.{path} has shape {current.shape}, got an array of "
                                 f"shape {new.shape}")
            return new
        if isinstance(new, dict) and not new:
            return current
        raise TypeError(f"{owner}.{path} is an array, got {type(new).__name__}")
    if isinstance(new, dict) and not new:
        return current
    if isinstance(current, dict):
        if not isinstance(new, dict):
            raise TypeError(f"{owner}.{path} is a dict; update it with a dict, got "
                            f"{type(new).__name__}")
        for key, item in new.items():
            current[key] = merge(owner, join_path(path, key), current[key], item)
        return current
    if isinstance(current, (list, tuple)):
        if not isinstance(new, (list, tuple)) or len(new) != len(current):
            raise ValueError(f"{owner}.{path} holds {len(current)} items, got {new!r:.60}")
        merged = [merge(owner, join_path(path, i), item, sub)
                  for i, (item, sub) in enumerate(zip(current, new))]
        if isinstance(current, list):
            current[:] = merged
            return current
        return type(current)(merged)
    if not isinstance(new, dict) or not hasattr(current, "_walk"):
        raise TypeError(f"{owner}.{path} is a {type(current).__name__}; it takes a dict "
                        f"subtree, got {type(new).__name__}")
    return current.update(new)


def _child(node, key):
    if isinstance(node, dict):
        return node[key]
    if isinstance(node, (list, tuple)):
        return node[int(key)]
    return vars(node)[key]


def assign(node, parts, value):
    """``node`` with ``value`` written at the path ``parts`` (tuples on the way are rebuilt)."""
    key = parts[0]
    if len(parts) > 1:
        value = assign(_child(node, key), parts[1:], value)
    if isinstance(node, dict):
        node[key] = value
    elif isinstance(node, list):
        node[int(key)] = value
    elif isinstance(node, tuple):
        items = list(node)
        items[int(key)] = value
        node = type(node)(items)
    else:
        vars(node)[key] = value
    return node


def check_state(owner: str, expected: dict, state: dict, strict: bool) -> dict:
    """Copies of the arrays of ``state`` to load, or ``ValueError`` listing every problem.

    Problems: names missing from ``state`` and names not ``expected`` (both only when
    ``strict``), and arrays whose shape or dtype differ from the expected ones.
    """
    problems = []
    if strict:
        missing = [name for name in expected if name not in state]
        unexpected = [name for name in state if name not in expected]
        if missing:
            problems.append(f"missing: {missing}")
        if unexpected:
            problems.append(f"unexpected: {unexpected}")
    loaded = {}
    for name, value in state.items():
        if name not in expected:
            continue
        value, want = numpy.asarray(value), expected[name]
        if value.shape != want.shape:
            problems.append(f"{name}: shape {value.shape}, expected {want.shape}")
        elif value.dtype != want.dtype:
            problems.append(f"{name}: dtype {value.dtype}, expected {want.dtype}")
        else:
            loaded[name] = numpy.array(value, copy=True)
    if problems:
        raise ValueError(f"{owner}.load_state_dict found {len(problems)} problem(s):\n  "
                         + "\n  ".join(problems))
    return loaded
