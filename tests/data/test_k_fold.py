"""k_fold_split: every row held out once, sizes by hand, stratification, seeds, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.data import DataError, k_fold_split, train_val_test_split


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.integers(2, 8), st.integers(0, 2**31), st.booleans())
def test_folds_partition_the_rows_with_sizes_one_apart(n, k, seed, stratify):
    k = min(k, n)
    y = np.random.default_rng(seed).integers(0, 3, n)
    folds = k_fold_split(y if stratify else n, k, stratify=stratify, seed=seed)
    assert len(folds) == k and all(fold.dtype == np.int64 for fold in folds)
    np.testing.assert_array_equal(np.sort(np.concatenate(folds)), np.arange(n))
    assert all(np.all(np.diff(fold) > 0) for fold in folds)
    sizes = [len(fold) for fold in folds]
    assert max(sizes) - min(sizes) <= 1
    if stratify:  # each class's count in a fold is within one of its share
        for label in range(3):
            counts = [np.sum(y[fold] == label) for fold in folds]
            assert max(counts) - min(counts) <= 1


def test_stratified_by_hand():
    y = np.array(["a"] * 7 + ["b"] * 5 + ["c"] * 4)
    folds = k_fold_split(y, 3, stratify=True, seed=1)
    # a: 3 2 2 (fold 1 gets the extra row); b: 1 2 2 (folds 2 and 3); c: 2 1 1 (fold 1 again)
    counts = [[int(np.sum(y[fold] == c)) for c in "abc"] for fold in folds]
    assert counts == [[3, 1, 2], [2, 2, 1], [2, 2, 1]]


def test_unstratified_folds_cut_the_permutation_train_val_test_split_cuts():
    for n in (10, 11):
        _, _, test = train_val_test_split(n, val=0.0, test=0.5, seed=4)
        np.testing.assert_array_equal(k_fold_split(n, 2, seed=4)[1], test)
    np.testing.assert_array_equal(
        np.concatenate(k_fold_split(12, 4, seed=9)),
        np.concatenate([np.sort(part) for part in
                        np.array_split(np.random.default_rng(9).permutation(12), 4)]))


def test_same_seed_same_folds_and_other_seed_differs():
    a, b, c = (k_fold_split(50, 5, seed=s) for s in (2, 2, 3))
    assert all(np.array_equal(x, z) for x, z in zip(a, b))
    assert not all(np.array_equal(x, z) for x, z in zip(a, c))


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((5, 6), {}, DataError, "k=6 folds need at least 6 rows, but there are 5"),
    ((5, 1), {}, DataError, "k must be at least 2"),
    ((5, 2.0), {}, TypeError, "k must be an integer"),
    ((10, 2), {"stratify": True}, DataError, "stratify=True needs the labels"),
    (([], 2), {}, DataError, "empty label array"),
    ((10, 2), {"seed": -1}, DataError, "seed must be at least 0"),
])
def test_errors_name_the_argument(args, kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        k_fold_split(*args, **kwargs)
