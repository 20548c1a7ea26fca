"""Rare categories share one '(other)' indicator: in the encoder, in load_csv, and for
categories first seen in a file read later."""

import numpy as np
import pytest

from mlkit.data import DataError, OneHotEncoder, load_csv

CITIES = [["Paris"], ["Lyon"], ["Paris"], ["Nice"], ["Lyon"], ["Paris"], ["Brest"]]


def test_encoder_groups_values_seen_fewer_than_min_frequency_times():
    encoder = OneHotEncoder(min_frequency=2).fit(CITIES, names=["city"])
    assert encoder.feature_names() == ["city=Lyon", "city=Paris", "city=(other)"]
    np.testing.assert_array_equal(encoder.transform([["Nice"], ["Paris"], ["Tokyo"], ["Lyon"]]),
                                  [[0, 0, 1], [0, 1, 0], [0, 0, 1], [1, 0, 0]])
    assert encoder.unknown([["Tokyo"]]) == []
    again = OneHotEncoder.from_state(encoder.state())
    assert again.state() == encoder.state() and encoder.state()["other"] == [True]
    np.testing.assert_array_equal(again.transform([["Brest"]]), [[0, 0, 1]])
    # Paris is the only city seen 3 times: everything else is other
    assert OneHotEncoder(min_frequency=3).fit(CITIES, names=["city"]).feature_names() == [
        "city=Paris", "city=(other)"]


def test_without_rare_values_there_is_no_other_column_and_unseen_values_are_refused():
    encoder = OneHotEncoder(min_frequency=1).fit(CITIES, names=["city"])
    assert encoder.feature_names() == ["city=Brest", "city=Lyon", "city=Nice", "city=Paris"]
    assert "other" not in encoder.state()
    with pytest.raises(DataError, match="category 'Tokyo'"):
        encoder.transform([["Tokyo"]])


@pytest.mark.parametrize("value, message", [(0, "min_frequency must be at least 1, got 0"),
                                            (2.5, "min_frequency must be an integer")])
def test_bad_min_frequency(value, message):
    with pytest.raises((DataError, TypeError), match=message):
        OneHotEncoder(min_frequency=value).fit(CITIES)


def test_load_csv_groups_rare_cities_and_reads_new_ones_as_other(write, tmp_path):
    rows = [("Paris", 1), ("Paris", 0), ("Paris", 1), ("Lyon", 0), ("Lyon", 1), ("Lyon", 0),
            ("Nice", 1), ("Brest", 0), ("Metz", 1)]
    path = write("city,size,y\n" + "".join(f"{c},{i},{y}\n" for i, (c, y) in enumerate(rows)))
    data = load_csv(path, "y", categorical=["city"], min_frequency=3, dtype="float32")
    assert data.feature_names == ["size", "city=Lyon", "city=Paris", "city=(other)"]
    assert data.X.dtype == np.float32
    np.testing.assert_array_equal(data.X[:, 1:].sum(axis=0), [3, 3, 3])
    np.testing.assert_array_equal(data.X[6:, 3], [1, 1, 1])
    new = tmp_path / "new.csv"
    new.write_text("city,size\nTokyo,4\nLyon,5\n")
    np.testing.assert_array_equal(data.schema.read(new, target=False).X,
                                  [[4, 0, 0, 1], [5, 1, 0, 0]])
    with pytest.raises(DataError, match="category 'Tokyo'"):
        load_csv(path, "y", categorical=["city"]).schema.read(new, target=False)


def test_column_groups_count_the_other_column_and_the_missing_indicators(write):
    rows = [("A", 1.0), ("A", None), ("B", 3.0), ("B", 4.0), ("C", 5.0), ("D", None),
            ("A", 7.0), ("B", 8.0), ("C", 9.0)]
    path = write("c,x,y\n" + "".join(f"{c},{'' if x is None else x},{i % 2}\n"
                                     for i, (c, x) in enumerate(rows)))
    data = load_csv(path, "y", categorical=["c"], min_frequency=2, impute="mean",
                    missing_indicator=True)
    assert data.feature_names == ["x", "c=A", "c=B", "c=C", "c=(other)", "x=(missing)"]
    assert data.schema.column_groups() == {"x": [0, 5], "c": [1, 2, 3, 4]}
    # line 3 (x missing, c=A) and line 7 (x missing, c=D, rare): the columns the groups name
    np.testing.assert_array_equal(data.X[[1, 5]][:, [1, 2, 3, 4, 5]],
                                  [[1, 0, 0, 0, 1], [0, 0, 0, 1, 1]])
