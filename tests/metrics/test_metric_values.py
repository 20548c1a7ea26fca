"""Every metric against scikit-learn's (the reference) to 1e-12, ties and weights included."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk

from mlkit import metrics
from mlkit.metrics import METRICS, score

TOL = dict(rel=1e-12, abs=1e-12)


@st.composite
def problems(draw, k=None):
    """Labels, tied probabilities (rounded to a coarse grid) and optional weights."""
    k = k or draw(st.integers(2, 4))
    n = draw(st.integers(2 * k, 24))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    y = np.r_[np.arange(k), rng.integers(0, k, size=n - k)]
    rng.shuffle(y)
    raw = np.round(rng.dirichlet(np.ones(k), size=n) * 4) + 0.5  # few distinct values: ties
    proba = raw / raw.sum(axis=1, keepdims=True)
    w = rng.uniform(0.1, 3.0, size=n) if draw(st.booleans()) else None
    return y, proba, w


def _pred(proba):
    return (proba[:, 1] >= 0.5).astype(int) if proba.shape[1] == 2 else proba.argmax(axis=1)


@settings(max_examples=25, deadline=None)
@given(problems())
def test_label_metrics(problem):
    y, proba, w = problem
    pred = _pred(proba)
    k = proba.shape[1]
    assert metrics.accuracy(y, pred, sample_weight=w) == pytest.approx(
        sk.accuracy_score(y, pred, sample_weight=w), **TOL)
    assert metrics.balanced_accuracy(y, pred, sample_weight=w) == pytest.approx(
        sk.balanced_accuracy_score(y, pred, sample_weight=w), **TOL)
    averages = ("macro", "weighted") + (("binary",) if k == 2 else ())
    for ours, theirs in ((metrics.precision, sk.precision_score),
                         (metrics.recall, sk.recall_score), (metrics.f1, sk.f1_score)):
        for average in averages:
            assert ours(y, pred, average=average, sample_weight=w) == pytest.approx(
                theirs(y, pred, average=average, sample_weight=w, zero_division=0), **TOL)
    np.testing.assert_allclose(metrics.confusion_matrix(y, pred, sample_weight=w),
                               sk.confusion_matrix(y, pred, sample_weight=w), rtol=1e-12)
    table = metrics.per_class(y, pred, sample_weight=w)
    p, r, f, s = sk.precision_recall_fscore_support(y, pred, sample_weight=w, zero_division=0)
    for got, want in zip((table["precision"], table["recall"], table["f1"], table["support"]),
                         (p, r, f, s)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(problems())
def test_probability_metrics(problem):
    y, proba, w = problem
    k = proba.shape[1]
    assert metrics.log_loss(y, proba, sample_weight=w) == pytest.approx(
        sk.log_loss(y, proba, labels=range(k), sample_weight=w), **TOL)
    expected_brier = sk.brier_score_loss(y, proba[:, 1] if k == 2 else proba, sample_weight=w)
    assert metrics.brier(y, proba, sample_weight=w) == pytest.approx(expected_brier, **TOL)
    if k == 2:
        assert metrics.roc_auc(y, proba[:, 1], sample_weight=w) == pytest.approx(
            sk.roc_auc_score(y, proba[:, 1], sample_weight=w), **TOL)
        assert metrics.average_precision(y, proba[:, 1], sample_weight=w) == pytest.approx(
            sk.average_precision_score(y, proba[:, 1], sample_weight=w), **TOL)
        fpr, tpr, _ = sk.roc_curve(y, proba[:, 1], sample_weight=w, drop_intermediate=False)
        ours = metrics.roc_curve(y, proba[:, 1], sample_weight=w)
        np.testing.assert_allclose(ours[0], fpr, atol=1e-12)
        np.testing.assert_allclose(ours[1], tpr, atol=1e-12)
    for average in ("macro", "weighted"):
        assert metrics.roc_auc_ovr(y, proba, average=average, sample_weight=w) == pytest.approx(
            sk.roc_auc_score(y, proba, multi_class="ovr", average=average, sample_weight=w)
            if k > 2 else sk.roc_auc_score(y, proba[:, 1], sample_weight=w), **TOL)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from([(12,), (9, 2)]), st.booleans())
def test_regression_metrics(seed, shape, weighted):
    rng = np.random.default_rng(seed)
    y = np.round(rng.normal(size=shape), 1)
    pred = y + np.round(rng.normal(scale=0.5, size=shape), 1)
    w = rng.uniform(0.1, 3.0, size=shape[0]) if weighted else None
    for ours, theirs in ((metrics.r2, sk.r2_score), (metrics.mse, sk.mean_squared_error),
                         (metrics.rmse, sk.root_mean_squared_error),
                         (metrics.mae, sk.mean_absolute_error),
                         (metrics.mape, sk.mean_absolute_percentage_error),
                         (metrics.explained_variance, sk.explained_variance_score)):
        assert ours(y, pred, sample_weight=w) == pytest.approx(
            theirs(y, pred, sample_weight=w), **TOL), ours.__name__


def test_every_table_entry_matches_its_scikit_learn_scorer():
    """Each name means what scikit-learn's scorer of that name (negated: ``neg_<name>``)
    computes; a binary scorer reads P(class 1)."""
    rng = np.random.default_rng(0)
    y, target = rng.integers(0, 2, 30), rng.normal(size=30)
    proba = np.c_[1 - (p := rng.uniform(size=30)), p]
    values, pred = target + rng.normal(size=30), _pred(proba)
    negated = {"log_loss": "neg_log_loss", "brier": "neg_brier_score",
               "rmse": "neg_root_mean_squared_error", "mse": "neg_mean_squared_error",
               "mae": "neg_mean_absolute_error", "mape": "neg_mean_absolute_percentage_error"}
    for name, metric in METRICS.items():
        scorer = sk.get_scorer(negated.get(name, name))
        if metric.task == "regression":
            ours, truth, given = score([name], target, values=values), target, values
        else:
            ours, truth = score([name], y, labels=pred, proba=proba), y
            given = pred if metric.reads == "labels" else proba[:, 1]
        reference = scorer._sign * scorer._score_func(truth, given, **scorer._kwargs)
        assert ours[name] == pytest.approx(-reference if name in negated else reference,
                                           **TOL), name


def test_undefined_auc_is_nan_in_a_table_and_an_error_alone():
    assert np.isnan(score(["roc_auc"], [1, 1], proba=[[0.2, 0.8], [0.6, 0.4]])["roc_auc"])
    with pytest.raises(metrics.UndefinedMetric, match="both classes"):
        metrics.roc_auc([1, 1], [0.8, 0.4])


def test_by_hand():
    y3 = np.array([0, 1, 2, 2, 1])
    pred = np.array([0, 1, 2, 0, 2])
    # per class precision: 1/2, 1/1, 1/2; recall: 1/1, 1/2, 1/2
    assert metrics.precision(y3, pred, "macro") == pytest.approx((0.5 + 1 + 0.5) / 3)
    assert metrics.recall(y3, pred, "macro") == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert metrics.f1(y3, pred, "macro") == pytest.approx((2 / 3 + 2 / 3 + 0.5) / 3)
    # ranking: positives score 0.9, 0.5; negatives 0.5, 0.1 -> pairs won 1 + 1 + 0.5 + 1 of 4
    assert metrics.roc_auc([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1]) == pytest.approx(3.5 / 4)
    # thresholds 0.9 (P 1/1, R 1/2), 0.5 (P 2/3, R 1) -> 1/2 * 1 + 1/2 * 2/3
    assert metrics.average_precision([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1]) == pytest.approx(5 / 6)
    assert metrics.mape([2.0, -4.0], [1.0, -5.0]) == pytest.approx((0.5 + 0.25) / 2)


@pytest.mark.parametrize("call, match", [
    (lambda: metrics.f1([0, 1, 2], [0, 1, 1]), "average='binary' needs two classes"),
    (lambda: metrics.f1([0, 1], [0, 1], average="micro"),
     "f1: average must be 'binary' or 'macro' or 'weighted', got 'micro'"),
    (lambda: metrics.f1(["a", "b"], ["a", "b"]), "pos_label 1 is not one of"),
    (lambda: metrics.roc_auc_ovr([0, 1, 1], [[.2, .3, .5]] * 3), r"classes \[2\] are absent"),
    (lambda: metrics.roc_auc([0, 1], [0.5, np.nan]), "finite numbers of shape"),
    (lambda: metrics.mae([1.0], [1.0], sample_weight=[-1.0]), "non-negative"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
