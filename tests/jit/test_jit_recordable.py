"""Functions that run numpy on the values themselves (no derivative through that part) record
as steps of the program under jit and replay for new values, as eager code computes them."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, jit

X = onp.array([0.1, 0.4, 0.45, 0.9, -0.3])


def _leaves(result):
    if isinstance(result, (tuple, list)):
        return [leaf for item in result for leaf in _leaves(item)]
    return [result]


def _replays_as_eager(fun, points):
    jitted = jit(fun)
    for point in points:
        got, want = _leaves(jitted(point)), _leaves(fun(point))
        assert len(got) == len(want)
        for a, b in zip(got, want):
            onp.testing.assert_array_equal(a, b)
    return jitted.cache_info()["paths"]


@pytest.mark.parametrize("fun", [
    lambda x: np.nextafter(x, x[::-1]), np.histogram,
    lambda x: np.histogram(x, bins=onp.array([-1.0, 0.0, 0.5, 1.0])),
    lambda x: np.histogram(x, bins=3, range=(-1.0, 1.0), weights=x * x),
    lambda x: np.histogram2d(x, -x, bins=2), lambda x: np.histogramdd(np.stack([x, x * x], 1)),
    np.i0, lambda x: np.kaiser(5, x[3]),
], ids=["nextafter", "histogram", "histogram-edges", "histogram-weights", "histogram2d",
        "histogramdd", "i0", "kaiser"])
def test_values_computed_by_numpy_are_steps_not_guards(fun):
    assert _replays_as_eager(fun, (X, X * 1.5 - 0.1, X)) == [1]


def test_a_derivative_through_them_is_still_refused_by_name():
    with pytest.raises(TypeError, match="np.i0 has no derivative"):
        jit(grad(lambda x: np.sum(np.i0(x))))(X)
    with pytest.raises(NotImplementedError, match="histogram is not differentiable"):
        jit(grad(lambda x: np.sum(np.histogram(x)[1])))(X)
    # Counts against constant edges are piecewise constant: their derivative is zero.
    edges = onp.array([-1.0, 0.0, 1.0])
    onp.testing.assert_array_equal(
        jit(grad(lambda x: np.sum(np.histogram(x, edges)[0] * 1.0) + np.sum(x)))(X),
        onp.ones_like(X))


def test_nextafter_is_one_step_from_x_in_its_derivative():
    onp.testing.assert_array_equal(jit(grad(lambda x: np.sum(np.nextafter(x, 2.0))))(X),
                                   onp.ones_like(X))


@pytest.fixture
def seeded():
    """numpy's global generator, left as it was found for the tests that follow."""
    state = onp.random.get_state()
    yield
    onp.random.set_state(state)


@pytest.mark.parametrize("fun", [
    lambda x: x * np.random.normal(x, 1.0), lambda x: np.random.uniform(x, x + 1.0),
    lambda x: x * np.random.randint(5), lambda x: x * np.random.zipf(2.0),
    lambda x: x[:np.random.randint(1, 4)],
], ids=["normal-loc", "uniform-bounds", "randint", "zipf", "randint-slice"])
def test_draws_with_recorded_parameters_or_integer_results_replay_eagers_draws(fun, seeded):
    onp.random.seed(0)
    want = [fun(X) for _ in range(6)]
    onp.random.seed(0)
    jitted = jit(fun)
    for expected in want:
        onp.testing.assert_array_equal(jitted(X), expected)


def test_a_draw_with_differentiated_parameters_is_refused_by_name():
    with pytest.raises(TypeError, match="random draw whose parameters are differentiated"):
        jit(grad(lambda x: np.sum(np.random.normal(x, 1.0))))(X)


def test_rank_deficient_lstsq_records_its_rank_as_a_guard():
    a = onp.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    b = onp.array([1.0, 2.0])
    jitted = jit(lambda a: np.linalg.lstsq(a, b)[:3])
    for point in (a, a * 2.0, a):
        (x, residuals, rank), want = jitted(point), onp.linalg.lstsq(point, b)
        # traced, x is pinv(a) @ b: numpy's own lstsq on plain arrays differs in the last bits
        onp.testing.assert_allclose(x, want[0], rtol=1e-14)
        onp.testing.assert_array_equal(residuals, want[1])
        assert residuals.dtype == want[1].dtype and rank == want[2] == 1
    assert _replays_as_eager(grad(lambda a: np.sum(np.linalg.lstsq(a, b)[0])),
                             (a, a * 2.0, a)) == [1]
    assert jitted.cache_info()["paths"] == [1]


@pytest.mark.parametrize("fun", [np.max, np.any, np.stack, lambda b: np.hstack([b, ~b]),
                                 lambda b: np.where(np.all(b), 1.0, 2.0)],
                         ids=["max", "any", "stack", "hstack", "all"])
def test_boolean_arrays_are_inputs_and_their_reductions_boolean_scalars(fun):
    b = X > 0.3
    assert _replays_as_eager(fun, (b, ~b, b)) == [1]


@pytest.mark.parametrize("fun", [
    lambda x, s: np.histogram_bin_edges(x, onp.array([-1.0, 0.0, 1.0]) * s),
    lambda x, s: np.histogram_bin_edges(x, 4, weights=x * s),
    lambda x, s: np.unwrap(x * 4.0, s),
    lambda x, s: np.linalg.norm(x, s), lambda x, s: np.linalg.vector_norm(x, ord=s),
    lambda x, s: np.linalg.cond(np.diag(x), s - 1.0),
], ids=["histogram_bin_edges-edges", "histogram_bin_edges-weights", "unwrap-discont",
        "norm-ord", "vector_norm-ord", "cond-p"])
def test_traced_parameters_that_numpy_reads_as_numbers(fun):
    # jit traces a float argument: each of these once gave numpy the recorded value
    jitted = jit(fun)
    for x, s in ((X, 2.0), (X * 1.5, 2.0), (X, 3.0)):
        onp.testing.assert_array_equal(jitted(x, s), fun(x, s))


def test_edges_given_as_a_traced_array_are_the_result_and_must_increase():
    edges = onp.array([0.0, 0.5, 1.0])
    onp.testing.assert_array_equal(  # eagerly this recursed without end
        grad(lambda e: np.sum(np.histogram_bin_edges(X, e) * e))(edges), 2 * edges)
    with pytest.raises(ValueError, match="increase monotonically"):
        jit(np.histogram_bin_edges)(X, edges[::-1])
