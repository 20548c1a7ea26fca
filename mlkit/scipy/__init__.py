"""scipy with derivatives: ``mlkit.scipy.special``, ``stats``, ``signal``, ``linalg`` and
``integrate``.

Built on mlkit.numpy and the autodiff core only; every function is either a primitive with
reverse- and forward-mode rules or a composite of such primitives. The exceptions, the
scipy.linalg functions without rules yet, raise when differentiated rather than give a wrong
zero.
"""

import importlib

__all__ = ["integrate", "linalg", "signal", "special", "stats"]


def __getattr__(name: str):
    """Each subpackage is imported when first used, as scipy does: ``mlkit.nn`` needs
    ``special`` alone, not the stats and integrate modules (and scipy's) behind the others."""
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
