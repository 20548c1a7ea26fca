"""Time splits and forward-chaining folds: order respected, ties kept together, sizes by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.data import DataError, forward_chaining_split, train_val_test_split


def test_latest_rows_test_then_validation_then_training():
    order = np.array([3, 9, 0, 7, 1, 5, 8, 2, 6, 4])
    train, val, test = train_val_test_split(10, val=0.2, test=0.3, order=order)
    assert sorted(order[test]) == [7, 8, 9] and sorted(order[val]) == [5, 6]
    assert sorted(order[train]) == [0, 1, 2, 3, 4]


def test_equal_times_stay_in_one_part():
    # 10 rows at 4 times; the cuts fall where the row counts are 5 and 8 (nearest to 6 and 8)
    order = np.array([1, 1, 1, 2, 2, 3, 3, 3, 4, 4])
    train, val, test = train_val_test_split(10, val=0.2, test=0.2, order=order[::-1])
    assert (len(train), len(val), len(test)) == (5, 3, 2)
    assert set(order[::-1][test]) == {4} and set(order[::-1][val]) == {3}


def test_dates_and_labels_work_and_the_seed_is_unused():
    dates = np.array(["2024-03-01", "2024-01-15", "2024-02-01", "2023-12-31"],
                     dtype="datetime64[D]")
    y = np.array([0, 1, 0, 1])
    for seed in (0, 9):
        train, val, test = train_val_test_split(y, val=0.25, test=0.25, seed=seed, order=dates)
        assert (train.tolist(), val.tolist(), test.tolist()) == ([1, 3], [2], [0])


def test_forward_chaining_by_hand():
    # 12 rows, k=3: 4 blocks of 3 in time order; fold i tests block i, trains on the blocks
    order = np.array([11, 0, 5, 3, 8, 1, 10, 4, 7, 2, 9, 6])
    folds = forward_chaining_split(order, 3)
    assert [(sorted(order[tr]), sorted(order[te])) for tr, te in folds] == [
        ([0, 1, 2], [3, 4, 5]), ([0, 1, 2, 3, 4, 5], [6, 7, 8]),
        ([0, 1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11])]
    for train, test in folds:
        assert order[train].max() < order[test].min()


@pytest.mark.parametrize("call, error, match", [
    (lambda: train_val_test_split(4, order=["b", "a", "c", "d"]), TypeError,
     "order must hold numbers or dates"),
    (lambda: train_val_test_split(3, order=[1.0, np.nan, 2.0]), DataError,
     r"1 missing value\(s\) \(rows \[1\]"),
    (lambda: train_val_test_split(4, 0.25, 0.25, order=[1, 1, 2, 2]), DataError,
     "order has 2 distinct value.*train/val/test needs at least 3"),
    (lambda: forward_chaining_split([1, 2, 3], 3), DataError,
     "k=3 folds \\(4 blocks\\) needs at least 4"),
    (lambda: train_val_test_split([0, 1, 0, 1], stratify=True, order=[1, 2, 3, 4]), DataError,
     "stratify=True cannot be combined with order"),
    (lambda: train_val_test_split(5, order=[1, 2, 3]), DataError, r"one value per row \(5\)"),
])
def test_errors_name_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 15), min_size=6, max_size=60),
       st.sampled_from([(0.0, 0.2), (0.2, 0.2), (0.1, 0.3)]))
def test_every_training_time_precedes_every_held_out_time(times, fractions):
    order = np.array(times)
    val, test = fractions
    if len(np.unique(order)) < 2 + (val > 0):
        return
    train, held_val, held_test = train_val_test_split(len(order), val, test, order=order)
    assert sorted(np.concatenate([train, held_val, held_test]).tolist()) == list(range(len(order)))
    assert len(train) and len(held_test) and (len(held_val) > 0) == (val > 0)
    later = np.concatenate([held_val, held_test])
    assert order[train].max() < order[later].min()
    if val > 0:
        assert order[held_val].max() < order[held_test].min()
