"""Reliability tables and expected calibration error computed by hand."""

import numpy as np
import pytest

from mlkit.metrics import calibration


def test_binary_bins_by_the_probability_of_class_1():
    y = [0, 1, 1, 0, 1, 1]
    p1 = [0.05, 0.15, 0.72, 0.78, 0.95, 1.0]
    found = calibration(y, p1, n_bins=5)
    table = found.table
    # bins of width 0.2: [0, .2) holds .05 and .15; [.6, .8) holds .72 and .78; [.8, 1] .95, 1
    assert table["low"].tolist() == pytest.approx([0.0, 0.6, 0.8])
    assert table["high"].tolist() == pytest.approx([0.2, 0.8, 1.0])
    assert table["count"].tolist() == [2, 2, 2]
    assert table["confidence"].tolist() == pytest.approx([0.1, 0.75, 0.975])
    assert table["frequency"].tolist() == pytest.approx([0.5, 0.5, 1.0])
    # ECE = (2 * |0.1 - 0.5| + 2 * |0.75 - 0.5| + 2 * |0.975 - 1|) / 6
    assert found.ece == pytest.approx((0.8 + 0.5 + 0.05) / 6)
    assert not found.top_label


def test_multiclass_is_top_label():
    proba = np.array([[0.7, 0.2, 0.1],   # predicts 0, right, confidence .7
                      [0.1, 0.6, 0.3],   # predicts 1, wrong, .6
                      [0.2, 0.2, 0.6],   # predicts 2, right, .6
                      [0.05, 0.9, 0.05]])  # predicts 1, right, .9
    found = calibration([0, 2, 2, 1], proba, n_bins=10)
    assert found.top_label
    assert found.table["count"].tolist() == [2, 1, 1]
    assert found.table["confidence"].tolist() == pytest.approx([0.6, 0.7, 0.9])
    assert found.table["frequency"].tolist() == pytest.approx([0.5, 1.0, 1.0])
    assert found.ece == pytest.approx((2 * 0.1 + 0.3 + 0.1) / 4)


def test_perfectly_calibrated_scores_zero():
    found = calibration([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], n_bins=4)
    assert found.ece == 0.0 and found.table["count"].tolist() == [4]


@pytest.mark.parametrize(("args", "error", "message"), [
    (([0, 1], [0.2, 0.8], 0), ValueError, "calibration: n_bins must be an integer >= 1, got 0"),
    (([0, 1], [0.2, 1.8], 10), ValueError, r"proba must hold probabilities in \[0, 1\]"),
    (([0, 2], [0.2, 0.8], 10), ValueError, "y_true holds class indices from 0 to 2"),
])
def test_bad_input_is_named(args, error, message):
    with pytest.raises(error, match=message):
        calibration(*args)
