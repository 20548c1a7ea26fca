"""beta.pdf at x = loc with x, a, b, loc and scale traced together: its Hessian is symmetric,
the same in every mode, and each entry the one-sided limit from inside the support.

a = 2: z = (x - loc) / scale is 0 for every scale there, so the infinite slope of z log z in z
meets z's zero scale-slope as 0 (was nan for (a, scale) in reverse order). a = 1: the slope of
alpha z**(alpha-1) in the shape alpha = a - 1 is z**(alpha-1), infinite at z = 0 (was 0 in one
order, +-inf in the other, for (x, a) and (a, loc))."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

from mlkit import grad, hessian, jit, make_hvp, make_jvp
from mlkit.scipy import stats

LOC, SCALE = 0.5, 2.0


pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _pdf(v):
    return stats.beta.pdf(v[0], v[1], v[2], v[3], v[4])


def _limit_from_inside(a, b):
    """The Hessian at x = loc + eps for shrinking eps (loc = 0 there: the density depends on
    x - loc only): entries that keep growing by more than 1 each step, with one sign, tend to
    that infinity; the others to their value at the smallest eps."""
    near, nearer, nearest = (hessian(_pdf)(onp.array([eps, a, b, 0.0, SCALE])) for eps in
                             (1e-8, 1e-12, 1e-16))
    growing = (onp.abs(nearest) > onp.abs(nearer) + 1) & (onp.abs(nearer) > onp.abs(near) + 1)
    return onp.where(growing, onp.sign(nearest) * onp.inf, nearest)


# (a, b, entries not compared): at a = 1, (a, a) and (a, b) add a +inf and a -inf term of
# the density's power family (z**0 log(z)**2 and c' z**0 log z), which stays nan
@pytest.mark.parametrize("a, b, skip", [(2.0, 3.0, []), (2.0, 1.0, []), (2.5, 3.0, []),
                                        (1.0, 3.0, [(1, 1), (1, 2), (2, 1)])])
@pytest.mark.parametrize("dtype", [onp.float64, onp.float32])
def test_hessian_at_loc_is_the_limit_from_inside_in_every_mode(a, b, skip, dtype):
    v = onp.array([LOC, a, b, LOC, SCALE], dtype)
    want = _limit_from_inside(a, b)
    eye = onp.eye(5, dtype=dtype)
    hvp = make_hvp(_pdf)(v)[0]
    got = [hessian(_pdf)(v), jit(hessian(_pdf))(v), onp.array([hvp(e) for e in eye]),
           onp.array([make_jvp(grad(_pdf))(v)(e)[1] for e in eye])]
    keep = onp.ones((5, 5), bool)
    for i, j in skip:
        keep[i, j] = False
    for h in got:
        assert h.dtype == dtype
        assert_allclose(h[keep], want[keep], rtol=1e-5 if dtype == onp.float32 else 1e-6,
                        atol=1e-5)  # z**0.5 log z at z = 1e-16: 4e-7
        assert_allclose(h, h.T, rtol=1e-6)


def test_scale_and_shape_at_loc_with_a_two():
    # a = 2: d/da pdf ~ z log z (1-z)**(b-1) / (B scale), whose scale-slope at z = 0 is 0
    args = (LOC, 2.0, 3.0, LOC, SCALE)
    f = stats.beta.pdf
    assert grad(grad(f, 1), 4)(*args) == 0.0
    assert grad(grad(f, 4), 1)(*args) == 0.0
    assert jit(grad(grad(f, 1), 4))(*args) == 0.0
