"""scipy.stats distributions with derivatives in every argument where they exist (x, loc,
scale, shape parameters, mean, cov), with scipy's signatures and values.

One module per distribution, as in scipy's and HIPS autograd's namespaces (``from
mlkit.scipy.stats import norm`` and ``import mlkit.scipy.stats.norm as norm`` both work). Each
method is a composite of mlkit.numpy and mlkit.scipy.special, so it differentiates in both
modes to any order with no rules of its own.
"""

from mlkit.scipy.stats import (
    beta,
    chi2,
    dirichlet,
    gamma,
    multivariate_normal,
    norm,
    poisson,
    t,
)

__all__ = ["beta", "chi2", "dirichlet", "gamma", "multivariate_normal", "norm", "poisson", "t"]
