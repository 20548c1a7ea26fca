"""mlkit.misc.optimizers: sgd, rmsprop and adam step by the published formulas (checked by hand
on two steps), walk any tree, call back with (x, i, g), converge, and can be differentiated."""

import inspect

import numpy as onp
import pytest
from numpy.testing import assert_allclose

import mlkit.numpy as np
from mlkit import grad
from mlkit.misc.optimizers import adam, rmsprop, sgd, unflatten_optimizer
from mlkit.testing import check_grads

X0 = {"w": onp.array([1.0, -2.0]), "b": (0.5,)}


def half_square_grad(x, i):
    """The gradient of 0.5 |x|^2: x itself."""
    return {"w": x["w"], "b": (x["b"][0],)}


def leaves(tree):
    return onp.concatenate([tree["b"][0] * onp.ones(1), tree["w"]])


def test_signatures_and_defaults_are_the_published_ones():
    assert str(inspect.signature(sgd)) == (
        "(grad, x, callback=None, num_iters=200, step_size=0.1, mass=0.9)")
    assert str(inspect.signature(rmsprop)) == (
        "(grad, x, callback=None, num_iters=100, step_size=0.1, gamma=0.9, eps=1e-08)")
    assert str(inspect.signature(adam)) == ("(grad, x, callback=None, num_iters=100, "
                                            "step_size=0.001, b1=0.9, b2=0.999, eps=1e-08)")


def test_sgd_two_steps_by_hand():
    x = leaves(X0)
    v1 = -0.1 * x
    x1 = x + 0.1 * v1
    v2 = 0.9 * v1 - 0.1 * x1
    out = sgd(half_square_grad, X0, num_iters=2)
    assert_allclose(leaves(out), x1 + 0.1 * v2)
    assert isinstance(out["b"], tuple)


def test_rmsprop_two_steps_by_hand():
    x = leaves(X0)
    s1 = 0.9 + 0.1 * x**2
    x1 = x - 0.1 * x / (onp.sqrt(s1) + 1e-8)
    s2 = 0.9 * s1 + 0.1 * x1**2
    assert_allclose(leaves(rmsprop(half_square_grad, X0, num_iters=2)),
                    x1 - 0.1 * x1 / (onp.sqrt(s2) + 1e-8))


def test_adam_two_steps_by_hand():
    x = leaves(X0)
    m1, v1 = 0.1 * x, 0.001 * x**2
    x1 = x - 0.01 * (m1 / 0.1) / (onp.sqrt(v1 / 0.001) + 1e-8)
    m2, v2 = 0.9 * m1 + 0.1 * x1, 0.999 * v1 + 0.001 * x1**2
    x2 = x1 - 0.01 * (m2 / (1 - 0.9**2)) / (onp.sqrt(v2 / (1 - 0.999**2)) + 1e-8)
    assert_allclose(leaves(adam(half_square_grad, X0, num_iters=2, step_size=0.01)), x2)


@pytest.mark.parametrize("optimizer", [sgd, rmsprop, adam])
def test_the_callback_sees_each_iterate_before_its_step_as_a_tree(optimizer):
    seen = []

    def callback(x, i, g):
        seen.append((i, leaves(x), leaves(g)))

    out = optimizer(half_square_grad, X0, callback, num_iters=3)
    assert [i for i, _, _ in seen] == [0, 1, 2]
    assert_allclose(seen[0][1], leaves(X0))
    for _, x, g in seen:
        assert_allclose(g, x)  # the gradient of the half square is the iterate
    assert not onp.allclose(leaves(out), seen[-1][1])


@pytest.mark.parametrize("optimizer, options", [
    (sgd, {"num_iters": 300, "step_size": 0.5}),
    (rmsprop, {"num_iters": 300, "step_size": 0.01}),
    (adam, {"num_iters": 300, "step_size": 0.05}),
])
def test_each_reaches_the_minimum_of_a_bowl(optimizer, options):
    target = {"w": onp.array([0.3, -0.7]), "b": (2.0,)}

    def objective(x):
        return np.sum((x["w"] - target["w"]) ** 2) + 2.0 * (x["b"][0] - target["b"][0]) ** 2

    gradient = grad(objective)
    out = optimizer(lambda x, i: gradient(x), X0, **options)
    assert_allclose(leaves(out), leaves(target), atol=2e-2)


def test_float32_parameters_stay_float32():
    x0 = {"w": onp.array([1.0, 2.0], onp.float32)}
    for optimizer in (sgd, rmsprop, adam):
        out = optimizer(lambda x, i: {"w": 2 * x["w"]}, x0, num_iters=2)
        assert out["w"].dtype == onp.float32


def test_a_run_is_differentiable_in_its_step_size_and_start():
    def final_loss(step_size, start):
        x = sgd(lambda x, i: {"w": x["w"] ** 3}, {"w": start}, num_iters=4, step_size=step_size)
        return np.sum(x["w"] ** 2)

    check_grads(final_loss, argnum=(0, 1), modes=["fwd", "rev"], order=1)(
        0.3, onp.array([0.8, -0.5]))
    check_grads(lambda s: adam(lambda x, i: x - 1.0, onp.array([2.0, 0.0]), num_iters=3,
                               step_size=s)[0], modes=["rev"], order=1)(0.1)


def test_unflatten_optimizer_lifts_a_loop_of_ones_own_to_trees():
    seen = []

    @unflatten_optimizer
    def halving(grad, x, callback=None, num_iters=3):
        for i in range(num_iters):
            g = grad(x, i)
            assert x.shape == g.shape == (3,)  # the loop sees one flat vector
            if callback:
                callback(x, i, g)
            x = x - 0.5 * g
        return x

    end = halving(half_square_grad, X0, lambda x, i, g: seen.append((i, x["b"][0], g["w"])))
    assert_allclose(leaves(end), leaves(X0) / 8)
    assert [i for i, _, _ in seen] == [0, 1, 2] and seen[1][1] == 0.25
    assert_allclose(seen[2][2], X0["w"] / 4)
