"""A tuple a primitive returns under two traces (a second derivative) is a box of a box:
slicing and concatenating it must rebuild the raw tuple type that lies under both boxes."""

import numpy as onp
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
