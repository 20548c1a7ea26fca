"""The CSV reading options: extra missing-value texts, formatted numbers, category spelling,
rows without a target; each checked by hand, through the schema's round trip, and in errors."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from mlkit.data import CsvSchema, DataError, inspect_csv, load_csv
from mlkit.data.values import to_numbers

MESSY = """id,sex,paid,share,plan,churn
a1,Male,$18.28,21%,basic,No
a2,male ,"2,776.72",5%,?,Yes
a3,FEMALE,"(1,234.00)",100%,premium,No
a4, female,12,0.5%,basic,
a5,Female,$-3.5,?,premium,Yes
a6,   ,7,50%,basic,No
"""
OPTIONS = {"ids": ["id"], "categorical": ["sex", "plan"], "missing": ["?"],
           "numbers": "formatted", "categories": "strip_lower", "impute": "most_frequent"}


def test_formatted_numbers_by_hand():
    text = pd.Series(["$18.28", "2,776.72", "21%", "(1,234.00)", "-$5", "$-5", "1e-3", " 7 ",
                      "12,345,678.9", ".5%", "1,23", "(5", "+-3", "-(3)", "abc", None])
    expected = [18.28, 2776.72, 0.21, -1234.0, -5.0, -5.0, 0.001, 7.0, 12345678.9, 0.005]
    parsed = to_numbers(text, "formatted")
    np.testing.assert_allclose(parsed[:10], expected, rtol=1e-15)
    assert parsed[10:].isna().all()  # a misplaced comma, unbalanced or doubled signs: no number
    plain = to_numbers(text, "plain")
    assert plain[[6, 7]].tolist() == [0.001, 7.0] and plain.drop([6, 7]).isna().all()


def test_a_currency_symbol_after_the_number_as_european_exports_write_it(write):
    """``48.366,28 €`` (decimal comma, the symbol after): read, not left out as free text."""
    rows = "".join(f"{i % 5}.5;{1000 * i + 366.28:,.2f} €;{'ab'[i % 2]}\n"
                   .replace(",", "_").replace(".", ",").replace("_", ".") for i in range(30))
    path = write("x;income;y\n" + rows)
    profile = inspect_csv(path, "y")
    assert profile.column("income").kind == "formatted number"
    data = load_csv(**profile.csv_section())
    assert data.feature_names == ["x", "income"]
    np.testing.assert_allclose(data.X[:3, 1], [366.28, 1366.28, 2366.28], rtol=1e-15)
    assert to_numbers(pd.Series(["12 $", "(3 €)", "€ 4 €"]), "formatted").tolist() == [12, -3, 4]


def test_messy_file_read_with_every_option(write):
    data = load_csv(write(MESSY), "churn", **OPTIONS)
    assert data.feature_names == ["paid", "share", "sex=female", "sex=male", "plan=basic",
                                  "plan=premium"]
    # line 5 (a4) has no target; a5's share '?' is missing: the most frequent share among
    # 0.21, 0.05, 1.0, 0.5 (all once) is the smallest, 0.05; a6's sex '   ' is missing and
    # gets the most frequent of female (a3, a5) and male (a1, a2): the smaller, female
    np.testing.assert_allclose(data.X, [
        [18.28, 0.21, 0, 1, 1, 0],
        [2776.72, 0.05, 0, 1, 1, 0],   # plan '?' is missing: basic (2 of the 4 present)
        [-1234.0, 1.0, 1, 0, 0, 1],
        [-3.5, 0.05, 1, 0, 0, 1],
        [7.0, 0.5, 1, 0, 1, 0]])
    np.testing.assert_array_equal(data.y, [0, 1, 0, 1, 0])
    assert data.notes == ["1 row with no target value left out: line 5"]
    assert data.schema.fill["sex"] == "female" and data.schema.fill["share"] == 0.05


def test_options_round_trip_through_the_schema(write):
    data = load_csv(write(MESSY), "churn", **OPTIONS)
    state = json.loads(json.dumps(data.schema.to_dict()))
    assert (state["missing"], state["numbers"], state["categories"]) == (
        ["?"], "formatted", "strip_lower")
    schema = CsvSchema.from_dict(state)
    new = write("id,sex,paid,share,plan,churn\nb1,  MALE,\"$1,000\",?,Premium ,Yes\n"
                "b2,female,?,10%,basic,\n", "new.csv")
    table = schema.read(new)
    np.testing.assert_allclose(table.X, [[1000.0, 0.05, 0, 1, 0, 1]])
    np.testing.assert_array_equal(table.y, [1])
    assert table.dropped_note() == "1 row with no target value left out: line 3"
    assert table.carried["id"].tolist() == ["b1"]
    predicted = schema.read(new, target=False)
    # paid is missing: its most frequent value, the smallest of six seen once
    np.testing.assert_allclose(predicted.X[1], [-1234.0, 0.1, 1, 0, 1, 0])
    assert predicted.dropped_note() == ""


def test_a_schema_saved_before_the_options_reads_as_before(write):
    data = load_csv(write("x,c,t\n1,a,u\n2,b,v\n"), "t", categorical=["c"])
    state = data.schema.to_dict()
    for key in ("missing", "numbers", "categories"):
        del state[key]
    schema = CsvSchema.from_dict(state)
    assert (schema.missing, schema.numbers, schema.categories) == ([], "plain", "exact")
    with pytest.raises(DataError, match="category 'a ' .* not seen in training"):
        schema.read(write("x,c,t\n1,a ,u\n", "new.csv"))


def test_the_error_names_the_option_that_reads_a_value(write):
    path = write(MESSY)
    with pytest.raises(DataError) as error:
        load_csv(path, "churn", ids=["id"], categorical=["sex", "plan"], impute="drop")
    text = str(error.value)
    assert ("column 'paid' of '" in text and "' is not numeric: '$18.28' (4 values, lines 2, 3, "
            "4, 6) looks like a formatted number: set data.csv.numbers: formatted "
            "(numbers='formatted' in Python)." in text)
    assert ("column 'share' of '" in text and "' is not numeric: '21%' (4 values, lines 2, 3, "
            "4, 7) looks like a formatted number: set data.csv.numbers: formatted" in text)
    with pytest.raises(DataError) as error:
        load_csv(path, "churn", ids=["id"], categorical=["sex", "plan"], impute="drop",
                 numbers="formatted")
    assert str(error.value).endswith(
        "is not numeric: '?' (1 value, line 6) looks like a missing-value mark: set "
        "data.csv.missing: ['?'] (missing=['?'] in Python).")
    mixed = write("x,t\n$5,a\n?,b\nfive,a\n", "mixed.csv")
    with pytest.raises(DataError, match=(
            r"'x' of .* is not numeric \(e.g. 'five' on line 4\); list it in a config's "
            r"data.csv.categorical.*or fix the value; '\$5' \(1 value, line 2\) looks like a "
            r"formatted number.*; '\?' \(1 value, line 3\) looks like a missing-value mark")):
        load_csv(mixed, "t")


def test_a_new_file_s_unreadable_numbers_say_the_setting_is_one_to_train_with(write):
    """At prediction time the run's reading options are fixed: the option that reads a value
    is named as one to train again with."""
    schema = load_csv(write("x,t\n1.5,a\n2.5,b\n3.5,a\n"), "t").schema
    with pytest.raises(DataError) as error:
        schema.read(write("x,t\n\"1,234.5\",a\n2.5,b\n", "new.csv"))
    assert str(error.value).endswith(
        "is not numeric: '1,234.5' (1 value, line 2) looks like a formatted number: set "
        "data.csv.numbers: formatted (numbers='formatted' in Python) (this run reads files as "
        "its training file was read: train again with that setting, or write the values as "
        "the training file did).")


def test_spelling_of_categories(write):
    path = write("c,t\nMale,0\nmale ,1\n male,0\nMALE,1\n")
    assert load_csv(path, "t", categorical=["c"]).feature_names == [
        "c= male", "c=MALE", "c=Male", "c=male "]
    assert load_csv(path, "t", categorical=["c"], categories="strip").feature_names == [
        "c=MALE", "c=Male", "c=male"]
    lower = load_csv(path, "t", categorical=["c"], categories="strip_lower")
    assert lower.feature_names == ["c=male"] and lower.X.sum() == 4


def test_a_formatted_regression_target(write):
    data = load_csv(write('x,price\n1,"$1,200"\n2,$950.50\n3,$20\n4,(5)\n'), "price",
                    numbers="formatted", dtype="float32")
    assert data.task == "regression" and data.y.dtype == np.float32
    np.testing.assert_array_equal(data.y, np.array([1200, 950.5, 20, -5], np.float32))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"numbers": "fancy"}, DataError, "numbers='fancy' is not supported; use one of 'plain', "
                                      "'formatted'"),
    ({"categories": "lower"}, DataError, "categories='lower' is not supported.*Did you mean "
                                         "'strip_lower'"),
    ({"missing": "?"}, TypeError,
     r"missing must be a list \(each item text\) or None, got str '\?'"),
    ({"missing": ["?", 0]}, TypeError, r"missing must be a list \(each item text\) or None"),
    ({"missing": 5}, TypeError, r"missing must be a list \(each item text\) or None, got int 5"),
])
def test_bad_options(write, kwargs, error, match):
    with pytest.raises(error, match=match):
        load_csv(write("x,t\n1,a\n2,b\n"), "t", **kwargs)


def test_bad_options_in_a_saved_schema(write):
    state = load_csv(write("x,t\n1,a\n2,b\n"), "t").schema.to_dict()
    for key, value, match in (("numbers", "money", "CSV schema 'numbers'='money'"),
                              ("categories", 3, "CSV schema 'categories'=3"),
                              ("missing", "?", "'missing' must be a list of strings")):
        with pytest.raises(DataError, match=match):
            CsvSchema.from_dict({**state, key: value})


def test_an_unseen_category_in_other_spelling_names_the_option(write):
    schema = load_csv(write("c,t\nMale,a\nFemale,b\n"), "t", categorical=["c"]).schema
    new = write("c,t\nMALE ,a\nFemale ,b\nother,a\n", "new.csv")
    with pytest.raises(DataError) as error:
        schema.read(new)
    text = str(error.value)
    assert ("category 'MALE ' (line 2) not seen in training; known: 'Female', 'Male'; it is "
            "'Male' written otherwise: to read them alike, train with data.csv.categories: "
            "strip_lower (categories='strip_lower' in Python); to encode it as all zeros"
            in text)
    assert "'Female ' (line 3) not seen in training; known: 'Female', 'Male'; it is 'Female' " \
           "written otherwise: to read them alike, train with data.csv.categories: strip " in text
    assert "'other' (line 4) not seen in training; known: 'Female', 'Male'; to encode" in text


def test_repeated_rows_read_once_on_request(write):
    path = write("k,x,t\nA,1,a\nB,2,b\nA,1,a\nC,1,a\nA,1,a\n")
    assert len(load_csv(path, "t", ids=["k"]).y) == 5
    data = load_csv(path, "t", ids=["k"], duplicates="drop")
    np.testing.assert_array_equal(data.X[:, 0], [1, 2, 1])  # C repeats A's x, not its k
    assert data.notes == ["2 rows repeating an earlier row left out (duplicates='drop'): "
                          "lines 4, 6"]
    assert len(data.schema.read(path).X) == 5  # a file read later keeps every row
    with pytest.raises(DataError, match="duplicates='once' is not supported"):
        load_csv(path, "t", duplicates="once")


def test_missing_none_reads_no_extra_texts(write):
    path = write("x,t\n1,a\n-,b\n2,a\n")
    with pytest.raises(DataError, match=r"'-' \(1 value, line 3\) looks like a missing-value"):
        load_csv(path, "t", missing=None)
    assert load_csv(path, "t", missing=("-",), impute="mean").X[:, 0].tolist() == [1, 1.5, 2]


PART = "age,city,churn\n31,Lyon,yes\n45,Nice,no\n52,Lyon,yes\n"
ROWS = "".join(f"{20 + i},{'ab'[i % 2]},{i % 3}.5,{'uv'[i % 2]}\n" for i in range(8))


@pytest.mark.parametrize("text, message", [
    # two exports joined: the second header line's names would be a class, a category and
    # missing-value marks
    (PART + PART.replace("age,", " age,") + PART,
     r"repeats its header line as a row \(lines 5, 9\), as files joined one after another do; "
     r"delete those lines"),
    # 'Total' and an export note under the rows: the note would make ages categories
    ("age,c,x,churn\n" + ROWS + "Total,,,\nExported by CRM on 2026-12-01\n",
     r"ends with 2 line\(s\) holding a text in the first column alone or a total \(lines 10, "
     r"11: 'Total', 'Exported by CRM on 2026-12-01'\): a footer of totals or notes, not rows; "
     r"delete those lines"),
    # an Excel totals line under decimal-comma rows: its sums would be scored and predicted
    ("age;c;x;churn\n" + ROWS.replace(",", ";").replace(".", ",") + "Total;;14,0;\n",
     r"ends with 1 line\(s\) holding a text in the first column alone or a total \(line 10: "
     r"'Total'\): a footer"),
], ids=["repeated-header", "footer", "totals"])
def test_lines_that_are_not_rows_are_refused_with_their_lines(write, cli, text, message):
    path = write(text)
    with pytest.raises(DataError, match=message):
        load_csv(path, "churn", features=["age"])
    code, _, err = cli("inspect", path, "--target", "churn", "--skip-footer", "0")
    assert code == 2 and re.search(message, err), err


def test_rows_like_a_header_or_a_footer_that_are_rows_are_read(write):
    assert load_csv(write("2020,y\n1,a\n2020,b\n4,a\n"), "y").X[:, 0].tolist() == [1, 2020, 4]
    sparse = write("id,a,y\nk1,,\nk2,,\nk3,,\n")  # every row alike: no table above a footer
    assert inspect_csv(sparse).rows == 3
    for last in ("28", "k9"):  # a number, or a word under words: a row without values
        data = load_csv(write("age,c,x,y\n" + ROWS.replace("\n2", "\nk2") + last + ",,,\n"),
                        "y", categorical=["c", "age"])
        assert data.notes == ["1 row with no target value left out: line 10"]
    # a plan named like a total, with its values, is a row
    plans = write("plan,c,x,y\n" + "".join(f"Basic,a,{i},u\n" for i in range(5))
                  + "Total care,b,9,v\n")
    assert load_csv(plans, "y", categorical=["plan", "c"]).X.shape == (6, 5)  # 2 + 2 + x
    # a plan named Total among the rows above is a category, the last row too
    named = write("plan,c,x,y\n" + "".join(f"{['Basic', 'Total'][i % 2]},a,{i},{'uv'[i % 2]}\n"
                                           for i in range(6)))
    assert load_csv(named, "y", categorical=["plan", "c"]).X.shape == (6, 4)  # 2 + 1 + x


def test_excel_error_values_are_offered_as_missing_value_marks(write):
    """#REF!, #NAME?, #NUM!, #NULL! in one column of numbers: still a number column."""
    errors = ["#REF!", "#NAME?", "#NUM!", "#NULL!"]
    rows = "".join(f"{errors[i // 3] if i % 3 == 0 and i < 12 else i + 0.5},{'uv'[i % 2]}\n"
                   for i in range(30))
    profile = inspect_csv(write("x,y\n" + rows), "y")
    assert profile.column("x").kind == "number" and profile.missing == sorted(errors)
    assert load_csv(**profile.csv_section()).X[1:3, 0].tolist() == [1.5, 2.5]  # line 2: #REF!


def test_an_unseen_category_among_many_lists_a_few_known_ones_and_the_options(write):
    """A merchant column of 500 categories: the message names 20 of them and the count, not a
    page of names, and the two options that read a new one."""
    rows = "".join(f"M{i:03d},{i % 2}\n" for i in range(500))
    schema = load_csv(write("m,t\n" + rows + rows), "t", categorical=["m"]).schema
    with pytest.raises(DataError) as error:
        schema.read(write("m,t\nM001,0\nM999,1\n", "new.csv"))
    text = str(error.value)
    assert ("new.csv' has category 'M999' (line 3) not seen in training; known: "
            + ", ".join(f"'M{i:03d}'" for i in range(20)) + ", ... (500 in all); to encode it "
            "as all zeros, train with data.csv.handle_unknown: ignore in the config "
            "(handle_unknown='ignore' in Python), or, for a long tail, data.csv.min_frequency: "
            "N (rare and new ones share one).") in text
    assert len(text) < 800


@pytest.mark.parametrize("text", ["inf", "-Infinity", "1e308", "-2e200"])
def test_numbers_too_large_to_learn_from_are_named_with_their_lines(write, text):
    rows = "a,y\n1.5,0\n2,1\n" + f"{text},0\n" + "3,1\n4,0\n"
    expected = ("column 'a' of '{}' holds numbers too large to learn from or score (1 "
                "value, line 4, e.g. ")
    path = write(rows)
    with pytest.raises(DataError, match=re.escape(expected.format(path))) as error:
        load_csv(path, "y")
    assert "list the text in data.csv.missing" in str(error.value)
    schema = load_csv(write(rows.replace(text, "5"), "clean.csv"), "y").schema
    with pytest.raises(DataError, match=re.escape(expected.format(path))):
        schema.read(path)
    filled = load_csv(path, "y", missing=[text], impute="mean").X[:, 0]
    np.testing.assert_allclose(filled, [1.5, 2, 2.625, 3, 4])
