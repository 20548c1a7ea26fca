"""Which mlkit.numpy names are differentiable, and in which modes."""

from mlkit.autodiff.forward import has_jvp
from mlkit.autodiff.reverse import has_vjp
from mlkit.numpy.wrap import kind_of


def coverage(namespace=None) -> dict:
    """``{name: {"kind": ..., "reverse": bool, "forward": bool}}`` for every callable name.

    kind is "primitive" (own rules), "composite" (built from primitives: both modes whenever
    its parts have them), or "nondifferentiable" (a constant result).
    """
    import mlkit.numpy as mnp

    namespace = namespace or mnp
    table = {}
    for name in namespace.__all__:
        fun = getattr(namespace, name)
        kind = kind_of(fun)
        if kind is None:
            continue
        if kind == "primitive":
            reverse, forward = has_vjp(fun), has_jvp(fun)
        else:
            reverse = forward = kind == "composite"
        table[name] = {"kind": kind, "reverse": reverse, "forward": forward}
    return table
