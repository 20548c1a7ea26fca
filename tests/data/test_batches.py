"""minibatches, num_batches, steps_per_epoch: sizes by hand, coverage, determinism, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.data import DataError, minibatches, num_batches, rows_per_step, steps_per_epoch


@pytest.mark.parametrize("last_batch, sizes", [
    ("keep", [4, 4, 2]),
    ("drop", [4, 4]),
    ("merge", [4, 6]),
])
def test_sizes_by_hand(last_batch, sizes):
    batches = list(minibatches(10, 4, np.random.default_rng(0), last_batch=last_batch))
    assert [len(b) for b in batches] == sizes
    assert num_batches(10, 4, last_batch) == len(sizes)


@pytest.mark.parametrize("last_batch", ["keep", "merge"])
def test_batch_larger_than_data_gives_one_batch(last_batch):
    (batch,) = minibatches(3, 8, None, shuffle=False, last_batch=last_batch)
    np.testing.assert_array_equal(batch, [0, 1, 2])


def test_unshuffled_is_in_order():
    batches = list(minibatches(5, 2, None, shuffle=False))
    assert [b.tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0].dtype == np.int64


def test_shuffle_follows_the_generator():
    got = np.concatenate(list(minibatches(6, 4, np.random.default_rng(5))))
    np.testing.assert_array_equal(got, np.random.default_rng(5).permutation(6))


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 300), batch_size=st.integers(1, 64),
       last_batch=st.sampled_from(["keep", "drop", "merge"]), seed=st.integers(0, 10**6))
def test_batches_cover_rows_once_and_repeat_for_a_seed(n, batch_size, last_batch, seed):
    if last_batch == "drop" and batch_size > n:
        return
    first = list(minibatches(n, batch_size, np.random.default_rng(seed), last_batch=last_batch))
    again = list(minibatches(n, batch_size, np.random.default_rng(seed), last_batch=last_batch))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert len(first) == num_batches(n, batch_size, last_batch)
    seen = np.concatenate(first)
    assert len(np.unique(seen)) == len(seen)
    covered = n - n % batch_size if last_batch == "drop" else n
    assert len(seen) == covered
    assert np.all((seen >= 0) & (seen < n))
    assert all(len(b) == batch_size for b in first[:-1])
    last = len(first[-1])
    if last_batch == "drop":
        assert last == batch_size
    elif last_batch == "keep":
        assert 1 <= last <= batch_size
    else:
        assert last == n if n < batch_size else batch_size <= last < 2 * batch_size


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0, "batch_size": 2}, "n must be at least 1"),
    ({"n": 5, "batch_size": 0}, "batch_size must be at least 1"),
    ({"n": 5, "batch_size": 8, "last_batch": "drop"}, "would leave no batch"),
    ({"n": 5, "batch_size": 2, "last_batch": "dorp"}, "last_batch='dorp'.*Did you mean 'drop'"),
])
def test_errors(kwargs, match):
    with pytest.raises(DataError, match=match):
        minibatches(rng=np.random.default_rng(0), **kwargs)
    with pytest.raises(DataError, match=match):
        num_batches(kwargs["n"], kwargs["batch_size"], kwargs.get("last_batch", "keep"))


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 5, "batch_size": 2, "rng": 0}, "rng must be a numpy.random.Generator"),
    ({"n": 5, "batch_size": 2, "rng": None}, "rng must be a numpy.random.Generator"),
    ({"n": 5.0, "batch_size": 2, "rng": None, "shuffle": False}, "n must be an integer"),
    ({"n": 5, "batch_size": 2, "rng": None, "shuffle": 1}, "shuffle must be True or False"),
])
def test_type_errors_are_raised_at_call_time(kwargs, match):
    with pytest.raises(TypeError, match=match):
        minibatches(**kwargs)


def test_batch_indices_are_read_only_so_one_batch_cannot_change_the_next():
    batches = minibatches(6, 2, np.random.default_rng(0))
    first = next(batches)
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 5
    rest = np.concatenate(list(batches))
    assert sorted([*first.tolist(), *rest.tolist()]) == list(range(6))


@pytest.mark.parametrize("batch_size, rows, steps", [
    ("full", None, 1), (None, None, 1), (10, None, 1), (11, None, 1), (4, 4, 3), (9, 9, 2)])
def test_whole_data_steps_are_decided_in_one_place(batch_size, rows, steps):
    """batch_size "full", None or >= n means one whole-data step; fit and configs ask this."""
    assert rows_per_step(10, batch_size) == rows
    assert steps_per_epoch(10, batch_size, "keep") == steps
    assert steps_per_epoch(10, 4, "drop") == 2 and steps_per_epoch(10, 4, "merge") == 2
