"""``fit(profile=True)`` and ``mlkit train --profile``: where the training steps' time goes.

Each batch's work is timed in parts: slicing the rows, the step (the jitted program's numpy
calls by kind, from ``Jitted.profile``, or the whole eager gradient), the optimizer (its first
step apart: it compiles or loads the compiled update); what the epoch loops spent besides is
their Python overhead. A profiled replay computes what a plain
one does, so a profiled run trains exactly as an unprofiled one, only a little slower.
"""

from __future__ import annotations

import time
from collections import Counter

__all__ = ["StepProfile"]


class StepProfile:
    """Seconds summed over a run's steps; ``str()`` is the table ``mlkit train`` prints."""

    def __init__(self):
        self.steps = 0
        self.loop = 0.0  # the epoch loops' wall time, every part included
        self.slicing = self.optimizer = self.eager = 0.0
        self.optimizer_first = 0.0  # the first step's, which compiles the update (numba)
        self.recording = self.overhead = 0.0
        self.recordings = 0
        self.kinds: Counter[str] = Counter()  # seconds by kind of numpy call, as jit names them
        self.calls: Counter[str] = Counter()

    def timed(self, take, step, descend):
        """``take``, ``step`` and ``descend`` timed into this profile, the step through its
        program's profiled replay; an epoch loop calls these instead."""
        inside = [0.0]

        def timed_take(rows):
            start = time.perf_counter()
            try:
                return take(rows)
            finally:
                self.slicing += time.perf_counter() - start

        def timed_step(X, y, weight):
            start = time.perf_counter()
            try:
                return step.profiled(self, X, y, weight)
            finally:
                inside[0] += time.perf_counter() - start

        def timed_descend(params, closure):
            inside[0], start = 0.0, time.perf_counter()
            try:
                return descend(params, closure)
            finally:
                seconds = time.perf_counter() - start - inside[0]
                if self.steps:
                    self.optimizer += seconds
                else:
                    self.optimizer_first += seconds
                self.steps += 1

        return timed_take, timed_step, timed_descend

    def add(self, report) -> None:
        """Add one profiled program call (a ``mlkit.jit`` ``Profile``)."""
        self.recording += report.recording
        self.recordings += report.recording > 0
        self.overhead += report.overhead + report.eager
        self.kinds.update(report.seconds)  # a Counter adds the values of a mapping
        self.calls.update(report.calls)

    def rows(self) -> list[tuple[str, float, float | None]]:
        """``(part, seconds, numpy calls per step or None)`` for every part of the loop."""
        steps = max(self.steps, 1)
        replay = [(f"program: {kind}", self.kinds[kind], self.calls[kind] / steps)
                  for kind in self.kinds if self.calls[kind]]
        parts = [(f"tracing ({self.recordings} recording{'s' * (self.recordings != 1)})",
                  self.recording, None), *replay,
                 ("program: Python overhead", self.overhead, None)]
        if self.eager:
            parts.append(("eager gradient (not jitted)", self.eager, None))
        parts += [("optimizer, first step (compiling)", self.optimizer_first, None),
                  ("optimizer", self.optimizer, None), ("data slicing", self.slicing, None)]
        rest = self.loop - sum(seconds for _, seconds, _ in parts)
        return [*parts, ("loop Python overhead", max(rest, 0.0), None)]

    def __str__(self):
        total = max(self.loop, 1e-12)
        lines = [f"where the time of {self.steps} training steps went "
                 f"({self.loop:.3f} s, {1e6 * self.loop / max(self.steps, 1):.1f} us a step):"]
        for part, seconds, calls in self.rows():
            count = "" if calls is None else f"{calls:7.1f} calls/step"
            lines.append(f"  {part:<34} {seconds * 1e3:10.2f} ms {100 * seconds / total:6.1f}%"
                         f"  {count}".rstrip())
        return "\n".join(lines)
