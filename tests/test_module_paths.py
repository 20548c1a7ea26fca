"""HIPS autograd's module paths that third-party programs import from, and
``make_jvp_reversemode``: a survival model's confidence band needs J v of a transform of the
fitted parameters, and a rule written for autograd sums its broadcast argument with
``unbroadcast_f`` (a forward rule repeats its broadcast argument's tangent with
``numpy_jvps.broadcast``); copies of autograd's scipy wrappers build primitives with
``numpy_wrapper.wrap_namespace``."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit
import mlkit.numpy as np
from mlkit import differential_operators, grad, jacobian, make_jvp
from mlkit.extend import defjvp, defvjp, primitive
from mlkit.numpy import numpy_jvps
from mlkit.numpy.numpy_boxes import ArrayBox
from mlkit.numpy.numpy_vjps import unbroadcast_f
from mlkit.testing import check_grads


def weibull_survival(params, times):
    """exp(-(t / lambda)^rho): a transform of two fitted parameters over a timeline."""
    lam, rho = params[0], params[1]
    return np.exp(-((times / lam) ** rho))


PARAMS = onp.array([55.7, 3.45])
TIMES = onp.linspace(1.0, 80.0, 7)


def test_make_jvp_reversemode_is_the_jacobian_times_the_vector():
    jvp = differential_operators.make_jvp_reversemode(weibull_survival)(PARAMS, TIMES)
    J = jacobian(weibull_survival)(PARAMS, TIMES)
    for v in onp.eye(2):
        assert_allclose(jvp(v), J @ v, rtol=1e-12, atol=1e-15)
    v = onp.array([0.3, -1.2])
    assert_allclose(jvp(v), make_jvp(weibull_survival)(PARAMS, TIMES)(v)[1], rtol=1e-12)
    step = 1e-6
    fd = (weibull_survival(PARAMS + step * v, TIMES) - weibull_survival(PARAMS - step * v, TIMES))
    assert_allclose(jvp(v), fd / (2 * step), rtol=1e-6, atol=1e-10)


def test_make_jvp_reversemode_takes_argnum_and_differentiates_again():
    def jv(times, params, v):
        return differential_operators.make_jvp_reversemode(weibull_survival, 1)(params, times)(v)

    assert_allclose(jv(TIMES, PARAMS, onp.ones(7)), grad(lambda t: np.sum(
        weibull_survival(PARAMS, t)))(TIMES), rtol=1e-12)
    check_grads(lambda p: np.sum(differential_operators.make_jvp_reversemode(
        weibull_survival)(p, TIMES)(onp.array([1.0, 0.5]))), modes=["rev", "fwd"], order=2)(PARAMS)


def test_differential_operators_holds_the_same_operators():
    for name in differential_operators.__all__:
        assert getattr(differential_operators, name) is getattr(mlkit.operators, name)
    assert differential_operators.grad is mlkit.grad


def test_numpy_boxes_arraybox_is_what_traced_arrays_are():
    seen = []

    def f(x):
        seen.append(isinstance(x, ArrayBox))
        return np.sum(x ** 2)

    grad(f)(onp.ones(3))
    f(onp.ones(3))
    assert seen == [True, False]


def test_type_equal_to_arraybox_takes_a_traced_value_out_of_its_box_on_purpose():
    # The idiom ``if type(w) == ArrayBox: w = w._value`` cuts the derivative through w: d/dx of
    # const(3 x) * x is 3 x, not 6 x, for an array and for a scalar alike.
    def cut(w):
        return w._value if type(w) == ArrayBox else w  # noqa: E721 (the idiom under test)

    assert_allclose(grad(lambda x: np.sum(cut(3.0 * x) * x))(onp.array([1.0, -2.0])),
                    [3.0, -6.0], rtol=1e-15)
    assert grad(lambda s: cut(3.0 * s) * s)(0.5) == pytest.approx(1.5, rel=1e-15)
    seen = []
    grad(lambda x: seen.append(type(x) != ArrayBox) or np.sum(x))(onp.ones(2))  # noqa: E721
    assert seen == [False] and type(onp.ones(2)) != ArrayBox and ArrayBox != 3  # noqa: E721


def test_a_table_keyed_by_arraybox_finds_every_traced_values_class():
    # Libraries keep rules in dicts keyed by box type: the scale 3 found for a traced value
    # makes d/dx (3 x) = 3; missed, the default 0 would give a derivative of 0.
    scales = {ArrayBox: 3.0}

    def scaled(x):
        return scales.get(type(x), 0.0) * x

    assert_allclose(grad(lambda x: np.sum(scaled(x)))(onp.array([1.0, -2.0])), [3.0, 3.0])
    assert grad(scaled)(0.5) == 3.0
    assert grad(lambda x: scaled(x[0]) * x[1])(onp.array([2.0, 5.0]))[0] == 15.0
    assert grad(grad(lambda s: scaled(s) * s))(0.5) == 6.0
    assert grad(lambda s: (type(s) in {ArrayBox}) * s)(0.5) == 1.0
    assert scales.get(onp.ndarray) is None and scales.get(float) is None


@primitive
def scaled_softplus(a, x):
    """a * log(1 + e^x), with its rules written against broadcasting by unbroadcast_f."""
    return a * onp.log1p(onp.exp(x))


defvjp(scaled_softplus,
       lambda ans, a, x: unbroadcast_f(a, lambda g: g * np.log1p(np.exp(x))),
       lambda ans, a, x: unbroadcast_f(x, lambda g: g * a / (1 + np.exp(-x))))


@pytest.mark.parametrize("a_shape", [(), (1,), (3, 1), (3, 4)])
def test_unbroadcast_f_sums_the_cotangent_back_to_the_arguments_shape(a_shape):
    rng = onp.random.default_rng(0)
    a, x = rng.normal(size=a_shape) + 2.0, rng.normal(size=(3, 4))
    ga, gx = grad(lambda a, x: np.sum(scaled_softplus(a, x)), (0, 1))(a, x)
    assert onp.shape(ga) == a_shape and gx.shape == x.shape
    check_grads(scaled_softplus, argnum=(0, 1), modes=["rev"], order=2)(a, x)


@primitive
def shifted_row_sum(x, shift):
    """The sum over rows of ``x + shift``, ``shift`` one value per column; forward rules written
    against autograd's ``broadcast`` for the argument that was broadcast."""
    return onp.sum(x + shift, axis=0)


defjvp(shifted_row_sum,
       lambda t, ans, x, shift: np.sum(t, axis=0),
       lambda t, ans, x, shift: np.sum(numpy_jvps.broadcast(t, x), axis=0))


def test_numpy_jvps_broadcast_repeats_a_tangent_to_the_targets_shape():
    assert_allclose(numpy_jvps.broadcast(onp.array([1.0, 2.0]), onp.zeros((3, 2))),
                    [[1.0, 2.0]] * 3)
    assert_allclose(numpy_jvps.broadcast(onp.array([[4.0], [5.0]]), onp.zeros((2, 3))),
                    [[4.0] * 3, [5.0] * 3])
    into_complex = numpy_jvps.broadcast(1.5, onp.zeros((2, 2), complex))
    assert into_complex.dtype == complex and into_complex.shape == (2, 2)
    x, shift, v = onp.arange(6.0).reshape(3, 2), onp.array([0.5, -1.0]), onp.array([0.2, 0.7])
    _, tangent = make_jvp(shifted_row_sum, 1)(x, shift)(v)
    assert_allclose(tangent, 3 * v)
    _, tangent = make_jvp(lambda s: np.sin(shifted_row_sum(x, s)))(shift)(v)
    step = 1e-6
    fd = (onp.sin(shifted_row_sum(x, shift + step * v))
          - onp.sin(shifted_row_sum(x, shift - step * v))) / (2 * step)
    assert_allclose(tangent, fd, rtol=1e-7)


def test_numpy_wrapper_is_the_namespace_and_wrap_namespace_makes_primitives():
    import scipy.special

    from mlkit.numpy import numpy_wrapper

    assert_allclose(grad(lambda x: numpy_wrapper.sum(numpy_wrapper.tanh(x)))(onp.array([0.3])),
                    [1 - onp.tanh(0.3) ** 2])
    space = {}
    numpy_wrapper.wrap_namespace({"expit": scipy.special.expit, "logistic": scipy.special.expit,
                                  "shape": onp.shape, "HALF": 0.5, "skipped": object()}, space)
    assert space["logistic"] is space["expit"] and space["HALF"] == 0.5
    assert "skipped" not in space
    defvjp(space["expit"], lambda ans, x: lambda g: g * ans * (1 - ans))
    seen = []

    def f(x):
        seen.append(space["shape"](x))
        return np.sum(space["expit"](2 * x))

    x = onp.array([-1.0, 0.0, 2.0])
    s = scipy.special.expit(2 * x)
    assert_allclose(grad(f)(x), 2 * s * (1 - s), rtol=1e-14)
    assert seen == [(3,)]


def test_sequence_box_getval_and_argument_substitution():
    from mlkit.builtins import tuple as traced_tuple
    from mlkit.core import getval
    from mlkit.numpy.numpy_boxes import SequenceBox
    from mlkit.util import subval, subvals

    seen = []

    def f(x):
        pair = traced_tuple([x, x * onp.array([1.0, 3.0])])
        seen.append((isinstance(pair, SequenceBox), type(getval(x))))
        return pair[0] * np.sum(pair[1] ** 2)

    assert grad(f)(2.0) == 3 * 4.0 * 10.0
    assert seen == [(True, float)]
    assert subvals((1, 2, 3), [(0, "a"), (2, "c")]) == ("a", 2, "c")
    assert subval((1, 2), 1, 5) == (1, 5)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_compute_conv_size_is_the_length_convolve_gives(mode):
    from mlkit.scipy.signal import compute_conv_size, convolve

    expected = {"full": 9, "same": 7, "valid": 5}[mode]
    assert compute_conv_size(7, 3, mode) == expected
    assert convolve(onp.ones(7), onp.ones(3), mode=mode).shape == (expected,)
    with pytest.raises(ValueError, match="mode must be one of"):
        compute_conv_size(7, 3, "circular")


@pytest.mark.parametrize("trace_id", [0, None])
def test_backward_pass_of_a_trace_driven_by_hand_gives_the_jacobians_rows(trace_id):
    """As pymoo does: box the input under a root node by hand (trace id 0, or one from
    trace_stack), run the function, and pull each output's unit vector back."""
    from mlkit.core import VJPNode, backward_pass
    from mlkit.tracer import new_box, trace_stack

    def f(x):
        return np.stack([np.sum(x ** 2, axis=1), np.sum(np.sin(x) * x[:, :1], axis=1)], axis=1)

    x = onp.array([[0.3, -1.2, 2.0], [1.5, 0.4, -0.7]])
    with trace_stack.new_trace() as fresh:
        boxed = new_box(x, fresh if trace_id is None else trace_id, VJPNode.new_root())
        out = f(boxed)
    rows = []
    for j in range(2):
        unit = onp.zeros((2, 2))
        unit[:, j] = 1.0
        rows.append(backward_pass(unit, out._node))
    assert_allclose(out._value, f(x))
    step = 1e-6
    for j, row in enumerate(rows):
        for i, k in [(0, 0), (0, 2), (1, 1)]:
            shift = onp.zeros_like(x)
            shift[i, k] = step
            fd = (f(x + shift)[i, j] - f(x - shift)[i, j]) / (2 * step)
            assert_allclose(row[i, k], fd, rtol=1e-7, atol=1e-9)
    assert_allclose(rows[0], 2 * x, rtol=1e-14)


def test_backward_pass_refuses_a_trace_with_two_roots():
    from mlkit.core import VJPNode, backward_pass
    from mlkit.tracer import new_box

    a = new_box(onp.ones(2), 0, VJPNode.new_root())
    b = new_box(onp.ones(2), 0, VJPNode.new_root())
    with pytest.raises(ValueError, match="starts from 2 roots"):
        backward_pass(onp.ones(2), (a * b)._node)


def test_autograds_submodules_are_attributes_of_freshly_imported_packages():
    # A fresh interpreter, so that no earlier import has put the submodules on the package.
    program = (
        "import numpy as onp\n"
        "import mlkit.numpy as npa\n"
        "from mlkit import grad\n"
        "kinds = []\n"
        "def f(x):\n"
        "    kinds.append(isinstance(x, npa.numpy_boxes.ArrayBox))\n"
        "    return npa.sum(npa.numpy_vjps.unbroadcast_f(x, lambda g: g)(x) ** 2)\n"
        "gradient = list(grad(f)(onp.array([1.0, -2.0])))\n"
        "print(gradient, kinds,\n"
        "      npa.numpy_jvps.broadcast(onp.ones(2), onp.zeros((3, 2))).shape,\n"
        "      callable(npa.numpy_wrapper.wrap_namespace), npa.numpy_vspaces.__name__)\n"
        "import mlkit\n"
        "print(mlkit.core.primitive_vjps[npa.sin]((0,), npa.sin(0.5), (0.5,), {})(2.0)[0],\n"
        "      mlkit.tracer.isbox(1.0), mlkit.util.subvals((1, 2), [(0, 5)]),\n"
        "      mlkit.wrap_util.unary_to_nary.__name__,\n"
        "      mlkit.differential_operators.grad is grad)\n")
    environment = dict(os.environ, PYTHONPATH=str(Path(mlkit.__file__).parents[1]))
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         timeout=60, env=environment)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["[np.float64(2.0),", "np.float64(-4.0)]", "[True]",
                                  "(3,", "2)", "True", "mlkit.numpy.numpy_vspaces",
                                  str(2.0 * onp.cos(0.5)), "False", "(5,", "2)",
                                  "unary_to_nary", "True"]
