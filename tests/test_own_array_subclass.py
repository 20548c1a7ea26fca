"""An ndarray subclass of one's own, made traceable as HIPS autograd programs do it: a box
factory in ``Box.type_mappings`` that builds ``ArrayBox`` directly, the array spaces put in
``VSpace.mappings``, and the entry points under ``mlkit.core``, ``mlkit.tracer`` and
``mlkit.wrap_util``. A flag on the array says whether it may be differentiated."""

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad, hessian, jacobian
from mlkit.core import VJPNode, VSpace, make_vjp, vspace
from mlkit.numpy.numpy_boxes import ArrayBox
from mlkit.numpy.numpy_vspaces import ArrayVSpace, ComplexArrayVSpace
from mlkit.testing import check_grads
from mlkit.tracer import Box, isbox, new_box, trace_stack
from mlkit.wrap_util import unary_to_nary


class Param(onp.ndarray):
    """An array that carries ``trainable``; only trainable ones may be traced."""

    def __new__(cls, values, trainable=True):
        obj = onp.asarray(values, dtype=float).view(cls)
        obj.trainable = trainable
        return obj

    def __array_finalize__(self, obj):
        self.trainable = getattr(obj, "trainable", True)


def _box_param(x, trace, node):
    if not x.trainable:
        raise TypeError("this Param is not trainable")
    return ArrayBox(x, trace, node)


Box.type_mappings[Param] = _box_param
VSpace.mappings[Param] = lambda x: (ComplexArrayVSpace(x) if onp.iscomplexobj(x)
                                    else ArrayVSpace(x))

P = Param([0.4, -1.3, 0.7])


def energy(p):
    first, rest = p[0], p[1:]
    return np.sum(np.sin(rest) * first) + sum(v ** 2 for v in p) * len(p)


def test_a_directly_built_array_box_indexes_iterates_and_has_a_length():
    seen = []

    def f(p):
        seen.append((type(p).__name__, isinstance(p, ArrayBox), isbox(p)))
        return energy(p)

    g = grad(f)(P)
    assert seen == [("IndexableArrayBox", True, True)]
    x0, x1, x2 = onp.asarray(P)
    expected = [onp.sin(x1) + onp.sin(x2) + 6 * x0, x0 * onp.cos(x1) + 6 * x1,
                x0 * onp.cos(x2) + 6 * x2]
    assert_allclose(g, expected, rtol=1e-12)


def test_derivatives_of_the_subclass_match_finite_differences():
    check_grads(energy, modes=["rev", "fwd"], order=2)(P)
    assert hessian(energy)(P).shape == (3, 3)
    assert_allclose(jacobian(lambda p: p[1:] * p[0])(P), [[-1.3, 0.4, 0], [0.7, 0, 0.4]])


def test_the_box_factory_decides_what_may_be_traced():
    with pytest.raises(TypeError, match="not trainable"):
        grad(energy)(Param([1.0, 2.0], trainable=False))


def test_a_grad_of_ones_own_from_the_one_argument_make_vjp():
    @unary_to_nary
    def grad_and_value(fun, x):
        vjp, ans = make_vjp(fun, x)
        return vjp(vspace(ans).ones()), ans

    g, value = grad_and_value(lambda a, p: a * energy(p), 1)(2.0, P)
    assert_allclose(g, 2.0 * grad(energy)(P), rtol=1e-12)
    assert_allclose(value, 2.0 * energy(P), rtol=1e-12)


def test_a_root_node_boxes_a_tuple_and_outputs_show_their_trace():
    box = new_box((P, 1.0), 7, VJPNode.new_root())
    out = box[0] * 2.0
    assert isbox(out) and out._trace == 7
    assert not isbox(onp.ones(2))


def test_a_trace_of_ones_own_tells_whether_an_output_depends_on_its_input():
    """``trace_stack.new_trace()`` gives a fresh trace id, newer than any running trace, so a
    dependence check (box the input, see whether the output is boxed) works inside grad too."""

    def depends(fun, x):
        with trace_stack.new_trace() as t:
            out = fun(new_box(x, t, VJPNode.new_root()))
            return isbox(out) and out._trace == t

    assert depends(lambda x: np.sin(x) * 2.0, onp.ones(3))
    assert not depends(lambda x: np.ones(3), onp.ones(3))
    seen = []

    def outer(y):
        seen.append((depends(lambda x: x * y, onp.ones(2)), depends(lambda x: y * 2.0, 1.0)))
        return np.sum(y ** 2)

    assert_allclose(grad(outer)(onp.array([1.0, 3.0])), [2.0, 6.0])
    assert seen == [(True, False)]
