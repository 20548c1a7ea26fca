"""The infinite and nan part of cumprod's (and so prod's) first and second derivatives where
x holds an infinity or a nan, so that they are the closed forms term by term.

The closed forms are sums of products of the other elements: to first order, for i <= k,
w_i prod_(j <= k, j != i) x_j, to second order, for i != m <= k, w_i v_m prod_(j <= k,
j not in {i, m}) x_j (a 0 weight drops its term). Such a sum is nan if a term is (its factors
hold a nan, or a 0 and an infinity) or if an inf and a -inf term meet, else +-inf if a term
is, else the sum of its finite terms. The rules take the finite terms from x with its
infinities and nans put to 0 (``stand_in``, whose derivative is still x's), where the scans
are exact to every order, and add the part computed here: nan, +-inf or 0, found by counting
the infinities, zeros and nans up to each k for every kind of element left out of a term, in
O(n) per element. Its own derivatives are the next order's part; a third order is refused.
"""

import numpy

from mlkit.autodiff.forward import defjvp
from mlkit.autodiff.reverse import defvjp
from mlkit.numpy.wrap import wrap

__all__ = ["infinite_terms_after", "infinite_terms_before", "stand_in"]


def _kinds(x):
    """Masks of x's infinities, zeros, nans and other elements; the running counts of the
    first three; the signs of the elements (nan and 0 as +1) and their running products."""
    kinds = [numpy.isinf(x), x == 0, numpy.isnan(x)]
    kinds.append(~(kinds[0] | kinds[1] | kinds[2]))
    sign = numpy.where(numpy.real(x) < 0, -1, 1)
    counts = [numpy.cumsum(kind, axis=-1) for kind in kinds[:3]]
    return kinds, counts, sign, numpy.cumprod(sign, axis=-1)


def _term(counts, left_out):
    """At each k, whether a term whose product leaves out elements of the kinds ``left_out``
    is nan, and whether it is infinite."""
    inf, zero, nan = (count - sum(kind == j for kind in left_out)
                      for j, count in enumerate(counts))
    return (nan >= 1) | ((inf >= 1) & (zero >= 1)), (inf >= 1) & (zero == 0) & (nan == 0)


def _any_before(mask, strictly=False):
    """Whether mask holds at or before each position along the last axis (before it, if
    ``strictly``)."""
    count = numpy.cumsum(mask, axis=-1)
    return (count - mask if strictly else count) > 0


def _any_after(mask, strictly=False):
    return _any_before(mask[..., ::-1], strictly)[..., ::-1]


def _value(found, like):
    """nan where a nan term was found or infinite terms of both signs, else +-inf where
    infinite terms were, else 0, in x's dtype."""
    nan, positive, negative = found
    out = numpy.where(positive, numpy.inf, numpy.where(negative, -numpy.inf, 0.0))
    return numpy.where(nan | (positive & negative), numpy.nan, out).astype(like.dtype)


def _first(w, x, before):
    """The first order's part: ``before`` (cumprod's JVP along w) at k, over i <= k; else
    (its VJP of w) at i, over k >= i."""
    kinds, counts, sign, running = _kinds(x)
    # the sign of a term but for a factor it shares with the sum: sign_k (JVP), sign_i (VJP)
    weighted = numpy.sign(numpy.real(w)) * (sign if before else running)
    shared = running if before else sign
    found = [numpy.zeros(x.shape, bool) for _ in range(3)]
    for left_out, kind in enumerate(kinds):
        nan_term, inf_term = _term(counts, (left_out,))
        for side in (1, -1):
            chosen = weighted == side
            if before:  # some i <= k of this kind
                nan, infinite = (_any_before(kind & chosen) & term
                                 for term in (nan_term, inf_term))
            else:  # at i of this kind, some k >= i
                nan, infinite = (kind & _any_after(chosen & term)
                                 for term in (nan_term, inf_term))
            found[0] |= nan
            found[1] |= infinite & (side * shared == 1)
            found[2] |= infinite & (side * shared == -1)
    return _value(found, x)


def _second_at_k(b, c, x):
    """The second order's part at k: terms b_i c_m prod_(j <= k, j not in {i, m}) x_j over
    i != m <= k (cumprod's JVP along b differentiated along c)."""
    kinds, counts, sign, running = _kinds(x)
    first, second = numpy.sign(numpy.real(b)) * sign, numpy.sign(numpy.real(c)) * sign
    found = [numpy.zeros(x.shape, bool) for _ in range(3)]
    for i_kind, kind_i in enumerate(kinds):
        for m_kind, kind_m in enumerate(kinds):
            nan_term, inf_term = _term(counts, (i_kind, m_kind))
            for side_i in (1, -1):
                for side_m in (1, -1):
                    one, other = kind_i & (first == side_i), kind_m & (second == side_m)
                    pairs = (numpy.cumsum(one, axis=-1) * numpy.cumsum(other, axis=-1)
                             - numpy.cumsum(one & other, axis=-1))  # i != m, both <= k
                    present = pairs > 0
                    found[0] |= present & nan_term
                    term_sign = side_i * side_m * running
                    found[1] |= present & inf_term & (term_sign == 1)
                    found[2] |= present & inf_term & (term_sign == -1)
    return _value(found, x)


def _second_at_i(a, c, x):
    """The second order's part at i: terms a_k c_m prod_(j <= k, j not in {i, m}) x_j over
    k >= i, m != i, m <= k (cumprod's VJP of a differentiated along c)."""
    kinds, counts, sign, running = _kinds(x)
    outer, inner = numpy.sign(numpy.real(a)) * running, numpy.sign(numpy.real(c)) * sign
    found = [numpy.zeros(x.shape, bool) for _ in range(3)]
    for i_kind, kind_i in enumerate(kinds):
        for m_kind, kind_m in enumerate(kinds):
            terms = _term(counts, (i_kind, m_kind))
            for side_k in (1, -1):
                for side_m in (1, -1):
                    ms = kind_m & (inner == side_m)
                    for which, term in enumerate(terms):
                        later_k = _any_after((outer == side_k) & term)  # some k >= here
                        # m before i (then any k >= i), or m after i with some k >= m
                        present = kind_i & ((_any_before(ms, True) & later_k)
                                            | _any_after(ms & later_k, True))
                        if which == 0:
                            found[0] |= present
                            continue
                        term_sign = side_k * side_m * sign
                        found[1] |= present & (term_sign == 1)
                        found[2] |= present & (term_sign == -1)
    return _value(found, x)


def _stand_in(x):
    return numpy.where(numpy.isfinite(x), x, numpy.zeros((), x.dtype))


stand_in = wrap(_stand_in, "stand_in")
defvjp(stand_in, lambda ans, x: lambda g: g)
defjvp(stand_in, lambda t, ans, x: t)
infinite_terms_before = wrap(lambda t, x: _first(t, x, True), "infinite_terms_before")
infinite_terms_after = wrap(lambda g, x: _first(g, x, False), "infinite_terms_after")
_second_terms_at_k = wrap(_second_at_k, "second_terms_at_k")
_second_terms_at_i = wrap(_second_at_i, "second_terms_at_i")

# linear in the weights (the sum of the closed form's terms scales with them); along x, the
# next order's terms; transposed, the weights move to the other index (i <-> k, i <-> m)
defjvp(infinite_terms_before, lambda dt, ans, t, x: infinite_terms_before(dt, x),
       lambda v, ans, t, x: _second_terms_at_k(t, v, x))
defvjp(infinite_terms_before, lambda ans, t, x: lambda c: infinite_terms_after(c, x),
       lambda ans, t, x: lambda c: _second_terms_at_i(c, t, x))
defjvp(infinite_terms_after, lambda dg, ans, g, x: infinite_terms_after(dg, x),
       lambda v, ans, g, x: _second_terms_at_i(g, v, x))
defvjp(infinite_terms_after, lambda ans, g, x: lambda c: infinite_terms_before(c, x),
       lambda ans, g, x: lambda c: _second_terms_at_i(g, c, x))


def _third_order(*_):
    raise NotImplementedError(
        "prod and cumprod where x holds an infinity or a nan: mlkit gives their first and "
        "second derivatives there (the closed forms), not the third; replace the infinities "
        "by large finite values, or differentiate at finite points")


# linear in each weight too (an HVP's direction, a cumprod's weights: still the second
# order), transposed as above; along x the third order, refused
defjvp(_second_terms_at_k, lambda db, ans, b, c, x: _second_terms_at_k(db, c, x),
       lambda dc, ans, b, c, x: _second_terms_at_k(b, dc, x), _third_order)
defvjp(_second_terms_at_k, lambda ans, b, c, x: lambda a: _second_terms_at_i(a, c, x),
       lambda ans, b, c, x: lambda a: _second_terms_at_i(a, b, x), _third_order)
defjvp(_second_terms_at_i, lambda da, ans, a, c, x: _second_terms_at_i(da, c, x),
       lambda dc, ans, a, c, x: _second_terms_at_i(a, dc, x), _third_order)
defvjp(_second_terms_at_i, lambda ans, a, c, x: lambda d: _second_terms_at_k(d, c, x),
       lambda ans, a, c, x: lambda d: _second_terms_at_i(a, d, x), _third_order)
