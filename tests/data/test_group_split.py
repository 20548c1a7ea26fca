"""Group splits: no group in two parts or folds, sizes worked out by hand, class mixes, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.data import DataError, k_fold_split, train_val_test_split

# 20 rows in 10 groups of sizes 5, 4, 3, 2 and six of 1
SIZES = [5, 4, 3, 2, 1, 1, 1, 1, 1, 1]
GROUPS = np.repeat([f"g{i}" for i in range(10)], SIZES)


def _crossing(parts, groups) -> set:
    seen = [set(groups[part]) for part in parts]
    return {g for i, a in enumerate(seen) for b in seen[i + 1:] for g in a & b}


@pytest.mark.parametrize("seed", [0, 1, 2, 7])
def test_fractions_met_exactly_when_the_groups_allow(seed):
    # wanted 12/4/4; largest first: 5 and 4 to train (deficit 12), 3 to val, 2 to test, and
    # the ones fill train to 12, val to 4 and test to 4, whatever the seed
    train, val, test = train_val_test_split(20, val=0.2, test=0.2, seed=seed, groups=GROUPS)
    assert (len(train), len(val), len(test)) == (12, 4, 4)
    assert not _crossing((train, val, test), GROUPS)
    assert set(GROUPS[val]) >= {"g2"} and set(GROUPS[test]) >= {"g3"}
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(20))


def test_whole_groups_can_miss_the_fractions():
    groups = np.repeat(["big", "a", "b"], [10, 1, 1])
    train, val, test = train_val_test_split(12, val=0.0, test=0.5, groups=groups)
    assert (len(train), len(val), len(test)) == (10, 0, 2)


def test_every_needed_part_gets_a_group():
    groups = np.repeat(["big", "a", "b"], [10, 1, 1])
    # the ones are nearer train's 10.8 rows than val's and test's 0.6: one goes to train
    # first, and is then moved to the part left empty
    train, val, test = train_val_test_split(12, val=0.05, test=0.05, groups=groups)
    assert set(groups[train]) == {"big"} and len(val) == len(test) == 1


def test_stratified_groups_keep_the_class_mix():
    # 10 groups of class a and 10 of class b, 2 rows each: each half gets 5 of each
    groups = np.repeat(np.arange(20), 2)
    y = np.repeat(["a", "b"], 20)
    for seed in range(5):
        train, _, test = train_val_test_split(y, val=0.0, test=0.5, stratify=True, seed=seed,
                                              groups=groups)
        assert [np.sum(y[p] == "a") for p in (train, test)] == [10, 10]
        assert not _crossing((train, test), groups)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=5, max_size=30), st.integers(2, 5),
       st.integers(0, 100))
def test_group_folds_partition_rows_and_groups(sizes, k, seed):
    if len(sizes) < k:
        return
    groups = np.repeat(np.arange(len(sizes)), sizes)
    folds = k_fold_split(len(groups), k, seed=seed, groups=groups)
    assert sorted(np.concatenate(folds).tolist()) == list(range(len(groups)))
    assert all(len(f) for f in folds) and not _crossing(folds, groups)
    # a fold is over n/k by less than its largest group
    assert max(len(f) for f in folds) < len(groups) / k + max(sizes)


def test_equal_groups_give_equal_folds_and_the_seed_picks_them():
    groups = np.repeat(np.arange(12), 3)
    a = k_fold_split(36, 4, seed=0, groups=groups)
    assert [len(f) for f in a] == [9, 9, 9, 9]
    b = k_fold_split(36, 4, seed=5, groups=groups)
    assert any(not np.array_equal(x, y) for x, y in zip(a, b))
    assert all(np.array_equal(x, y) for x, y in zip(a, k_fold_split(36, 4, seed=0,
                                                                     groups=groups)))


@pytest.mark.parametrize("call, match", [
    (lambda: train_val_test_split(4, 0.0, 0.5, groups=["a"] * 4),
     "groups has 1 distinct group.*a split into train/test needs at least 2"),
    (lambda: k_fold_split(6, 4, groups=[1, 1, 2, 2, 3, 3]),
     "groups has 3 distinct group.*k=4 folds needs at least 4"),
    (lambda: train_val_test_split(3, groups=["a", None, "b"]),
     r"1 missing value\(s\) \(rows \[1\]"),
    (lambda: train_val_test_split(3, groups=["a", "b"]), r"one value per row \(3\)"),
    (lambda: train_val_test_split(3, groups=[1, 2, 3], order=[1, 2, 3]),
     "groups and order cannot be combined"),
])
def test_errors_name_the_problem(call, match):
    with pytest.raises(DataError, match=match):
        call()
