"""missing_indicator: one exact 0/1 column per input column with gaps in training, kept by the
schema so a file read later gets the same columns."""

import json

import numpy as np
import pytest

from mlkit.data import CsvSchema, DataError, load_csv

TRAIN = ("a,b,c,kind,y\n"
         "1,,5,p,0\n"
         "2,4,6,,1\n"
         ",8,7,q,0\n"
         "4,2,8,p,1\n")


@pytest.fixture
def train_file(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text(TRAIN)
    return path


def test_indicators_follow_every_other_input(train_file):
    data = load_csv(train_file, "y", categorical=["kind"], impute="mean",
                    missing_indicator=True)
    assert data.feature_names == ["a", "b", "c", "kind=p", "kind=q", "a=(missing)",
                                  "b=(missing)", "kind=(missing)"]
    # a's mean is 7/3, b's 14/3; kind's most frequent value is p
    np.testing.assert_allclose(data.X, [[1, 14 / 3, 5, 1, 0, 0, 1, 0],
                                        [2, 4, 6, 1, 0, 0, 0, 1],
                                        [7 / 3, 8, 7, 0, 1, 1, 0, 0],
                                        [4, 2, 8, 1, 0, 0, 0, 0]])
    assert data.schema.column_groups() == {"a": [0, 5], "b": [1, 6], "c": [2],
                                           "kind": [3, 4, 7]}


def test_off_by_default_and_float32_kept(train_file):
    plain = load_csv(train_file, "y", categorical=["kind"], impute="median")
    assert plain.feature_names == ["a", "b", "c", "kind=p", "kind=q"]
    marked = load_csv(train_file, "y", categorical=["kind"], impute="median", dtype="float32",
                      missing_indicator=True)
    assert marked.X.dtype == np.float32
    np.testing.assert_array_equal(marked.X[:, :5], plain.X[:, :5].astype(np.float32))


def test_a_later_file_gets_the_same_columns(train_file, tmp_path):
    schema = load_csv(train_file, "y", categorical=["kind"], impute="mean",
                      missing_indicator=True).schema
    schema = CsvSchema.from_dict(json.loads(json.dumps(schema.to_dict())))
    new = tmp_path / "new.csv"
    new.write_text("a,b,c,kind\n,1,,q\n3,,2,p\n")
    table = schema.read(new, target=False)
    # c had no gap in training: filled with its mean 6.5, but no indicator column
    np.testing.assert_allclose(table.X, [[7 / 3, 1, 6.5, 0, 1, 1, 0, 0],
                                         [3, 14 / 3, 2, 1, 0, 0, 1, 0]])


def test_an_older_schema_without_indicators_still_reads(train_file):
    state = load_csv(train_file, "y", categorical=["kind"], impute="mean").schema.to_dict()
    del state["indicators"]
    assert CsvSchema.from_dict(state).indicators == []
    with pytest.raises(DataError, match="'indicators' must be a list of feature columns"):
        CsvSchema.from_dict({**state, "indicators": ["nope"]})


@pytest.mark.parametrize("impute", [None, "drop"])
def test_needs_an_impute_that_fills(train_file, impute):
    words = "is not set" if impute is None else "drops rows"
    with pytest.raises(DataError, match=f"but impute {words}, which fills none; set impute to"):
        load_csv(train_file, "y", categorical=["kind"], impute=impute, missing_indicator=True)
    with pytest.raises(TypeError, match="missing_indicator must be True or False"):
        load_csv(train_file, "y", impute="mean", missing_indicator="yes")
