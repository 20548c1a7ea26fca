"""Permutation importance against a computation written out in the test, and on a model whose
answer is known."""

import numpy as np
import pytest

from mlkit.metrics import UndefinedMetric, accuracy, permutation_importance, r2


def _linear(X):
    """A 'model' that reads only column 0 (and column 2 a little)."""
    return {"values": 3.0 * X[:, 0] + 0.1 * X[:, 2]}


def _data(n=200):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 4))
    return X, 3.0 * X[:, 0] + 0.1 * X[:, 2] + rng.normal(scale=0.1, size=n)


def test_matches_shuffling_by_hand():
    X, y = _data()
    groups = {"a": [0], "b_and_d": [1, 3], "c": [2]}
    found = permutation_importance(_linear, X, y, "r2", groups, n_repeats=3, seed=7)
    rng = np.random.default_rng(7)
    reference = r2(y, _linear(X)["values"])
    expected = []
    for columns in groups.values():
        for _ in range(3):
            order = rng.permutation(len(X))
            shuffled = X.copy()
            for column in columns:  # one permutation for the whole group
                shuffled[:, column] = X[order, column]
            expected.append(reference - r2(y, _linear(shuffled)["values"]))
    assert found.reference == pytest.approx(reference)
    np.testing.assert_allclose(found.drops, np.reshape(expected, (3, 3)))
    assert found.names == ["a", "b_and_d", "c"]
    np.testing.assert_allclose(found.std, np.reshape(expected, (3, 3)).std(axis=1))


def test_the_column_the_target_depends_on_ranks_first_and_unused_ones_score_zero():
    X, y = _data()
    found = permutation_importance(_linear, X, y, "r2", n_repeats=5)
    table = found.frame()
    assert table["column"].tolist()[:2] == ["0", "2"]
    assert table["mean"][0] > 1.5  # shuffling x0 destroys the fit (r2 falls below 0)
    assert 0 < table["mean"][1] < 0.01
    unused = table.set_index("column").loc[["1", "3"], ["mean", "std"]]
    assert (unused.to_numpy() == 0).all()  # the model never reads them


def test_an_error_metric_counts_a_rise_as_a_loss():
    X, y = _data()
    found = permutation_importance(_linear, X, y, "mse", {"x0": [0]}, n_repeats=2)
    assert (found.drops > 0).all()

    def classify(X):
        labels = (X[:, 0] > 0).astype(int)
        return {"labels": labels, "proba": np.stack([1.0 - labels, labels], axis=1)}
    labels = (X[:, 0] > 0).astype(int)
    found = permutation_importance(classify, X, labels, "accuracy", {"x0": [0]}, n_repeats=1,
                                   seed=3)
    order = np.random.default_rng(3).permutation(len(X))
    assert found.drops[0, 0] == pytest.approx(1 - accuracy(labels, labels[order]))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"metric": "accuracy_score"}, "unknown metric 'accuracy_score'"),
    ({"metric": "accuracy", "task": "regression"}, "is for classification"),
    ({"n_repeats": 0}, "n_repeats must be an integer >= 1, got 0"),
    ({"seed": -1}, "seed must be an integer >= 0, got -1"),
    ({"groups": {"x": [4]}}, r"groups\['x'\] must list column indices of X \(0..3\)"),
    ({"groups": {}}, "groups must be a non-empty dict"),
])
def test_bad_arguments_are_named(kwargs, message):
    X, y = _data(20)
    arguments = {"metric": "r2", **kwargs}
    with pytest.raises(ValueError, match=message):
        permutation_importance(_linear, X, y, **arguments)


def test_rows_must_match_targets():
    X, y = _data(20)
    with pytest.raises(ValueError, match="one row per target"):
        permutation_importance(_linear, X, y[:10], "r2")


def test_a_metric_undefined_on_the_rows_is_refused_with_the_reason():
    X = np.arange(8.0).reshape(4, 2)

    def predict(rows):
        proba = np.column_stack([1 - rows[:, 0] / 10, rows[:, 0] / 10])
        return {"labels": proba.argmax(axis=1), "proba": proba}

    with pytest.raises(UndefinedMetric, match=r"'roc_auc' has no value on these 4 rows.*"
                                              r"both classes"):
        permutation_importance(predict, X, np.zeros(4, dtype=np.int64), "roc_auc")
    # both classes present: defined, and shuffling the unused column 1 costs nothing
    found = permutation_importance(predict, X, np.array([0, 0, 1, 1]), "roc_auc")
    assert found.reference == 1.0 and found.mean[1] == 0.0
