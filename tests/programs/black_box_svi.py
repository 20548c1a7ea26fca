"""Black-box variational inference: a diagonal Gaussian fitted to an unnormalized 2-D density
by stochastic gradients of the reparameterized evidence lower bound, with Adam."""

import mlkit.numpy as np
import mlkit.numpy.random as npr
from mlkit import grad
from mlkit.misc.optimizers import adam
from mlkit.scipy.stats import norm


def variational_inference(log_density, dim, num_samples):
    """``(objective, gradient, split)`` for the negative lower bound of ``log_density``.

    The draws at iteration ``t`` come from a generator seeded with ``t``, so the objective is
    a deterministic function of ``(params, t)``.
    """

    def split(params):
        return params[:dim], params[dim:]

    def entropy(log_std):
        return 0.5 * dim * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)

    def objective(params, t):
        mean, log_std = split(params)
        noise = npr.RandomState(t).randn(num_samples, dim)
        samples = mean + noise * np.exp(log_std)
        return -(entropy(log_std) + np.mean(log_density(samples, t)))

    return objective, grad(objective), split


def funnel(z, t):
    """Neal's funnel: log sigma ~ N(0, 1.35), mu ~ N(0, sigma); normalized, so log Z = 0."""
    mu, log_sigma = z[:, 0], z[:, 1]
    return norm.logpdf(log_sigma, 0, 1.35) + norm.logpdf(mu, 0, np.exp(log_sigma))


def fit(num_samples=200, num_iters=300, step_size=0.1):
    objective, gradient, split = variational_inference(funnel, 2, num_samples)
    start = np.concatenate([-np.ones(2), -5 * np.ones(2)])
    bounds = []

    def callback(params, t, g):
        bounds.append(-objective(params, t))

    params = adam(gradient, start, callback=callback, num_iters=num_iters, step_size=step_size)
    return {"objective": objective, "start": start, "params": params, "bounds": bounds,
            "split": split}
