"""A line search for the strong Wolfe conditions: bracketing, then zoom by cubic interpolation.

Follows the two-stage scheme of Nocedal and Wright, *Numerical Optimization* (2nd ed.),
algorithms 3.5 and 3.6. Every evaluation returns the value and the slope together, so both
the sufficient-decrease and the curvature test cost one function call. Where no step decreases
the value enough because the value is flat to rounding, Hager and Zhang's approximate Wolfe
conditions decide from the slope, which keeps its precision there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple


class Trial(NamedTuple):
    """One evaluated step length: value and slope of ``phi`` there, and the caller's payload."""

    t: float
    value: float
    slope: float
    payload: Any


def strong_wolfe(phi: Callable, start: Trial, t: float, *, c1=1e-4, c2=0.9, t_tolerance=1e-9,
                 max_evals=25, rounding=0.0):
    """Find a step ``t`` along a descent direction that satisfies the strong Wolfe conditions.

    ``phi(t) -> (value, slope, payload)`` evaluates the objective along the line;
    ``start`` is the trial at ``t = 0`` (its slope must be negative) and ``t`` the first
    step tried. The conditions are

    ``value(t) <= value(0) + c1 * t * slope(0)`` and ``|slope(t)| <= c2 * |slope(0)|``.

    Returns the accepted trial, the number of evaluations and whether the trial met only
    the approximate conditions. When ``max_evals`` runs out, or the bracket shrinks below
    ``t_tolerance``, the best point found that decreases the value enough is returned. With
    none, the value may be too coarse to show the decrease: ``rounding`` is its relative
    precision (0: never), and the trial within ``_ULPS`` roundings of ``value(0)`` with the
    smallest slope meeting :func:`_approximately_wolfe` is taken; else ``start`` itself.
    """
    best = start

    def recorded(step):
        nonlocal best
        value, slope, payload = phi(step)
        trial = Trial(step, value, slope, payload)
        if _approximately_wolfe(start, trial, c1, c2, rounding) and (
                best is start or abs(slope) < abs(best.slope)):
            best = trial
        return value, slope, payload

    accepted, evals = _search(recorded, start, t, c1, c2, t_tolerance, max_evals)
    return (best, evals, best is not start) if accepted is start else (accepted, evals, False)


def _search(phi, start, t, c1, c2, t_tolerance, max_evals):
    """Bracketing, then zoom: the strong Wolfe search proper."""
    previous = start
    evals = 0
    while True:
        value, slope, payload = phi(t)
        evals += 1
        trial = Trial(t, value, slope, payload)
        if not _decreases_enough(start, trial, c1) or (evals > 1 and value >= previous.value):
            return _zoom(phi, start, previous, trial, c1, c2, t_tolerance, max_evals - evals, evals)
        if abs(slope) <= -c2 * start.slope:
            return trial, evals
        if slope >= 0.0:
            return _zoom(phi, start, trial, previous, c1, c2, t_tolerance, max_evals - evals, evals)
        if evals >= max_evals:
            return trial, evals
        previous, t = trial, _extrapolate(previous, trial)


def _zoom(phi, start, low, high, c1, c2, t_tolerance, budget, evals):
    """Shrink ``[low, high]`` (``low`` the better end) until a trial meets both conditions."""
    for _ in range(budget):
        if abs(high.t - low.t) < t_tolerance:
            break
        t = _interpolate(low, high)
        value, slope, payload = phi(t)
        evals += 1
        trial = Trial(t, value, slope, payload)
        if not _decreases_enough(start, trial, c1) or value >= low.value:
            high = trial
            continue
        if abs(slope) <= -c2 * start.slope:
            return trial, evals
        if slope * (high.t - low.t) >= 0.0:
            high = low
        low = trial
    return low, evals


def _decreases_enough(start, trial, c1):
    return trial.value <= start.value + c1 * trial.t * start.slope


_ULPS = 8
"""How many roundings of ``value(0)`` a value may exceed it by and still count as level."""


def _approximately_wolfe(start, trial, c1, c2, rounding):
    """Hager and Zhang's test for a value flat to rounding: ``value(t)`` at most ``_ULPS``
    roundings above ``value(0)`` and ``(2 c1 - 1) slope(0) >= slope(t) >= -c2 |slope(0)|``
    (the sufficient decrease of the quadratic through both slopes), with the strong
    curvature bound ``|slope(t)| <= c2 |slope(0)|``."""
    level = trial.value <= start.value + _ULPS * rounding * abs(start.value)
    bound = min(c2, 1.0 - 2.0 * c1) * -start.slope
    return rounding > 0.0 and level and -c2 * -start.slope <= trial.slope <= bound


def _interpolate(a, b):
    """The cubic's minimiser between ``a`` and ``b``, kept a tenth of the width from each end."""
    left, right = min(a.t, b.t), max(a.t, b.t)
    margin = 0.1 * (right - left)
    guess = _cubic_minimiser(a, b)
    if guess is None or not left < guess < right:
        return 0.5 * (left + right)
    return min(max(guess, left + margin), right - margin)


def _extrapolate(previous, trial):
    """A longer step beyond ``trial``: the cubic's guess, between 2x and 10x the last advance."""
    advance = trial.t - previous.t
    lowest, highest = trial.t + 2.0 * advance, trial.t + 10.0 * advance
    guess = _cubic_minimiser(previous, trial)
    if guess is None or guess > highest:
        return highest
    return max(guess, lowest)


def _cubic_minimiser(a, b):
    """Minimiser of the cubic matching value and slope at ``a`` and ``b`` (None if it has none)."""
    if a.t == b.t:
        return None
    d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.t - b.t)
    discriminant = d1 * d1 - a.slope * b.slope
    if not discriminant >= 0.0:
        return None
    d2 = math.copysign(math.sqrt(discriminant), b.t - a.t)
    denominator = b.slope - a.slope + 2.0 * d2
    if denominator == 0.0:
        return None
    guess = b.t - (b.t - a.t) * (b.slope + d2 - d1) / denominator
    return guess if math.isfinite(guess) else None
