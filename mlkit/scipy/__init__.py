"""scipy with derivatives: ``mlkit.scipy.special``, ``stats``, ``signal``, ``linalg`` and
``integrate``.

Built on mlkit.numpy and the autodiff core only; every function is either a primitive with
reverse- and forward-mode rules or a composite of such primitives (the exceptions, scipy.linalg
functions without rules yet and odeint's forward-only higher orders, raise when differentiated).
"""

from mlkit.scipy import linalg, signal, special, stats

__all__ = ["linalg", "signal", "special", "stats"]
