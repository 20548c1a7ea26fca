"""Which names of mlkit's numerical namespaces are differentiable, and in which modes."""

from mlkit.autodiff.forward import has_jvp
from mlkit.autodiff.reverse import has_vjp
from mlkit.numpy.wrap import kind_of


def coverage(namespace=None) -> dict:
    """``{name: {"kind": ..., "reverse": bool, "forward": bool}}`` for every function of
    ``namespace`` (mlkit.numpy by default; its linalg, fft and random, and mlkit.scipy's
    modules, too).

    kind is "primitive" (own rules; reverse and forward say whether some argument has a rule
    in that mode, and a primitive with none refuses to be differentiated), "composite" (built
    from primitives: both modes whenever its parts have them), or "nondifferentiable" (a
    constant result, or refused where a constant would be wrong).
    """
    import mlkit.numpy as mnp

    namespace = namespace or mnp
    table = {}
    for name in namespace.__all__:
        fun = getattr(namespace, name)
        kind = kind_of(fun) if callable(fun) else None
        if kind is None:
            continue
        if kind == "primitive":
            reverse, forward = has_vjp(fun, None), has_jvp(fun, None)
        else:
            reverse = forward = kind == "composite"
        table[name] = {"kind": kind, "reverse": reverse, "forward": forward}
    return table
