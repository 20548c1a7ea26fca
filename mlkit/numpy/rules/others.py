"""The products of the other elements along some axes, by which prod's and cumprod's rules
multiply: the quotient of the product by each element where that does not fail, else scans
of multiplies, exact at zeros and infinities to every order, in O(n log n) per derivative."""

import numpy

from mlkit.autodiff.tracer import getval
from mlkit.numpy.rules.base import reshape, shape_of
from mlkit.numpy.rules.elementwise import def_elementwise, where_primitive
from mlkit.numpy.rules.shape import concatenate, moveaxis
from mlkit.numpy.rules.unbounded import times_partial, unbounded
from mlkit.numpy.wrap import nondifferentiable, raw_array, wrap

__all__ = ["cumulative_others_after", "cumulative_others_before", "others_product",
           "quotient_fails", "times_others"]


def quotient_fails(x):
    """Whether dividing a product by ``x`` fails somewhere: 0 / 0 at a zero, inf / inf at an
    infinity, nan / nan at a nan (the product of the other elements need be none of these)."""
    raw = raw_array(x)
    return bool(numpy.any((raw == 0) | ~numpy.isfinite(raw)))


def times_others(g, others, x):
    """``g`` times the products of other elements, which an infinite (or nan) x makes
    infinite (or nan): there a zero (co)tangent gives 0, as it moves nothing."""
    if not bool(numpy.all(numpy.isfinite(raw_array(x)))):
        return times_partial(g, others)
    return g * others


def others_product(ans, x, axis, keepdims, initial=None):
    """The product of all other elements along ``axis`` (and ``initial``, a factor too), for
    each element of ``x``.

    ans / x where that does not fail; otherwise the products before and after each element
    are multiplied (``_products_before``), exact at zeros and infinities to every order.
    """
    raw = raw_array(x)
    if not quotient_fails(x):
        full = ans if keepdims or axis is None else reshape(ans, _kept_shape(raw.shape, axis))
        return full / x
    axes = _axes_tuple(axis, raw.ndim)
    if not axes:  # a 0-d x, or axis=(): each element is its own product, the others' is 1
        others = numpy.ones(raw.shape, raw.dtype)
    else:
        flat, _ = _reduced_axes_last(x, axes)
        others = _restore_axes(_products_around(flat), axes, raw.shape)
    # initial is a constant (a traced one is refused), in the product's dtype
    return others if initial is None else others * numpy.asarray(getval(initial), raw.dtype)


def cumulative_others_before(t, x):
    """For each k along the last axis, sum_{i <= k} t_i prod_{j <= k, j != i} x_j: cumprod's
    JVP along ``t``, without division. With u_i = t_i prod_{j < i} x_j it is the recurrence
    d_k = u_k + x_k d_{k-1}, solved by a scan."""
    u = times_others(t, _products_before(x), x)
    return _closed_form_nan(_linear_scan(u, x, numpy.not_equal(raw_array(t), 0))[0], t, x, True)


def cumulative_others_after(g, x):
    """For each i along the last axis, sum_{k >= i} g_k prod_{j <= k, j != i} x_j: cumprod's
    VJP of ``g``, without division: prod_{j < i} x_j times s_i = g_i + x_{i+1} s_{i+1}, the
    same recurrence run from the end."""
    raw = raw_array(x)  # not empty: a zero, an infinity or a nan is in it
    ones = numpy.ones(raw.shape[:-1] + (1,), raw.dtype)
    after, weighted = _linear_scan(g[..., ::-1], concatenate([ones, x[..., :0:-1]], axis=-1),
                                   numpy.not_equal(raw_array(g), 0)[..., ::-1])
    return _closed_form_nan(
        _weighted_product(weighted[..., ::-1], _products_before(x), after[..., ::-1]), g, x, False)


def _nan_in_closed_form(w, x, before):
    """Where the closed form is nan: for ``before`` (cumprod's JVP) at k, the sum over i <= k
    of the terms w_i prod_(j <= k, j != i) x_j (w_i = 0 drops one), else (its VJP) at i, the
    same terms over k >= i. It is nan where a term's factors hold a nan, or a 0 and an
    infinity, or where two terms are infinities of opposite signs; a scan that groups the
    sum otherwise can miss these. Counts of infinities, zeros and nans up to k classify every
    pair (i, k) at once, for each kind of element i left out of the product."""
    kinds = [numpy.isinf(x), x == 0, numpy.isnan(x)]
    kinds.append(~(kinds[0] | kinds[1] | kinds[2]))
    counts = [numpy.cumsum(kind, axis=-1) for kind in kinds[:3]]
    sign_x = numpy.where(numpy.real(x) < 0, -1, 1)
    # a term's sign, but for a factor common to the whole sum
    sign = numpy.sign(numpy.real(w)) * (sign_x if before else numpy.cumprod(sign_x, axis=-1))
    found = [numpy.zeros(x.shape, bool) for _ in range(3)]  # nan, inf and -inf terms
    for left_out, kind in enumerate(kinds):
        inf, zero, nan = (count - (left_out == j) for j, count in enumerate(counts))
        nan_term = (nan >= 1) | ((inf >= 1) & (zero >= 1))
        inf_term = (inf >= 1) & (zero == 0) & (nan == 0)
        for out, term, side in zip(found, (nan_term, inf_term, inf_term), (0, 1, -1)):
            chosen = (w != 0) if side == 0 else (sign == side)
            if before:  # at k: an i <= k of this kind, chosen, and the term's kind at k
                out |= (numpy.cumsum(kind & chosen, axis=-1) > 0) & term
            else:  # at i of this kind: a chosen k >= i with the term's kind at k
                out |= kind & (numpy.cumsum((chosen & term)[..., ::-1], axis=-1)[..., ::-1] > 0)
    return found[0] | (found[1] & found[2])


_nan_in_closed_form = nondifferentiable(_nan_in_closed_form)


def _closed_form_nan(y, w, x, before):
    """``y``, a scan's sum of the terms ``_nan_in_closed_form`` describes, with nan where the
    closed form has it (only an infinity or a nan in x can make it)."""
    if numpy.all(numpy.isfinite(raw_array(x))):
        return y
    mask = _nan_in_closed_form(w, x, before)
    return where_primitive(mask, numpy.nan, y) if numpy.any(mask) else y


def _linear_scan(a, b, weighted):
    """``(s, weighted)``: s_k = a_k + b_k s_{k-1} along the last axis (s_{-1} = 0), that is
    sum_{i <= k} a_i prod_{i < j <= k} b_j, by log2(n) steps that each fold in the partial
    sums ``shift`` places back (a Hillis-Steele scan of the affine maps s -> a + b s).
    ``weighted`` (raw) marks the a_k whose (co)tangent is not 0, and comes back marking the
    s_k with such a term: the others are 0 whatever b is, as in the closed forms."""
    n, raw = shape_of(b)[-1], raw_array(b)
    shift = 1
    while shift < n:
        pad = raw.shape[:-1] + (shift,)
        earlier = concatenate([numpy.zeros(pad, raw.dtype), a[..., :-shift]], axis=-1)
        earlier_weighted = numpy.concatenate([numpy.zeros(pad, bool), weighted[..., :-shift]],
                                             axis=-1)
        a = a + _weighted_product(earlier_weighted, b, earlier)
        weighted = weighted | earlier_weighted
        if 2 * shift < n:  # the last step's products of b would go unused
            b = _factor_product(b, concatenate([numpy.ones(pad, raw.dtype), b[..., :-shift]],
                                               axis=-1))
        shift *= 2
    return a, weighted


def _weighted_product(weighted, x, y):
    """x * y where ``weighted``, else 0: a sum of terms with zero (co)tangents is 0 even
    where an infinite factor meets it, while 0 * inf of a weighted term stays nan."""
    if numpy.all(weighted):
        return _factor_product(x, y)
    with numpy.errstate(invalid="ignore"):
        return where_primitive(weighted, _factor_product(x, y), 0)


def _multiply(x, y):
    """numpy.multiply under its own name (numpy.multiply itself dispatches to ``multiply``)."""
    return numpy.multiply(x, y)


# x * y whose partials (the other factor) may be infinite: a zero (co)tangent meeting an
# infinite factor gives 0, not nan, to every order, while the product itself stays numpy's.
_factor_product = def_elementwise(wrap(_multiply, "factor_product"),
                                  unbounded(lambda ans, x, y: y), unbounded(lambda ans, x, y: x))


def _products_around(v):
    """For each element along the last axis, the product of the others: those before it
    times those after it."""
    return _factor_product(_products_before(v), _products_before(v[..., ::-1])[..., ::-1])


def _products_before(v):
    """The product of the elements before each one along the last axis (1 for the first),
    by log2(n) multiplies of shifted copies (a Hillis-Steele scan): no division, so exact at
    zeros and infinities, and each further derivative costs O(n log n), not a power of n."""
    n, raw = shape_of(v)[-1], raw_array(v)
    scan = concatenate([numpy.ones(raw.shape[:-1] + (1,), raw.dtype), v[..., :-1]], axis=-1)
    shift = 1
    while shift < n:
        ones = numpy.ones(raw.shape[:-1] + (shift,), raw.dtype)
        scan = _factor_product(scan, concatenate([ones, scan[..., :-shift]], axis=-1))
        shift *= 2
    return scan


def _axes_tuple(axis, ndim):
    if axis is None or ndim == 0:  # numpy reduces a 0-d x over axis 0 or -1 to itself
        return tuple(range(ndim))
    return tuple(sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis)))


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
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(1 if i in [a % len(shape) for a in axes] else n for i, n in enumerate(shape))
