"""Gaussian-process regression: kernel hyperparameters fitted by maximizing the log marginal
likelihood with scipy's conjugate gradients, then the posterior at new inputs."""

import mlkit.numpy as np
import mlkit.numpy.random as npr
from mlkit import value_and_grad
from mlkit.numpy.linalg import solve
from mlkit.scipy.stats import multivariate_normal as mvn


def squared_exponential(kernel_params, x, x_other):
    """exp(log scale) * exp(-|x - x'|^2 / 2) with one log length scale per input dimension."""
    scale = np.exp(kernel_params[0])
    lengths = np.exp(kernel_params[1:])
    gaps = np.expand_dims(x / lengths, 1) - np.expand_dims(x_other / lengths, 0)
    return scale * np.exp(-0.5 * np.sum(gaps**2, axis=2))


def gp_model(kernel, num_kernel_params):
    """``(number of parameters, predict, log_marginal_likelihood)``; the parameters are the
    constant mean, the log noise variance, then the kernel's own."""

    def split(params):
        return params[0], np.exp(params[1]) + 1e-4, params[2:]

    def noisy_covariance(params, x):
        _, noise, kernel_params = split(params)
        return kernel(kernel_params, x, x) + noise * np.eye(len(x))

    def predict(params, x, y, x_new):
        mean, _, kernel_params = split(params)
        cross = kernel(kernel_params, x, x_new)
        weights = solve(noisy_covariance(params, x), cross)
        return (mean + np.dot(weights.T, y - mean),
                kernel(kernel_params, x_new, x_new) - np.dot(weights.T, cross))

    def log_marginal_likelihood(params, x, y):
        mean = split(params)[0]
        return mvn.logpdf(y, mean * np.ones(len(y)), noisy_covariance(params, x))

    return num_kernel_params + 2, predict, log_marginal_likelihood


def toy_data(num_points=20, noise=0.1, seed=0):
    """Noisy cos(x) on two intervals with a gap between them, rescaled to about [-2, 2]."""
    rs = npr.RandomState(seed)
    x = np.concatenate([np.linspace(0, 3, num=num_points // 2),
                        np.linspace(6, 8, num=num_points // 2)])
    y = (np.cos(x) + noise * rs.randn(num_points)) / 2.0
    return ((x - 4.0) / 2.0).reshape(-1, 1), y


def fit(num_points=20, seed=0):
    """Fit the hyperparameters from a small random start; return everything a caller checks."""
    from scipy.optimize import minimize

    num_params, predict, log_marginal_likelihood = gp_model(squared_exponential, 2)
    x, y = toy_data(num_points)

    def objective(params):
        return -log_marginal_likelihood(params, x, y)

    start = 0.1 * npr.RandomState(seed).randn(num_params)
    result = minimize(value_and_grad(objective), start, jac=True, method="CG")
    return {"x": x, "y": y, "start": start, "params": result.x, "objective": objective,
            "predict": predict, "log_marginal_likelihood": log_marginal_likelihood}
