"""The slopes of the logs at -0.0 are their limits from x > 0, the only side they have
(+inf, as sqrt's), not 1 / -0.0 = -inf; their curvature there is -inf either way. In both
modes, under jit, for arrays and in float32."""

import warnings

import numpy as onp
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mlkit.numpy as np
from mlkit import elementwise_grad, grad, jit, make_jvp

# each function at the end of its domain, given with a negative zero where it has one
EDGES = [(np.log, -0.0), (np.log2, -0.0), (np.log10, -0.0), (np.log1p, -1.0), (np.sqrt, -0.0)]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@pytest.mark.parametrize("f, x", EDGES, ids=lambda p: getattr(p, "__name__", str(p)))
def test_slope_at_the_end_of_the_domain_is_the_one_sided_limit(f, x):
    assert grad(f)(x) == onp.inf
    assert make_jvp(f)(x)(1.0)[1] == onp.inf
    assert jit(grad(f))(x) == onp.inf
    assert grad(grad(f))(x) == -onp.inf
    assert make_jvp(grad(f))(x)(1.0)[1] == -onp.inf


@pytest.mark.parametrize("f, x", EDGES, ids=lambda p: getattr(p, "__name__", str(p)))
def test_arrays_in_float32_have_the_same_slopes(f, x):
    a = onp.array([x, -x, x + 2.0], dtype=onp.float32)  # -0.0, 0.0 (or -1, 1) and inside
    got = elementwise_grad(f)(a)
    assert got.dtype == onp.float32
    assert got[0] == onp.inf
    assert_allclose(got[1:], [grad(f)(float(v)) for v in a[1:]], rtol=1e-6)
    assert_array_equal(jit(elementwise_grad(f))(a), got)
