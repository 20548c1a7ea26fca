"""Date columns: features checked against numbers worked out by hand, detection, declaration,
imputation, bad dates and the round trip through the saved schema."""

import json

import numpy as np
import pandas as pd
import pytest

from mlkit.data import CsvSchema, DataError, load_csv
from mlkit.data.dates import DATE_PARTS, date_features, looks_like_dates, parse_dates

TAU = 2 * np.pi
# 2024-03-01 10:30 is a Friday (weekday 4), day 31 + 29 + 1 = 61 of the leap year 2024;
# 2023-12-31 is a Sunday (weekday 6), day 365 of 365; 02:00 at +02:00 is midnight UTC.
BY_HAND = {
    "2024-03-01 10:30": [2024, np.sin(TAU * 2 / 12), np.cos(TAU * 2 / 12), np.sin(TAU * 60 / 366),
                         np.cos(TAU * 60 / 366), np.sin(TAU * 4 / 7), np.cos(TAU * 4 / 7),
                         60 + 10.5 / 24],
    "2023-12-31": [2023, -0.5, np.sqrt(3) / 2, np.sin(TAU * 364 / 365), np.cos(TAU * 364 / 365),
                   np.sin(TAU * 6 / 7), np.cos(TAU * 6 / 7), -1.0],
    "2024-01-01T02:00+02:00": [2024, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0],  # a Monday
}



def test_date_features_by_hand():
    times = parse_dates(pd.Series(list(BY_HAND)))
    features = date_features(times, pd.Timestamp("2024-01-01T00:00:00+00:00"))
    assert features.shape == (3, len(DATE_PARTS)) and features.dtype == np.float64
    np.testing.assert_allclose(features, list(BY_HAND.values()), atol=1e-12)


def test_detection_needs_every_value_to_be_a_date():
    assert looks_like_dates(pd.Series(["2024-01-05", None, "2024-02-01 12:00"]))
    assert not looks_like_dates(pd.Series(["2024-01-05", "soon"]))
    assert not looks_like_dates(pd.Series([1.0, 2.0]))
    assert not looks_like_dates(pd.Series([None, None], dtype=object))


def test_a_date_column_is_found_and_encoded(write):
    text = "when,x,y\n2024-03-01 10:30,1,a\n2023-12-31,2,b\n2024-01-01T02:00+02:00,3,a\n"
    data = load_csv(write(text), "y")
    assert data.feature_names == ["x"] + [f"when_{part}" for part in DATE_PARTS]
    # the origin is the first date, 2023-12-31: every elapsed day count moves up by one
    expected = np.array(list(BY_HAND.values()))
    expected[:, -1] += 1
    np.testing.assert_allclose(data.X[:, 1:], expected, atol=1e-12)
    np.testing.assert_array_equal(data.X[:, 0], [1, 2, 3])
    assert data.schema.dates == {"when": "2023-12-31T00:00:00+00:00"}


def test_declared_dates_impute_and_survive_the_saved_schema(write):
    text = "d,x,y\n2024-01-01,1,a\n,2,b\n2024-01-03,3,a\n2024-01-09,4,b\n"
    data = load_csv(write(text), "y", dates=["d"], impute="median")
    assert data.schema.fill["d"] == "2024-01-03T00:00:00+00:00"
    days = data.feature_names.index("d_days")
    np.testing.assert_allclose(data.X[:, days], [0, 2, 2, 8])
    schema = CsvSchema.from_dict(json.loads(json.dumps(data.schema.to_dict())))
    table = schema.read(write("d,x\n2024-02-01,5\n,6\n", "new.csv"))
    np.testing.assert_allclose(table.X[:, days], [31, 2])
    for bad in ({"dates": {"d": "soon"}}, {"fill": {"d": 3.0}}, {"dates": ["d"]}):
        with pytest.raises(DataError, match="'dates' must map each date column"):
            CsvSchema.from_dict({**data.schema.to_dict(), **bad})
    mean = load_csv(write(text), "y", dates=["d"], impute="mean").schema.fill["d"]
    assert mean == "2024-01-04T08:00:00+00:00"  # (0 + 2 + 8) / 3 days after the origin


def test_bad_dates_are_listed_with_their_lines(write):
    text = "d,x,y\n2024-01-01,1,a\nlater,2,b\n2024-13-01,3,a\n2024-01-02,4,b\n"
    with pytest.raises(DataError, match=r"column 'd' .* 2 value\(s\) that are not dates \(e.g. "
                                        r"'later', lines 3, 4\); write dates as YYYY-MM-DD"):
        load_csv(write(text), "y", dates=["d"])
    schema = load_csv(write(text.replace("later", "2024-01-05").replace("13", "03")), "y").schema
    with pytest.raises(DataError, match=r"has 2 problems:\n- ") as caught:
        schema.read(write("d,x\nsoon,1\n2024-01-01,big\n", "new.csv"))
    assert "'x' of" in str(caught.value) and "(e.g. 'soon', line 2)" in str(caught.value)


def test_a_date_format_reads_dates_written_otherwise_here_and_in_files_read_later(write):
    text = "d,x,y\n01/03/2024,1,a\n31/12/2023,2,b\n2024-01-01,3,a\n"
    data = load_csv(write(text), "y", date_format="%d/%m/%Y")
    assert data.feature_names[1:] == [f"d_{part}" for part in DATE_PARTS]  # found, not listed
    np.testing.assert_allclose(data.X[:, -1], [61, 0, 1])  # ISO 8601 is read as well
    assert data.schema.date_format == "%d/%m/%Y"
    schema = CsvSchema.from_dict(json.loads(json.dumps(data.schema.to_dict())))
    table = schema.read(write("d,x\n02/03/2024,5\n2024-03-03,6\n", "new.csv"))
    np.testing.assert_allclose(table.X[:, -1], [62, 63])
    with pytest.raises(DataError, match=r"not dates \(e.g. '13/13/2024', line 2\); write dates "
                                        r"as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS or as "
                                        r"'%d/%m/%Y' says"):
        schema.read(write("d,x\n13/13/2024,5\n", "new.csv"))
    state = data.schema.to_dict()
    del state["date_format"]  # as runs saved before the option
    assert CsvSchema.from_dict(state).date_format is None
    with pytest.raises(DataError, match="CSV schema 'date_format'='dd/mm' is not a date format"):
        CsvSchema.from_dict({**state, "date_format": "dd/mm"})


def test_the_error_names_the_date_format_that_reads_the_dates(write):
    text = "d,x,y\n31/12/2023,1,a\n15/01/2024,2,b\n"
    with pytest.raises(DataError, match=r"not dates \(e.g. '31/12/2023', lines 2, 3\); they "
                                        r"read as dates with data.csv.date_format: '%d/%m/%Y' "
                                        r"\(date_format= in Python\)"):
        load_csv(write(text), "y", dates=["d"])
    with pytest.raises(DataError, match=r"'%d/%m/%Y' or '%m/%d/%Y' \(date_format= in Python, "
                                        r"whichever order the file uses\)"):
        load_csv(write("d,x,y\n01/02/2024,1,a\n03/04/2024,2,b\n"), "y", dates=["d"])
    # a file written month first, read day first: the format that reads it is named
    with pytest.raises(DataError, match=r"not dates \(e.g. '12/31/2023', line 3\); they read "
                                        r"as '%m/%d/%Y', not as '%d/%m/%Y': if the file writes "
                                        r"every date so, those read either way are misread; "
                                        r"write dates as YYYY-MM-DD"):
        load_csv(write("d,x,y\n01/02/2024,1,a\n12/31/2023,2,b\n"), "y", dates=["d"],
                 date_format="%d/%m/%Y")
    with pytest.raises(DataError, match=r"date_format='dd/mm/yyyy' is not a date format \(it "
                                        r"needs a day, month or year\); use strftime codes"):
        load_csv(write(text), "y", date_format="dd/mm/yyyy")
    with pytest.raises(TypeError, match="date_format must be text of length >= 1 or None, got "
                                        "int 3"):
        load_csv(write(text), "y", date_format=3)
    for bad, why in (("%d/%m/%Q", "'Q' is a bad directive"), ("%d/%m/%Y %", "stray %")):
        with pytest.raises(DataError, match=f"date_format='{bad}' is not a date format \\({why} "
                                            "in format"):
            load_csv(write(text), "y", date_format=bad)
