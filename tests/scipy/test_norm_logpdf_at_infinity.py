"""norm.logpdf at x = +-inf with x, loc and scale traced together: its second derivatives
are their limits, those of -z**2 / 2 - log scale with z = (x - loc) / scale:
-1/scale**2 in x and loc (+1/scale**2 mixed), 2 z / scale**2 = +-inf for (x, scale),
-2 z / scale**2 for (loc, scale) and 1/scale**2 - 3 z**2 / scale**2 = -inf in scale.

The gradient's infinite entries met the zero cotangents of the other rows as 0 * inf = nan."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

from mlkit import grad, hessian, jit, make_hvp, make_jvp
from mlkit.scipy import stats

INF, LOC, SCALE = onp.inf, 0.5, 2.0


pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _logpdf(v):
    return stats.norm.logpdf(v[0], v[1], v[2])


def _limits(sign):
    c = 1 / SCALE**2
    return onp.array([[-c, c, sign * INF], [c, -c, -sign * INF],
                      [sign * INF, -sign * INF, -INF]])


@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_hessian_at_infinity_is_the_limit_in_every_mode(sign, dtype):
    v = onp.array([sign * INF, LOC, SCALE], dtype)
    want = _limits(sign)
    hvp = make_hvp(_logpdf)(v)[0]
    forward_over_reverse = [make_jvp(grad(_logpdf))(v)(e)[1] for e in onp.eye(3, dtype=dtype)]
    for got in (hessian(_logpdf)(v), jit(hessian(_logpdf))(v), onp.array(forward_over_reverse),
                onp.array([hvp(e) for e in onp.eye(3, dtype=dtype)])):
        assert got.dtype == dtype
        assert_allclose(got, want, rtol=1e-6)
    assert_allclose(grad(_logpdf)(v), [-sign * INF, sign * INF, INF])


def test_near_infinity_the_hessian_heads_for_those_limits():
    x = 1e150  # finite: the closed forms, whose growing entries the limits continue
    z = (x - LOC) / SCALE
    c = 1 / SCALE**2
    want = [[-c, c, 2 * z * c], [c, -c, -2 * z * c], [2 * z * c, -2 * z * c, c - 3 * z * z * c]]
    assert_allclose(hessian(_logpdf)(onp.array([x, LOC, SCALE])), want, rtol=1e-12)
