"""The replay's value-preserving rewrites: each one seen in the listing, and equal to eager."""

import runpy
import warnings
from pathlib import Path

import numpy as onp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlkit.numpy as np
from mlkit import grad, hessian_vector_product, jit, make_jvp, value_and_grad

taylor_sine = runpy.run_path(str(Path(__file__).resolve().parents[2] / "examples" /
                                 "taylor_sine.py"))["taylor_sine"]


def _body(listing):
    """The listing's call lines, without the shape notes."""
    return [line.split("  #")[0].strip() for line in listing.splitlines()[1:]
            if " = " in line]


@pytest.mark.parametrize("x", [0.3, 2.0, onp.float64(-1.25), onp.float32(0.7), onp.float32(3.0)])
def test_scalar_arithmetic_runs_as_operators_with_the_ufuncs_results(x):
    jitted = jit(value_and_grad(taylor_sine))
    lines = _body(jitted.listing(x))
    assert any(" * " in line for line in lines) and any("abs(" in line for line in lines)
    assert not any(line.split(" = ")[1].startswith(("multiply(", "divide(")) for line in lines)
    for _ in range(2):  # the recording call, then a replay
        got, want = jitted(x), value_and_grad(taylor_sine)(x)
        assert got == want
        assert [type(v) for v in got] == [type(v) for v in want]


def test_python_floats_alone_stay_ufunc_calls_so_results_stay_numpy_scalars():
    def f(x, y):
        return x * y + np.sin(x) / y  # x * y of two Python floats: a Python float as operator

    jitted = jit(f)
    assert "multiply(v0, v1)" in _body(jitted.listing(1.5, 0.5))[0]
    for args in ((1.5, 0.5), (-2.0, 3.0)):
        got = jitted(*args)
        assert got == f(*args) and type(got) is type(f(*args)) is onp.float64


def test_scalar_division_by_zero_gives_inf_and_warns_as_eager():
    def f(x):
        return 1.0 / (x - x) + x

    jitted = jit(f)
    x = onp.float64(2.0)
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        assert "v0 - v0" in "\n".join(_body(jitted.listing(x)))
    for _ in range(2):
        with pytest.warns(RuntimeWarning, match="divide by zero"):
            got = jitted(x)
        assert got == onp.inf
    with warnings.catch_warnings(), onp.errstate(divide="ignore"):
        warnings.simplefilter("error")
        assert jitted(x) == onp.inf  # numpy's error state governs the operators too


def test_zero_dimensional_arrays_keep_ufunc_calls():
    def f(x):
        return x * 3.0 - x

    x = onp.array(0.5)
    jitted = jit(f)
    assert "multiply(v0, 3.0)" in _body(jitted.listing(x))[0]
    got = jitted(x)
    assert got == f(x) and type(got) is type(f(x))


def test_a_derivatives_seed_of_ones_is_not_multiplied_in():
    x = onp.linspace(-1.0, 1.0, 40 * 30).reshape(40, 30)
    for dtype in (onp.float32, onp.float64):
        jitted = jit(grad(lambda x: np.sum(np.sin(x))))
        # (no product: a C-ordered copy where the argument is laid out otherwise, as numpy
        # lays out a product with C-ordered ones; none where it is C-ordered already)
        assert _body(jitted.listing(x.astype(dtype))) == ["v3 = cos(v0)",
                                                          "v4 = ascontiguousarray(v3)"]
        got = jitted(x.astype(dtype))
        onp.testing.assert_array_equal(got, grad(lambda x: np.sum(np.sin(x)))(x.astype(dtype)))
        assert got.dtype == dtype


def test_a_product_with_one_that_changes_the_dtype_is_kept():
    def f(x):
        return np.sum(np.sin(x * onp.float64(1.0)))  # float32 * float64 scalar is float64

    x = onp.linspace(0.0, 1.0, 8, dtype=onp.float32)
    jitted = jit(f)
    assert any(line.startswith("v1 = multiply(") for line in _body(jitted.listing(x)))
    got = jitted(x)
    assert got == f(x) and got.dtype == onp.float64


def test_an_output_equal_to_an_input_is_still_a_fresh_array():
    x = onp.linspace(0.0, 1.0, 2000)
    jitted = jit(lambda x: (x * 1.0, np.reshape(x, (2000,)) * 1.0))
    for _ in range(2):
        for got in jitted(x):
            onp.testing.assert_array_equal(got, x)
            assert not onp.shares_memory(got, x)


def test_reshapes_to_the_same_shape_and_double_transposes_are_dropped():
    def f(x):
        y = np.swapaxes(np.swapaxes(np.reshape(np.sin(x), x.shape), 0, 1), -1, 0)
        return np.sum(y * np.cos(x))

    x = onp.linspace(-1.0, 1.0, 12).reshape(3, 4)
    jitted = jit(value_and_grad(f))
    text = "\n".join(_body(jitted.listing(x)))
    assert "reshape" not in text and "swapaxes" not in text
    for _ in range(2):
        got, want = jitted(x), value_and_grad(f)(x)
        assert got[0] == want[0]
        onp.testing.assert_array_equal(got[1], want[1])


def test_broadcasts_are_left_to_the_ufuncs_that_read_them():
    def f(x):
        return np.sum(np.sin(x) * np.sum(x, axis=1, keepdims=True))

    x = onp.linspace(-1.0, 1.0, 40 * 30).reshape(40, 30)
    jitted = jit(grad(f))
    assert "broadcast_to" not in jitted.listing(x)
    for _ in range(2):
        onp.testing.assert_array_equal(jitted(x), grad(f)(x))
    # forward mode broadcasts a tangent the same way
    b = onp.linspace(0.0, 1.0, 30)
    jvp = jit(lambda x, b, t: make_jvp(lambda b: np.sum(np.tanh(x + b) * x))(b)(t)[1])
    assert "broadcast_to" not in jvp.listing(x, b, b)
    assert jvp(x, b, b) == make_jvp(lambda b: np.sum(np.tanh(x + b) * x))(b)(b)[1]


def test_matrix_products_read_only_by_ufuncs_go_into_buffers():
    rng = onp.random.default_rng(0)
    w1, w2 = rng.standard_normal((20, 64)) * 0.3, rng.standard_normal((64, 3)) * 0.3
    x = rng.standard_normal((40, 20))

    def loss(w1, w2):
        return np.sum(np.tanh(np.tanh(x @ w1) @ w2) ** 2)

    hvp = jit(hessian_vector_product(loss, argnum=0))
    text = hvp.listing(w1, w2, w1)
    assert any(line.startswith("matmul(") and "out=b" in line
               for line in (line.split(" = ")[1] for line in _body(text)))
    results = [hvp(w1, w2, w1) for _ in range(3)]
    want = hessian_vector_product(loss, argnum=0)(w1, w2, w1)
    for result in results:
        onp.testing.assert_array_equal(result, results[-1])
        assert not any(onp.shares_memory(result, other) for other in results if other is not
                       result)
    onp.testing.assert_allclose(results[-1], want, rtol=1e-13, atol=1e-13)


def test_an_elementwise_call_writes_in_place_over_an_operand_it_reads_last():
    def chain(x):
        for _ in range(4):
            x = np.exp(np.tanh(np.sin(x) * 1.5) + 0.25)
        return x * x

    x = onp.linspace(-1.0, 1.0, 3000)
    jitted = jit(grad(lambda x: np.sum(chain(x))))
    lines = _body(jitted.listing(x))
    home = {line.split(" = ")[0]: line.split("out=")[1].rstrip(")") for line in lines
            if "out=" in line}
    in_place = [line for line in lines if "out=" in line
                and any(home.get(arg.strip()) == home[line.split(" = ")[0]]
                        for arg in line.split("(", 1)[1].split(",")[:-1])]
    assert len(in_place) >= 10
    for _ in range(3):
        onp.testing.assert_array_equal(jitted(x), grad(lambda x: np.sum(chain(x)))(x))
    onp.testing.assert_array_equal(x, onp.linspace(-1.0, 1.0, 3000))


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_python_numbers_are_converted_once_to_the_arrays_dtype(dtype):
    def f(x):
        y = np.maximum(x * 0.1 + 3, 1 / 3) - 1e-8
        return np.sum(np.tanh(y) ** 2 + (y > 0.35) * 2.5)

    x = onp.linspace(-1.0, 1.0, 50).astype(dtype)
    jitted = jit(value_and_grad(f))
    assert "multiply(v0, 0.1)" in jitted.listing(x)  # the listing shows the number
    program = next(iter(jitted._cache.values())).root
    assert "0.1" not in program.source  # the replay passes a 0-d array of the dtype
    for _ in range(2):
        got, want = jitted(x), value_and_grad(f)(x)
        assert got[0] == want[0] and got[0].dtype == want[0].dtype
        onp.testing.assert_array_equal(got[1], want[1])
        assert got[1].dtype == dtype


def test_numbers_with_integer_arrays_are_left_to_numpy():
    def f(x, k):
        return np.sum(np.sin(x) * (k * 0.5 + 1))  # int64 * 0.5 is float64

    x, k = onp.linspace(0.0, 1.0, 6), onp.arange(6)
    jitted = jit(grad(f))
    program_source = (jitted(x, k), next(iter(jitted._cache.values())).root.source)[1]
    assert "0.5" in program_source
    onp.testing.assert_array_equal(jitted(x, k), grad(f)(x, k))


def test_items_reshapes_and_casts_that_change_nothing_are_read_through():
    def f(x, pair):
        bias, scale = pair
        y = np.tanh(x + np.reshape(bias, (1, 3))) * np.reshape(scale, (1, 3))
        return np.sum(np.max(y, axis=1) ** 2)

    x = onp.linspace(-1.0, 1.0, 12).reshape(4, 3)
    pair = (onp.array([0.1, -0.2, 0.3]), onp.array([1.0, 2.0, 0.5]))
    jitted = jit(grad(f, argnum=1))
    text = "\n".join(_body(jitted.listing(x, pair)))
    assert "container_take" not in text and "(1, 3)" not in text and "cast" not in text
    assert "power" not in text  # the derivative of a square reads x, not x ** 1
    for _ in range(2):
        got, want = jitted(x, pair), grad(f, argnum=1)(x, pair)
        for a, b in zip(got, want):
            onp.testing.assert_array_equal(a, b)


def test_values_read_by_a_sum_live_in_buffers_and_repeat_exactly():
    def f(x):
        y = np.exp(np.sin(x) * 0.5)  # read by a sum and by a ufunc
        return np.sum(y, axis=0) + np.sum(np.tanh(y) * 2.0, axis=1)[:40]

    x = onp.linspace(-1.0, 1.0, 60 * 40).reshape(60, 40)
    jitted = jit(f)
    exp_line = next(line for line in _body(jitted.listing(x)) if "exp(" in line)
    assert "out=b" in exp_line
    results = [jitted(x) for _ in range(3)]
    for result in results:
        onp.testing.assert_array_equal(result, f(x))
    assert not onp.shares_memory(results[1], results[2])


def test_signed_zeros_are_not_merged_or_shared():
    def f(x):
        return x * 0.0, x * -0.0, np.arctan2(x * 0.0, -1.0) + np.arctan2(x * -0.0, -1.0)

    x = onp.ones(3)
    jitted = jit(f)
    for _ in range(3):  # the recording call, then replays
        for got, want in zip(jitted(x), f(x)):
            onp.testing.assert_array_equal(got, want)
            onp.testing.assert_array_equal(onp.signbit(got), onp.signbit(want))


def test_sums_and_products_with_swapped_operands_are_computed_once():
    def f(x, c):
        return np.sum(np.tanh(c * x) + np.tanh(x * c)) + np.sum((c + x) * (x + c))

    x, c = onp.linspace(-2.0, 2.0, 7), onp.linspace(0.5, 1.5, 7)
    jitted = jit(f)
    lines = _body(jitted.listing(x, c))
    assert sum(" = multiply(" in line for line in lines) == 2  # c * x, (c + x) ** 2
    assert sum(" = add(" in line for line in lines) == 2  # c + x, tanh + tanh
    for _ in range(2):
        assert jitted(x, c) == f(x, c)
    # float32 times a float64 scalar is float64 in either order: still one call
    x32, three = x.astype(onp.float32), onp.float64(3.0)
    jitted = jit(lambda x: np.sum(x * three + three * x))
    assert sum(" = multiply(" in line for line in _body(jitted.listing(x32))) == 1
    assert jitted(x32) == onp.sum(x32 * three + three * x32)


def test_signs_of_products_with_minus_one_and_of_negations_cancel():
    def f(x, w):  # its derivative negates a negation
        return np.sum((w * -1.0) * -np.tanh(x * -1))

    x = onp.array([-onp.inf, -3.0, -0.0, 0.0, 1e-310, 0.5, 2.0, onp.inf])
    for dtype in (onp.float32, onp.float64):
        w = onp.linspace(-1.0, 1.0, 8).astype(dtype)
        lines = _body(jit(f).listing(x.astype(dtype), w))
        assert lines[1:] == ["v4 = tanh(v3)", "v6 = multiply(v1, v4)", "v7 = f__sum(v6)"]
        lines = _body(jit(grad(f)).listing(x.astype(dtype), w))
        assert sum("negative(" in line for line in lines) == 2  # x * -1, and the last sign
        for jitted, eager in ((jit(f), f), (jit(grad(f)), grad(f))):
            for _ in range(2):
                got, want = jitted(x.astype(dtype), w), eager(x.astype(dtype), w)
                assert got.dtype == dtype
                onp.testing.assert_array_equal(got, want)
                onp.testing.assert_array_equal(onp.signbit(got), onp.signbit(want))
    # a float64 -1 makes float32 values float64: a product, not a negation
    x32 = x.astype(onp.float32)
    jitted = jit(lambda x: x * onp.float64(-1.0))
    assert "multiply(" in jitted.listing(x32)
    assert jitted(x32).dtype == onp.float64



def test_complex_products_keep_their_operands_order_and_signs():
    """numpy rounds a complex product in fused steps that depend on the operands' order, and
    a product with -1 + 0j is not a negation where a part is infinite or a zero is signed."""
    rng = onp.random.default_rng(0)
    a = rng.standard_normal(4096) + 1j * rng.standard_normal(4096)
    b = rng.standard_normal(4096) + 1j * rng.standard_normal(4096)
    edges = onp.array([complex(0.0, -1.0), complex(1.0, onp.inf), complex(-0.0, 2.0)] * 8)

    def swapped(a, b):
        return a * b + b * a

    def signs(z):
        return z * -1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf * 0 in the complex product
        for fun, args in ((swapped, (a, b)), (signs, (edges,))):
            jitted = jit(fun)
            for _ in range(2):
                got, want = jitted(*args), fun(*args)
                onp.testing.assert_array_equal(got.view(onp.float64), want.view(onp.float64))
                assert onp.array_equal(onp.signbit(got.real), onp.signbit(want.real))
        assert "negative(" not in jit(signs).listing(edges)


_OPS = [
    lambda a: a * 1.0, lambda a: 1 * a, lambda a: a * -0.0, lambda a: a - 0.5,
    lambda a: a * -1.0, lambda a: -1 * (-np.tanh(a) * -a), lambda a: a * np.sin(a) + np.sin(a) * a,
    lambda a: np.reshape(a, np.shape(a), order="F"),
    lambda a: 2.0 / (a * a + 1.0), lambda a: a ** 1, lambda a: a ** 2, lambda a: -a,
    lambda a: np.abs(a), lambda a: np.tanh(a), lambda a: np.maximum(a, 0.25),
    lambda a: np.where(a > 0.1, a, 0.3), lambda a: np.reshape(a, np.shape(a)),
    lambda a: a + np.sum(a) * 0.1, lambda a: np.arctan2(a, -1.0),
]


@settings(max_examples=40, deadline=None)
@given(ops=st.lists(st.integers(0, len(_OPS) - 1), min_size=1, max_size=8),
       kind=st.sampled_from(["float64 array", "float32 array", "float64 scalar",
                             "float32 scalar", "python float"]),
       start=st.floats(-2.0, 2.0))
def test_rewritten_programs_give_eager_values_bit_for_bit(ops, kind, start):
    def f(x):
        for op in ops:
            x = _OPS[op](x)
        return np.sum(x * x) if np.ndim(x) else x * x

    if kind.endswith("array"):
        x = onp.linspace(start, start + 1.0, 5).astype(kind.split()[0])
    elif kind.endswith("scalar"):
        x = onp.dtype(kind.split()[0]).type(start)
    else:
        x = start
    with onp.errstate(all="ignore"):
        jitted = jit(value_and_grad(f))
        for _ in range(2):  # the recording call, then a replay
            for got, want in zip(jitted(x), value_and_grad(f)(x)):
                assert type(got) is type(want)
                assert onp.result_type(got) == onp.result_type(want)
                onp.testing.assert_array_equal(got, want)
                onp.testing.assert_array_equal(onp.signbit(got), onp.signbit(want))


def test_reshapes_transposes_and_constant_indexing_run_as_ndarray_methods():
    def f(v, i):
        w = np.reshape(v[2:14], (3, 4))
        return np.sum(np.tanh(np.transpose(w) @ w) * np.sum(v[i]))

    v = onp.linspace(-1.0, 1.0, 16)
    jitted = jit(value_and_grad(f))
    lines = _body(jitted.listing(v, onp.array([5, 1])))
    assert any(".reshape((3, 4)" in line for line in lines)
    assert any(".transpose()" in line for line in lines)
    assert any(line.split(" = ")[1].startswith("v0[c") for line in lines)  # v[2:14]
    assert any("getitem(v0, v1)" in line for line in lines)  # a traced index: a call
    for i in ([5, 1], [5, 1], [9, 9]):  # the recording call, then replays
        got, want = jitted(v, onp.array(i)), value_and_grad(f)(v, onp.array(i))
        assert got[0] == want[0]
        onp.testing.assert_array_equal(got[1], want[1])


def test_dot_products_of_two_arrays_run_as_the_array_method():
    def f(A, v, w):
        return np.dot(v, w) + np.sum(np.dot(A, w)) + np.sum(np.dot(A, A.T)) + np.dot(v, 2.0)[0]

    for dtype in (onp.float32, onp.float64):
        A = onp.linspace(-1.0, 1.0, 12).reshape(3, 4).astype(dtype)
        v, w = onp.linspace(0.0, 1.0, 4).astype(dtype), onp.linspace(-3.0, 2.0, 4).astype(dtype)
        jitted = jit(f)
        lines = _body(jitted.listing(A, v, w))
        assert sum(".dot(" in line for line in lines) == 3
        assert sum("dot(v" in line and ".dot(" not in line for line in lines) == 1  # times 2.0
        for _ in range(2):
            got, want = jitted(A, v, w), f(A, v, w)
            assert got == want and type(got) is type(want)
