"""``mlkit.core.primitive_vjps``/``primitive_jvps``: the rule registries as HIPS autograd's
tables. A program reads a function's rules there and calls them in autograd's all-argument
form, takes them out for a while and puts them back, or stores a maker of its own."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import deriv, grad, make_jvp
from mlkit.core import primitive_jvps, primitive_vjps
from mlkit.extend import defjvp, defvjp, primitive
from mlkit.testing import check_grads


def test_a_registered_rule_is_called_in_autograds_all_argument_form():
    x, y = onp.array([0.3, -1.2]), onp.array([2.0, 0.5])
    ans = np.multiply(x, y)
    g = onp.array([1.5, -0.25])
    gx, gy = primitive_vjps[np.multiply]((0, 1), ans, (x, y), {})(g)
    assert_allclose(gx, g * y)
    assert_allclose(gy, g * x)
    tangent = primitive_jvps[np.sin]((0,), (onp.array([2.0]),), np.sin(0.4), (0.4,), {})
    assert_allclose(tangent, [2.0 * onp.cos(0.4)])


def test_rules_taken_out_are_missing_until_put_back():
    @primitive
    def triple(x):
        return 3.0 * x

    defvjp(triple, lambda ans, x: lambda g: 3.0 * g)
    defjvp(triple, lambda g, ans, x: 3.0 * g)
    vjps, jvps = primitive_vjps.pop(triple), primitive_jvps.pop(triple)
    assert triple not in primitive_vjps and triple not in primitive_jvps
    with pytest.raises(NotImplementedError, match="reverse-mode"):
        grad(triple)(1.0)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        deriv(triple)(1.0)
    primitive_vjps[triple], primitive_jvps[triple] = vjps, jvps
    assert grad(lambda x: triple(x) ** 2)(2.0) == 36.0
    assert make_jvp(lambda x: triple(x) ** 2)(2.0)(0.5)[1] == 18.0


def test_a_maker_stored_in_autograds_form_serves_both_arguments_and_second_order():
    @primitive
    def weighted(x, w):
        return np.sin(x) * w

    def vjps(argnums, ans, args, kwargs):
        x, w = args
        # a generator, as autograd's own one-argument-at-a-time makers return
        return lambda g: ((g * w * np.cos(x)) if i == 0 else g * np.sin(x) for i in argnums)

    def jvps(argnums, tangents, ans, args, kwargs):
        x, w = args
        return sum(t * w * np.cos(x) if i == 0 else t * np.sin(x)
                   for i, t in zip(argnums, tangents))

    primitive_vjps[weighted] = vjps
    primitive_jvps[weighted] = jvps
    assert_allclose(grad(weighted, 1)(0.7, 2.0), onp.sin(0.7))
    check_grads(weighted, modes=["rev", "fwd"], order=2)(0.7, 2.0)
    assert weighted in set(primitive_vjps) and len(primitive_vjps) > 100


def test_linalg_keeps_autograds_stacked_transpose_and_product():
    a = onp.arange(12.0).reshape(2, 2, 3)
    assert_allclose(np.linalg.T(a), onp.swapaxes(a, -1, -2))
    assert_allclose(np.linalg._dot(np.linalg.T(a), a), onp.einsum("...ji,...jk->...ik", a, a))
    check_grads(lambda x: np.linalg._dot(np.linalg.T(x), x), modes=["rev", "fwd"], order=2)(
        a / 10.0)
