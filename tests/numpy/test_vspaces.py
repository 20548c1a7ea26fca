"""The vector spaces of arrays, scalars and containers, through the public ``vspace``: the
axioms of a real inner-product space, dtypes kept, and the operations differentiable."""

import numpy as onp
import pytest

from mlkit import deriv, elementwise_grad, jacobian, make_vjp
from mlkit.extend import vspace
from mlkit.testing import check_equivalent, check_grads, scalar_close

VALUES = {
    "matrix": onp.zeros((3, 2)),
    "float32": onp.zeros(4, onp.float32),
    "scalar": 0.0,
    "complex": 1j * onp.zeros((2, 1)),
    "list": [1.0, onp.zeros((2, 1))],
    "tuple": (1.0, onp.zeros((2, 1))),
    "nested": {"x": [0.0, onp.zeros((3, 1))], "y": ({"a": 0.0}, [0.0])},
}


@pytest.mark.parametrize("name", VALUES)
def test_a_vspace_is_a_real_inner_product_space(name):
    space = vspace(VALUES[name])
    rng = onp.random.default_rng(0)
    x, y, z = (space.randn(rng) for _ in range(3))
    a, b = rng.standard_normal(2)
    add, mul, inner = space.add, space.scalar_mul, space.inner_prod
    check_equivalent(add(x, add(y, z)), add(add(x, y), z))
    check_equivalent(add(x, y), add(y, x))
    check_equivalent(add(space.zeros(), x), x)
    check_equivalent(space.zeros(), add(x, mul(x, -1.0)))
    check_equivalent(mul(x, a * b), mul(mul(x, a), b))
    check_equivalent(mul(add(x, y), a), add(mul(x, a), mul(y, a)))
    check_equivalent(mul(x, a + b), add(mul(x, a), mul(x, b)))
    assert scalar_close(inner(x, y), inner(y, x))
    assert scalar_close(inner(mul(x, a), y), a * inner(x, y))
    assert inner(x, x) > 0
    basis = list(space.standard_basis())
    assert len(basis) == space.size
    gram = onp.array([[inner(u, v) for v in basis] for u in basis])
    onp.testing.assert_allclose(gram, onp.eye(space.size))
    total = basis[0]
    for u in basis[1:]:
        total = add(total, u)
    check_equivalent(total, space.ones())
    for value in (add(x, y), mul(x, a), space.zeros(), space.ones(), space.randn()):
        assert vspace(value) == space


@pytest.mark.parametrize("name", ["matrix", "scalar", "nested"])
def test_vspace_operations_are_differentiable(name):
    space = vspace(VALUES[name])
    rng = onp.random.default_rng(1)
    x, y = space.randn(rng), space.randn(rng)
    check_grads(space.add, (0, 1))(x, y)
    check_grads(space.scalar_mul, (0, 1))(x, 0.7)
    check_grads(space.inner_prod, (0, 1))(x, y)


def test_scalar_mul_keeps_float32_and_randn_follows_numpys_global_seed():
    space = vspace(onp.zeros(3, onp.float32))
    assert space.scalar_mul(onp.ones(3, onp.float32), onp.float64(0.5)).dtype == onp.float32
    onp.random.seed(3)
    first = space.randn()
    onp.random.seed(3)
    assert first.dtype == onp.float32 and onp.array_equal(first, space.randn())


def test_a_complex_space_has_two_real_dimensions_per_entry():
    # As a real space (and as in HIPS autograd): 1 and 1j in each entry, size 2n, ones 1 + 1j.
    space = vspace(onp.zeros(2, complex))
    assert space.size == 4
    onp.testing.assert_array_equal(list(space.standard_basis()),
                                   [[1, 0], [1j, 0], [0, 1], [0, 1j]])
    onp.testing.assert_array_equal(space.ones(), [1 + 1j, 1 + 1j])
    assert vspace(1.5 + 0j).size == 2 and vspace(1.5 + 0j).ones() == 1 + 1j
    # ndim, as autograd's spaces have it, counts axes, not real dimensions.
    assert space.ndim == 1 and vspace(onp.zeros((2, 3), complex)).ndim == 2
    assert vspace(1.5 + 0j).ndim == 0


def test_pulling_back_each_basis_vector_gives_the_real_and_imaginary_rows():
    # A library builds a complex output's Jacobian from standard_basis and make_vjp: for
    # y = x (1 + 2j) of a real x, the 1 rows hold Re dy/dx = 1 and the 1j rows -Im dy/dx = -2
    # (the pullback of g is Re(g conj(dy/dx)), autograd's convention); numbers as autograd's.
    vjp, ans = make_vjp(lambda x: x * (1 + 2j))(onp.array([0.5, -1.0]))
    rows = [vjp(unit) for unit in vspace(ans).standard_basis()]
    onp.testing.assert_allclose(rows, [[1, 0], [-2, 0], [0, 1], [0, -2]], rtol=1e-15)
    # mlkit's own operators still have one row per entry: a complex Jacobian.
    onp.testing.assert_allclose(jacobian(lambda x: x * (1 + 2j))(onp.array([0.5, -1.0])),
                                (1 + 2j) * onp.eye(2), rtol=1e-15)
    assert elementwise_grad(lambda x: x * (1 + 2j))(onp.array([0.5])) == 1 + 2j
    assert deriv(lambda z: z ** 2)(1 + 1j) == 2 + 2j
