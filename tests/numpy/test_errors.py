"""Bad use fails early with a message that names the culprit and says what to do instead."""

import numpy as onp
import pytest

import mlkit
import mlkit.numpy as np
from mlkit import grad, value_and_grad
from mlkit.extend import getval
from mlkit.scipy.linalg import issymmetric
from mlkit.testing import check_grads

X = onp.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("operator", [grad, value_and_grad])
def test_grad_of_a_non_scalar_output_points_to_elementwise_grad_and_jacobian(operator):
    def double(x):
        return 2.0 * x

    with pytest.raises(TypeError) as caught:
        operator(double)(X)
    message = str(caught.value)
    assert "double" in message and "real scalar" in message
    assert "elementwise_grad" in message and "jacobian" in message


def test_grad_of_a_complex_output_points_to_holomorphic_grad():
    with pytest.raises(TypeError, match="holomorphic_grad"):
        grad(lambda z: z * z)(1.0 + 1.0j)


@pytest.mark.parametrize("args, argnum, where, kind", [
    ((3, 1.0), 0, "argument 0", "int"),
    ((1.0, True), 1, "argument 1", "bool"),
    ((onp.int64(3), 1.0), 0, "argument 0", "int64"),
    (({"w": 1.0, "steps": 4}, 1.0), 0, "argument 0 at steps", "int"),
])
def test_integer_and_boolean_scalars_are_refused_by_name(args, argnum, where, kind):
    def scaled(x, y):
        return 1.0

    with pytest.raises(TypeError) as caught:
        grad(scaled, argnum)(*args)
    message = str(caught.value)
    assert f"scaled with respect to {where}" in message
    assert kind in message and "Pass a float" in message


@pytest.mark.parametrize("call, name", [
    (lambda x: onp.lib.stride_tricks.sliding_window_view(x, 2).sum(),
     "numpy.lib.stride_tricks.sliding_window_view"),
    (lambda x: onp.emath.sqrt(x).sum(), "numpy.lib.scimath.sqrt"),
    (lambda x: onp.multiply.reduceat(x, [0, 1]).sum(), "numpy.multiply.reduceat"),
])
def test_a_numpy_function_without_a_rule_names_itself_and_how_to_add_one(call, name):
    with pytest.raises(TypeError) as caught:
        grad(call)(X)
    message = str(caught.value)
    assert message.startswith(f"{name} was called on a traced value")
    assert "mlkit.primitive" in message and "mlkit.defvjp" in message


def test_writing_into_a_traced_array_suggests_at_set():
    def overwrite(x):
        x[0] = 1.0
        return np.sum(x)

    with pytest.raises(TypeError, match=r"x\[index\] = value on a traced array.*x\.at\[index\]"):
        grad(overwrite)(X)


def test_writing_a_traced_value_into_a_numpy_array_suggests_at_set():
    def copy_into(x):
        buffer = onp.zeros(3)
        buffer[:] = x
        return np.sum(buffer)

    with pytest.raises(TypeError, match=r"cannot become a plain numpy array.*x\.at\[index\]\.set"):
        grad(copy_into)(X)


def test_a_plain_arrays_dot_method_on_a_traced_argument_points_to_np_dot():
    # numpy's ndarray.dot converts its argument to a plain array, which a traced one cannot
    # become (HIPS autograd's tutorial too says to write np.dot(A, B) instead of A.dot(B)).
    a = onp.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match=r"A\.dot\(x\).*np\.dot\(A, x\) or A @ x"):
        grad(lambda x: np.sum(a.dot(x)))(onp.array([0.3, 0.7]))
    assert onp.allclose(grad(lambda x: np.sum(np.dot(a, x)))(onp.array([0.3, 0.7])), [4, 6])


def test_converting_a_traced_value_to_a_python_number_says_why_not():
    with pytest.raises(TypeError, match=r"float\(\) of a traced value.*getval\(x\)"):
        grad(lambda x: float(x) * 2.0)(1.5)
    # item() and tolist() would give constants, and a silently zero derivative through them.
    for drop in (lambda x: x[0].item() ** 2, lambda x: sum(x.tolist())):
        with pytest.raises(TypeError, match=r"x\.(item|tolist)\(\) of a traced floating"):
            grad(lambda x: drop(x) + np.sum(x))(X)
    # An explicit constant, integers and jit's recording are fine.
    assert grad(lambda x: getval(x)[0].item() * x[0])(X)[0] == X[0]
    assert grad(lambda x: x[0] * (x > 0).astype(int).sum().item())(X)[0] == onp.sum(X > 0)
    assert mlkit.jit(lambda x: x * x.sum().item())(X)[0] == X[0] * X.sum()


def test_numpy_out_argument_on_a_traced_value_is_refused():
    with pytest.raises(TypeError, match=r"out=.*x\.at\[index\]"):
        grad(lambda x: onp.exp(x, out=onp.zeros(3)).sum())(X)


@pytest.mark.parametrize("call", [
    lambda out: np.var(X, 0, None, out), lambda out: np.nansum(X, out=out),
    lambda out: np.quantile(X, 0.5, out=out), lambda out: np.take(X, [0], out=out),
    lambda out: np.choose([0, 1], (X[:2], X[1:]), out=out), lambda out: np.nanmax(X, 0, out),
])
def test_mlkit_functions_refuse_out_rather_than_ignore_it(call):
    with pytest.raises(TypeError, match=r"out=.*returned array"):
        call(onp.zeros(()))


def test_a_value_that_cannot_be_traced_is_named():
    with pytest.raises(TypeError, match="argument 0: it is str"):
        grad(lambda s: 1.0)("text")


def test_check_grads_catches_a_wrong_custom_primitive_and_names_mode_order_and_error():
    @mlkit.primitive
    def cube(x):
        return x ** 3

    # Wrong on purpose: the derivative of x^3 is 3x^2, not 2x^2.
    mlkit.defvjp(cube, lambda ans, x: lambda g: g * 2 * x ** 2)
    mlkit.defjvp(cube, lambda g, ans, x: g * 3 * x ** 2)

    with pytest.raises(AssertionError) as caught:
        check_grads(cube, modes=("rev",), order=1)(X)
    message = str(caught.value)
    assert "reverse-mode (VJP)" in message and "cube" in message
    assert "order 1" in message and "largest error" in message
    check_grads(cube, modes=("fwd",), order=1)(X)  # its JVP is right


def test_check_grads_catches_a_wrong_second_derivative():
    @mlkit.primitive
    def softplus(x):
        return onp.log1p(onp.exp(x))

    # Right to first order, but written with raw numpy: the derivative is not traced, so the
    # second derivative comes out as zero.
    mlkit.defvjp(softplus, lambda ans, x: lambda g: g / (1 + onp.exp(-mlkit.extend.getval(x))))
    mlkit.defjvp(softplus, lambda g, ans, x: g / (1 + onp.exp(-mlkit.extend.getval(x))))
    check_grads(softplus, order=1)(X)
    with pytest.raises(AssertionError, match=r"forward-mode \(JVP\).*order 2"):
        check_grads(softplus, order=2)(X)


def test_check_grads_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="unknown modes"):
        check_grads(np.sin, modes=("backward",))


def test_forward_mode_of_a_boolean_output_names_the_output_not_an_input():
    with pytest.warns(UserWarning, match="does not depend"), \
            pytest.raises(TypeError, match="output of issymmetric is a bool, which has no tangent"):
        mlkit.make_jvp(issymmetric)(onp.eye(3))(onp.eye(3))


def test_lstsq_of_a_complex_matrix_is_refused_under_its_own_name():
    a = onp.ones((4, 2)) + 1j * onp.arange(8.0).reshape(4, 2)
    with pytest.raises(NotImplementedError, match="np.linalg.lstsq for real matrices only"):
        mlkit.make_jvp(lambda a: np.linalg.lstsq(a, onp.ones(4))[0])(a)(a)
