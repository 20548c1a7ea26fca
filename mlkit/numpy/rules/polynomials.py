"""Polynomials and 1-d signals: polyval, polyadd, polysub, polymul, polyder, polyint, polydiv,
polyfit, roots, poly, vander, convolve, correlate, interp, unwrap.

Coefficients are highest power first, as numpy's. All are composites (products, sums,
gathers, ``lstsq`` and ``eigvals``), so they are differentiable in every numeric argument.
"""

import numpy

from mlkit.autodiff.containers import make_sequence
from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, rawval
from mlkit.numpy.rules.base import conj, real, reshape, shape_of, unbroadcast
from mlkit.numpy.rules.construction import asarray, astype
from mlkit.numpy.rules.elementwise import where
from mlkit.numpy.rules.indexing import getitem
from mlkit.numpy.rules.reductions import flip
from mlkit.numpy.rules.shape import concatenate, stack
from mlkit.numpy.rules.shifted_sums import shifted_sum
from mlkit.numpy.wrap import composite, nondifferentiable, wrap

__all__ = ["polyval", "polyadd", "polysub", "polymul", "polyder", "polyint", "polydiv",
           "polyfit", "roots", "poly", "vander", "convolve", "correlate", "interp", "unwrap"]


def _vector(p):
    p = asarray(p)
    return reshape(p, (1,)) if len(shape_of(p)) == 0 else p


def polyval(p, x):
    """The polynomial with coefficients ``p`` at ``x``, by Horner's rule."""
    p = _vector(p)
    x = asarray(x)
    raw = rawval(x)  # numpy reads x as an array: a Python float x is float64, not weak
    strong = numpy.asarray(raw).dtype if type(raw) in (int, float, complex) else getval(x)
    result = numpy.zeros((), numpy.result_type(strong, getval(p)))
    for k in range(shape_of(p)[0]):
        result = result * x + getitem(p, k)
    return result


def _padded(p, n):
    """``p`` with zeros in front, to length ``n``."""
    missing = n - shape_of(p)[0]
    if missing <= 0:
        return p
    return concatenate([numpy.zeros(missing, numpy.result_type(getval(p))), p])


def polyadd(a1, a2):
    a1, a2 = _vector(a1), _vector(a2)
    n = max(shape_of(a1)[0], shape_of(a2)[0])
    return _padded(a1, n) + _padded(a2, n)


def polysub(a1, a2):
    a1, a2 = _vector(a1), _vector(a2)
    n = max(shape_of(a1)[0], shape_of(a2)[0])
    return _padded(a1, n) - _padded(a2, n)


def polyder(p, m=1):
    """The ``m``-th derivative's coefficients."""
    p = _vector(p)
    for _ in range(m):
        n = shape_of(p)[0] - 1
        if n <= 0:
            return numpy.zeros(1, numpy.result_type(getval(p)))
        p = getitem(p, slice(0, n)) * numpy.arange(n, 0, -1)
    return p


def polyint(p, m=1, k=None):
    """The ``m``-th antiderivative's coefficients, with integration constants ``k`` (0)."""
    p = _vector(p)
    if k is None:
        constants = [0.0] * m
    else:
        k = _vector(k)
        constants = [getitem(k, 0 if shape_of(k)[0] == 1 else i) for i in range(m)]
    for i in range(m):
        n = shape_of(p)[0]
        p = concatenate([p / numpy.arange(n, 0, -1), reshape(asarray(constants[i]), (1,))])
    return p


def _divided(u, v):
    """numpy's quotient of ``u`` by ``v`` and the whole rest ``u - q v`` (its first
    ``len(q)`` entries zero up to rounding, which numpy strips), by numpy's own loop."""
    q = numpy.zeros(u.shape[0] - v.shape[0] + 1, numpy.result_type(u, v))
    rest = u.astype(q.dtype)
    scale = 1.0 / v[0]
    for k in range(q.shape[0]):
        q[k] = scale * rest[k]
        rest[k:k + v.shape[0]] -= q[k] * v
    return q, rest


divided = wrap(_divided, "polydiv")


def _division_tangents(w, ans, v):
    """The tangents of ``(q, rest)`` when ``u - q v`` moves by ``w`` (rest's zeros stay 0)."""
    dq = divided(w, v)[0]
    lead = shape_of(dq)[0]
    tail = getitem(w - convolve(dq, v), slice(lead, None))
    zeros = numpy.zeros(lead, numpy.result_type(getval(ans[1]), getval(tail)))
    return make_sequence(tuple, dq, concatenate([zeros, tail]))


def _division_cotangent(ans, v):
    """The cotangent of ``u - q v`` from those of ``(q, rest)``: the rest's tail passes
    through; the quotient's is solved by the transposed (reversed) Toeplitz system."""
    lead = shape_of(ans[0])[0]

    def vjp(g):
        tail = getitem(g[1], slice(lead, None))
        padded = concatenate([numpy.zeros(lead, numpy.result_type(getval(tail))), tail])
        gq = g[0] - convolve(padded, flip(v, 0), "valid")
        stretched = concatenate([flip(gq, 0), numpy.zeros(shape_of(v)[0] - 1,
                                                          numpy.result_type(getval(gq)))])
        return concatenate([flip(divided(stretched, v)[0], 0), tail])

    return vjp


defjvp(divided, lambda t, ans, u, v: _division_tangents(t, ans, v),
       lambda t, ans, u, v: _division_tangents(-convolve(ans[0], t), ans, v))
defvjp(divided, lambda ans, u, v: lambda g: unbroadcast(_division_cotangent(ans, v)(g), u),
       lambda ans, u, v: lambda g: unbroadcast(
           -convolve(_division_cotangent(ans, v)(g), flip(ans[0], 0), "valid"), v))


def polydiv(u, v):
    """``(quotient, remainder)`` of polynomial division (the remainder's leading zeros
    dropped, as numpy); one primitive, so derivatives cost what numpy's loop does."""
    u, v = _vector(u) * 1.0, _vector(v) * 1.0
    if shape_of(u)[0] < shape_of(v)[0]:
        q, rest = numpy.zeros(1, numpy.result_type(getval(u), getval(v))), u
    else:
        q, rest = divided(u, v)
    raw = numpy.asarray(getval(rest))
    start = 0
    while start < raw.shape[0] - 1 and numpy.allclose(raw[start], 0, rtol=1e-14):
        start += 1
    return q, getitem(rest, slice(start, None))


def vander(x, N=None, increasing=False):
    """Columns of powers of ``x`` (decreasing unless ``increasing``), built by products so
    derivatives stay finite at 0."""
    x = asarray(x)
    n = shape_of(x)[0] if N is None else N
    columns = [numpy.ones(shape_of(x), numpy.promote_types(numpy.result_type(getval(x)), int))]
    for _ in range(1, n):
        columns.append(columns[-1] * x)
    columns = columns[:n]
    if not columns:
        return numpy.zeros((shape_of(x)[0], 0), numpy.result_type(getval(x)))
    return stack(columns if increasing else columns[::-1], axis=1)


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares coefficients of degree ``deg`` (columns for a 2-d ``y``)."""
    if full or cov:
        raise NotImplementedError("mlkit's polyfit returns the coefficients only; compute "
                                  "residuals or the covariance from them")
    from mlkit.numpy.linalg import lstsq

    design = vander(x, deg + 1)
    if w is not None:
        w = asarray(w)
        design = design * reshape(w, (-1, 1))
        y = y * (w if len(shape_of(y)) == 1 else reshape(w, (-1, 1)))
    # The column norms are a constant scaling (no derivative), but under mlkit.jit a value
    # still being recorded: replaced where zero, not written in place.
    scale = numpy.sqrt(numpy.sum(numpy.abs(getval(design)) ** 2, axis=0))
    scale = where(scale == 0, 1, scale)
    coefficients = lstsq(design / scale, y, rcond=rcond)[0]
    scale = scale if len(shape_of(coefficients)) == 1 else scale[:, None]
    return coefficients / scale


def roots(p):
    """The roots: eigenvalues of the companion matrix (complex where they are)."""
    from mlkit.numpy.linalg import eigvals

    p = _vector(p)
    raw = numpy.asarray(getval(p))
    nonzero = numpy.flatnonzero(raw)
    if nonzero.size == 0:
        return numpy.array([])
    trailing = raw.shape[0] - nonzero[-1] - 1
    p = getitem(p, slice(nonzero[0], nonzero[-1] + 1))
    n = shape_of(p)[0]
    found = numpy.zeros(0, raw.dtype)
    if n > 1:
        first_row = reshape(-getitem(p, slice(1, None)) / getitem(p, 0), (1, n - 1))
        shift = numpy.eye(n - 1, k=-1, dtype=numpy.result_type(getval(first_row)))[1:]
        found = eigvals(concatenate([first_row, shift], axis=0))
    if trailing:
        found = concatenate([found, numpy.zeros(trailing, numpy.result_type(getval(found)))])
    return found


def poly(seq_of_zeros):
    """The monic polynomial with the given roots (or the characteristic polynomial of a
    square matrix); real when the roots are real or come in conjugate pairs."""
    from mlkit.numpy.linalg import eigvals

    shape = shape_of(seq_of_zeros)
    if len(shape) == 2 and shape[0] == shape[1] and shape[0] != 0:
        seq_of_zeros = eigvals(seq_of_zeros)
    elif len(shape) != 1:
        raise ValueError("poly takes a 1-d sequence of roots or a square matrix")
    zeros = _vector(seq_of_zeros)
    raw = numpy.asarray(getval(zeros))
    coefficients = numpy.ones(1, raw.dtype if raw.dtype.kind in "fc" else numpy.float64)
    for k in range(raw.shape[0]):
        factor = stack([numpy.ones((), raw.dtype), -getitem(zeros, k)])
        coefficients = convolve(coefficients, factor)
    if raw.dtype.kind == "c":
        pos = numpy.sort_complex(raw[raw.imag > 0])
        neg = numpy.sort_complex(numpy.conjugate(raw[raw.imag < 0]))
        if len(pos) == len(neg) and numpy.all(neg == pos):
            coefficients = real(coefficients)
    return coefficients


def convolve(a, v, mode="full"):
    """The discrete linear convolution of two 1-d sequences (modes 'full', 'same',
    'valid' as numpy): one shifted sum, in the operands' memory, not their product's."""
    a, v = _vector(a), _vector(v)
    n, m = shape_of(a)[0], shape_of(v)[0]
    if n == 0 or m == 0:
        raise ValueError("convolve: both sequences must be non-empty")
    if m > n:
        a, v, n, m = v, a, m, n
    windows = {"full": (0, n + m - 1), "same": ((m - 1) // 2, n), "valid": (m - 1, n - m + 1)}
    if mode not in windows:
        raise ValueError(f"convolve: mode must be 'full', 'same' or 'valid', got {mode!r}")
    shift, length = windows[mode]
    return shifted_sum(a, v, conv=((0,), (0,)), dots=((), ()), shifts=(shift,), lengths=(length,))


def correlate(a, v, mode="valid"):
    """Cross-correlation, ``c[k] = sum_n a[n + k] conj(v[n])``."""
    a, v = _vector(a), _vector(v)
    if shape_of(v)[0] > shape_of(a)[0]:
        return conj(flip(correlate(v, a, mode), 0))
    return convolve(a, flip(conj(v), 0), mode)


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of the points ``(xp, fp)`` at ``x`` (``left`` and
    ``right`` beyond the ends), differentiable in ``x``, ``xp`` and ``fp``."""
    if period is not None:
        raise NotImplementedError("mlkit's interp has no period; wrap x and xp into one "
                                  "period and extend them before interpolating")
    x, xp, fp = asarray(x), asarray(xp), asarray(fp)
    raw_xp = numpy.asarray(getval(xp))
    n = raw_xp.shape[0]
    if n == 1:
        return fp[0] * numpy.ones_like(getval(x), dtype=numpy.result_type(getval(fp)))
    raw_x = numpy.asarray(getval(x))
    upper = numpy.clip(numpy.searchsorted(raw_xp, raw_x, side="right"), 1, n - 1)
    x0, x1 = getitem(xp, upper - 1), getitem(xp, upper)
    f0, f1 = getitem(fp, upper - 1), getitem(fp, upper)
    inner = f0 + (x - x0) / (x1 - x0) * (f1 - f0)
    first, last = getitem(fp, 0), getitem(fp, -1)
    out = where(raw_x < raw_xp[0], first if left is None else left, inner)
    out = where(raw_x > raw_xp[-1], last if right is None else right, out)
    dtype = numpy.result_type(getval(fp)) if numpy.iscomplexobj(getval(fp)) else numpy.float64
    return out if numpy.result_type(getval(out)) == dtype else astype(out, dtype)


def unwrap(p, discont=None, axis=-1, *, period=2 * numpy.pi):
    """``p`` with jumps larger than ``discont`` along ``axis`` undone by whole periods (the
    correction is locally constant, so the derivative is that of ``p``)."""
    return p + _correction(getval(p), getval(discont), axis, getval(period))


def _correction(p, discont, axis, period):
    """What unwrapping adds to ``p``: a constant (under mlkit.jit a step of the program)."""
    return numpy.unwrap(p, discont=discont, axis=axis, period=period) - p


_correction = nondifferentiable(_correction)


def polymul(a1, a2):
    """The product's coefficients (the convolution of the coefficient sequences)."""
    return convolve(a1, a2)


for _fun in (polyval, polyadd, polysub, polymul, polyder, polyint, polydiv, polyfit, roots,
             poly, vander, convolve, correlate, interp, unwrap):
    globals()[_fun.__name__] = composite(_fun, getattr(numpy, _fun.__name__))
