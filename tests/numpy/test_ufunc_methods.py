"""numpy's ufunc methods on traced values: ``outer``, ``reduce`` and ``accumulate`` of the
two-argument functions, through mlkit.numpy (``np.subtract.outer``) and through numpy's own
ufuncs (``numpy.add.reduce``), checked against finite differences and numpy's values."""

import numpy as onp
import pytest

import mlkit
import mlkit.numpy as np
from mlkit.testing import check_grads

RNG = onp.random.default_rng(4)
M = RNG.uniform(0.2, 1.5, (3, 4))
V = RNG.uniform(0.2, 1.5, 3)

CASES = [
    ("add.reduce", lambda n, x: n.add.reduce(x)),
    ("multiply.reduce-axis1", lambda n, x: n.multiply.reduce(x, axis=1)),
    ("maximum.reduce-none", lambda n, x: n.maximum.reduce(x, axis=None)),
    ("minimum.reduce-keepdims", lambda n, x: n.minimum.reduce(x, axis=1, keepdims=True)),
    ("hypot.reduce", lambda n, x: n.hypot.reduce(x)),
    ("hypot.reduce-axis-1-keepdims", lambda n, x: n.hypot.reduce(x, axis=-1, keepdims=True)),
    ("logaddexp.reduce-none-keepdims", lambda n, x: n.logaddexp.reduce(x, axis=None,
                                                                         keepdims=True)),
    ("subtract.reduce-initial", lambda n, x: n.subtract.reduce(x, axis=1, initial=2.0)),
    ("add.reduce-where-initial", lambda n, x: n.add.reduce(x, axis=0, where=x > 0.6,
                                                           initial=0.5)),
    ("add.accumulate", lambda n, x: n.add.accumulate(x)),
    ("multiply.accumulate-axis1", lambda n, x: n.multiply.accumulate(x, axis=1)),
    ("maximum.accumulate", lambda n, x: n.maximum.accumulate(x, axis=1)),
    ("divide.accumulate", lambda n, x: n.divide.accumulate(x)),
    ("logaddexp.accumulate", lambda n, x: n.logaddexp.accumulate(x, axis=-1)),
    ("subtract.outer", lambda n, x: n.subtract.outer(x, x[0])),
    ("power.outer", lambda n, x: n.power.outer(x[:, 0], x[1])),
    ("arctan2.outer", lambda n, x: n.arctan2.outer(x[0], x)),
]


@pytest.mark.parametrize("via", ["mlkit.numpy", "numpy"])
@pytest.mark.parametrize("name, call", CASES, ids=[case[0] for case in CASES])
def test_ufunc_methods_match_numpy_and_differentiate(name, call, via):
    module = np if via == "mlkit.numpy" else onp
    onp.testing.assert_allclose(call(np, M), call(onp, M), rtol=1e-14)
    check_grads(lambda x: call(module, x), modes=["fwd", "rev"], order=2)(M)


def test_ufunc_methods_keep_float32_and_run_under_jit():
    x = M.astype(onp.float32)
    loss = lambda x: np.sum(np.hypot.reduce(np.subtract.outer(x[0], x[1]), axis=1))  # noqa: E731
    g = mlkit.grad(loss)(x)
    assert g.dtype == onp.float32
    onp.testing.assert_array_equal(mlkit.jit(mlkit.grad(loss))(x), g)


def test_plain_calls_are_numpys_own():
    assert np.add.reduce is not onp.add.reduce
    onp.testing.assert_array_equal(np.add.reduce(M, axis=1, dtype=onp.float32),
                                   onp.add.reduce(M, axis=1, dtype=onp.float32))
    assert np.add.reduce.__name__ == "reduce"


@pytest.mark.parametrize("call, match", [
    (lambda x: onp.add.reduceat(x, [0, 2]), "add.reduceat"),
    (lambda x: np.hypot.reduce(x, axis=(0, 1)), "one axis at a time"),
    (lambda x: np.hypot.reduce(x[:0]), "needs initial="),
    (lambda x: np.add.reduce(x, out=onp.zeros(4)), "out="),
])
def test_what_is_not_differentiated_is_refused_by_name(call, match):
    with pytest.raises((TypeError, ValueError, NotImplementedError), match=match):
        mlkit.grad(lambda x: np.sum(call(x)))(M)
