"""mlkit estimators inside scikit-learn's tooling: pipelines, grid search, cross-validation,
clone, pandas frames; and mlkit's own npz save/load next to pickle."""

import contextlib
import pickle
import warnings

import numpy
import pandas
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlkit import estimators
from mlkit.estimators import LogisticRegression, MLPClassifier, MLPRegressor


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


def small(estimator_class, **options):
    if estimator_class is LogisticRegression:
        return LogisticRegression(**options)
    return estimator_class(hidden_layer_sizes=(8,), max_iter=30, random_state=0, **options)


def test_pipeline_and_grid_search_in_two_processes(iris):
    X, y = iris
    pipeline = make_pipeline(StandardScaler(), LogisticRegression())
    search = GridSearchCV(pipeline, {"logisticregression__C": [0.01, 1.0]}, cv=2, n_jobs=2)
    search.fit(X, y)
    assert search.best_params_["logisticregression__C"] == 1.0
    assert search.best_score_ > 0.9
    assert search.score(X, y) > 0.9


def test_cross_val_score_uses_mlkit_score(iris):
    X, y = iris
    scores = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=5)
    assert scores.shape == (5,) and scores.mean() > 0.9


@pytest.mark.parametrize("estimator_class", [LogisticRegression, MLPClassifier])
def test_clone_keeps_parameters_and_drops_the_fit(iris, estimator_class):
    X, y = iris
    fitted = small(estimator_class, tol=1e-3).fit(X, y)
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "classes_")


def test_pandas_frames_keep_feature_names(iris):
    X, y = iris
    frame = pandas.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    model = LogisticRegression(standard_errors=True).fit(frame, pandas.Series(y))
    assert model.feature_names_in_.tolist() == list(frame.columns)
    assert model.summary().index.get_level_values("feature")[0] == "sepal_l"
    with pytest.warns(UserWarning, match="feature names"):
        model.predict(X)
    regressor = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with pytest.warns(Warning):
        regressor.fit(frame.iloc[:, :3], frame["petal_w"])
    assert regressor.feature_names_in_.tolist() == ["sepal_l", "sepal_w", "petal_l"]


@pytest.mark.parametrize("estimator_class", [LogisticRegression, MLPClassifier, MLPRegressor])
def test_save_load_and_pickle_give_the_same_predictions(tmp_path, iris, estimator_class):
    X, y = iris
    target = X[:, 3] if estimator_class is MLPRegressor else numpy.array(["a", "b", "c"])[y]
    model = small(estimator_class)
    with pytest.warns(Warning) if estimator_class is not LogisticRegression else (
            contextlib.nullcontext()):
        model.fit(X[:, :3], target)
    model.save(tmp_path / "model.npz")
    for restored in (estimator_class.load(tmp_path / "model.npz"),
                     estimators.load(tmp_path / "model.npz"),
                     pickle.loads(pickle.dumps(model))):
        assert type(restored) is estimator_class
        assert restored.get_params() == model.get_params()
        numpy.testing.assert_array_equal(restored.predict(X[:, :3]), model.predict(X[:, :3]))
        assert restored.history_.rows == model.history_.rows
    with numpy.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


def test_load_refuses_another_class(tmp_path, iris):
    X, y = iris
    LogisticRegression().fit(X, y).save(tmp_path / "logreg.npz")
    with pytest.raises(ValueError, match="holds a LogisticRegression"):
        MLPClassifier.load(tmp_path / "logreg.npz")


def test_save_refuses_a_generator_parameter(tmp_path, iris):
    X, y = iris
    model = LogisticRegression(random_state=numpy.random.default_rng(0)).fit(X, y)
    with pytest.raises(TypeError, match="random_state=0"):
        model.save(tmp_path / "model.npz")


def test_blobs_defaults_converge_in_float32_and_float64():
    """(The MLPs' defaults on these blobs are covered by scikit-learn's checks, both dtypes.)"""
    X, y = make_blobs(n_samples=300, random_state=0)
    X = StandardScaler().fit_transform(X)
    for dtype in (numpy.float32, numpy.float64):
        assert LogisticRegression().fit(X.astype(dtype), y).score(X.astype(dtype), y) > 0.83
        mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
        with pytest.warns(Warning):
            mlp.fit(X.astype(dtype), y)
        assert mlp.coefs_[0].dtype == dtype
    mlp = MLPClassifier(dtype="float64", hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with pytest.warns(Warning):
        assert mlp.fit(X.astype(numpy.float32), y).coefs_[0].dtype == numpy.float64


@pytest.mark.parametrize("classes", [2, 3])
def test_float32_mlp_classifier_probabilities_stay_float32_and_match_float64_softmax(classes):
    X, y = make_blobs(n_samples=90, centers=classes, random_state=1)
    X = StandardScaler().fit_transform(X).astype(numpy.float32)
    mlp = MLPClassifier(hidden_layer_sizes=(5,), max_iter=40, tol=0.0, n_iter_no_change=40,
                        random_state=0)
    with pytest.warns(Warning, match="max_iter=40"):
        mlp.fit(X, y)
    proba, log_proba = mlp.predict_proba(X), mlp.predict_log_proba(X)
    assert proba.dtype == log_proba.dtype == numpy.float32
    # The float64 softmax of the model's own float32 scores, written out.
    scores = numpy.asarray(mlp.model_(X), dtype=numpy.float64)
    if classes == 2:
        scores = numpy.concatenate([numpy.zeros_like(scores), scores], axis=1)
    exact = numpy.exp(scores - scores.max(axis=1, keepdims=True))
    exact /= exact.sum(axis=1, keepdims=True)
    numpy.testing.assert_allclose(proba, exact, rtol=1e-6, atol=1e-7)
    numpy.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=4e-7)


@pytest.mark.parametrize("estimator_class", [MLPClassifier, MLPRegressor])
def test_pickling_mid_partial_fit_keeps_both_copies_on_course(iris, estimator_class):
    """Pickling (joblib.dump, deepcopy) must not take the optimizer's state from the live
    model: after it, both the model and its copy continue exactly as an unpickled twin."""
    X, y = iris
    target = X[:, 3] if estimator_class is MLPRegressor else y
    twin, model = (estimator_class(hidden_layer_sizes=(6,), random_state=0) for _ in range(2))
    for estimator in (twin, model):
        estimator.partial_fit(X[:, :3], target)
    copy = pickle.loads(pickle.dumps(model))
    for estimator in (twin, model, copy):
        estimator.partial_fit(X[:, :3], target)
    output = "predict" if estimator_class is MLPRegressor else "predict_proba"
    expected = getattr(twin, output)(X[:, :3])
    numpy.testing.assert_array_equal(getattr(model, output)(X[:, :3]), expected)
    numpy.testing.assert_array_equal(getattr(copy, output)(X[:, :3]), expected)


def test_a_saved_mlp_predicts_with_the_activation_it_was_fitted_with(tmp_path, iris):
    """Changing a parameter after the fit does not change the fitted model, nor its file."""
    X, _ = iris
    model = MLPRegressor(hidden_layer_sizes=(6,), max_iter=5, random_state=0)
    with pytest.warns(Warning):
        model.fit(X[:, :3], X[:, 3])
    fitted = model.predict(X[:, :3])
    model.set_params(activation="tanh")
    model.save(tmp_path / "model.npz")
    restored = MLPRegressor.load(tmp_path / "model.npz")
    numpy.testing.assert_array_equal(model.predict(X[:, :3]), fitted)
    numpy.testing.assert_array_equal(restored.predict(X[:, :3]), fitted)


def test_a_one_column_target_scores_as_its_column(iris):
    """A one-column DataFrame (or column vector) y is scored as scikit-learn scores it, so
    cross-validation gives numbers, not nan; text labels from numpy or pandas match alike."""
    X, y = iris
    column = pandas.DataFrame({"target": y})
    for model, target in ((LogisticRegression(), column),
                          (MLPRegressor(hidden_layer_sizes=(4,), max_iter=400, random_state=0),
                           pandas.DataFrame({"width": X[:, 3]}))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = cross_val_score(model, X[:, :3], target, cv=3, error_score="raise")
            plain = cross_val_score(model, X[:, :3], target.iloc[:, 0], cv=3)
        numpy.testing.assert_array_equal(scores, plain)
        assert numpy.isfinite(scores).all()
    names = numpy.array(["setosa", "versicolor", "virginica"])[y]
    model = LogisticRegression().fit(X, names)
    assert model.score(X, pandas.Series(names)) == model.score(X, names[:, None]) > 0.9
