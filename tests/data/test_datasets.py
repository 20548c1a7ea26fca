"""load_dataset and Dataset: known shapes and values, parameter pass-through, errors."""

import numpy as np
import pytest

from mlkit.data import DataError, Dataset, available_datasets, load_dataset

BUNDLED = {  # name: (rows, columns, classes or None)
    "iris": (150, 4, 3),
    "wine": (178, 13, 3),
    "breast_cancer": (569, 30, 2),
    "digits": (1797, 64, 10),
    "diabetes": (442, 10, None),
}


def test_available_datasets():
    assert available_datasets() == sorted(list(BUNDLED) + [
        "make_circles", "make_classification", "make_moons", "make_regression"])


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_shapes(name):
    n, d, k = BUNDLED[name]
    data = load_dataset(name)
    assert data.X.shape == (n, d) and data.y.shape == (n,)
    assert len(data.feature_names) == d
    assert data.name == name
    assert data.n_classes == k
    if k is None:
        assert data.task == "regression" and data.target_names is None
    else:
        assert data.task == "classification"
        assert data.y.dtype == np.int64 and set(np.unique(data.y)) == set(range(k))


def test_iris_values():
    data = load_dataset("iris")
    np.testing.assert_array_equal(data.X[0], [5.1, 3.5, 1.4, 0.2])
    assert data.target_names == ["setosa", "versicolor", "virginica"]
    np.testing.assert_array_equal(np.bincount(data.y), [50, 50, 50])
    assert data.feature_names[0] == "sepal length (cm)"


def test_float32_on_request():
    data = load_dataset("diabetes", dtype="float32")
    assert data.X.dtype == np.float32 and data.y.dtype == np.float32
    assert load_dataset("iris", dtype=np.float32).y.dtype == np.int64


def test_bundled_parameters_pass_through():
    data = load_dataset("digits", n_class=3)
    assert data.target_names == ["0", "1", "2"]
    assert set(np.unique(data.y)) == {0, 1, 2}


def test_generator_parameters_pass_through():
    data = load_dataset("make_classification", n_samples=37, n_features=5, n_informative=3,
                        n_redundant=0, n_classes=3)
    assert data.X.shape == (37, 5)
    assert data.feature_names == ["x0", "x1", "x2", "x3", "x4"]
    assert data.target_names == ["0", "1", "2"]
    regression = load_dataset("make_regression", n_samples=20, n_features=3, noise=0.0)
    assert regression.task == "regression" and regression.y.shape == (20,)


def test_moons_geometry_without_noise():
    data = load_dataset("make_moons", n_samples=40, noise=None)
    upper = data.X[data.y == 0]
    # the first moon is the upper half of the unit circle centred at the origin
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    circles = load_dataset("make_circles", n_samples=40, factor=0.5)
    radii = np.sort(np.unique(np.round(np.hypot(*circles.X.T), 12)))
    np.testing.assert_allclose(radii, [0.5, 1.0])


def test_seed_makes_generators_reproducible():
    a = load_dataset("make_moons", noise=0.1)
    b = load_dataset("make_moons", noise=0.1, random_state=0)
    c = load_dataset("make_moons", noise=0.1, random_state=1)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.allclose(a.X, c.X)


@pytest.mark.parametrize("args, kwargs, match", [
    (("irsi",), {}, "unknown dataset 'irsi'; available: breast_cancer.*Did you mean 'iris'"),
    (("make_moons",), {"noize": 0.1},
     "unknown parameter.*noize; allowed: n_samples, shuffle, noise, random_state.*'noise'"),
    (("make_regression",), {"coef": True}, "unknown parameter.*coef"),
    (("iris",), {"n_samples": 5}, "'iris' got unknown parameter.*allowed: none"),
    (("make_moons",), {"n_samples": -3}, "dataset 'make_moons'.*n_samples"),
])
def test_errors(args, kwargs, match):
    with pytest.raises(DataError, match=match):
        load_dataset(*args, **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"random_state": 1.5}, "random_state must be an int seed"),
    ({"dtype": "int32"}, "float32 or float64"),
])
def test_type_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        load_dataset("make_moons", **kwargs)


@pytest.mark.parametrize("fields, match", [
    ({"y": np.zeros(2, dtype=int)}, r"y must have shape \(3,\)"),
    ({"feature_names": ["a"]}, "1 feature names for 2 columns"),
    ({"task": "ranking"}, "task must be 'classification' or 'regression'"),
    ({"y": np.array([0, 1, 2])}, "class indices 0..1"),
    ({"target_names": None}, "target_names must be a list"),
    ({"X": np.zeros((3, 2), dtype=int)}, "2-D float array"),
])
def test_dataset_checks_its_fields(fields, match):
    good = {"X": np.zeros((3, 2)), "y": np.array([0, 1, 0]), "feature_names": ["a", "b"],
                "target_names": ["no", "yes"], "task": "classification", "name": "toy"}
    with pytest.raises(DataError, match=match):
        Dataset(**{**good, **fields})
