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
    bytes,
    default_rng,
    get_bit_generator,
    get_state,
    seed,
    set_bit_generator,
    set_state,
    shuffle,
)

from mlkit.autodiff.tracer import draw
from mlkit.numpy.wrap import nondifferentiable


def _drawn(sample):
    """numpy's ``sample`` as a draw a recording trace makes an input of its program."""

    @functools.wraps(sample)
    def sampled(*args, **kwargs):
        return draw(sample, *args, **kwargs)

    return sampled


# The sampling functions of numpy's global generator.
beta = _drawn(numpy.random.beta)
binomial = _drawn(numpy.random.binomial)
chisquare = _drawn(numpy.random.chisquare)
choice = _drawn(numpy.random.choice)
dirichlet = _drawn(numpy.random.dirichlet)
exponential = _drawn(numpy.random.exponential)
f = _drawn(numpy.random.f)
gamma = _drawn(numpy.random.gamma)
geometric = _drawn(numpy.random.geometric)
gumbel = _drawn(numpy.random.gumbel)
hypergeometric = _drawn(numpy.random.hypergeometric)
laplace = _drawn(numpy.random.laplace)
logistic = _drawn(numpy.random.logistic)
lognormal = _drawn(numpy.random.lognormal)
logseries = _drawn(numpy.random.logseries)
multinomial = _drawn(numpy.random.multinomial)
multivariate_normal = _drawn(numpy.random.multivariate_normal)
negative_binomial = _drawn(numpy.random.negative_binomial)
noncentral_chisquare = _drawn(numpy.random.noncentral_chisquare)
noncentral_f = _drawn(numpy.random.noncentral_f)
normal = _drawn(numpy.random.normal)
pareto = _drawn(numpy.random.pareto)
permutation = _drawn(numpy.random.permutation)
poisson = _drawn(numpy.random.poisson)
power = _drawn(numpy.random.power)
rand = _drawn(numpy.random.rand)
randint = _drawn(numpy.random.randint)
randn = _drawn(numpy.random.randn)
random = _drawn(numpy.random.random)
random_integers = _drawn(numpy.random.random_integers)
random_sample = _drawn(numpy.random.random_sample)
ranf = _drawn(numpy.random.ranf)
rayleigh = _drawn(numpy.random.rayleigh)
sample = _drawn(numpy.random.sample)
standard_cauchy = _drawn(numpy.random.standard_cauchy)
standard_exponential = _drawn(numpy.random.standard_exponential)
standard_gamma = _drawn(numpy.random.standard_gamma)
standard_normal = _drawn(numpy.random.standard_normal)
standard_t = _drawn(numpy.random.standard_t)
triangular = _drawn(numpy.random.triangular)
uniform = _drawn(numpy.random.uniform)
vonmises = _drawn(numpy.random.vonmises)
wald = _drawn(numpy.random.wald)
weibull = _drawn(numpy.random.weibull)
zipf = _drawn(numpy.random.zipf)

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
