"""mlkit.checks: the array checks data and metrics share say the same from either side, each
raising its own error kind."""

import numpy as np
import pytest

from mlkit.data import DataError, Standardizer, train_val_test_split
from mlkit.metrics import bootstrap, log_loss

LABELS = [0, 1, 1, 0]


def _message(call, kind):
    with pytest.raises(kind) as caught:
        call()
    return str(caught.value)


def test_ragged_input_reads_alike_from_data_and_metrics():
    from_data = _message(lambda: Standardizer().fit([[1.0, 2.0], [3.0]]), DataError)
    from_metrics = _message(lambda: log_loss([0, 1], [[0.5, 0.5], [1.0]]), ValueError)
    assert from_data == ("X is ragged (rows of different lengths); pass a rectangular array "
                         "with one row per sample.")
    assert from_metrics == from_data.replace("X is", "proba is")


@pytest.mark.parametrize("groups, words", [
    (["a", None, "b", np.nan], "groups has 2 missing value(s) (rows [1, 3]); give every row a "
                               "group."),
    (["a", "b"], "groups must be 1-D with one value per row (4), got shape (2,)."),
])
def test_groups_read_alike_from_a_split_and_a_bootstrap(groups, words):
    assert _message(lambda: train_val_test_split(4, groups=groups), DataError) == words
    found = _message(lambda: bootstrap(["accuracy"], LABELS, labels=LABELS, groups=groups),
                     ValueError)
    assert found == words


def test_a_bootstrap_counts_each_distinct_group_once():
    found = bootstrap(["accuracy"], LABELS, labels=[0, 1, 0, 0], n_resamples=50,
                      groups=["b", "a", "b", "c"])
    assert found.n_groups == 3
