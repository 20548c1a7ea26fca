"""Parametric survival regression written the way survival libraries write it for HIPS
autograd: parameters as a dict of arrays inside the traced function, the log-likelihood of
right-censored data minimized by scipy with ``value_and_grad``, standard errors from the
inverse ``hessian``, a delta-method band from ``make_jvp_reversemode``, a primitive whose VJP
in one argument is a central difference, an elastic-net penalty differentiated twice with
``elementwise_grad``, and a cumulative hazard built up with ``*=``."""

import numpy as onp
import scipy.optimize
import scipy.special

import mlkit.numpy as np
from mlkit import elementwise_grad, hessian, value_and_grad
from mlkit.differential_operators import make_jvp_reversemode
from mlkit.extend import defvjp, primitive
from mlkit.numpy.numpy_vjps import unbroadcast_f

NAMES = ("lambda_", "rho_")


def unflatten(vector, sizes):
    """The flat optimizer vector as a dict of named parameter arrays (traced or not)."""
    out, start = {}, 0
    for name, size in zip(NAMES, sizes):
        out[name] = vector[start:start + size]
        start += size
    return out


def cumulative_hazard(params, t, xs):
    """Weibull AFT: H(t) = (t / exp(X b))^exp(c), built up by in-place multiplication."""
    shape = np.exp(params["rho_"][0])
    hazard = np.exp(shape * np.log(t))
    hazard *= np.exp(-shape * np.dot(xs, params["lambda_"]))
    return hazard


def neg_log_likelihood(vector, sizes, t, e, xs):
    """Mean negative log-likelihood of right-censored times (e = 1 for an observed event)."""
    params = unflatten(vector, sizes)
    log_hazard = np.log(elementwise_grad(cumulative_hazard, 1)(params, t, xs))
    return -np.mean(e * log_hazard - cumulative_hazard(params, t, xs))


def fit(t, e, xs):
    """MLE by BFGS on ``value_and_grad``; the variance is the inverse observed information."""
    sizes = (xs.shape[1], 1)
    start = onp.zeros(sum(sizes))
    result = scipy.optimize.minimize(value_and_grad(neg_log_likelihood), start, jac=True,
                                     method="BFGS", args=(sizes, t, e, xs),
                                     options={"gtol": 1e-10})
    information = hessian(neg_log_likelihood)(result.x, sizes, t, e, xs) * len(t)
    return result.x, onp.linalg.inv(information), sizes


def survival_band_variance(vector, variance, sizes, times, x_row):
    """Delta-method variance of S(t | x_row) over ``times``: J Var J^T, J by reverse-mode JVPs."""

    def survival(vector, times):
        return np.exp(-cumulative_hazard(unflatten(vector, sizes), times, x_row[None, :]))

    jvp = make_jvp_reversemode(survival)(vector, times)
    jac = onp.stack([jvp(basis) for basis in onp.eye(len(vector))], axis=1)
    return onp.einsum("ti,ij,tj->t", jac, variance, jac), jac


@primitive
def gammaincc(a, x):
    """Regularized upper incomplete gamma Q(a, x), from scipy."""
    return scipy.special.gammaincc(a, x)


def _central_difference_in_a(ans, a, x):
    step = np.maximum(np.abs(a) * 1e-5, 1e-7)
    return unbroadcast_f(a, lambda g: g * (gammaincc(a + step, x) - gammaincc(a - step, x))
                         / (2 * step))


defvjp(gammaincc, _central_difference_in_a,
       lambda ans, a, x: unbroadcast_f(x, lambda g: -g * np.exp(
           (a - 1) * np.log(x) - x - gammaln(a))))


def gamma_neg_log_likelihood(log_params, t, e):
    """Gamma(shape k, scale s) survival with right censoring: events by density, censored
    times by Q(k, t / s)."""
    k, s = np.exp(log_params[0]), np.exp(log_params[1])
    z = t / s
    log_density = (k - 1) * np.log(z) - z - np.log(s) - gammaln(k)
    return -np.sum(e * log_density + (1 - e) * np.log(gammaincc(k, z)))


def gammaln(k):
    """log Gamma(k) with its derivative digamma(k) (a composite the rules above can use)."""
    return _gammaln(k)


@primitive
def _gammaln(k):
    return scipy.special.gammaln(k)


@primitive
def _digamma(k):
    return scipy.special.digamma(k)


defvjp(_gammaln, lambda ans, k: lambda g: g * _digamma(k))
defvjp(_digamma, lambda ans, k: lambda g: g * scipy.special.polygamma(1, k))


def elastic_net(penalizer, l1_ratio, n):
    """The smoothed elastic-net penalty and its first two elementwise derivatives."""

    def soft_abs(beta, a):
        return (np.logaddexp(0, -a * beta) + np.logaddexp(0, a * beta)) / a

    def penalty(beta, a):
        return n * (penalizer * (l1_ratio * soft_abs(beta, a)
                                 + 0.5 * (1 - l1_ratio) * beta ** 2)).sum()

    first = elementwise_grad(penalty)
    return penalty, first, elementwise_grad(first)
