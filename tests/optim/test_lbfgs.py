"""L-BFGS: known minima, agreement with scipy's L-BFGS-B, resumable state, clear errors."""

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize

from mlkit.optim import LBFGS
from mlkit.optim.two_loop import CurvaturePairs, two_loop_direction


def rosenbrock(params):
    x, y = params["xy"]
    value = (1 - x) ** 2 + 100 * (y - x * x) ** 2
    grad = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    return value, {"xy": grad}


def quadratic_problem(n, spread):
    """0.5 x'Ax - b'x with A's eigenvalues spread evenly on a log scale over [1, spread]."""
    rng = np.random.default_rng(n)
    basis, _ = np.linalg.qr(rng.normal(size=(n, n)))
    a = basis @ np.diag(np.logspace(0.0, np.log10(spread), n)) @ basis.T
    b = rng.normal(size=n)

    def value_and_grad(x):
        return 0.5 * x @ a @ x - b @ x, a @ x - b

    return value_and_grad, np.linalg.solve(a, b), a, b


def logistic_problem(dtype=np.float64):
    """L2-penalised logistic regression, weights and bias as a two-leaf tree."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 6))
    y = (x @ rng.normal(size=6) + 0.5 * rng.normal(size=200) > 0).astype(float)

    def value_and_grad(params):
        w, b = params["w"].astype(np.float64), float(params["b"][0])
        z = x @ w + b
        p = 1 / (1 + np.exp(-z))
        value = np.sum(np.logaddexp(0, z) - y * z) + 0.5 * w @ w
        grads = {"w": (x.T @ (p - y) + w).astype(dtype), "b": np.array([np.sum(p - y)], dtype)}
        return value, grads

    start = {"w": np.zeros(6, dtype), "b": np.zeros(1, dtype)}
    return value_and_grad, start


@pytest.mark.parametrize("line_search_fn, lr", [("strong_wolfe", 1.0), (None, 0.1)])
def test_rosenbrock_reaches_one_one(line_search_fn, lr):
    opt = LBFGS(lr=lr, max_iter=2000, max_eval=4000, tolerance_grad=1e-12,
                tolerance_change=1e-16, line_search_fn=line_search_fn)
    params, value = opt.minimize(rosenbrock, {"xy": np.array([-1.2, 1.0])})
    np.testing.assert_allclose(params["xy"], [1.0, 1.0], atol=1e-6)
    assert value < 1e-12
    assert opt.n_evals >= opt.n_iter > 10


def test_exact_line_searches_solve_a_quadratic_in_n_iterations():
    """With exact steps along the two-loop direction, n iterations reach the minimum of an
    n-dimensional strictly convex quadratic (the finite-termination property of BFGS)."""
    n = 8
    a, b = quadratic_problem(n, spread=1e3)[2:]
    x = np.zeros(n)
    grad = a @ x - b
    steps, changes, rhos, scale = [], [], [], 1.0
    for _ in range(n):
        direction = two_loop_direction(grad, np.array(steps), np.array(changes), rhos, scale)
        t = -(grad @ direction) / (direction @ a @ direction)
        x = x + t * direction
        new_grad = a @ x - b
        s, y = t * direction, new_grad - grad
        steps.append(s)
        changes.append(y)
        rhos.append(1.0 / (y @ s))
        scale = (y @ s) / (y @ y)
        grad = new_grad
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-9, atol=1e-12)


def test_curvature_pairs_keep_the_newest_pairs_oldest_first():
    """Past the buffer's end the kept rows move to its start; a pair written but not kept
    (rejected curvature) never shows, and a state with more pairs than the capacity keeps
    them until the next pair drops the surplus."""
    pairs = CurvaturePairs(3, 2, np.float64)
    added = []
    for i in range(11):
        s, y = pairs.free_rows()
        s[:] = [i, -i]
        y[:] = [2 * i, 0.5]
        if i % 4 == 3:  # written, then rejected
            continue
        pairs.keep(float(i + 1))
        added.append(i)
        kept = added[-3:]
        np.testing.assert_array_equal(pairs.steps, [[i, -i] for i in kept])
        np.testing.assert_array_equal(pairs.changes, [[2 * i, 0.5] for i in kept])
        assert pairs.rhos == [1.0 / (i + 1) for i in kept]
    loaded = CurvaturePairs(2, 2, np.float64, pairs.steps, pairs.changes, pairs.rhos)
    assert loaded.rhos == pairs.rhos and len(loaded.steps) == 3
    s, y = loaded.free_rows()
    s[:], y[:] = 1.0, 2.0
    loaded.keep(4.0)
    np.testing.assert_array_equal(loaded.steps, [pairs.steps[-1], [1.0, 1.0]])
    assert loaded.rhos == [pairs.rhos[-1], 0.25]


def test_two_loop_with_no_pairs_is_scaled_steepest_descent():
    grad = np.array([1.0, -2.0])
    empty = np.zeros((0, 2))
    np.testing.assert_array_equal(two_loop_direction(grad, empty, empty, [], 0.5), [-0.5, 1.0])


def test_two_loop_matches_the_inverse_bfgs_update():
    """The recursion applies H_k = V'H_{k-1}V + rho s s' (V = I - rho y s') to -g."""
    rng = np.random.default_rng(3)
    n, pairs = 6, 4
    steps = rng.normal(size=(pairs, n))
    changes = steps @ np.diag(np.linspace(1.0, 4.0, n)) + 0.05 * rng.normal(size=(pairs, n))
    rhos = [1.0 / (y @ s) for s, y in zip(steps, changes)]
    h = 0.7 * np.eye(n)
    for s, y, rho in zip(steps, changes, rhos):
        v = np.eye(n) - rho * np.outer(y, s)
        h = v.T @ h @ v + rho * np.outer(s, s)
    grad = rng.normal(size=n)
    np.testing.assert_allclose(two_loop_direction(grad, steps, changes, rhos, 0.7), -h @ grad,
                               rtol=1e-10)


@pytest.mark.parametrize("spread", [3.0, 1e3])
def test_quadratic_converges_no_slower_than_scipy(spread):
    """With inexact (Wolfe) steps there is no n-step termination, for scipy either."""
    n = 10
    value_and_grad, solution = quadratic_problem(n, spread)[:2]
    reference = scipy_minimize(value_and_grad, np.zeros(n), jac=True, method="L-BFGS-B",
                               options={"maxcor": n, "gtol": 1e-6, "ftol": 0.0})
    opt = LBFGS(max_iter=500, max_eval=1000, history_size=n, tolerance_grad=1e-6,
                tolerance_change=0.0, line_search_fn="strong_wolfe")
    x, _ = opt.minimize(value_and_grad, np.zeros(n))
    np.testing.assert_allclose(x, solution, atol=1e-5)
    assert opt.reason == "gradient below tolerance_grad"
    assert opt.n_iter <= 1.5 * reference.nit


def test_same_optimum_as_scipy_lbfgsb_on_logistic_regression():
    value_and_grad, start = logistic_problem()

    def flat(v):
        value, grads = value_and_grad({"w": v[:6], "b": v[6:]})
        return value, np.concatenate([grads["w"], grads["b"]])

    reference = scipy_minimize(flat, np.zeros(7), jac=True, method="L-BFGS-B",
                               options={"gtol": 1e-10, "ftol": 1e-15, "maxiter": 1000})
    opt = LBFGS(max_iter=500, tolerance_grad=1e-9, tolerance_change=1e-14,
                line_search_fn="strong_wolfe")
    params, value = opt.minimize(value_and_grad, start)
    assert abs(value - reference.fun) <= 1e-8 * abs(reference.fun)
    np.testing.assert_allclose(np.concatenate([params["w"], params["b"]]), reference.x,
                               atol=1e-5)
    assert value == pytest.approx(value_and_grad(params)[0], rel=1e-15)
    assert opt.n_iter < 60


def test_float32_tree_stays_float32_and_keeps_structure():
    value_and_grad, start = logistic_problem(np.float32)
    opt = LBFGS(max_iter=50, line_search_fn="strong_wolfe", tolerance_grad=1e-4)
    params, _ = opt.minimize(value_and_grad, start)
    assert set(params) == {"w", "b"}
    assert params["w"].dtype == params["b"].dtype == np.float32
    assert params["b"].shape == (1,)
    assert {value.dtype for key, value in opt.state_dict().items()
            if key in ("d", "old_dirs")} == {np.dtype(np.float32)}


@pytest.mark.parametrize("line_search_fn", ["strong_wolfe", None])
def test_resumed_steps_are_bit_identical(line_search_fn, tmp_path):
    value_and_grad, start = logistic_problem()
    options = dict(lr=0.5, max_iter=3, history_size=4, line_search_fn=line_search_fn)
    reference = LBFGS(**options)
    params = start
    for _ in range(2):
        params, _ = reference.step(params, value_and_grad)
    np.savez(tmp_path / "lbfgs.npz", **reference.state_dict())
    resumed = LBFGS(**options)
    with np.load(tmp_path / "lbfgs.npz", allow_pickle=False) as saved:
        resumed.load_state_dict(dict(saved))
    mine = params
    for _ in range(3):
        params, loss = reference.step(params, value_and_grad)
        mine, my_loss = resumed.step(mine, value_and_grad)
        assert loss == my_loss
        for key in params:
            np.testing.assert_array_equal(params[key], mine[key])
    assert (resumed.n_iter, resumed.n_evals) == (reference.n_iter, reference.n_evals)


def test_step_returns_the_loss_at_the_given_params():
    value_and_grad, start = logistic_problem()
    opt = LBFGS(max_iter=4)  # max_eval = 5: four iterations, the last one not evaluated
    params, loss = opt.step(start, value_and_grad)
    assert loss == value_and_grad(start)[0]
    assert value_and_grad(params)[0] < loss
    assert (opt.n_iter, opt.n_evals, opt.reason) == (4, 4, "max_iter reached")
    opt = LBFGS(max_iter=2)  # max_eval = 2 ends the step after one iteration
    opt.step(start, value_and_grad)
    assert (opt.n_iter, opt.reason) == (1, "max_eval reached")


def test_already_optimal_start_stops_at_once():
    value_and_grad, solution = quadratic_problem(3, 10.0)[:2]
    opt = LBFGS()
    x, _ = opt.minimize(value_and_grad, solution)
    assert opt.n_iter == 0 and opt.n_evals == 1
    assert opt.reason == "gradient below tolerance_grad"
    np.testing.assert_array_equal(x, solution)


def test_mismatched_gradient_tree_names_the_path():
    def wrong(params):
        return 0.0, {"w": np.ones(6)}

    _, start = logistic_problem()
    with pytest.raises(ValueError, match="gradient tree does not match.*missing keys \\['b'\\]"):
        LBFGS().minimize(wrong, start)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(lr=0.0), r"LBFGS: lr must be a finite number > 0, got 0.0"),
        (dict(max_iter=0), "max_iter must be an integer >= 1"),
        (dict(history_size=2.5), "history_size must be an integer"),
        (dict(tolerance_grad=-1.0), "tolerance_grad"),
        (dict(line_search_fn="wolfe"), "line_search_fn must be 'strong_wolfe' or None, got"),
    ],
)
def test_bad_arguments(options, message):
    with pytest.raises((ValueError, TypeError), match=message):
        LBFGS(**options)


def test_load_state_dict_checks_keys_and_shapes():
    value_and_grad, start = logistic_problem()
    opt = LBFGS(max_iter=3, line_search_fn="strong_wolfe")
    opt.step(start, value_and_grad)
    state = opt.state_dict()
    with pytest.raises(KeyError, match="missing keys \\['h_diag'\\]"):
        LBFGS().load_state_dict({k: v for k, v in state.items() if k != "h_diag"})
    with pytest.raises(ValueError, match="old_dirs"):
        LBFGS().load_state_dict({**state, "old_dirs": state["old_dirs"][:, :3]})
    other = LBFGS()
    other.load_state_dict(state)
    with pytest.raises(ValueError, match="history is for 7 parameter entries but params have 2"):
        other.step({"v": np.ones(2)}, lambda p: (0.0, p))


@pytest.mark.parametrize("first_step, expected", [("l1", "abs"), ("l2", "euclid")])
def test_first_step_is_scaled_by_the_chosen_norm_of_the_gradient(first_step, expected):
    """Without a line search the first move is exactly lr * g / |g| for these |g| > 1."""
    g = np.array([3.0, -4.0, 12.0])  # |g|_1 = 19, |g|_2 = 13

    def value_and_grad(x):
        return float(g @ x), g.copy()

    optimizer = LBFGS(lr=0.5, max_iter=1, first_step=first_step)
    moved, _ = optimizer.step(np.zeros(3), value_and_grad)
    norm = 19.0 if expected == "abs" else 13.0
    np.testing.assert_allclose(moved, -0.5 / norm * g)


@pytest.mark.parametrize("scale", [1e-3, 1e3])
def test_l2_first_move_has_length_lr_and_l1_is_capped_at_lr_times_g(scale):
    """A small gradient gets a long first move under "l2" (scipy's rule), not under "l1"."""
    g = scale * np.array([3.0, -4.0, 12.0])

    def value_and_grad(x):
        return float(g @ x), g.copy()

    moved_l2, _ = LBFGS(lr=0.5, max_iter=1, first_step="l2").step(np.zeros(3), value_and_grad)
    moved_l1, _ = LBFGS(lr=0.5, max_iter=1, first_step="l1").step(np.zeros(3), value_and_grad)
    np.testing.assert_allclose(np.linalg.norm(moved_l2), 0.5)
    np.testing.assert_allclose(moved_l1, -0.5 * min(1.0, 1.0 / (19.0 * scale)) * g)


def test_l2_first_step_matches_scipy_iterations_on_logistic_regression():
    value_and_grad, start = logistic_problem()

    def flat(v):
        value, grads = value_and_grad({"w": v[:6], "b": v[6:]})
        return value, np.concatenate([grads["w"], grads["b"]])

    reference = scipy_minimize(flat, np.zeros(7), jac=True, method="L-BFGS-B",
                               options={"gtol": 1e-6})
    optimizer = LBFGS(max_iter=200, tolerance_grad=1e-6, line_search_fn="strong_wolfe",
                      first_step="l2")
    _, loss = optimizer.minimize(value_and_grad, start)
    assert loss <= reference.fun * (1 + 1e-9)
    assert optimizer.n_iter <= reference.nit + 1


def test_unknown_first_step_is_refused():
    with pytest.raises(ValueError, match="first_step"):
        LBFGS(first_step="l3")


def float32_least_squares(dtype, rows=50):
    """0.5 ||Ax - b||^2 with a nonzero residual, computed in ``dtype``."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(rows, 5)).astype(dtype), rng.normal(size=rows).astype(dtype)

    def value_and_grad(params):
        residual = a @ params["x"] - b
        return 0.5 * (residual @ residual), {"x": a.T @ residual}

    return value_and_grad, {"x": np.zeros(5, dtype)}


def test_a_torch_style_float32_step_stops_where_float64_does_instead_of_stalling():
    # The float32 loss stops resolving the steps' decrease before the torch-style tolerances
    # are met; the line search then goes by the slope, which float32 still resolves.
    ends = {}
    for dtype in (np.float64, np.float32):
        fn, start = float32_least_squares(dtype)
        opt = LBFGS(max_iter=100, tolerance_grad=1e-9, line_search_fn="strong_wolfe")
        params, _ = opt.step(start, fn)
        assert params["x"].dtype == dtype
        ends[dtype] = opt.reason, opt.n_iter, params["x"].astype(np.float64)
    assert ends[np.float32][:2] == ends[np.float64][:2] == (
        "directional derivative above -tolerance_change", 7)  # float32 stalled at 6
    np.testing.assert_allclose(ends[np.float32][2], ends[np.float64][2], rtol=2e-6)


def test_a_float32_loss_too_coarse_for_the_tolerance_stops_short_of_it_and_says_why():
    # 1000 rows: a float32 loss and gradient too coarse for the last steps. Where the search
    # ends depends on the BLAS kernel's rounding (OpenBLAS's Haswell kernels stall here, its
    # SkylakeX kernels see a loss change of exactly 0), never on running out of iterations,
    # and never claiming the gradient tolerance.
    fn, start = float32_least_squares(np.float32, rows=1000)
    opt = LBFGS(max_iter=100, tolerance_grad=1e-9, tolerance_change=1e-14,
                line_search_fn="strong_wolfe")
    params, _ = opt.step(start, fn)
    largest = float(np.abs(fn(params)[1]["x"]).max())
    assert opt.n_iter < 100 and largest > 1e-9
    if not opt.stalled:
        assert opt.reason == "loss change below tolerance_change"
        return
    assert not opt.converged and opt.reason == (
        "the line search found no decrease: the loss cannot resolve smaller steps in float32; "
        f"the largest gradient entry is {largest:.2g} > tolerance_grad 1e-09; use float64 data "
        "or a larger tolerance_grad")
    again, _ = opt.step(params, fn)  # another step repeats this one
    np.testing.assert_array_equal(again["x"], params["x"])
    assert opt.stalled


def test_the_coarse_float32_problem_converges_in_float64():
    fn, start = float32_least_squares(np.float64, rows=1000)
    opt = LBFGS(max_iter=100, tolerance_grad=1e-9, tolerance_change=1e-14,
                line_search_fn="strong_wolfe")
    opt.minimize(fn, start)
    assert opt.converged and not opt.stalled
