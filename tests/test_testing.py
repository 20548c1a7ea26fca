"""mlkit.testing: check_grads with HIPS autograd's (fun, argnum, modes, order) arguments and
combo_check, on primitives whose rules are wrong on purpose in one argument or one mode."""

import re

import numpy as onp
import pytest

import mlkit
import mlkit.numpy as np
from mlkit.extend import defjvp_argnums, defvjp_argnums, notrace_primitive
from mlkit.testing import (
    check_equivalent,
    check_grads,
    check_jvp,
    check_vjp,
    combo_check,
    make_numerical_jvp,
    scalar_close,
)

X = onp.array([0.5, -1.0, 2.0])
Y = onp.array([1.5, 0.25, -0.75])


@mlkit.primitive
def scaled_product(x, y, scale=1.0):
    return scale * x * y


# Right for x in both modes; the VJP for y forgets the factor x, the JVP for y is right; the
# VJP for x is wrong only when scale == 2.
mlkit.defvjp(scaled_product,
             lambda ans, x, y, scale=1.0: lambda g: g * y * (scale if scale != 2.0 else 1.0),
             lambda ans, x, y, scale=1.0: lambda g: g * scale)
mlkit.defjvp(scaled_product,
             lambda g, ans, x, y, scale=1.0: g * scale * y,
             lambda g, ans, x, y, scale=1.0: g * scale * x)


def test_argnum_defaults_to_the_first_argument_and_selects_the_others():
    check_grads(scaled_product, order=1)(X, Y)
    check_grads(scaled_product, 0, order=1)(X, Y)
    for argnum in (1, (0, 1), None, -1):
        with pytest.raises(AssertionError, match=r"reverse-mode \(VJP\)"):
            check_grads(scaled_product, argnum, order=1)(X, Y)


def test_modes_and_order_follow_argnum_positionally():
    check_grads(scaled_product, 1, ["fwd"], 1)(X, Y)  # the JVP for y is right
    with pytest.raises(AssertionError, match="order 1"):
        check_grads(scaled_product, 1, ["rev"], 1)(X, Y)


def test_a_second_derivative_is_checked_for_the_selected_argument_only():
    check_grads(lambda x, y: np.sum(np.sin(x) * y ** 2), argnum=(0, 1), order=2)(X, Y)


def test_modes_in_argnums_place_get_a_message_saying_where_they_go():
    with pytest.raises(TypeError, match=r"argnum must be .*modes=\("):
        check_grads(np.sin, ("fwd", "rev"))
    with pytest.raises(ValueError, match="unknown modes"):
        check_grads(np.sin, 0, "rev")
    with pytest.raises(TypeError, match="2 arguments, so argnum 2 is out of range"):
        check_grads(scaled_product, 2)(X, Y)


def test_a_real_check_reports_real_numbers():
    with pytest.raises(AssertionError) as caught:
        check_grads(scaled_product, 1, order=1)(X, Y)
    message = str(caught.value)
    assert "j" not in re.sub(r"[a-z]+[a-z]", "", message), message
    assert re.search(r"analytic -?\d+\.\d+, numerical -?\d+\.\d+", message), message


def test_a_complex_argument_is_checked_through_the_real_inner_product():
    with pytest.raises(AssertionError, match=r"analytic -?\d+\.\d+, numerical"):
        check_grads(scaled_product, 1, order=1)(X + 1j * Y, Y - 2j * X)
    check_grads(scaled_product, 0)(X + 1j * Y, Y - 2j * X)


def test_combo_check_runs_every_combination_of_arguments_and_keywords():
    calls = []

    def recorded(x, y, scale=1.0):
        calls.append((round(float(mlkit.extend.getval(x)[0]), 3), scale))
        return scaled_product(x, y, scale=scale)

    combo_check(recorded, 0, ["rev"], 1)([X, 2 * X], [Y], scale=[1.0, 3.0])
    assert set(calls) == {(0.5, 1.0), (0.5, 3.0), (1.0, 1.0), (1.0, 3.0)}
    with pytest.raises(AssertionError):
        combo_check(scaled_product, modes=["rev"], order=1)([X], [Y], scale=[1.0, 2.0])
    with pytest.raises(AssertionError):
        combo_check(scaled_product, 1)([X], [Y])
    combo_check(scaled_product, 1, ["fwd"], 1)([X, Y], [Y, X], scale=[0.5, 2.0])


def test_test_util_is_the_same_checker_under_autograds_module_name():
    import mlkit.test_util
    import mlkit.testing

    for name in mlkit.test_util.__all__:
        assert getattr(mlkit.test_util, name) is getattr(mlkit.testing, name)


def test_single_order_checks_catch_the_wrong_rule_of_their_mode_only():
    # scaled_product's VJP for y is wrong and its JVP for y right.
    of_y = lambda y: scaled_product(X, y)  # noqa: E731
    check_jvp(of_y, Y)
    with pytest.raises(AssertionError, match=r"reverse-mode \(VJP\)"):
        check_vjp(of_y, Y)
    check_vjp(lambda x: scaled_product(x, Y), X)


def test_numerical_jvp_scalar_close_and_check_equivalent():
    jvp = make_numerical_jvp(lambda x: {"a": np.sin(x), "b": [x ** 2]}, X)
    tangent = jvp(Y)
    onp.testing.assert_allclose(tangent["a"], onp.cos(X) * Y, rtol=1e-7)
    onp.testing.assert_allclose(tangent["b"][0], 2 * X * Y, rtol=1e-7)
    assert scalar_close(1.0, 1.0 + 1e-7) and not scalar_close(1.0, 1.001)
    check_equivalent({"a": X, "b": [1.0]}, {"a": X + 1e-9, "b": [1.0]})
    with pytest.raises(AssertionError, match="values differ"):
        check_equivalent(X, X + 1e-3)
    # one number of many off by 1e-3: a projection on a random direction drowns it in the
    # others' sum; comparing every number does not
    many = onp.random.default_rng(1).standard_normal(10_000)
    with pytest.raises(AssertionError, match="values differ"):
        check_equivalent(many, many + onp.eye(10_000)[17] * 1e-3, seed=0)
    with pytest.raises(AssertionError, match="different vector spaces"):
        check_equivalent(X, X.astype(onp.float32))


def test_notrace_primitive_sees_raw_values_and_gives_a_constant():
    seen = []
    record = notrace_primitive(lambda x, scale=1.0: seen.append(type(x)) or scale * x.shape[0])

    def f(x):
        return np.sum(x) * record(x, scale=2.0)

    assert mlkit.grad(f)(X).tolist() == [6.0, 6.0, 6.0]
    assert seen == [onp.ndarray]


def test_messages_name_the_derivative_function_checked_at_higher_orders():
    @mlkit.primitive
    def double(x):
        return 2.0 * x

    @mlkit.primitive
    def almost_identity(x):
        return x

    mlkit.defvjp(double, lambda ans, x: lambda g: 2.0 * almost_identity(g))
    mlkit.defvjp(almost_identity, lambda ans, x: lambda g: 1.001 * g)
    check_grads(double, modes=["rev"], order=1)(1.0)
    with pytest.raises(AssertionError, match=r"\(VJP\) check of vjp_double failed at order 2"):
        check_grads(double, modes=["rev"])(1.0)
    mlkit.defvjp(double, lambda ans, x: lambda g: 2.001 * g)
    with pytest.raises(AssertionError, match=r"\(VJP\) check of double failed at order 1"):
        check_grads(double, modes=["rev"])(1.0)


@mlkit.primitive
def weighted_log(x, w):
    return w * np.log(x)


def _weighted_log_vjp(argnums, ans, args, kwargs):
    x, w = args
    parts = {0: lambda g: g * w / x, 1: lambda g: g * np.log(x)}
    return lambda g: tuple(parts[a](g) for a in argnums)


def _weighted_log_jvp(argnums, tangents, ans, args, kwargs):
    x, w = args
    parts = {0: lambda t: t * w / x, 1: lambda t: t * np.log(x)}
    return sum(parts[a](t) for a, t in zip(argnums, tangents))


defvjp_argnums(weighted_log, _weighted_log_vjp)
defjvp_argnums(weighted_log, _weighted_log_jvp)


def test_all_argument_rules_in_autograds_form_give_exact_derivatives():
    x = onp.array([0.5, 1.5, 2.5])
    w = onp.array([2.0, -1.0, 0.5])
    check_grads(weighted_log, argnum=(0, 1), modes=["fwd", "rev"], order=2)(x, w)
    gx, gw = mlkit.grad(lambda x, w: np.sum(weighted_log(x, w)), argnum=(0, 1))(x, w)
    onp.testing.assert_allclose(gx, w / x)
    onp.testing.assert_allclose(gw, onp.log(x))
