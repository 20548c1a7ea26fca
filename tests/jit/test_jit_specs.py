"""Every spec of the op table under jit: the value, the reverse and forward derivatives and a
second derivative, recorded at one input and replayed at another, equal eager's exactly."""

import sys
import warnings
from pathlib import Path

import numpy as onp
import pytest

import mlkit.numpy as np
from mlkit import grad, jit, make_jvp
from mlkit.tree import tree_leaves

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "numpy"))
from specs import SPECS  # noqa: E402


def _cases():
    """One case per spec: its last shape family member, and its complex variant if any."""
    cases = []
    for spec in SPECS:
        *_, last = [c for c in spec.cases() if not c[2]]
        cases.append((spec, last[0], last[1], False))
        complex_ = [c for c in spec.cases() if c[2]]
        if complex_:
            cases.append((spec, complex_[-1][0], complex_[-1][1], True))
    return cases


CASES = _cases()


def _everything(spec, weights, args, tangent):
    """The spec's value, the gradient and the directional derivative of a real scalar made of
    it, and the derivative of that gradient along ``tangent`` (order 2, reverse over reverse)."""

    def loss(xs):
        return sum(np.sum(np.real(leaf * w)) for leaf, w in zip(tree_leaves(spec.fun(*xs)),
                                                                  weights))

    def along(xs):
        return sum(np.sum(np.real(g * onp.conj(t)))
                   for g, t in zip(grad(loss)(xs), tangent))

    return (spec.fun(*args), grad(loss)(args), make_jvp(loss)(args)(tangent)[1],
            grad(along)(args))


def _assert_same(got, want):
    got, want = tree_leaves(got), tree_leaves(want)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert onp.result_type(a) == onp.result_type(b)
        assert onp.shape(a) == onp.shape(b)
        onp.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("spec, case_id, shapes, complex_", CASES, ids=[c[1] for c in CASES])
def test_spec_under_jit_equals_eager(spec, case_id, shapes, complex_):
    first = spec.args(shapes, complex_, case_id)
    second = spec.args(shapes, complex_, case_id + "-again")
    rng = onp.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = tree_leaves(spec.fun(*first))
        weights = tuple(rng.standard_normal(onp.shape(o)) for o in outs)
        tangent = tuple(rng.standard_normal(onp.shape(a)) * (1 + 1j if complex_ else 1)
                        for a in first)
        jitted = jit(lambda xs: _everything(spec, weights, xs, tangent))
        _assert_same(jitted(first), _everything(spec, weights, first, tangent))
        _assert_same(jitted(second), _everything(spec, weights, second, tangent))
    assert jitted.cache_info()["paths"] == [1], "a value-dependent guard made it record again"
