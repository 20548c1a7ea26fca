"""Bootstrap intervals that draw whole groups: the draws by hand, and rows as their own groups
giving the row bootstrap back."""

import numpy as np
import pytest

from mlkit.metrics import bootstrap
from mlkit.metrics.intervals import resample_counts


def test_one_row_groups_are_the_row_bootstrap():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 40)
    proba = rng.uniform(size=(40, 1))
    proba = np.hstack([1 - proba, proba])
    labels = proba.argmax(axis=1)
    rows = bootstrap(["accuracy", "log_loss"], y, labels=labels, proba=proba, n_resamples=200)
    groups = bootstrap(["accuracy", "log_loss"], y, labels=labels, proba=proba, n_resamples=200,
                       groups=[f"g{i:02d}" for i in range(40)])
    for name in ("accuracy", "log_loss"):
        np.testing.assert_array_equal(rows.draws[name], groups.draws[name])
    assert (rows.n_groups, groups.n_groups) == (None, 40)


def test_whole_groups_are_drawn():
    # group a: 3 rows, all right; group b: 1 row, wrong. Two draws of the two groups: aa (1.0),
    # ab or ba (3 of 4 right: 0.75), bb (0.0), with chances 1/4, 1/2, 1/4
    y, labels = np.array([1, 1, 1, 0]), np.array([1, 1, 1, 1])
    found = bootstrap(["accuracy"], y, labels=labels, n_resamples=4000,
                      groups=["a", "a", "a", "b"])
    values, counts = np.unique(found.draws["accuracy"], return_counts=True)
    assert values.tolist() == [0.0, 0.75, 1.0]
    np.testing.assert_allclose(counts / 4000, [0.25, 0.5, 0.25], atol=0.03)
    assert found.n_groups == 2 and found.model["accuracy"].value == 0.75
    first, block = next(resample_counts(4, 3, groups=["a", "a", "a", "b"]))
    assert all(row[0] == row[1] == row[2] and 3 * row[0] + row[3] in (2, 4, 6) for row in block)


def test_groups_must_match_the_rows():
    with pytest.raises(ValueError, match=r"one value per row \(4\)"):
        bootstrap(["accuracy"], [0, 1, 1, 0], labels=[0, 1, 1, 1], groups=["a", "b"])
