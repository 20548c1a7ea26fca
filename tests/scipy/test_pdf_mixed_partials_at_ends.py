"""At an end of the support, the mixed partials of beta's and gamma's pdf with a shape are one
number in every order: the slope in the density's constant factor (the member itself, which
can be infinite there) meets a zero cotangent with times_partial's care; with a plain product
one reverse order gave nan (0 * inf) where the other gave the limit."""

import warnings

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.scipy.stats as st
from mlkit import grad, jit, make_jvp

LOC, SCALE = 0.5, 2.0


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def mixed(f, args, i, j):
    """d2 f / d args[i] d args[j] in both reverse orders, forward over reverse, and jitted."""
    def along(v):
        return grad(f, i)(*(v if n == j else a for n, a in enumerate(args)))
    return [grad(grad(f, i), j)(*args), grad(grad(f, j), i)(*args),
            make_jvp(along)(args[j])(1.0)[1], jit(grad(grad(f, i), j))(*args)]


def test_beta_pdf_at_the_upper_end():
    # b = 1: pdf = a u**(a-1) / scale**a, u = x - loc = scale at the end
    a = 2.0
    args = (LOC + SCALE, a, 1.0, LOC, SCALE)
    for (i, j), want in {(0, 1): (2 * a - 1) / SCALE**2, (1, 3): -(2 * a - 1) / SCALE**2,
                         (1, 4): -2 * a / SCALE**2}.items():
        assert_allclose(mixed(st.beta.pdf, args, i, j), [want] * 4, rtol=1e-13,
                        err_msg=f"{(i, j)}")


def test_gamma_pdf_at_loc_with_shape_one():
    # a = 1: d/dx pdf = ((a-1) z**(a-2) - z**(a-1)) e**-z / (Gamma(a) scale**2), whose
    # a-slope at z = 0 is z**-1 / scale**2 = +inf; the loc-slope is minus the x-slope
    args = (LOC, 1.0, LOC, SCALE)
    assert mixed(st.gamma.pdf, args, 0, 1) == [onp.inf] * 4
    assert mixed(st.gamma.pdf, args, 1, 2) == [-onp.inf] * 4
