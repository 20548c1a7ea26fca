"""Bootstrap intervals against a plain loop over resampled rows, and their coverage."""

import numpy as np
import pytest

from mlkit import metrics
from mlkit.metrics import bootstrap, intervals


def _reference(function, y, given, n_resamples, seed):
    """Each resample's value by copying the drawn rows (no weights), as a textbook loop."""
    rows = np.random.default_rng(seed).integers(0, len(y), size=(n_resamples, len(y)))
    found = []
    for drawn in rows:
        try:
            found.append(function(y[drawn], given[drawn]))
        except metrics.UndefinedMetric:
            found.append(np.nan)
    return np.array(found)


def _classes(n=60, k=3, seed=1):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    proba = rng.dirichlet(np.ones(k), n)
    proba[np.arange(n), y] += 0.4  # better than chance, with mistakes
    proba /= proba.sum(axis=1, keepdims=True)
    return y, proba


@pytest.mark.parametrize("name, function, reads", [
    ("accuracy", metrics.accuracy, "labels"),
    ("log_loss", metrics.log_loss, "proba"),
    ("brier", metrics.brier, "proba"),
    ("f1_macro", lambda y, p: metrics.f1(y, p, average="macro"), "labels"),
    ("balanced_accuracy", metrics.balanced_accuracy, "labels"),
    ("roc_auc_ovr", metrics.roc_auc_ovr, "proba"),
])
def test_classification_draws_match_a_loop_over_copied_rows(name, function, reads):
    y, proba = _classes()
    given = {"labels": proba.argmax(axis=1), "proba": proba}[reads]
    found = bootstrap([name], y, labels=proba.argmax(axis=1), proba=proba, n_resamples=300,
                      seed=7)
    expected = _reference(function, y, given, 300, 7)
    np.testing.assert_allclose(found.draws[name], expected, rtol=1e-12, atol=1e-12)
    interval = found.model[name]
    assert interval.value == pytest.approx(function(y, given), abs=1e-15)
    assert (interval.low, interval.high) == pytest.approx(
        tuple(np.percentile(expected, [2.5, 97.5])), abs=1e-12)


@pytest.mark.parametrize("name, function", [
    ("precision", metrics.precision),
    ("recall", metrics.recall),
    ("f1_weighted", lambda y, p: metrics.f1(y, p, average="weighted")),
    ("precision_macro", lambda y, p: metrics.precision(y, p, average="macro")),
    ("recall_weighted", lambda y, p: metrics.recall(y, p, average="weighted")),
])
def test_confusion_metrics_match_the_loop_when_a_class_is_rare(name, function):
    # class 1 is true in 3 rows and predicted in 5: many resamples lack it on one side
    y = np.array([0] * 30 + [1] * 3)
    pred = np.r_[np.zeros(26, int), np.ones(5, int), 0, 1]
    found = bootstrap([name], y, labels=pred, n_resamples=400, seed=3)
    np.testing.assert_allclose(found.draws[name], _reference(function, y, pred, 400, 3),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, function", [
    ("r2", metrics.r2), ("rmse", metrics.rmse), ("mae", metrics.mae), ("mse", metrics.mse),
    ("mape", metrics.mape), ("explained_variance", metrics.explained_variance)])
def test_regression_draws_match_a_loop_over_copied_rows(name, function):
    rng = np.random.default_rng(3)
    y = rng.normal(100, 20, 50)
    pred = y + rng.normal(0, 8, 50)
    found = bootstrap([name], y, values=pred, n_resamples=200, seed=11)
    np.testing.assert_allclose(found.draws[name], _reference(function, y, pred, 200, 11),
                               rtol=1e-10)


def test_paired_difference_uses_the_same_resamples():
    y, proba = _classes(n=80, k=2, seed=4)
    other = np.clip(proba + np.random.default_rng(5).normal(0, 0.2, proba.shape), 0.01, None)
    other /= other.sum(axis=1, keepdims=True)
    found = bootstrap(["accuracy", "roc_auc"], y, labels=proba.argmax(1), proba=proba,
                      baseline={"labels": other.argmax(1), "proba": other}, n_resamples=400,
                      seed=2)
    for name, function, a, b in (
            ("accuracy", metrics.accuracy, proba.argmax(1), other.argmax(1)),
            ("roc_auc", metrics.roc_auc, proba[:, 1], other[:, 1])):
        mine = _reference(function, y, a, 400, 2)
        theirs = _reference(function, y, b, 400, 2)
        difference = found.difference[name]
        assert difference.value == pytest.approx(function(y, a) - function(y, b), abs=1e-15)
        assert (difference.low, difference.high) == pytest.approx(
            tuple(np.percentile(mine - theirs, [2.5, 97.5])), abs=1e-12)
        assert found.baseline[name].value == pytest.approx(function(y, b), abs=1e-15)
    # paired: the difference's interval is narrower than an unpaired one would be
    spread = found.difference["roc_auc"].high - found.difference["roc_auc"].low
    unpaired = np.percentile(found.draws["roc_auc"] - np.roll(found.baseline_draws["roc_auc"], 1),
                             [2.5, 97.5])
    assert spread < unpaired[1] - unpaired[0]


def test_resamples_without_a_metric_are_counted_not_hidden():
    y = np.array([0] * 14 + [1] * 2)
    score = np.linspace(0, 1, 16)
    found = bootstrap(["roc_auc", "accuracy"], y, labels=(score > 0.5).astype(int),
                      proba=np.stack([1 - score, score], axis=1), n_resamples=500, seed=0)
    reference = _reference(metrics.roc_auc, y, score, 500, 0)
    one_class = int(np.isnan(reference).sum())
    assert one_class > 20  # (14/16)**16 of the resamples hold no positive row
    interval = found.model["roc_auc"]
    assert interval.undefined == one_class and found.model["accuracy"].undefined == 0
    defined = reference[~np.isnan(reference)]
    assert (interval.low, interval.high) == pytest.approx(
        tuple(np.percentile(defined, [2.5, 97.5])))


@pytest.mark.parametrize("name, function, k", [
    ("roc_auc", lambda y, p: metrics.roc_auc(y, p[:, 1]), 2),
    ("average_precision", lambda y, p: metrics.average_precision(y, p[:, 1]), 2),
    ("roc_auc_ovr", metrics.roc_auc_ovr, 3),
    ("roc_auc_ovr_weighted", lambda y, p: metrics.roc_auc_ovr(y, p, average="weighted"), 3),
])
def test_ranking_metrics_match_the_loop_with_ties_and_a_rare_class(name, function, k):
    rng = np.random.default_rng(8)
    y = np.r_[np.zeros(25, int), rng.integers(1, k, 3)]  # classes 1.. are rare
    raw = np.round(rng.dirichlet(np.ones(k), len(y)) * 3) + 0.5  # coarse: many ties
    raw[np.arange(len(y)), y] += 1
    proba = raw / raw.sum(axis=1, keepdims=True)
    found = bootstrap([name], y, proba=proba, n_resamples=400, seed=5)
    expected = _reference(function, y, proba, 400, 5)
    assert 10 < np.isnan(expected).sum() < 390
    np.testing.assert_allclose(found.draws[name], expected, rtol=1e-12, atol=1e-12)
    assert found.model[name].undefined == np.isnan(expected).sum()


def test_intervals_hold_the_estimate_and_narrow_as_rows_grow():
    rng = np.random.default_rng(0)
    widths = []
    for n in (100, 1600):
        y = rng.integers(0, 2, n)
        pred = np.where(rng.random(n) < 0.8, y, 1 - y)
        interval = bootstrap("accuracy", y, labels=pred, seed=1).model["accuracy"]
        assert interval.low < interval.value < interval.high
        widths.append(interval.high - interval.low)
    # the width falls like 1/sqrt(n): 16 times the rows, a quarter of the width
    assert widths[1] / widths[0] == pytest.approx(0.25, rel=0.2)


def test_a_known_proportion_is_covered_at_about_the_nominal_rate():
    truth, n, repeats = 0.7, 150, 300
    rng = np.random.default_rng(123)
    covered = 0
    for repeat in range(repeats):
        hits = (rng.random(n) < truth).astype(int)
        interval = bootstrap("accuracy", np.ones(n, int), labels=hits, n_resamples=400,
                             seed=repeat).model["accuracy"]
        covered += interval.low <= truth <= interval.high
    assert 0.90 <= covered / repeats <= 0.985


def test_same_seed_same_intervals_and_blocks_do_not_change_them(monkeypatch):
    y, proba = _classes(n=40)
    args = dict(labels=proba.argmax(1), proba=proba, n_resamples=250)
    first = bootstrap(["accuracy", "f1_macro"], y, seed=5, **args)
    assert first.model == bootstrap(["accuracy", "f1_macro"], y, seed=5, **args).model
    assert first.model != bootstrap(["accuracy", "f1_macro"], y, seed=6, **args).model
    monkeypatch.setattr(intervals, "_BLOCK_CELLS", 40 * 7)  # blocks of 7 resamples
    blocked = bootstrap(["accuracy", "f1_macro"], y, seed=5, **args)
    for name in ("accuracy", "f1_macro"):
        np.testing.assert_array_equal(blocked.draws[name], first.draws[name])


def test_float32_predictions_give_float64_intervals_of_the_same_numbers():
    y, proba = _classes()
    wide = bootstrap("log_loss", y, proba=proba, n_resamples=100).model["log_loss"]
    narrow = bootstrap("log_loss", y, proba=proba.astype(np.float32),
                       n_resamples=100).model["log_loss"]
    assert narrow.low == pytest.approx(wide.low, rel=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_resamples=0), "bootstrap: n_resamples must be an integer in [1, 100000], got 0"),
    (dict(n_resamples=2.5), "n_resamples must be an integer in [1, 100000], got 2.5"),
    (dict(n_resamples=10**10), "n_resamples must be an integer in [1, 100000], got 10000000000"),
    (dict(confidence=95), "confidence must be a finite number in (0, 1), got 95"),
    (dict(seed=-1), "seed must be an integer >= 0, got -1"),
    (dict(names=["acuracy"]), "did you mean 'accuracy'"),
    (dict(names=["log_loss"]), "needs proba, which were not given"),
    (dict(baseline={"label": [0, 1, 1]}), "baseline must be a dict with keys among labels"),
    (dict(baseline={"labels": [0, 1]}), "y_true has shape (3,) but the predictions have shape"),
    (dict(labels=[0, 1]), "y_true has shape (3,) but the predictions have shape (2,)"),
])
def test_bad_arguments_are_named_before_any_resampling(kwargs, message):
    arguments = dict(names=["accuracy"], y_true=[0, 1, 1], labels=[0, 1, 0])
    arguments.update(kwargs)
    names, y = arguments.pop("names"), arguments.pop("y_true")
    with pytest.raises((ValueError, TypeError)) as error:
        bootstrap(names, y, **arguments)
    assert message in str(error.value)
