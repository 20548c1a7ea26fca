"""mlkit.jit: replays equal eager calls; guards, signatures, draws, buffers and errors."""

import collections
import runpy
import warnings
from pathlib import Path

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import (
    grad,
    hessian,
    jacobian,
    jit,
    make_hvp,
    make_jvp,
    make_vjp,
    nn,
    value_and_grad,
)

# The shipped example's series, whose while loop stops on a traced value.
taylor_sine = runpy.run_path(str(Path(__file__).resolve().parents[2] / "examples" /
                                 "taylor_sine.py"))["taylor_sine"]


def branchy(x):
    if np.sum(x) > 0:
        return np.sum(np.sin(x) * x)
    return np.sum(np.exp(x))


def test_replay_runs_no_tracer_and_matches_eager():
    def f(x, w):
        return np.tanh(x @ w) * 2.0 + np.abs(x @ w)

    jf = jit(f)
    rng = onp.random.default_rng(0)
    for _ in range(3):
        x, w = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
        onp.testing.assert_array_equal(jf(x, w), f(x, w))
    assert jf.cache_info() == {"signatures": 1, "paths": [1]}


@pytest.mark.parametrize("x", [0.1, 0.7, 1.5, 2.5, 3.1, 6.0, -4.0, 1e-4, 0.7])
def test_taylor_sine_loop_of_any_trip_count_matches_eager(x):
    value, derivative = jit(value_and_grad(taylor_sine))(x)
    assert (value, derivative) == value_and_grad(taylor_sine)(x)


def test_taylor_sine_paths_are_cached_per_trip_count():
    jitted = jit(grad(taylor_sine))
    points = [0.5, 3.0, 1.0, 0.5, 3.0, 2.0, 1.0]
    for x in points:
        assert jitted(x) == grad(taylor_sine)(x)
    trips = {x: _trip_count(x) for x in points}
    assert jitted.cache_info()["paths"] == [len(set(trips.values()))]


def _trip_count(x):
    term, k = x, 0
    while abs(term) > 0.001:
        term = -term * x**2 / ((2 * k + 3) * (2 * k + 2))
        k += 1
    return k


def test_branch_taken_both_ways_and_back():
    jitted = jit(grad(branchy))
    for x in (onp.array([1.0, 2.0]), onp.array([-1.0, -3.0]), onp.array([0.5, 0.25]),
              onp.array([-2.0, 0.5])):
        onp.testing.assert_array_equal(jitted(x), grad(branchy)(x))
    assert jitted.cache_info()["paths"] == [2]


def test_guard_failing_mid_program_keeps_the_draws_made_before_it():
    def f(x):
        noise = np.random.randn(3)
        y = x * noise
        if np.sum(y) > 0:
            return y * 2
        return y - 1

    jitted = jit(f)
    for seed in range(6):
        np.random.seed(seed)
        got = jitted(onp.ones(3))
        after_jit = onp.random.randn()
        np.random.seed(seed)
        want = f(onp.ones(3))
        after_eager = onp.random.randn()
        onp.testing.assert_array_equal(got, want)
        assert after_jit == after_eager  # the generator advanced exactly as in eager mode
    assert jitted.cache_info()["paths"] == [2]


def test_integer_index_from_a_traced_value_is_guarded():
    def f(x):
        return x[int(np.argmax(x))] * 3.0

    jitted = jit(f)
    for x in ([1.0, 5.0, 2.0], [7.0, 1.0, 0.0], [1.0, 5.0, 2.0]):
        assert jitted(onp.array(x)) == f(onp.array(x))
    assert jitted.cache_info()["paths"] == [2]


def test_float_of_a_traced_value_is_guarded():
    def f(x):
        return x * float(np.sum(x) > 1.0)

    jitted = jit(f)
    for x in (2.0, 0.5, 3.0):
        assert jitted(onp.float64(x)) == f(onp.float64(x))


def test_new_shape_or_dtype_records_again_and_cache_evicts_least_recent():
    jitted = jit(lambda x: np.sum(x**2), cache_size=2)
    jitted(onp.ones(3))
    jitted(onp.ones(4))
    assert jitted.cache_info()["signatures"] == 2
    jitted(onp.ones(3))  # most recent now; the (4,) signature is the oldest
    jitted(onp.ones(3, dtype=onp.float32))
    assert jitted.cache_info()["signatures"] == 2
    assert jitted(onp.ones(4)) == 4.0  # recorded again after eviction
    assert onp.result_type(jitted(onp.ones(3, dtype=onp.float32))) == onp.float32


def test_too_many_paths_run_eagerly_with_one_warning():
    jitted = jit(grad(taylor_sine), max_paths=2)
    with pytest.warns(RuntimeWarning, match="more than 2 paths"):
        for x in (0.1, 1.0, 3.0, 6.0):
            assert jitted(x) == grad(taylor_sine)(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jitted(5.0) == grad(taylor_sine)(5.0)


def test_float32_stays_float32():
    f = lambda x, w: np.sum(np.tanh(x @ w) ** 2) * 0.5  # noqa: E731
    x = onp.ones((3, 2), onp.float32)
    w = onp.full((2, 2), 0.5, onp.float32)
    value, gradient = jit(value_and_grad(f, 1))(x, w)
    want_value, want_gradient = value_and_grad(f, 1)(x, w)
    assert onp.result_type(value) == onp.float32 and gradient.dtype == onp.float32
    onp.testing.assert_array_equal(gradient, want_gradient)
    assert value == want_value


def test_outputs_never_alias_between_calls_and_inputs_are_not_written():
    constant = onp.arange(3.0)
    jitted = jit(lambda x: (x * 2, constant + 1, np.exp(x)))
    x = onp.ones(3)
    first = jitted(x)
    second = jitted(x)
    for a, b in zip(first, second):
        assert not onp.shares_memory(a, b)
    first[1][:] = -5  # the caller owns its outputs
    onp.testing.assert_array_equal(jitted(x)[1], constant + 1)
    onp.testing.assert_array_equal(x, onp.ones(3))


def test_dropout_masks_are_drawn_afresh_and_match_eager_for_the_same_seed():
    def forward(model, x):
        return model(x)

    x = onp.ones((4, 6))
    model = nn.Dropout(0.5, rng=0)
    jitted = jit(lambda x: model(x))
    masks = [jitted(x) for _ in range(3)]
    assert not onp.array_equal(masks[0], masks[1])
    eager_model = nn.Dropout(0.5, rng=0)
    for mask in masks:
        onp.testing.assert_array_equal(mask, forward(eager_model, x))


def test_jitted_gradient_through_dropout_uses_each_calls_mask():
    model = nn.Dropout(0.5, rng=3)
    loss = lambda w: np.sum(model(w) ** 2)  # noqa: E731
    jitted = jit(grad(loss))
    eager = nn.Dropout(0.5, rng=3)
    eager_loss = lambda w: np.sum(eager(w) ** 2)  # noqa: E731
    w = onp.linspace(0.5, 1.5, 8)
    for _ in range(3):
        onp.testing.assert_array_equal(jitted(w), grad(eager_loss)(w))


def test_composes_with_every_operator():
    def f(x):
        return np.sum(np.sin(x) * np.cos(x[::-1]) ** 2)

    x = onp.linspace(-1.0, 1.0, 4)
    v = onp.array([1.0, -2.0, 0.5, 3.0])
    onp.testing.assert_allclose(jit(jacobian(lambda x: np.sin(x) * x[0]))(x),
                                jacobian(lambda x: np.sin(x) * x[0])(x), rtol=1e-14)
    onp.testing.assert_allclose(jit(hessian(f))(x), hessian(f)(x), rtol=1e-14)
    onp.testing.assert_allclose(jit(lambda x, v: make_hvp(f)(x)[0](v))(x, v),
                                make_hvp(f)(x)[0](v), rtol=1e-14)
    onp.testing.assert_allclose(jit(lambda x, v: make_jvp(f)(x)(v)[1])(x, v),
                                make_jvp(f)(x)(v)[1], rtol=1e-14)
    onp.testing.assert_allclose(grad(jit(f))(x), grad(f)(x), rtol=1e-14)
    onp.testing.assert_allclose(grad(lambda x: jit(f)(x) * 2)(x), 2 * grad(f)(x), rtol=1e-14)
    inner = jit(lambda x: np.exp(x) * 3)
    outer = jit(grad(lambda x: np.sum(inner(x) ** 2)))
    onp.testing.assert_allclose(outer(x), grad(lambda x: np.sum((np.exp(x) * 3) ** 2))(x),
                                rtol=1e-14)
    onp.testing.assert_allclose(outer(x + 1), 2 * 9 * onp.exp(2 * (x + 1)), rtol=1e-14)


def test_static_arguments_and_containers():
    def f(params, x, power):
        return np.sum((params["w"] @ x + params["b"]) ** power)

    jitted = jit(grad(f), static_argnums=2)
    params = {"w": onp.ones((2, 3)), "b": onp.array([0.5, -1.0])}
    x = onp.array([1.0, 2.0, 3.0])
    for power in (2, 3, 2):
        got, want = jitted(params, x, power), grad(f)(params, x, power)
        assert got.keys() == want.keys()
        for key in got:
            onp.testing.assert_array_equal(got[key], want[key])
    assert jitted.cache_info()["signatures"] == 2
    by_name = jit(lambda x, *, scale: x * scale, static_argnames="scale")
    assert by_name(onp.ones(2), scale=3.0)[0] == 3.0
    assert by_name(onp.ones(2), scale=4.0)[0] == 4.0


def test_listing_shows_one_numpy_call_per_line_with_shapes():
    text = jit(grad(lambda x: np.sum(np.exp(x) * 2.0))).listing(onp.ones(3, onp.float32))
    lines = text.splitlines()
    assert lines[0] == "def program(_drawn, v0):"
    assert any("exp(v0)  # float32 (3,)" in line for line in lines)
    assert lines[-1] == "    return v4"  # one leaf, returned as it is


def test_repeated_calls_are_merged_and_dead_ones_dropped():
    def f(x):
        unused = np.exp(x) * 10  # noqa: F841
        return np.sin(x) + np.sin(x)

    text = jit(f).listing(onp.ones(2))
    assert text.count("sin(") == 1 and "exp(" not in text
    onp.testing.assert_array_equal(jit(f)(onp.ones(2)), f(onp.ones(2)))


def test_errors_at_trace_time_name_the_problem():
    def writes(x):
        x[0] = 1.0
        return x

    with pytest.raises(TypeError, match="cannot be written in place"):
        jit(writes)(onp.ones(2))
    with pytest.raises(TypeError, match="returned a str"):
        jit(lambda x: "loss")(onp.ones(2))
    with pytest.raises(TypeError, match="use mlkit.scipy.special.i0"):
        jit(grad(lambda x: np.sum(onp.i0(x))))(onp.ones(4))
    with pytest.raises(TypeError, match="pass that value as an argument"):
        grad(lambda w: jit(lambda x: np.sum(x * w))(onp.ones(2)))(1.0)


def mlp_loss(w1, w2, x, y):
    hidden = np.tanh(x @ w1) * 1.5 + 0.25
    out = np.exp(-hidden) @ w2
    return np.sum((out - y) ** 2) * 0.5


def mlp_args(dtype):
    rng = onp.random.default_rng(0)
    return [rng.normal(size=shape).astype(dtype) * 0.3
            for shape in ((8, 40), (40, 3), (64, 8), (64, 3))]


@pytest.mark.parametrize("dtype, rtol", [(onp.float32, 1e-5), (onp.float64, 1e-13)])
def test_buffered_mlp_gradient_and_hvp_match_eager(dtype, rtol):
    w1, w2, x, y = mlp_args(dtype)
    v = onp.full_like(w1, 0.1)
    gradient = grad(mlp_loss)
    hvp = lambda w1, v, w2, x, y: make_hvp(mlp_loss)(w1, w2, x, y)[0](v)  # noqa: E731
    for fun, args in ((gradient, (w1, w2, x, y)), (hvp, (w1, v, w2, x, y))):
        copies = [a.copy() for a in args]
        jitted = jit(fun)
        assert "out=b" in jitted.listing(*args)  # the (64, 40) activations qualify
        want = fun(*args)
        first = jitted(*args)
        second = jitted(*args)
        for got in (first, second):
            assert got.dtype == dtype
            onp.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)
        assert not onp.shares_memory(first, second)
        onp.testing.assert_array_equal(first, second)
        for a, copy in zip(args, copies):
            onp.testing.assert_array_equal(a, copy)


def taylor_sine_of_array(x):
    total = term = x
    k = 0
    while np.max(np.abs(term)) > 0.001:  # the guard reads a reduction, not the terms
        term = -term * x**2 / ((2 * k + 3) * (2 * k + 2))
        total = total + term
        k += 1
    return total


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_buffered_taylor_sine_of_an_array_matches_eager(dtype):
    f = grad(lambda x: np.sum(taylor_sine_of_array(x) * x))
    x = onp.linspace(-1.5, 1.5, 2000).astype(dtype)
    jitted = jit(f)
    assert "out=b" in jitted.listing(x)
    first = jitted(x)
    kept = first.copy()
    second = jitted(x)
    assert second.dtype == dtype and not onp.shares_memory(first, second)
    onp.testing.assert_allclose(second, f(x), rtol=1e-5 if dtype == onp.float32 else 1e-13)
    onp.testing.assert_array_equal(first, kept)  # not overwritten by the second call
    onp.testing.assert_array_equal(x, onp.linspace(-1.5, 1.5, 2000).astype(dtype))


def test_elementwise_chain_reuses_buffers_and_repeats_exactly():
    def chain(x):
        for _ in range(6):
            x = np.exp(np.tanh(np.sin(x) * 1.5) + 0.25)
        return x

    x = onp.linspace(-1.0, 1.0, 3000)
    jitted = jit(chain)
    text = jitted.listing(x)
    written = [line.split("out=")[1].split(")")[0] for line in text.splitlines() if "out=" in line]
    assert len(written) >= 20 and len(set(written)) <= 3  # few buffers, reused
    assert "out=" not in text.splitlines()[-2]  # the output is a fresh array
    results = [jitted(x) for _ in range(4)]  # one recording, then replays
    kept = results[1].copy()
    for i, result in enumerate(results):
        onp.testing.assert_array_equal(result, kept)  # earlier replays not overwritten
        assert not any(onp.shares_memory(result, other) for other in results[i + 1:])
    onp.testing.assert_allclose(kept, chain(x), rtol=1e-14)
    onp.testing.assert_array_equal(x, onp.linspace(-1.0, 1.0, 3000))


def test_values_read_through_views_are_not_buffered():
    def f(x):
        a = np.sin(x) * 2.0  # read later through a transpose and a reshape
        t = a.T
        r = np.reshape(a, (-1,))
        b = np.exp(x) + 1.0  # a fresh value that could take a freed buffer
        c = np.tanh(b) * 3.0
        return np.sum(t * c.T) + np.sum(r * np.reshape(c, (-1,))) + t[0, :] * 1.0

    x = onp.linspace(-1.0, 1.0, 40 * 50).reshape(40, 50)
    jitted = jit(f)
    assert "multiply(v1, 2.0)\n" in jitted.listing(x).replace("  # float64 (40, 50)", "")
    for _ in range(3):  # the first call records, the others replay
        onp.testing.assert_allclose(jitted(x), f(x), rtol=1e-14)


def test_a_float32_input_gets_a_float32_gradient_under_jit_as_in_eager():
    weights = onp.ones((3, 2), onp.float32)
    data = onp.linspace(0.0, 1.0, 6).reshape(2, 3)  # float64: the product is float64

    def loss(w, x):
        return np.sum(np.tanh(x @ w))

    eager, jitted = grad(loss)(weights, data), jit(grad(loss))(weights, data)
    assert eager.dtype == jitted.dtype == onp.float32
    onp.testing.assert_array_equal(jitted, eager)
    second = jit(grad(lambda w, x: np.sum(grad(loss)(w, x) ** 2)))(weights, data)
    assert second.dtype == onp.float32
    onp.testing.assert_allclose(second, grad(lambda w, x: np.sum(grad(loss)(w, x) ** 2))(
        weights, data), rtol=1e-6)


def test_a_fused_kernels_value_and_gradient_are_read_from_its_own_tuple():
    rng = onp.random.default_rng(0)
    logits = rng.standard_normal((16, 5)).astype(onp.float32)
    labels = rng.integers(0, 5, 16)

    def loss(logits, labels):
        return nn.cross_entropy(logits, labels)

    jitted = jit(value_and_grad(loss))
    listing = jitted.listing(logits, labels)
    assert "= f__label_cross_entropy_kernel(" in listing and "# tuple" in listing
    for _ in range(2):
        got, want = jitted(logits, labels), value_and_grad(loss)(logits, labels)
        assert got[0] == want[0] and type(got[0]) is type(want[0])
        onp.testing.assert_array_equal(got[1], want[1])


def test_returned_trees_are_built_in_the_program_or_rebuilt_with_their_kinds():
    point = collections.namedtuple("point", "x y")

    def plain(x):
        return {"sum": np.sum(x), "parts": [x * 2.0, (np.sin(x),)], "none": None}

    def named(x):
        return point(np.cos(x), [x + 1.0])

    x = onp.linspace(0.0, 1.0, 4)
    jitted_plain, jitted_named = jit(plain), jit(named)
    assert "return {'sum': " in jitted_plain.listing(x)
    for _ in range(2):  # the recording call, then a replay
        got, want = jitted_plain(x), plain(x)
        assert list(got) == ["sum", "parts", "none"] and got["none"] is None
        assert type(got["parts"]) is list and type(got["parts"][1]) is tuple
        assert got["sum"] == want["sum"]
        onp.testing.assert_array_equal(got["parts"][1][0], want["parts"][1][0])
        got = jitted_named(x)
        assert type(got) is point and type(got.y) is list
        onp.testing.assert_array_equal(got.x, onp.cos(x))
        onp.testing.assert_array_equal(got.y[0], x + 1.0)



def test_differences_of_booleans_replay_for_new_values():
    x = onp.array([0.5, -1.0, 2.0, 3.0])
    changes = jit(lambda x: (np.diff(x > 0), np.diff(x > 1.0, n=2)))
    for point in (x, -x, x + 1.0):
        first, second = changes(point)
        assert onp.array_equal(first, onp.diff(point > 0))
        assert onp.array_equal(second, onp.diff(point > 1.0, n=2))


def _leaves(result):
    return list(result) if isinstance(result, tuple) else [result]


@pytest.mark.parametrize("fun", [
    np.unique, np.unique_values, lambda x: np.unique_counts(x).counts, np.modf, np.frexp,
    lambda x: np.ldexp(x, 3), lambda x: divmod(x, 0.7), np.linalg.slogdet,
    lambda x: np.histogram_bin_edges(x, bins=4), lambda x: np.union1d(x, x[0] + 1.0),
], ids=["unique", "unique_values", "unique_counts", "modf", "frexp", "ldexp", "divmod",
        "slogdet", "histogram_bin_edges", "union1d"])
def test_functions_read_off_values_replay_for_new_values(fun):
    # Each calls numpy on the values; on jit's recording box that once recursed without end.
    x = onp.array([[0.5, -1.0, 2.0], [3.0, 0.25, -0.75], [1.5, 2.5, -2.0]])
    jitted = jit(fun)
    for point in (x, x + 0.3, x):
        for got, expected in zip(_leaves(jitted(point)), _leaves(fun(point))):
            onp.testing.assert_array_equal(got, expected)


def _symmetric(rng, shape):
    x = rng.standard_normal(shape)
    return x + onp.swapaxes(x, -1, -2)


@pytest.mark.parametrize("fun, shape", [
    (np.linalg.eigvalsh, (2, 4, 4)), (np.linalg.svdvals, (2, 4, 4)), (np.linalg.cond, (4, 4)),
    (lambda x: np.linalg.lstsq(x, x[:, 0] + 1.0)[0], (4, 4)),
], ids=["eigvalsh", "svdvals", "cond", "lstsq"])
def test_values_alone_replay_the_traced_formula_bit_for_bit(fun, shape):
    # Traced, eigvalsh and svdvals take the values of the decomposition with vectors that
    # their derivatives need (lstsq: pinv); on plain arrays numpy's own routine computes them
    # alone, by another algorithm (last bits). A replay is the traced run.
    rng = onp.random.default_rng(3)
    jitted, jitted_grad = jit(fun), jit(grad(lambda x: np.sum(fun(x))))
    for _ in range(3):
        x = _symmetric(rng, shape)
        onp.testing.assert_array_equal(jitted(x), make_vjp(fun)(x)[1])
        onp.testing.assert_allclose(jitted(x), fun(x), rtol=1e-12)
        onp.testing.assert_array_equal(jitted_grad(x), grad(lambda x: np.sum(fun(x)))(x))
