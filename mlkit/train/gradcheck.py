"""Check a model's loss gradients against central finite differences, parameter by parameter.

Run in float64 at initialization and in eval mode (dropout off), so the loss is a fixed,
smooth function of the parameters; a few entries of every parameter are perturbed and the
largest disagreement per parameter is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlkit.nn import value_and_grad
from mlkit.tree import flatten_named, unflatten_named

__all__ = ["GradCheck", "check_gradients"]


@dataclass
class GradCheck:
    """One parameter's result: entries checked and the largest absolute/relative error."""

    name: str
    shape: tuple
    checked: int
    max_abs_error: float
    max_rel_error: float

    def ok(self, tolerance: float = 1e-5) -> bool:
        """True when the relative error is within ``tolerance``."""
        return self.max_rel_error <= tolerance


def check_gradients(model, loss_fn, X, y, weight=None, entries: int = 10, eps: float = 1e-6,
                    seed: int = 0) -> list[GradCheck]:
    """Compare ``nn.value_and_grad`` with central differences for each parameter of ``model``.

    Parameters
    ----------
    model : Module
        Its parameters must be float64 (finite differences are meaningless in float32).
    loss_fn : callable
        ``loss_fn(model, X, y, weight) -> scalar``.
    entries : int
        Entries of each parameter perturbed (all of them for small parameters).
    eps : float
        Step of the central difference.

    Returns
    -------
    list of GradCheck
        One per parameter, in ``state_dict`` order. The relative error of an entry is
        ``|numeric - analytic| / max(1, |numeric|, |analytic|)``.
    """
    params = flatten_named(model.trainable_parameters())
    wrong = [name for name, leaf in params.items() if leaf.dtype != np.float64]
    if wrong:
        raise TypeError(f"gradient checks need float64 parameters; {wrong} are not (set "
                        "training.dtype: float64)")
    model.eval()
    _, grads = value_and_grad(model, lambda: loss_fn(model, X, y, weight))()
    grads = flatten_named(grads)
    rng = np.random.default_rng(seed)
    like = model.trainable_parameters()
    results = []
    try:
        for name, leaf in params.items():
            count = min(entries, leaf.size)
            picks = rng.choice(leaf.size, size=count, replace=False) if count else []
            worst_abs = worst_rel = 0.0
            for flat_index in picks:
                index = np.unravel_index(int(flat_index), leaf.shape)
                numeric = _central_difference(model, loss_fn, (X, y, weight), params, like,
                                              name, index, eps)
                analytic = float(grads[name][index])
                error = abs(numeric - analytic)
                worst_abs = max(worst_abs, error)
                worst_rel = max(worst_rel, error / max(1.0, abs(numeric), abs(analytic)))
            results.append(GradCheck(name, leaf.shape, count, worst_abs, worst_rel))
    finally:
        model.update(unflatten_named(params, like))
    return results


def _central_difference(model, loss_fn, batch, params, like, name, index, eps) -> float:
    values = []
    for sign in (1.0, -1.0):
        moved = params[name].copy()
        moved[index] += sign * eps
        model.update(unflatten_named({**params, name: moved}, like))
        values.append(float(loss_fn(model, *batch)))
    difference = (values[0] - values[1]) / (2 * eps)
    return difference if math.isfinite(difference) else math.nan
