"""``solve_banded``: solve A x = b with A given in LAPACK band storage, as scipy.linalg does.

``ab[u + i - j, j]`` holds ``A[i, j]`` for the ``l`` sub- and ``u`` super-diagonals, where
``(l, u) = l_and_u``; the corner entries of ``ab`` that hold no entry of A are never read, and
get a zero cotangent. The cotangent of b solves with A's transpose, which is banded too (with
``(u, l)``); the derivatives with respect to ``ab`` gather products on the band only, so no
dense matrix is formed.
"""

import numpy
import scipy.linalg

import mlkit.numpy as mnp
from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, is_box
from mlkit.numpy.wrap import composite, wrap

__all__ = ["solve_banded"]


def _bands(l_and_u):
    try:
        lower, upper = (int(n) for n in l_and_u)
    except (TypeError, ValueError):
        raise ValueError(
            f"solve_banded: l_and_u must be a pair of non-negative integers (number of sub- "
            f"and super-diagonals); got {l_and_u!r}") from None
    if lower < 0 or upper < 0:
        raise ValueError(f"solve_banded: l_and_u must be non-negative; got {l_and_u!r}")
    return lower, upper


def _check_shapes(lower, upper, ab_shape, b_shape):
    if len(ab_shape) < 2 or ab_shape[-2] != lower + upper + 1:
        raise ValueError(
            f"solve_banded: ab must have l + u + 1 = {lower + upper + 1} rows (one per "
            f"diagonal) and one column per unknown; got shape {ab_shape}")
    n = ab_shape[-1]
    if not b_shape or (b_shape[0] if len(b_shape) == 1 else b_shape[-2]) != n:
        raise ValueError(
            f"solve_banded: b must have {n} rows (shape ({n},), ({n}, k) or a stack of "
            f"({n}, k)) to match ab's {n} columns; got {b_shape}")


def _solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    lower, upper = _bands(l_and_u)
    _check_shapes(lower, upper, numpy.shape(ab), numpy.shape(b))
    return scipy.linalg.solve_banded((lower, upper), ab, b, check_finite=check_finite)


_solve = wrap(_solve_banded, "solve_banded")


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """x with A x = b for A in band storage ``ab``. Stacks of ab and b broadcast over their
    leading axes (a vector b is one right-hand side for every matrix), as in scipy; traced,
    a stack is solved one matrix at a time, so the rules see single matrices."""
    ab_shape, b_shape = numpy.shape(getval(ab)), numpy.shape(getval(b))
    if len(ab_shape) <= 2 and len(b_shape) <= 2 or not (is_box(ab) or is_box(b)):
        return _solve(l_and_u, ab, b, check_finite=check_finite)
    lower, upper = _bands(l_and_u)
    _check_shapes(lower, upper, ab_shape, b_shape)
    b_core = b_shape[-1:] if len(b_shape) == 1 else b_shape[-2:]
    batch = numpy.broadcast_shapes(ab_shape[:-2], b_shape[:-len(b_core)])
    ab = mnp.reshape(mnp.broadcast_to(ab, batch + ab_shape[-2:]), (-1,) + ab_shape[-2:])
    b = mnp.reshape(mnp.broadcast_to(b, batch + b_core), (-1,) + b_core)
    x = mnp.stack([_solve(l_and_u, ab[k], b[k], check_finite=check_finite)
                   for k in range(numpy.shape(getval(ab))[0])])
    return mnp.reshape(x, batch + b_core)


def _gather_plan(rows, n, shift):
    """Index arrays for ``x[k, j + shift(k)]`` over a (rows, n) grid: (clipped index, valid)."""
    k = numpy.arange(rows)[:, None]
    index = numpy.arange(n)[None, :] + shift(k)
    valid = (index >= 0) & (index < n)
    return numpy.clip(index, 0, n - 1), valid


def _transpose_band(ab, lower, upper):
    """The band storage of A's transpose (with ``(upper, lower)`` diagonals)."""
    rows, n = numpy.shape(getval(ab))
    cols, valid = _gather_plan(rows, n, lambda k: k - lower)
    flipped_rows = (lower + upper - numpy.arange(rows))[:, None]
    return mnp.where(valid, ab[flipped_rows, cols], 0)


def _on_band(values, valid, vector):
    summed = values if vector else mnp.sum(values, axis=-1)
    return mnp.where(valid, summed, 0)


def _vjp_ab(ans, l_and_u, ab, b, **kwargs):
    lower, upper = _bands(l_and_u)
    rows, n = numpy.shape(getval(ab))
    vector = len(numpy.shape(getval(b))) == 1
    # ab[k, j] is A[i, j] with i = j + k - upper; its cotangent is -(A^-T g)[i] . x[j].
    row_of, valid = _gather_plan(rows, n, lambda k: k - upper)

    def vjp(g):
        u = _solve((upper, lower), _transpose_band(ab, lower, upper), g)
        return -_on_band(u[row_of] * ans, valid, vector)

    return vjp


def _vjp_b(ans, l_and_u, ab, b, **kwargs):
    lower, upper = _bands(l_and_u)
    return lambda g: _solve((upper, lower), _transpose_band(ab, lower, upper), g)


def _jvp_ab(t, ans, l_and_u, ab, b, **kwargs):
    lower, upper = _bands(l_and_u)
    rows, n = numpy.shape(getval(ab))
    vector = len(numpy.shape(getval(b))) == 1
    # (dA x)[i] = sum_k dab[k, j] x[j] with j = i + upper - k.
    col_of, valid = _gather_plan(rows, n, lambda k: upper - k)
    band_rows = numpy.arange(rows)[:, None]
    entries = t[band_rows, col_of]
    products = (entries if vector else mnp.expand_dims(entries, -1)) * ans[col_of]
    valid = valid if vector else valid[..., None]
    change = mnp.sum(mnp.where(valid, products, 0), axis=0)
    return -_solve(l_and_u, ab, change)


defvjp(_solve, None, _vjp_ab, _vjp_b)
defjvp(_solve, _jvp_ab, argnums=(1,))
def_linear(_solve, argnums=(2,))
solve_banded = composite(solve_banded, pack_sequences=False)  # l_and_u stays a pair
