"""The interval table says when a bootstrap rests on too few rows or groups to mean much."""

import numpy as np

from mlkit.metrics import bootstrap
from mlkit.train.heads import Head
from mlkit.train.report import FEW_UNITS, interval_table


def _table(n_rows, groups=None):
    y = np.arange(n_rows) % 2
    proba = np.column_stack([1 - 0.3 * y - 0.2, 0.3 * y + 0.2])
    boot = bootstrap(["accuracy"], y, labels=y, proba=proba, n_resamples=50, groups=groups)
    return interval_table(Head("binary"), boot)


def test_few_groups_are_flagged_and_enough_rows_are_not():
    few = _table(12, groups=np.repeat([0, 1], 6))
    assert "resamples of the 2 groups (12 rows; whole groups drawn; seed 0)." in few
    assert "caution: only 2 groups to resample" in few
    assert "caution: only 6 rows to resample" in _table(6)
    assert "caution" not in _table(FEW_UNITS)
