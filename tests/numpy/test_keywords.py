"""Arguments given by keyword behave exactly as given by position, for every differentiable
function of mlkit.numpy, its linalg and fft namespaces and mlkit.scipy.

Each function has an example call below. For every argument that numpy (or scipy) lets you
pass by keyword, the call is repeated with that argument and all after it by keyword (named
as in the original's signature), and the value and the gradient with respect to every
floating argument must equal those of the positional call.
"""

import inspect
import warnings

import numpy as onp
import pytest
import scipy.special
import scipy.stats

import mlkit.numpy as np
from mlkit import grad
from mlkit.autodiff.tracer import getval
from mlkit.scipy import special, stats

RNG = onp.random.default_rng(7)
X = RNG.standard_normal((2, 3))
Y = RNG.standard_normal((3, 2))
V = RNG.standard_normal(3)
W = RNG.uniform(0.5, 2.0, 3)
Z = X + 1j * RNG.standard_normal((2, 3))
A = RNG.standard_normal((3, 3)) + 3 * onp.eye(3)
S = A + A.T
SQUARE4 = RNG.standard_normal((4, 2))
CUBE = RNG.standard_normal((2, 2, 2))
XN = X.copy()
XN[0, 1] = onp.nan
XINF = XN.copy()
XINF[1, 0], XINF[1, 2] = onp.inf, -onp.inf
B4 = onp.array([0.3, -1.2, 0.8, 2.1])
VW = onp.concatenate([V[1:], W])
T4 = (SQUARE4 @ SQUARE4.T + 3 * onp.eye(4)).reshape(2, 2, 2, 2)

# name -> positional arguments of one call (floating arrays and floats are differentiated)
EXAMPLES = {
    ("np", "amax"): (X, 1, None, True), ("np", "amin"): (X, 1, None, True),
    ("np", "max"): (X, 1, None, True), ("np", "min"): (X, 1, None, True),
    ("np", "angle"): (Z, True), ("np", "arange"): (0.1, 3.0, 0.63),
    ("np", "array"): ([X, X * 2.0],), ("np", "asarray"): ([V, W],),
    ("np", "array_split"): (X, 2, 1), ("np", "average"): (X, 1, W, True),
    ("np", "bincount"): (onp.array([0, 2, 2]), W), ("np", "broadcast_to"): (V, (2, 3)),
    ("np", "clip"): (X, -0.5, 0.5), ("np", "concatenate"): ((X, X), 1), ("np", "copy"): (X,),
    ("np", "cumprod"): (X, 1, None), ("np", "cumsum"): (X, 1, None), ("np", "diag"): (V, 1),
    ("np", "diagflat"): (X, 1), ("np", "diagonal"): (A, 0, 0, 1), ("np", "dot"): (X, Y),
    ("np", "dsplit"): (CUBE, 2), ("np", "expand_dims"): (X, 0), ("np", "fix"): (X * 3,),
    ("np", "flip"): (X, 0), ("np", "fliplr"): (X,), ("np", "flipud"): (X,),
    ("np", "full"): ((2, 3), 2.0), ("np", "full_like"): (X, 2.0),
    ("np", "geomspace"): (1.0, 3.0, 4), ("np", "hsplit"): (SQUARE4.T, 2),
    ("np", "hstack"): ((X, X),), ("np", "imag"): (Z,), ("np", "kron"): (X, Y),
    ("np", "linspace"): (1.0, 3.0, 5), ("np", "logspace"): (0.1, 0.5, 4, True, 2.0),
    ("np", "mean"): (X, 1, None, None, True), ("np", "moveaxis"): (X, 0, 1),
    ("np", "nanmean"): (XN, 1, None, None, True), ("np", "nansum"): (XN, 1, None, None, True),
    ("np", "outer"): (V, W), ("np", "pad"): (X, 1), ("np", "partition"): (W, 1),
    ("np", "prod"): (X, 1, None, None, True), ("np", "ravel"): (X,), ("np", "real"): (Z,),
    ("np", "repeat"): (X, 2, 1), ("np", "reshape"): (X, (3, 2)), ("np", "roll"): (X, 1, 1),
    ("np", "rot90"): (X, 1, (0, 1)), ("np", "round"): (X, 1), ("np", "sinc"): (X,),
    ("np", "sort"): (X, 0, "stable"), ("np", "split"): (SQUARE4, 2),
    ("np", "squeeze"): (X[:, :1], 1), ("np", "stack"): ((X, X), 1),
    ("np", "std"): (X, 1, None, None, 1, True), ("np", "sum"): (X, 1, None, None, True),
    ("np", "swapaxes"): (X, 0, 1), ("np", "take"): (X, onp.array([0, 4]), 1, None, "clip"),
    ("np", "take_along_axis"): (X, onp.array([[0, 2], [1, 1]]), 1), ("np", "tensordot"): (X, Y, 1),
    ("np", "tile"): (V, 2), ("np", "trace"): (A, 1, 0, 1, None), ("np", "transpose"): (X, (1, 0)),
    ("np", "tril"): (A, -1), ("np", "triu"): (A, 1), ("np", "unique"): (V,),
    ("np", "var"): (X, 1, None, None, 1, True), ("np", "vsplit"): (SQUARE4, 2),
    ("np", "vstack"): ((X, X),), ("linalg", "det"): (A,), ("linalg", "eigh"): (S, "U"),
    ("linalg", "eigvalsh"): (S, "U"), ("linalg", "inv"): (A,), ("linalg", "matrix_power"): (A, 2),
    ("linalg", "multi_dot"): ([A, A, A],), ("linalg", "norm"): (X, None, 1, True),
    ("linalg", "pinv"): (X,), ("linalg", "qr"): (A, "reduced"), ("linalg", "slogdet"): (A,),
    ("linalg", "solve"): (A, Y), ("linalg", "svd"): (X, False, True, False),
    ("fft", "fft"): (X, 4, 0, "ortho"), ("fft", "fft2"): (X, (3, 3), (0, 1), "ortho"),
    ("fft", "fftn"): (X, (2, 4), None, "ortho"), ("fft", "ifft"): (Z, 4, 0, "forward"),
    ("fft", "ifft2"): (Z, (3, 3), (0, 1), "ortho"), ("fft", "ifftn"): (Z, (2, 4), None, "ortho"),
    ("fft", "rfft"): (X, 4, 0, "ortho"), ("fft", "irfft"): (Z, 4, 0, "ortho"),
    ("fft", "fftshift"): (X, 1), ("fft", "ifftshift"): (X, 1), ("fft", "fftfreq"): (5, 0.3),
    ("fft", "rfftfreq"): (6, 0.3), ("np", "asanyarray"): (X, None, "C"),
    ("np", "ascontiguousarray"): (X, None), ("np", "asfortranarray"): (X, None),
    ("np", "asarray_chkfinite"): (X, None, "C"), ("np", "require"): (X, None, "C"),
    ("np", "around"): (X, 1), ("np", "select"): ([X > 0, X < -0.5], [X, 2.0 * X], 0.5),
    ("np", "nan_to_num"): (XINF, True, 0.5, 2.0, -3.0), ("np", "real_if_close"): (Z, 100),
    ("np", "quantile"): (X, 0.3, 1, None, False, "linear", True),
    ("np", "percentile"): (X, 30.0, 1, None, False, "linear", True),
    ("np", "median"): (X, 1, None, False, True),
    ("np", "nanquantile"): (XN, 0.3, 1, None, False, "linear", True),
    ("np", "nanpercentile"): (XN, 30.0, 1, None, False, "linear", True),
    ("np", "nanmedian"): (XN, 1, None, False, True), ("np", "ptp"): (X, 1, None, True),
    ("np", "nanmax"): (XN, 1, None, True), ("np", "nanmin"): (XN, 1, None, True),
    ("np", "nanprod"): (XN, 1, None, None, True), ("np", "nancumsum"): (XN, 1, None),
    ("np", "nancumprod"): (XN, 1, None), ("np", "nanvar"): (XN, 1, None, None, 1, True),
    ("np", "nanstd"): (XN, 1, None, None, 1, True),
    ("np", "cov"): (X, Y.T, True, False, 1, None, W), ("np", "corrcoef"): (X, Y.T, True),
    ("np", "histogram_bin_edges"): (V, 4, (-2.0, 2.0)), ("np", "diff"): (X, 1, 1, 0.5, 1.5),
    ("np", "ediff1d"): (V, W, 0.5), ("np", "gradient"): (X,), ("np", "trapezoid"): (X, V, 0.5, 1),
    ("np", "cross"): (X, Y.T, -1, -1, -1), ("np", "polyval"): (V, W), ("np", "polyadd"): (V, W[:2]),
    ("np", "polysub"): (V, W[:2]), ("np", "polymul"): (V, W[:2]), ("np", "polyder"): (V, 1),
    ("np", "polyint"): (V, 1, 0.5), ("np", "polydiv"): (V, W[:2]),
    ("np", "polyfit"): (V, W, 1, None, False, W), ("np", "roots"): (V,), ("np", "poly"): (V,),
    ("np", "vander"): (V, 3, True), ("np", "convolve"): (V, W, "same"),
    ("np", "correlate"): (V, W, "full"),
    ("np", "interp"): (0.5 * V, onp.array([-1.0, 0.0, 1.0]), W, -2.0, 2.0),
    ("np", "unwrap"): (3.0 * V, 1.0, -1), ("np", "column_stack"): ((V, W),),
    ("np", "row_stack"): ((V, W),), ("np", "dstack"): ((X, X),), ("np", "append"): (X, X, 1),
    ("np", "concat"): ((X, X), 1), ("np", "permute_dims"): (X, (1, 0)),
    ("np", "rollaxis"): (CUBE, 2, 0), ("np", "delete"): (X, 1, 1),
    ("np", "insert"): (X, 1, W[:2], 1), ("np", "compress"): ([True, False, True], X, 1),
    ("np", "extract"): (X > 0, X), ("np", "choose"): (onp.array([0, 1, 2]), (V, W), None, "clip"),
    ("np", "resize"): (X, (3, 3)),
    ("np", "trim_zeros"): (onp.array([0.0, 0.0, 1.5, 2.0, 0.0]), "fb"),
    ("np", "sort_complex"): (V,), ("np", "block"): ([[X, X], [X, X]],),
    ("np", "unique_values"): (V,), ("np", "unique_counts"): (V,), ("np", "unique_inverse"): (V,),
    ("np", "unique_all"): (V,), ("np", "union1d"): (V, W),
    ("np", "intersect1d"): (V, VW, False, True), ("np", "setdiff1d"): (V, VW, False),
    ("np", "setxor1d"): (V, VW, False), ("np", "apply_along_axis"): (np.cumsum, 1, X),
    ("np", "apply_over_axes"): (np.sum, CUBE, [0, 2]),
    ("np", "piecewise"): (X, [X < 0, X >= 0], [np.sin, np.exp]), ("linalg", "cond"): (A, None),
    ("linalg", "eig"): (A,), ("linalg", "eigvals"): (A,), ("linalg", "lstsq"): (SQUARE4, B4, None),
    ("linalg", "tensorinv"): (T4, 2), ("linalg", "tensorsolve"): (T4, CUBE[0], None),
    ("fft", "hfft"): (Z, 4, 1, "ortho"), ("fft", "ihfft"): (X, 4, 1, "ortho"),
    ("fft", "irfft2"): (Z, (2, 4), (0, 1), "ortho"),
    ("fft", "irfftn"): (Z, (2, 4), (0, 1), "ortho"), ("fft", "rfft2"): (X, (2, 4), (0, 1), "ortho"),
    ("fft", "rfftn"): (X, (2, 4), (0, 1), "ortho"), ("special", "multigammaln"): (W + 2.0, 2),
    ("special", "log_softmax"): (X, 1), ("special", "softmax"): (X, 1),
    ("special", "logsumexp"): (X, 1, W, True, False), ("special", "polygamma"): (1, W),
}
# Keyword-only arguments, and mlkit's keyword spellings numpy has no signature for:
# (namespace, name, positional args, keyword args, the same call by position, and where each
# floating keyword argument sits in it).
KEYWORD_CALLS = [
    ("np", "clip", (X,), {"min": -0.5, "max": 0.5}, (X, -0.5, 0.5), {"min": 1, "max": 2}),
    ("np", "clip", (X,), {"a_max": 0.5}, (X, None, 0.5), {"a_max": 2}),
    ("np", "where", (X > 0,), {"x": X, "y": 2.0 * X}, (X > 0, X, 2.0 * X), {"x": 1, "y": 2}),
    ("np", "sort", (X, 0), {"stable": True}, (X, 0, "stable"), {}),
    ("np", "asarray", (X,), {"order": "F", "copy": True}, (X, None, "F"), {}),
]
STATS = {"norm": ("x", "loc", "scale"), "t": ("x", "df", "loc", "scale")}
STATS_ARGS = {"norm": (X, 0.3, 1.5), "t": (X, 3.0, 0.2, 1.5)}
STATS_CONSTANT = {("t", "cdf"): ("df",), ("t", "logcdf"): ("df",)}

NAMESPACES = {"np": (np, onp), "linalg": (np.linalg, onp.linalg), "fft": (np.fft, onp.fft),
              "special": (special, scipy.special)}


def _differentiable(value):
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_differentiable(v) for v in value)
    return onp.asarray(value).dtype.kind in "fc" and not isinstance(value, str)


def _keyword_names(original):
    """The names of the leading parameters of ``original`` that can be passed by keyword
    (None for a position that cannot)."""
    try:
        parameters = list(inspect.signature(original).parameters.values())
    except (TypeError, ValueError):
        return []
    names = []
    for p in parameters:
        if p.kind == p.VAR_POSITIONAL:
            break
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            # ``out`` writes in place: never a traced argument.
            keyword = p.kind == p.POSITIONAL_OR_KEYWORD and p.name != "out"
            names.append(p.name if keyword else None)
    return names


def _needs_example(label, name):
    namespace, originals = NAMESPACES[label]
    original = getattr(originals, name, None)
    return original is not None and any(_keyword_names(original))


def _differentiable_names():
    rows = []
    for label, (namespace, _) in NAMESPACES.items():
        for name, row in np.coverage(namespace).items():
            if row["kind"] in ("primitive", "composite"):
                rows.append((label, name))
    return rows


def _reduce(out):
    """A real scalar from every floating leaf of an output (tuples of arrays included)."""
    if isinstance(getval(out), (tuple, list)):
        return sum((_reduce(o) for o in out), 0.0)
    if onp.asarray(getval(out)).dtype.kind not in "fc":
        return 0.0
    return np.sum(np.sin(np.real(out)) + 0.5 * np.imag(out))


def _value_and_grads(fun, args, kwargs, positions):
    """The output and the gradient with respect to each argument (or keyword) in positions."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = fun(*args, **kwargs)
        grads = []
        for where in positions:
            def total(x, _where=where):
                if isinstance(_where, int):
                    new = list(args)
                    new[_where] = x
                    return _reduce(fun(*new, **kwargs))
                return _reduce(fun(*args, **{**kwargs, _where: x}))
            point = args[where] if isinstance(where, int) else kwargs[where]
            grads.append(grad(total)(point))
    return value, grads


def _assert_same(a, b, message):
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b), message
        for x, y in zip(a, b):
            _assert_same(x, y, message)
        return
    onp.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=message)


def _split_calls(label, name):
    """(positional args, keyword args) for each split point of the example call; an ``out``
    slot (None in the example) is left to its default once the call is by keyword."""
    args = EXAMPLES[(label, name)]
    original = getattr(NAMESPACES[label][1], name)
    names = _keyword_names(original)
    for first in range(len(args)):
        if first < len(names) and names[first] is not None:
            assert all(args[k] is None for k in range(first, len(args)) if names[k] is None)
            keywords = {names[k]: args[k] for k in range(first, len(args)) if names[k]}
            yield first, args[:first], keywords


ROWS = [row for row in _differentiable_names() if _needs_example(*row)]


def test_every_function_taking_keywords_has_an_example():
    missing = [f"{label}.{name}" for label, name in ROWS if (label, name) not in EXAMPLES]
    assert not missing, f"add example calls to EXAMPLES for {missing}"


@pytest.mark.parametrize("label, name", ROWS, ids=[f"{lab}.{n}" for lab, n in ROWS])
def test_keyword_arguments_give_the_positional_derivatives(label, name):
    if (label, name) not in EXAMPLES:
        pytest.skip("no example (reported by the completeness test)")
    fun = getattr(NAMESPACES[label][0], name)
    args = EXAMPLES[(label, name)]
    floating = [i for i, a in enumerate(args) if _differentiable(a)]
    expected, expected_grads = _value_and_grads(fun, args, {}, floating)
    names = _keyword_names(getattr(NAMESPACES[label][1], name))
    for first, positional, keywords in _split_calls(label, name):
        positions = [i if i < first else names[i] for i in floating]
        value, grads = _value_and_grads(fun, positional, keywords, positions)
        message = f"{label}.{name} with {sorted(keywords)} by keyword"
        _assert_same(value, expected, message)
        _assert_same(grads, expected_grads, message)


@pytest.mark.parametrize("label, name, args, kwargs, positional, places", KEYWORD_CALLS,
                         ids=[f"{c[0]}.{c[1]}-{','.join(c[3])}" for c in KEYWORD_CALLS])
def test_keyword_only_spellings(label, name, args, kwargs, positional, places):
    fun = getattr(NAMESPACES[label][0], name)
    given = [i for i, a in enumerate(args) if _differentiable(a)] + list(places)
    value, grads = _value_and_grads(fun, args, kwargs, given)
    reference = [i for i, a in enumerate(args) if _differentiable(a)] + list(places.values())
    expected, expected_grads = _value_and_grads(fun, positional, {}, reference)
    _assert_same(value, expected, f"{name} with {sorted(kwargs)}")
    _assert_same(grads, expected_grads, f"{name} with {sorted(kwargs)}")


def test_pad_takes_traced_constant_values_by_keyword():
    def padded(x, fill):
        return np.sum(np.sin(np.pad(x, 1, constant_values=fill)))

    g = grad(padded, argnum=1)(X, 1.5)
    onp.testing.assert_allclose(g, 14 * onp.cos(1.5))  # the 4x5 border


STATS_ROWS = [(dist, method) for dist in STATS
              for method in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf")
              if hasattr(getattr(stats, dist), method)]


@pytest.mark.parametrize("dist, method", STATS_ROWS, ids=[f"{d}.{m}" for d, m in STATS_ROWS])
def test_stats_keywords_give_the_positional_derivatives(dist, method):
    fun = getattr(getattr(stats, dist), method)
    args = STATS_ARGS[dist]
    if method == "ppf":
        args = (onp.full_like(X, 0.3) + 0.1 * onp.abs(X),) + args[1:]
    names = STATS[dist]
    constant = STATS_CONSTANT.get((dist, method), ())  # refused: no closed form
    traced = [i for i, name in enumerate(names) if name not in constant]
    expected, expected_grads = _value_and_grads(fun, args, {}, traced)
    for first in range(1, len(args)):
        keywords = dict(zip(names[first:], args[first:]))
        value, grads = _value_and_grads(fun, args[:first], keywords,
                                        [i if i < first else names[i] for i in traced])
        _assert_same(value, expected, f"stats.{dist}.{method} by keyword")
        _assert_same(grads, expected_grads, f"stats.{dist}.{method} by keyword")
        raw = getattr(getattr(scipy.stats, dist), method)(*args[:first], **keywords)
        onp.testing.assert_allclose(value, raw, rtol=1e-10)


def test_where_keeps_python_scalars_and_takes_keywords():
    assert type(np.where(True, 1, 2.0)) is float
    assert np.where(False, 1, 2) == 2 and type(np.where(False, 1, 2)) is int
    assert isinstance(np.where(onp.array([True, False]), 1.0, 2.0), onp.ndarray)
    onp.testing.assert_array_equal(np.where(condition=X > 0, x=1.0, y=0.0), (X > 0) * 1.0)
    onp.testing.assert_array_equal(np.where(X > 0)[0], onp.nonzero(X > 0)[0])
    with pytest.raises(ValueError, match="both x and y"):
        np.where(X > 0, X)


def test_where_gives_python_lists_for_python_sequences():
    """Plain lists and tuples in give a list out, as HIPS autograd's where does; an array or a
    traced value anywhere inside keeps an array, and the derivative still reaches list items."""
    assert np.where([True, False], [1.0, 2.0], [3.0, 4.0]) == [1.0, 4.0]
    assert np.where(((True,), (False,)), 1, (2, 3)) == [[1, 1], [2, 3]]
    assert isinstance(np.where([True, False], onp.array([1.0, 2.0]), [3.0, 4.0]), onp.ndarray)
    assert isinstance(np.where([True, False], [onp.float64(1.0), 2.0], 0.0), onp.ndarray)
    assert grad(lambda a: np.sum(np.where([True, False], [a, 2 * a], [a, 3 * a]) ** 2))(1.5) == 30.0
