"""Why an L-BFGS step could not move: the stop reason for a line search with no decrease.

Such a stop is not convergence (the gradient is still above ``tolerance_grad``), yet another
step from the same point would repeat it, so the training loop ends and says why.
"""

from __future__ import annotations

import numpy as np

NO_DECREASE = "the line search found no decrease"
"""How every such reason begins."""


def no_decrease(largest: float, dtype: np.dtype, tolerance_grad: float, loss: float,
                again: float) -> str:
    """The reason, with ``largest`` the largest gradient entry and ``dtype`` the parameters':
    the likely cause for that dtype, and what to change. ``loss`` and ``again`` are two
    evaluations at the stalled point: when they differ the loss is random (dropout), which
    no line search can follow, whatever the dtype."""
    if float(again) != float(loss):
        cause = (f"the loss changes between evaluations at the same parameters ({float(loss):.7g}"
                 f", then {float(again):.7g}), as with dropout")
        fix = "train without dropout, or with a first-order optimizer such as adam"
    elif np.dtype(dtype).itemsize < 8:
        cause = f"the loss cannot resolve smaller steps in {np.dtype(dtype)}"
        fix = "use float64 data or a larger tolerance_grad"
    else:
        cause = "the loss is flat to rounding along the search direction"
        fix = "use a larger tolerance_grad, or check that the gradient matches the loss"
    return (f"{NO_DECREASE}: {cause}; the largest gradient entry is {largest:.2g} > "
            f"tolerance_grad {tolerance_grad:g}; {fix}")
