"""mlkit.scipy.special's gamma, beta and Bessel families compute what scipy computes, in the
input's precision; their derivatives match closed forms; and the derivatives that have no
closed form (incomplete functions in their shape parameters, Bessel functions in their order)
raise an error that names the function and the argument, in both modes."""

import math

import numpy as onp
import pytest
import scipy.special
from numpy.testing import assert_allclose

from mlkit import elementwise_grad, grad, jit, make_jvp
from mlkit.scipy import special

RNG = onp.random.default_rng(11)
POS = RNG.uniform(0.3, 4.0, (3, 4))
P = RNG.uniform(0.05, 0.95, (3, 4))
X = RNG.standard_normal((3, 4))
OFF_GRID = RNG.integers(-3, 3, (3, 4)) + RNG.uniform(0.1, 0.9, (3, 4))

UNARY = [("gamma", OFF_GRID), ("rgamma", OFF_GRID), ("j0", X), ("j1", X), ("y0", POS),
         ("y1", POS), ("i0", X), ("i1", X)]
CALLS = [
    ("beta", (POS, POS[::-1])),
    ("betaln", (POS, POS[:, ::-1])),
    ("betainc", (POS, POS[0], P)),
    ("gammainc", (POS[0], POS)),
    ("gammaincc", (POS, POS[::-1])),
    ("stdtr", (POS, X)),
    ("jn", (onp.arange(4), X)),
    ("jn", (2.5, POS)),
    ("yn", (3, POS)),
    ("iv", (onp.array([0.0, 0.5, 1.0, 3.0]), X)),
    ("ive", (1.5, POS)),
]


@pytest.mark.parametrize("name, x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_match_scipy_and_keep_float32(name, x):
    assert_allclose(getattr(special, name)(x), getattr(scipy.special, name)(x), rtol=1e-13)
    single = getattr(special, name)(x.astype(onp.float32))
    assert single.dtype == onp.float32


@pytest.mark.parametrize("name, args", CALLS, ids=[c[0] for c in CALLS])
def test_values_match_scipy_and_keep_float32(name, args):
    assert_allclose(getattr(special, name)(*args), getattr(scipy.special, name)(*args),
                    rtol=1e-13)
    single = tuple(a.astype(onp.float32) if onp.asarray(a).dtype.kind == "f" and
                   onp.ndim(a) else a for a in args)
    assert getattr(special, name)(*single).dtype == onp.float32


def test_multigammaln_matches_scipy_and_rejects_bad_arguments():
    for d in (1, 2, 5):
        a = POS + 0.5 * d
        assert_allclose(special.multigammaln(a, d), scipy.special.multigammaln(a, d))
    assert special.multigammaln(onp.float32(3.0), 3).dtype == onp.float32
    with pytest.raises(ValueError, match="exceed"):
        special.multigammaln(0.9, 3)
    with pytest.raises(ValueError, match="positive integer"):
        special.multigammaln(3.0, 2.0)


def test_derivatives_match_closed_forms():
    # B(a, 1) = 1 / a, Gamma'(1) = -euler_gamma, P(1, x) = 1 - exp(-x), I_1'(0) = 1/2
    assert_allclose(grad(special.beta)(2.0, 1.0), -0.25)
    assert_allclose(grad(special.betaln, argnum=1)(1.0, 3.0), -1 / 3)
    assert_allclose(grad(special.gamma)(1.0), -onp.euler_gamma)
    assert_allclose(grad(special.rgamma)(1.0), onp.euler_gamma)
    assert_allclose(grad(special.gammainc, argnum=1)(1.0, 0.7), math.exp(-0.7))
    assert_allclose(grad(special.gammaincc, argnum=1)(1.0, 0.7), -math.exp(-0.7))
    assert_allclose(grad(grad(special.betainc, argnum=2), argnum=2)(2.0, 1.0, 0.3), 2.0)
    assert_allclose(grad(special.stdtr, argnum=1)(1.0, 0.5), 1 / (math.pi * 1.25))
    assert_allclose(grad(special.i1)(0.0), 0.5)
    assert_allclose(grad(special.j0)(1.3), -scipy.special.j1(1.3))
    # ive(v, x) = iv(v, x) exp(-|x|), so ive' = iv' exp(-|x|) - sign(x) ive; x < 0 here
    x = -1.7
    assert_allclose(grad(special.ive, argnum=1)(2.0, x),
                    0.5 * (scipy.special.iv(1, x) + scipy.special.iv(3, x)) * math.exp(-abs(x))
                    + scipy.special.ive(2.0, x))
    a = onp.array([2.5, 4.0])
    assert_allclose(grad(lambda a: special.multigammaln(a, 2).sum())(a),
                    scipy.special.digamma(a) + scipy.special.digamma(a - 0.5))


REFUSED = [
    ("betainc", 0, (0.5, 2.0, 0.3), "'a'"),
    ("betainc", 1, (0.5, 2.0, 0.3), "'b'"),
    ("gammainc", 0, (1.5, 0.7), "'a'"),
    ("gammaincc", 0, (1.5, 0.7), "'a'"),
    ("stdtr", 0, (3.0, 0.7), "'df'"),
    ("jn", 0, (1.0, 0.7), "'n'"),
    ("iv", 0, (1.0, 0.7), "'v'"),
    ("ive", 0, (1.0, 0.7), "'v'"),
]


@pytest.mark.parametrize("name, argnum, args, arg_name", REFUSED,
                         ids=[f"{r[0]}-{r[3]}" for r in REFUSED])
def test_derivatives_without_closed_form_raise_in_both_modes(name, argnum, args, arg_name):
    fun = getattr(special, name)
    with pytest.raises(NotImplementedError, match=f"{name} .*{arg_name}"):
        grad(fun, argnum=argnum)(*args)

    def along(t):
        moved = list(args)
        moved[argnum] = t
        return fun(*moved)

    with pytest.raises(NotImplementedError, match=f"{name} .*{arg_name}"):
        make_jvp(along)(args[argnum])(1.0)


def test_ive_of_complex_x_refuses_a_derivative():
    assert_allclose(special.ive(1.0, 0.5 + 1j), scipy.special.ive(1.0, 0.5 + 1j))
    with pytest.raises(NotImplementedError, match="holomorphic"):
        grad(lambda z: onp.real(special.ive(1.0, z)))(0.5 + 1j)


def test_scipy_calls_on_traced_values_reach_mlkit():
    assert_allclose(grad(lambda x: scipy.special.gamma(x))(2.5),
                    scipy.special.gamma(2.5) * scipy.special.digamma(2.5))
    assert_allclose(grad(lambda x: scipy.special.yn(1, x))(2.0),
                    0.5 * (scipy.special.yn(0, 2.0) - scipy.special.yn(2, 2.0)))


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_rgamma_and_beta_at_the_poles_of_gamma_have_their_finite_derivatives(dtype):
    # Near -n, 1/Gamma(x) = (-1)^n n! (e - psi(n+1) e^2 + ...) with e = x + n.
    n = onp.arange(5)
    x = (-n).astype(dtype)
    slope = (-1.0) ** n * scipy.special.factorial(n)
    tol = 1e-5 if dtype == onp.float32 else 1e-12
    first = elementwise_grad(special.rgamma)(x)
    assert first.dtype == dtype
    assert_allclose(first, slope, rtol=tol)
    assert_allclose(make_jvp(special.rgamma)(x)(onp.ones_like(x))[1], slope, rtol=tol)
    assert_allclose(elementwise_grad(elementwise_grad(special.rgamma))(x),
                    -2 * slope * scipy.special.digamma(n + 1.0), rtol=tol)
    # B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b) is 0 where a + b = -n, with slope
    # Gamma(a) Gamma(b) (-1)^n n! in a and in b.
    a, b = onp.array([-0.5, -1.5, 0.5], dtype), onp.array([-1.5, -1.5, -1.5], dtype)
    expected = (scipy.special.gamma(a) * scipy.special.gamma(b)
                * [2.0, -6.0, -1.0])  # a + b = -2, -3, -1
    for argnum in (0, 1):
        assert_allclose(elementwise_grad(special.beta, argnum)(a, b), expected, rtol=tol)


def _beta_at_count(y, n):
    """B(y, n) = (n - 1)! / (y (y + 1) ... (y + n - 1)) and its first two y-derivatives."""
    terms = 1 / (y[..., None] + onp.arange(n))
    value = math.factorial(n - 1) * onp.prod(terms, axis=-1)
    first_sum, second_sum = terms.sum(-1), (terms * terms).sum(-1)
    return value, -value * first_sum, value * (first_sum ** 2 + second_sum)


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_beta_where_both_a_and_a_plus_n_are_poles(dtype, n):
    # psi(a) - psi(a + n) is inf - inf at a = -3, -4 (was nan) and cancels two terms of size
    # 1 / (a + 3) beside them (was off by its whole size at 1e-9 from the pole).
    offsets = [0.0, 2.0 ** -20, -(2.0 ** -17)] if dtype == onp.float32 else [0, 1e-9, -1e-7]
    a = (onp.array([[-3.0], [-4.0]]) + offsets).astype(dtype)
    value, first, second = _beta_at_count(a.astype(onp.float64), n)
    tol = 1e-5 if dtype == onp.float32 else 1e-9
    b = onp.full_like(a, n)
    for x, y, argnum in ((a, b, 0), (b, a, 1)):  # B is symmetric
        slope = elementwise_grad(special.beta, argnum)(x, y)
        assert slope.dtype == dtype
        assert_allclose(slope, first, rtol=tol)
        tangent = make_jvp(lambda z: special.beta(*((z, y) if argnum == 0 else (x, z))))(
            a)(onp.ones_like(a))[1]
        assert_allclose(tangent, first, rtol=tol)
        assert_allclose(elementwise_grad(elementwise_grad(special.beta, argnum), argnum)(x, y),
                        second, rtol=tol)


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_beta_slope_in_a_count_beside_both_poles(dtype):
    # d/dn B(n, y) = B (psi(n) - psi(n + y)) for y = -m + d, n + y = -k + d a pole too:
    # psi(-k + d) = psi(1 + d) - sum_{j <= k} 1 / (d - j), in a form exact at small d.
    d = 2.0 ** -20 if dtype == onp.float32 else 1e-9
    for n, m in ((1, 3), (2, 3), (3, 4)):
        y, k = -m + d, m - n
        d = y + m  # the offset y holds, exactly
        reference = _beta_at_count(onp.array([y]), n)[0][0] * (
            scipy.special.digamma(n) - scipy.special.digamma(1 + d)
            + sum(1 / (d - j) for j in range(k + 1)))
        args = (onp.array([n], dtype), onp.array([y], dtype))
        slope = elementwise_grad(special.beta)(*args)
        assert slope.dtype == dtype
        assert_allclose(slope, [reference], rtol=1e-5 if dtype == onp.float32 else 1e-9)
        assert_allclose(make_jvp(lambda z: special.beta(z, args[1]))(args[0])(
            onp.ones_like(args[0]))[1], [reference], rtol=1e-5 if dtype == onp.float32 else 1e-9)


@pytest.mark.filterwarnings("ignore:invalid value")
def test_beta_has_no_slope_in_n_where_a_is_a_pole():
    # B(-3, n + e) is infinite for every e != 0: nan, and nan again for every derivative that
    # goes through it (not 0).
    assert onp.isnan(grad(special.beta, 1)(-3.0, 2.0))
    assert onp.isnan(grad(grad(special.beta, 0), 1)(-3.0, 2.0))
    assert onp.isnan(grad(grad(special.beta, 1), 0)(-3.0, 2.0))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("pole, at", [(0.0, 2.5), (0.0, 1.0), (-1.0, 2.5)])
@pytest.mark.parametrize("pole_first", [True, False])
def test_beta_at_a_pole_has_no_slope_in_the_other_argument_in_any_mode(pole, at, pole_first):
    # B(0, b) = inf: its slope in b was 0 (inf times psi(b) - psi(0 + b) = 0), and the mixed
    # partial 0, nan or -inf by the order and mode; every one is nan now. Written as f(pole,
    # at), with B's arguments in either order.
    f = special.beta if pole_first else (lambda u, v: special.beta(v, u))
    assert onp.isinf(f(pole, at))
    assert onp.isnan(grad(f, 1)(pole, at))
    assert onp.isnan(make_jvp(lambda v: f(pole, v))(at)(1.0)[1])
    mixed = [grad(grad(f, 0), 1)(pole, at), grad(grad(f, 1), 0)(pole, at),
             jit(grad(grad(f, 1), 0))(pole, at),
             make_jvp(lambda v: grad(f, 0)(pole, v))(at)(1.0)[1],
             grad(lambda v: make_jvp(lambda u: f(u, v))(pole)(1.0)[1])(at),
             make_jvp(lambda v: make_jvp(lambda u: f(u, v))(pole)(1.0)[1])(at)(1.0)[1]]
    assert onp.isnan(mixed).all()


def test_yn_of_a_fractional_order_differentiates_the_truncated_order():
    """scipy truncates yn's order toward 0, so yn(0.5, x) = yn(-0.5, x) = Y_0(x), whose slope
    is -Y_1; the recurrence from n - 1 and n + 1 truncated apiece gave (Y_0 - Y_1) / 2."""
    x = onp.array([0.8, 2.0])
    with onp.errstate(all="ignore"), pytest.warns(RuntimeWarning, match="truncated"):
        slope = grad(lambda x: special.yn(onp.array([0.5, -0.5]), x).sum())(x)
        tangent = make_jvp(lambda x: special.yn(0.5, x))(x)(onp.ones(2))[1]
    assert_allclose(slope, -scipy.special.y1(x), rtol=1e-12)
    assert_allclose(tangent, -scipy.special.y1(x), rtol=1e-12)


def test_derivatives_of_digamma_and_gamma_at_complex_points():
    """scipy's polygamma is real only; mlkit's series gives digamma's derivatives there."""
    z = onp.array([1.0 + 1.0j, -3.7 + 0.2j, 0.3 - 2.0j, 30.0 + 5.0j])
    trigamma = elementwise_grad(lambda z: special.digamma(z))(z)  # holomorphic: d psi / dz
    assert_allclose(trigamma[0], 0.4630000966227638 - 0.7942335427593189j, rtol=1e-14)
    h = 1e-5
    psi = scipy.special.digamma
    assert_allclose(trigamma, (psi(z + h) - psi(z - h)) / (2 * h), rtol=1e-8)
    _, tangent = make_jvp(special.psi)(z)(onp.ones_like(z))
    assert_allclose(tangent, trigamma, rtol=1e-14)
    second = elementwise_grad(elementwise_grad(special.gamma))(z[:3])
    g = scipy.special.gamma
    assert_allclose(second, (g(z[:3] + h) - 2 * g(z[:3]) + g(z[:3] - h)) / h ** 2, rtol=1e-4)
    tetragamma = elementwise_grad(lambda z: special.polygamma(1, z))(z)
    psi1 = special.polygamma
    assert_allclose(tetragamma, (psi1(1, z + h) - psi1(1, z - h)) / (2 * h), rtol=1e-8)
    assert_allclose(psi1(1, onp.array([2.0 + 0.0j])), [onp.pi ** 2 / 6 - 1], rtol=1e-15)
    with pytest.raises(ValueError, match="one integer n >= 1"):
        special.polygamma(onp.array([1, 2]), z[:2])


def test_digammas_slope_at_a_complex_nan_is_nan_and_the_others_are_kept():
    z = onp.array([complex("nan+1j"), 1.0 + 1.0j])
    _, trigamma = make_jvp(special.digamma)(z)(onp.ones_like(z))
    assert onp.isnan(trigamma[0])
    assert_allclose(trigamma[1], 0.4630000966227638 - 0.7942335427593189j, rtol=1e-14)
