"""The component sections of a config (model, loss, optimizer, schedule), derived from the registry.

Each registered component becomes one section: its options are the component's keyword
parameters, with their type hints as types (bounds included), their defaults as defaults and
their docstring entries as help. The sections of a kind form a union discriminated by `name`, so
each name accepts only its own options. A rule between options is the component's own
``check_options`` (see mlkit.options), run here as the section's validator; ``_CHECKS`` holds
the rules that tie a section to the rest of the config (a plateau schedule's mode to its
monitor). A first-order optimizer's section also takes ``groups``, PyTorch's param groups:
each a path pattern (``params``) and any of that optimizer's own options, derived from the
same signature.
"""

from __future__ import annotations

from inspect import signature
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import Field, model_serializer, model_validator

from mlkit import registry
from mlkit.options import OptionConflict
from mlkit.train.loop import ScheduleInterval, fit

from .errors import Problem
from .fields import (
    MONITORED,
    ClassWeight,
    NonNegativeFloat,
    Section,
    conflicts,
    derived_section,
    field_type,
    one_error,
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


def _groups_own_rules(check):
    """A component's ``check_options`` on each group's options (the section's, overridden by
    the group's): a conflict is reported at the group's option, ``groups.<i>.<option>``."""

    def validate(section):
        own = section.model_dump(exclude={"name", "groups"})
        problems = []
        for i, group in enumerate(section.groups or ()):
            try:
                check(**{**own, **group.options()})
            except OptionConflict as conflict:
                problems.append(Problem.of(conflict, f"groups.{i}.{conflict.option}"))
        conflicts(problems)
        return section

    return model_validator(mode="after")(validate)


_CHECKS = {("schedule", "plateau"): MONITORED}

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


_Pattern = Annotated[str, Field(min_length=1)]
PathPatterns = Annotated[_Pattern | Annotated[list[_Pattern], Field(min_length=1)],
                         one_error("a parameter path pattern or a list of them")]


class _GroupSection(Section):
    """One param group: the parameters a pattern takes, stepped with options of their own."""

    params: PathPatterns
    """A parameter path pattern or a list of them, e.g. layers.0 or '*.bias'.
    A pattern takes the parameters whose dotted path (their state_dict key) it matches whole
    or as a prefix, * standing for any text. Each parameter goes to the first group that
    takes it; the others keep the optimizer's own options. A pattern must take some
    parameter no earlier group takes."""

    def options(self) -> dict:
        """The options this group sets (the optimizer's own fill in the rest)."""
        return self.model_dump(exclude={"params"})

    @model_serializer(mode="wrap")
    def _set_only(self, handler):
        """Unset options (None) are the optimizer's: written out, they would be fixed."""
        return {key: value for key, value in handler(self).items() if value is not None}


def _groups_field(title: str, fields: dict) -> tuple:
    """The ``groups`` field of an optimizer's section: a list of its options, each unset
    (the optimizer's) unless given, and ``params``."""
    group = derived_section(title + "Group", _GroupSection, __module__=__name__,
                            **{name: (tp, Field(None, description=info.description))
                               for name, (tp, info) in fields.items()})
    globals()[group.__name__] = group  # found by name, so configs pickle
    return (list[group] | None, Field(None, description=(
        "Param groups, as PyTorch's: [{params: layers.0, lr: 1e-4}, {params: '*.bias', "
        "weight_decay: 0}]; each group's options override the ones above for the parameters "
        "its pattern takes. null: one group.")))


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
    options = option_fields(component.options())
    fields: dict[str, Any] = {"name": (Literal[name], Field(description=f"{kind} {name}")),
                              **options}
    title = kind.title() + "".join(part.title() for part in name.split("_"))
    grouped = kind == "optimizer" and not component.build.full_batch
    if grouped:
        fields["groups"] = _groups_field(title, options)
    validators = dict(_CHECKS.get((kind, name), {}))
    check = getattr(component.build, "check_options", None)
    if check is not None:
        validators["_own_rules"] = _own_rules(check)
        if grouped:
            validators["_groups_own_rules"] = _groups_own_rules(check)
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
