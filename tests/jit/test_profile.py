"""Jitted.profile: the call's result, its calls grouped by kind, and the timing's consistency."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, jit, nn, value_and_grad
from mlkit.jit.kinds import KINDS


def small(x, w):
    h = x @ w  # GEMM
    a = np.tanh(h) * 2.0  # two elementwise calls
    flat = np.reshape(a, (-1,))  # data movement
    return np.max(flat) + np.sum(a, axis=0)  # two reductions, one elementwise add


def _inputs():
    rng = onp.random.default_rng(0)
    return rng.standard_normal((5, 4)), rng.standard_normal((4, 3))


def _check_times(report):
    assert all(seconds >= 0.0 for seconds in report.seconds.values())
    assert sum(report.seconds.values()) <= report.replay
    assert report.overhead == pytest.approx(report.replay - sum(report.seconds.values()))
    assert report.first_call > 0.0


def test_calls_are_counted_by_kind_and_value_equals_a_plain_call():
    x, w = _inputs()
    jitted = jit(small)
    first = jitted.profile(x, w)  # records, then times a replay of the new program
    onp.testing.assert_array_equal(first.value, small(x, w))
    assert first.recording == first.first_call > 0.0
    again = jitted.profile(x, w)
    assert again.recording == 0.0 and again.first_call == first.first_call
    onp.testing.assert_array_equal(again.value, jitted(x, w))
    want = {"GEMM": 1, "reduction": 2, "elementwise": 3, "data movement": 1, "other": 0}
    assert first.calls == again.calls == want
    _check_times(first)
    _check_times(again)
    assert jitted.cache_info() == {"signatures": 1, "paths": [1]}


def test_gradient_program_counts_its_backward_pass_too():
    x, w = _inputs()
    report = jit(grad(lambda w: np.sum(np.tanh(x @ w)))).profile(w)
    onp.testing.assert_array_equal(report.value, grad(lambda w: np.sum(np.tanh(x @ w)))(w))
    # forward x @ w and backward x.T @ g; tanh's derivative sech(x @ w)**2, one elementwise
    # kernel (tanh itself is not needed for the gradient, and the seed, all ones, is not
    # multiplied in)
    assert report.calls["GEMM"] == 2
    assert report.calls["elementwise"] == 1
    _check_times(report)


def test_a_fused_layer_kernel_containing_a_matrix_product_counts_as_gemm():
    layer = nn.Linear(4, 3, rng=0, dtype=onp.float64)
    x = _inputs()[0]
    report = jit(lambda x: layer(x)).profile(x)
    onp.testing.assert_array_equal(report.value, layer(x))
    assert report.calls == {"GEMM": 1, "reduction": 0, "elementwise": 0, "data movement": 0,
                            "other": 0}


def _branchy(x):
    if np.sum(x) > 0:
        return np.sum(np.sin(x) * x)
    return np.sum(np.exp(x))


def test_a_failed_guard_while_profiling_behaves_as_in_a_plain_call():
    up, down = onp.array([1.0, 2.0]), onp.array([-1.0, -3.0])
    jitted = jit(grad(_branchy))
    jitted.profile(up)
    new_path = jitted.profile(down)  # the guard fails: the other path is recorded
    assert new_path.recording > 0.0
    onp.testing.assert_array_equal(new_path.value, grad(_branchy)(down))
    assert jitted.cache_info()["paths"] == [2]
    known_path = jitted.profile(down)  # the guard fails again: the recorded path replays
    assert known_path.recording == 0.0
    onp.testing.assert_array_equal(known_path.value, grad(_branchy)(down))
    assert jitted.cache_info()["paths"] == [2]
    _check_times(known_path)
    # The abandoned replay ran the sum and the comparison before its guard failed.
    alone = jit(grad(_branchy))
    alone.profile(down)
    down_only = alone.profile(down).calls
    assert sum(known_path.calls.values()) == sum(down_only.values()) + 2
    assert known_path.calls["reduction"] == down_only["reduction"] + 1


def test_profiled_calls_draw_as_plain_calls_do():
    def f(x):
        noise = np.random.randn(3)
        y = x * noise
        if np.sum(y) > 0:
            return y * 2
        return y - 1

    jitted = jit(f)
    for seed in range(6):  # both paths, each recorded then replayed
        np.random.seed(seed)
        got = jitted.profile(onp.ones(3)).value
        after_profile = onp.random.randn()
        np.random.seed(seed)
        want = f(onp.ones(3))
        after_eager = onp.random.randn()
        onp.testing.assert_array_equal(got, want)
        assert after_profile == after_eager
    assert jitted.cache_info()["paths"] == [2]


def test_plain_replays_carry_no_timer():
    x, w = _inputs()
    jitted = jit(small)
    jitted.profile(x, w)
    program = next(iter(jitted._cache.values())).root
    assert "_clock" not in program.source
    assert "_clock" in program._namespace  # the profiled twin was compiled beside it


def test_the_table_lists_every_kind_aligned():
    x, w = _inputs()
    text = str(jit(value_and_grad(lambda w: np.sum(small(x, w)))).profile(w))
    lines = text.splitlines()
    table = lines[lines.index(next(line for line in lines if line.lstrip().startswith("calls"))):]
    assert [line.split("  ")[0].strip() for line in table[1:]] == [
        *KINDS, "Python overhead", "replay"]
    widths = {len(line) for line in table if line.endswith("%")}
    assert len(widths) == 1  # every row's share ends in the same column


def test_profiling_a_traced_value_is_refused_with_advice():
    jitted = jit(lambda x: np.sin(x))
    with pytest.raises(TypeError, match="profile the jitted derivative"):
        grad(lambda x: jitted.profile(x).value)(1.0)


def test_kinds_of_wrappers_follow_what_they_call_or_apply():
    import functools

    from mlkit.jit.kinds import kind_of

    def call_kernel(kernel, *args):
        return list(kernel(*args))

    def scaled_product(a, b):
        return (a @ b) * 2.0

    def picks(a):
        return a[0]

    assert KINDS[kind_of(functools.partial(call_kernel, scaled_product))] == "GEMM"
    assert KINDS[kind_of(functools.partial(call_kernel, onp.sum))] == "reduction"
    assert KINDS[kind_of(picks)] == "data movement"
    assert KINDS[kind_of(onp.add.reduce)] == "reduction"
    assert KINDS[kind_of(onp.exp)] == "elementwise"
    assert KINDS[kind_of(onp.linalg.solve)] == "other"


def test_profiles_of_several_calls_add_up():
    x, w = _inputs()
    jitted = jit(small)
    reports = [jitted.profile(x, w) for _ in range(3)] + [jitted.profile(x[:2], w)]
    total = sum(reports)
    assert total.runs == 4
    assert total.calls == {kind: sum(r.calls[kind] for r in reports) for kind in KINDS}
    assert total.replay == pytest.approx(sum(r.replay for r in reports))
    assert total.recording == pytest.approx(reports[0].recording + reports[3].recording)
    assert total.first_call == max(r.first_call for r in reports)
    onp.testing.assert_array_equal(total.value, small(x[:2], w))
    assert "4 calls summed" in str(total)
    _check_times(total)
