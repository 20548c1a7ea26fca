"""VJP helpers under HIPS autograd's module path, for rules written against it."""

from mlkit.numpy.rules.base import unbroadcast

__all__ = ["unbroadcast_f"]


def unbroadcast_f(target, f):
    """A VJP ``g -> f(g)`` summed back to ``target``'s shape: for a rule that ignores
    broadcasting of the argument ``target``."""
    return lambda g: unbroadcast(f(g), target)
