"""Column roles beyond features: ids and kept columns, categories seen or not in training,
too many categories, and rows dropped again when a saved schema reads a new file."""

import numpy as np
import pytest

from mlkit.data import DataError, load_csv

TRAIN = """key,size,color,label
k1,1.0,red,yes
k2,2.0,blue,no
k3,,red,no
k4,4.0,blue,yes
"""



def test_ids_are_no_features_and_are_carried_with_kept_columns(write):
    data = load_csv(write(TRAIN), "label", categorical=["color"], ids=["key"], impute="drop")
    assert data.feature_names == ["size", "color=blue", "color=red"]
    assert data.schema.ids == ["key"]
    new = write("size,color,key,note\n5,red,007,a\n,blue,008,b\n6,blue,009,c\n", "new.csv")
    table = data.schema.read(new, keep=["note"])
    np.testing.assert_array_equal(table.X, [[5, 0, 1], [6, 1, 0]])
    np.testing.assert_array_equal(table.rows, [2, 4])  # file lines
    np.testing.assert_array_equal(table.dropped, [3])
    assert table.dropped_note() == "1 row with a missing value left out (impute='drop'): line 3"
    assert table.carried.to_dict("list") == {"key": ["007", "009"], "note": ["a", "c"]}
    with pytest.raises(DataError, match=r"no column\(s\) extra to keep; its columns are size"):
        data.schema.read(new, keep=["extra"])
    with pytest.raises(DataError, match="ids=\\['key'\\] names input column 'key'"):
        load_csv(write(TRAIN), "label", features=["key", "size"], ids=["key"])


def test_unseen_categories_refused_or_all_zero(write):
    new = write("size,color\n1,green\n2,red\n3,green\n", "new.csv")
    refused = load_csv(write(TRAIN), "label", categorical=["color"], ids=["key"],
                       impute="mean").schema
    with pytest.raises(DataError, match=r"category 'green' \(lines 2, 4\) not seen in training.*"
                                        r"handle_unknown='ignore'"):
        refused.read(new)
    ignored = load_csv(write(TRAIN), "label", categorical=["color"], ids=["key"],
                       impute="mean", handle_unknown="ignore").schema
    assert ignored.to_dict()["categorical"]["handle_unknown"] == "ignore"
    np.testing.assert_array_equal(ignored.read(new).X, [[1, 0, 0], [2, 0, 1], [3, 0, 0]])
    with pytest.raises(DataError, match="handle_unknown='skip' is not supported"):
        load_csv(write(TRAIN), "label", handle_unknown="skip")


def test_every_problem_of_a_file_is_reported_at_once(write):
    schema = load_csv(write(TRAIN), "label", categorical=["color"], ids=["key"],
                      impute="drop").schema
    new = write("size,color,label\n1,green,yes\nbig,red,no\n3,red,maybe\n,red,yes\n", "new.csv")
    with pytest.raises(DataError) as caught:
        schema.read(new)
    message = str(caught.value)
    assert message.startswith(f"{str(new)!r} has 3 problems:\n- ")
    for fragment in ("'size'", "'big' on line 3", "category 'green' (line 2)",
                     "['maybe'] not seen in training (line 4); known: ['no', 'yes']; the model "
                     "predicts these only: correct the label or drop the row."):
        assert fragment in message


def test_too_many_categories_are_refused(write):
    rows = "".join(f"n{i},{i % 3},{'ab'[i % 2]}\n" for i in range(50))
    path = write("name,x,y\n" + rows)
    with pytest.raises(DataError, match=r"'name' .* 50 distinct values in 50 rows, too many to "
                                        r"one-hot encode.*name it in id.*list it in dates"):
        load_csv(path, "y", categorical=["name"])
    assert load_csv(path, "y", ids=["name"]).feature_names == ["x"]
    assert load_csv(path, "y", features=["x"], categorical=["x"]).feature_names == [
        "x=0", "x=1", "x=2"]
