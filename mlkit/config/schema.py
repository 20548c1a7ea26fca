"""The typed schema of a training config: one pydantic model per YAML section.

Every section forbids unknown keys and every field says what it means, so a config is checked
completely before any data is loaded. Components chosen by name (optimizer, schedule, model,
loss) are discriminated unions on `name`: each name accepts only its own options. This module
holds the whole :class:`Config`; its plain sections live in sections.py, the component sections
(derived from the registry) in components.py, the names in tables.py and the checks across
sections in checks.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .checks import component_problems, task_problems
from .components import SECTIONS, Loss, Model, Optimizer, Schedule
from .fields import (
    Float,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    RunName,
    Section,
    conflicts,
)
from .sections import Baseline, Data, Output, Training
from .tables import COMPONENT_NAMES, DATASETS, MODEL_TASKS, MONITOR_MODES, MetricName

__all__ = ["COMPONENT_NAMES", "DATASETS", "MODEL_TASKS", "MONITOR_MODES", "Config", "Float",
           "NonNegativeFloat", "NonNegativeInt", "Optimizer", "Output", "PositiveFloat",
           "PositiveInt", "RunName", "Section", "conflicts"]

class Config(Section):
    """A whole training config, as read from YAML."""

    name: RunName | None = None
    """Run name, used in the run directory; load_config defaults it to the file's stem."""
    data: Data
    """Where the examples come from."""
    model: Model
    """The model trained, chosen by name."""
    loss: Loss
    """The training objective, chosen by name."""
    optimizer: Optimizer = SECTIONS["optimizer"]["adam"](name="adam")
    """The update rule, chosen by name (default adam); options follow PyTorch's."""
    schedule: Schedule = SECTIONS["schedule"]["none"](name="none")
    """The learning-rate schedule, chosen by name (default none: a constant rate)."""
    training: Training = Training()
    """The training loop."""
    metrics: Annotated[list[MetricName], Field(min_length=1)] | None = None
    """Metrics computed on the validation split at every evaluation (as val_<name>) and on the
    test split, e.g. [accuracy, f1_macro, roc_auc]; null: accuracy and log_loss on validation,
    and on test also precision, recall and f1 (their _macro forms for many classes), or r2,
    rmse, mse and mae for regression. Any val_<name> can be monitored."""
    output: Output = Output()
    """Where the run is written."""
    baseline: Baseline = Baseline()
    """The scikit-learn comparison."""

    @property
    def source(self) -> str:
        """How an error about this config names it: its name, else ``<config>``."""
        return self.name or "<config>"

    @field_validator("baseline", mode="before")
    @classmethod
    def _baseline_off(cls, value):
        """``baseline: off`` (false to YAML) switches the whole comparison off."""
        return {"name": "off"} if value is False else value

    @field_validator("optimizer", "schedule", mode="before")
    @classmethod
    def _default_name(cls, section: Any, info: ValidationInfo) -> Any:
        """A section written without `name` keeps the default component: adam, or no schedule."""
        if isinstance(section, dict) and "name" not in section:
            return {"name": cls.model_fields[info.field_name].default.name, **section}
        return section

    @model_validator(mode="after")
    def _sections_agree(self) -> Config:
        conflicts(task_problems(self) + component_problems(self))
        return self
