"""numpy.random, name by name: random draws are constants to the derivative, and are
declared so (``coverage(mlkit.numpy.random)`` lists them).

The sampling functions of numpy's global generator go through ``draw``, so that under
``mlkit.jit`` each draw is an input of the program, drawn afresh at every replay (with the same
numbers eager code would draw); the generator classes and state functions are numpy's own.
"""

import functools
import inspect

import numpy.random
from numpy.random import (
    MT19937,
    PCG64,
    PCG64DXSM,
    SFC64,
    BitGenerator,
    Generator,
    Philox,
    RandomState,
    SeedSequence,
    beta,
    binomial,
    bytes,
    chisquare,
    choice,
    default_rng,
    dirichlet,
    exponential,
    f,
    gamma,
    geometric,
    get_bit_generator,
    get_state,
    gumbel,
    hypergeometric,
    laplace,
    logistic,
    lognormal,
    logseries,
    multinomial,
    multivariate_normal,
    negative_binomial,
    noncentral_chisquare,
    noncentral_f,
    normal,
    pareto,
    permutation,
    poisson,
    power,
    rand,
    randint,
    randn,
    random,
    random_integers,
    random_sample,
    ranf,
    rayleigh,
    sample,
    seed,
    set_bit_generator,
    set_state,
    shuffle,
    standard_cauchy,
    standard_exponential,
    standard_gamma,
    standard_normal,
    standard_t,
    triangular,
    uniform,
    vonmises,
    wald,
    weibull,
    zipf,
)

from mlkit.autodiff.tracer import draw
from mlkit.numpy.wrap import nondifferentiable


def _drawn(sample):
    """numpy's ``sample`` as a draw a recording trace makes an input of its program."""

    @functools.wraps(sample)
    def sampled(*args, **kwargs):
        return draw(sample, *args, **kwargs)

    return sampled


_SAMPLING = (
    "beta", "binomial", "chisquare", "choice", "dirichlet", "exponential", "f", "gamma",
    "geometric", "gumbel", "hypergeometric", "laplace", "logistic", "lognormal", "logseries",
    "multinomial", "multivariate_normal", "negative_binomial", "noncentral_chisquare",
    "noncentral_f", "normal", "pareto", "permutation", "poisson", "power", "rand", "randint",
    "randn", "random", "random_integers", "random_sample", "ranf", "rayleigh", "sample",
    "standard_cauchy", "standard_exponential", "standard_gamma", "standard_normal",
    "standard_t", "triangular", "uniform", "vonmises", "wald", "weibull", "zipf",
)
globals().update({name: _drawn(getattr(numpy.random, name)) for name in _SAMPLING})

__all__ = [
    "beta", "binomial", "bytes", "chisquare", "choice", "dirichlet", "exponential", "f", "gamma",
    "geometric", "get_state", "gumbel", "hypergeometric", "laplace", "logistic", "lognormal",
    "logseries", "multinomial", "multivariate_normal", "negative_binomial", "noncentral_chisquare",
    "noncentral_f", "normal", "pareto", "permutation", "poisson", "power", "rand", "randint",
    "randn", "random", "random_integers", "random_sample", "ranf", "rayleigh", "sample", "seed",
    "set_state", "shuffle", "standard_cauchy", "standard_exponential", "standard_gamma",
    "standard_normal", "standard_t", "triangular", "uniform", "vonmises", "wald", "weibull",
    "zipf", "Generator", "RandomState", "SeedSequence", "MT19937", "Philox", "PCG64", "PCG64DXSM",
    "SFC64", "default_rng", "BitGenerator", "get_bit_generator", "set_bit_generator",
]

for _name in __all__:
    _fun = globals()[_name]
    if not inspect.isclass(_fun):
        nondifferentiable(getattr(numpy.random, _name), _fun)  # declared, not wrapped again
