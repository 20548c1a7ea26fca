"""The base of every config section, the value types of its fields, and shared validators.

Every section forbids unknown keys and every field says what it means, so a config is checked
completely before any data is loaded.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WrapValidator, create_model
from pydantic_core import PydanticCustomError

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
PositiveFloat = Annotated[Float, Field(gt=0)]
NonNegativeFloat = Annotated[Float, Field(ge=0)]
Fraction = Annotated[Float, Field(ge=0, lt=1)]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
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


def with_mode(data: Any) -> Any:
    """Fill `mode` from the monitor's direction (loss/error: min, accuracy/r2: max) when absent."""
    if isinstance(data, dict) and "mode" not in data:
        monitor = data.get("monitor", "val_loss")
        known = isinstance(monitor, str) and monitor in MONITOR_MODES
        return {**data, "mode": MONITOR_MODES[monitor] if known else "min"}
    return data


def mode_problems(monitor: str, mode: str) -> list[Problem]:
    """A `mode` that contradicts the direction of its monitor, as a problem."""
    if mode != MONITOR_MODES[monitor]:
        better = "higher" if MONITOR_MODES[monitor] == "max" else "lower"
        return [Problem("mode", f"contradicts monitor '{monitor}', for which {better} is better",
                        mode, f"use mode: {MONITOR_MODES[monitor]}, or leave mode out")]
    return []
