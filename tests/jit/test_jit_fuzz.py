"""A differential fuzz of jit: random straight-line programs over mlkit.numpy, each jitted with
its derivatives and replayed on other values of the same signature (guard-flipping zeros, ties
and infinities among them), must give what the eager calls give: the same types, dtypes and
shapes, and the same values to the last few bits (NaN where NaN)."""

import warnings

import numpy as onp
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import mlkit.numpy as np
from mlkit import grad, jacobian, jit, make_hvp, make_jvp, value_and_grad
from mlkit.tree import tree_flatten

CONSTANT = onp.array([[0.5], [-1.5], [2.0]])  # closed over: broadcasts against (3,) and (3, 1)


def _axis(a, k):
    return k % np.ndim(a) if np.ndim(a) else None


# name -> (operands, function of the operands and a drawn integer k)
OPS = {
    "sin": (1, lambda a, k: np.sin(a)), "exp": (1, lambda a, k: np.exp(a)),
    "log": (1, lambda a, k: np.log(a)), "sqrt": (1, lambda a, k: np.sqrt(a)),
    "tanh": (1, lambda a, k: np.tanh(a)), "abs": (1, lambda a, k: np.abs(a)),
    "reciprocal": (1, lambda a, k: 1.0 / a), "scaled": (1, lambda a, k: a * 2.5 - 1),
    "cube": (1, lambda a, k: np.power(a, 3)), "clip": (1, lambda a, k: np.clip(a, -0.5, 0.7)),
    "relu": (1, lambda a, k: np.maximum(a, 0.0)),
    "safe": (1, lambda a, k: np.where(a > 0, np.sqrt(np.abs(a)), a * a)),
    "sum": (1, lambda a, k: np.sum(a, axis=_axis(a, k), keepdims=k % 2 == 0)),
    "max": (1, lambda a, k: np.max(a, axis=_axis(a, k))), "mean": (1, lambda a, k: np.mean(a)),
    "cumsum": (1, lambda a, k: np.cumsum(a, axis=_axis(a, k))),
    "sort": (1, lambda a, k: np.sort(a, axis=_axis(a, k) if np.ndim(a) else -1)),
    "transpose": (1, lambda a, k: np.transpose(a)), "flat": (1, lambda a, k: np.reshape(a, -1)),
    "expand": (1, lambda a, k: np.expand_dims(a, 0)), "squeeze": (1, lambda a, k: np.squeeze(a)),
    "broadcast": (1, lambda a, k: np.broadcast_to(a, (2,) + np.shape(a))),
    "reverse": (1, lambda a, k: a[::-1]), "first": (1, lambda a, k: a[k % len(a)]),
    "pick": (1, lambda a, k: a[onp.array([0, -1, 0])]), "mask": (1, lambda a, k: a[a > 0.1]),
    "cast": (1, lambda a, k: a.astype(onp.float32 if k % 2 else onp.float64)),
    "constant": (1, lambda a, k: a * CONSTANT),
    "branch": (1, lambda a, k: np.sin(a) if np.sum(a) > 0 else np.cos(a)),
    "add": (2, lambda a, b, k: a + b), "multiply": (2, lambda a, b, k: a * b),
    "divide": (2, lambda a, b, k: np.divide(a, b)), "power": (2, lambda a, b, k: np.abs(a) ** b),
    "hypot": (2, lambda a, b, k: np.hypot(a, b)), "minimum": (2, lambda a, b, k: np.minimum(a, b)),
    "where": (2, lambda a, b, k: np.where(a > b, a, b)),
    "concatenate": (2, lambda a, b, k: np.concatenate([a, b], axis=_axis(a, k) or 0)),
    "stack": (2, lambda a, b, k: np.stack([a, b])), "dot": (2, lambda a, b, k: np.dot(a, b)),
    "einsum": (2, lambda a, b, k: np.einsum("ij,jk->ik", a, b)),
}
NAMES = sorted(OPS)
SHAPES = [(), (1,), (3,), (2, 3), (3, 1), (3, 3), (0,)]
SPECIAL = {"zeros": lambda a: a * 0, "ties": lambda a: a * 0 + 0.5,
           "inf": lambda a: onp.where(onp.arange(a.size).reshape(a.shape) == 0, onp.inf, a),
           "negative": lambda a: -onp.abs(a)}


def _run(ops, x, y):
    values = [x, y]
    for name, picks, k in ops:
        arity, fun = OPS[name]
        values.append(fun(*[values[p] for p in picks[:arity]], k))
    return values[-1]


@st.composite
def programs(draw):
    """``(ops, dtype, three input pairs)`` from one drawn seed (hypothesis's own draws shrink
    to a few simple programs): ops valid on the first pair, kept where they give a small
    floating array."""
    rng = onp.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = (onp.float32, onp.float64)[rng.integers(2)]
    shape = SHAPES[rng.integers(len(SHAPES))]
    pairs = [tuple(rng.standard_normal(shape).astype(dtype) for _ in "xy") for _ in "ab"]
    special = SPECIAL[sorted(SPECIAL)[rng.integers(len(SPECIAL))]]
    pairs.append(tuple(special(a) for a in pairs[1]))
    ops, values = [], list(pairs[0])
    for _ in range(rng.integers(1, 7)):
        name = NAMES[rng.integers(len(NAMES))]
        picks = [len(values) - 1 - int(rng.integers(min(3, len(values)))) for _ in range(2)]
        k = int(rng.integers(6))
        try:
            with warnings.catch_warnings(), onp.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                value = OPS[name][1](*[values[p] for p in picks[:OPS[name][0]]], k)
        except (ValueError, IndexError, TypeError):
            continue
        if isinstance(value, (onp.ndarray, onp.generic)) and value.dtype.kind == "f" \
                and value.size <= 64:
            ops.append((name, picks, k))
            values.append(value)
    note(f"{dtype.__name__} {shape}: {ops}")
    return ops, dtype, pairs


def _same(want, got):
    want, got = tree_flatten(want)[0], tree_flatten(got)[0]
    assert len(want) == len(got)
    for w, g in zip(want, got):
        assert type(g) is type(w) and onp.shape(g) == onp.shape(w)
        assert onp.asarray(g).dtype == onp.asarray(w).dtype
        tolerance = 1e-6 if onp.asarray(w).dtype == onp.float32 else 1e-13
        onp.testing.assert_allclose(g, w, rtol=tolerance, atol=tolerance, equal_nan=True)


def _outcome(fun, x, y):
    with warnings.catch_warnings(), onp.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fun(x, y), None
        except Exception as error:  # noqa: BLE001 (compared with the eager call's)
            return None, type(error)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(programs())
def test_jitted_programs_and_their_derivatives_replay_the_eager_results(program):
    ops, dtype, pairs = program
    v = onp.linspace(-1.0, 1.0, pairs[0][0].size).reshape(pairs[0][0].shape).astype(dtype)

    def value(x, y):
        return _run(ops, x, y)

    def total(x, y):
        return np.sum(value(x, y))

    derivatives = {
        "value": value, "grad": grad(total), "grad y": grad(total, 1),
        "value_and_grad": value_and_grad(total), "jacobian": jacobian(value),
        "jvp": lambda x, y: make_jvp(value)(x, y)(v),
        "hvp": lambda x, y: make_hvp(total)(x, y)[0](v),
    }
    for derivative in derivatives.values():
        jitted = jit(derivative)
        for x, y in pairs + pairs[:1]:
            (want, failed), (got, refused) = _outcome(derivative, x, y), _outcome(jitted, x, y)
            assert refused == failed
            if failed is None:
                _same(want, got)
