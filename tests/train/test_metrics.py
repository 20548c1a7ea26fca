"""Metrics: hand-computed values, agreement with scikit-learn, and input errors."""

import numpy as np
import pytest
from sklearn import metrics as sk

from mlkit.train.metrics import (
    accuracy,
    classification_metrics,
    confusion_matrix,
    f1,
    log_loss,
    mae,
    mse,
    precision,
    r2,
    recall,
    regression_metrics,
    rmse,
)

Y3 = np.array([0, 1, 2, 2, 1])
P3 = np.array([[0.7, 0.2, 0.1],
               [0.1, 0.8, 0.1],
               [0.2, 0.2, 0.6],
               [0.5, 0.3, 0.2],
               [0.3, 0.3, 0.4]])


def test_classification_by_hand():
    pred = P3.argmax(axis=1)  # [0, 1, 2, 0, 2]
    assert accuracy(Y3, pred) == pytest.approx(3 / 5)
    expected_loss = -np.mean(np.log([0.7, 0.8, 0.6, 0.2, 0.3]))
    assert log_loss(Y3, P3) == pytest.approx(expected_loss)
    # per class precision: 1/2, 1/1, 1/2; recall: 1/1, 1/2, 1/2
    assert precision(Y3, pred) == pytest.approx((0.5 + 1 + 0.5) / 3)
    assert recall(Y3, pred) == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert f1(Y3, pred) == pytest.approx((2 / 3 + 2 / 3 + 0.5) / 3)
    np.testing.assert_array_equal(confusion_matrix(Y3, pred), [[1, 0, 0], [0, 1, 1], [1, 0, 1]])


def test_classification_metrics_dict():
    got = classification_metrics(Y3, P3)
    assert list(got) == ["accuracy", "log_loss", "precision", "recall", "f1"]
    assert got["accuracy"] == pytest.approx(0.6)
    assert got["log_loss"] == pytest.approx(-np.mean(np.log([0.7, 0.8, 0.6, 0.2, 0.3])))
    assert all(isinstance(v, float) for v in got.values())


def test_binary_probabilities_as_one_column():
    y = np.array([1, 0, 1, 0])
    p1 = np.array([0.9, 0.4, 0.5, 0.2])
    assert log_loss(y, p1) == pytest.approx(-np.mean(np.log([0.9, 0.6, 0.5, 0.8])))
    assert log_loss(y, p1) == pytest.approx(log_loss(y, np.stack([1 - p1, p1], axis=1)))
    # P(class 1) = 0.5 counts as a prediction of class 1
    assert classification_metrics(y, p1)["accuracy"] == 1.0


def test_log_loss_clips_certain_mistakes():
    assert log_loss([1], [0.0], eps=1e-7) == pytest.approx(-np.log(1e-7))
    assert log_loss([0, 1], [[1.0, 0.0], [0.0, 1.0]]) == pytest.approx(-np.log(1 - 1e-15))


def test_regression_by_hand():
    y, pred = np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0])
    assert mse(y, pred) == pytest.approx(1.5 / 4)
    assert rmse(y, pred) == pytest.approx(np.sqrt(1.5 / 4))
    assert mae(y, pred) == pytest.approx(2.0 / 4)
    # mean 2.875; SS_tot = 29.1875; SS_res = 1.5
    assert r2(y, pred) == pytest.approx(1 - 1.5 / 29.1875)
    got = regression_metrics(y, pred)
    assert list(got) == ["r2", "rmse", "mse", "mae"]
    assert got["mse"] == pytest.approx(0.375)


def test_r2_constant_target():
    assert r2([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert r2([2.0, 2.0], [2.0, 3.0]) == 0.0


def test_r2_two_outputs_is_the_mean_of_columns():
    y = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 5.0]])
    pred = np.array([[1.0, 1.0], [2.0, 1.0], [2.0, 4.0]])
    assert r2(y, pred) == pytest.approx((r2(y[:, 0], pred[:, 0]) + r2(y[:, 1], pred[:, 1])) / 2)


def test_string_labels_and_explicit_label_order():
    y, pred = ["cat", "dog", "dog"], ["dog", "dog", "emu"]
    np.testing.assert_array_equal(confusion_matrix(y, pred), [[0, 1, 0], [0, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(confusion_matrix(y, pred, labels=["emu", "dog", "cat"]),
                                  [[0, 0, 0], [1, 1, 0], [0, 1, 0]])
    # never-predicted and never-true labels score 0
    assert precision(y, pred) == pytest.approx((0 + 0.5 + 0) / 3)
    assert recall(y, pred) == pytest.approx((0 + 0.5 + 0) / 3)


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    k, n = 4, 60
    proba = rng.dirichlet(np.ones(k), size=n)
    y = rng.integers(0, k, size=n)
    pred = proba.argmax(axis=1)
    got = classification_metrics(y, proba)
    assert got["accuracy"] == pytest.approx(sk.accuracy_score(y, pred))
    assert got["log_loss"] == pytest.approx(sk.log_loss(y, proba, labels=range(k)))
    for name, fn in [("precision", sk.precision_score), ("recall", sk.recall_score),
                     ("f1", sk.f1_score)]:
        assert got[name] == pytest.approx(fn(y, pred, average="macro", zero_division=0))
    np.testing.assert_array_equal(confusion_matrix(y, pred), sk.confusion_matrix(y, pred))
    target, guess = rng.normal(size=(n, 2)), rng.normal(size=(n, 2))
    assert r2(target, guess) == pytest.approx(sk.r2_score(target, guess))
    assert mse(target, guess) == pytest.approx(sk.mean_squared_error(target, guess))
    assert mae(target, guess) == pytest.approx(sk.mean_absolute_error(target, guess))
    assert r2(target[:, 0], guess[:, 0]) == pytest.approx(sk.r2_score(target[:, 0], guess[:, 0]))


@pytest.mark.parametrize("call, match", [
    (lambda: accuracy([0, 1], [0]), r"shape \(2,\) but the predictions have shape \(1,\)"),
    (lambda: mse([], []), "non-empty"),
    (lambda: mse([1.0, np.nan], [1.0, 2.0]), "y_true has NaN or infinite"),
    (lambda: log_loss([0, 1], [[0.5, 0.6], [0.5, 0.5]]), "row 0 sums to 1.1.*softmax"),
    (lambda: log_loss([0, 1], [[2.0, -1.0], [0.5, 0.5]]), r"probabilities in \[0, 1\]"),
    (lambda: log_loss([0, 3], P3[:2]), "indices from 0 to 3, but proba has 3 classes"),
    (lambda: log_loss([0, 1, 2], P3[:2]), r"shape \(3,\) but proba has 2 rows"),
    (lambda: log_loss([0], [[1.0]]), r"k >= 2"),
    (lambda: log_loss([0], [0.5], eps=0.7), r"eps must lie in \(0, 0.5\)"),
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


def test_weighted_accuracy_counts_each_row_by_its_weight():
    from mlkit.train.metrics import accuracy

    # hits: 1, 0, 1, 1 with weights 1, 3, 0, 2 -> (1 + 0 + 0 + 2) / 6
    assert accuracy([0, 1, 2, 2], [0, 2, 2, 2], sample_weight=[1, 3, 0, 2]) == pytest.approx(0.5)
    assert accuracy([0, 1], [0, 1], sample_weight=[2.0, 5.0]) == 1.0
    with pytest.raises(ValueError, match="non-negative"):
        accuracy([0, 1], [0, 1], sample_weight=[1.0, -1.0])
