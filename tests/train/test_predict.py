"""Predictor.read on a run trained without a CSV schema: kept columns, every problem at once."""

import numpy as np
import pytest

from mlkit.data import DataError
from mlkit.registry import make_model
from mlkit.train import Predictor
from mlkit.train.plan import Preprocessing


@pytest.fixture
def predictor():
    model = make_model("linear_regression", 2, 1, rng=0)
    model.load_state_dict({"weight": np.array([[2.0], [-1.0]]), "bias": np.array([0.5])})
    return Predictor(model, Preprocessing("regression", ["a", "b"], target="y"))


def test_kept_columns_come_back_beside_the_predictions(predictor, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("name,a,b,y\nx1,1,3,0\nx2,2,0.5,1\n")
    table = predictor.read(path, keep=["name"])
    np.testing.assert_array_equal(table.y, [0, 1])
    frame = predictor.frame(table.X, table.carried)
    assert frame["name"].tolist() == ["x1", "x2"]
    np.testing.assert_allclose(frame["prediction"], [2 - 3 + 0.5, 4 - 0.5 + 0.5])
    assert predictor.read(path, target=False).y is None
    with pytest.raises(DataError, match="would overwrite prediction columns"):
        predictor.frame(table.X, table.carried.rename(columns={"name": "prediction"}))


@pytest.mark.parametrize("text, match", [
    ("a,b\n1,\nz,2\n", r"has 2 problems:\n- column 'a' .* 'z' on line 3.*\n- "
                       r"column 'b' .* missing values \(line 2\)"),  # all problems at once
    ("A,c\n1,3\n", r"lacks feature column\(s\) a, b that the model was trained on; add them. "
                  r"Did you mean 'A'\?$"),
])
def test_a_bad_file_is_refused_naming_what_to_fix(predictor, tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=match):
        predictor.read(path)


def test_a_tab_or_semicolon_file_is_split_by_its_own_separator(predictor, tmp_path):
    for sep in ("\t", ";"):
        path = tmp_path / "in.txt"
        path.write_text(sep.join(["name", "a", "b"]) + "\n" + sep.join(["x1", "1", "3"]) + "\n")
        table = predictor.read(path, keep=["name"])
        frame = predictor.frame(table.X, table.carried)
        assert frame["name"].tolist() == ["x1"] and frame["prediction"].tolist() == [-0.5]


def test_a_threshold_moves_binary_labels_and_is_refused_elsewhere(predictor, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("a,b\n1,3\n2,0.5\n")
    X = predictor.read(path, target=False).X
    with pytest.raises(ValueError, match=r"threshold=0.3: a probability between 0 and 1, for "
                                         r"binary classifiers of probabilities only \(this "
                                         r"model is regression\)"):
        predictor.frame(X, threshold=0.3)
    model = make_model("logistic_regression", 2, 1, rng=0)
    model.load_state_dict({"weight": np.array([[2.0], [-1.0]]), "bias": np.array([0.5])})
    binary = Predictor(model, Preprocessing("binary", ["a", "b"], target="y",
                                            classes=["no", "yes"]))
    # logits -0.5 and 4: probabilities of 'yes' 0.378 and 0.982
    assert binary.frame(X)["prediction"].tolist() == ["no", "yes"]
    assert binary.frame(X, threshold=0.3)["prediction"].tolist() == ["yes", "yes"]
    with pytest.raises(ValueError, match=r"threshold=1.5: a probability between 0 and 1, .* "
                                         r"\(this model is binary\); give one in \[0, 1\]"):
        binary.frame(X, threshold=1.5)  # the fix is a value in range, not 'leave it out'


def test_a_footer_under_the_rows_is_left_out_and_named(predictor, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("name,a,b\nx1,1,3\nx2,2,0.5\nTotal,3,3.5\nExported by CRM on 2026-12-01\n")
    table = predictor.read(path, target=False)
    assert table.rows.tolist() == [2, 3] and table.X.tolist() == [[1, 3], [2, 0.5]]
    assert table.dropped_note() == "2 footer lines left out (totals or notes, not rows): " \
                                   "lines 4, 5"
