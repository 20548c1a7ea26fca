"""Sums and extrema of plain arrays (run without numpy's dispatch) are numpy's, bit for bit."""

import numpy as onp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlkit.numpy as np

_AXES = [None, 0, -1, (0,), (0, 1)]


def _same(got, want):
    assert type(got) is type(want)
    assert onp.result_type(got) == onp.result_type(want)
    onp.testing.assert_array_equal(got, want)


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 9), cols=st.integers(1, 9), axis=st.sampled_from(_AXES),
       keepdims=st.booleans(), dtype=st.sampled_from(["float32", "float64", "int64", "int32"]),
       seed=st.integers(0, 2**16), nan=st.booleans())
def test_sums_and_extrema_match_numpy(rows, cols, axis, keepdims, dtype, seed, nan):
    rng = onp.random.default_rng(seed)
    a = (rng.standard_normal((rows, cols)) * 50).astype(dtype)
    if nan and a.dtype.kind == "f":
        a[rng.integers(rows), rng.integers(cols)] = onp.nan
    for ours, numpys in ((np.sum, onp.sum), (np.max, onp.max), (np.min, onp.min)):
        _same(ours(a, axis=axis, keepdims=keepdims), numpys(a, axis=axis, keepdims=keepdims))


def test_a_sum_into_a_slice_of_a_vector_writes_numpys_values_there():
    a = onp.random.default_rng(0).standard_normal((33, 7)).astype(onp.float32)
    vector = onp.zeros(20, onp.float32)
    result = np.sum(a, axis=0, out=vector[5:12])
    assert onp.shares_memory(result, vector)
    onp.testing.assert_array_equal(vector[5:12], onp.sum(a, axis=0))
    assert not vector[:5].any() and not vector[12:].any()


def test_an_empty_extremum_raises_as_numpys():
    with pytest.raises(ValueError, match="zero-size array"):
        np.max(onp.zeros((0, 3)))
