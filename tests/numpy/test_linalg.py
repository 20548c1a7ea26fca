"""np.linalg: values against numpy, derivatives against finite differences (both modes, order
2) on single and stacked matrices, float32 kept float32, subgradients of norms at zero,
degenerate spectra, and the errors for the cases that are not differentiable."""

import warnings

import numpy as onp
import pytest

import mlkit
import mlkit.numpy as np
from mlkit.autodiff.tracer import is_box
from mlkit.autodiff.vspace import vspace
from mlkit.testing import check_grads


# --- input domains: (rng, shape, complex_) -> array ------------------------------------------
def _normal(rng, shape, complex_):
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if complex_ else x


def anywhere(rng, shape, complex_):
    return _normal(rng, shape, complex_)


def invertible(rng, shape, complex_):
    """Well conditioned: a random matrix plus n times the identity."""
    return _normal(rng, shape, complex_) + shape[-1] * onp.eye(shape[-1])


def spd(rng, shape, complex_):
    b = rng.standard_normal(shape)
    return b @ onp.swapaxes(b, -1, -2) + shape[-1] * onp.eye(shape[-1])


def spd_lopsided(rng, shape, complex_):
    """Not symmetric: numpy reads one triangle, which is itself well conditioned and definite."""
    return spd(rng, shape, complex_) + 0.3 * rng.standard_normal(shape)


def hermitian_lopsided(rng, shape, complex_):
    """Complex and not Hermitian: the triangle numpy reads (with the real part of the
    diagonal) makes a well-conditioned positive definite Hermitian matrix."""
    b = _normal(rng, shape, True)
    h = b @ onp.conj(onp.swapaxes(b, -1, -2)) + shape[-1] * onp.eye(shape[-1])
    return h + 0.3 * _normal(rng, shape, True)


def distinct_spectrum(rng, shape, complex_):
    """A random matrix (with a complex conjugate pair of eigenvalues for the 3x3 real one)
    whose eigenvalues are well apart."""
    n = shape[-1]
    spectrum = onp.diag(onp.arange(1.0, n + 1) * 1.5)
    if n == 3 and not complex_:
        spectrum[:2, :2] = [[1.0, -2.0], [2.0, 1.0]]
    basis = onp.eye(n) + 0.3 * _normal(rng, shape, complex_)
    return basis @ spectrum @ onp.linalg.inv(basis)


def _phase_free(m, w, v):
    """Eigenvalues and |v|**2: what eig determines regardless of each vector's phase."""
    return w, m.abs(v) ** 2


def _phase_free_svd(m, u, s, vh):
    return s, m.abs(u) ** 2, m.abs(vh) ** 2, (u * s[..., None, :]) @ vh


def _polar_factor(m, a):
    """U V^H: free of the phases and, at a repeated singular value, of the basis chosen."""
    u, _, vh = m.linalg.svd(a, full_matrices=False)
    return u @ vh


def _phase_free_eigh(m, w, v):
    return w, m.abs(v) ** 2, v[..., :1] @ m.conj(m.swapaxes(v, -1, -2))[..., :1, :]


# (id, fun(module, *arrays), domain per argument, [shapes per argument, ...], try complex)
CASES = [
    ("inv", lambda m, a: m.linalg.inv(a), (invertible,), [((3, 3),), ((2, 3, 3),), ((1, 1),)],
     True),
    ("det", lambda m, a: m.linalg.det(a), (invertible,), [((3, 3),), ((2, 2, 2),), ((1, 1),)],
     True),
    ("slogdet", lambda m, a: m.linalg.slogdet(a), (anywhere,), [((3, 3),), ((2, 3, 3),)], True),
    ("logabsdet", lambda m, a: m.linalg.slogdet(a)[1], (invertible,), [((2, 2),)], True),
    ("solve-vector", lambda m, a, b: m.linalg.solve(a, b), (invertible, anywhere),
     [((3, 3), (3,)), ((2, 3, 3), (3,)), ((1, 1), (1,))], True),
    ("solve-matrix", lambda m, a, b: m.linalg.solve(a, b), (invertible, anywhere),
     [((3, 3), (3, 2)), ((2, 3, 3), (1, 3, 2)), ((3, 3), (2, 3, 1))], True),
    ("pinv", lambda m, a: m.linalg.pinv(a), (anywhere,),
     [((3, 2),), ((2, 4),), ((2, 3, 2),), ((1, 1),)], False),
    ("pinv-hermitian", lambda m, a: m.linalg.pinv(a, hermitian=True), (anywhere,),
     [((3, 3),), ((2, 3, 3),)], False),  # of the matrix numpy reads from the lower triangle
    ("cholesky", lambda m, a: m.linalg.cholesky(a), (spd_lopsided,),
     [((3, 3),), ((2, 2, 2),), ((1, 1),)], False),
    ("cholesky-upper", lambda m, a: m.linalg.cholesky(a, upper=True), (spd_lopsided,),
     [((3, 3),)], False),
    ("eigh", lambda m, a: m.linalg.eigh(a), (spd_lopsided,), [((3, 3),), ((2, 3, 3),), ((1, 1),)],
     False),
    ("eigh-upper", lambda m, a: m.linalg.eigh(a, UPLO="U"), (spd_lopsided,), [((3, 3),)], False),
    ("eigvalsh", lambda m, a: m.linalg.eigvalsh(a), (anywhere,), [((3, 3),), ((2, 2, 2),)], False),
    ("eig", lambda m, a: _phase_free(m, *m.linalg.eig(a)), (distinct_spectrum,),
     [((3, 3),), ((2, 2, 2),), ((1, 1),)], True),
    ("eig-vectors", lambda m, a: m.linalg.eig(a), (distinct_spectrum,),
     [((3, 3),), ((2, 4, 4),), ((1, 1),)], True),  # complex ones keep their largest entry real
    ("eigvals", lambda m, a: m.linalg.eigvals(a), (distinct_spectrum,), [((3, 3),), ((2, 4, 4),)],
     True),
    ("eigh-hermitian", lambda m, a: _phase_free_eigh(m, *m.linalg.eigh(a)),
     (hermitian_lopsided,), [((3, 3),), ((2, 2, 2),)], False),
    ("eigh-hermitian-upper", lambda m, a: _phase_free_eigh(m, *m.linalg.eigh(a, UPLO="U")),
     (hermitian_lopsided,), [((3, 3),)], False),
    ("eigvalsh-hermitian", lambda m, a: m.linalg.eigvalsh(a), (hermitian_lopsided,),
     [((3, 3),)], False),
    ("cholesky-hermitian", lambda m, a: m.linalg.cholesky(a), (hermitian_lopsided,),
     [((3, 3),), ((2, 2, 2),), ((1, 1),)], False),
    ("cholesky-hermitian-upper", lambda m, a: m.linalg.cholesky(a, upper=True),
     (hermitian_lopsided,), [((3, 3),)], False),
    ("svd-phase-free", lambda m, a: _phase_free_svd(m, *m.linalg.svd(a, full_matrices=False)),
     (anywhere,), [((3, 2),), ((2, 3),), ((2, 3, 2),)], True),
    ("svdvals-complex", lambda m, a: m.linalg.svdvals(a), (anywhere,), [((2, 3),)], True),
    ("svd-polar-factor", lambda m, a: _polar_factor(m, a), (anywhere,),
     [((3, 2),), ((2, 3),), ((2, 3, 3),)], True),
    ("svd-hermitian", lambda m, a: _phase_free_svd(m, *m.linalg.svd(a, hermitian=True)),
     (anywhere,), [((3, 3),), ((2, 3, 3),)], True),  # of the matrix read from the lower triangle
    ("svd-hermitian-values", lambda m, a: m.linalg.svd(a, compute_uv=False, hermitian=True),
     (anywhere,), [((3, 3),)], True),
    ("svd", lambda m, a: m.linalg.svd(a, full_matrices=False), (anywhere,),
     [((3, 2),), ((2, 3),), ((2, 3, 2),), ((1, 2),)], False),
    ("svd-square-default", lambda m, a: m.linalg.svd(a), (anywhere,), [((3, 3),)], False),
    ("svd-values", lambda m, a: m.linalg.svd(a, compute_uv=False), (anywhere,),
     [((3, 2),), ((2, 2, 3),)], False),
    ("svdvals", lambda m, a: m.linalg.svdvals(a), (anywhere,), [((2, 3),)], False),
    ("qr", lambda m, a: m.linalg.qr(a), (anywhere,), [((3, 2),), ((3, 3),), ((2, 4, 3),)], True),
    ("qr-r", lambda m, a: m.linalg.qr(a, mode="r"), (anywhere,), [((3, 2),)], False),
    ("matrix_norm", lambda m, a: m.linalg.matrix_norm(a), (anywhere,), [((2, 3),), ((2, 2, 3),)],
     True),
    ("matrix_norm-nuc-keepdims", lambda m, a: m.linalg.matrix_norm(a, ord="nuc", keepdims=True),
     (anywhere,), [((2, 3, 2),)], True),
    ("vector_norm", lambda m, a: m.linalg.vector_norm(a), (anywhere,), [((3,),), ((2, 3),)],
     True),
    ("vector_norm-axes", lambda m, a: m.linalg.vector_norm(a, axis=(0, 2), keepdims=True, ord=3),
     (anywhere,), [((2, 3, 2),)], False),
    ("vector_norm-axis", lambda m, a: m.linalg.vector_norm(a, axis=1, ord=1), (anywhere,),
     [((2, 3),)], False),
    ("linalg.matrix_transpose", lambda m, a: m.linalg.matrix_transpose(a), (anywhere,),
     [((2, 3),), ((2, 1, 3),)], True),
    ("linalg.diagonal", lambda m, a: m.linalg.diagonal(a, offset=1), (anywhere,),
     [((3, 3),), ((2, 2, 3),)], True),
    ("linalg.trace", lambda m, a: m.linalg.trace(a), (anywhere,), [((3, 3),), ((2, 2, 3),)],
     True),
    ("linalg.outer", lambda m, a, b: m.linalg.outer(a, b), (anywhere, anywhere),
     [((3,), (2,))], True),
    ("linalg.vecdot", lambda m, a, b: m.linalg.vecdot(a, b, axis=0), (anywhere, anywhere),
     [((3,), (3,)), ((3, 2), (3, 1))], True),
    ("linalg.cross", lambda m, a, b: m.linalg.cross(a, b), (anywhere, anywhere),
     [((3,), (3,)), ((2, 3), (1, 3))], True),
    ("linalg.tensordot", lambda m, a, b: m.linalg.tensordot(a, b, axes=1), (anywhere, anywhere),
     [((2, 3), (3, 2))], True),
    ("tensorinv", lambda m, a: m.linalg.tensorinv(a.reshape(2, 3, 6), ind=2), (invertible,),
     [((6, 6),)], True),
    ("tensorsolve", lambda m, a, b: m.linalg.tensorsolve(a.reshape(2, 3, 2, 3), b),
     (invertible, anywhere), [((6, 6), (2, 3))], True),
    ("tensorsolve-axes", lambda m, a, b: m.linalg.tensorsolve(a.reshape(6, 2, 3), b,
                                                            axes=(0,)),
     (invertible, anywhere), [((6, 6), (2, 3))], False),
    ("cond", lambda m, a: m.linalg.cond(a), (invertible,), [((3, 3),), ((2, 2, 2),)], True),
    ("cond-minus-2", lambda m, a: m.linalg.cond(a, -2), (anywhere,), [((3, 2),)], False),
    ("cond-fro", lambda m, a: m.linalg.cond(a, "fro"), (invertible,), [((3, 3),)], True),
    ("lstsq", lambda m, a, b: m.linalg.lstsq(a, b)[:2], (anywhere, anywhere),
     [((4, 2), (4,)), ((4, 3), (4, 2))], False),
    ("lstsq-underdetermined", lambda m, a, b: m.linalg.lstsq(a, b)[0], (anywhere, anywhere),
     [((2, 3), (2,))], False),
    ("matrix_power", lambda m, a: m.linalg.matrix_power(a, 3), (anywhere,),
     [((3, 3),), ((2, 2, 2),)], True),
    ("matrix_power-five", lambda m, a: m.linalg.matrix_power(a, 5), (anywhere,), [((2, 2),)],
     False),
    ("matrix_power-negative", lambda m, a: m.linalg.matrix_power(a, -2), (invertible,),
     [((3, 3),), ((2, 2, 2),)], True),
    ("multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), (anywhere,) * 3,
     [((2, 3), (3, 4), (4,)), ((3,), (3, 2), (2, 2))], True),
    ("multi_dot-two", lambda m, a, b: m.linalg.multi_dot([a, b]), (anywhere,) * 2,
     [((), ()), ((3,), (2, 3, 2)), ((2, 2, 3), (2, 3, 2))], True),  # dot of the two, as numpy
    ("norm", lambda m, x: m.linalg.norm(x), (anywhere,), [((3,),), ((2, 3),), ((2, 1, 2),)],
     True),
    ("norm-keepdims", lambda m, x: m.linalg.norm(x, keepdims=True), (anywhere,), [((2, 3),)],
     True),
    ("norm-axis", lambda m, x: m.linalg.norm(x, axis=-1), (anywhere,), [((2, 3),), ((3, 1),)],
     True),
    ("norm-l1", lambda m, x: m.linalg.norm(x, 1, axis=0, keepdims=True), (anywhere,),
     [((3,),), ((3, 2),)], True),
    ("norm-inf", lambda m, x: m.linalg.norm(x, onp.inf, axis=1), (anywhere,), [((2, 3),)],
     True),
    ("norm-minus-inf", lambda m, x: m.linalg.norm(x, -onp.inf), (anywhere,), [((4,),)], True),
    ("norm-p3", lambda m, x: m.linalg.norm(x, 3, axis=0), (anywhere,), [((3,),), ((2, 2),)],
     True),
    ("norm-p-half", lambda m, x: m.linalg.norm(x, 0.5), (anywhere,), [((3,),)], True),
    ("norm-count", lambda m, x: m.linalg.norm(x, 0), (anywhere,), [((3,),)], False),
    ("norm-fro", lambda m, x: m.linalg.norm(x, "fro", axis=(0, 2)), (anywhere,),
     [((2, 3, 2),)], True),
    ("norm-nuc", lambda m, x: m.linalg.norm(x, "nuc"), (anywhere,), [((3, 2),), ((2, 3),)],
     True),
    ("norm-spectral", lambda m, x: m.linalg.norm(x, 2, axis=(1, 2)), (anywhere,),
     [((2, 3, 2),)], True),
    ("norm-smallest", lambda m, x: m.linalg.norm(x, -2), (anywhere,), [((3, 3),)], True),
    ("norm-matrix-1", lambda m, x: m.linalg.norm(x, 1, axis=(2, 0), keepdims=True), (anywhere,),
     [((3, 2, 2),)], True),
    ("norm-matrix-minus-1", lambda m, x: m.linalg.norm(x, -1), (anywhere,), [((2, 3),)], True),
    ("norm-matrix-inf", lambda m, x: m.linalg.norm(x, onp.inf), (anywhere,), [((3, 2),)], True),
    ("norm-matrix-minus-inf", lambda m, x: m.linalg.norm(x, -onp.inf, axis=(1, 0)),
     (anywhere,), [((3, 2),)], True),
]


def _expand():
    for case_id, fun, domains, shape_sets, try_complex in CASES:
        for shapes in shape_sets:
            for complex_ in (False, True) if try_complex else (False,):
                label = f"{case_id}-{'x'.join(map(str, shapes))}{'-complex' if complex_ else ''}"
                yield pytest.param(fun, domains, shapes, complex_, id=label)


PARAMS = list(_expand())
FIRST_SHAPES = [pytest.param(fun, domains, shape_sets[0], id=case_id)
                for case_id, fun, domains, shape_sets, _ in CASES]


def _inputs(domains, shapes, complex_=False, seed=0):
    rng = onp.random.default_rng(seed)
    return [domain(rng, shape, complex_) for domain, shape in zip(domains, shapes)]


def leaves(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    return [onp.asarray(value)]


@pytest.mark.parametrize("fun, domains, shapes, complex_", PARAMS)
def test_values_match_numpy(fun, domains, shapes, complex_):
    args = _inputs(domains, shapes, complex_)
    ours, theirs = leaves(fun(np, *args)), leaves(fun(onp, *args))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        onp.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fun, domains, shapes, complex_", PARAMS)
def test_grads_match_finite_differences(fun, domains, shapes, complex_):
    args = _inputs(domains, shapes, complex_)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        check_grads(lambda *xs: fun(np, *xs), argnum=None, modes=("fwd", "rev"), order=2)(*args)


@pytest.mark.filterwarnings("ignore:the output of")  # norm(x, 0) is a constant
@pytest.mark.parametrize("fun, domains, shapes", FIRST_SHAPES)
def test_float32_values_and_derivatives_stay_float32(fun, domains, shapes):
    single = {"f": onp.float32, "c": onp.complex64}  # eig of a real matrix may be complex
    args = tuple(x.astype(single[x.dtype.kind]) for x in _inputs(domains, shapes))
    vjp, ans = mlkit.make_vjp(lambda xs: fun(np, *xs))(args)
    assert all(leaf.dtype in (onp.float32, onp.complex64) for leaf in leaves(ans))
    assert [g.dtype for g in leaves(vjp(vspace(ans).ones()))] == [a.dtype for a in args]
    _, tangent = mlkit.make_jvp(lambda xs: fun(np, *xs))(args)(vspace(args).ones())
    assert all(leaf.dtype in (onp.float32, onp.complex64) for leaf in leaves(tangent))


@pytest.mark.filterwarnings("ignore:the output of")  # piecewise-linear norms: Hessian 0
@pytest.mark.parametrize("ord, axis, shape", [
    (None, None, (3,)), (None, None, (2, 3)), (2, None, (3,)), (1, None, (3,)),
    (onp.inf, None, (3,)), (3, 0, (3, 2)), (0.5, None, (2,)), ("fro", None, (2, 2)),
    ("nuc", None, (3, 2)), (2, None, (2, 2)), (1, None, (2, 3)), (None, -1, (2, 3)),
])
def test_norm_at_zero_has_finite_zero_subgradient(ord, axis, shape):
    def f(x):
        return np.sum(np.linalg.norm(x, ord, axis))

    x = onp.zeros(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        onp.testing.assert_array_equal(mlkit.grad(f)(x), onp.zeros(shape))
        hess = mlkit.hessian(f)(x)
        _, tangent = mlkit.make_jvp(f)(x)(onp.ones(shape))
    assert onp.all(onp.isfinite(hess))
    assert tangent == 0


def test_slogdet_sign_is_a_constant_and_logdet_has_the_inverse_transpose_gradient():
    a = invertible(onp.random.default_rng(3), (3, 3), False)
    signs = []

    def logdet(a):
        sign, value = np.linalg.slogdet(a)
        signs.append(sign)
        return value

    onp.testing.assert_allclose(mlkit.grad(logdet)(a), onp.linalg.inv(a).T, rtol=1e-12)
    assert not is_box(signs[0])
    assert signs[0] == onp.linalg.slogdet(a)[0]


@pytest.mark.parametrize("name", ["inv", "det", "pinv", "norm", "eigvalsh", "svdvals",
                                  "cholesky"])
def test_numpy_linalg_on_traced_values_dispatches_here(name):
    a = spd(onp.random.default_rng(6), (3, 3), False)

    def through(module):
        return lambda a: np.sum(getattr(module.linalg, name)(a))

    onp.testing.assert_allclose(mlkit.grad(through(onp))(a), mlkit.grad(through(np))(a))


def _rotation(seed, n):
    return onp.linalg.qr(onp.random.default_rng(seed).standard_normal((n, n)))[0]


def test_eigh_with_a_repeated_eigenvalue_gives_finite_basis_free_gradients():
    q = _rotation(4, 3)
    a = q @ onp.diag([1.0, 1.0, 3.0]) @ q.T
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        g = mlkit.grad(lambda a: np.sum(np.linalg.eigvalsh(a) ** 2))(a)
    # sum(w**2) = |S|_F^2 of the matrix read from the lower triangle: gradient 2A folded onto it.
    onp.testing.assert_allclose(g, onp.tril(2 * a) + onp.tril(2 * a, -1), atol=1e-10)


def test_nuclear_norm_of_an_orthogonal_matrix_has_gradient_itself():
    q = _rotation(5, 3)  # all singular values equal 1: the fully degenerate case
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        onp.testing.assert_allclose(mlkit.grad(lambda x: np.linalg.norm(x, "nuc"))(q), q,
                                    atol=1e-10)


def _with_singular_values(seed, shape, values, complex_):
    """A matrix (or stack) with the given singular values and random singular vectors."""
    rng = onp.random.default_rng(seed)
    m, n = shape[-2:]
    u = onp.linalg.qr(_normal(rng, shape[:-2] + (m, m), complex_))[0][..., :len(values)]
    v = onp.linalg.qr(_normal(rng, shape[:-2] + (n, n), complex_))[0][..., :len(values)]
    return (u * onp.asarray(values)) @ onp.conj(onp.swapaxes(v, -1, -2))


@pytest.mark.parametrize("complex_", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("shape, values", [
    ((4, 3), [3.0, 1.0, 1.0]), ((3, 3), [2.0, 2.0, 2.0]), ((3, 4), [2.0, 2.0, 1.0]),
    ((2, 3, 3), [3.0, 1.0, 1.0]), ((3, 3), [2.0, 1.5, 1.5 - 1e-9]),
])
def test_polar_factor_is_differentiable_at_repeated_singular_values(shape, values, complex_):
    """U V^H does not depend on the basis svd picks for a repeated singular value, so its
    derivative there is defined; the part of the singular-vector rule over s_i + s_j carries
    it (it was dropped with the part over s_i - s_j, giving errors of order 1)."""
    a = _with_singular_values(7, shape, values, complex_)
    weights = _normal(onp.random.default_rng(8), shape, complex_)

    def f(a):
        return np.sum(np.real(_polar_factor(np, a) * weights))

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        check_grads(f, modes=["fwd", "rev"], order=1)(a)
    single = {False: onp.float32, True: onp.complex64}[complex_]
    g32 = mlkit.grad(f)(a.astype(single))
    assert g32.dtype == single
    onp.testing.assert_allclose(g32, mlkit.grad(f)(a), atol=2e-4)


@pytest.mark.parametrize("shape", [(4, 2), (2, 4), (2, 3, 2)])
def test_full_svd_of_a_non_square_matrix_differentiates_all_but_its_arbitrary_vectors(shape):
    """numpy's default ``svd`` (full_matrices=True): s and the first k singular vectors are
    the reduced decomposition's, so derivatives that use only them are exact."""
    k = min(shape[-2:])

    def rebuilt(a):
        u, s, vh = np.linalg.svd(a)
        return np.sum(np.sin(u[..., :k] * s[..., None, :] @ vh[..., :k, :])) + np.sum(s ** 3)

    a = onp.random.default_rng(3).standard_normal(shape)
    check_grads(rebuilt, modes=["rev"], order=2)(a)
    onp.testing.assert_allclose(mlkit.grad(rebuilt)(a), mlkit.grad(
        lambda a: np.sum(np.sin(a)) + np.sum(np.linalg.svd(a, full_matrices=False)[1] ** 3))(a),
        atol=1e-12)
    with pytest.raises(NotImplementedError, match="arbitrary basis.*full_matrices=False"):
        mlkit.grad(lambda a: np.sum(np.linalg.svd(a)[0 if shape[-2] > shape[-1] else 2]))(a)
    with pytest.raises(NotImplementedError, match="forward mode"):
        mlkit.make_jvp(rebuilt)(a)(a)


@pytest.mark.parametrize("call, error", [
    (lambda a: np.linalg.svd(a.T), NotImplementedError),
    (lambda a: np.linalg.qr(a), NotImplementedError),
    (lambda a: np.linalg.qr(a.T, mode="complete"), NotImplementedError),
    (lambda a: np.linalg.norm(a, "nuc", axis=1), ValueError),
    (lambda a: np.linalg.norm(a[None], 2), ValueError),
])
def test_non_differentiable_uses_fail_with_a_clear_error(call, error):
    with pytest.raises(error):
        mlkit.grad(lambda a: np.sum(np.real(call(a)[0])))(onp.ones((2, 3)))


def test_multi_dot_of_a_stack_in_a_chain_is_refused_by_name():
    a = onp.ones((2, 2, 2))
    with pytest.raises(onp.linalg.LinAlgError):
        onp.linalg.multi_dot([a, a, a])
    with pytest.raises(np.linalg.LinAlgError, match="multi_dot: array 1 is 3-dimensional"):
        mlkit.grad(lambda a: np.sum(np.linalg.multi_dot([a[0], a, a[0]])))(a)
    with pytest.raises(TypeError, match=r"multi_dot\(..., out=...\)"):
        np.linalg.multi_dot([a[0], a[0]], out=onp.empty((2, 2)))


NAMED_RESULTS = [
    ("eigh", lambda m, a: m.linalg.eigh(a @ a.T), "eigenvalues", "eigenvectors"),
    ("eig", lambda m, a: m.linalg.eig(a @ a.T + 3 * onp.eye(3)), "eigenvalues", "eigenvectors"),
    ("svd", lambda m, a: m.linalg.svd(a), "S", "Vh"),
    ("svd-reduced", lambda m, a: m.linalg.svd(a[:, :2], full_matrices=False), "S", "U"),
    ("qr", lambda m, a: m.linalg.qr(a), "Q", "R"),
    ("slogdet", lambda m, a: m.linalg.slogdet(a), "logabsdet", "logabsdet"),
]


@pytest.mark.parametrize("name, call, first, second", NAMED_RESULTS,
                         ids=[case[0] for case in NAMED_RESULTS])
def test_decompositions_return_numpys_named_results_plain_and_traced(name, call, first, second):
    """numpy 2 names the parts (``eigh(a).eigenvalues``); programs that read them by name
    differentiate as those that unpack them, and plain calls return numpy's own result."""
    a = onp.random.default_rng(5).standard_normal((3, 3))
    plain, reference = call(np, a), call(onp, a)
    assert type(plain) is type(reference)
    for field in reference._fields:
        onp.testing.assert_array_equal(getattr(plain, field), getattr(reference, field))

    def by_name(a):
        result = call(np, a)
        return np.sum(np.real(getattr(result, first) ** 2)) + np.sum(np.abs(getattr(result,
                                                                                  second)))

    def by_position(a):
        result = call(np, a)
        fields = type(reference)._fields
        return (np.sum(np.real(result[fields.index(first)] ** 2))
                + np.sum(np.abs(result[fields.index(second)])))

    onp.testing.assert_array_equal(mlkit.grad(by_name)(a), mlkit.grad(by_position)(a))
    onp.testing.assert_allclose(mlkit.jit(mlkit.grad(by_name))(a), mlkit.grad(by_name)(a),
                                rtol=1e-12)
    check_grads(lambda a: getattr(call(np, a), first), modes=["fwd", "rev"], order=2)(a)
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        mlkit.grad(lambda a: call(np, a).nope)(a)


def test_a_named_result_is_a_differentiable_output_and_input():
    a = onp.random.default_rng(6).standard_normal((3, 3))
    blocks = mlkit.jacobian(lambda a: np.linalg.svd(a))(a)
    assert type(blocks).__name__ == "SVDResult" and blocks.S.shape == (3, 3, 3)
    g = mlkit.grad(lambda r: np.sum(r.S * r.U[0]))(np.linalg.svd(a))
    assert type(g).__name__ == "SVDResult"
    onp.testing.assert_array_equal(g.S, onp.linalg.svd(a).U[0])
    onp.testing.assert_array_equal(g.Vh, onp.zeros((3, 3)))


def test_jitted_eig_is_recorded_again_when_the_spectrum_turns_complex_or_real():
    """numpy's eig of a real matrix is complex only when some eigenvalue is: a program
    recorded at one kind of spectrum, replayed at the other, gave a complex gradient for a
    real input (and wrong numbers) before the dtype became a guard."""
    rng = onp.random.default_rng(3)
    real_spectrum, complex_spectrum = rng.standard_normal((2, 3, 3))
    assert onp.isrealobj(onp.linalg.eigvals(real_spectrum))
    assert onp.iscomplexobj(onp.linalg.eigvals(complex_spectrum))
    weights = onp.arange(9.0).reshape(3, 3)
    for f in (lambda a: np.sum(np.abs(np.linalg.eigvals(a)) ** 2),
              lambda a: np.sum(np.real(np.linalg.eig(a)[1]) * weights)):
        jitted, eager = mlkit.jit(mlkit.grad(f)), mlkit.grad(f)
        for a in (real_spectrum, complex_spectrum, real_spectrum):
            got = jitted(a)
            assert got.dtype == onp.float64
            onp.testing.assert_allclose(got, eager(a), rtol=1e-12)
