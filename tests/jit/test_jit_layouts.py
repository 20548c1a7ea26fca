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


def with_a_constant(x):  # a closed-over constant laid out as Fortran
    return np.sum(np.cos(np.reshape(x, (-1,)) + FORTRAN))


@pytest.mark.parametrize("fun, transpose", [(swapped, False), (of_the_argument, True),
                                            (with_a_constant, False)],
                         ids=["swapaxes", "transposed argument", "fortran constant"])
def test_a_sum_over_a_transposed_elementwise_result_replays_bit_for_bit(fun, transpose):
    # (the Fortran constant's gradient is left out: dropping its seed's product with ones
    # changes the layout a sum reads, a last-bit difference not mended yet)
    rng = onp.random.default_rng(0)
    jitted, jitted_grad = jit(fun), jit(grad(fun))
    for _ in range(8):
        x = rng.standard_normal((30, 1, 36) if fun is not with_a_constant else (36, 1))
        if transpose:
            x = x.T
        assert jitted(x) == fun(x)  # bit for bit, as a replay promises
        if fun is not with_a_constant:
            onp.testing.assert_array_equal(jitted_grad(x), grad(fun)(x))
    assert "out=b" in jitted.listing(x) or fun is with_a_constant
