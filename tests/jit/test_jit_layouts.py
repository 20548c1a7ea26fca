"""A replay lays out its intermediates as an eager call does, so that a sum over them adds in
the same order: the buffers a program owns are C-ordered, an elementwise result follows its
operands' layout."""

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, jit

FORTRAN = onp.asfortranarray(onp.linspace(-2.0, 2.0, 40 * 36).reshape(40, 36))


def swapped(x):
    return np.sum(np.sin(np.swapaxes(x, 0, -1)) * 3.0)


def of_the_argument(x):  # the caller's array may be a transposed view
    return np.sum(np.sin(x) + 1.0)


def transposed_product(x):  # the seed's ones, dropped, decided the layout a product reads
    t = np.tensordot(x[0], x[1], axes=1)
    return np.sum(np.logaddexp(np.transpose(t), np.linalg.norm(x)))


def spread(x):  # the derivative broadcasts a row back over a Fortran argument's columns
    return np.sum(np.std(x, axis=0, keepdims=True))


def with_a_constant(x):  # a closed-over constant laid out as Fortran
    return np.sum(np.cos(np.reshape(x, (-1,)) + FORTRAN))


@pytest.mark.parametrize("fun, transpose", [(swapped, False), (of_the_argument, True),
                                            (with_a_constant, False),
                                            (transposed_product, True), (spread, True)],
                         ids=["swapaxes", "transposed argument", "fortran constant",
                              "transposed product", "broadcast row"])
def test_a_sum_over_a_transposed_elementwise_result_replays_bit_for_bit(fun, transpose):
    rng = onp.random.default_rng(0)
    jitted, jitted_grad = jit(fun), jit(grad(fun))
    for _ in range(8):
        shape = {with_a_constant: (36, 1), transposed_product: (3, 3, 2),
                 spread: (32, 33)}.get(fun, (30, 1, 36))
        x = rng.standard_normal(shape).astype(
            onp.float32 if fun in (transposed_product, spread) else float)
        if transpose:
            x = x.T
        assert jitted(x) == fun(x)  # bit for bit, as a replay promises
        onp.testing.assert_array_equal(jitted_grad(x), grad(fun)(x))
    assert "out=b" in jitted.listing(x) or fun in (with_a_constant, transposed_product)
