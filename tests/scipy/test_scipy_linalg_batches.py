"""mlkit.scipy.linalg on the shapes scipy 1.17 takes beyond single matrices: stacks (leading
axes broadcast, as scipy batches them) and scalars give scipy's values when traced, in
reverse mode, forward mode and under mlkit.jit. (Their derivatives are checked against finite
differences in tests/numpy/specs.py.)"""

import warnings

import numpy as onp
import pytest
import scipy.linalg
from numpy.testing import assert_allclose

from mlkit import jit, make_jvp, make_vjp
from mlkit.scipy import linalg

RNG = onp.random.default_rng(11)


def _draw(*shape):
    return RNG.standard_normal(shape)


def _traced_values(call, args):
    """``call``'s value with every argument traced: reverse, forward, and replayed by jit."""
    def whole(*xs):
        return call(linalg, *xs)

    reverse = make_vjp(lambda xs: whole(*xs))(args)[1]
    forward = make_jvp(lambda xs: whole(*xs))(args)(args)[0]
    jitted = jit(whole)
    jitted(*(1.25 * x for x in args))  # records; the second call replays the program
    return [reverse, forward, jitted(*args)]


def _factor_and_flags(c, lower):
    """cho_factor's result as one array: scipy gives a stack one flag per matrix."""
    return c + onp.asarray(lower)[..., None, None]


def _inverse_and_rank(inverse, rank):
    return inverse + onp.asarray(rank)[..., None, None]


# (id, call(module, *args), args)
CASES = [
    ("toeplitz-stack", lambda m, c: m.toeplitz(c), (_draw(2, 3),)),
    ("toeplitz-stack-complex", lambda m, c: m.toeplitz(c), (_draw(2, 3) + 1j * _draw(2, 3),)),
    ("toeplitz-broadcast", lambda m, c, r: m.toeplitz(c, r), (_draw(2, 1, 3), _draw(3, 4))),
    ("toeplitz-scalar", lambda m, c, r: m.toeplitz(c, r), (_draw(), _draw())),
    ("circulant-stack", lambda m, c: m.circulant(c), (_draw(2, 2, 3),)),
    ("circulant-scalar", lambda m, c: m.circulant(c), (_draw(),)),
    ("block_diag-stack", lambda m, a, b: m.block_diag(a, b, 1.5),
     (_draw(2, 2, 3), _draw(1, 2))),
    ("block_diag-broadcast", lambda m, a, b: m.block_diag(a, b), (_draw(2, 1, 2, 2), _draw(3))),
    ("diagsvd-stack", lambda m, s: m.diagsvd(s, 3, 4), (_draw(2, 1, 3).astype(onp.float32),)),
    ("solve_triangular-stack-vector", lambda m, a, b: m.solve_triangular(a, b, lower=True),
     (_draw(2, 3, 3) + 3 * onp.eye(3), _draw(3))),
    ("solve_triangular-stacks-broadcast", lambda m, a, b: m.solve_triangular(a, b, trans=2),
     (_draw(2, 1, 3, 3) + 3 * onp.eye(3), _draw(3, 3, 2) + 1j * _draw(3, 3, 2))),
    ("solve_banded-stack-vector", lambda m, ab, b: m.solve_banded((1, 0), ab, b),
     (_draw(2, 2, 3) + [[4.0], [0.0]], _draw(3))),
    ("solve_banded-stacks-broadcast", lambda m, ab, b: m.solve_banded((0, 1), ab, b),
     (_draw(2, 1, 2, 3) + [[0.0], [4.0]], _draw(3, 3, 2))),
    ("cho_solve-stack-vector", lambda m, c, b: m.cho_solve((c, False), b),
     (_draw(2, 3, 3) + 3 * onp.eye(3), _draw(3))),
    ("solve-diagonal-float32", lambda m, a, b: m.solve(a, b, assume_a="diagonal"),
     (_draw(2, 3, 3).astype(onp.float32) + 3 * onp.eye(3, dtype=onp.float32),
      _draw(3).astype(onp.float32))),
    ("solve-hermitian-complex64", lambda m, a, b: m.solve(a, b, assume_a="her"),
     ((_draw(3, 3) + 1j * _draw(3, 3) + 3 * onp.eye(3)).astype(onp.complex64),
      _draw(3).astype(onp.complex64))),
    ("qr-r-tall", lambda m, a: m.qr(a, mode="r")[0], (_draw(4, 2),)),
    ("qr-r-stack", lambda m, a: m.qr(a, mode="r"), (_draw(2, 4, 2),)),
    ("pinv-rank-stack", lambda m, a: _inverse_and_rank(*m.pinv(a, return_rank=True)),
     (onp.stack([_draw(3, 2), onp.outer(_draw(3), _draw(2))]),)),
    ("norm-vector-float32", lambda m, a: m.norm(a), (_draw(3).astype(onp.float32),)),
    ("norm-1-float32", lambda m, a: m.norm(a, 1), (_draw(2, 3).astype(onp.float32),)),
    ("norm-fro-float32", lambda m, a: m.norm(a), (_draw(2, 3).astype(onp.float32),)),
    ("cholesky-number", lambda m, a: m.cholesky(a), (onp.float64(2.5),)),
    ("cholesky-number-float32", lambda m, a: m.cholesky(a, lower=True), (onp.float32(2.5),)),
    ("cho_factor-number", lambda m, a: m.cho_factor(a)[0], (onp.float64(2.5),)),
    ("cho_factor-stack", lambda m, a: _factor_and_flags(*m.cho_factor(a)),
     (onp.eye(2) * onp.arange(1.0, 4.0)[:, None, None],)),
    ("solve-number", lambda m, a, b: m.solve(a, b), (onp.float64(2.5), _draw())),
    ("solve-number-vector", lambda m, a, b: m.solve(a, b), (onp.float64(2.5), _draw(3))),
    ("solve-1x1-matrix", lambda m, a, b: m.solve(a, b), (onp.full((1, 1), -2.0), _draw(2, 3))),
    ("lyapunov-number", lambda m, a, q: m.solve_continuous_lyapunov(a, q),
     (onp.float64(2.5), _draw())),
    ("expm-number", lambda m, a: m.expm(a), (onp.float64(0.3),)),
    ("expm-number-float32", lambda m, a: m.expm(a), (onp.float32(0.3),)),
    ("expm-one-element", lambda m, a: m.expm(a), (onp.array([0.3 + 1j]),)),
]


@pytest.mark.parametrize("name, call, args", CASES, ids=[c[0] for c in CASES])
def test_traced_stacks_and_scalars_give_scipys_values(name, call, args):
    expected = call(scipy.linalg, *args)
    for got in _traced_values(call, args):
        assert onp.shape(got) == onp.shape(expected)
        assert onp.result_type(got) == onp.result_type(expected)
        tolerance = 1e-6 if onp.finfo(onp.result_type(expected)).bits <= 32 else 1e-12
        assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


def test_traced_pinv_truncates_at_scipys_cutoff_and_refuses_a_tangent_there():
    """atol=0.5, rtol=0.3 cut at 0.5 + 0.3 * 3, dropping the singular value 1.2 of the first
    matrix: traced values are scipy's, and the derivative of that truncation is refused."""
    a = onp.array([[[3.0, 0], [0, 1.2], [0, 0]], [[2.0, 0], [0, 1.2], [0, 0]]])
    expected = scipy.linalg.pinv(a, atol=0.5, rtol=0.3)
    assert expected[0, 1, 1] == 0 and expected[1, 1, 1] != 0
    whole = lambda a: linalg.pinv(a, atol=0.5, rtol=0.3)  # noqa: E731
    jitted = jit(whole)
    jitted(1.25 * a)
    for got in (make_vjp(whole)(a)[1], jitted(a)):
        assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(NotImplementedError, match="dropped nonzero singular values"):
        make_jvp(whole)(a)(a)


def test_traced_hankel_flattens_stacks_with_scipys_warning():
    c, r = _draw(2, 3), _draw(2, 2)
    with pytest.warns(FutureWarning, match="ravel"):
        expected = scipy.linalg.hankel(c, r)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FutureWarning, match="ravel"):
            make_vjp(lambda c: linalg.hankel(c, r))(c)
    with pytest.warns(FutureWarning, match="ravel"):
        assert_allclose(make_vjp(lambda c: linalg.hankel(c, r))(c)[1], expected)


def test_traced_sqrtm_of_a_number_is_refused_not_scipys_exponential():
    assert_allclose(scipy.linalg.sqrtm(2.0), [[onp.exp(2.0)]])  # scipy 1.17's answer
    with pytest.raises(ValueError, match=r"sqrtm: .*reshape\(1, 1\)"):
        make_vjp(linalg.sqrtm)(2.0)
    assert_allclose(make_vjp(linalg.sqrtm)(onp.full((1, 1), 4.0))[1], [[2.0]])


def test_traced_eigenvectors_have_scipys_signs():
    """scipy's LAPACK driver and numpy's choose opposite signs for most matrices."""
    m = RNG.standard_normal((20, 3, 3)) + 1j * RNG.standard_normal((20, 3, 3))
    for a in (m.real @ onp.swapaxes(m.real, -1, -2), m @ onp.conj(onp.swapaxes(m, -1, -2))):
        expected = scipy.linalg.eigh(a)[1]
        for got in _traced_values(lambda m, a: m.eigh(a)[1], (a,)):
            assert_allclose(got, expected, atol=1e-10)
