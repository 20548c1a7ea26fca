"""JVP helpers under HIPS autograd's module path, for rules written against it."""

from mlkit.numpy.rules.base import broadcast_like, is_complex

__all__ = ["broadcast"]


def broadcast(x, target):
    """The tangent ``x`` repeated to ``target``'s shape, and complex if ``target`` is: for a
    forward rule whose argument was broadcast against the output."""
    x = broadcast_like(x, target)
    return x + 0j if is_complex(target) and not is_complex(x) else x
