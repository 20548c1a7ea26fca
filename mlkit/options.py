"""The bounds of a component's options, stated once in its signature, and the rules between them.

A component (an optimizer, a schedule, a loss, a model) types each option in its signature,
e.g. ``lr: PositiveFloat = 1e-3``; the config schema is derived from those hints, and
:func:`checked` makes the component check its Python arguments against the same hints, so YAML
and Python share one default and one range. :class:`Range` and :class:`Length` are plain
metadata inside ``typing.Annotated``. A rule between options (SGD's nesterov needs momentum) is
the component's static ``check_options``, which raises :class:`OptionConflict`: its constructor
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

import numpy

__all__ = ["BatchSize", "Fraction", "Length", "NonNegativeFloat", "NonNegativeInt",
           "OptionConflict", "PerGroup", "PositiveFloat", "PositiveInt", "Range", "check",
           "checked", "choices", "did_you_mean", "per_group", "spelled", "takes_per_group"]


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


@dataclass(frozen=True)
class PerGroup:
    """Marks a list holding one value per parameter group of the optimizer (see
    :func:`per_group`)."""


def per_group(hint):
    """``hint``, or a list of one such value per parameter group, as PyTorch's schedules take
    a float or a list."""
    return hint | Annotated[collections.abc.Sequence[hint], PerGroup()]


def takes_per_group(hint) -> bool:
    """Whether ``hint`` admits a list of one value per parameter group (:func:`per_group`)."""
    return any(isinstance(meta, PerGroup) for arg in get_args(hint)
               if get_origin(arg) is Annotated for meta in arg.__metadata__)


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


_NAMES = {int: "an integer", float: "a finite number", str: "text", bool: "True or False",
          type(None): "None"}
_SEQUENCES = (list, tuple, collections.abc.Sequence)
_UNIONS = (Union, types.UnionType)


def _bounds_text(meta) -> str:
    if isinstance(meta, Length):
        sides = [f"{sign} {n}" for sign, n in ((">=", meta.min), ("<=", meta.max)) if n is not None]
        return "of length " + " and ".join(sides)
    low = (meta.gt, "(", ">") if meta.ge is None else (meta.ge, "[", ">=")
    high = (meta.lt, ")", "<") if meta.le is None else (meta.le, "]", "<=")
    if low[0] is not None and high[0] is not None:
        return f"in {low[1]}{low[0]}, {high[0]}{high[1]}"
    value, _, sign = low if low[0] is not None else high
    return f"{sign} {value}"


def spelled(hint, words: dict = _NAMES) -> str:
    """How a message names the values of a type hint: ``an integer >= 1``, ``a finite number
    in [0, 1)``, ``'cos' or 'linear'``; ``words`` names the plain types (a config says null)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        if any(isinstance(m, PerGroup) for m in hint.__metadata__):
            item = spelled(get_args(args[0])[0], words)
            return f"a list of one per parameter group (each {item})"
        bounds = [_bounds_text(m) for m in hint.__metadata__ if isinstance(m, (Range, Length))]
        return " ".join([spelled(args[0], words), *bounds])
    if origin is Literal:
        return " or ".join(map(repr, args))
    if origin in _UNIONS:
        return " or ".join(spelled(arg, words) for arg in args)
    if origin in _SEQUENCES:
        items = [spelled(arg, words) for arg in args if arg is not Ellipsis]
        if origin is tuple and Ellipsis not in args and len(items) > 1:
            return f"a list of {len(items)} ({'; '.join(items)})"
        return f"a list (each item {items[0]})"
    if origin is type:
        return f"a {args[0].__name__} class"
    return words.get(hint) or ("a callable" if _is_callable(hint) else f"a {hint.__name__}")


def choices(hint) -> list[str]:
    """The words a hint allows (its Literal strings), for a "did you mean" hint."""
    if get_origin(hint) is Literal:
        return [arg for arg in get_args(hint) if isinstance(arg, str)]
    return [word for arg in get_args(hint) for word in choices(arg)]


def _within(meta, value) -> bool:
    if isinstance(meta, Length):
        return (meta.min or 0) <= len(value) <= (math.inf if meta.max is None else meta.max)
    return not isinstance(meta, Range) or (
        (meta.gt is None or value > meta.gt) and (meta.ge is None or value >= meta.ge)
        and (meta.lt is None or value < meta.lt) and (meta.le is None or value <= meta.le))


def _is_a(hint, value) -> bool:
    """Whether ``value`` is of a plain hint: a number (no bool), a class, type[C], Callable."""
    if hint in (int, float):
        kind = numbers.Integral if hint is int else numbers.Real
        return isinstance(value, kind) and not isinstance(value, bool)
    if get_origin(hint) is type:
        return isinstance(value, type) and issubclass(value, get_args(hint)[0])
    return callable(value) if _is_callable(hint) else isinstance(value, hint)


def _is_callable(hint) -> bool:
    return collections.abc.Callable in (hint, get_origin(hint))


def check(where: str, hint, value, refuse=None):
    """``value`` as the plain Python value ``hint`` describes (a Python float stays "weak" in
    numpy arithmetic, so float32 arrays are not promoted), or a TypeError (wrong kind) or
    ValueError (outside the bounds) saying ``where`` (``"SGD: lr"``) must be what it allows;
    or the error ``refuse(kind, where, hint, value)`` writes, in its layer's type and words."""
    origin, args = get_origin(hint), get_args(hint)
    if isinstance(value, numpy.generic):  # numpy's True, 3 and 'adam' (a grid's values) too
        value = value.item()

    def refused(kind) -> Exception:  # written only when raised: spelling a hint costs time
        if refuse is not None:
            return refuse(kind, where, hint, value)
        close = did_you_mean(value, choices(hint)) if isinstance(value, str) else ""
        return kind(f"{where} must be {spelled(hint)}, got {value!r}{close}")

    if origin is Annotated:
        try:
            value = check(where, args[0], value, refuse)
        except (TypeError, ValueError) as error:
            if get_origin(args[0]) in _SEQUENCES:  # an item's own message names the item
                raise
            raise refused(TypeError if isinstance(error, TypeError) else ValueError) from None
        if all(_within(meta, value) for meta in hint.__metadata__):
            return value
        raise refused(ValueError)
    if origin is Literal:
        if any(type(value) is type(arg) and value == arg for arg in args):
            return value
        raise refused(ValueError)
    if origin in _UNIONS:
        kinds = set()
        for member in args:
            try:
                return check(where, member, value, refuse)
            except (TypeError, ValueError) as error:
                kinds.add(TypeError if isinstance(error, TypeError) else ValueError)
        raise refused(ValueError if ValueError in kinds else TypeError)
    if origin in _SEQUENCES:
        fixed = origin is tuple and Ellipsis not in args
        given = value
        if origin is collections.abc.Sequence and not isinstance(value, (str, bytes)):
            try:  # any collection of items: a numpy array, a pandas Index, dict keys
                given = list(value)
            except TypeError:
                raise refused(TypeError) from None
        if isinstance(given, (list, tuple)) and (not fixed or len(given) == len(args)):
            items = [check(f"{where}[{i}]", args[i if fixed else 0], element, refuse)
                     for i, element in enumerate(given)]
            return tuple(items) if origin is tuple else items
    elif _is_a(hint, value):
        if hint is not float:
            return int(value) if hint is int else value
        try:
            number = float(value)
        except OverflowError:  # an integer past float's range
            raise refused(ValueError) from None
        if math.isfinite(number):
            return number
        raise refused(ValueError)
    raise refused(TypeError)


@functools.cache
def _typed_parameters(target) -> tuple:
    """``(position, name, hint)`` of each typed parameter of ``target``; the position is None
    for one that cannot be passed by position."""
    hints = typing.get_type_hints(target, include_extras=True)
    return tuple((None if p.kind is p.KEYWORD_ONLY else i, p.name, hints[p.name])
                 for i, p in enumerate(inspect.signature(target).parameters.values())
                 if p.name in hints and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


def checked(component=None, *, refuse=None):
    """``component`` (a function, or a class: its ``__init__``) checking each argument given
    for a typed parameter with :func:`check`, and passing it on as checked, so Python refuses
    what the config schema derived from the same hints refuses. A default is not checked at
    each call (a test checks every default once). ``@checked(refuse=...)``: see :func:`check`
    (``where`` is then the parameter's name alone)."""
    if component is None:
        return functools.partial(checked, refuse=refuse)
    method = isinstance(component, type)
    target = component.__init__ if method else component

    @functools.wraps(target)
    def call(*args, **kwargs):
        owner = type(args[0]).__name__ if method else target.__name__
        for position, name, hint in _typed_parameters(target):
            where = name if refuse else f"{owner}: {name}"
            if name in kwargs:
                kwargs[name] = check(where, hint, kwargs[name], refuse)
            elif position is not None and position < len(args):
                args = (*args[:position], check(where, hint, args[position], refuse),
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
