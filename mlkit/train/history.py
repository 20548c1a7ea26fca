"""The record of a training run: one row of numbers per epoch, and with a schedule stepped
every batch, the learning rates of every optimizer step."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["History", "learning_rates"]


def learning_rates(optimizer) -> dict[str, float]:
    """A row's ``lr`` (the optimizer's own rate) and, with parameter groups, each group's
    rate as ``lr.<i>``, numbered as ``optimizer.groups.<i>`` (one per group, as Lightning's
    learning-rate monitor logs them)."""
    rates = {"lr": float(optimizer.lr)}
    for i, rate in enumerate(getattr(optimizer, "group_lrs", ())):
        rates[f"lr.{i}"] = float(rate)
    return rates


class History:
    """Rows of per-epoch numbers (``epoch``, ``train_loss``, ``val_*``, ``lr``, ``grad_norm``,
    ``seconds``) and why training stopped.

    Rows are plain dicts of Python numbers; an epoch without an evaluation simply lacks the
    ``val_*`` keys. ``stop_reason`` is ``"completed"``, ``"early_stopping"``, ``"converged"``
    (the optimizer met its tolerances), ``"stalled"`` (it could not move short of them; its
    ``reason`` says why), ``"diverged"``, ``"interrupted"`` or ``"not started"``.

    ``steps`` holds, when a schedule steps every batch (so the rate changes within an epoch,
    where a row shows only its first), the rates each optimizer step used: columns ``step``,
    ``epoch``, ``lr`` and ``lr.<i>`` (as :func:`learning_rates`), one list of values each.
    """

    def __init__(self, rows=None, stop_reason: str = "not started", steps=None):
        self.rows: list[dict] = [dict(row) for row in rows or []]
        self.stop_reason = stop_reason
        self.steps: dict[str, list] = {name: list(values) for name, values in
                                       (steps or {}).items()}
        self.profile = None  # a StepProfile when fit(profile=True)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"History({len(self.rows)} epochs, stop_reason={self.stop_reason!r})"

    @property
    def columns(self) -> list[str]:
        """Every key that appears in some row, in order of first appearance."""
        return list(dict.fromkeys(key for row in self.rows for key in row))

    def column(self, name: str) -> np.ndarray:
        """The values of ``name`` per epoch as float64 (NaN where a row lacks it)."""
        if name not in self.columns:
            raise KeyError(f"history has no column {name!r}; columns: {self.columns}")
        return np.array([row.get(name, math.nan) for row in self.rows], dtype=np.float64)

    def record_step(self, step: int, epoch: int, rates: dict) -> None:
        """Add optimizer step ``step`` of ``epoch`` and the ``rates`` it used to ``steps``."""
        for name, value in {"step": step, "epoch": epoch, **rates}.items():
            self.steps.setdefault(name, []).append(value)

    @property
    def last(self) -> dict:
        """The latest row ({} before the first epoch)."""
        return self.rows[-1] if self.rows else {}

    def best(self, monitor: str, mode: str = "min") -> dict:
        """The first row with the lowest (``mode="min"``) or highest value of ``monitor``."""
        values = self.column(monitor)
        if np.all(np.isnan(values)):
            raise ValueError(f"history has no value of {monitor!r} yet")
        index = np.nanargmin(values) if mode == "min" else np.nanargmax(values)
        return self.rows[int(index)]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """One float64 array per column (``epoch`` as int64), and ``steps.<column>`` per
        column of ``steps`` (``step`` and ``epoch`` int64), for a checkpoint."""
        arrays = {name: self.column(name) for name in self.columns}
        if "epoch" in arrays:
            arrays["epoch"] = arrays["epoch"].astype(np.int64)
        for name, values in self.steps.items():
            arrays[f"steps.{name}"] = np.array(values, dtype=np.int64 if name in (
                "step", "epoch") else np.float64)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict, stop_reason: str = "not started") -> History:
        """Rebuild the rows (NaN entries are left out) and steps written by :meth:`to_arrays`."""
        steps = {name[len("steps."):]: np.atleast_1d(values).tolist()
                 for name, values in arrays.items() if name.startswith("steps.")}
        columns = {name: np.atleast_1d(values).tolist() for name, values in arrays.items()
                   if not name.startswith("steps.")}
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"history columns have different lengths {sorted(lengths)}")
        rows = [{name: int(value) if name == "epoch" else float(value)
                 for name, value in zip(columns, row) if name == "epoch" or not math.isnan(value)}
                for row in zip(*columns.values())]  # one row per epoch: the columns transposed
        return cls(rows, stop_reason, steps)
