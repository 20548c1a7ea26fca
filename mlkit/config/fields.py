"""The base of every config section, the value types of its fields, and shared validators.

Every section forbids unknown keys and every field says what it means, so a config is checked
completely before any data is loaded.
"""

from __future__ import annotations

import collections.abc
import functools
import types
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WrapValidator,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mlkit import options
from mlkit.options import Length, Range, spelled

from .errors import Problem
from .tables import MONITOR_MODES

# ----------------------------------------------------------------------------- Value types


def _number_from_text(value: Any) -> Any:
    """YAML 1.1 reads `1e-3` (no dot) as text; take such text as the number it spells."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def one_error(expected: str):
    """Report a failed union as one error saying what is expected, not one per member."""
    def validate(value, handler):
        try:
            return handler(value)
        except ValueError:
            raise PydanticCustomError("invalid_value", f"must be {expected}") from None
    return WrapValidator(validate)


Float = Annotated[float, BeforeValidator(_number_from_text), Field(allow_inf_nan=False)]


def _constraint(meta: Any) -> Any:
    if isinstance(meta, Range):
        return Field(**{key: value for key, value in vars(meta).items() if value is not None})
    if isinstance(meta, Length):
        return Field(min_length=meta.min, max_length=meta.max)
    return meta


def _writable(hint: Any) -> bool:
    """Whether YAML can spell a value of this type (a callable or a class it cannot)."""
    return not (hint is collections.abc.Callable or get_origin(hint) in (
        type, collections.abc.Callable))


_YAML_WORDS = {int: "an integer", float: "a number", str: "text", bool: "true or false",
               type(None): "null"}
"""How an error message names plain types, in YAML's words."""


def field_type(hint: Any) -> Any:
    """A signature's type hint as a schema type: floats also read from YAML text such as 1e-3,
    sequences as lists, bounds as constraints; union members YAML cannot write are left out."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return Annotated[(field_type(args[0]), *map(_constraint, hint.__metadata__))]
    if hint is float:
        return Float
    if hint in (int, bool, str, type(None)) or origin is Literal:
        return hint
    if origin in (Union, types.UnionType):
        members = tuple(arg for arg in args if _writable(arg))
        union = Union[tuple(map(field_type, members))]  # noqa: UP007
        values = [arg for arg in members if arg is not type(None)]
        if len(values) < 2:
            return union
        return Annotated[union, one_error(spelled(Union[members], _YAML_WORDS))]  # noqa: UP007
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return Annotated[list[field_type(args[0])], Field(min_length=len(args),
                                                          max_length=len(args))]
    if origin in (list, tuple, collections.abc.Sequence):
        return list[field_type(args[0])]
    raise TypeError(f"a config cannot hold a value of type {hint!r}")


PositiveFloat, NonNegativeFloat, Fraction, PositiveInt, NonNegativeInt = map(field_type, (
    options.PositiveFloat, options.NonNegativeFloat, options.Fraction, options.PositiveInt,
    options.NonNegativeInt))
"""The number types of mlkit.options, as schema types (their bounds stated there, once)."""
ClassWeight = Annotated[Literal["balanced"] | dict[int | str, PositiveFloat] | None,
                        one_error("null, 'balanced' or a mapping of class label to weight > 0")]
"""Per-class loss weights; null weighs classes alike, as scikit-learn's ``class_weight=None``."""
RunName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]


def conflicts(problems: list[Problem]) -> None:
    """Raise the cross-field problems found by a section's validator, all at once."""
    if problems:
        raise PydanticCustomError("config_conflict", "conflicting settings", {"problems": problems})


class Section(BaseModel):
    """Base of every section: unknown keys rejected, no silent type coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              use_attribute_docstrings=True)

    renamed: ClassVar[dict[str, str]] = {}
    """Option names of earlier versions and their names now."""
    respelled: ClassVar[dict[str, dict[Any, Any]]] = {}
    """Per option, values spelled otherwise by earlier versions and their spelling now."""

    @classmethod
    def spelled_now(cls, raw: dict) -> dict:
        """The section as an earlier version wrote it (a run's saved config), in today's names
        and spellings; a user's own config gets an error naming the new spelling instead."""
        now = {cls.renamed.get(key, key): value for key, value in raw.items()}
        for key, values in cls.respelled.items():
            if key in now and isinstance(now[key], str) and now[key] in values:
                now[key] = values[now[key]]
        return now


@functools.cache
def _described_by_fields(base: type[Section]) -> type[Section]:
    return type(base.__name__, (base,), {"__module__": base.__module__, "model_config":
                                         ConfigDict(use_attribute_docstrings=False)})


def derived_section(name: str, base: type[Section], /, **fields: Any) -> type[Section]:
    """``create_model`` for a section derived from a signature: its help is in each Field's
    description, so pydantic is not asked to search the call stack for class source to read
    docstrings from (about 10 ms a section, paid at every start of the CLI)."""
    return create_model(name, __base__=_described_by_fields(base), **fields)


def _with_mode(data: Any) -> Any:
    """Fill `mode` from the monitor's direction (loss/error: min, accuracy/r2: max) when absent."""
    if isinstance(data, dict) and "mode" not in data:
        monitor = data.get("monitor", "val_loss")
        known = isinstance(monitor, str) and monitor in MONITOR_MODES
        return {**data, "mode": MONITOR_MODES[monitor] if known else "min"}
    return data


def _mode_agrees(section):
    """A `mode` that contradicts the direction of its monitor is a problem."""
    monitor, mode = section.monitor, section.mode
    if mode != MONITOR_MODES[monitor]:
        better = "higher" if MONITOR_MODES[monitor] == "max" else "lower"
        conflicts([Problem("mode", f"contradicts monitor '{monitor}', for which {better} is "
                           "better", mode, f"use mode: {MONITOR_MODES[monitor]}, or leave mode "
                           "out")])
    return section


MONITORED = {"_default_mode": model_validator(mode="before")(_with_mode),
             "_mode_agrees": model_validator(mode="after")(_mode_agrees)}
"""The validators of a section with a `monitor` and its `mode` (early stopping, plateau)."""
