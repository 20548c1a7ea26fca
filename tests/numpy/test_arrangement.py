"""Splits, tiles, repeats, rolls, pads, gathers, sorts, diagonals, triangles, kron and flips:
values against numpy, derivatives against finite differences (both modes, order 2), float32
kept float32, and the ndarray methods that route to these functions."""

import warnings

import numpy as onp
import pytest

import mlkit
import mlkit.numpy as np
from mlkit.autodiff.vspace import vspace
from mlkit.testing import check_grads


def _gather_index(shape, axis):
    """A constant index array of ``shape`` valid along ``axis``, with repeats."""
    return (onp.arange(int(onp.prod(shape))).reshape(shape) * 7 + 3) % shape[axis]


# (id, fun(module, *arrays), [shapes per argument, ...], also try complex inputs)
CASES = [
    ("split-sections", lambda m, x: m.split(x, 2), [((2, 3),), ((4,),), ((2, 1, 3),)], True),
    ("split-indices", lambda m, x: m.split(x, [1, 3], axis=-1), [((2, 4),), ((1, 5),)], False),
    ("array_split", lambda m, x: m.array_split(x, 3, axis=1), [((2, 4),), ((1, 5, 1),)], False),
    ("hsplit", lambda m, x: m.hsplit(x, 2), [((2, 4),), ((4,),)], False),
    ("vsplit", lambda m, x: m.vsplit(x, [1]), [((3, 2),), ((2, 1, 2),)], False),
    ("dsplit", lambda m, x: m.dsplit(x, 2), [((1, 2, 4),)], False),
    ("tile-tuple", lambda m, x: m.tile(x, (2, 1, 3)), [((3,),), ((2, 1),), ((1, 2, 2),)], True),
    ("tile-int", lambda m, x: m.tile(x, 2), [((),), ((3,),), ((2, 2),)], False),
    ("repeat-flat", lambda m, x: m.repeat(x, 2), [((3,),), ((2, 2),)], False),
    ("repeat-counts", lambda m, x: m.repeat(x, [1, 0, 2], axis=-1),
     [((3,),), ((2, 3),), ((1, 3),)], True),
    ("repeat-axis0", lambda m, x: m.repeat(x, 3, axis=0), [((2, 3),), ((1, 2),)], False),
    ("roll-flat", lambda m, x: m.roll(x, 2), [((4,),), ((2, 3),)], False),
    ("roll-axes", lambda m, x: m.roll(x, (1, -2), axis=(0, 1)), [((2, 3),), ((3, 1, 2),)],
     True),
    ("pad-constant", lambda m, x: m.pad(x, ((1, 0), (0, 2)), constant_values=1.5),
     [((2, 3),), ((1, 1),)], True),
    ("pad-zeros", lambda m, x: m.pad(x, 1), [((3,),), ((2, 2),)], False),
    ("pad-per-axis-fill", lambda m, x: m.pad(x, 1, constant_values=((1.0, 2.0), (3.0, 4.0))),
     [((2, 3),)], False),
    ("pad-traced-fill", lambda m, x, c: m.pad(x, (2, 1), constant_values=c),
     [((3,), ()), ((2, 2), ())], False),
    ("pad-edge", lambda m, x: m.pad(x, 2, mode="edge"), [((3,),), ((2, 3),)], False),
    ("pad-reflect", lambda m, x: m.pad(x, 2, mode="reflect"), [((3,),), ((3, 3),)], False),
    ("pad-symmetric", lambda m, x: m.pad(x, ((1, 2),), mode="symmetric"), [((3,),)], False),
    ("pad-wrap", lambda m, x: m.pad(x, ((0, 1), (2, 2)), mode="wrap"), [((2, 3),)], True),
    ("take-flat", lambda m, x: m.take(x, [0, 2, 2, -1]), [((3,),), ((2, 3),)], True),
    ("take-axis", lambda m, x: m.take(x, [[0, 1], [1, 1]], axis=1),
     [((2, 3),), ((1, 2, 4),)], False),
    ("take-wrap", lambda m, x: m.take(x, [4, -5, 1], axis=0, mode="wrap"), [((3, 2),)], False),
    ("take_along_axis", lambda m, x: m.take_along_axis(x, _gather_index(x.shape, 1), axis=1),
     [((2, 3),), ((3, 1, 2),)], False),
    ("take_along_axis-none", lambda m, x: m.take_along_axis(x, onp.array([2, 0, 0]), None),
     [((3,),), ((2, 2),)], False),
    ("sort-last", lambda m, x: m.sort(x), [((4,),), ((2, 3),), ((3, 1),)], False),
    ("sort-axis0", lambda m, x: m.sort(x, axis=0), [((3, 2),), ((1, 4),)], False),
    ("sort-flat", lambda m, x: m.sort(x, axis=None), [((2, 3),)], False),
    ("partition", lambda m, x: m.partition(x, 1), [((3,),), ((2, 4),)], False),
    ("diag-build", lambda m, x: m.diag(x), [((3,),), ((1,),)], True),
    ("diag-build-above", lambda m, x: m.diag(x, 1), [((3,),), ((1,),)], False),
    ("diag-build-below", lambda m, x: m.diag(x, -2), [((2,),)], False),
    ("diag-read", lambda m, x: m.diag(x), [((3, 3),), ((2, 4),), ((1, 3),)], True),
    ("diag-read-offset", lambda m, x: m.diag(x, 1), [((3, 3),), ((4, 2),)], False),
    ("diag-read-below", lambda m, x: m.diag(x, -1), [((3, 3),), ((2, 4),)], False),
    ("diagflat", lambda m, x: m.diagflat(x, 1), [((2, 2),)], False),
    ("diagonal", lambda m, x: m.diagonal(x), [((3, 3),), ((2, 4),)], False),
    ("diagonal-axes", lambda m, x: m.diagonal(x, 1, 0, 2), [((2, 3, 4),), ((3, 1, 3),)], False),
    ("trace", lambda m, x: m.trace(x), [((3, 3),), ((2, 4),), ((1, 1),)], True),
    ("trace-offset", lambda m, x: m.trace(x, -1), [((3, 3),)], False),
    ("trace-batched", lambda m, x: m.trace(x, 0, 1, 2), [((2, 3, 3),)], False),
    ("tril", lambda m, x: m.tril(x), [((3, 3),), ((2, 3, 4),), ((4,),)], True),
    ("tril-above", lambda m, x: m.tril(x, 1), [((3, 3),), ((2, 4),)], False),
    ("triu", lambda m, x: m.triu(x), [((3, 3),), ((2, 3, 4),), ((4,),)], False),
    ("triu-below", lambda m, x: m.triu(x, -1), [((3, 3),), ((4, 2),)], False),
    ("kron", lambda m, a, b: m.kron(a, b),
     [((2, 3), (2, 2)), ((3,), (2,)), ((2,), (2, 3)), ((1, 2, 2), (3, 1))], True),
    ("fliplr", lambda m, x: m.fliplr(x), [((2, 3),), ((1, 2, 2),)], False),
    ("flipud", lambda m, x: m.flipud(x), [((3,),), ((2, 3),)], False),
    ("rot90", lambda m, x: m.rot90(x), [((2, 3),), ((2, 3, 2),)], True),
    ("rot90-twice", lambda m, x: m.rot90(x, 2), [((2, 3),)], False),
    ("rot90-thrice", lambda m, x: m.rot90(x, 3), [((2, 3),)], False),
    ("rot90-back-axes", lambda m, x: m.rot90(x, -1, axes=(1, 2)), [((2, 3, 2),)], False),
]


def _expand(cases):
    for case_id, fun, shape_sets, try_complex in cases:
        for shapes in shape_sets:
            for complex_ in (False, True) if try_complex else (False,):
                label = f"{case_id}-{'x'.join(map(str, shapes))}{'-complex' if complex_ else ''}"
                yield pytest.param(fun, shapes, complex_, id=label)


PARAMS = list(_expand(CASES))
FIRST_SHAPES = [pytest.param(fun, shape_sets[0], id=case_id)
                for case_id, fun, shape_sets, _ in CASES]


def _inputs(shapes, complex_=False, dtype=onp.float64, seed=0):
    rng = onp.random.default_rng(seed)
    args = []
    for shape in shapes:
        x = rng.standard_normal(shape)
        if complex_:
            x = x + 1j * rng.standard_normal(shape)
        args.append(onp.asarray(x, dtype=onp.complex128 if complex_ else dtype))
    return args


def leaves(value):
    """The arrays of a nested list/tuple result, in order."""
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    return [onp.asarray(value)]


def _assert_same_values(ours, theirs):
    ours, theirs = leaves(ours), leaves(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape
        onp.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fun, shapes, complex_", PARAMS)
def test_values_match_numpy(fun, shapes, complex_):
    args = _inputs(shapes, complex_)
    _assert_same_values(fun(np, *args), fun(onp, *args))


@pytest.mark.parametrize("fun, shapes, complex_", PARAMS)
def test_grads_match_finite_differences(fun, shapes, complex_):
    args = _inputs(shapes, complex_)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        check_grads(lambda *xs: fun(np, *xs), argnum=None, modes=("fwd", "rev"), order=2)(*args)


@pytest.mark.parametrize("fun, shapes", FIRST_SHAPES)
def test_float32_values_and_derivatives_stay_float32(fun, shapes):
    args = tuple(_inputs(shapes, dtype=onp.float32))
    vjp, ans = mlkit.make_vjp(lambda xs: fun(np, *xs))(args)
    assert all(leaf.dtype == onp.float32 for leaf in leaves(ans))
    cotangents = vjp(vspace(ans).ones())
    assert all(leaf.dtype == onp.float32 for leaf in leaves(cotangents))
    _, tangent = mlkit.make_jvp(lambda xs: fun(np, *xs))(args)(vspace(args).ones())
    assert all(leaf.dtype == onp.float32 for leaf in leaves(tangent))


@pytest.mark.parametrize("method, args, kwargs", [
    ("repeat", (2,), {"axis": 1}),
    ("take", ([2, 0, 0],), {"axis": 1}),
    ("trace", (1,), {}),
    ("diagonal", (-1,), {}),
])
def test_array_methods_route_to_these_functions(method, args, kwargs):
    x = _inputs([(3, 3)])[0]
    weights = onp.random.default_rng(1).standard_normal(getattr(onp, method)(x, *args,
                                                                             **kwargs).shape)

    def through_method(x):
        return np.sum(getattr(x, method)(*args, **kwargs) * weights)

    def through_function(x):
        return np.sum(getattr(np, method)(x, *args, **kwargs) * weights)

    onp.testing.assert_allclose(mlkit.grad(through_method)(x), mlkit.grad(through_function)(x))
    assert onp.any(mlkit.grad(through_method)(x) != 0)


def test_in_place_sort_method_on_a_traced_array_points_to_np_sort():
    with pytest.raises(TypeError, match=r"np\.sort"):
        mlkit.grad(lambda x: np.sum(x.sort()))(onp.ones(3))


@pytest.mark.parametrize("call", [
    lambda m, x: m.sort(x, axis=0), lambda m, x: m.tile(x, 2), lambda m, x: m.pad(x, 1),
    lambda m, x: m.trace(x), lambda m, x: m.roll(x, 1), lambda m, x: m.kron(x, x),
])
def test_numpy_functions_on_traced_values_dispatch_here(call):
    x = _inputs([(2, 2)])[0]
    weights = onp.arange(call(onp, x).size).reshape(call(onp, x).shape)
    by_numpy = mlkit.grad(lambda x: np.sum(call(onp, x) * weights))(x)
    onp.testing.assert_allclose(by_numpy, mlkit.grad(lambda x: np.sum(call(np, x) * weights))(x))


def test_sort_gradient_follows_each_element():
    x = onp.array([3.0, -1.0, 2.0])
    jac = mlkit.jacobian(np.sort)(x)
    onp.testing.assert_array_equal(jac, onp.eye(3)[[1, 2, 0]])


def test_repeat_and_take_gradients_sum_over_copies():
    x = onp.array([1.0, 2.0, 3.0])
    onp.testing.assert_array_equal(mlkit.grad(lambda x: np.sum(np.repeat(x, [2, 0, 3])))(x),
                                   [2.0, 0.0, 3.0])
    onp.testing.assert_array_equal(mlkit.grad(lambda x: np.sum(np.take(x, [0, 0, 0, 2])))(x),
                                   [3.0, 0.0, 1.0])


@pytest.mark.parametrize("call, error", [
    (lambda x: np.vsplit(x, 2), ValueError),
    (lambda x: np.split(x, 2), ValueError),
    (lambda x: np.diag(np.reshape(x, (1, 1, 3))), ValueError),
    (lambda x: np.fliplr(x), ValueError),
])
def test_bad_arguments_are_rejected_like_numpy(call, error):
    with pytest.raises(error):
        mlkit.grad(lambda x: np.sum(call(x)))(onp.ones(3))
