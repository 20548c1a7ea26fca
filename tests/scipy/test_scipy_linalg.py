"""mlkit.scipy.linalg: traced calls compute scipy's values (scipy's conventions: the upper
Cholesky factor by default, one triangle read), derivatives land only on what scipy reads, the
namespace holds scipy.linalg's functions, each differentiable, constant, or refusing clearly
when differentiated, and bad shapes get clear errors. (Finite-difference checks in both modes
to order 2 and float32 checks are in tests/numpy/specs.py.)"""

import numpy as onp
import pytest
import scipy.linalg
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, jit, make_jvp, make_vjp
from mlkit.autodiff.forward import has_jvp
from mlkit.autodiff.reverse import has_vjp
from mlkit.numpy.wrap import kind_of
from mlkit.scipy import linalg

RNG = onp.random.default_rng(5)
A = RNG.standard_normal((3, 3)) + 3 * onp.eye(3)
_M = RNG.standard_normal((3, 3))
SPD = _M @ _M.T + onp.eye(3)
B = RNG.standard_normal((3, 2))
Q = RNG.standard_normal((3, 3))
LU, PIV = scipy.linalg.lu_factor(Q)


def traced(fun, *args):
    """``fun``'s value computed with its first argument traced."""
    return make_vjp(fun)(*args)[1]


# (id, call(module, *args), args): called with scipy.linalg, then with ours on traced input.
VALUE_CASES = [
    ("solve_triangular", lambda m, a, b: m.solve_triangular(a, b, trans=1, lower=True), (A, B)),
    ("solve_triangular-unit", lambda m, a, b: m.solve_triangular(a, b, unit_diagonal=True),
     (A, B[:, 0])),
    ("solve_banded", lambda m, ab, b: m.solve_banded((1, 1), ab, b), (A, B)),
    ("solve_sylvester", lambda m, a, q: m.solve_sylvester(a, 2 * a, q), (A, Q)),
    ("solve_continuous_lyapunov", lambda m, a, q: m.solve_continuous_lyapunov(a, q), (A, Q)),
    ("sqrtm", lambda m, a: m.sqrtm(a), (SPD,)),
    ("expm", lambda m, a: m.expm(a), (A / 3,)),
    ("logm", lambda m, a: m.logm(a), (SPD,)),
    ("cosm", lambda m, a: m.cosm(a), (A / 3,)),
    ("tanhm", lambda m, a: m.tanhm(a), (A / 3,)),
    ("cholesky", lambda m, a: m.cholesky(a), (SPD + onp.tril(Q, -1),)),
    ("cholesky-lower", lambda m, a: m.cholesky(a, lower=True), (SPD + onp.triu(Q, 1),)),
    ("cho_factor", lambda m, a: m.cho_factor(a)[0], (SPD,)),
    ("cho_solve", lambda m, a, b: m.cho_solve((a, True), b), (A, B)),
    ("lu_solve", lambda m, lu, b: m.lu_solve((lu, PIV), b), (LU, B)),
    ("lu_solve-transposed", lambda m, lu, b: m.lu_solve((lu, PIV), b[:, 0], trans=1), (LU, B)),
    ("solve", lambda m, a, b: m.solve(a, b), (A, B)),
    ("solve-sym", lambda m, a, b: m.solve(a, b, assume_a="sym"), (Q + 4 * onp.eye(3), B)),
    ("solve-pos-lower", lambda m, a, b: m.solve(a, b, assume_a="pos", lower=True),
     (SPD + onp.triu(Q, 1), B)),
    ("solve-transposed", lambda m, a, b: m.solve(a, b, transposed=True), (A, B)),
    ("inv", lambda m, a: m.inv(a), (A,)),
    ("det", lambda m, a: m.det(a), (A,)),
    ("pinv", lambda m, a: m.pinv(a), (B,)),
    ("norm", lambda m, a: m.norm(a, 2), (A,)),
    ("svdvals", lambda m, a: m.svdvals(a), (B,)),
    ("eigh", lambda m, a: m.eigh(a)[0], (SPD,)),
    ("eigvalsh-upper", lambda m, a: m.eigvalsh(a, lower=False), (Q,)),
    ("eigh-driver-ev", lambda m, a: m.eigh(a, driver="ev")[1], (Q + Q.T,)),
    ("eigh-driver-evd-upper", lambda m, a: m.eigh(a, lower=False, driver="evd")[1], (Q + Q.T,)),
    ("inv-pos", lambda m, a: m.inv(a, assume_a="pos"), (SPD + onp.tril(Q, -1),)),
    ("svd", lambda m, a: m.svd(a, full_matrices=False)[2], (B,)),
    ("qr", lambda m, a: m.qr(a, mode="economic")[0], (B,)),
    ("signm", lambda m, a: m.signm(a), (A - 3 * onp.diag([0.0, 2.0, 0.0]),)),
    ("fractional_matrix_power", lambda m, a: m.fractional_matrix_power(a, 1.5), (SPD,)),
    ("toeplitz", lambda m, c, r: m.toeplitz(c, r), (B[:, 0], Q[0])),
    ("hankel", lambda m, c: m.hankel(c), (B[:, 0],)),
    ("circulant", lambda m, c: m.circulant(c), (B[:, 0],)),
    ("block_diag", lambda m, a, b: m.block_diag(a, b, 2.0), (B, Q[0])),
    ("diagsvd", lambda m, s: m.diagsvd(s, 2, 4), (B[:2, 0],)),
]


@pytest.mark.parametrize("name, call, args", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_traced_values_equal_scipys(name, call, args):
    expected = call(scipy.linalg, *args)
    assert_allclose(traced(lambda *xs: call(linalg, *xs), *args), expected, rtol=1e-10,
                    atol=1e-12)
    assert_allclose(call(linalg, *args), expected, rtol=1e-12, atol=1e-12)


def test_cholesky_is_upper_by_default_as_in_scipy():
    upper = traced(linalg.cholesky, SPD)
    assert_allclose(upper, onp.triu(upper))
    assert_allclose(upper.T @ upper, SPD)
    lower = traced(lambda a: linalg.cholesky(a, lower=True), SPD)
    assert_allclose(lower, onp.tril(lower))


@pytest.mark.parametrize("lower", [False, True])
def test_cholesky_reads_and_differentiates_one_triangle(lower):
    noise = onp.tril(Q, -1) if not lower else onp.triu(Q, 1)  # in the triangle not read
    assert_allclose(linalg.cholesky(SPD + noise, lower=lower), linalg.cholesky(SPD, lower=lower))
    g = grad(lambda a: np.sum(linalg.cholesky(a, lower=lower) ** 3))(SPD)
    unread = onp.tril(g, -1) if not lower else onp.triu(g, 1)
    assert onp.all(unread == 0) and onp.any(g != 0)


@pytest.mark.parametrize("unit_diagonal", [False, True])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular_gradient_lives_on_what_is_read(lower, unit_diagonal):
    def f(a):
        return np.sum(linalg.solve_triangular(a, B, lower=lower, unit_diagonal=unit_diagonal))

    g = grad(f)(A)
    read = onp.tril(onp.ones((3, 3)), -unit_diagonal) if lower else onp.triu(
        onp.ones((3, 3)), unit_diagonal)
    assert onp.all(g[read == 0] == 0)
    # and it is the finite-difference gradient there
    eps, (i, j) = 1e-6, onp.argwhere(read)[-1]
    step = onp.zeros((3, 3))
    step[i, j] = eps
    assert_allclose(g[i, j], (f(A + step) - f(A - step)) / (2 * eps), rtol=1e-6)


def test_solve_banded_ignores_the_corners_of_band_storage():
    ab = RNG.standard_normal((4, 5))  # (l, u) = (2, 1)
    ab[1] += 5.0
    b = RNG.standard_normal(5)
    corners = onp.zeros_like(ab)
    corners[0, 0] = corners[2, 4] = corners[3, 3:] = 7.0
    assert_allclose(linalg.solve_banded((2, 1), ab + corners, b), linalg.solve_banded(
        (2, 1), ab, b))
    g = grad(lambda ab: np.sum(linalg.solve_banded((2, 1), ab, b) ** 2))(ab)
    assert onp.all(g[corners != 0] == 0) and onp.all(g[corners == 0] != 0)


def test_solve_banded_equals_the_dense_solve_and_its_gradient():
    ab = RNG.standard_normal((3, 4))
    ab[1] += 4.0
    dense = onp.diag(ab[1]) + onp.diag(ab[0, 1:], 1) + onp.diag(ab[2, :-1], -1)
    b = RNG.standard_normal((4, 2))
    assert_allclose(linalg.solve_banded((1, 1), ab, b), onp.linalg.solve(dense, b))
    gb = grad(lambda b: np.sum(linalg.solve_banded((1, 1), ab, b) ** 2))(b)
    assert_allclose(gb, grad(lambda b: np.sum(np.linalg.solve(dense, b) ** 2))(b))


def test_expm_derivative_is_scipys_frechet_derivative():
    e = RNG.standard_normal((3, 3))
    _, tangent = make_jvp(linalg.expm)(A / 3)(e)
    assert_allclose(tangent, scipy.linalg.expm_frechet(A / 3, e)[1], rtol=1e-10)


def test_sqrtm_derivative_solves_the_sylvester_equation():
    e = RNG.standard_normal((3, 3))
    root, tangent = make_jvp(linalg.sqrtm)(SPD)(e)
    assert_allclose(root @ tangent + tangent @ root, e, atol=1e-10)


def test_float32_stays_float32_where_scipy_keeps_it():
    a32, b32 = A.astype(onp.float32), B.astype(onp.float32)
    x = traced(linalg.solve_triangular, a32, b32)
    assert x.dtype == onp.float32
    g = grad(lambda a: np.sum(linalg.solve_triangular(a, b32)))(a32)
    assert g.dtype == onp.float32
    assert traced(linalg.det, a32).dtype == scipy.linalg.det(a32).dtype == onp.float64


@pytest.mark.parametrize("call, message", [
    (lambda: linalg.solve_triangular(onp.ones((3, 2)), onp.ones(3)), "square matrix"),
    (lambda: linalg.solve_triangular(A, onp.ones(4)), "must have 3 rows"),
    (lambda: linalg.solve_triangular(A, B, trans="X"), "trans must be"),
    (lambda: linalg.solve_banded((1, 1), onp.ones((2, 4)), onp.ones(4)), "3 rows"),
    (lambda: linalg.solve_banded((1, 1), onp.ones((3, 4)), onp.ones(5)), "must have 4 rows"),
    (lambda: linalg.solve_banded((1, -1), onp.ones((1, 4)), onp.ones(4)), "non-negative"),
    (lambda: linalg.solve_banded(1, onp.ones((1, 4)), onp.ones(4)), "pair of non-negative"),
])
def test_bad_shapes_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_undifferentiable_variants_are_refused():
    with pytest.raises(NotImplementedError, match="pivoting"):
        grad(lambda a: np.sum(linalg.qr(a, pivoting=True)[1]))(A)
    with pytest.raises(NotImplementedError, match="full_matrices=False"):
        grad(lambda a: np.sum(linalg.svd(a)[0]))(B)
    with pytest.raises(NotImplementedError, match="generalized"):
        grad(lambda a: np.sum(linalg.eigh(a, SPD)[0]))(SPD)


def test_lu_solve_follows_each_calls_pivots_under_jit():
    def loss(b, lu, piv):
        return np.sum(linalg.lu_solve((lu, piv), b) ** 2)

    recorded = jit(grad(loss))
    for matrix in (Q, Q[::-1], A):
        lu, piv = scipy.linalg.lu_factor(matrix)
        x = onp.linalg.solve(matrix, B)
        assert_allclose(recorded(B, lu, piv), 2 * onp.linalg.solve(matrix.T, x))
    assert len({tuple(scipy.linalg.lu_factor(m)[1]) for m in (Q, Q[::-1], A)}) > 1


def test_an_unknown_eigh_driver_is_refused_when_traced_too():
    with pytest.raises(ValueError, match="unknown"):
        grad(lambda a: np.sum(linalg.eigh(a, driver="evz")[1]))(SPD)


INDEFINITE = onp.diag([1.0, -1.0, 2.0]) + onp.triu(Q, 1)


@pytest.mark.parametrize("call", [
    lambda a: linalg.solve(a, B, assume_a="pos"),
    lambda a: linalg.inv(a, assume_a="pos"),
], ids=["solve", "inv"])
def test_positive_definite_kinds_refuse_an_indefinite_matrix_in_every_mode(call):
    # scipy raises LinAlgError; answering the solve of the symmetric matrix would be a silent lie
    with pytest.raises(onp.linalg.LinAlgError):
        call(INDEFINITE)
    with pytest.raises(onp.linalg.LinAlgError, match="not positive definite.*assume_a='sym'"):
        grad(lambda a: np.sum(call(a)))(INDEFINITE)
    with pytest.raises(onp.linalg.LinAlgError, match="not positive definite"):
        make_jvp(call)(INDEFINITE)(Q)
    recorded = jit(grad(lambda a: np.sum(call(a))))
    assert_allclose(recorded(SPD), grad(lambda a: np.sum(call(a)))(SPD))
    with pytest.raises(onp.linalg.LinAlgError):
        recorded(INDEFINITE)


def test_bad_shapes_are_explained_when_traced_too():
    with pytest.raises(ValueError, match="square matrix"):
        grad(lambda a: np.sum(linalg.cholesky(a)))(onp.ones((2, 3)))
    with pytest.raises(ValueError, match="square matrix"):
        grad(lambda a: np.sum(linalg.solve(a, onp.ones(2))))(onp.ones((2, 3)))


# --- the namespace --------------------------------------------------------------------------
_MODULES = {"blas", "lapack", "cython_blas", "cython_lapack", "basic", "decomp",
            "decomp_cholesky", "decomp_lu", "decomp_qr", "decomp_schur", "decomp_svd",
            "matfuncs", "misc", "special_matrices"}


def test_the_namespace_holds_scipy_linalgs_functions():
    expected = {n for n in scipy.linalg.__all__ if n not in _MODULES}
    assert expected <= set(linalg.__all__)


@pytest.mark.parametrize("name", [n for n in linalg.__all__ if n not in
                                  ("LinAlgError", "LinAlgWarning")])
def test_every_function_is_differentiable_constant_or_refuses(name):
    fun = getattr(linalg, name)
    kind = kind_of(fun)
    assert kind in ("primitive", "composite", "nondifferentiable")
    rules = None
    if kind == "primitive":  # argument 0 of solve_banded is (l, u), so ask about any argument
        rules = (any(has_vjp(fun, i) for i in range(3)), any(has_jvp(fun, i) for i in range(3)))
    assert rules in (None, (True, True), (False, False))
    if rules == (False, False):
        assert name in linalg._WITHOUT_RULES


@pytest.mark.parametrize("name, call", [
    ("lu_factor", lambda a: linalg.lu_factor(a)[0]),
    ("expm_frechet", lambda a: linalg.expm_frechet(a, a)[1]),
    ("schur", lambda a: linalg.schur(a)[0]),
])
def test_functions_without_rules_refuse_to_differentiate(name, call):
    assert_allclose(call(A), call(A))  # values work
    with pytest.raises(NotImplementedError, match=name):
        grad(lambda a: np.sum(call(a)))(A)
    with pytest.raises(NotImplementedError, match=name):
        make_jvp(lambda a: np.sum(call(a)))(A)(A)


def test_constant_functions_are_plain_values():
    assert_allclose(linalg.hilbert(3), scipy.linalg.hilbert(3))
    assert linalg.bandwidth(onp.triu(A)) == (0, 2)


@pytest.mark.parametrize("name", ["sqrtm", "logm", "fractional_matrix_power"])
def test_jitted_matrix_functions_are_recorded_again_when_the_result_turns_complex(name):
    """scipy's sqrtm, logm and A ** t of a real matrix are complex when it has a negative
    eigenvalue: a program recorded at one dtype, replayed at the other, gave a complex
    gradient for a real input (and wrong numbers) before the dtype became a guard."""
    fun = getattr(linalg, name)
    call = (lambda a: fun(a, 0.5)) if name == "fractional_matrix_power" else fun
    rng = onp.random.default_rng(4)
    b = rng.standard_normal((3, 3))
    positive = b @ b.T + onp.eye(3)
    negative = onp.diag([1.0, 2.0, -3.0]) + 0.1 * rng.standard_normal((3, 3))

    def f(a):
        return np.sum(np.abs(call(a)) ** 2)

    jitted = jit(grad(f))
    for a in (positive, negative, positive):
        got = jitted(a)
        assert got.dtype == onp.float64
        assert_allclose(got, grad(f)(a), rtol=1e-10)
