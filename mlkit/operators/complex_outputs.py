"""Derivatives of functions with complex outputs, from reverse mode.

The cotangent of a real input keeps the real part only: ``vjp(g) = Re(g J)``. So the seeds
``g`` and ``i g`` together give the complex derivative of a real input,
``J g = vjp(g) - i vjp(i g)``. For a complex input ``vjp(g) = g J`` is the derivative only
where the function is holomorphic, which is when ``vjp(i g) = i vjp(g)``; a function that is
not has no complex derivative, and is refused rather than answered by half.
"""

import numpy

from mlkit.autodiff.entry import fun_name
from mlkit.autodiff.tracer import getval, rawval
from mlkit.tree import tree_leaves, tree_map

__all__ = ["check_holomorphic", "complex_derivative"]


def _is_complex(leaf):
    return numpy.iscomplexobj(rawval(leaf))


def _restricted(seed, scale):
    """``scale`` times the complex leaves of ``seed``, zero in its real ones."""
    return tree_map(lambda leaf: leaf * (scale if _is_complex(leaf) else 0), seed, exact=True)


def check_holomorphic(along_i, expected, fun, operator):
    """Raise unless the derivative along ``i dz`` is ``expected`` (``i`` times the one along
    ``dz``, in the form the operator computes it), to rounding."""
    a, b = numpy.asarray(rawval(along_i)), numpy.asarray(rawval(expected))
    tolerance = numpy.sqrt(numpy.finfo(a.dtype).eps)
    if not numpy.allclose(a, b, rtol=tolerance,
                          atol=tolerance * numpy.max(abs(b), initial=0.0)):
        raise ValueError(
            f"{operator}: {fun_name(fun)} is not holomorphic in its complex input (its "
            "derivative along i dz is not i times its derivative along dz), so it has no "
            "complex derivative to return; differentiate np.real and np.imag of it "
            "separately, or use make_vjp with the cotangents you need")


def complex_derivative(vjp, seed, fun, operator):
    """The derivative of ``fun``'s output along the (one-hot or all-ones) real ``seed``,
    for inputs real or complex, by one or two extra backward passes when some output is
    complex."""
    seeded = [_is_complex(leaf) for leaf in tree_leaves(seed, exact=True)
              if numpy.any(rawval(leaf))]  # which seeded output leaves are complex
    if not any(seeded):
        return vjp(seed)
    along_seed = vjp(seed)
    along_i = vjp(_restricted(seed, 1j))
    along_complex = along_seed if all(seeded) else vjp(_restricted(seed, 1))

    def combine(d_seed, d_i, d_complex):
        if not _is_complex(d_seed):
            return d_seed - 1j * d_i
        check_holomorphic(d_i, 1j * getval(d_complex), fun, operator)
        return d_seed

    return tree_map(combine, along_seed, along_i, along_complex, exact=True,
                    look_through=getval)
