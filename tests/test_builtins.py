"""mlkit.builtins and the operators named after HIPS autograd's: traced tuple/list/dict built
inside a differentiated function, isinstance/type through boxes, tensor_jacobian_product and
multigrad_dict against derivatives worked out by hand."""

import builtins as py

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit
import mlkit.numpy as np
from mlkit import grad, jacobian, make_jvp
from mlkit.builtins import SequenceBox, dict, isinstance, list, tuple, type
from mlkit.testing import check_grads

X = onp.array([0.5, -1.2, 2.0])


def test_the_package_root_has_the_builtins_under_their_names():
    for name in ("tuple", "list", "dict", "isinstance", "type", "tensor_jacobian_product",
                 "multigrad_dict", "builtins"):
        assert name in mlkit.__all__ and hasattr(mlkit, name)
    assert mlkit.tuple is tuple and mlkit.builtins.dict is dict


def test_a_traced_tuple_is_one_box_that_indexes_and_differentiates_slot_by_slot():
    seen = {}

    def f(x):
        t = tuple((np.sin(x), x * x))
        seen["box"] = py.type(t)
        return np.sum(t[0] * t[1])

    assert_allclose(grad(f)(X), np.cos(X) * X**2 + 2 * X * np.sin(X))
    assert seen["box"] is SequenceBox


def test_traced_list_and_dict_slices_and_concatenation():
    def f(x):
        items = list([x, 2.0 * x, x**3])
        named = dict(a=x, b=items[1:])
        joined = (x,) + tuple(named["b"]) + (3.0 * x,)
        return np.sum(named["a"] * joined[1] + joined[2] + joined[3])

    # x * 2x + x^3 + 3x: derivative 4x + 3x^2 + 3
    assert_allclose(grad(f)(X), 4 * X + 3 * X**2 + 3)


def test_isinstance_and_type_answer_for_the_value_under_the_box():
    answers = []

    def f(x):
        t, d, items = tuple((x, x)), dict(k=x), list([x])
        answers.extend([isinstance(t, py.tuple), isinstance(t, tuple), isinstance(d, py.dict),
                        isinstance(items, list), isinstance(t, list), isinstance(x, onp.ndarray),
                        type(x) is onp.ndarray, type(d) is py.dict])
        return np.sum(x)

    grad(f)(X)
    assert answers == [True, True, True, True, False, True, True, True]
    assert py.isinstance((1, 2), tuple) and issubclass(py.tuple, tuple)
    assert not py.isinstance([1], tuple)


def test_without_traced_items_the_builtins_build_plain_containers():
    assert py.type(tuple([1, 2])) is py.tuple and tuple() == ()
    assert list((1,)) == [1] and py.type(list()) is py.list
    assert dict([("a", 1)], b=2) == {"a": 1, "b": 2} and dict() == {}


def test_a_traced_container_output_goes_through_jacobian_and_both_modes():
    def f(x):
        return tuple((np.sin(x), list([x * x])))

    jac = jacobian(f)(X)
    assert_allclose(jac[0], onp.diag(onp.cos(X)))
    assert_allclose(jac[1][0], onp.diag(2 * X))
    _, tangent = make_jvp(f)(X)(onp.ones(3))
    assert_allclose(tangent[1][0], 2 * X)
    check_grads(lambda x: tuple((np.sin(x), dict(s=x * x)))[1]["s"] + f(x)[0])(X)


def test_tensor_jacobian_product_contracts_the_leading_output_axes():
    A = onp.array([[1.0, 2.0, 0.5], [-1.0, 0.3, 2.0]])

    def f(x, y):
        return np.sin(x) * y[:, None]

    y = onp.array([1.5, -2.0])
    full = onp.array([[0.5, 1.0, -1.0], [2.0, 0.0, 0.25]])
    tjp = mlkit.tensor_jacobian_product(f)
    # d/dx_j sum_ij T_ij sin(x_j) y_i = cos(x_j) sum_i T_ij y_i
    assert_allclose(tjp(X, y, full), onp.cos(X) * (full * y[:, None]).sum(0))
    # a vector over the first output axis leaves a Jacobian of the remaining one
    assert_allclose(tjp(X, y, onp.array([1.0, 2.0])),
                    onp.diag(onp.cos(X) * (1.0 * 1.5 - 2.0 * 2.0)))
    assert_allclose(mlkit.tensor_jacobian_product(f, 1)(X, y, full),
                    (full * onp.sin(X)).sum(1))
    assert_allclose(mlkit.tensor_jacobian_product(lambda x: A @ x)(X, onp.array([1.0, -1.0])),
                    A[0] - A[1])


def test_multigrad_dict_names_the_gradient_of_every_argument():
    def f(a, b=2.0, *rest, **named):
        return a * b + sum(rest, 0.0) * named["k"] ** 2

    grads = mlkit.multigrad_dict(f)(1.5, 3.0, 4.0, 5.0, k=2.0)
    assert py.list(grads) == ["a", "b", "rest", "named"]
    assert_allclose([grads["a"], grads["b"], *grads["rest"], grads["named"]["k"]],
                    [3.0, 1.5, 4.0, 4.0, 36.0])
    assert_allclose(mlkit.multigrad_dict(f)(1.5, k=1.0)["b"], 1.5)


@pytest.mark.parametrize("op", [tuple, list])
def test_membership_and_index_read_the_raw_sequence(op):
    def f(x):
        s = op([x, 2.0])
        assert 2.0 in s and s.index(2.0) == 1
        return s[0] * s[1]

    assert_allclose(grad(f)(1.5), 2.0)


def test_a_gradient_of_a_traced_tuple_differentiates_again():
    def outer(x):
        # d/dy (y0 y1) at (x, x) is (x, x); np.array stacks the traced tuple it comes back as
        partials = grad(lambda y: y[0] * y[1])(tuple((x, 2.0 * x)))
        return np.sum(np.sin(np.array(partials)))

    # sin(2x) + sin(x)
    assert_allclose(outer(0.7), onp.sin(1.4) + onp.sin(0.7))
    assert_allclose(grad(outer)(0.7), 2 * onp.cos(1.4) + onp.cos(0.7))
    check_grads(outer, modes=["fwd", "rev"], order=2)(0.7)
    check_grads(grad(outer))(1.3)
