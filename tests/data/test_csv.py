"""load_csv and CsvSchema: encodings by hand, the predict-time round trip, every error."""

import json
from pathlib import Path

import numpy as np
import pytest

from mlkit.data import CsvSchema, DataError, DataFileNotFoundError, load_csv

PENGUINS = Path(__file__).resolve().parents[2] / "datasets" / "penguins.csv"

TOY = """size,color,label
1.0,red,yes
,blue,no
3.0,red,no
6.0,,yes
"""



def test_toy_file_mean_imputation_by_hand(write):
    data = load_csv(write(TOY), "label", categorical=["color"], impute="mean")
    assert data.feature_names == ["size", "color=blue", "color=red"]
    # size mean over 1, 3, 6 = 10/3; color mode is red (2 of 3)
    expected = [[1, 0, 1], [10 / 3, 1, 0], [3, 0, 1], [6, 0, 1]]
    np.testing.assert_allclose(data.X, expected)
    assert data.target_names == ["no", "yes"]
    np.testing.assert_array_equal(data.y, [1, 0, 0, 1])
    assert (data.task, data.name) == ("classification", "data")
    assert data.schema.fill == {"size": 10 / 3, "color": "red"}


@pytest.mark.parametrize("impute, size_fill", [("median", 3.0), ("most_frequent", 1.0)])
def test_toy_file_other_imputations(write, impute, size_fill):
    data = load_csv(write(TOY), "label", categorical=["color"], impute=impute)
    assert data.X[1, 0] == size_fill


def test_drop_removes_incomplete_rows(write):
    data = load_csv(write(TOY), "label", categorical=["color"], impute="drop")
    np.testing.assert_array_equal(data.X, [[1, 1], [3, 1]])
    np.testing.assert_array_equal(data.y, [1, 0])
    assert data.feature_names == ["size", "color=red"]


def test_float32_on_request(write):
    data = load_csv(write("a,b,t\n1,x,0.5\n2,y,1.5\n"), "t", categorical=["b"], dtype="float32")
    assert data.X.dtype == np.float32 and data.y.dtype == np.float32
    np.testing.assert_array_equal(data.y, [0.5, 1.5])


@pytest.mark.parametrize("target_values, task", [
    (["a", "b", "a"], "classification"),
    (["0", "1", "2"], "classification"),
    (["0.5", "1.5", "2"], "regression"),
])
def test_task_inference(write, target_values, task):
    rows = "".join(f"{i},{t}\n" for i, t in enumerate(target_values))
    assert load_csv(write("x,t\n" + rows), "t").task == task


def test_many_integer_values_mean_regression(write):
    rows = "".join(f"{i},{i * 3}\n" for i in range(11))
    assert load_csv(write("x,t\n" + rows), "t").task == "regression"
    assert load_csv(write("x,t\n" + rows), "t", task="classification").n_classes == 11


def test_integer_class_labels_are_strings(write):
    data = load_csv(write("x,t\n1,2\n2,0\n3,2\n"), "t")
    assert data.target_names == ["0", "2"]
    np.testing.assert_array_equal(data.y, [1, 0, 1])


def test_schema_json_round_trip_reencodes_new_file(write):
    data = load_csv(write(TOY), "label", categorical=["color"], impute="mean")
    schema = CsvSchema.from_dict(json.loads(json.dumps(data.schema.to_dict())))
    new = write("color,size,extra\nblue,2.0,9\nred,,9\n", "new.csv")
    table = schema.read(new)
    assert table.y is None
    np.testing.assert_allclose(table.X, [[2.0, 1, 0], [10 / 3, 0, 1]])
    again = schema.read(write(TOY, "again.csv"))
    np.testing.assert_array_equal(again.X, data.X)
    np.testing.assert_array_equal(again.y, data.y)
    np.testing.assert_array_equal(schema.decode([1, 0]), ["yes", "no"])


def test_penguins_file():
    data = load_csv(PENGUINS, "species", categorical=["island", "sex"], impute="mean")
    assert data.X.shape == (344, 10)
    assert data.target_names == ["Adelie", "Chinstrap", "Gentoo"]
    np.testing.assert_array_equal(np.bincount(data.y), [152, 68, 124])
    assert data.schema.fill["bill_length_mm"] == pytest.approx(43.92193, abs=1e-5)
    assert data.schema.to_dict()["categorical"]["categories"] == [
        ["Biscoe", "Dream", "Torgersen"], ["female", "male"]]
    assert load_csv(PENGUINS, "species", categorical=["island", "sex"],
                    impute="drop").X.shape == (333, 10)


def test_penguins_missing_values_are_reported():
    with pytest.raises(DataError, match=r"penguins.csv' has missing values \('bill_length_mm': "
                                        r"2 row\(s\), lines 5, 273;.*'sex': 11 row\(s\).*"
                                        r"set data.csv.impute in a config \(impute= in "
                                        r"Python\) to mean"):
        load_csv(PENGUINS, "species", categorical=["island", "sex"])


def test_missing_values_and_text_columns_are_reported_together(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("code,x,label\nA1,1.5,a\nB2,,b\nC3,2.5,a\n")
    with pytest.raises(DataError, match=r"has 2 problems:\n- .*missing values \('x': 1 row\(s\), "
                                        r"line 3\).*\n- column 'code' .*is not numeric"):
        load_csv(path, "label")


@pytest.mark.parametrize("text, kwargs, match", [
    ("", {}, "is empty; it needs a header line"),
    ("x,t\n", {}, "has a header but no data rows"),
    ("x,t\n1,a\n", {"target": "tt"}, "target column 'tt' is not in .*columns are x, t.*'t'"),
    ("xa,t\n1,a\n", {"features": ["xb"]}, "features column 'xb' is not in.*Did you mean 'xa'"),
    ("x,t\n1,a\n2,b\n", {"features": ["x", "t"]}, "includes the target column 't'"),
    ("x,t\n1,a\n", {"features": ["x", "x"]}, "lists column 'x' more than once"),
    ("x,c,t\n1,u,a\n", {"features": ["x"], "categorical": ["c"]},
     "names column 'c' missing from features"),
    ("x,c,t\n1,u,a\n2,v,b\n", {}, ("column 'c' of .* is not numeric \\(e.g. 'u' on line 2\\); "
                                  "list it in a config's data.csv.categorical")),
    ("x,t\n1,a\n2,a\n", {}, "only one class \\(a\\)"),
    ("x,t\n1,\n2,\n", {}, r"target column 't' of .* has no values; fill it in"),
    ("x,t\n1,1.5\n2,z\n", {"task": "regression"}, "'t' .* is not numeric \\(e.g. 'z' on line 3"),
    ("x,y,t\n,1,a\n,2,b\n", {"impute": "median"}, "column 'x' .* has no values"),
    ("x,t\n,a\n1,\n", {"impute": "drop"}, "leaves no data"),
    ("x,t\n1,a\n", {"impute": "meen"}, "impute='meen' is not supported.*Did you mean 'mean'"),
    ("x,t\n1,a\n", {"task": "ranking"}, "task='ranking' is not supported"),
    ("t\na\nb\n", {}, "no feature columns besides the target"),
])
def test_errors(write, text, kwargs, match):
    kwargs = {"target": "t", **kwargs}
    with pytest.raises(DataError, match=match):
        load_csv(write(text), **kwargs)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileNotFoundError, match="nope.csv' does not exist"):
        load_csv(tmp_path / "nope.csv", "t")
    with pytest.raises(FileNotFoundError):
        load_csv(tmp_path / "nope.csv", "t")
    with pytest.raises(DataError, match="is a directory"):
        load_csv(tmp_path, "t")


@pytest.mark.parametrize("kwargs, match", [
    ({"path": 3, "target": "t"}, "path must be a file path"),
    ({"target": 0}, "target must be text of length >= 1, got int 0"),
    ({"target": "t", "features": "x"},
     r"features must be a list \(each item text\) or None, got str"),
    ({"target": "t", "dtype": "float16"}, "float32 or float64"),
])
def test_type_errors(write, kwargs, match):
    kwargs.setdefault("path", write("x,t\n1,a\n2,b\n"))
    with pytest.raises(TypeError, match=match):
        load_csv(**kwargs)


@pytest.mark.parametrize("new_text, match", [
    ("size,color\n1,green\n2,green\n", (r"'color' of '.*new.csv' has category 'green' \(lines 2, 3"
                                       r"\) not seen in training; known: 'blue', 'red'")),
    ("size\n1\n", "lacks feature column\\(s\\) color"),
    ("size,color,label\n1,red,maybe\n", r"label\(s\) \['maybe'\] not seen in training"),
    ("size,color\nbig,red\n", "column 'size' of .* is not numeric \\(e.g. 'big' on line 2"),
])
def test_predict_time_errors(write, new_text, match):
    schema = load_csv(write(TOY), "label", categorical=["color"], impute="mean").schema
    with pytest.raises(DataError, match=match):
        schema.read(write(new_text, "new.csv"))


def test_predict_time_gaps_need_a_fill_value(write):
    impute = None
    schema = load_csv(write("x,t\n1,a\n2,b\n"), "t", impute=impute).schema
    match = f"1 missing value.*'x' \\(line 3\\).*data.csv.impute: mean.*impute={impute!r}"
    with pytest.raises(DataError, match=match):
        schema.read(write("x\n1\nNA\n", "new.csv"))


def test_schema_dict_errors(write):
    good = load_csv(write(TOY), "label", categorical=["color"], impute="mean").schema.to_dict()
    with pytest.raises(DataError, match="needs exactly the keys target, task"):
        CsvSchema.from_dict({"target": "t"})
    with pytest.raises(DataError, match="'classes' list"):
        CsvSchema.from_dict({**good, "classes": None})
    with pytest.raises(DataError, match="'impute'='avg' is not supported"):
        CsvSchema.from_dict({**good, "impute": "avg"})
    with pytest.raises(DataError, match="'fill' names unknown columns \\['zz'\\]"):
        CsvSchema.from_dict({**good, "fill": {"zz": 1.0}})
    regression = load_csv(write("x,t\n1,0.5\n2,1.5\n"), "t").schema
    with pytest.raises(DataError, match="decode needs a classification schema"):
        regression.decode([0])


def test_column_lists_may_be_any_collection_of_names(write):
    """A numpy array or a pandas Index of names (a frame's columns) is a list of columns, as
    a list is; a bare string is not."""
    import pandas as pd

    path = write("a,b,c,y\n1,2,x,0\n3,4,z,1\n5,6,x,0\n7,8,z,1\n")
    for names in (np.array(["a", "c"]), pd.Index(["a", "c"]), {"a": 0, "c": 1}.keys()):
        data = load_csv(path, "y", features=names, categorical=np.array(["c"]))
        assert data.feature_names == ["a", "c=x", "c=z"]
        assert data.X[:, 0].tolist() == [1, 3, 5, 7]
    with pytest.raises(TypeError, match=r"features must be a list \(each item text\)"):
        load_csv(path, "y", features="a")
    with pytest.raises(TypeError, match=r"features must be a list \(each item text\)"):
        load_csv(path, "y", features=3)


def test_labels_differing_only_in_spaces_or_case_are_noted_at_training(write):
    """'Yes', 'yes ' and 'YES' stay three classes (the file is the record), but training
    says so: one class meant, three learned."""
    rows = "".join(f"{i},{['Yes', 'yes ', 'YES', 'no'][i % 4]}\n" for i in range(12))
    data = load_csv(write("x,t\n" + rows), "t")
    assert data.n_classes == 4
    assert data.notes == ["target 't': labels 'YES', 'Yes', 'yes ' differ only in spaces or "
                          "case, so they are different classes; correct them in the file if "
                          "one is meant"]
    assert load_csv(write("x,t\n1,a\n2,b\n3,a\n"), "t").notes == []
