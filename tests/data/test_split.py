"""train_val_test_split: sizes by hand, partition and stratification properties, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.data import DataError, train_val_test_split

fractions = st.tuples(st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.3]),
                      st.sampled_from([0.0, 0.1, 0.2, 0.3, 0.45]))


def test_sizes_by_hand():
    train, val, test = train_val_test_split(10, val=0.2, test=0.3, seed=1)
    assert (len(train), len(val), len(test)) == (5, 2, 3)
    assert train.dtype == np.int64
    assert np.all(np.diff(train) > 0)


def test_zero_fraction_gives_empty_part():
    train, val, test = train_val_test_split(7, val=0.0, test=0.0)
    np.testing.assert_array_equal(train, np.arange(7))
    assert len(val) == 0 and len(test) == 0


def test_same_seed_same_split_and_other_seed_differs():
    a = train_val_test_split(100, val=0.2, test=0.2, seed=3)
    b = train_val_test_split(100, val=0.2, test=0.2, seed=3)
    c = train_val_test_split(100, val=0.2, test=0.2, seed=4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[2], c[2])


def test_stratified_by_hand():
    y = np.array(["a"] * 10 + ["b"] * 5)
    train, val, test = train_val_test_split(y, val=0.2, test=0.4, stratify=True, seed=0)
    # class a: 10 rows -> 4 train, 2 val, 4 test; class b: 5 rows -> 2, 1, 2
    for part, (n_a, n_b) in zip((train, val, test), [(4, 2), (2, 1), (4, 2)]):
        assert (np.sum(y[part] == "a"), np.sum(y[part] == "b")) == (n_a, n_b)


def test_stratified_small_class_still_in_every_part():
    y = np.array([0] * 30 + [1] * 3)
    train, val, test = train_val_test_split(y, val=0.1, test=0.1, stratify=True, seed=0)
    for part in (train, val, test):
        assert set(y[part]) == {0, 1}


@settings(max_examples=60, deadline=None)
@given(n=st.integers(3, 200), fr=fractions, seed=st.integers(0, 2**32 - 1))
def test_parts_partition_the_rows(n, fr, seed):
    val, test = fr
    parts = train_val_test_split(n, val=val, test=test, seed=seed)
    joined = np.concatenate(parts)
    np.testing.assert_array_equal(np.sort(joined), np.arange(n))
    for part, f in zip(parts[1:], fr):
        assert abs(len(part) - f * n) <= 1 if f > 0 else len(part) == 0


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(3, 40), min_size=2, max_size=4), fr=fractions,
       seed=st.integers(0, 1000))
def test_stratified_keeps_proportions(counts, fr, seed):
    val, test = fr
    y = np.repeat(np.arange(len(counts)), counts)
    y = np.random.default_rng(seed).permutation(y)
    parts = train_val_test_split(y, val=val, test=test, stratify=True, seed=seed)
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(len(y)))
    for part, f in zip(parts, (1 - val - test, val, test)):
        for k, n_k in enumerate(counts):
            got = np.sum(y[part] == k)
            if f == 0:
                assert got == 0
            else:
                assert got >= 1
                assert abs(got - f * n_k) < 2


@pytest.mark.parametrize("kwargs, match", [
    ({"n_or_y": 10, "val": 1.0}, r"val must be a finite number in \[0, 1\), got 1.0"),
    ({"n_or_y": 10, "test": -0.1}, r"test must be a finite number in \[0, 1\), got -0.1"),
    ({"n_or_y": 10, "val": 0.5, "test": 0.5}, "val \\+ test must be below 1"),
    ({"n_or_y": 10, "stratify": True}, "needs the labels"),
    ({"n_or_y": 0}, "n must be at least 1"),
    ({"n_or_y": 2, "val": 0.2, "test": 0.2}, "there are 2 row.*train/val/test needs at least 3"),
    ({"n_or_y": ["a", "a", "a", "b"], "val": 0.2, "test": 0.2, "stratify": True},
     "class 'b' has 1 row.*needs at least 3"),
    ({"n_or_y": [[0, 1]]}, "1-D"),
    ({"n_or_y": []}, "empty label array"),
    ({"n_or_y": [0.0, np.nan]}, "NaN label"),
    ({"n_or_y": 10, "seed": -1}, "seed must be at least 0"),
])
def test_errors(kwargs, match):
    with pytest.raises(DataError, match=match):
        train_val_test_split(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_or_y": 10, "val": "0.1"}, r"val must be a finite number in \[0, 1\), got str '0.1'"),
    ({"n_or_y": 10.0}, "n_or_y must be an int row count or a 1-D label array, got float"),
    ({"n_or_y": 10, "seed": 1.5}, "seed must be an integer"),
    ({"n_or_y": 10, "stratify": "yes"}, "stratify must be True or False"),
])
def test_type_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        train_val_test_split(**kwargs)
