"""A value type of one's own, made differentiable the way HIPS autograd programs do it: a Box
subclass, and a VSpace that gives its arithmetic as ``_add``, ``_scalar_mul`` and
``_inner_prod``. ``grad`` accepts such values and the gradient comes back as one."""

import math

import numpy
import pytest

from mlkit import defvjp, grad, primitive
from mlkit.autodiff.tracer import Box
from mlkit.autodiff.vspace import VSpace, vspace
from mlkit.testing import check_grads
from mlkit.util import func


class Poly:
    """A polynomial c0 + c1 t + c2 t^2 ..., held as a tuple of coefficients."""

    def __init__(self, coefs):
        self.coefs = tuple(float(c) for c in coefs)

    def __add__(self, other):
        return vspace(self).add(self, other)

    def __mul__(self, a):
        return vspace(self).scalar_mul(self, a)

    @primitive
    def at(self, t):
        return sum(c * t ** k for k, c in enumerate(self.coefs))


class PolyBox(Box):
    at = Poly.at


class PolySpace(VSpace):
    def __init__(self, value):
        self.degree = len(value.coefs) - 1

    def zeros(self):
        return Poly([0.0] * (self.degree + 1))

    def _add(self, p, q):
        return Poly([a + b for a, b in zip(p.coefs, q.coefs)])

    def _scalar_mul(self, p, a):
        return Poly([a * c for c in p.coefs])

    def _inner_prod(self, p, q):
        return sum(a * b for a, b in zip(p.coefs, q.coefs))

    def randn(self):  # no generator: numpy's global state, as HIPS autograd's spaces draw
        return Poly(numpy.random.standard_normal(self.degree + 1))


PolyBox.register(Poly)
PolySpace.register(Poly)
# d p(t) / d p is the polynomial whose coefficients are the powers of t; d p(t) / dt is p'(t).
# ``func(Poly.at)`` names the method's function as programs written for HIPS autograd do.
defvjp(func(Poly.at),
       lambda ans, p, t: lambda g: Poly([g * t ** k for k in range(len(p.coefs))]),
       lambda ans, p, t: lambda g: g * sum(k * c * t ** (k - 1) for k, c in enumerate(p.coefs)
                                           if k))


def misfit(p, ts, ys):
    return sum((p.at(t) - y) ** 2 for t, y in zip(ts, ys))


def test_grad_takes_and_returns_a_value_of_ones_own_type():
    p, ts, ys = Poly([0.5, -1.0, 2.0]), [0.0, 1.0, 2.0], [1.0, 0.0, 3.0]
    g = grad(misfit)(p, ts, ys)
    assert type(g) is Poly
    # by hand: sum over points of 2 (p(t) - y) t^k
    residuals = [p.at(t) - y for t, y in zip(ts, ys)]
    expected = [sum(2 * r * t ** k for r, t in zip(residuals, ts)) for k in range(3)]
    assert g.coefs == pytest.approx(expected)


def test_the_gradient_agrees_with_finite_differences_along_each_coefficient():
    p, ts, ys, eps = Poly([0.3, 0.1, -0.2]), [0.5, 1.5], [1.0, -1.0], 1e-6
    g = grad(misfit)(p, ts, ys)
    for k in range(3):
        step = Poly([eps if i == k else 0.0 for i in range(3)])
        numeric = (misfit(p + step, ts, ys) - misfit(p + step * -1.0, ts, ys)) / (2 * eps)
        assert g.coefs[k] == pytest.approx(numeric, rel=1e-6)


def test_a_space_of_ones_own_does_its_arithmetic_through_its_underscore_methods():
    space = vspace(Poly([1.0, 2.0]))
    p, q = Poly([1.0, 2.0]), Poly([3.0, -1.0])
    assert space.add(p, q).coefs == (4.0, 1.0)
    assert space.scalar_mul(p, 3.0).coefs == (3.0, 6.0)
    assert math.isclose(space.inner_prod(p, q), 1.0)
    assert space.covector(p) is p
    assert space == vspace(q) and space != vspace(Poly([1.0]))
    assert repr(space) == "PolySpace(('degree', 1),)"


def test_an_unreached_value_of_ones_own_type_gets_the_zeros_of_its_space():
    with pytest.warns(UserWarning, match="does not depend"):
        g = grad(lambda p: 2.0)(Poly([1.0, 1.0]))
    assert g.coefs == (0.0, 0.0)


def test_util_func_names_a_method_by_its_function():
    assert func(Poly.at) is Poly.at
    assert grad(lambda t: Poly([1.0, 2.0, 3.0]).at(t))(2.0) == pytest.approx(2.0 + 6.0 * 2.0)


class Coefs(tuple):
    """Coefficients held in a tuple, whose ``+`` concatenates: a sum of gradients must not."""


class CoefsBox(Box):
    pass


class CoefsSpace(VSpace):
    def __init__(self, value):
        self.size = len(value)

    def zeros(self):
        return Coefs([0.0] * self.size)

    def _add(self, p, q):
        return Coefs(a + b for a, b in zip(p, q))

    def _inner_prod(self, p, q):
        return sum(a * b for a, b in zip(p, q))


@primitive
def coefs_at(c, t):
    return sum(a * t ** k for k, a in enumerate(c))


CoefsBox.register(Coefs)
CoefsSpace.register(Coefs)
defvjp(coefs_at, lambda ans, c, t: lambda g: Coefs(g * t ** k for k in range(len(c))))


def test_gradients_of_a_type_of_ones_own_are_summed_by_its_space_not_by_plus():
    """The input reaches the output twice, so its two contributions are summed with the
    space's ``_add`` (elementwise), not the tuple's ``+`` (which would concatenate them)."""
    g = grad(lambda c: coefs_at(c, 1.0) * coefs_at(c, 2.0))(Coefs([1.0, 0.5]))
    # d/dc [p(1) p(2)] = p(2) (1, 1) + p(1) (1, 2), with p(1) = 1.5 and p(2) = 2
    assert type(g) is Coefs and g == pytest.approx((2.0 + 1.5, 2.0 + 3.0))


def test_check_grads_checks_a_rule_for_a_value_type_of_ones_own():
    check_grads(lambda p: p.at(0.7), modes=["rev"], order=1)(Poly([1.0, -2.0, 0.5]))
