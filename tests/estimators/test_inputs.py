"""The quick validation path returns what scikit-learn's validate_data returns, and leaves
every input it does not fully understand to scikit-learn."""

import numpy
import pandas
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator
from sklearn.utils.validation import validate_data

from mlkit.estimators import LogisticRegression, MLPRegressor, inputs

RNG = numpy.random.default_rng(0)
FEATURES = {
    "float64": RNG.standard_normal((12, 3)),
    "float32": RNG.standard_normal((12, 3)).astype(numpy.float32),
    "int": RNG.integers(-5, 5, (12, 3)),
    "fortran": numpy.asfortranarray(RNG.standard_normal((12, 3))),
}
TARGETS = {
    "int": RNG.integers(0, 3, 12),
    "bool": RNG.random(12) > 0.5,
    "integral float": RNG.integers(0, 2, 12).astype(float),
}


class Probe(BaseEstimator):
    pass


@pytest.mark.parametrize("x_kind", sorted(FEATURES))
@pytest.mark.parametrize("y_kind", sorted(TARGETS))
@pytest.mark.parametrize("dtype", [numpy.float64, [numpy.float64, numpy.float32]])
def test_quick_path_returns_what_scikit_learn_returns(x_kind, y_kind, dtype, monkeypatch):
    X, y = FEATURES[x_kind], TARGETS[y_kind]
    expected_X, expected_y = validate_data(Probe(), X, y, dtype=dtype, accept_sparse=False)
    monkeypatch.setattr(inputs, "validate_data", None)  # any fallback would now fail
    probe = Probe()
    got_X, got_y = inputs.validate_train(probe, X, y, reset=True, dtype=dtype,
                                         multi_output=False, y_numeric=False)
    assert got_X.dtype == expected_X.dtype and got_y.dtype == expected_y.dtype
    assert_array_equal(got_X, expected_X)
    assert_array_equal(got_y, expected_y)
    assert probe.n_features_in_ == 3
    inputs.check_classification_labels(got_y)


@pytest.mark.parametrize("X, y", [
    (numpy.array([[1.0, numpy.nan], [0.0, 1.0]]), numpy.array([0, 1])),
    (numpy.array([[1.0, numpy.inf], [0.0, 1.0]]), numpy.array([0, 1])),
    (numpy.array([[1.0, 2.0], [0.0, 1.0]]), numpy.array([0.0, numpy.nan])),
    (numpy.array([[1.0 + 1j, 2.0], [0.0, 1.0]]), numpy.array([0, 1])),
    (numpy.array([1.0, 2.0]), numpy.array([0, 1])),
    (numpy.array([[1.0, 2.0], [0.0, 1.0]]), numpy.array([0, 1, 1])),
])
def test_invalid_inputs_get_scikit_learns_own_error(X, y):
    with pytest.raises(ValueError) as ours:
        LogisticRegression().fit(X, y)
    with pytest.raises(ValueError) as theirs:
        validate_data(LogisticRegression(), X, y, dtype=numpy.float64, accept_sparse=False)
    assert str(ours.value) == str(theirs.value)


def test_continuous_labels_are_refused_as_scikit_learn_refuses_them():
    X = RNG.standard_normal((6, 2))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        LogisticRegression().fit(X, numpy.linspace(0.0, 1.0, 6))


def test_feature_names_follow_the_latest_fit_and_are_checked_at_predict():
    X = pandas.DataFrame(RNG.standard_normal((20, 2)), columns=["a", "b"])
    y = numpy.arange(20) % 2
    model = LogisticRegression().fit(X, y)
    assert list(model.feature_names_in_) == ["a", "b"]
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        model.predict(X.to_numpy())
    model.fit(X.to_numpy(), y)
    assert not hasattr(model, "feature_names_in_")
    with pytest.raises(ValueError, match="expecting 2 features"):
        model.predict(numpy.ones((3, 5)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_multi_output_targets_take_the_quick_path_for_regressors(monkeypatch):
    X, Y = RNG.standard_normal((30, 3)), RNG.standard_normal((30, 2))
    monkeypatch.setattr(inputs, "validate_data", None)
    model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, Y)
    assert model.predict(X).shape == (30, 2)


@pytest.mark.parametrize("y", [
    numpy.array([3, -2, 3, 7, -2]), numpy.array([1.0, 0.0, 1.0, 1.0]),
    numpy.array([4, 2, 3, 3, 2], numpy.int32), numpy.array([-1.0, 1.0, 0.0, -1.0]),
    numpy.array([5, 5, 5], numpy.uint8), numpy.array([0.5, 2.0, 0.5]),
    numpy.array([0, 10**9, 0]), numpy.array([2**63 - 1, 0], numpy.uint64),
    numpy.array([1e20, -1e20]), numpy.array([2**64 - 1, 1], numpy.uint64),
    numpy.array(["b", "a", "b"], dtype=object),
    numpy.array([True, False, True])])
def test_encode_labels_equals_numpy_unique(y):
    classes, index = inputs.encode_labels(y)
    expected_classes, expected_index = numpy.unique(y, return_inverse=True)
    assert classes.dtype == expected_classes.dtype and index.dtype == expected_index.dtype
    numpy.testing.assert_array_equal(classes, expected_classes)
    numpy.testing.assert_array_equal(index, expected_index)


def test_sparse_features_are_refused_with_the_pipeline_fix():
    """A OneHotEncoder's default output is sparse: the error says how to make it dense."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    codes = RNG.integers(0, 40, (200, 1))
    labels = (codes[:, 0] % 2).astype(int)
    pipeline = make_pipeline(OneHotEncoder(), LogisticRegression())
    with pytest.raises(TypeError, match=r"LogisticRegression needs dense X.*csr.*toarray.*"
                       r"OneHotEncoder\(sparse_output=False\)"):
        pipeline.fit(codes, labels)
    fitted = make_pipeline(OneHotEncoder(sparse_output=False), LogisticRegression()).fit(
        codes, labels)
    with pytest.raises(TypeError, match="needs dense X"):
        fitted[-1].predict(OneHotEncoder().fit_transform(codes))
    assert fitted.score(codes, labels) == 1.0
