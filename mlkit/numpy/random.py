"""numpy.random, re-exported: random draws are constants to the derivative."""

from numpy.random import *  # noqa: F401,F403
from numpy.random import Generator, default_rng  # noqa: F401
