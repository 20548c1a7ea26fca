"""The powers behind the gamma and beta densities (the slopes of the incomplete gamma and beta
functions, the gamma, beta, chi2 and Poisson pdfs), with derivatives that stay right at the
ends of the support, where a density is 0, finite or infinite.

Formed in logs, x^(a-1) = exp((a-1) log x) gives its slope as 0 * inf at x = 0. Here each
density is a member of a family closed under differentiation,
    x^alpha (log x)^j (1-x)^beta (log(1-x))^k e^c     and     x^alpha (log x)^j e^(c-x),
each member a primitive whose partials are other members: d/dalpha raises j, d/dc keeps the
member, and d/dx lowers alpha, (x^alpha)' = alpha x^(alpha-1). So the second slope of
gammainc(2, x) at 0 is x^0 e^0 / Gamma(2) = 1, not nan; a factor alpha that is 0 takes an
infinite x^(alpha-1) to 0 (times_coefficient), since that term is absent.
"""

import functools

import numpy
import scipy.special

from mlkit.numpy.rules.unbounded import times_coefficient, unbounded
from mlkit.scipy.ufuncs import wrap_ufunc

__all__ = ["beta_power", "gamma_power"]


def _times_logs(scale, logs):
    """``scale`` times each log(x) to its power (``logs``: pairs of a power and a function
    giving the log), 0 where ``scale`` is 0 and the log infinite: x^alpha (log x)^j is 0 at
    x = 0 for alpha > 0, whatever j."""
    out = scale
    for power, log in logs:
        if power:
            log = log()
            out = numpy.where((scale == 0) & numpy.isinf(log), 0, out * log ** power)
    return out


def _beta_raw(j, k):
    def beta_power_raw(alpha, beta, x, c):
        with numpy.errstate(all="ignore"):
            scale = numpy.exp(scipy.special.xlogy(alpha, x) + scipy.special.xlog1py(beta, -x) + c)
            return _times_logs(scale, ((j, lambda: numpy.log(x)), (k, lambda: numpy.log1p(-x))))
    return beta_power_raw


def _gamma_raw(j):
    def gamma_power_raw(alpha, x, c):
        with numpy.errstate(all="ignore"):
            scale = numpy.exp(scipy.special.xlogy(alpha, x) - x + c)
            # e^-x outruns every x^alpha (log x)^j: 0 at x = inf, not exp(inf - inf) = nan
            scale = numpy.where(numpy.isposinf(x), 0, scale)
            return _times_logs(scale, ((j, lambda: numpy.log(x)),))
    return gamma_power_raw


@functools.cache
def beta_power(j, k):
    """x^alpha (log x)^j (1-x)^beta (log(1-x))^k e^c, a primitive of (alpha, beta, x, c)."""

    def d_x(ans, alpha, beta, x, c):
        out = (times_coefficient(alpha, beta_power(j, k)(alpha - 1, beta, x, c))
               - times_coefficient(beta, beta_power(j, k)(alpha, beta - 1, x, c)))
        if j:
            out = out + j * beta_power(j - 1, k)(alpha - 1, beta, x, c)
        if k:
            out = out - k * beta_power(j, k - 1)(alpha, beta - 1, x, c)
        return out

    return wrap_ufunc(
        _beta_raw(j, k), f"beta_power({j}, {k})",
        unbounded(lambda ans, alpha, beta, x, c: beta_power(j + 1, k)(alpha, beta, x, c)),
        unbounded(lambda ans, alpha, beta, x, c: beta_power(j, k + 1)(alpha, beta, x, c)),
        unbounded(d_x), unbounded(lambda ans, alpha, beta, x, c: ans))


@functools.cache
def gamma_power(j):
    """x^alpha (log x)^j e^(c - x), a primitive of (alpha, x, c)."""

    def d_x(ans, alpha, x, c):
        out = times_coefficient(alpha, gamma_power(j)(alpha - 1, x, c)) - ans
        if j:
            out = out + j * gamma_power(j - 1)(alpha - 1, x, c)
        return out

    return wrap_ufunc(_gamma_raw(j), f"gamma_power({j})",
                      unbounded(lambda ans, alpha, x, c: gamma_power(j + 1)(alpha, x, c)),
                      unbounded(d_x), unbounded(lambda ans, alpha, x, c: ans))
