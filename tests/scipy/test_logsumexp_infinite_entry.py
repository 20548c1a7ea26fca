"""logsumexp with a +inf entry: the value is +inf and the slopes are the limits of the softmax
weights as that entry grows, 1 on it and 0 elsewhere (a tie of +inf entries shares the 1), in
reverse and forward mode, to second order (the limit of diag(w) - w w^T: 0) and under jit;
other slices keep their softmax slopes. Reverse mode gave [nan, 0], forward mode nan."""

import numpy
import pytest
import scipy.special
from numpy.testing import assert_allclose

from mlkit import grad, hessian, jit, make_hvp, make_jvp
from mlkit.scipy import special

INF = numpy.inf


pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("a, weights", [([INF, 1.0], [1.0, 0.0]), ([1.0, INF, -2.0], [0, 1, 0]),
                                        ([INF, INF, 3.0], [0.5, 0.5, 0.0])])
def test_an_infinite_entry_takes_all_the_weight_in_every_mode(a, weights, dtype):
    a = numpy.array(a, dtype)
    f = special.logsumexp
    eye = numpy.eye(len(a), dtype=dtype)
    assert f(a) == INF and f(a).dtype == dtype
    for got in (grad(f)(a), jit(grad(f))(a), [make_jvp(f)(a)(e)[1] for e in eye]):
        assert numpy.asarray(got).dtype == dtype
        assert_allclose(got, weights)
    hvp = make_hvp(f)(a)[0]
    for got in (hessian(f)(a), jit(hessian(f))(a), [hvp(e) for e in eye],
                [make_jvp(grad(f))(a)(e)[1] for e in eye]):
        assert_allclose(got, numpy.zeros((len(a), len(a))))


def test_the_weights_are_the_limit_of_the_softmax():
    for big in (50.0, 500.0):
        near = grad(special.logsumexp)(numpy.array([big, 1.0, -2.0]))
        assert_allclose(near, scipy.special.softmax([big, 1.0, -2.0]), rtol=1e-12)
    assert_allclose(near, grad(special.logsumexp)(numpy.array([INF, 1.0, -2.0])), atol=1e-200)


def test_slices_along_an_axis_and_weights_b():
    a = numpy.array([[INF, 1.0, 0.0], [1.0, 2.0, 3.0], [-INF, -INF, -INF]])
    b = numpy.array([2.0, 1.0, 1.0])
    f = lambda u: special.logsumexp(u, axis=1, b=b)  # noqa: E731
    assert_allclose(f(a), [INF, scipy.special.logsumexp(a[1], b=b), -INF])
    want = numpy.zeros((3, 3))
    weighted = b * numpy.exp(a[1])
    want[0, 0], want[1] = 1.0, weighted / weighted.sum()
    assert_allclose(grad(lambda u: f(u) @ numpy.array([1.0, 1.0, 0.0]))(a), want)
    value, sign = special.logsumexp(a, axis=1, b=b, return_sign=True)
    assert_allclose(sign, [1.0, 1.0, 0.0])
