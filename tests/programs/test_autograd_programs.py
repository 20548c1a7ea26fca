"""Programs written as HIPS autograd's published examples are (and as libraries built on it,
such as survival models, write theirs), with only their imports changed to mlkit, run end to
end at small sizes: the numbers that could be wrong (likelihoods, losses after training,
gradients against finite differences) are checked."""

import pathlib

import numpy as onp
import scipy.optimize
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


def _censored_weibull(seed=0, n=400):
    rng = onp.random.default_rng(seed)
    x = rng.normal(size=n)
    xs = onp.column_stack([onp.ones(n), x])
    times = onp.exp(1.0 + 0.5 * x) * rng.weibull(1.5, size=n)
    limit = rng.uniform(0.5, 6.0, size=n)
    return onp.minimum(times, limit), (times <= limit).astype(float), xs


def test_survival_weibull_regression_matches_scipy_and_finite_differences(run_file):
    program = run_file(HERE / "survival.py")
    t, e, xs = _censored_weibull()
    # Without covariates the model is scipy's censored Weibull fit: an independent MLE.
    vector, variance, sizes = program["fit"](t, e, xs[:, :1])
    shape, _, scale = scipy.stats.weibull_min.fit(
        scipy.stats.CensoredData(uncensored=t[e == 1], right=t[e == 0]), floc=0)
    assert_allclose(onp.exp(vector), [scale, shape], rtol=1e-4)

    vector, variance, sizes = program["fit"](t, e, xs)
    assert_allclose(vector, [1.0, 0.5, onp.log(1.5)], atol=0.15)
    nll = program["neg_log_likelihood"]
    assert onp.max(onp.abs(grad(nll)(vector, sizes, t, e, xs))) < 1e-8
    check_grads(nll, modes=["fwd", "rev"], order=2)(vector + 0.1, sizes, t, e, xs)
    # The variance is the inverse of the information by second differences of the likelihood.
    step, k = 1e-4, len(vector)
    basis = onp.eye(k) * step
    information = onp.array([[nll(vector + basis[i] + basis[j], sizes, t, e, xs)
                              - nll(vector + basis[i] - basis[j], sizes, t, e, xs)
                              - nll(vector - basis[i] + basis[j], sizes, t, e, xs)
                              + nll(vector - basis[i] - basis[j], sizes, t, e, xs)
                              for j in range(k)] for i in range(k)]) / (4 * step**2) * len(t)
    assert_allclose(variance, onp.linalg.inv(information), rtol=1e-4, atol=1e-9)

    times, x_row = onp.array([0.5, 2.0, 5.0]), onp.array([1.0, 0.3])
    band, jac = program["survival_band_variance"](vector, variance, sizes, times, x_row)

    def survival(v):
        return onp.exp(-program["cumulative_hazard"](program["unflatten"](v, sizes), times,
                                                     x_row[None, :]))

    fd = onp.stack([(survival(vector + b) - survival(vector - b)) / (2 * step) for b in basis], 1)
    assert_allclose(jac, fd, rtol=1e-6, atol=1e-9)
    assert_allclose(band, onp.diag(fd @ variance @ fd.T), rtol=1e-5)


def test_survival_gamma_with_a_central_difference_vjp(run_file):
    program = run_file(HERE / "survival.py")
    rng = onp.random.default_rng(1)
    times = rng.gamma(2.5, 1.5, size=300)
    limit = rng.uniform(1.0, 10.0, size=300)
    t, e = onp.minimum(times, limit), (times <= limit).astype(float)
    nll = program["gamma_neg_log_likelihood"]
    result = scipy.optimize.minimize(program["value_and_grad"](nll), onp.zeros(2), jac=True,
                                     args=(t, e), method="BFGS", options={"gtol": 1e-8})
    shape, _, scale = scipy.stats.gamma.fit(
        scipy.stats.CensoredData(uncensored=t[e == 1], right=t[e == 0]), floc=0)
    assert_allclose(onp.exp(result.x), [shape, scale], rtol=1e-3)
    # Reverse over reverse through a central difference: compare with second differences.
    point, step = result.x + onp.array([0.05, -0.05]), 1e-4
    hess = program["hessian"](nll)(point, t, e)
    basis = onp.eye(2) * step
    fd = onp.array([[nll(point + bi + bj, t, e) - nll(point + bi - bj, t, e)
                     - nll(point - bi + bj, t, e) + nll(point - bi - bj, t, e)
                     for bj in basis] for bi in basis]) / (4 * step**2)
    assert_allclose(hess, fd, rtol=1e-4)
    check_grads(nll, modes=["rev"], order=1)(point, t, e)


def test_survival_elastic_net_penalty_derivatives_in_closed_form(run_file):
    penalty, first, second = run_file(HERE / "survival.py")["elastic_net"](0.1, 0.7, 50)
    beta, a = onp.array([-1.5, -0.01, 0.0, 0.2, 3.0]), 20.0
    tanh = onp.tanh(a * beta / 2)
    assert_allclose(first(beta, a), 50 * 0.1 * (0.7 * tanh + 0.3 * beta), rtol=1e-12)
    assert_allclose(second(beta, a), 50 * 0.1 * (0.7 * a / 2 * (1 - tanh**2) + 0.3),
                    rtol=1e-10)
