"""Derivatives cost what the value costs: no intermediate as large as the operands' product
(convolve), no graph with one node per scalar step of a loop (polydiv), no whole-array
cotangent per slice taken in a loop, no per-piece work over all pieces in concatenate's
rules. Checked by memory and by counting calls (of a jitted program, or of the Python
functions that run), never by timing."""

import collections
import cProfile
import pstats
import tracemalloc

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mlkit.numpy as np
from mlkit import grad, jit, make_hvp, make_jvp

N = 2000  # a gather of every (output, lag) pair would be N * 2N * 16 bytes = 128 MB


def calls_by_name(thunk):
    """How many times each Python function (by name) ran during ``thunk()``."""
    profile = cProfile.Profile()
    profile.enable()
    thunk()
    profile.disable()
    counts = collections.Counter()
    for (_, _, name), (_, calls, *_) in pstats.Stats(profile).stats.items():
        counts[name] += calls
    return counts


def peak_bytes(thunk):
    tracemalloc.start()
    try:
        thunk()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fun", [np.convolve, np.correlate, np.polymul])
def test_convolving_two_long_sequences_needs_memory_linear_in_their_length(fun):
    rng = onp.random.default_rng(0)
    a, b, v = rng.normal(size=N), rng.normal(size=N), onp.cos(onp.arange(N))

    def loss(a):
        return np.sum(np.sin(fun(a, b)))

    value = loss(a)
    for thunk in (lambda: grad(loss)(a), lambda: make_jvp(loss)(a)(v),
                  lambda: make_hvp(loss)(a)[0](v)):
        assert peak_bytes(thunk) < 2e6  # linear: a few arrays of 4N floats (32 kB each)
    assert_allclose(value, onp.sum(onp.sin(getattr(onp, fun.__name__)(a, b))), rtol=1e-10)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_keeps_float32_and_matches_numpy_in_every_mode(mode):
    a = onp.linspace(-1, 2, 9, dtype=onp.float32)
    b = onp.array([0.5, -1.0, 2.0], onp.float32)
    out = np.convolve(a, b, mode)
    assert out.dtype == onp.float32
    assert_allclose(out, onp.convolve(a, b, mode), rtol=1e-6)
    slope = grad(lambda b: np.sum(np.convolve(a, b, mode) ** 2))(b)
    assert slope.dtype == onp.float32


def test_polydiv_derivatives_record_a_few_calls_not_one_per_scalar_step():
    """A long dividend was divided by a loop of scalar ops, each a node (m = 400 and a
    quadratic divisor: thousands of calls in every derivative); now it is one primitive."""
    rng = onp.random.default_rng(0)
    u, w = rng.normal(size=400), onp.cos(onp.arange(400.0))
    v = onp.array([2.0, -1.0, 0.5])

    def loss(u, v):
        return np.sum(np.sin(np.concatenate(np.polydiv(u, v))))

    programs = [(jit(grad(loss, 0)), (u, v)), (jit(grad(loss, 1)), (u, v)),
                (jit(lambda u, w: make_jvp(loss)(u, v)(w)[1]), (u, w)),
                (jit(lambda u, w: make_hvp(loss)(u, v)[0](w)), (u, w))]
    for program, args in programs:
        assert sum(program.profile(*args).calls.values()) < 100
    step = 1e-6
    slope = (loss(u + step * w, v) - loss(u - step * w, v)) / (2 * step)
    assert_allclose(onp.dot(grad(loss)(u, v), w), slope, rtol=1e-6)
    assert_allclose(make_jvp(loss)(u, v)(w)[1], slope, rtol=1e-6)
    curvature = (grad(loss)(u + step * w, v) - grad(loss)(u - step * w, v)) / (2 * step)
    assert_allclose(make_hvp(loss)(u, v)[0](w), curvature, rtol=1e-5, atol=1e-7)


def test_a_loop_over_slices_sums_its_cotangents_into_one_array():
    """Each slice's cotangent used to be written into zeros of the whole array and added:
    k slices of an n-element array cost k * n. They now add into one buffer (one array made
    whole: _untake_all once), also mixed with whole-array and repeated-index contributions."""
    k = 300
    x = onp.random.default_rng(0).normal(size=(k, 5)).astype(onp.float32)
    w = onp.linspace(-1, 1, 5, dtype=onp.float32)

    def loss(x):
        rows = np.stack([np.sin(x[i]) * x[i, 0] for i in range(k)])
        return np.sum(rows) + np.sum(x * w) + np.sum(x[[0, 0, 3]])

    counts = calls_by_name(lambda: grad(loss)(x))
    assert counts["_untake_all"] == 1
    slope = grad(loss)(x)
    assert slope.dtype == onp.float32
    expected = onp.cos(x) * x[:, :1] + w
    expected[:, 0] += onp.sin(x).sum(axis=1)
    expected[[0, 3]] += onp.array([[2.0], [1.0]], onp.float32)
    assert_allclose(slope, expected, rtol=2e-5, atol=2e-5)


def test_concatenating_k_pieces_makes_k_cotangents_without_reading_all_k_each_time():
    """Each piece's VJP maker measured every piece to find its own offset (k**2 reads of
    a shape; 90,000 for k = 300); the offsets are now found once, with the call."""
    k = 300
    x = onp.random.default_rng(1).normal(size=(k, 3))

    def loss(x):
        return np.sum(np.concatenate([x[i] ** 2 for i in range(k)]) * onp.arange(3 * k))

    counts = calls_by_name(lambda: grad(loss)(x))
    assert counts["shape"] < 4 * k
    assert_allclose(grad(loss)(x), 2 * x * onp.arange(3 * k).reshape(k, 3), rtol=1e-12)


def test_forward_mode_joins_the_pieces_of_a_concatenation_once():
    """Each piece's tangent used to be concatenated with zeros for all the others and the
    k results summed (k concatenations of the whole); now the tangents are joined once."""
    k = 300
    x = onp.random.default_rng(2).normal(size=(k, 3))
    v = onp.cos(onp.arange(3.0 * k)).reshape(k, 3)

    def loss(x):
        return np.sum(np.sin(np.stack([x[i] ** 2 for i in range(k)])))

    counts = calls_by_name(lambda: make_jvp(loss)(x)(v))
    assert counts["_concatenate"] == 2  # the value's, and the tangent's
    assert_allclose(make_jvp(loss)(x)(v)[1], onp.sum(onp.cos(x ** 2) * 2 * x * v), rtol=1e-12)


def every_kind_of_slice(x):
    """A loop reading every kind of index of ``x`` once per row: a row, an element, a pair of
    rows (overlapping the next), a negative index, a column of the transpose, and an array
    index repeating a row."""
    n, columns, total = x.shape[0], x.T, 0.0
    for i in range(n):
        total = total + np.sum(np.sin(x[i]) * x[i, 0]) + np.sum(np.cos(x[i:i + 2]) ** 2)
        total = total + np.sum(np.tanh(x[-i - 1, :])) + np.sum(np.sin(columns[:, i]) ** 3)
        total = total + np.sum(np.exp(x[[i, i, (i + 3) % n]] / 4))
    return total


SECOND_ORDER = {
    "make_hvp": lambda f, x, v: make_hvp(f)(x)[0](v),
    "jvp of grad": lambda f, x, v: make_jvp(grad(f))(x)(v)[1],
    "grad of jvp": lambda f, x, v: grad(lambda x: make_jvp(f)(x)(v)[1])(x),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_a_loop_over_slices_has_second_derivatives_linear_in_its_length(name):
    """A traced slice cotangent (a higher derivative's) was still written into zeros of the
    whole array and added: k slices of n elements cost k * n, and make_hvp's graph kept
    those k whole arrays (its peak memory grew 3.1 times from 250 rows to 500). The slices
    now add into one array (_untake_all), recorded once, whose own derivatives are one call
    too: twice the rows, twice the memory (the graph's own nodes)."""
    second = SECOND_ORDER[name]
    rng = onp.random.default_rng(3)
    peaks = []
    for rows in (200, 400):
        x, v = rng.normal(size=(rows, 2)), rng.normal(size=(rows, 2))
        peaks.append(peak_bytes(lambda: second(every_kind_of_slice, x, v)))
    assert peaks[1] < 2.5 * peaks[0]
    counts = calls_by_name(lambda: second(every_kind_of_slice, x, v))
    assert counts["_untake"] == 0 and 0 < counts["_untake_all"] <= 4  # x and x.T, two passes
    step = 1e-6
    slope = grad(every_kind_of_slice)
    expected = (slope(x + step * v) - slope(x - step * v)) / (2 * step)
    assert_allclose(second(every_kind_of_slice, x, v), expected, rtol=1e-6, atol=1e-6)


def test_a_jitted_loop_over_slices_replays_one_sum_of_its_slices():
    """Under mlkit.jit every cotangent is recorded, so each slice's was a whole-array step
    (a program with k untake calls and k sums); now one untake_all, in grad and make_hvp,
    whose replays equal the eager results bit for bit."""
    rows = 200
    rng = onp.random.default_rng(4)
    x, v = rng.normal(size=(rows, 2)), rng.normal(size=(rows, 2))
    programs = [(jit(grad(every_kind_of_slice)), (x,), grad(every_kind_of_slice)(x)),
                (jit(lambda x, v: make_hvp(every_kind_of_slice)(x)[0](v)), (x, v),
                 make_hvp(every_kind_of_slice)(x)[0](v))]
    for program, args, eager in programs:
        program(*args)  # records
        counts = calls_by_name(lambda: program(*args))
        assert counts["_untake"] == 0 and 0 < counts["_untake_all"] <= 4
        assert_array_equal(program(*args), eager)


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64])
def test_slice_cotangents_add_up_as_whole_zero_filled_arrays_would(dtype):
    """The one array holds, to the last bit, the sum of one zero-filled array per slice in
    the order they came (an array index's repeats summed among themselves first), and keeps
    the dtype, in eager mode, under jit and inside a second derivative."""
    rng = onp.random.default_rng(1)  # repeats summed in another order round otherwise
    x = rng.normal(size=(6, 3)).astype(dtype)
    weights = rng.normal(size=7).astype(dtype)
    indices = [(1, slice(None)), slice(2, 5), (-1, 0), ([0, 0, 5], slice(1, 3)),
               (slice(None), 2), 3, ([4, 4], [1, 1])]

    def loss(x):
        return sum(w * np.sum(x[index]) for w, index in zip(weights, indices))

    expected = onp.zeros_like(x)
    for w, index in reversed(list(zip(weights, indices))):  # the backward pass's order
        part = onp.zeros_like(x)
        onp.add.at(part, index, onp.broadcast_to(w, onp.shape(x[index])))
        expected = expected + part
    one = onp.ones((), dtype)  # the tangent in s of grad(s * loss): each cotangent traced
    scaled = make_jvp(lambda s: grad(lambda x: loss(x) * s)(x))(one)(one)[1]
    for slope in (grad(loss)(x), jit(grad(loss))(x), scaled):
        assert slope.dtype == dtype
        assert_array_equal(slope, expected)
    for second in SECOND_ORDER.values():
        assert second(every_kind_of_slice, x, x).dtype == dtype


def test_slices_at_numpy_integers_and_masks_add_once_in_every_order():
    """A numpy integer (or 0-d array) index takes a view, not a copy: the elements it held
    before must be read out first, not through the view (they were counted twice)."""
    x = onp.arange(6.0).reshape(2, 3)
    mask = x > 2

    def loss(x):
        return (np.sum(x[mask] ** 3) + np.sum(x[onp.int64(1)] ** 2)
                + np.sum(x[onp.array(0)] * x[1]) + np.sum(x[...] ** 2))

    v = onp.ones_like(x)
    expected = onp.where(mask, 6 * x, 0.0) + 2.0 + onp.array([[1.0] * 3, [3.0] * 3])
    for second in SECOND_ORDER.values():
        assert_allclose(second(loss, x, v), expected, rtol=1e-12)
    assert_allclose(jit(lambda x, v: make_hvp(loss)(x)[0](v))(x, v), expected, rtol=1e-12)
