"""numpy's names reached through mlkit.numpy: the new differentiable ones give numpy's values
(and dtypes) on plain arrays, r_ and c_ differentiate their traced pieces, and the
non-numeric ones are numpy's own."""

import warnings

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad
from mlkit.testing import check_grads

RNG = onp.random.default_rng(0)
V3 = RNG.standard_normal(3)
V4 = RNG.standard_normal(4)
M23 = RNG.standard_normal((2, 3))
M34 = RNG.standard_normal((3, 4))
T234 = RNG.standard_normal((2, 3, 4))
C3 = RNG.standard_normal(3) + 1j * RNG.standard_normal(3)
WITH_NONFINITE = onp.array([1.0, onp.nan, onp.inf, -onp.inf, -2.0])
REPEATS = onp.array([[3.0, 1, 2], [1, 5, 3]])
OTHERS = onp.array([2.0, 7, 3, 3, 9])
T234_NAN = T234.copy()
T234_NAN[0, 1, 2] = onp.nan
T234_NAN[1, :, 3] = onp.nan  # a slice with no numbers at all

# (label, function of (numpy module), arguments): called with numpy and with mlkit.numpy
VALUE_CASES = [
    ("atleast_3d-scalar", lambda n: n.atleast_3d(2.0)),
    ("atleast_3d-vector", lambda n: n.atleast_3d(V3)),
    ("atleast_3d-matrix", lambda n: n.atleast_3d(M23)),
    ("atleast_3d-several", lambda n: n.atleast_3d(V3, M23, T234)[1]),
    ("atleast_2d-several", lambda n: n.atleast_2d(2.0, V3)[0]),
    ("atleast_1d-several", lambda n: n.atleast_1d(2.0, V3)[0]),
    ("column_stack", lambda n: n.column_stack([V3, M34[:, :2], V3])),
    ("row_stack", lambda n: n.vstack([V3, M23])),
    ("dstack", lambda n: n.dstack([M23, M23[..., None]])),
    ("append", lambda n: n.append(M23, V3)),
    ("append-axis", lambda n: n.append(M23, M23[:1], axis=0)),
    ("unstack", lambda n: n.unstack(T234, axis=1)[2]),
    ("matrix_transpose", lambda n: n.matrix_transpose(T234)),
    ("permute_dims", lambda n: n.permute_dims(T234, (2, 0, 1))),
    ("concat", lambda n: n.concat([M23, M23], axis=1)),
    ("rollaxis", lambda n: n.rollaxis(T234, 2)),
    ("rollaxis-start", lambda n: n.rollaxis(T234, 0, 3)),
    ("rollaxis-negative", lambda n: n.rollaxis(T234, -1, 1)),
    ("diff", lambda n: n.diff(M34)),
    ("diff-n2-axis0", lambda n: n.diff(M34, n=2, axis=0)),
    ("diff-prepend-append", lambda n: n.diff(M23, prepend=1.5, append=M23[:, :1])),
    ("diff-bool", lambda n: n.diff(M34 > 0, axis=0)),
    ("diff-bool-n2-prepend", lambda n: n.diff(V4 > 0, n=2, prepend=True)),
    ("einsum-optimize", lambda n: n.einsum("ij,jk,k->i", M23, M34, V4, optimize=True)),
    ("ediff1d", lambda n: n.ediff1d(M23, to_end=[1.0, 2.0], to_begin=-1.0)),
    ("gradient", lambda n: n.gradient(V4)),
    ("gradient-spacing", lambda n: n.gradient(M34, 0.5)[1]),
    ("gradient-coordinates", lambda n: n.gradient(V4, onp.array([0.0, 0.3, 1.0, 1.1]))),
    ("gradient-edge2", lambda n: n.gradient(M34, 2.0, axis=1, edge_order=2)),
    ("gradient-coordinates-edge2",
     lambda n: n.gradient(M34, [0.0, 0.5, 1.7], axis=0, edge_order=2)),
    ("gradient-int", lambda n: n.gradient(onp.array([1, 4, 9, 16]))),
    ("trapezoid", lambda n: n.trapezoid(M34)),
    ("trapezoid-x", lambda n: n.trapezoid(M34, onp.array([0.0, 0.3, 1.0, 1.1]))),
    ("trapezoid-dx-axis0", lambda n: n.trapezoid(M34, dx=0.2, axis=0)),
    ("cumulative_sum", lambda n: n.cumulative_sum(M23, axis=1, include_initial=True)),
    ("cumulative_prod", lambda n: n.cumulative_prod(V3)),
    ("cross", lambda n: n.cross(M23, V3)),
    ("cross-2x3", lambda n: n.cross(M34[:, :2], M34[:, 1:])),
    ("cross-3x2", lambda n: n.cross(M34[:, 1:], M34[:, :2])),
    ("cross-axes", lambda n: n.cross(M34[:, :3].T, M34[:, 1:], axisa=0, axisc=0)),
    ("vecdot", lambda n: n.vecdot(C3, C3 * 2)),
    ("matvec", lambda n: n.matvec(M34.T[None], V3)),
    ("vecmat", lambda n: n.vecmat(C3, M34)),
    ("select", lambda n: n.select([V3 > 0, V3 < -0.5], [V3, V3 ** 2], default=-1.0)),
    ("nan_to_num", lambda n: n.nan_to_num(WITH_NONFINITE)),
    ("nan_to_num-values", lambda n: n.nan_to_num(WITH_NONFINITE, nan=3.0, posinf=9.0)),
    ("nan_to_num-complex", lambda n: n.nan_to_num(WITH_NONFINITE + 1j * WITH_NONFINITE[::-1])),
    ("nan_to_num-float32", lambda n: n.nan_to_num(WITH_NONFINITE.astype(onp.float32))),
    ("heaviside", lambda n: n.heaviside(onp.array([-1.0, 0.0, 2.0]), 0.5)),
    ("real_if_close", lambda n: n.real_if_close(V3 + 1e-18j)),
    ("real_if_close-not", lambda n: n.real_if_close(C3)),
    ("fft.rfftn", lambda n: n.fft.rfftn(T234)),
    ("fft.rfftn-s-axes", lambda n: n.fft.rfftn(T234, s=(3, 5), axes=(2, 0), norm="ortho")),
    ("fft.irfftn", lambda n: n.fft.irfftn(T234 + 1j * T234[::-1])),
    ("fft.irfftn-s", lambda n: n.fft.irfftn(M34 + 0.5j, s=(2, 5), norm="forward")),
    ("fft.rfft2", lambda n: n.fft.rfft2(T234)),
    ("fft.irfft2", lambda n: n.fft.irfft2(M34 * 1j, s=(4, 4))),
    ("fft.hfft", lambda n: n.fft.hfft(C3, n=5, norm="ortho")),
    ("fft.ihfft", lambda n: n.fft.ihfft(M34, axis=0)),
    ("linalg.eigvals", lambda n: n.sort_complex(n.linalg.eigvals(M34[:, :3])) if n is onp
     else onp.sort_complex(n.linalg.eigvals(M34[:, :3]))),
    ("quantile", lambda n: n.quantile(T234, [0.1, 0.9], axis=1)),
    ("quantile-axes-keepdims", lambda n: n.quantile(T234, 0.25, axis=(0, 2), keepdims=True)),
    ("quantile-float32", lambda n: n.quantile(T234.astype(onp.float32), 0.3)),
    # midpoint at a whole position (0.2 * (6 - 1) == 1) is that element, not a half-way value
    ("quantile-midpoint", lambda n: n.quantile(T234[:, :, :3], [0.2, 0.5], axis=(0, 2),
                                               method="midpoint")),
    ("nanquantile-midpoint", lambda n: n.nanquantile(T234_NAN, [0.0, 0.5, 1.0], axis=1,
                                                     method="midpoint")),
    ("percentile", lambda n: n.percentile(T234, [[10, 50], [90, 100]], axis=-1)),
    ("median", lambda n: n.median(T234, axis=0)),
    ("median-with-nan", lambda n: n.median(WITH_NONFINITE[:2])),
    ("nanquantile", lambda n: n.nanquantile(T234_NAN, 0.7, axis=1)),
    ("nanmedian", lambda n: n.nanmedian(T234_NAN, axis=2)),
    ("nanpercentile", lambda n: n.nanpercentile(T234_NAN, 30, axis=1, keepdims=True)),
    ("ptp", lambda n: n.ptp(T234, axis=1)),
    ("nanmax", lambda n: n.nanmax(T234_NAN, axis=1)),
    ("nanmin", lambda n: n.nanmin(T234_NAN)),
    ("nanprod", lambda n: n.nanprod(T234_NAN, axis=0)),
    ("nancumsum", lambda n: n.nancumsum(T234_NAN, axis=2)),
    ("nancumprod", lambda n: n.nancumprod(T234_NAN)),
    ("nanvar", lambda n: n.nanvar(T234_NAN, axis=1)),
    ("nanvar-ddof", lambda n: n.nanvar(T234_NAN, axis=1, ddof=1)),
    ("nanvar-complex", lambda n: n.nanvar(T234_NAN + 1j * T234)),
    ("nanstd", lambda n: n.nanstd(T234_NAN.astype(onp.float32), axis=(0, 2), keepdims=True)),
    ("delete", lambda n: n.delete(M34, [0, 2], axis=1)),
    ("delete-flat", lambda n: n.delete(M34, 1)),
    ("insert", lambda n: n.insert(M34, 1, [9.0, 8.0, 7.0, 6.0], axis=0)),
    ("insert-flat", lambda n: n.insert(V4, [1, 3], [5.0, 6.0])),
    ("insert-scalar", lambda n: n.insert(M34, 2, 7.0, axis=1)),
    ("insert-float32", lambda n: n.insert(M34.astype(onp.float32), 0, V4, axis=0)),
    ("compress", lambda n: n.compress([True, False, True], M34, axis=0)),
    ("compress-flat", lambda n: n.compress([0, 1, 1], M34)),
    ("extract", lambda n: n.extract(M34 > 0, M34)),
    ("choose", lambda n: n.choose([[0, 1, 2, 0]], [M34, M34 * 2, 5.0])),
    ("choose-wrap", lambda n: n.choose([3, -1], [V4[:2], V4[2:]], mode="wrap")),
    ("resize", lambda n: n.resize(M34, (2, 7))),
    ("resize-shorter", lambda n: n.resize(V4, 3)),
    ("trim_zeros", lambda n: n.trim_zeros(onp.array([0, 0, 1.0, 2, 0, 3, 0]))),
    ("trim_zeros-back", lambda n: n.trim_zeros(onp.array([0, 0, 1.0, 2, 0, 3, 0]), "b")),
    ("trim_zeros-2d", lambda n: n.trim_zeros(onp.pad(M34, 1))),
    ("trim_zeros-axis", lambda n: n.trim_zeros(onp.pad(M34, 1), axis=0)),
    ("sort_complex", lambda n: n.sort_complex(onp.array([1 + 2j, 1 - 1j, -3 + 0j, 1 + 0j]))),
    ("sort_complex-real", lambda n: n.sort_complex(V4)),
    ("sort_complex-2d", lambda n: n.sort_complex(M34)),
    ("block", lambda n: n.block([[M34, M34[:, :1]], [V4[None], onp.ones((1, 1))]])),
    ("block-flat", lambda n: n.block([V4, V3])),
    ("block-rows", lambda n: n.block([[M34], [M34]])),
    ("broadcast_arrays", lambda n: n.broadcast_arrays(M34[:1], V3[:, None])[1]),
    ("polyval", lambda n: n.polyval(V4, M23)),
    ("polyval-int", lambda n: n.polyval([1, 2, 3], onp.array([1, 2]))),
    ("polyadd", lambda n: n.polyadd(V4, V3)),
    ("polysub", lambda n: n.polysub(V3, V4)),
    ("polymul", lambda n: n.polymul(C3, V4)),
    ("polyder", lambda n: n.polyder(V4.astype(onp.float32), 2)),
    ("polyint", lambda n: n.polyint(V4, 2, [1.0, 2.0])),
    ("polydiv-quotient", lambda n: n.polydiv(V4, V3[:2])[0]),
    ("polydiv-remainder", lambda n: n.polydiv(onp.array([1.0, -3, 2]), onp.array([1.0, -1]))[1]),
    ("polyfit", lambda n: n.polyfit(V4, V4 ** 2 + 1, 2)),
    ("polyfit-weights", lambda n: n.polyfit(V4, M34.T, 1, w=onp.abs(V4))),
    ("roots", lambda n: onp.sort_complex(n.roots(V4))),
    ("roots-zeros", lambda n: onp.sort_complex(n.roots(onp.array([0, 1.0, -3, 2, 0, 0])))),
    ("poly", lambda n: n.poly(M34[:, :3])),
    ("poly-conjugate-pairs", lambda n: n.poly(onp.array([1 + 1j, 1 - 1j, 2]))),
    ("vander", lambda n: n.vander(V4.astype(onp.float32), 3, increasing=True)),
    ("convolve", lambda n: n.convolve(V3, V4)),
    ("convolve-same", lambda n: n.convolve(V4, V3[:2], "same")),
    ("convolve-valid", lambda n: n.convolve(V3, V4, "valid")),
    ("correlate", lambda n: n.correlate(C3, V4, "same")),
    ("correlate-full", lambda n: n.correlate(V4, C3, "full")),
    ("correlate-valid", lambda n: n.correlate(V3, V4)),
    ("interp", lambda n: n.interp(M23, onp.array([-1.0, 0, 0.5, 2]), V4)),
    ("interp-complex", lambda n: n.interp(V3, onp.array([-1.0, 0, 2]), C3, left=0.5, right=-2)),
    ("interp-at-ends", lambda n: n.interp([1.0, 3.0, 0.0, 4.0], [1.0, 2, 3], [4.0, 5, 6])),
    ("unwrap", lambda n: n.unwrap(onp.cumsum(onp.abs(M34) * 2.5, axis=1) % 6, axis=1)),
    ("cov", lambda n: n.cov(M34)),
    ("cov-columns-y", lambda n: n.cov(M34.T, M34[0], rowvar=False)),
    ("cov-weights", lambda n: n.cov(M34, fweights=[1, 2, 1, 3], aweights=onp.abs(V4))),
    ("cov-ddof0-fweights", lambda n: n.cov(M34, ddof=0, fweights=[1, 2, 1, 3])),
    ("cov-complex-float32", lambda n: n.cov((M34 + 1j * M34[::-1]).astype(onp.complex64))),
    ("cov-vector", lambda n: n.cov(V4, bias=True)),
    ("corrcoef", lambda n: n.corrcoef(M34)),
    ("corrcoef-pair", lambda n: n.corrcoef(M34[0], M34[1])),
    ("apply_along_axis", lambda n: n.apply_along_axis(lambda r: n.sum(r ** 2), 1, M34)),
    ("apply_along_axis-matrix", lambda n: n.apply_along_axis(lambda r: n.outer(r, r), 1, T234)),
    ("apply_over_axes", lambda n: n.apply_over_axes(n.sum, T234, [0, 2])),
    ("piecewise", lambda n: n.piecewise(V4, [V4 < 0, V4 >= 0], [lambda x: -x, lambda x: x ** 2])),
    ("piecewise-otherwise", lambda n: n.piecewise(V4, [V4 < -0.5], [lambda x: n.sqrt(-x), 3.0])),
    ("asanyarray", lambda n: n.asanyarray(M34)),
    ("ascontiguousarray", lambda n: n.ascontiguousarray(M34.T)),
    ("asfortranarray", lambda n: n.asfortranarray(M34, dtype=onp.float32)),
    ("asarray_chkfinite", lambda n: n.asarray_chkfinite([1.0, 2.0])),
    ("require", lambda n: n.require(M34, onp.float32, ["C"])),
    ("ldexp", lambda n: n.ldexp(M34.astype(onp.float32), onp.array([1, -2, 3, 0]))),
    ("frexp-mantissa", lambda n: n.frexp(M34 * 10)[0]),
    ("frexp-exponent", lambda n: n.frexp(M34 * 10)[1]),
    ("modf", lambda n: n.stack(n.modf(M34 * 3))),
    ("divmod", lambda n: n.stack(n.divmod(M34 * 5, 1.5))),
    ("nextafter", lambda n: n.nextafter(M34, 2.0)),
    ("spacing", lambda n: n.spacing(M34)),
    ("unique_values", lambda n: n.unique_values(REPEATS)),
    ("unique_values-nan", lambda n: n.unique_values(onp.array([1.0, onp.nan, 2, onp.nan, 1]))),
    ("unique_counts", lambda n: n.stack(n.unique_counts(REPEATS))),
    ("unique_inverse", lambda n: n.unique_inverse(REPEATS).inverse_indices),
    ("unique_all", lambda n: n.concatenate([n.ravel(p) for p in n.unique_all(REPEATS)])),
    ("union1d", lambda n: n.union1d(REPEATS, V3)),
    ("intersect1d", lambda n: n.intersect1d(REPEATS, OTHERS)),
    ("intersect1d-indices", lambda n: n.intersect1d(REPEATS, OTHERS, return_indices=True)[2]),
    ("setdiff1d", lambda n: n.setdiff1d(REPEATS, OTHERS)),
    ("setdiff1d-unique", lambda n: n.setdiff1d(OTHERS[:3], REPEATS, assume_unique=True)),
    ("setxor1d", lambda n: n.setxor1d(REPEATS, OTHERS)),
    ("histogram_bin_edges", lambda n: n.histogram_bin_edges(M34, 5)),
    ("histogram_bin_edges-auto", lambda n: n.histogram_bin_edges(T234.astype(onp.float32), "auto")),
    ("histogram_bin_edges-range", lambda n: n.histogram_bin_edges(V4, 3, range=(-1, 2))),
    ("histogram_bin_edges-edges", lambda n: n.histogram_bin_edges(V4, [0.0, 0.5, 3.0])),
    ("histogram_bin_edges-constant", lambda n: n.histogram_bin_edges(onp.full(3, 2.0), 4)),
    ("acos", lambda n: n.acos(V3 / 3)),
    ("atan2", lambda n: n.atan2(V3, V3[::-1])),
    ("pow", lambda n: n.pow(onp.abs(V3), 1.5)),
    ("around", lambda n: n.around(V3, 2)),
]


@pytest.mark.parametrize("label, fun", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_values_and_dtypes_equal_numpys(label, fun):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy's 2-vector cross
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy on all-NaN slices
        expected, got = fun(onp), fun(np)
    assert onp.shape(got) == onp.shape(expected)
    assert onp.result_type(got) == onp.result_type(expected)
    onp.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_make_diagonal_inverts_diagonal():
    for d, offset, axes in [(V3, 0, (0, 1)), (M23, 1, (-1, -2)), (M23, -2, (0, 2)),
                            (T234, 0, (1, 3))]:
        out = np.make_diagonal(d, offset, *axes)
        onp.testing.assert_array_equal(onp.diagonal(out, offset, *axes), d)
        assert onp.count_nonzero(out) == d.size
    onp.testing.assert_array_equal(np.make_diagonal(V3), onp.diag(V3))


RC_CASES = [
    ("r_-pieces-and-ranges", lambda x: np.r_[x, 0:2, 2 * x, 5.0, -1:1:3j], onp.r_),
    ("r_-axis-directive", lambda x: np.r_["1", x, x ** 2], None),
    ("r_-ndmin-directive", lambda x: np.r_["0,2,0", x, x[::-1]], None),
    ("c_", lambda x: np.c_[x, x ** 2, onp.ones(x.shape)], None),
    ("c_-complex", lambda x: np.c_[x, 1j * x], None),
]


@pytest.mark.parametrize("label, fun, _", RC_CASES, ids=[c[0] for c in RC_CASES])
def test_r_and_c_differentiate_traced_pieces(label, fun, _):
    x = M23 if "axis" in label else V3
    raw = fun(x)
    check_grads(fun, modes=("fwd", "rev"), order=2)(x)
    x32 = x.astype(onp.float32)
    traced = []
    g = grad(lambda x: np.sum(np.real(traced.append(fun(x)) or traced[0])))(x32)
    assert g.dtype == onp.float32 and g.shape == x.shape
    assert traced[0]._value.dtype == fun(x32).dtype  # untraced: numpy's own r_ and c_
    onp.testing.assert_array_equal(traced[0]._value, fun(x32))
    assert raw.shape == fun(x).shape


def test_r_and_c_equal_numpy_on_plain_and_traced_values():
    expected = onp.r_[V3, 0:2, 2 * V3, 5.0]
    onp.testing.assert_array_equal(np.r_[V3, 0:2, 2 * V3, 5.0], expected)
    got = []
    grad(lambda x: got.append(np.r_[x, 0:2, 2 * x, 5.0]) or np.sum(x))(V3)
    onp.testing.assert_array_equal(got[0]._value, expected)
    onp.testing.assert_array_equal(np.c_[V3, V3 ** 2], onp.c_[V3, V3 ** 2])
    assert onp.allclose(grad(lambda x: np.sum(np.r_[x, x ** 2]))(V3), 1 + 2 * V3)


def test_r_refuses_matrix_directive_on_traced_values():
    with pytest.raises(TypeError, match="numpy.matrix"):
        grad(lambda x: np.sum(np.r_["r", x, x]))(V3)


def test_numpy_non_numeric_names_are_numpys():
    assert np.newaxis is None and np.pi == onp.pi and np.inf == onp.inf
    assert np.__version__ == onp.__version__
    for name in ("float32", "longdouble", "int_", "intp", "uint16", "bool", "object_", "str_",
                 "dtype", "finfo", "iinfo", "ndarray", "errstate", "generic", "number"):
        assert getattr(np, name) is getattr(onp, name), name
    assert np.issubdtype(np.float32, np.floating)
    assert np.can_cast(np.int8, np.float32) and np.promote_types("f4", "i8") == onp.float64
    old = np.seterr(divide="ignore")
    try:
        assert np.geterr()["divide"] == "ignore"
    finally:
        np.seterr(**old)
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        onp.array(1.0) / 0.0
    with np.printoptions(precision=2):
        assert np.array2string(onp.array([1.23456])) == "[1.23]"
    assert np.shape(M23) == (2, 3) and np.ndim(T234) == 3 and np.isscalar(1.0)
    assert np.result_type(np.float32, 1.0) == onp.float32
    assert np.random.get_bit_generator is onp.random.get_bit_generator
    assert np.random.set_bit_generator is onp.random.set_bit_generator


def test_numpys_index_helpers_and_submodules_are_reachable_as_numpy_code_reaches_them():
    for name in ("mgrid", "ogrid", "s_", "index_exp", "typecodes", "ScalarType", "sctypeDict",
                 "little_endian", "testing", "polynomial", "ma", "emath", "lib", "linalg"):
        assert hasattr(np, name), name
    onp.testing.assert_array_equal(np.mgrid[0:2, 0:3], onp.mgrid[0:2, 0:3])
    assert np.s_[1:, ::2] == (slice(1, None), slice(None, None, 2))
    assert np.testing is onp.testing and np.emath.sqrt(-4.0) == 2j
    nodes, weights = np.polynomial.legendre.leggauss(4)
    assert weights.sum() == pytest.approx(2.0)
    # a constant grid inside a differentiated function: quadrature of x**2 t over [-1, 1]
    assert grad(lambda t: np.sum(weights * nodes ** 2 * t))(3.0) == pytest.approx(2 / 3)
    with pytest.raises(AttributeError, match="no attribute 'mgird'"):
        _ = np.mgird


@pytest.mark.parametrize("call", [
    lambda x, out: np.copyto(out, x),
    lambda x, out: np.put(out, [0, 2], x[:2]),
    lambda x, out: np.place(out, out > 0, x),
    lambda x, out: np.putmask(out, out > 0, x),
    lambda x, out: np.fill_diagonal(x, 0.0),
    lambda x, out: np.put_along_axis(out, onp.array([1]), x[:1], axis=0),
])
def test_in_place_writers_refuse_traced_values(call):
    with pytest.raises(TypeError, match="in place"):
        grad(lambda x: call(x, onp.ones(3)) or np.sum(x))(V3)


def test_in_place_writers_write():
    out = onp.zeros(4)
    np.put(out, [1, 3], [2.0, 4.0])
    onp.testing.assert_array_equal(out, [0, 2, 0, 4])
    m = onp.zeros((2, 2))
    np.fill_diagonal(m, 3.0)
    onp.testing.assert_array_equal(m, 3 * onp.eye(2))
    np.copyto(out, 1.5)
    np.putmask(out, [True, False, True, False], [7.0, 8.0, 9.0, 10.0])
    onp.testing.assert_array_equal(out, [7.0, 1.5, 9.0, 1.5])
    np.place(out, out > 5, [0.0])
    np.put_along_axis(m, onp.array([[1], [0]]), -1.0, axis=1)
    onp.testing.assert_array_equal(out, [0.0, 1.5, 0.0, 1.5])
    onp.testing.assert_array_equal(m, [[3.0, -1.0], [-1.0, 3.0]])


def test_asarray_chkfinite_refuses_nan():
    with pytest.raises(ValueError, match="infs or NaNs"):
        grad(lambda x: np.sum(np.asarray_chkfinite(np.index_update(x, 0, onp.nan))))(V3)


def test_set_operations_send_each_values_derivative_to_its_first_occurrence():
    g = grad(lambda a: np.sum(np.unique_values(a) ** 2))(REPEATS)
    onp.testing.assert_array_equal(g, [[6.0, 2.0, 4.0], [0.0, 10.0, 0.0]])
    g1, g2 = grad(lambda a, b: np.sum(np.union1d(a, b) * np.arange(5.0)), argnum=(0, 1))(
        onp.array([2.0, 1.0]), onp.array([1.0, 4.0, 3.0, 7.0]))
    onp.testing.assert_array_equal(g1, [1.0, 0.0])
    onp.testing.assert_array_equal(g2, [0.0, 3.0, 2.0, 4.0])
