"""Sweep files: a base training config, the override sets to try, and the seeds to repeat.

A sweep file reads::

    base: ../softmax.yaml          # the training config every trial starts from
    overrides: {training.epochs: 20}   # applied to every trial (optional)
    grid:                          # every combination of these values
      optimizer.name: [sgd, adam]
      optimizer.lr: [0.1, 0.01]
    trials:                        # and/or an explicit list of override sets
      - {optimizer.name: sgd, optimizer.momentum: 0.9}
    seeds: [0, 1]                  # training.seed of each repeat (or repeats: 3)

The trials are the product ``trials x grid x seeds``. Each trial becomes the exact list of
``key=value`` overrides that ``mlkit train BASE ...`` would take, and every one of them is
validated against the config schema before the first trial runs. When a trial changes a
component's name (``optimizer.name: adam`` over a base using SGD with momentum), its name
comes first among its overrides, which leaves out the options the new component lacks, as
``mlkit train`` does.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, model_validator

from mlkit.config import Config, ConfigError, Problem, apply_overrides, validate_config
from mlkit.config.build import group_problems
from mlkit.config.errors import validated
from mlkit.config.schema import NonNegativeInt, PositiveInt, RunName, Section, conflicts
from mlkit.config.yaml_text import read_yaml_mapping

__all__ = ["Sweep", "SweepFile", "Trial", "load_sweep", "override_text"]

_EXAMPLE = "see configs/sweeps/optimizers.yaml for an example"
Values = Annotated[list[Any], Field(min_length=1)]
OverrideSet = dict[str, Any]


class SweepOutput(Section):
    """Where the sweep's directory goes."""

    dir: Annotated[str, Field(min_length=1)] = "runs/sweeps"
    """Root of sweep directories: <dir>/<name>/<timestamp>/."""


class SweepFile(Section):
    """A sweep, as read from YAML."""

    name: RunName | None = None
    """Sweep name, used in its directory; defaults to the sweep file's stem."""
    base: Annotated[str, Field(min_length=1)]
    """The training config every trial starts from, relative to the sweep file."""
    overrides: OverrideSet = Field(default_factory=dict)
    """key.path: value overrides applied to every trial, e.g. {training.epochs: 10}."""
    grid: dict[str, Values] = Field(default_factory=dict)
    """key.path: [values]; every combination becomes a trial."""
    trials: Annotated[list[OverrideSet], Field(min_length=1)] | None = None
    """Explicit override sets, each crossed with the grid."""
    seeds: Annotated[list[NonNegativeInt], Field(min_length=1)] | None = None
    """training.seed of each repeat of every trial."""
    repeats: PositiveInt | None = None
    """Repeat every trial with training.seed 0, 1, ..., repeats - 1 (instead of seeds)."""
    output: SweepOutput = SweepOutput()
    """Where the sweep directory goes."""

    @model_validator(mode="after")
    def _consistent(self) -> SweepFile:
        problems = []
        if self.seeds is not None and self.repeats is not None:
            problems.append(Problem("repeats", "cannot be combined with seeds", self.repeats,
                                    "keep one: seeds lists them, repeats counts from 0"))
        if self.seeds is not None and len(set(self.seeds)) != len(self.seeds):
            problems.append(Problem("seeds", "lists a seed twice", self.seeds,
                                    "each repeat needs its own seed"))
        seeded = self.seeds is not None or self.repeats is not None
        for where, keys in [("grid", self.grid)] + [
                (f"trials[{i}]", t) for i, t in enumerate(self.trials or [])]:
            if seeded and "training.seed" in keys:
                problems.append(Problem(f"{where}.training.seed", "conflicts with seeds/repeats",
                                        hint="set the seeds in one place"))
        for i, trial in enumerate(self.trials or []):
            if not trial:
                problems.append(Problem(f"trials[{i}]", "is empty", hint=(
                    "give each trial at least one key.path: value")))
            for key in sorted(set(trial) & set(self.grid)):
                problems.append(Problem(f"trials[{i}].{key}", "is also a grid key", hint=(
                    "a key varies either in the grid or in the trials, not both")))
        for key, values in self.grid.items():
            if len({override_text(key, v) for v in values}) != len(values):
                problems.append(Problem(f"grid.{key}", "lists a value twice", values,
                                        "each value gives a trial; remove the repeat"))
        conflicts(problems)
        return self


@dataclass
class Trial:
    """One run of the sweep: its position, its overrides and what varies."""

    index: int
    overrides: list[str]
    """Exactly what ``mlkit train BASE <overrides>`` takes to run this trial by hand."""
    varied: dict[str, Any] = field(default_factory=dict)
    """The values of the keys that vary across the sweep (grid, trial keys, seed)."""

    @property
    def id(self) -> str:
        """``t007``: the trial's directory name."""
        return f"t{self.index:03d}"

    @property
    def label(self) -> str:
        """The varied values as ``key=value`` words."""
        return " ".join(override_text(key, value) for key, value in self.varied.items())

    @property
    def group(self) -> str:
        """The label without the seed: trials that differ only in seed share it."""
        return " ".join(override_text(key, value) for key, value in self.varied.items()
                        if key != "training.seed") or "base"


@dataclass
class Sweep:
    """A validated, expanded sweep."""

    name: str
    source: str
    base: Path
    spec: SweepFile
    trials: list[Trial]
    configs: list[Config]


def override_text(key: str, value: Any) -> str:
    """``key=value`` with the value written so that reading it back as YAML gives ``value``."""
    if key.startswith("~"):
        return key
    text = yaml.safe_dump(value, default_flow_style=True, width=math.inf)
    return f"{key}={text.removesuffix(chr(10)).removesuffix('...').strip()}"


def _expand(spec: SweepFile) -> list[dict]:
    """The values each trial sets (its varied keys), in order: trials x grid x seeds."""
    seeds = spec.seeds if spec.seeds is not None else (
        list(range(spec.repeats)) if spec.repeats is not None else [None])
    expanded = []
    for trial in spec.trials or [{}]:
        for values in itertools.product(*spec.grid.values()):
            for seed in seeds:
                chosen = {**trial, **dict(zip(spec.grid, values))}
                if seed is not None:
                    chosen["training.seed"] = seed
                expanded.append(chosen)
    return expanded


def load_sweep(path, overrides=()) -> Sweep:
    """Read, expand and validate a sweep file; ConfigError lists every problem found.

    ``overrides`` (``key.path=value`` texts, as given to ``mlkit sweep FILE ...``) apply to
    every trial after the file's own ``overrides``.
    """
    path = Path(path)
    source = str(path)
    raw = read_yaml_mapping(path, "sweep", "base and grid or trials", _EXAMPLE)
    spec = validated(SweepFile, raw, source)
    base = (path.parent / spec.base).resolve()
    if not base.is_file():
        raise ConfigError(source, [Problem("base", "no such training config", spec.base,
                                           f"paths are relative to the sweep file's folder "
                                           f"({path.parent}); resolved to {base}")])
    from mlkit.config.load import _read_mapping

    base_raw = _read_mapping(base)
    if base_raw.get("name") is None:
        base_raw["name"] = base.stem
    varied = set(spec.grid) | {key for trial in spec.trials or [] for key in trial}
    if spec.seeds is not None or spec.repeats is not None:
        varied.add("training.seed")
    clashes = [text for text in overrides if text.lstrip("~").partition("=")[0] in varied]
    if clashes:
        raise ConfigError(source, [Problem(f"override '{text}'", "sets a key the sweep varies",
                                           hint="drop it from the command line, or edit the "
                                           "sweep file's grid/trials/seeds") for text in clashes])
    shared = [override_text(k, v) for k, v in spec.overrides.items()] + list(overrides)
    try:
        apply_overrides(base_raw, shared, source=f"{source}: overrides")
    except ConfigError as error:
        raise ConfigError(source, error.problems) from None
    trials, configs, found = [], [], {}
    for index, chosen in enumerate(_expand(spec)):
        names_first = sorted(chosen, key=lambda key: not key.endswith(".name"))
        overrides = shared + [override_text(key, chosen[key]) for key in names_first]
        trial = Trial(index, overrides, chosen)
        try:
            config_raw = apply_overrides(base_raw, overrides, source=str(base))
            config = validate_config(config_raw, source=str(base), overrides=overrides)
            problems = group_problems(config)  # the one check needing the model, before any run
            if problems:
                raise ConfigError(str(base), problems)
            configs.append(config)
        except ConfigError as error:
            for problem in error.problems:
                found.setdefault((problem.path, problem.message), (problem, []))[1].append(trial)
        trials.append(trial)
    if found:
        problems = [_in_trials(problem, hit, len(trials)) for problem, hit in found.values()]
        raise ConfigError(f"{source}: trial config {spec.base}", problems)
    return Sweep(spec.name or path.stem, source, base, spec, trials, configs)


def _in_trials(problem: Problem, trials: list[Trial], total: int) -> Problem:
    """``problem`` with a note saying which trials it affects."""
    first = trials[0]
    where = f"trial {first.id} ({first.label or 'the base config'})"
    note = (f"in {where}" if len(trials) == 1
            else f"in {len(trials)} of {total} trials, e.g. {where}")
    return Problem(problem.path, problem.message, problem.value, problem.hint,
                   problem.notes + (note,))
