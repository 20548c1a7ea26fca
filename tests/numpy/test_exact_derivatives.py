"""Derivatives that used to be silently wrong (zero, nan, or of the wrong dtype) are now the
true ones, or refused with a clear error.

Each case is checked against finite differences to second order in both modes, or against the
closed form where the point is a kink (and a finite subgradient is the answer)."""

import warnings

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import defvjp, grad, hessian, hessian_tensor_product, jit, make_jvp, primitive
from mlkit.scipy import special
from mlkit.testing import check_grads

RNG = onp.random.default_rng(3)


def _strict(fun, *args):
    """``fun(*args)`` with any warning (a zero-derivative notice, a nan) made an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fun(*args)


# --- fill values ----------------------------------------------------------------------------
def test_full_is_differentiable_in_its_fill_value():
    assert _strict(grad(lambda a: np.sum(np.full((3,), a))), 2.0) == 3.0
    assert _strict(grad(lambda a: np.sum(np.full_like(onp.ones((2, 2)), a))), 2.0) == 4.0
    # full_like only reads the shape and dtype of its first argument: a true zero.
    with pytest.warns(UserWarning, match="does not depend"):
        assert grad(lambda x: np.sum(np.full_like(x, 2.0)))(onp.ones(3)).tolist() == [0, 0, 0]


def _log_sum_exp_with_a_hand_written_rule():
    """The textbook custom primitive: a log-sum-exp whose VJP spreads the scalar cotangent and
    the output over the input's shape with ``np.full``."""

    @primitive
    def log_sum_exp(x):
        top = onp.max(x)
        return top + onp.log(onp.sum(onp.exp(x - top)))

    def log_sum_exp_vjp(ans, x):
        shape = x.shape
        return lambda g: np.full(shape, g) * np.exp(x - np.full(shape, ans))

    defvjp(log_sum_exp, log_sum_exp_vjp)
    return log_sum_exp


def test_custom_primitive_built_on_full_has_the_full_hessian():
    log_sum_exp = _log_sum_exp_with_a_hand_written_rule()
    x = onp.array([0.3, -1.2, 0.8, 0.1])
    p = onp.exp(x - onp.log(onp.sum(onp.exp(x))))
    h = _strict(hessian(log_sum_exp), x)
    onp.testing.assert_allclose(h, onp.diag(p) - onp.outer(p, p), atol=1e-12)
    check_grads(log_sum_exp, modes=("rev",), order=2)(x)
    check_grads(lambda x: log_sum_exp(x * x), modes=("rev",), order=2)(x)


# --- keyword spellings ----------------------------------------------------------------------
def test_clip_with_numpy_keyword_names_has_the_right_gradient():
    x = onp.array([-2.0, 0.0, 2.0])
    for kwargs in ({"a_min": -1, "a_max": 1}, {"min": -1, "max": 1}):
        g = grad(lambda x, _kw=kwargs: np.sum(np.clip(x, **_kw)))(x)
        onp.testing.assert_array_equal(g, [0.0, 1.0, 0.0])
    bounds = grad(lambda lo, hi: np.sum(np.clip(x, a_min=lo, a_max=hi)), argnum=(0, 1))
    onp.testing.assert_array_equal(bounds(-1.0, 1.0), (1.0, 1.0))
    with pytest.raises(TypeError, match="a_min and min"):
        np.clip(x, a_min=0.0, min=0.0)


def test_reductions_honour_initial_and_where():
    x = onp.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    mask = onp.array([True, False, True])
    for kwargs in ({"where": mask}, {"where": mask, "axis": 1}, {"axis": 0, "initial": 2.0}):
        for fun in (np.sum, np.mean) if "initial" not in kwargs else (np.sum, np.max):
            check_grads(lambda x, _f=fun, _kw=kwargs: _f(x, **_kw), modes=("fwd", "rev"),
                        order=2)(x)
    check_grads(lambda v: np.sum(x, initial=v), modes=("fwd", "rev"), order=2)(0.5)
    # A constant initial= that wins leaves nothing for x (not nan).
    onp.testing.assert_array_equal(_strict(grad(lambda x: np.max(x, initial=9.0)), x), x * 0)
    assert _strict(grad(lambda v: np.max(x, initial=v)), 9.0) == 1.0
    # -1.5 is the minimum of the second row only; -1.0 ties with that row's minimum.
    assert _strict(grad(lambda v: np.sum(np.min(x, axis=1, initial=v))), -1.5) == 1.0
    assert _strict(grad(lambda v: np.sum(np.min(x, axis=1, initial=v))), -1.0) == 0.5
    with pytest.raises(NotImplementedError, match="initial="):
        grad(lambda v: np.prod(x, initial=v))(2.0)
    # where=: only the selected elements are candidates (the unselected 3.0 ties, takes none)
    tied = onp.array([[3.0, 3.0, 1.0], [0.5, 4.0, -1.0]])
    onp.testing.assert_array_equal(
        grad(lambda x: np.sum(np.max(x, axis=1, initial=-9.0, where=mask)))(tied),
        [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    for fun, kw in ((np.max, {"initial": -9.0}), (np.min, {"initial": 9.0}), (np.prod, {})):
        check_grads(lambda x, _f=fun, _kw=kw: _f(x, axis=1, where=mask, **_kw),
                    modes=("fwd", "rev"), order=2)(x)
    # prod(where=) is the product of the selected elements: d/dx0 (x0 x2) = x2, 0 for x1
    onp.testing.assert_array_equal(grad(lambda x: np.sum(np.prod(x, axis=1, where=mask)))(x),
                                   [[3.0, 0.0, 1.0], [-1.0, 0.0, 0.5]])


# --- nan at x == 0 --------------------------------------------------------------------------
@pytest.mark.parametrize("exponent, first, second", [(0.0, 0.0, 0.0), (0, 0.0, 0.0),
                                                     (1.0, 1.0, 0.0), (2.0, 0.0, 2.0),
                                                     (3.0, 0.0, 0.0)])
def test_power_at_zero_is_finite_where_the_math_is(exponent, first, second):
    def f(x):
        return x ** exponent

    assert _strict(grad(f), 0.0) == first
    assert _strict(grad(grad(f)), 0.0) == second
    exponents = onp.array([exponent, 1.0])
    onp.testing.assert_array_equal(
        _strict(grad(lambda x: np.sum(np.power(x, exponents))), onp.zeros(2)), [first, 1.0])


def test_power_of_zero_is_flat_in_a_positive_exponent():
    assert _strict(grad(lambda y: np.power(0.0, y)), 1.5) == 0.0
    assert _strict(grad(grad(lambda y: 0.0 ** y)), 2.0) == 0.0


def test_std_and_norm_of_a_constant_have_the_subgradient_zero():
    constant = onp.full((2, 3), 0.7)
    for fun in (np.std, lambda x: np.sum(np.std(x, axis=1)),
                lambda x: np.std(x - 0.7 + 0.0) + np.linalg.norm(x - 0.7)):
        onp.testing.assert_array_equal(_strict(grad(fun), constant), onp.zeros((2, 3)))
        h = _strict(hessian_tensor_product(fun), constant, onp.ones((2, 3)))
        assert onp.all(onp.isfinite(h))
    # Away from the kink, the usual derivative.
    x = RNG.standard_normal((2, 3))
    check_grads(lambda x: np.std(x, axis=1), modes=("fwd", "rev"), order=2)(x)


def test_a_python_zero_divisor_gives_numpys_infinite_derivative():
    """1 / 0 in the rule is numpy's inf (as the value x / 0 is), not a ZeroDivisionError."""
    x = onp.array([1.0, -2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert grad(lambda x: np.sum(x / 0))(x).tolist() == [onp.inf, onp.inf]
        assert grad(lambda x: np.sum(x / 0.0))(x.astype(onp.float32)).dtype == onp.float32


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd", "mean"])
@pytest.mark.parametrize("axis", [None, 0])
def test_statistics_of_no_elements_have_an_empty_gradient(name, axis):
    x = onp.zeros((0, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = grad(lambda x: np.sum(getattr(np, name)(x, axis=axis)))(x)
    assert g.shape == (0, 3) and g.dtype == x.dtype


def test_xlogy_is_flat_in_y_where_x_is_zero():
    for fun in (special.xlogy, special.xlog1py):
        at = -1.0 if fun is special.xlog1py else 0.0
        assert _strict(grad(lambda y, _f=fun: _f(0.0, y)), at) == 0.0
        assert _strict(grad(grad(lambda y, _f=fun: _f(0.0, y))), at) == 0.0


def test_logaddexp_derivatives_keep_the_far_tail():
    # d2/dx2 log(e^x + 1) = e^-x / (1 + e^-x)^2, about 4.2e-18 at 40: not 0.
    exact = onp.exp(-40.0) / (1 + onp.exp(-40.0)) ** 2
    for order, sign in ((2, 1.0), (3, -1.0)):
        derivative = lambda x: np.logaddexp(x, 0.0)  # noqa: E731
        for _ in range(order):
            derivative = grad(derivative)
        onp.testing.assert_allclose(derivative(40.0), sign * exact, rtol=1e-12)
    onp.testing.assert_allclose(grad(grad(lambda x: np.logaddexp2(0.0, x)))(60.0),
                                onp.log(2.0) * 2.0 ** -60, rtol=1e-12)


@pytest.mark.parametrize("x", [-700.0, -40.0, -1e-3, 2.0])
def test_expm1_derivatives_are_exp_to_relative_accuracy_in_the_left_tail(x):
    # expm1(x) + 1 rounds to 0 for x << 0, but exp(x) is the derivative at every order.
    assert abs(grad(np.expm1)(x) - onp.exp(x)) <= 1e-15 * onp.exp(x)
    assert abs(grad(grad(np.expm1))(x) - onp.exp(x)) <= 1e-15 * onp.exp(x)


@pytest.mark.parametrize("x", [-40.0, -20.0, -3.0, -1.0, -0.2, 0.0, 0.9, 1.0, 1.5, 19.5, 300.0])
def test_tanh_derivatives_keep_relative_accuracy_in_the_tails(x):
    # 1 - tanh(x)**2 rounds to 0 from |x| > 19, but sech(x)**2 is about 4 e^-2|x| there.
    sech2 = 1 / onp.cosh(x) ** 2
    exact = [sech2, -2 * sech2 * onp.tanh(x), 4 * sech2 * onp.tanh(x) ** 2 - 2 * sech2 ** 2]
    derivative = np.tanh
    for order in range(3):
        derivative = grad(derivative)
        assert abs(derivative(x) - exact[order]) <= 4e-16 * abs(exact[order]) + 1e-300, order
    check_grads(np.tanh, modes=("fwd", "rev"), order=2)(onp.array([x, x / 7]))
    assert grad(np.tanh)(onp.float32(x)).dtype == onp.float32


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_tanh_gradient_of_arrays_past_coshs_overflow_is_silent_exact_and_fresh(dtype):
    x = onp.array([-1000.0, -100.0, -30.0, -0.5, 0.0, 2.0, 50.0, 95.0, 800.0], dtype)
    wide = onp.abs(x.astype(onp.float64))
    exact = 4 * onp.exp(-2 * wide) / (1 + onp.exp(-2 * wide)) ** 2  # no overflow anywhere
    gradient = grad(lambda x: np.sum(np.tanh(x)))
    compiled = jit(gradient)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # cosh overflows past 89 (float32) and 710 (float64)
        want = gradient(x)
        results = [compiled(x) for _ in range(3)]
    assert want.dtype == dtype
    onp.testing.assert_allclose(want, exact.astype(dtype), rtol=4 * onp.finfo(dtype).eps,
                                atol=0)
    for result in results:  # each call its own array, bit for bit eager's
        onp.testing.assert_array_equal(result, want)
        assert result.dtype == dtype
    assert not onp.shares_memory(results[1], results[2])


# --- a 0-d input reduced or scanned along axis 0 or -1 (numpy allows it) --------------------
@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "amax", "nansum", "ptp", "cumsum",
                                  "cumprod"])
@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("x", [0.5, 0.0], ids=["x=0.5", "x=0"])
def test_a_0d_input_reduced_along_an_axis_gets_a_0d_derivative(name, axis, x):
    reduce = getattr(np, name)
    slope = 0.0 if name == "ptp" else 3 * x ** 2  # of reduce(x**3): x**3 itself, or 0 for ptp
    g = grad(lambda x: np.sum(reduce(x ** 3, axis=axis)))(x)
    assert onp.shape(g) == () and g == slope
    check_grads(lambda x: reduce(x ** 3, axis=axis), modes=("fwd", "rev"), order=2)(x)


# --- selection by a condition -------------------------------------------------------------
@pytest.mark.parametrize("condition",
                         [onp.array([0.0, -0.5, 2.0]), onp.array([0, 3, 1]), [0, 7, 1]])
def test_where_picks_by_the_truth_of_a_condition_that_is_not_boolean(condition):
    # numpy.where takes any nonzero condition as true: x's weight is 1 there, not the value.
    x, y, w = onp.array([1.0, 2.0, 3.0]), onp.array([4.0, 5.0, 6.0]), onp.array([1.0, 10.0, 100.0])
    assert grad(lambda x: np.sum(w * np.where(condition, x, y)))(x).tolist() == [0.0, 10.0, 100.0]
    assert grad(lambda y: np.sum(w * np.where(condition, x, y)))(y).tolist() == [1.0, 0.0, 0.0]
    assert make_jvp(lambda x: np.where(condition, x, y))(x)(w)[1].tolist() == [0.0, 10.0, 100.0]
    check_grads(lambda x, y: np.where(condition, x ** 2, y ** 3), modes=("fwd", "rev"),
                order=2)(x, y)


# --- refused rather than zero ---------------------------------------------------------------
def test_histogram_refuses_edges_that_depend_on_a_traced_value():
    x = onp.array([0.1, 0.5, 0.7])
    with pytest.raises(NotImplementedError, match="constant edges"):
        grad(lambda x: np.sum(np.histogram(x)[1]))(x)
    with pytest.raises(NotImplementedError, match="weights"):
        grad(lambda w: np.sum(np.histogram(x, bins=2, range=(0, 1), weights=w)[0]))(x)
    counts = np.histogram(x, bins=onp.array([0.0, 0.4, 1.0]))[0]
    onp.testing.assert_array_equal(counts, [1, 2])


def test_multi_axis_histograms_count_as_numpy_and_refuse_what_they_cannot_differentiate():
    x, y = RNG.uniform(size=6), RNG.uniform(size=6)
    edges = [onp.linspace(0, 1, 3), onp.linspace(0, 1, 4)]
    for bins in (3, [2, 3], onp.linspace(0, 1, 5), edges):
        for ours, numpys in zip(np.histogram2d(x, y, bins), onp.histogram2d(x, y, bins)):
            onp.testing.assert_array_equal(ours, numpys)
    sample = onp.stack([x, y], axis=1)
    onp.testing.assert_array_equal(np.histogramdd(sample, edges)[0],
                                   onp.histogramdd(sample, edges)[0])
    # Counts are flat in the samples once the edges are constant: the derivative is exactly 0.
    g = grad(lambda x: np.sum(np.sin(x)) + np.sum(np.histogram2d(x, y, edges)[0]))(x)
    onp.testing.assert_allclose(g, onp.cos(x))
    with pytest.raises(NotImplementedError, match="constant edges"):
        grad(lambda x: np.sum(np.histogram2d(x, y, bins=3)[1]))(x)
    with pytest.raises(NotImplementedError, match="weights"):
        grad(lambda w: np.sum(np.histogramdd(sample, edges, weights=w)[0]))(x)


@pytest.mark.parametrize("call, hint", [
    (lambda x: np.i0(x), "mlkit.scipy.special.i0"),
    (lambda x: np.kaiser(4, x[0]), "i0"),
    (lambda x: np.asmatrix(x), "matrix"),
    (lambda x: np.bmat([[x[:1], x[1:2]]]), "np.block"),
])
def test_values_without_a_derivative_refuse_traced_inputs(call, hint):
    x = onp.array([0.5, 1.5, 2.0])
    with pytest.raises(TypeError, match=hint):
        grad(lambda x: np.sum(call(x)))(x)
    onp.testing.assert_array_equal(np.i0(x), onp.i0(x))
    onp.testing.assert_array_equal(np.kaiser(4, 2.0), onp.kaiser(4, 2.0))


# --- real and complex factors ---------------------------------------------------------------
REAL = RNG.standard_normal((3, 3))
COMPLEX = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
# Every binary function that takes a complex argument, as f(x, y) on 3x3 matrices.
BINARY = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply,
    "divide": lambda x, y: np.divide(x, y + 3.0), "power": lambda x, y: np.power(x * x + 1.0, y),
    "float_power": lambda x, y: np.float_power(x * x + 1.0, y), "matmul": np.matmul,
    "dot": np.dot, "dot-vector": lambda x, y: np.dot(x, y[0]), "matmul-vector":
    lambda x, y: np.matmul(x[0], y), "tensordot": np.tensordot,
    "tensordot-1": lambda x, y: np.tensordot(x, y, axes=1), "inner": np.inner,
    "outer": np.outer, "vdot": np.vdot, "kron": np.kron,
    "einsum": lambda x, y: np.einsum("ij,jk->ik", x, y),
    "solve": lambda x, y: np.linalg.solve(x + 4 * onp.eye(3), y),
    "where": lambda x, y: np.where(REAL > 0, x, y), "concatenate": lambda x, y: np.concatenate(
        [x, y]), "stack": lambda x, y: np.stack([x, y], axis=-1),
    "real-of-product": lambda x, y: np.real(x * y), "imag-of-product": lambda x, y: np.imag(x @ y),
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("real_first", [True, False], ids=["real-complex", "complex-real"])
def test_real_argument_of_a_complex_product_has_real_derivatives(name, real_first):
    fun = BINARY[name]

    def loss(x):
        out = fun(x, COMPLEX) if real_first else fun(COMPLEX, x)
        return np.sum(np.real(out * np.conj(out)))

    g = grad(loss)(REAL)
    h = hessian_tensor_product(loss)(REAL, onp.ones((3, 3)))
    assert g.dtype == h.dtype == onp.float64, (g.dtype, h.dtype)
    check_grads(loss, modes=("fwd", "rev"), order=2)(REAL)


def test_arccosh_of_complex_z_left_of_the_imaginary_axis():
    """d arccosh / dz = 1 / (sqrt(z - 1) sqrt(z + 1)); 1 / sqrt(z^2 - 1) has the wrong sign
    where Re z < 0 (at -0.7 + 0.2j it gave 0.297 + 1.238j, the true slope is its negative)."""
    from mlkit import holomorphic_grad
    z = onp.array([-0.7 + 0.2j, -1.8 + 2.5j, 1.3 - 0.6j, -1.6 - 1.7j])
    want = 1 / (onp.sqrt(z - 1) * onp.sqrt(z + 1))
    h = 1e-7
    assert onp.allclose(want, (onp.arccosh(z + h) - onp.arccosh(z - h)) / (2 * h))
    assert onp.allclose([holomorphic_grad(np.arccosh)(w) for w in z], want, rtol=1e-12)
    assert onp.allclose(make_jvp(np.arccosh)(z)(onp.ones(4))[1], want, rtol=1e-12)
    second = [holomorphic_grad(holomorphic_grad(np.arccosh))(w) for w in z]
    assert onp.allclose(second, -z * want ** 3, rtol=1e-10)


def test_geomspace_between_complex_ends_across_the_negative_real_axis():
    """numpy turns from start by the angle of stop / start; log(stop) - log(start) went the
    other way round where the ends straddle the cut (values and slopes both wrong)."""
    start, stop = -1.2 - 0.3j, 0.5 + 0.2j
    ratio = stop / start
    t = onp.linspace(0, 1, 5)
    path = start * ratio ** t
    traced, slope = make_jvp(lambda s: np.geomspace(s, stop, 5))(start)(1.0)
    assert onp.allclose(traced, onp.geomspace(start, stop, 5), rtol=1e-12)
    assert onp.allclose(traced, path, rtol=1e-12)
    assert onp.allclose(slope, (1 - t) * path / start, rtol=1e-12)
    h = 1e-6
    fd = (onp.geomspace(start, stop + 1j * h, 5) - onp.geomspace(start, stop - 1j * h, 5)) / 2
    tangent = make_jvp(lambda e: np.geomspace(start, e, 5))(stop)(1j * h)[1]
    assert onp.allclose(tangent, fd, rtol=1e-6, atol=1e-12)


def test_pinv_refuses_a_derivative_where_its_tolerance_drops_singular_values():
    """pinv's rules are those of the inverse of a itself; with rcond = 0.37 it inverts a
    truncated a (singular values 1.364 and 0.102), and the rules gave -8.3649 along ones for
    a slope whose finite difference is -8.3698."""
    from mlkit.scipy import linalg as scipy_linalg
    a = onp.array([[0.53, 0.65], [0.57, 0.53], [0.45, 0.60]])
    weights = onp.arange(6.0).reshape(2, 3)
    for fun in (lambda a: np.linalg.pinv(a, rcond=0.37), lambda a: np.linalg.pinv(a, rtol=0.37),
                lambda a: scipy_linalg.pinv(a, atol=0.2)):
        with pytest.raises(NotImplementedError, match="dropped nonzero singular values"):
            grad(lambda a: np.sum(fun(a) * weights))(a)
        with pytest.raises(NotImplementedError, match="dropped nonzero singular values"):
            make_jvp(fun)(a)(onp.ones((3, 2)))
    direction = onp.ones((3, 2))
    slope = grad(lambda a: np.sum(np.linalg.pinv(a, rcond=1e-12) * weights))(a)
    h = 1e-6
    moved = [onp.sum(onp.linalg.pinv(a + s * h * direction) * weights) for s in (1, -1)]
    assert onp.isclose(onp.sum(slope * direction), (moved[0] - moved[1]) / (2 * h), rtol=1e-6)
