"""Pieces written straight into their concatenation: seen in the listing, eager's values."""

import numpy as onp
from hypothesis import given, settings
from hypothesis import strategies as st

import mlkit.numpy as np
from mlkit import grad, jit


def _body(listing):
    return [line.split("  #")[0].strip() for line in listing.splitlines()[1:] if " = " in line]


def _layer_gradient(w, b, x):
    """A two-layer net's gradient in ``(w, b)`` as one flat vector, as a training step has
    it: matrix products and sums reshaped and concatenated."""
    def loss(w, b):
        return np.sum(np.tanh(x @ w + b) ** 2)

    dw, db = grad(loss, argnum=(0, 1))(w, b)
    return np.concatenate([np.reshape(dw, (-1,)), db])


def test_a_gradients_pieces_are_written_into_a_fresh_vector_at_each_replay():
    rng = onp.random.default_rng(0)
    x = rng.standard_normal((33, 70)).astype(onp.float32)
    w = rng.standard_normal((70, 50)).astype(onp.float32)
    b = rng.standard_normal(50).astype(onp.float32)
    jitted = jit(_layer_gradient)
    lines = _body(jitted.listing(w, b, x))
    assert not any("concatenate" in line for line in lines)
    assert any(line.split(" = ")[1].startswith("empty(") for line in lines)
    assert any(line.split(" = ")[1].startswith(("matmul(", "f__matmul_transposed("))
               and "out=v" in line for line in lines)
    assert any("f__sum(" in line and "out=v" in line for line in lines)
    want = _layer_gradient(w, b, x)
    results = [jitted(w, b, x) for _ in range(3)]
    for result in results:  # a kept result is not overwritten by the next replay
        assert result.dtype == onp.float32 and result.shape == (70 * 50 + 50,)
        onp.testing.assert_array_equal(result, want)
    assert not onp.shares_memory(results[1], results[2])


def test_a_piece_read_elsewhere_or_returned_is_copied_as_before():
    rng = onp.random.default_rng(1)
    a, c = rng.standard_normal((40, 30)), rng.standard_normal((30, 20))

    def f(a, c):
        product = a @ c
        total = np.sum(product, axis=0)
        return np.concatenate([np.reshape(product, (-1,)), total]), total

    jitted = jit(f)
    assert any("concatenate" in line for line in _body(jitted.listing(a, c)))
    for _ in range(2):
        for got, want in zip(jitted(a, c), f(a, c)):
            onp.testing.assert_array_equal(got, want)


_PIECES = [
    lambda x, w: np.reshape(x @ w, (-1,)),
    lambda x, w: np.sum(x, axis=0),
    lambda x, w: np.sum(x @ w, axis=(0,)),
    lambda x, w: np.reshape(np.tanh(x) * 0.5, (-1,)),
    lambda x, w: np.reshape(x, (-1,)),  # an input: copied
    lambda x, w: np.reshape(w.T @ x.T, (-1,)),
    lambda x, w: np.exp(np.sum(x, axis=1)),
]


@settings(max_examples=40, deadline=None)
@given(pieces=st.lists(st.integers(0, len(_PIECES) - 1), min_size=1, max_size=5),
       rows=st.integers(1, 40), width=st.integers(1, 40),
       dtype=st.sampled_from([onp.float32, onp.float64]), seed=st.integers(0, 2**16))
def test_written_pieces_give_eager_values_bit_for_bit(pieces, rows, width, dtype, seed):
    rng = onp.random.default_rng(seed)
    x = rng.standard_normal((rows, width)).astype(dtype)
    w = rng.standard_normal((width, 7)).astype(dtype)

    def f(x, w):
        return np.concatenate([_PIECES[piece](x, w) for piece in pieces])

    jitted = jit(f)
    want = f(x, w)
    for _ in range(2):  # the recording call, then a replay
        got = jitted(x, w)
        assert got.dtype == want.dtype
        onp.testing.assert_array_equal(got, want)
