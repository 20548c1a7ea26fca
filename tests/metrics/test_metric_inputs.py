"""Metric inputs: hand-computed values and the errors bad arrays get."""

import numpy as np
import pytest

from mlkit.metrics import (
    METRICS,
    accuracy,
    averaged_forms,
    check_metrics,
    confusion_matrix,
    log_loss,
    mse,
    precision,
    r2,
    recall,
)

P3 = np.array([[0.7, 0.2, 0.1],
               [0.1, 0.8, 0.1],
               [0.2, 0.2, 0.6],
               [0.5, 0.3, 0.2],
               [0.3, 0.3, 0.4]])


def test_log_loss_clips_certain_mistakes():
    assert log_loss([1], [0.0], eps=1e-7) == pytest.approx(-np.log(1e-7))
    assert log_loss([0, 1], [[1.0, 0.0], [0.0, 1.0]]) == pytest.approx(-np.log(1 - 1e-15))
    assert log_loss([1, 0], [0.9, 0.4]) == pytest.approx(-np.mean(np.log([0.9, 0.6])))


def test_r2_constant_target():
    assert r2([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert r2([2.0, 2.0], [2.0, 3.0]) == 0.0


def test_string_labels_and_explicit_label_order():
    y, pred = ["cat", "dog", "dog"], ["dog", "dog", "emu"]
    np.testing.assert_array_equal(confusion_matrix(y, pred), [[0, 1, 0], [0, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(confusion_matrix(y, pred, labels=["emu", "dog", "cat"]),
                                  [[0, 0, 0], [1, 1, 0], [0, 1, 0]])
    # never-predicted and never-true labels score 0
    assert precision(y, pred, "macro") == pytest.approx((0 + 0.5 + 0) / 3)
    assert recall(y, pred, "macro") == pytest.approx((0 + 0.5 + 0) / 3)


@pytest.mark.parametrize("call, match", [
    (lambda: accuracy([0, 1], [0]), r"shape \(2,\) but the predictions have shape \(1,\)"),
    (lambda: mse([], []), "non-empty"),
    (lambda: mse([1.0, np.nan], [1.0, 2.0]), "y_true has NaN or infinite"),
    (lambda: log_loss([0, 1], [[0.5, 0.6], [0.5, 0.5]]), "row 0 sums to 1.1.*softmax"),
    (lambda: log_loss([0, 1], [[2.0, -1.0], [0.5, 0.5]]), r"probabilities in \[0, 1\]"),
    (lambda: log_loss([0, 3], P3[:2]), "indices from 0 to 3, but proba has 3 classes"),
    (lambda: log_loss([0, 1, 2], P3[:2]), r"shape \(3,\) but proba has 2 rows"),
    (lambda: log_loss([0], [[1.0]]), r"k >= 2"),
    (lambda: log_loss([0], [0.5], eps=0.7), r"eps must be a finite number in \(0, 0.5\), got 0.7"),
    (lambda: confusion_matrix([0, 1], [0, 2], labels=[0, 1]), r"y_pred holds labels \[2\]"),
    (lambda: confusion_matrix([0, 1], [0, 1], labels=[0, 0, 1]), "distinct labels"),
    (lambda: accuracy([[0, 1]], [[0, 1]]), "labels must be 1-D"),
    (lambda: log_loss([0, 1], [[0.5, 0.5], [1.0]]), "proba is ragged"),
])
def test_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: log_loss(["a", "b"], [0.5, 0.5]), "integer class indices.*LabelEncoder"),
    (lambda: log_loss([0.5, 1.0], [0.5, 0.5]), "integer class indices"),
    (lambda: mse(["a"], ["b"]), "must hold numbers"),
    (lambda: log_loss([0], ["x"]), "proba must hold numbers"),
    (lambda: accuracy(["a", "b"], [0, 1]), "both be text labels or both numbers"),
    (lambda: confusion_matrix([0, 1], [1, 0], labels=["a", "b"]), "both be text"),
])
def test_type_errors(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_text_labels_in_an_object_array_are_text():
    """pandas holds strings as object arrays; they match the same labels as numpy strings."""
    frame_labels = np.array(["a", "b", "b"], dtype=object)
    assert accuracy(frame_labels, np.array(["a", "a", "b"])) == pytest.approx(2 / 3)
    assert accuracy(np.array(["a", "a", "b"]), frame_labels) == pytest.approx(2 / 3)
    with pytest.raises(TypeError, match="both be text labels or both numbers"):
        accuracy(frame_labels, [0, 1, 1])

def test_weighted_accuracy_counts_each_row_by_its_weight():
    # hits: 1, 0, 1, 1 with weights 1, 3, 0, 2 -> (1 + 0 + 0 + 2) / 6
    assert accuracy([0, 1, 2, 2], [0, 2, 2, 2], sample_weight=[1, 3, 0, 2]) == pytest.approx(0.5)
    assert accuracy([0, 1], [0, 1], sample_weight=[2.0, 5.0]) == 1.0
    with pytest.raises(ValueError, match="non-negative"):
        accuracy([0, 1], [0, 1], sample_weight=[1.0, -1.0])


@pytest.mark.parametrize("name, forms", [
    ("f1", ["f1_macro", "f1_weighted"]),
    ("roc_auc", ["roc_auc_ovr", "roc_auc_ovr_weighted"]),
    ("average_precision", ["roc_auc_ovr"]),  # no average of its own
])
def test_a_positive_class_metric_on_many_classes_names_metrics_that_exist(name, forms):
    assert averaged_forms(name) == forms and all(form in METRICS for form in forms)
    with pytest.raises(ValueError, match=f"the head is multiclass; use {' or '.join(forms)}\\.$"):
        check_metrics([name], "multiclass", n_classes=3)
