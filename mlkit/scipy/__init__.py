"""scipy with derivatives: ``mlkit.scipy.special`` and ``mlkit.scipy.stats``.

Built on mlkit.numpy and the autodiff core only; every function is either a primitive with
reverse- and forward-mode rules or a composite of such primitives.
"""

from mlkit.scipy import special, stats

__all__ = ["special", "stats"]
