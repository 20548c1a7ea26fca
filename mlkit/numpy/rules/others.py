"""The products of the other elements along some axes, by which prod's and cumprod's rules
multiply. Where x has no zeros, infinities or nans: the quotient of the product by each
element, whose derivative is a quotient too (``_pairs``, O(n)); every further derivative, and
every one where the quotients fail, from scans of multiplies, exact at zeros and at tiny
elements, in O(n log n). Where x holds an infinity or a nan, the closed forms to second
order (``closed_forms.py``)."""

import numpy

from mlkit.autodiff.entry import def_rules_of, make_jvp
from mlkit.autodiff.forward import def_linear, defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.autodiff.tracer import getval, primitive
from mlkit.numpy.rules.base import axes_tuple, reshape, shape_of
from mlkit.numpy.rules.closed_forms import infinite_terms_after, infinite_terms_before, stand_in
from mlkit.numpy.rules.shape import concatenate, moveaxis
from mlkit.numpy.rules.unbounded import times_partial
from mlkit.numpy.wrap import raw_array

__all__ = ["accumulated_after", "accumulated_before", "cumulative_others_after",
           "cumulative_others_before", "others_product", "quotient_fails", "quotients_hold",
           "times_others"]


def quotient_fails(x):
    """Whether dividing a product by ``x`` fails somewhere: 0 / 0 at a zero, inf / inf at an
    infinity, nan / nan at a nan (the product of the other elements need be none of these)."""
    raw = raw_array(x)
    return bool(numpy.any((raw == 0) | ~numpy.isfinite(raw)))


def times_others(g, others, x):
    """``g`` times the products of other elements, which an infinite (or nan) x makes
    infinite (or nan): there a zero (co)tangent gives 0, as it moves nothing."""
    if not _finite(x):
        return times_partial(g, others)
    return g * others


def others_product(ans, x, axis, keepdims, initial=None):
    """The product of all other elements along ``axis`` (and ``initial``, a factor too), for
    each element of ``x``.

    ans / x where that does not fail (``_quotient``), its derivatives exact at tiny elements;
    otherwise those of scans (``_scanned``), exact at zeros and infinities to every order.
    """
    raw = raw_array(x)
    if quotient_fails(x) or not (raw.size and _axes_tuple(axis, raw.ndim)):
        return _scanned(x, axis=axis, initial=initial)  # (or constant others)
    full = getval(ans)  # a cache of prod(x): x carries every derivative
    if not keepdims and axis is not None:
        full = reshape(full, _kept_shape(raw.shape, axis))
    return _quotient(full, x, axis=axis, initial=initial)


def _scanned(x, axis, initial):
    """``others_product`` by scans of multiplies."""
    return _along(x, axis, initial, _products_around if _finite(x) else _closed_others)


def _along(x, axis, initial, around):
    """The products of the others along ``axis``, from ``around``'s along the last axis."""
    raw = raw_array(x)
    axes = _axes_tuple(axis, raw.ndim)
    if not (axes and raw.size):  # a 0-d x, or axis=(): each element is its own product, the
        others = numpy.ones(raw.shape, raw.dtype)  # others' is 1 (or x is empty)
    else:
        others = _restore_axes(around(_reduced_axes_last(x, axes)[0]), axes, raw.shape)
    # initial is a constant (a traced one is refused), in the product's dtype
    return others if initial is None else others * numpy.asarray(getval(initial), raw.dtype)


def _divide(full, x, axis, initial):
    """The products of the others as a quotient: to an ulp, but its own derivatives would
    cancel terms of size full / x**2."""
    return full / x


def _divide_pairs(v, x, axis, initial):
    """The quotient's derivative along ``v``, and its pull-back of ``v`` (the matrix is
    symmetric): for each j, sum_{i != j} v_i prod_{k != i, j} x_k, that is the products of
    the others (by cumulative products) times v, summed over the elements before j and after
    j apart, so that no term cancels its own, over x_j: O(n); the scans' where that loses
    precision (``quotients_hold``)."""
    axes = _axes_tuple(axis, numpy.ndim(x))
    flat_x, flat_v = _reduced_axes_last(x, axes)[0], _reduced_axes_last(v, axes)[0]
    others = accumulated_before(numpy.multiply, flat_x) * accumulated_after(numpy.multiply,
                                                                           flat_x)
    terms = flat_v * others
    sums = accumulated_before(numpy.add, terms) + accumulated_after(numpy.add, terms)
    pairs = _restore_axes(sums, axes, numpy.shape(x)) / x
    if not quotients_hold(others, pairs):
        return _scanned_pairs(v, x, axis, initial)
    return pairs if initial is None else pairs * numpy.asarray(initial, pairs.dtype)


def _scanned_pairs(v, x, axis, initial):
    """``_divide_pairs`` as the derivative of the scans along v: exact in any range, and
    the source of the third derivative and beyond."""
    return make_jvp(lambda x: _scanned(x, axis, initial), x)(v)[1]


# The quotient's value; its second derivatives as a quotient too, with the scans'
# derivatives from the third on. Linear in v, whose rules are pairs again.
_quotient = primitive(_divide)
_pairs = primitive(_divide_pairs)
defjvp(_quotient, lambda t, ans, full, x, axis, initial: _pairs(t, x, axis, initial),
       argnums=(1,))
defvjp(_quotient, lambda ans, full, x, axis, initial: lambda g: _pairs(g, x, axis, initial),
       argnums=(1,))
def_rules_of(_pairs, _scanned_pairs)
def_linear(_pairs, argnums=(0,))
defvjp(_pairs, lambda ans, v, x, axis, initial: lambda g: _pairs(g, x, axis, initial),
       argnums=(0,))


def accumulated_before(ufunc, a):
    """``ufunc`` (add or multiply) accumulated over the elements before each one along the
    last axis, its identity for the first: no element is removed from a total, so none
    cancels (raw arrays)."""
    out = numpy.empty_like(a)
    out[..., :1] = ufunc.identity
    ufunc.accumulate(a[..., :-1], axis=-1, out=out[..., 1:])
    return out


def accumulated_after(ufunc, a):
    """``ufunc`` accumulated over the elements after each one along the last axis."""
    out = numpy.empty_like(a)
    out[..., -1:] = ufunc.identity
    ufunc.accumulate(a[..., :0:-1], axis=-1, out=out[..., -2::-1])
    return out


def quotients_hold(products, out):
    """Whether ``out``, quotients by x of sums of ``products`` (raw arrays), kept the
    precision of a product: none of these underflowed below the normal numbers (a division
    by a tiny x would magnify its lost digits), and ``out`` overflowed nowhere (1 / x_i x_m
    does for two elements below 1e-154)."""
    if not numpy.size(products):
        return True
    tiny = numpy.finfo(products.dtype).tiny
    return bool(numpy.isfinite(out).all() and numpy.abs(products).min() >= tiny)


def cumulative_others_before(t, x):
    """For each k along the last axis, sum_{i <= k} t_i prod_{j <= k, j != i} x_j: cumprod's
    JVP along ``t``, without division. With u_i = t_i prod_{j < i} x_j it is the recurrence
    d_k = u_k + x_k d_{k-1}, solved by a scan; where x holds an infinity or a nan, the scan
    runs on its finite stand-in and the closed form's infinite and nan terms are added."""
    if not _finite(x):
        return _scan_before(t, stand_in(x)) + infinite_terms_before(t, x)
    return _scan_before(t, x)


def _scan_before(t, x):
    return _linear_scan(t * _products_before(x), x)


def cumulative_others_after(g, x):
    """For each i along the last axis, sum_{k >= i} g_k prod_{j <= k, j != i} x_j: cumprod's
    VJP of ``g``, without division: prod_{j < i} x_j times s_i = g_i + x_{i+1} s_{i+1}, the
    same recurrence run from the end (on a finite stand-in, as for the JVP)."""
    if not _finite(x):
        return _scan_after(g, stand_in(x)) + infinite_terms_after(g, x)
    return _scan_after(g, x)


def _finite(x):
    return bool(numpy.all(numpy.isfinite(raw_array(x))))


def _scan_after(g, x):
    raw = raw_array(x)  # not empty: a zero is in it
    ones = numpy.ones(raw.shape[:-1] + (1,), raw.dtype)
    after = _linear_scan(g[..., ::-1], concatenate([ones, x[..., :0:-1]], axis=-1))
    return _products_before(x) * after[..., ::-1]


def _linear_scan(a, b):
    """s_k = a_k + b_k s_{k-1} along the last axis (s_{-1} = 0), that is
    sum_{i <= k} a_i prod_{i < j <= k} b_j, by log2(n) steps that each fold in the partial
    sums ``shift`` places back (a Hillis-Steele scan of the affine maps s -> a + b s); b is
    finite (see ``cumulative_others_before``)."""
    n, raw = shape_of(b)[-1], raw_array(b)
    shift = 1
    while shift < n:
        pad = raw.shape[:-1] + (shift,)
        a = a + b * concatenate([numpy.zeros(pad, raw.dtype), a[..., :-shift]], axis=-1)
        if 2 * shift < n:  # the last step's products of b would go unused
            b = b * concatenate([numpy.ones(pad, raw.dtype), b[..., :-shift]], axis=-1)
        shift *= 2
    return a


def _closed_others(v):
    """The products of the others along the last axis where v holds an infinity or a nan:
    the closed forms' (prod is cumprod's last element), so that derivatives keep to them."""
    last = numpy.zeros(shape_of(v), raw_array(v).dtype)
    last[..., -1] = 1
    return cumulative_others_after(last, v)


def _products_around(v):
    """For each element along the last axis, the product of the others: those before it
    times those after it."""
    return _products_before(v) * _products_before(v[..., ::-1])[..., ::-1]


def _products_before(v):
    """The product of the elements before each one along the last axis (1 for the first),
    by log2(n) multiplies of shifted copies (a Hillis-Steele scan): no division, so exact at
    zeros (and, at its value, at infinities), and each further derivative costs O(n log n)."""
    n, raw = shape_of(v)[-1], raw_array(v)
    scan = concatenate([numpy.ones(raw.shape[:-1] + (1,), raw.dtype), v[..., :-1]], axis=-1)
    shift = 1
    while shift < n:
        ones = numpy.ones(raw.shape[:-1] + (shift,), raw.dtype)
        scan = scan * concatenate([ones, scan[..., :-shift]], axis=-1)
        shift *= 2
    return scan


def _axes_tuple(axis, ndim):
    if axis is None or ndim == 0:  # numpy reduces a 0-d x over axis 0 or -1 to itself
        return tuple(range(ndim))
    return tuple(sorted(axes_tuple(axis, ndim)))


def _reduced_axes_last(x, axes):
    """``x`` with ``axes`` moved to the end and merged into one."""
    shape = shape_of(x)
    destination = tuple(range(len(shape) - len(axes), len(shape)))
    moved = moveaxis(x, axes, destination)
    kept = tuple(n for i, n in enumerate(shape) if i not in axes)
    return reshape(moved, kept + (-1,)), shape_of(moved)


def _restore_axes(y, axes, shape):
    kept = tuple(n for i, n in enumerate(shape) if i not in axes)
    moved = reshape(y, kept + tuple(shape[a] for a in axes))
    destination = tuple(range(len(shape) - len(axes), len(shape)))
    return moveaxis(moved, destination, axes)


def _kept_shape(shape, axis):
    axes = axes_tuple(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))
