"""prod's and cumprod's higher derivatives at an element that is tiny but not zero: the first
derivative is still the quotient ans / x, but every further one is exact, where the
quotient's own derivatives cancelled terms of size ans / x**2 (prod's Hessian was off by
0.125 at 1e-15, cumprod's third derivative by 5.6e14), in every composition of the two modes
to third order, along an axis, with where= and initial=, for nanprod and nancumprod, under
jit, in float32 and for complex x."""

import itertools

import numpy as onp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian, jacobian, jit, make_jvp

TINY = [1e-8, 1e-12, 1e-15]
MODES = ["".join(m) for k in (2, 3) for m in itertools.product("fr", repeat=k)]
E = onp.eye(4)


def along(f, modes, directions):
    """The derivative of the scalar ``f`` along ``directions``, one per letter of ``modes``:
    'f' takes it by forward mode (a JVP), 'r' by reverse mode (a gradient, then a dot)."""
    for mode, d in zip(modes, directions):
        if mode == "f":
            f = (lambda h, d: lambda x: make_jvp(h)(x)(d)[1])(f, d)
        else:
            f = (lambda h, d: lambda x: np.sum(grad(h)(x) * d))(f, d)
    return f


def tiny_vector(eps):
    return onp.array([0.3, eps, 0.7, 1.9])


def weighted_cumprod(x):
    return np.sum(np.cumprod(x))


# Along (e_i, e_j[, e_k]) the derivative of prod is the product of the elements left out (0
# if an index repeats); along ones, the sum over ordered distinct choices of it. For the sum
# of cumprod's outputs, the same summed over the outputs that hold every chosen element.
CASES = {
    np.prod: {"11": lambda eps: 0.0, "10": lambda eps: 1.33, "12": lambda eps: 0.57,
              "111": lambda eps: 0.0, "110": lambda eps: 0.0, "101": lambda eps: 0.0,
              "102": lambda eps: 1.9, "023": lambda eps: eps,
              "ones2": lambda eps: 2 * (2.11 + 2.9 * eps), "ones3": lambda eps: 6 * (2.9 + eps)},
    weighted_cumprod: {"11": lambda eps: 0.0, "10": lambda eps: 3.03, "111": lambda eps: 0.0,
                       "110": lambda eps: 0.0, "102": lambda eps: 2.9,
                       "ones3": lambda eps: 6 + 6 * (2.9 + eps)},
}


def order(name):
    return len(name) - 4 if name.startswith("ones") else len(name)


def directions(name):
    if name.startswith("ones"):
        return [onp.ones(4)] * order(name)
    return [E[int(i)] for i in name]


@pytest.mark.parametrize("eps", TINY)
@pytest.mark.parametrize("modes", MODES)
@pytest.mark.parametrize("f", list(CASES), ids=lambda f: f.__name__)
def test_derivatives_at_a_tiny_element_are_exact_in_every_mode_composition(f, modes, eps):
    for tiny in (eps, 1.1 * eps, 1.7 * eps):  # not only where the roundoff happens to cancel
        for name, want in CASES[f].items():
            if order(name) == len(modes):
                got = along(f, modes, directions(name))(tiny_vector(tiny))
                assert_allclose(got, want(tiny), rtol=1e-14, atol=1e-14 * tiny,
                                err_msg=f"{name} at {tiny}")


@pytest.mark.parametrize("eps", TINY)
@pytest.mark.parametrize("modes", [m for m in MODES if len(m) == 3])
def test_nan_variants_along_an_axis_with_where_and_initial(modes, eps):
    x = onp.array([[0.3, 5.0], [eps, onp.nan], [onp.nan, 0.7], [0.7, eps], [1.9, 1.3]])
    ones = onp.ones_like(x)
    where = onp.array([[True, True]] * 4 + [[True, False]])

    def products(x):  # column 0 multiplies 0.3, eps, 0.7, 1.9; column 1 5.0, 0.7, eps
        return np.sum(np.nanprod(x, axis=0, initial=0.5, where=where) * onp.array([1.0, 2.0]))

    assert_allclose(along(products, modes, [ones] * 3)(x), 14.7 + 3 * eps, rtol=1e-14)

    def cumulative(x):  # along column 0, the outputs holding three and four of its elements
        return np.sum(np.nancumprod(x, axis=0)[:, 0])

    assert_allclose(along(cumulative, modes, [ones] * 3)(x), 23.4 + 6 * eps, rtol=1e-14)


@pytest.mark.parametrize("eps", TINY)
def test_jit_gives_the_eager_derivatives_bit_for_bit(eps):
    x = tiny_vector(eps)
    for f in (np.prod, weighted_cumprod):
        third = jacobian(hessian(f))
        eager = third(x)
        assert eager[1, 0, 2] == (1.9 if f is np.prod else 2.9) and eager[1, 1, 0] == 0.0
        compiled = jit(third)
        for _ in range(2):  # recorded, then replayed
            assert onp.array_equal(compiled(x), eager)


def test_float32_stays_float32_and_exact():
    x = tiny_vector(1e-30).astype(onp.float32)
    h = hessian(np.prod)(x)
    assert h.dtype == onp.float32
    assert h[1, 1] == 0.0 and h[1, 0] == onp.float32(0.7) * onp.float32(1.9)
    t = jacobian(hessian(weighted_cumprod))(x)
    assert t.dtype == onp.float32 and t[1, 1, 0] == 0.0 and t[1, 1, 1] == 0.0
    assert_allclose(t[1, 0, 2], 2.9, rtol=1e-6)


def test_complex_elements_holomorphically():
    z = onp.array([0.3 + 0.5j, 1e-15j, 0.7, 1.9j])
    ones = onp.ones(4, complex)
    third = along(np.prod, "fff", [ones] * 3)(z)
    assert_allclose(third, 6 * z.sum(), rtol=1e-14)
    second = along(lambda z: np.sum(np.cumprod(z)), "ff", [E[1], E[1]])(z)
    assert second == 0


def others_left_out(x, chosen):
    """The product of the elements of x but those at ``chosen`` (0 if an index repeats),
    by multiplying them one by one."""
    if len(set(chosen)) < len(chosen):
        return 0.0
    out = 1.0
    for i, v in enumerate(x):
        out = out if i in chosen else out * v
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.5, 2.0), st.integers(0, 15), st.booleans()),
                min_size=2, max_size=5))
def test_second_and_third_derivatives_are_the_products_of_the_others(elements):
    x = onp.array([m * 10.0 ** -e * (1 if s else -1) for m, e, s in elements])
    n = x.size
    scale = onp.prod(onp.maximum(abs(x), 1))
    want2 = onp.array([[others_left_out(x, (i, j)) for j in range(n)] for i in range(n)])
    want3 = onp.array([[[others_left_out(x, (i, j, k)) for k in range(n)] for j in range(n)]
                       for i in range(n)])
    assert_allclose(hessian(np.prod)(x), want2, rtol=1e-14, atol=1e-15 * scale)
    assert_allclose(jacobian(hessian(np.prod))(x), want3, rtol=1e-14, atol=1e-15 * scale)
    cumulative = [[[sum(others_left_out(x[:m + 1], (i, j, k)) for m in range(max(i, j, k), n))
                    for k in range(n)] for j in range(n)] for i in range(n)]
    assert_allclose(jacobian(hessian(weighted_cumprod))(x), cumulative, rtol=1e-14,
                    atol=1e-15 * n * scale)


@pytest.mark.parametrize("x", [onp.array([1e-160, 1e-160, 1e150, 3.0]),
                               onp.array([1e-20, 1e-20, 3.0, 0.5], onp.float32)],
                         ids=["float64", "float32"])
@pytest.mark.parametrize("modes", [m for m in MODES if len(m) == 2])
def test_second_derivatives_where_products_leave_the_normal_numbers(x, modes):
    """x_0 x_1 is subnormal: a quotient by x of the products would magnify their lost digits
    (prod's and cumprod's second derivatives were off by 1e-5 here), and forward over forward
    overflowed 1 / x_0 x_1 (cumprod's was inf); they are the scans' instead."""
    rtol = 1e-14 if x.dtype == onp.float64 else 1e-6
    atol = 4 * onp.finfo(x.dtype).smallest_subnormal  # what a subnormal answer can hold
    eye = onp.eye(4, dtype=x.dtype)
    for i, j in itertools.product(range(4), repeat=2):
        for f in (np.prod, weighted_cumprod):
            want = (others_left_out(x.astype(float), (i, j)) if f is np.prod else
                    sum(others_left_out(x[:m + 1].astype(float), (i, j))
                        for m in range(max(i, j), 4)))
            got = along(f, modes, [eye[i], eye[j]])(x)
            assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{f.__name__} at {i}, {j}")
