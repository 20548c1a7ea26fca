"""numpy.random, re-exported: random draws are constants to the derivative."""

from numpy.random import *
from numpy.random import Generator, default_rng  # noqa: F401
