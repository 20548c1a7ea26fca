"""scipy with derivatives: ``mlkit.scipy.special``, ``stats``, ``signal``, ``linalg`` and
``integrate``.

Built on mlkit.numpy and the autodiff core only; every function is either a primitive with
reverse- and forward-mode rules or a composite of such primitives. The exceptions, the
scipy.linalg functions without rules yet, raise when differentiated rather than give a wrong
zero.
"""

from mlkit.scipy import integrate, linalg, signal, special, stats

__all__ = ["integrate", "linalg", "signal", "special", "stats"]
