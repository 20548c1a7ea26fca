"""Standardizer, OneHotEncoder and LabelEncoder: numbers by hand, state round trips, errors."""

import json

import numpy as np
import pytest

from mlkit.data import DataError, LabelEncoder, OneHotEncoder, Standardizer, class_weights


def test_standardizer_by_hand():
    X = np.array([[1.0, 10.0, 5.0], [3.0, 10.0, 7.0], [5.0, 10.0, 9.0]])
    s = Standardizer().fit(X)
    # column 0: mean 3, population std sqrt(8/3); column 1 constant -> scale 1
    np.testing.assert_allclose(s.mean_, [3.0, 10.0, 7.0])
    np.testing.assert_allclose(s.scale_, [np.sqrt(8 / 3), 1.0, np.sqrt(8 / 3)])
    Z = s.transform(np.array([[3.0 + np.sqrt(8 / 3), 12.0, 7.0]]))
    np.testing.assert_allclose(Z, [[1.0, 2.0, 0.0]])
    np.testing.assert_allclose(s.inverse_transform(s.transform(X)), X)


def test_standardizer_uses_training_rows_only():
    train, test = np.array([[0.0], [2.0]]), np.array([[100.0]])
    s = Standardizer().fit(train)
    assert s.transform(test)[0, 0] == pytest.approx(99.0)


@pytest.mark.parametrize("dtype, expected", [(np.float32, np.float32),
                                             (np.float64, np.float64),
                                             (np.int64, np.float64)])
def test_standardizer_keeps_float_dtype(dtype, expected):
    X = np.arange(12).reshape(4, 3).astype(dtype)
    s = Standardizer()
    assert s.fit_transform(X).dtype == expected
    assert s.inverse_transform(s.transform(X)).dtype == expected


def test_standardizer_state_round_trip():
    X = np.random.default_rng(0).normal(size=(20, 4))
    s = Standardizer().fit(X)
    restored = Standardizer.from_state(s.state())
    np.testing.assert_array_equal(restored.transform(X), s.transform(X))
    assert set(s.state()) == {"mean", "scale"}


@pytest.mark.parametrize("call, match", [
    (lambda: Standardizer().transform(np.ones((2, 2))), "before fit"),
    (lambda: Standardizer().state(), "before fit"),
    (lambda: Standardizer().fit(np.ones(3)), "2-D"),
    (lambda: Standardizer().fit([[1.0, 2.0], [3.0]]), "X is ragged"),
    (lambda: Standardizer().fit(np.ones((0, 3))), "at least one row"),
    (lambda: Standardizer().fit(np.array([[1.0], [np.nan]])), "NaN or infinite.*row 1"),
    (lambda: Standardizer().fit(np.ones((2, 2))).transform(np.ones((2, 3))), "2 columns"),
    (lambda: Standardizer.from_state({"mean": [0.0]}), "keys 'mean' and 'scale'"),
    (lambda: Standardizer.from_state({"mean": [0.0], "scale": [0.0]}), "positive scales"),
    (lambda: Standardizer.from_state({"mean": [0.0, 1.0], "scale": [1.0]}), "equal length"),
    (lambda: Standardizer.from_state({"mean": ["a"], "scale": [1.0]}), "must hold numbers"),
])
def test_standardizer_errors(call, match):
    with pytest.raises(DataError, match=match):
        call()


def test_standardizer_rejects_text():
    with pytest.raises(TypeError, match="must hold numbers"):
        Standardizer().fit(np.array([["a"]]))


def test_one_hot_by_hand():
    values = [["red", 2007], ["blue", 2008], ["red", 2008]]
    enc = OneHotEncoder().fit(values, names=["color", "year"])
    assert enc.categories_ == [["blue", "red"], ["2007", "2008"]]
    assert enc.feature_names() == ["color=blue", "color=red", "year=2007", "year=2008"]
    expected = [[0, 1, 1, 0], [1, 0, 0, 1], [0, 1, 0, 1]]
    np.testing.assert_array_equal(enc.transform(values), expected)


def test_one_hot_dtype_and_json_state():
    enc = OneHotEncoder(dtype="float32").fit([["b"], ["a"]], names=["c"])
    assert enc.transform([["a"]]).dtype == np.float32
    restored = OneHotEncoder.from_state(json.loads(json.dumps(enc.state())))
    np.testing.assert_array_equal(restored.transform([["b"], ["a"]]), [[0, 1], [1, 0]])
    assert restored.transform([["a"]]).dtype == np.float32


def test_one_hot_unknown_category_is_an_error():
    enc = OneHotEncoder().fit([["a"], ["b"]], names=["letter"])
    assert [(c, v, r.tolist()) for c, v, r in enc.unknown([["a"], ["z"], ["z"]])] == [
        ("letter", "z", [1, 2])]
    with pytest.raises(DataError, match=r"'letter' has category 'z' \(row index 1\).*'a', 'b'"):
        enc.transform([["a"], ["z"]])


@pytest.mark.parametrize("call, match", [
    (lambda: OneHotEncoder().fit([["a", None]]), "missing value.*row 0, column 1"),
    (lambda: OneHotEncoder().fit([["a"], [float("nan")]]), "missing value.*row 1"),
    (lambda: OneHotEncoder().fit(["a", "b"]), "2-D"),
    (lambda: OneHotEncoder().fit([["a"]], names=["x", "y"]), "2 names for 1 columns"),
    (lambda: OneHotEncoder().transform([["a"]]), "before fit"),
    (lambda: OneHotEncoder().fit([["a"]]).transform([["a", "b"]]), "fitted on 1 columns"),
    (lambda: OneHotEncoder.from_state({"names": ["x"]}), "keys 'names'"),
    (lambda: OneHotEncoder.from_state({"names": ["x"], "categories": [["b", "a"]],
                                       "dtype": "float64"}), "sorted list"),
])
def test_one_hot_errors(call, match):
    with pytest.raises(DataError, match=match):
        call()


def test_one_hot_dtype_must_be_float():
    with pytest.raises(TypeError, match="float32 or float64, got 'int64'"):
        OneHotEncoder(dtype="int64").fit([["a"]])


def test_label_encoder_round_trip():
    enc = LabelEncoder().fit(["dog", "cat", "dog", "emu"])
    np.testing.assert_array_equal(enc.classes_, ["cat", "dog", "emu"])
    idx = enc.transform(["emu", "cat"])
    np.testing.assert_array_equal(idx, [2, 0])
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(enc.inverse_transform(idx), ["emu", "cat"])
    restored = LabelEncoder.from_state(enc.state())
    np.testing.assert_array_equal(restored.transform(["dog"]), [1])


def test_label_encoder_keeps_label_dtype():
    enc = LabelEncoder().fit(np.array([3.5, 1.5], dtype=np.float32))
    assert enc.inverse_transform([0, 1]).dtype == np.float32
    np.testing.assert_array_equal(enc.inverse_transform([1, 0]), [3.5, 1.5])


@pytest.mark.parametrize("call, match", [
    (lambda: LabelEncoder().fit(["a", "b"]).transform(["c"]), r"not seen.*\['c'\]"),
    (lambda: LabelEncoder().fit(["a", "b"]).inverse_transform([2]), r"\[0, 2\)"),
    (lambda: LabelEncoder().fit([[1, 2]]), "1-D"),
    (lambda: LabelEncoder().fit([[1], [2, 3]]), "y is ragged"),
    (lambda: LabelEncoder().fit([1.0, np.nan]), "1 NaN label"),
    (lambda: LabelEncoder().fit(np.array(["a", None], dtype=object)), "missing labels"),
    (lambda: LabelEncoder().transform([1]), "before fit"),
    (lambda: LabelEncoder.from_state({"classes": ["b", "a"]}), "sorted and distinct"),
])
def test_label_encoder_errors(call, match):
    with pytest.raises(DataError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: LabelEncoder().fit(np.array(["a", 1], dtype=object)), "mixes label types"),
    (lambda: LabelEncoder().fit([0, 1]).inverse_transform([0.0]), "must be integers"),
])
def test_label_encoder_type_errors(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_balanced_class_weights_make_rare_classes_count_more():
    # counts (3, 1, 0) of 4 rows: 4 / (3 * count), an absent class counted as 1
    got = class_weights("balanced", np.array([0, 0, 0, 1]), 3)
    np.testing.assert_allclose(got, [4 / 9, 4 / 3, 4 / 3])
    assert got.dtype == np.float64


def test_class_weights_from_a_dict_leave_other_classes_at_one():
    np.testing.assert_array_equal(class_weights({1: 2.5}, np.array([0, 1, 2]), 3), [1, 2.5, 1])
