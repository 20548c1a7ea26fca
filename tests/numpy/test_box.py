"""Traced arrays meeting plain Python and numpy: integer casts, indices from traced values,
int() and range(), and writes into numpy arrays."""

import re

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit
import mlkit.numpy as np
from mlkit import grad
from mlkit.testing import check_grads

OFF_GRID = onp.array([0.3, 1.7, 2.2, 3.6])


def test_astype_to_an_integer_dtype_gives_a_plain_array_with_no_derivative():
    seen = {}

    def f(x):
        ix = x.astype(int, copy=False)
        seen["ix"] = ix
        return np.sum(x * ix)

    # d/dx (x * trunc(x)) = trunc(x): the cast is piecewise constant.
    assert_allclose(grad(f)(OFF_GRID), [0.0, 1.0, 2.0, 3.0])
    assert type(seen["ix"]) is onp.ndarray and seen["ix"].dtype.kind == "i"
    check_grads(f, modes=("fwd", "rev"), order=2)(OFF_GRID)
    assert type(np.astype(onp.float64(2.5), onp.int32)) is onp.int32
    assert grad(lambda x: x * (x > 1.0).astype(bool))(2.0) == 1.0


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_astype_to_a_float_dtype_stays_differentiable(dtype):
    x = OFF_GRID.astype(onp.float32 if dtype is onp.float64 else onp.float64)
    gradient = grad(lambda x: np.sum(x.astype(dtype, copy=False) ** 2))(x)
    assert gradient.dtype == x.dtype
    assert_allclose(gradient, 2 * x, rtol=1e-6)
    check_grads(lambda x: np.sum(np.sin(x.astype(onp.float64))), modes=("fwd", "rev"),
                order=2)(OFF_GRID)


def _advect(f, x):
    """Bilinear interpolation of the grid f at points x, as fluid simulations do."""
    ix = np.floor(x[:, 0]).astype(int)
    iy = np.floor(x[:, 1]).astype(int)
    wx = x[:, 0] - ix
    wy = x[:, 1] - iy
    return ((1 - wx) * (1 - wy) * f[ix, iy] + wx * (1 - wy) * f[ix + 1, iy]
            + (1 - wx) * wy * f[ix, iy + 1] + wx * wy * f[ix + 1, iy + 1])


def test_integer_indices_computed_from_traced_values_index_traced_and_plain_arrays():
    rng = onp.random.default_rng(0)
    grid = rng.standard_normal((4, 5))
    points = onp.array([[0.3, 1.6], [2.2, 3.7], [1.4, 0.2]])
    check_grads(lambda f: np.sum(np.sin(_advect(f, points))), modes=("fwd", "rev"),
                order=2)(grid)
    check_grads(lambda x: np.sum(_advect(grid, x) ** 2), modes=("fwd", "rev"),
                order=2)(points)
    # The weights' derivative along x is the grid's slope between neighbours.
    slope = grad(lambda x: np.sum(_advect(grid, x)))(points)
    ix, iy = onp.floor(points).astype(int).T
    wy = points[:, 1] - iy
    expected = (1 - wy) * (grid[ix + 1, iy] - grid[ix, iy]) + wy * (
        grid[ix + 1, iy + 1] - grid[ix, iy + 1])
    assert_allclose(slope[:, 0], expected)


def test_an_integer_traced_value_indexes_traced_arrays_without_a_derivative():
    floor_index = mlkit.primitive(lambda x: onp.floor(x).astype(int))
    mlkit.defvjp(floor_index, None)
    mlkit.defjvp(floor_index, None)
    table = onp.arange(5.0) ** 2
    x = onp.array([1.5, 3.2])

    def f(t, x):
        ix = floor_index(x)  # traced, with integer values
        return np.sum(t[ix] * x) + np.sum(t[(ix,)] ** 2) + np.sum(onp.arange(5.0)[ix] * x)

    d_table, d_x = grad(f, (0, 1))(table, x)
    assert_allclose(d_table, [0.0, 1.5 + 2.0, 0.0, 3.2 + 18.0, 0.0])
    assert_allclose(d_x, [1.0 + 1.0, 9.0 + 3.0])
    check_grads(lambda t: f(t, x), modes=("fwd", "rev"), order=2)(table)
    check_grads(lambda x: f(table, x), modes=("fwd", "rev"), order=2)(x)


def test_int_and_range_of_traced_values():
    # int() truncates, a piecewise-constant function: a constant for the derivative.
    assert grad(lambda x: x * int(np.floor(x)))(2.5) == 2.0
    assert grad(lambda x: x ** 2 * int(x))(3.7) == 2 * 3.7 * 3
    assert grad(lambda x: sum(x * k for k in range(np.floor(x).astype(int))))(3.5) == 3.0
    plain = onp.arange(6.0)
    assert grad(lambda x: x * plain[np.round(x).astype(int)])(2.2) == 2.0
    with pytest.raises(TypeError, match=r"cannot be used as an index.*int\(x\)"):
        grad(lambda x: x * len(range(x)))(2.0)


def test_integer_types_and_integer_asarray_of_traced_values_truncate_as_int_does():
    def f(x):
        ix = np.int64(x)  # numpy's own type: a constant, as int(x) and x.astype(int) are
        assert type(ix) is onp.ndarray and ix.dtype == onp.int64
        return np.sum(x * ix) + np.sum(x * onp.asarray(x, dtype=onp.int32) ** 2)

    truncated = onp.trunc(OFF_GRID)
    assert_allclose(grad(f)(OFF_GRID), truncated + truncated ** 2)
    check_grads(f, modes=("fwd", "rev"), order=2)(OFF_GRID)
    # Under jit the truncated values are checked at each replay, as int(x) is.
    jitted = mlkit.jit(grad(f))
    for point in (OFF_GRID, OFF_GRID + 1.0, OFF_GRID):
        assert_allclose(jitted(point), grad(f)(point))
    with pytest.raises(TypeError, match="traced value cannot become a plain numpy array"):
        grad(lambda x: np.sum(onp.asarray(x, dtype=onp.float64)))(OFF_GRID)


def test_traced_arrays_index_and_iterate_and_traced_scalars_do_not():
    def total(x):
        assert isinstance(x, np.IndexableArrayBox) and len(x) == 2
        first = x[0]
        assert isinstance(first, np.ArrayBox) and not isinstance(first, np.IndexableArrayBox)
        return sum(item * item for item in x) + first

    onp.testing.assert_allclose(grad(total)(onp.array([1.0, 2.0])), [3.0, 4.0])


def test_traced_scalars_take_a_numpy_scalars_indices_and_are_not_iterable():
    # out[()] unwraps a 0-d result in code written for arrays and scalars alike
    check_grads(lambda x: np.exp(x * 2.0)[()] * np.sin(x)[...], modes=["rev", "fwd"])(0.7)
    assert grad(lambda x: (x * 3.0)[()] ** 2)(0.5) == 9.0

    def index_scalar(x):
        return (x * 2.0)[0]

    with pytest.raises(IndexError, match="invalid index to scalar"):
        grad(index_scalar)(1.5)
    with pytest.raises(TypeError, match="not iterable"):
        grad(lambda x: sum(x * 2.0))(1.5)


def test_writing_a_traced_value_into_a_numpy_array_says_what_to_do_instead():
    def write_element(x):
        buffer = onp.zeros(3)
        buffer[0] = x
        return np.sum(buffer)

    def write_slice(x):
        buffer = onp.zeros(3)
        buffer[:2] = x
        return np.sum(buffer)

    def write_element_of_array(x):
        buffer = onp.zeros(3)
        buffer[0] = x[1] * 2.0
        return np.sum(buffer)

    # A traced scalar takes x[()] as numpy scalars do, so numpy sees a sequence and raises its
    # own ValueError, with mlkit's error as the cause (printed above it in the traceback).
    for write, point in ((write_element, 1.5), (write_element_of_array, onp.array([1.0, 2.0]))):
        with pytest.raises(ValueError, match="sequence") as caught:
            grad(write)(point)
        cause = caught.value.__cause__
        assert isinstance(cause, TypeError)
        assert re.search(r"written into a numpy array.*at\[index\]\.set", str(cause))
    with pytest.raises(TypeError, match=r"writing it into a numpy array.*np\.stack"):
        grad(write_slice)(onp.array([1.0, 2.0]))


class Labelled:
    """A minimal array wrapper in the manner of xarray.DataArray: a numpy ufunc called on it
    unwraps its payload, calls the ufunc again and wraps the result."""

    def __init__(self, data, label="x"):
        self.data, self.label = data, label

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__":
            return NotImplemented
        raw = [x.data if isinstance(x, Labelled) else x for x in inputs]
        return Labelled(ufunc(*raw, **kwargs), self.label)

    def __mul__(self, other):
        return onp.multiply(self, other)

    def __rmul__(self, other):
        return onp.multiply(other, self)

    def __add__(self, other):
        return onp.add(self, other)


def test_traced_values_inside_a_wrapper_that_defers_to_numpy_are_followed():
    def through_wrapper(x):
        w = Labelled(x ** 2)
        y = (onp.sin(w) * x          # wrapper first, then a traced value
             + onp.multiply(x, w)    # a traced value first, in numpy's ufunc
             + x * w                 # a traced value first, as an operator
             + onp.exp(x) * w + np.tanh(w) * 2.0)
        assert isinstance(y, Labelled) and y.label == "x"
        return np.sum(y.data)

    x = onp.array([0.3, -0.7, 1.1])
    expected = (2 * x * onp.cos(x ** 2) * x + onp.sin(x ** 2) + 2 * 3 * x ** 2
                + onp.exp(x) * (x ** 2 + 2 * x) + 4 * x / onp.cosh(x ** 2) ** 2)
    assert_allclose(grad(through_wrapper)(x), expected)
    check_grads(through_wrapper, modes=("fwd", "rev"), order=2)(x)


def test_compress_ptp_argpartition_and_searchsorted_methods_of_traced_arrays():
    x = onp.array([[0.5, -1.2, 2.0], [1.3, 0.7, -0.4]])
    check_grads(lambda x: np.sum(x.compress([True, False, True], axis=1) ** 2))(x)
    check_grads(lambda x: np.sum(x.compress([False, True, True, False]) ** 3))(x)
    # ptp: the largest minus the smallest entry of each row.
    assert_allclose(grad(lambda x: np.sum(x.ptp(axis=1)))(x), [[0, -1, 1], [1, 0, -1]])
    ordered = onp.sort(x, axis=1)
    first_two = lambda x: np.sum(x[0][x[0].argpartition(1)[:2]] ** 2)  # noqa: E731
    assert_allclose(grad(first_two)(ordered)[0], [2 * ordered[0, 0], 2 * ordered[0, 1], 0])
    at = lambda x: x[0, x[1].searchsorted(0.0)] ** 2  # noqa: E731
    assert_allclose(grad(at)(ordered)[0], [0, 2 * ordered[0, 1], 0])


def test_array_api_attributes_of_traced_arrays():
    x = onp.arange(12.0).reshape(2, 3, 2) / 7
    check_grads(lambda x: np.sum(np.sin(x.mT) * onp.arange(6.0).reshape(2, 3)[:, None]),
                modes=("fwd", "rev"), order=2)(x)
    grad(lambda x: assert_allclose(x.mT._value, onp.swapaxes(x._value, -1, -2)) or np.sum(x))(x)
    sizes = []
    grad(lambda x: sizes.append((x.itemsize, x.nbytes, x.device)) or np.sum(x))(
        x.astype(onp.float32))
    assert sizes == [(4, 48, "cpu")]
    assert_allclose(grad(lambda x: np.sum(x.to_device("cpu") ** 2))(x), 2 * x)
    with pytest.raises(ValueError, match="'cpu' only"):
        grad(lambda x: np.sum(x.to_device("gpu")))(x)


def test_floor_division_and_divmod_operators_of_traced_arrays():
    x = onp.array([[0.5, -1.2, 2.0], [1.3, 0.7, -0.4]])
    # x // c is piecewise constant; x % c has slope one, and c % x the slope -(c // x).
    check_grads(lambda x: np.sum((x // 0.37) * x + (2.3 // x) * x))(x)
    check_grads(lambda x: np.sum(divmod(x, 0.63)[1] ** 2 + divmod(3.1, x)[1]))(x)
    assert_allclose(grad(lambda x: np.sum(divmod(x, 0.63)[0] * x))(x),
                    onp.floor_divide(x, 0.63))


def test_traced_arrays_have_the_array_namespace_of_plain_ones():
    assert_allclose(grad(lambda x: x.__array_namespace__().sum(x * x))(OFF_GRID), 2 * OFF_GRID)
