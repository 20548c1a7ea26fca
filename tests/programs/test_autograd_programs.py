"""Programs written as HIPS autograd's published examples are, with only their imports
changed to mlkit, run end to end at small sizes: the numbers that could be wrong (likelihoods,
losses after training, gradients against finite differences) are checked."""

import pathlib

import numpy as onp
import scipy.special
import scipy.stats
from numpy.testing import assert_allclose

from mlkit import grad
from mlkit.testing import check_grads

HERE = pathlib.Path(__file__).resolve().parent


def test_black_box_svi_raises_the_lower_bound_of_a_normalized_funnel(run_file):
    program = run_file(HERE / "black_box_svi.py")
    run = program["fit"]()
    # The funnel integrates to one, so every lower bound is below 0; from the narrow start it
    # is about -12, and a fitted diagonal Gaussian comes within about 1 of the bound.
    assert run["bounds"][0] < -10
    assert -1.5 < onp.mean(run["bounds"][-20:]) < 0.0
    mean, log_std = run["split"](run["params"])
    assert onp.all(onp.abs(mean) < 0.3) and onp.all(log_std > -1.5)
    check_grads(run["objective"], modes=["fwd", "rev"], order=2)(
        onp.array([0.1, -0.2, -1.0, -0.5]), 3)


def test_the_funnel_density_is_scipys(run_file):
    program = run_file(HERE / "black_box_svi.py")
    z = onp.array([[0.3, -0.4], [-1.0, 0.8]])
    expected = (scipy.stats.norm.logpdf(z[:, 1], 0, 1.35)
                + scipy.stats.norm.logpdf(z[:, 0], 0, onp.exp(z[:, 1])))
    assert_allclose(program["funnel"](z, 0), expected)


def test_rnn_learns_to_predict_repeating_strings(run_file):
    program = run_file(HERE / "rnn.py")
    run = program["train"](["abcabcabca", "the cat sat", "abcabcab"])
    uniform = onp.log(len(run["alphabet"]))
    assert abs(run["losses"][0] - uniform) < 0.1  # small weights predict nearly uniformly
    assert run["final"] < 0.3 * uniform
    inputs = run["inputs"][:4, :2, :]

    def log_likelihood(params):
        return program["mean_log_likelihood"](params, inputs, inputs)

    check_grads(log_likelihood, modes=["fwd", "rev"], order=1)(run["start"])


def test_fixed_point_square_roots_and_their_derivatives(run_file):
    answers = run_file(HERE / "fixed_points.py")["derivatives"](2.0)
    for value, first, second in answers.values():
        assert_allclose([value, first, second],
                        [onp.sqrt(2.0), 0.5 / onp.sqrt(2.0), -0.25 * 2.0**-1.5], rtol=1e-7)


def test_gaussian_process_marginal_likelihood_gradient_and_fit(run_file):
    program = run_file(HERE / "gaussian_process.py")
    run = program["fit"]()
    x, y, params = run["x"], run["y"], onp.array([0.1, -2.0, 0.3, -0.2])
    # The log marginal likelihood against the closed form with numpy's own linear algebra.
    _, noise, kernel_params = params[0], onp.exp(params[1]) + 1e-4, params[2:]
    covariance = program["squared_exponential"](kernel_params, x, x) + noise * onp.eye(len(y))
    assert_allclose(run["log_marginal_likelihood"](params, x, y),
                    scipy.stats.multivariate_normal.logpdf(y, params[0] * onp.ones(len(y)),
                                                           covariance))
    check_grads(run["objective"], modes=["fwd", "rev"], order=2)(params)
    assert run["objective"](run["start"]) > 20 and run["objective"](run["params"]) < -18
    assert onp.linalg.norm(grad(run["objective"])(run["params"])) < 1e-3
    mean, _ = run["predict"](run["params"], x, y, x)
    assert onp.max(onp.abs(mean - y)) < 0.15


def test_mixture_model_newton_cg_fit(run_file):
    program = run_file(HERE / "mixture_model.py")
    run = program["fit"]()
    data, start = run["data"], run["start"]
    reference = scipy.special.logsumexp(onp.stack([
        log_weight + scipy.stats.multivariate_normal.logpdf(data, mean, root.T @ root)
        for log_weight, mean, root in zip(
            start["log weights"] - scipy.special.logsumexp(start["log weights"]),
            start["means"], start["cholesky"])]), axis=0).sum()
    assert_allclose(program["log_likelihood"](start, data), reference)
    assert -program["log_likelihood"](run["params"], data) < 0.65 * -reference
    flat = run["flat_start"]
    check_grads(lambda v: run["flat_objective"](v)[0], modes=["rev"], order=2)(flat)


def test_ode_net_fits_the_oscillator_with_adjoint_gradients(run_file):
    program = run_file(HERE / "ode_net.py")
    run = program["fit"]()
    assert run["losses"][0] > 1.3 and run["final"] < 1.25
    params, y0, t = run["start"], run["y0"], run["t"]

    def end_state(params):
        path = program["odeint"](program["network"], y0, t, program["tuple"]((params,)), rtol=1e-10,
                              atol=1e-10)
        return path[-1, 0]

    check_grads(end_state, modes=["rev"], order=1)(params)
