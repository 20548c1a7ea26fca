"""Optimizers on 2-D loss landscapes: trajectories over a contour plot, steps to a tolerance.

A landscape file names a test function (:mod:`mlkit.experiments.functions`), a starting
point, a step budget, a tolerance and a list of optimizers written exactly like a training
config's ``optimizer`` section. Every optimizer starts from the same point; a trajectory is
trained by :func:`mlkit.train.fit` (one epoch per optimizer step), recorded step by step and
reported as the first step at which it came within the tolerance of the known minimizer.
Everything is deterministic, so the table is reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy
import pandas as pd
import yaml

from mlkit import nn, registry
from mlkit.experiments.functions import TestFunction, make_function
from mlkit.experiments.landscape_file import LandscapeConfig, load_landscape
from mlkit.train import Callback, TrainingDiverged, fit

__all__ = ["LandscapeConfig", "Trajectory", "load_landscape", "plot_landscape", "run_landscape",
           "steps_table", "write_landscape"]

# ----------------------------------------------------------------------------- running


@dataclass
class Trajectory:
    """One optimizer's path: ``points[k]`` after k steps, ``values[k] = f(points[k])``."""

    label: str
    points: numpy.ndarray
    values: numpy.ndarray
    reached: int | None
    """First step within the tolerance, or None."""
    diverged: int | None = None
    """Step at which the point or value stopped being finite, or None."""


def optimizer_label(spec) -> str:
    """``adam(lr=0.05)``: the name, the rate and every other option not at its default."""
    options = {"lr": spec.lr, **spec.model_dump(exclude_defaults=True, exclude={"name"})}
    inner = ", ".join(f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
                      for key, value in options.items())
    return f"{spec.name}({inner})"


class _Recorder(Callback):
    """Records the point after every step and stops at the first one within the tolerance."""

    def __init__(self, function: TestFunction, model, config: LandscapeConfig):
        self.function, self.model, self.config = function, model, config
        self.points, self.values, self.reached, self.diverged = [], [], None, None

    def on_train_begin(self, state, step=0):
        point, value = self.model.point, float(self.function(self.model.point))
        if not (numpy.all(numpy.isfinite(point)) and math.isfinite(value)):
            self.diverged, state.stop = step, True
            return
        self.points.append(point.copy())  # the model steps its arrays in place
        self.values.append(value)
        gap = (math.hypot(*(point - self.function.minimum)) if self.config.criterion == "distance"
               else value - self.function.f_min)
        if gap <= self.config.tolerance:
            self.reached, state.stop = step, True

    def on_epoch_end(self, state, row):
        self.on_train_begin(state, state.epoch)


def _trajectory(function: TestFunction, spec, config: LandscapeConfig) -> Trajectory:
    """One optimizer trained by ``fit`` on ``function``, the point being a one-array model."""
    model = nn.Module()
    model.point = numpy.array(config.start, dtype=numpy.float64)
    recorder = _Recorder(function, model, config)
    optimizer = registry.make_optimizer(spec.name, **spec.model_dump(exclude={"name"}))
    try:
        fit(model, lambda m, X, y, w: function(m.point), optimizer, numpy.zeros((1, 0)),
            numpy.zeros(1), epochs=config.steps, callbacks=[recorder])
    except TrainingDiverged as error:
        recorder.diverged = error.epoch
    return Trajectory(optimizer_label(spec), numpy.array(recorder.points),
                      numpy.array(recorder.values), recorder.reached, recorder.diverged)


def run_landscape(config: LandscapeConfig) -> tuple[TestFunction, list[Trajectory]]:
    """The config's function and one trajectory per optimizer, in the file's order."""
    function = make_function(**config.function.model_dump())
    return function, [_trajectory(function, spec, config) for spec in config.optimizers]


def steps_table(function: TestFunction, trajectories, config: LandscapeConfig) -> pd.DataFrame:
    """One row per optimizer: steps to the tolerance, final distance and value, status."""
    target = numpy.array(function.minimum)
    rows = []
    for path in trajectories:
        if path.diverged is not None and path.reached is None:
            status = f"diverged at step {path.diverged}"
        elif path.reached is None:
            status = f"not within {config.tolerance:g} in {config.steps} steps"
        else:
            status = "reached"
        rows.append({
            "optimizer": path.label,
            "steps_to_tol": path.reached,
            "final_distance": float(numpy.linalg.norm(path.points[-1] - target)),
            "final_gap": float(path.values[-1] - function.f_min),
            "status": status,
        })
    table = pd.DataFrame(rows)
    table["steps_to_tol"] = table["steps_to_tol"].astype("Int64")
    return table

# ----------------------------------------------------------------------------- the plot


def _window(limits, default, points) -> tuple[float, float]:
    if limits is not None:
        return float(limits[0]), float(limits[1])
    low, high = min(default[0], points.min()), max(default[1], points.max())
    margin = 0.05 * (high - low)
    return low - margin, high + margin


def plot_landscape(function: TestFunction, trajectories, config: LandscapeConfig) -> bytes:
    """PNG bytes: filled contours of ``f`` with every trajectory drawn over them."""
    from mlkit.train.plots import new_figure, png_bytes

    start = numpy.array([config.start])
    xlim = _window(config.plot.xlim, function.xlim, start[:, 0])
    ylim = _window(config.plot.ylim or config.plot.xlim, function.ylim, start[:, 1])
    grid_x, grid_y, values = function.grid(config.plot.resolution, xlim, ylim)
    figure, (axes,) = new_figure(7.5, 7.5)
    heights = values - function.f_min
    label = "f(x, y) - f*"
    if function.log_levels:
        floor = max(float(heights[heights > 0].min()), 1e-12)
        heights = numpy.log10(numpy.maximum(heights, floor))
        label = f"log10({label})"
    filled = axes.contourf(grid_x, grid_y, heights, levels=config.plot.levels, cmap="viridis",
                           alpha=0.85)
    figure.colorbar(filled, ax=axes, label=label, shrink=0.8)
    for path in trajectories:
        note = f"{path.reached} steps" if path.reached is not None else "not reached"
        axes.plot(path.points[:, 0], path.points[:, 1], lw=1.5, marker=".", markersize=2,
                  label=f"{path.label}: {note}")
    axes.plot(*config.start, "o", color="white", markeredgecolor="black", label="start")
    axes.plot(*function.minimum, "*", color="red", markersize=14, label="minimum")
    axes.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y")
    axes.set_title(f"{function.name}: {config.steps} steps, tolerance {config.tolerance:g} "
                   f"({config.criterion})", fontsize=10)
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    return png_bytes(figure)


def write_landscape(config: LandscapeConfig, function, trajectories, table) -> Path:
    """Save ``landscape.png``, ``steps.csv`` and ``trajectories.npz`` in a new directory."""
    from mlkit.train import RunDir, save_arrays
    from mlkit.train.checkpoint import atomic_write_bytes

    run = RunDir.create(config.output.dir, config.name)
    run.write_text("landscape.yaml", yaml.safe_dump(config.model_dump(mode="python"),
                                                    sort_keys=False))
    run.write_text("steps.csv", table.to_csv(index=False))
    if config.output.save_plots:
        atomic_write_bytes(run / "landscape.png", plot_landscape(function, trajectories, config))
    arrays = {f"{i}.{key}": getattr(path, key) for i, path in enumerate(trajectories)
              for key in ("points", "values")}
    save_arrays(run / "trajectories.npz", arrays)
    return run.path
