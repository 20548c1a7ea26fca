"""mlkit's own operators at complex inputs inside containers and at second order, where the
complex vector space (two real dimensions per entry) meets their one-unit-per-entry seeds."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit
import mlkit.numpy as np
from mlkit.core import vspace

Z = onp.array([1 + 2j, -0.5 + 0.25j])
X = onp.array([0.3, -1.5])


def cubic(z):
    """x^3 + x y^2 summed, with z = x + iy."""
    return np.sum(np.abs(z) ** 2 * np.real(z))


def test_hvp_of_a_real_function_of_z_applies_the_real_hessian_to_re_and_im():
    # Hessian in (x, y): [[6x, 2y], [2y, 2x]] per entry; the result is H_x - i H_y (grad's
    # convention df/dx - i df/dy), as HIPS autograd gives it.
    v = onp.array([0.5 - 1j, 2 + 0j])
    x, y, vx, vy = Z.real, Z.imag, v.real, v.imag
    expected = (6 * x * vx + 2 * y * vy) - 1j * (2 * y * vx + 2 * x * vy)
    assert_allclose(expected, [-1, -6 - 1j])
    assert_allclose(mlkit.make_hvp(cubic)(Z)[0](v), expected, rtol=1e-14)
    assert_allclose(mlkit.hessian_tensor_product(cubic)(Z, v), expected, rtol=1e-14)
    hvp = mlkit.jit(lambda z, v: mlkit.make_hvp(cubic)(z)[0](v))
    hvp(Z, v)
    assert_allclose(hvp(Z, v), expected, rtol=1e-14)


def test_jacobian_over_a_dict_with_complex_and_real_leaves_has_one_column_per_entry():
    def f(d):
        return d["z"] ** 2 * d["x"], np.sum(d["x"] ** 2)

    value = {"z": Z, "x": X}
    (d_zz, d_zx), (d_sz, d_sx) = [(block["z"], block["x"]) for block in mlkit.jacobian(f)(value)]
    assert d_zz.shape == d_zx.shape == (2, 2) and d_sz.shape == d_sx.shape == (2,)
    assert_allclose(d_zz, onp.diag(2 * Z * X))
    assert_allclose(d_zx, onp.diag(Z ** 2))
    assert_allclose(d_sz, 0) and assert_allclose(d_sx, 2 * X)
    assert d_sx.dtype == onp.float64
    compiled = mlkit.jit(mlkit.jacobian(f))
    compiled(value)
    assert_allclose(compiled(value)[0]["z"], d_zz)


def test_deriv_and_elementwise_grad_over_a_tuple_with_a_complex_leaf():
    assert_allclose(mlkit.deriv(lambda t: t[0] * t[1])((Z, X)), X + Z)  # d/dz + d/dx, unit each
    d_z, d_x = mlkit.elementwise_grad(lambda t: t[0] ** 2 * t[1])((Z, X))
    assert_allclose(d_z, 2 * Z * X) and assert_allclose(d_x, Z ** 2)


def test_a_containers_space_counts_two_dimensions_per_complex_entry():
    space = vspace({"z": Z, "b": (0.5, 1j)})
    assert space.size == 7 and len(list(space.standard_basis())) == 7
    ones = space.ones()
    assert_allclose(ones["z"], [1 + 1j, 1 + 1j]) and ones["b"] == (1.0, 1 + 1j)


def test_grad_of_a_size_one_real_output_of_complex_input_and_a_complex_one_refused():
    assert_allclose(mlkit.grad(lambda z: np.abs(z[:1]) ** 2)(Z), [2 * onp.conj(Z[0]), 0])
    with pytest.raises(TypeError, match="complex scalar"):
        mlkit.grad(lambda z: z[:1] ** 2)(Z)


def test_jit_of_a_jacobian_with_a_tuple_output_replays_with_new_values():
    # Under jit the returned tuple is one recorded value; its blocks were refused with
    # "'ContainerVSpace' object has no attribute 'shape'".
    def f(x):
        return x * x, np.sum(x ** 3)

    compiled = mlkit.jit(mlkit.jacobian(f))
    compiled(X)
    d_square, d_cubes = compiled(2 * X)
    assert_allclose(d_square, onp.diag([1.2, -6.0])) and assert_allclose(d_cubes, [1.08, 27.0])
