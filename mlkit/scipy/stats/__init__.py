"""scipy.stats distributions with derivatives in every argument where they exist (x, loc,
scale, shape parameters, mean, cov), with scipy's signatures and values.

Each distribution is a namespace of composites of mlkit.numpy and mlkit.scipy.special, so
they differentiate in both modes to any order with no rules of their own: univariate
continuous ones in ``continuous``, ``poisson`` in ``discrete``, the multivariate normal and
the Dirichlet in ``multivariate``.
"""

from mlkit.scipy.stats.continuous import beta, chi2, gamma, norm, t
from mlkit.scipy.stats.discrete import poisson
from mlkit.scipy.stats.multivariate import dirichlet, multivariate_normal

__all__ = ["beta", "chi2", "dirichlet", "gamma", "multivariate_normal", "norm", "poisson", "t"]
