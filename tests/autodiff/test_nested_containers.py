"""A tuple a primitive returns under two traces (a second derivative) is a box of a box:
slicing and concatenating it must rebuild the raw tuple type that lies under both boxes."""

import numpy as onp
import scipy.linalg
from numpy.testing import assert_allclose

import mlkit
import mlkit.numpy as np
from mlkit import hessian
from mlkit.extend import defjvp, defvjp, primitive
from mlkit.testing import check_grads


@primitive
def sin_cos_square(x):
    """(sin x, cos x, x^2) as a tuple, from one primitive."""
    return onp.sin(x), onp.cos(x), x ** 2


defvjp(sin_cos_square, lambda ans, x: lambda g: g[0] * np.cos(x) - g[1] * np.sin(x) + 2 * g[2] * x)
defjvp(sin_cos_square, lambda t, ans, x: (t * np.cos(x), -t * np.sin(x), 2 * t * x))

X = onp.array([0.3, -1.2, 0.8])


def mixed(x):
    parts = sin_cos_square(x)
    s, c = parts[:2]
    q = (parts[2:] + parts[:1])[0]
    return np.sum(s * c + q * s)


def test_a_tuple_from_a_primitive_slices_and_concatenates_under_nested_traces():
    check_grads(mixed, modes=["rev", "fwd"], order=2)(X)


def test_its_hessian_matches_the_closed_form():
    # s c + x^2 s = sin(2x)/2 + x^2 sin x, elementwise
    d2 = -2 * onp.sin(2 * X) + 2 * onp.sin(X) + 4 * X * onp.cos(X) - X ** 2 * onp.sin(X)
    assert_allclose(hessian(mixed)(X), onp.diag(d2), rtol=1e-12, atol=1e-14)


@primitive
def weighted_sum(params, w):
    """w . params, for params a list of scalars; its VJP gives the list's cotangent as one array,
    as rules written for HIPS autograd may."""
    return onp.dot(onp.asarray(params, dtype=float), w)


W = onp.array([0.5, -2.0])
defvjp(weighted_sum, lambda ans, params, w: lambda g: g * w)


def through_a_traced_list(x):
    return weighted_sum(mlkit.builtins.list([np.sin(x[0]), x[1] ** 2 * x[0]]), W)


def test_a_traced_list_takes_an_array_cotangent_from_the_rule_that_reads_it():
    check_grads(through_a_traced_list, modes=["rev"], order=2)(X[:2])
    x0, x1 = X[:2]
    assert_allclose(hessian(through_a_traced_list)(X[:2]),
                    [[-0.5 * onp.sin(x0), -4 * x1], [-4 * x1, -4 * x0]], rtol=1e-12)


@primitive
def block_diagonal(blocks):
    """The block-diagonal matrix of a tuple or list of square blocks, one primitive."""
    return scipy.linalg.block_diag(*blocks)


def _blocks_of(g, blocks):
    ends = onp.cumsum([onp.shape(b)[0] for b in blocks])
    return tuple(g[e - len(b):e, e - len(b):e] for e, b in zip(ends, blocks))


defvjp(block_diagonal, lambda ans, blocks: lambda g: _blocks_of(g, blocks))
defjvp(block_diagonal, lambda t, ans, blocks: block_diagonal(t))

BLOCKS = (onp.array([[2.0, 0.3], [0.3, 1.0]]), onp.array([[1.5]]))
V = onp.array([1.0, -2.0, 0.5])


def quadratic_form_inv(blocks):
    return V @ np.linalg.solve(block_diagonal(blocks), V)


def test_a_primitive_of_a_traced_tuple_gets_its_values_and_gives_a_tuple_cotangent():
    # grad of a tuple traces each block; the primitive still sees the tuple of arrays
    check_grads(quadratic_form_inv, modes=["rev", "fwd"], order=2)(BLOCKS)
    check_grads(lambda blocks: quadratic_form_inv(list(blocks)), modes=["rev"])(BLOCKS)


def test_the_log_determinant_gradient_is_each_blocks_inverse_transpose():
    g = mlkit.grad(lambda blocks: np.linalg.slogdet(block_diagonal(blocks))[1])(BLOCKS)
    assert type(g) is tuple and len(g) == 2
    for gk, bk in zip(g, BLOCKS):
        assert_allclose(gk, onp.linalg.inv(bk).T, rtol=1e-12)


@primitive
def weighted_total(params):
    """2 sum(a) + b^2 computed by plain numpy on a dict of arrays, one primitive."""
    return 2.0 * onp.sum(onp.asarray(params["a"])) + onp.square(onp.asarray(params["b"]))


defvjp(weighted_total, lambda ans, p: lambda g: {"a": 2.0 * g * np.ones_like(p["a"]),
                                                  "b": 2.0 * g * p["b"]})


def test_a_primitive_of_a_traced_dict_gets_its_values_and_gives_a_dict_cotangent():
    params = {"a": onp.array([1.0, -2.0]), "b": onp.array(1.5)}
    check_grads(lambda p: weighted_total(p) * np.sum(p["a"] ** 2), modes=["rev"])(params)
    g = mlkit.grad(lambda p: 3.0 * weighted_total(p))(params)
    assert_allclose(g["a"], [6.0, 6.0])
    assert_allclose(g["b"], 9.0)
