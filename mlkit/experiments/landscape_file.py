"""Landscape files: a 2-D test function, a start, a step budget, a tolerance, optimizers.

The optimizers are written exactly like a training config's ``optimizer`` section and are
validated by the same schema, so ``{name: adam, momentum: 0.9}`` is reported the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from mlkit.config import ConfigError, Problem, apply_overrides
from mlkit.config.errors import validated
from mlkit.config.schema import (
    Float,
    NonNegativeFloat,
    Optimizer,
    Output,
    PositiveFloat,
    PositiveInt,
    RunName,
    Section,
)
from mlkit.config.yaml_text import read_yaml_mapping

__all__ = ["LandscapeConfig", "load_landscape"]

Pair = Annotated[list[Float], Field(min_length=2, max_length=2)]

class Rosenbrock(Section):
    """(a - x)^2 + b (y - x^2)^2, minimum at (a, a^2)."""

    name: Literal["rosenbrock"]
    a: Float = 1.0
    """Position of the minimum along x."""
    b: PositiveFloat = 100.0
    """Steepness of the valley walls."""


class Beale(Section):
    """Beale's function, minimum at (3, 0.5)."""

    name: Literal["beale"]


class QuadraticBowl(Section):
    """1/2 p^T A p with eigenvalues 1 and condition, axes rotated by angle degrees."""

    name: Literal["quadratic_bowl"]
    condition: Annotated[Float, Field(ge=1)] = 50.0
    """Ratio of the largest to the smallest curvature."""
    angle: Float = 30.0
    """Rotation of the bowl's axes, in degrees."""


class Plot(Section):
    """The contour plot."""

    xlim: Pair | None = None
    """[low, high] of x; null: the function's window, widened to include the start."""
    ylim: Pair | None = None
    """[low, high] of y; null: as xlim."""
    levels: Annotated[PositiveInt, Field(le=1000)] = 30
    """Number of contour levels (at most 1000: more than a plot's pixels tell apart)."""
    resolution: Annotated[PositiveInt, Field(le=5000)] = 200
    """Grid points per axis (at most 5000: 25 million evaluations of the function)."""


class LandscapeConfig(Section):
    """A landscape experiment, as read from YAML."""

    name: RunName | None = None
    """Output name; load_landscape defaults it to the file's stem."""
    function: Annotated[Rosenbrock | Beale | QuadraticBowl, Field(discriminator="name")]
    """The test function, chosen by name: rosenbrock, beale or quadratic_bowl."""
    start: Pair
    """Starting point [x, y] shared by every optimizer."""
    steps: PositiveInt = 1000
    """Step budget per optimizer (one L-BFGS step makes up to its max_iter iterations)."""
    tolerance: NonNegativeFloat = 1e-3
    """A trajectory stops, converged, at the first step within this of the minimum."""
    criterion: Literal["distance", "value"] = "distance"
    """distance: |x - x*| <= tolerance; value: f(x) - f(x*) <= tolerance."""
    optimizers: Annotated[list[Optimizer], Field(min_length=1)]
    """Optimizers as in a training config's optimizer section, e.g. {name: adam, lr: 0.05}."""
    plot: Plot = Plot()
    """The contour plot."""
    output: Output = Output()
    """Where the results go: <dir>/<name>/<timestamp>/."""


class _OptimizerEntry(Section):
    """One item of ``optimizers``, validated alone so that errors name its index."""

    optimizer: Optimizer


def _optimizer_problems(entries) -> list[Problem]:
    problems = []
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and "groups" in entry:  # a training config's option only
            problems.append(Problem(
                f"optimizers[{i}].groups", "has no use in a landscape: param groups split a "
                "model's parameters, and a landscape has one, the point", entry["groups"],
                "remove groups and set the options beside name (e.g. lr)"))
        try:
            validated(_OptimizerEntry, {"optimizer": entry}, "")
        except ConfigError as error:
            for problem in error.problems:
                path = f"optimizers[{i}]" + problem.path.removeprefix("optimizer")
                problems.append(Problem(path, problem.message, problem.value, problem.hint))
    return problems


def load_landscape(path, overrides=()) -> LandscapeConfig:
    """The validated landscape file at ``path`` with ``key.path=value`` overrides applied."""
    path = Path(path)
    source = str(path)
    raw = read_yaml_mapping(path, "landscape", "function, start and optimizers",
                            "see configs/experiments/rosenbrock.yaml for an example")
    raw = apply_overrides(raw, overrides, source=source)
    raw.setdefault("name", path.stem)
    problems = _optimizer_problems(raw.get("optimizers"))
    if problems:
        raise ConfigError(source, problems)
    return validated(LandscapeConfig, raw, source)
