"""``solve_triangular``: solve op(T) x = b for a triangular T, as scipy.linalg does.

scipy reads only one triangle of ``a`` (and not its diagonal with ``unit_diagonal``); the rules
differentiate exactly what is read, so the cotangent of ``a`` lives on that triangle and
perturbations of the other one change nothing. ``trans`` picks op: 0 or 'N' (T itself), 1 or
'T' (its transpose), 2 or 'C' (its conjugate transpose). Complex derivatives follow mlkit's
convention for holomorphic functions (cotangents are not conjugated).
"""

import numpy
import scipy.linalg

import mlkit.numpy as mnp
from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, is_box
from mlkit.numpy.rules.base import is_complex
from mlkit.numpy.rules.linalg import transposed
from mlkit.numpy.wrap import composite, wrap

__all__ = ["read_triangle", "solve_triangular"]

_TRANS = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2, "n": 0, "t": 1, "c": 2}


def _trans_code(trans):
    try:
        return _TRANS[trans]
    except (KeyError, TypeError):
        raise ValueError(
            f"solve_triangular: trans must be 0 or 'N', 1 or 'T', 2 or 'C'; got {trans!r}"
        ) from None


def _check_shapes(a_shape, b_shape):
    if len(a_shape) < 2 or a_shape[-1] != a_shape[-2]:
        raise ValueError(f"solve_triangular: a must be a square matrix (or a stack of them), "
                         f"got shape {a_shape}")
    n = a_shape[-1]
    if not b_shape or (b_shape[0] if len(b_shape) == 1 else b_shape[-2]) != n:
        raise ValueError(
            f"solve_triangular: b must have {n} rows to match a {n}x{n} matrix (shape ({n},), "
            f"({n}, k) or a stack of ({n}, k)); got {b_shape}")


def _solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                      check_finite=True):
    _check_shapes(numpy.shape(a), numpy.shape(b))
    return scipy.linalg.solve_triangular(a, b, trans=_trans_code(trans), lower=lower,
                                         unit_diagonal=unit_diagonal, check_finite=check_finite)


_solve = wrap(_solve_triangular, "solve_triangular")


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """x with op(T) x = b. Stacks of T and of b broadcast over their leading axes, and a
    vector b is one right-hand side for every T of a stack, as in scipy; the primitive
    underneath sees them broadcast, so its rules need not sum over a broadcast."""
    options = {"trans": trans, "lower": lower, "unit_diagonal": unit_diagonal,
               "check_finite": check_finite}
    a_shape, b_shape = numpy.shape(getval(a)), numpy.shape(getval(b))
    if len(a_shape) <= 2 and len(b_shape) <= 2 or not (is_box(a) or is_box(b)):
        return _solve(a, b, **options)
    _check_shapes(a_shape, b_shape)
    vector = len(b_shape) == 1
    b = mnp.expand_dims(b, -1) if vector else b
    b_shape = numpy.shape(getval(b))
    batch = numpy.broadcast_shapes(a_shape[:-2], b_shape[:-2])
    x = _solve(mnp.broadcast_to(a, batch + a_shape[-2:]),
               mnp.broadcast_to(b, batch + b_shape[-2:]), **options)
    return x[..., 0] if vector else x


def read_triangle(a, lower, unit_diagonal=False):
    """The part of ``a`` a triangular solver reads: one triangle, without the diagonal if it
    is taken as ones."""
    if lower:
        return mnp.tril(a, -1 if unit_diagonal else 0)
    return mnp.triu(a, 1 if unit_diagonal else 0)


def _op(m, code, complex_):
    """op(m) for trans code 0, 1 or 2."""
    if code == 0:
        return m
    return mnp.conj(transposed(m)) if code == 2 and complex_ else transposed(m)


def _as_columns(x, vector):
    return mnp.expand_dims(x, -1) if vector else x


def _adjoint_solve(a, g, code, lower, unit_diagonal):
    """op(T)^-T g: the cotangent of b, itself a triangular solve."""
    if code == 2 and is_complex(a):
        return _solve(mnp.conj(a), g, trans=0, lower=lower,
                                unit_diagonal=unit_diagonal)
    return _solve(a, g, trans=1 - min(code, 1), lower=lower,
                            unit_diagonal=unit_diagonal)


def _vjp_a(ans, a, b, trans=0, lower=False, unit_diagonal=False, **kwargs):
    code, complex_ = _trans_code(trans), is_complex(a)
    vector = len(numpy.shape(getval(b))) == 1

    def vjp(g):
        u = _adjoint_solve(a, g, code, lower, unit_diagonal)
        m_bar = -mnp.matmul(_as_columns(u, vector), transposed(_as_columns(ans, vector)))
        t_bar = m_bar if code == 0 else transposed(m_bar)
        if code == 2 and complex_:
            t_bar = mnp.conj(t_bar)
        return read_triangle(t_bar, lower, unit_diagonal)

    return vjp


def _vjp_b(ans, a, b, trans=0, lower=False, unit_diagonal=False, **kwargs):
    code = _trans_code(trans)
    return lambda g: _adjoint_solve(a, g, code, lower, unit_diagonal)


def _jvp_a(t, ans, a, b, trans=0, lower=False, unit_diagonal=False, **kwargs):
    code = _trans_code(trans)
    vector = len(numpy.shape(getval(b))) == 1
    change = mnp.matmul(_op(read_triangle(t, lower, unit_diagonal), code, is_complex(a)),
                        _as_columns(ans, vector))
    if vector:
        change = change[..., 0]
    return -_solve(a, change, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


defvjp(_solve, _vjp_a, _vjp_b)
defjvp(_solve, _jvp_a, argnums=(0,))
def_linear(_solve, argnums=(1,))
solve_triangular = composite(solve_triangular)
