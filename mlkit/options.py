"""The bounds of a component's options, stated once in its signature, and the rules between them.

A component (an optimizer, a schedule, a loss, a model) types each option in its signature,
e.g. ``lr: PositiveFloat = 1e-3``; the config schema is derived from those hints, and
:func:`checked` makes the component check its Python arguments against the same hints, so YAML
and Python share one default and one range. :class:`Range` and :class:`Length` are plain
metadata inside ``typing.Annotated``. A rule between options (SGD's nesterov needs momentum) is the
component's static ``check_options``, which raises :class:`OptionConflict`: its constructor
and the config schema both call it. A name outside its options gets one hint,
:func:`did_you_mean`, in every layer. Nothing here imports mlkit.
"""

from __future__ import annotations

import collections.abc
import difflib
import functools
import inspect
import math
import numbers
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Literal, Union, get_args, get_origin

__all__ = ["BatchSize", "Fraction", "Length", "NonNegativeFloat", "NonNegativeInt",
           "OptionConflict", "PositiveFloat", "PositiveInt", "Range", "check", "checked",
           "did_you_mean",
           "spelled"]


@dataclass(frozen=True)
class Range:
    """Bounds of a number: ``gt``/``ge`` below, ``lt``/``le`` above (None: unbounded)."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None


@dataclass(frozen=True)
class Length:
    """Bounds of a sequence's length (None: unbounded)."""

    min: int | None = None
    max: int | None = None


class OptionConflict(ValueError):
    """Options each valid alone that do not go together: the option to change, why, its
    value, and how to fix it (a config reports it at that option's path)."""

    def __init__(self, component: str, option: str, reason: str, value, fix: str):
        self.option, self.reason, self.value, self.fix = option, reason, value, fix
        super().__init__(f"{component}: {option}={value!r} {reason}; {fix}")


_SYNONYMS = {"mode": "most_frequent", "average": "mean", "avg": "mean"}
"""Words that name an option in other tools' vocabulary, and are spelled nothing like it."""


def _squeezed(word) -> str:
    return "".join(c for c in str(word).lower() if c.isalnum())


def did_you_mean(word, options, sentence: bool = False) -> str:
    """``" — did you mean 'x'?"`` for the option ``word`` most likely means, or ``""`` when
    none is close; ``sentence`` writes ``" Did you mean 'x'?"``, to follow a full stop. An
    option equal to ``word`` but for case, spaces and punctuation (``L-BFGS`` -> ``lbfgs``)
    comes first, then the option a statistician's word names (``mode`` -> ``most_frequent``),
    then the one option ending in ``_word`` (``f1`` -> ``val_f1``), then the most similar
    spelling."""
    names, squeezed = [str(o) for o in options], _squeezed(word)
    alike = [o for o in names if _squeezed(o) == squeezed]
    alike = alike or [o for o in names if o == _SYNONYMS.get(squeezed)]
    suffixed = [o for o in names if o.lower().endswith("_" + squeezed)]
    close = alike or (suffixed if len(suffixed) == 1 else
                      difflib.get_close_matches(str(word), names, n=1, cutoff=0.5))
    if not close:
        return ""
    return f"{' Did' if sentence else ' — did'} you mean {close[0]!r}?"


_SIGNS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_NAMES = {int: "an integer", float: "a finite number", str: "text", bool: "True or False",
          type(None): "None"}
_SEQUENCES = (list, tuple, collections.abc.Sequence)
_UNIONS = (Union, types.UnionType)


def _bound_text(meta) -> str:
    if isinstance(meta, Length):
        return (f"of length {meta.min} to {meta.max}" if None not in (meta.min, meta.max) else
                f"of length >= {meta.min}" if meta.min is not None else f"of length <= {meta.max}")
    low = next((key for key in ("gt", "ge") if getattr(meta, key) is not None), None)
    high = next((key for key in ("lt", "le") if getattr(meta, key) is not None), None)
    if low and high:
        return (f"in {'(' if low == 'gt' else '['}{getattr(meta, low)}, "
                f"{getattr(meta, high)}{')' if high == 'lt' else ']'}")
    return " ".join(f"{_SIGNS[key]} {getattr(meta, key)}" for key in (low, high) if key)


def spelled(hint, words: dict = _NAMES) -> str:
    """How a message names the values of a type hint: ``an integer >= 1``, ``a finite number
    in [0, 1)``, ``'cos' or 'linear'``; ``words`` names the plain types (a config says null)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        bounds = [_bound_text(meta) for meta in hint.__metadata__
                  if isinstance(meta, (Range, Length))]
        return " ".join([spelled(args[0], words), *bounds])
    if origin is Literal:
        return " or ".join(map(repr, args))
    if origin in _UNIONS:
        return " or ".join(spelled(arg, words) for arg in args)
    if origin is tuple and Ellipsis not in args:
        if len(set(args)) == 1:
            return f"{len(args)} values, each {spelled(args[0], words)}"
        return f"{len(args)} values: " + ", ".join(spelled(arg, words) for arg in args)
    if origin in _SEQUENCES:
        return f"a list of items, each {spelled(args[0], words)}"
    return words.get(hint, "a value of its own kind")


def _checkable(hint) -> bool:
    """Whether :func:`checked` can judge every value of this hint (a class or callable it
    leaves to the component)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Annotated, *_SEQUENCES):
        return _checkable(args[0]) and (origin is not tuple or all(map(_checkable, args[1:])))
    if origin in _UNIONS:
        return all(map(_checkable, args))
    return origin is Literal or hint in _NAMES or hint is Ellipsis


def _within(meta, value) -> bool:
    if isinstance(meta, Length):
        return ((meta.min is None or len(value) >= meta.min)
                and (meta.max is None or len(value) <= meta.max))
    if not isinstance(meta, Range):
        return True
    return ((meta.gt is None or value > meta.gt) and (meta.ge is None or value >= meta.ge)
            and (meta.lt is None or value < meta.lt) and (meta.le is None or value <= meta.le))


def check(where: str, hint, value):
    """``value`` as the plain Python value ``hint`` describes (a Python float stays "weak" in
    numpy arithmetic, so float32 arrays are not promoted), or a TypeError (wrong kind) or
    ValueError (outside the bounds) saying ``where`` (``"SGD: lr"``) must be what it allows."""
    origin, args = get_origin(hint), get_args(hint)
    refused = f"{where} must be {spelled(hint)}, got {value!r}"
    if origin is Annotated:
        try:
            value = check(where, args[0], value)
        except (TypeError, ValueError) as error:
            if get_origin(args[0]) in _SEQUENCES:  # an item's own message names the item
                raise
            raise type(error)(refused) from None
        if all(_within(meta, value) for meta in hint.__metadata__):
            return value
        raise ValueError(refused)
    if origin is Literal:
        if any(type(value) is type(arg) and value == arg for arg in args):
            return value
        raise ValueError(refused + did_you_mean(value, [a for a in args if isinstance(a, str)]))
    if origin in _UNIONS:
        errors = []
        for member in args:
            try:
                return check(where, member, value)
            except (TypeError, ValueError) as error:
                errors.append(error)
        raise (ValueError if any(isinstance(e, ValueError) for e in errors) else TypeError)(refused)
    if origin in _SEQUENCES:
        if isinstance(value, (list, tuple)) and (len(value) == len(args) or origin is not tuple
                                                 or Ellipsis in args):
            items = args if origin is tuple and Ellipsis not in args else args[:1] * len(value)
            checked_items = [check(f"{where}[{i}]", item, element)
                             for i, (item, element) in enumerate(zip(items, value))]
            return tuple(checked_items) if origin is tuple else checked_items
        raise TypeError(refused)
    if hint is float and isinstance(value, numbers.Real) and not isinstance(value, bool):
        if math.isfinite(value):
            return float(value)
        raise ValueError(refused)
    if hint is int and isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if hint in (bool, str) and isinstance(value, hint) or hint is type(None) and value is None:
        return value
    raise TypeError(refused)


@functools.cache
def _typed_parameters(target) -> tuple:
    """``(position, name, hint)`` of each parameter of ``target`` that :func:`checked` checks;
    the position is None for a keyword-only one."""
    hints = typing.get_type_hints(target, include_extras=True)
    found = []
    for position, parameter in enumerate(inspect.signature(target).parameters.values()):
        if parameter.name in hints and _checkable(hints[parameter.name]) and parameter.kind in (
                parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            keyword_only = parameter.kind is parameter.KEYWORD_ONLY
            found.append((None if keyword_only else position, parameter.name,
                          hints[parameter.name]))
    return tuple(found)


def checked(component):
    """``component`` (a function, or a class: its ``__init__``) checking, at every call, each
    argument given for a typed parameter against its type hint, bounds included, so Python
    refuses what the config schema derived from the same hints refuses, with a message naming
    the component, the option, the allowed values and the value given. Arguments are passed on
    as plain Python values; a default is not checked again (a test checks every default).
    Hints naming classes or callables are left to the component."""
    method = isinstance(component, type)
    target = component.__init__ if method else component

    @functools.wraps(target)
    def call(*args, **kwargs):
        owner = type(args[0]).__name__ if method else target.__name__
        for position, name, hint in _typed_parameters(target):
            if name in kwargs:
                kwargs[name] = check(f"{owner}: {name}", hint, kwargs[name])
            elif position is not None and position < len(args):
                args = (*args[:position], check(f"{owner}: {name}", hint, args[position]),
                        *args[position + 1:])
        return target(*args, **kwargs)

    if method:
        component.__init__ = call
        return component
    return call


PositiveFloat = Annotated[float, Range(gt=0)]
NonNegativeFloat = Annotated[float, Range(ge=0)]
Fraction = Annotated[float, Range(ge=0, lt=1)]
PositiveInt = Annotated[int, Range(ge=1)]
NonNegativeInt = Annotated[int, Range(ge=0)]
BatchSize = PositiveInt | Literal["full"]
"""Rows per training step, or ``"full"`` for whole-data steps."""
