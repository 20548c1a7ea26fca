"""The component sections of a config (model, loss, optimizer, schedule), derived from the registry.

Each registered component becomes one section: its options are the component's keyword
parameters, with their type hints as types (bounds included), their defaults as defaults and
their docstring entries as help. The sections of a kind form a union discriminated by `name`, so
each name accepts only its own options. A rule between options is the component's own
``check_options`` (see mlkit.options), run here as the section's validator; ``_CHECKS`` holds
the rules that tie a section to the rest of the config (a plateau schedule's mode to its
monitor).
"""

from __future__ import annotations

from inspect import signature
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import Field, model_validator

from mlkit import registry
from mlkit.options import OptionConflict
from mlkit.train.loop import ScheduleInterval, fit

from .errors import Problem
from .fields import (
    ClassWeight,
    NonNegativeFloat,
    Section,
    conflicts,
    derived_section,
    field_type,
    mode_problems,
    with_mode,
)

__all__ = ["SECTIONS", "Loss", "Model", "Optimizer", "Schedule", "option_fields"]

# ----------------------------------------------------------------------------- fields


def option_fields(options) -> dict[str, tuple]:
    """Schema fields of signature options: the hint as type, the one default, the help."""
    fields = {}
    for option in options:
        default = option.default
        if default is registry.REQUIRED:
            default = ...
        elif isinstance(default, tuple):
            default = list(default)
        fields[option.name] = (field_type(option.hint), Field(default, description=option.help))
    return fields

# ----------------------------------------------------------------------------- extra rules


def _own_rules(check):
    """A component's ``check_options`` as its section's validator: a conflict it finds is
    reported at the option it names."""

    def validate(section):
        try:
            check(**dict(section))
        except OptionConflict as conflict:
            conflicts([Problem.of(conflict)])
        return section

    return model_validator(mode="after")(validate)


def _mode_agrees(section):
    conflicts(mode_problems(section.monitor, section.mode))
    return section


_CHECKS = {
    ("schedule", "plateau"): {"_default_mode": model_validator(mode="before")(with_mode),
                              "_mode_agrees": model_validator(mode="after")(_mode_agrees)},
}

# ----------------------------------------------------------------------------- sections


class _LossSection(Section):
    """Weight penalties shared by every loss; biases are never penalized."""

    name: str
    l2: NonNegativeFloat = 0.0
    """Adds l2/2 * sum(w**2) over the weights to the mean loss (scikit-learn's C = 1/(n*l2))."""
    l1: NonNegativeFloat = 0.0
    """Adds l1 * sum(|w|) over the weights to the mean loss."""


class ClassifierLossSection(_LossSection):
    """A classification loss: penalties, and weights per class."""

    class_weight: ClassWeight = None
    """null (every class alike), balanced (inverse class frequency), or {label: weight}."""
    respelled: ClassVar[dict[str, dict[Any, Any]]] = {"class_weight": {"none": None}}


class _ScheduleSection(Section):
    """What a schedule's step means, shared by every schedule."""

    interval: ScheduleInterval = signature(fit).parameters["schedule_interval"].default
    """Step after every epoch, or every batch (as onecycle expects: durations then count
    batches, and a whole-run span covers every batch); plateau needs epoch."""


def _section(kind: str, name: str, component: registry.Component) -> type[Section]:
    """The config section of one component: `name`, then the component's options."""
    base = Section
    if kind == "loss":
        base = _LossSection if component.head == "regression" else ClassifierLossSection
    elif kind == "schedule":
        base = _ScheduleSection
    fields: dict[str, Any] = {"name": (Literal[name], Field(description=f"{kind} {name}")),
                              **option_fields(component.options())}
    title = kind.title() + "".join(part.title() for part in name.split("_"))
    validators = dict(_CHECKS.get((kind, name), {}))
    check = getattr(component.build, "check_options", None)
    if check is not None:
        validators["_own_rules"] = _own_rules(check)
    section = derived_section(title, base, __doc__=component.build.__doc__,
                              __module__=__name__, __validators__=validators, **fields)
    globals()[title] = section  # found by name, so configs pickle (sweeps' worker processes)
    return section


SECTIONS: dict[str, dict[str, type[Section]]] = {
    kind: {name: _section(kind, name, component) for name, component in table.items()}
    for kind, table in (("model", registry.MODELS), ("loss", registry.LOSSES),
                        ("optimizer", registry.OPTIMIZERS), ("schedule", registry.SCHEDULES))
}
"""Per kind, the section class of each registered component name."""


def _union(kind: str) -> Any:
    return Annotated[Union[tuple(SECTIONS[kind].values())],  # noqa: UP007
                     Field(discriminator="name")]


Model = _union("model")
Loss = _union("loss")
Optimizer = _union("optimizer")
Schedule = _union("schedule")
