"""A Gaussian mixture fitted by maximum likelihood with Newton-CG: the parameters are a dict
of arrays, flattened with flatten_func, and Newton-CG gets exact Hessian-vector products."""

import mlkit.numpy as np
import mlkit.numpy.random as npr
from mlkit import grad, hessian_vector_product
from mlkit.misc.flatten import flatten_func
from mlkit.scipy.special import logsumexp
from mlkit.scipy.stats import multivariate_normal as mvn


def init_params(num_components, dim, scale, seed=0):
    rs = npr.RandomState(seed)
    return {"log weights": scale * rs.randn(num_components),
            "means": scale * rs.randn(num_components, dim),
            "cholesky": np.zeros((num_components, dim, dim)) + np.eye(dim)}


def log_likelihood(params, data):
    """The sum over points of log sum_k w_k N(x; mean_k, L_k^T L_k)."""
    log_weights = params["log weights"] - logsumexp(params["log weights"])
    per_component = [log_weight + mvn.logpdf(data, mean, np.dot(root.T, root))
                     for log_weight, mean, root in
                     zip(log_weights, params["means"], params["cholesky"])]
    return np.sum(logsumexp(np.vstack(per_component), axis=0))


def spiral_arms(num_arms=3, per_arm=30, radial_std=0.3, tangential_std=0.05, rate=0.4, seed=1):
    """Points along ``num_arms`` curved arms around the origin (a pinwheel)."""
    rs = npr.RandomState(seed)
    angles = np.linspace(0, 2 * np.pi, num_arms, endpoint=False)
    noise = rs.randn(num_arms * per_arm, 2) * np.array([radial_std, tangential_std])
    noise[:, 0] += 1.0
    arm = np.repeat(np.arange(num_arms), per_arm)
    turn = angles[arm] + rate * np.exp(noise[:, 0])
    rotations = np.stack([np.cos(turn), -np.sin(turn), np.sin(turn), np.cos(turn)])
    rotations = np.reshape(rotations.T, (-1, 2, 2))
    return 2 * np.einsum("ti,tij->tj", noise, rotations)


def fit(num_components=3, max_iterations=20):
    from scipy.optimize import minimize

    data = spiral_arms()
    start = init_params(num_components, 2, 0.1)

    def objective(params):
        return -log_likelihood(params, data)

    flat_objective, unflatten, flat_start = flatten_func(objective, start)
    result = minimize(flat_objective, flat_start, jac=grad(flat_objective),
                      hessp=hessian_vector_product(flat_objective), method="Newton-CG",
                      options={"maxiter": max_iterations})
    return {"data": data, "start": start, "params": unflatten(result.x),
            "flat_objective": flat_objective, "flat_start": flat_start, "unflatten": unflatten}
