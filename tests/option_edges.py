"""Values just inside, on and just outside the bounds of a type hint, for the tests that check
that every layer accepts and refuses the same edges of an option."""

import collections.abc
import types
from typing import Annotated, Literal, Union, get_args, get_origin

from mlkit.options import Length, Range

UNIONS = (Union, types.UnionType)
SEQUENCES = (list, tuple, collections.abc.Sequence)


def inside(hint):
    """A value well inside what ``hint`` allows."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        value = inside(args[0])
        for meta in (m for m in hint.__metadata__ if isinstance(m, Range)):
            low = meta.ge if meta.gt is None else meta.gt
            high = meta.le if meta.lt is None else meta.lt
            if low is not None:
                value = args[0]((low + high) / 2 if high is not None else low + 2)
            elif high is not None:
                value = args[0](high - 2)
        return value
    if origin is Literal:
        return args[0]
    if origin in UNIONS:
        return inside(next(arg for arg in args if arg is not type(None)))
    if origin in SEQUENCES:
        return [inside(arg) for arg in args] if origin is tuple else [inside(args[0])]
    return {float: 0.5, int: 2, bool: False, str: "x"}[hint]


def edges(hint) -> list[tuple[object, bool]]:
    """``(value, allowed)`` just inside, on and just outside each bound within ``hint``."""
    origin, args = get_origin(hint), get_args(hint)
    found = []
    if origin is Annotated:
        base = args[0]
        for meta in hint.__metadata__:
            if isinstance(meta, Range):
                step = 1 if base is int else 1e-6
                for key in ("gt", "ge", "lt", "le"):
                    bound = getattr(meta, key)
                    if bound is not None:
                        inward = step if key in ("gt", "ge") else -step
                        found += [(base(bound + inward), True), (base(bound), key in ("ge", "le")),
                                  (base(bound - inward), False)]
            if isinstance(meta, Length) and meta.min:
                item = "x" if base is str else inside(get_args(base)[0])
                sized = (lambda n: item * n) if base is str else (lambda n: [item] * n)
                found += [(sized(meta.min), True), (sized(meta.min - 1), False)]
        return found + edges(base)
    if origin is Literal:
        return [(args[0], True), ("no_such_choice", False)]
    if origin in UNIONS:
        return [edge for arg in args for edge in edges(arg)]
    if origin is tuple:
        middle = [inside(arg) for arg in args]
        return [([*middle[:i], value, *middle[i + 1:]], allowed)
                for i, arg in enumerate(args) for value, allowed in edges(arg)]
    if origin in SEQUENCES:
        return [([value], allowed) for value, allowed in edges(args[0])]
    return []
