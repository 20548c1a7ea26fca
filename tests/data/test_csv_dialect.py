"""How a CSV file is written: separators found or named, a decimal comma, encodings and the
byte-order mark, header lines that cannot be used; each through load_csv and the schema that
re-reads new files."""

import numpy as np
import pandas as pd
import pytest

from mlkit.data import CsvSchema, DataError, inspect_csv, load_csv
from mlkit.data.values import to_numbers

ROWS = [("1.5", "x", "0"), ("2.25", "y", "1"), ("-3", "x", "0"), ("4", "y", "1")]


def _table(sep, rows=ROWS, header=("a", "b", "y")):
    return "".join(sep.join(r) + "\n" for r in [header, *rows])


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_each_separator_is_found_and_stored(write, sep):
    data = load_csv(write(_table(sep)), "y", categorical=["b"])
    np.testing.assert_array_equal(data.X, [[1.5, 1, 0], [2.25, 0, 1], [-3, 1, 0], [4, 0, 1]])
    assert data.schema.dialect.sep == sep == data.schema.to_dict()["sep"]
    assert CsvSchema.from_dict(data.schema.to_dict()).dialect == data.schema.dialect


def test_a_named_separator_that_splits_nothing_is_reported(write):
    path = write(_table(";"))
    with pytest.raises(DataError, match=r"read with separator ',' \(comma\) has one column, "
                                        r"'a;b;y'; it looks separated by ';' \(semicolon\): "
                                        r"set data.csv.sep: ';'"):
        load_csv(path, "y", sep=",")
    with pytest.raises(DataError, match=r"sep=' ' is not supported; use one of ',', ';', "
                                        r"'\\t', '\|'"):
        load_csv(path, "y", sep=" ")
    assert load_csv(write(_table("\t"), "t.tsv"), "y", sep="tab",
                    categorical=["b"]).schema.dialect.sep == "\t"


def test_two_separators_that_both_fit_are_not_guessed(write):
    path = write("a;b,c\n1;2,3\n4;5,6\n")
    with pytest.raises(DataError, match=r"could be separated by ',' \(comma: 2 columns\), "
                                        r"';' \(semicolon: 2 columns\); say which with "
                                        "data.csv.sep"):
        load_csv(path, "c")
    assert load_csv(path, "b,c", sep=";").X.tolist() == [[1.0], [4.0]]


def test_decimal_comma_plain_and_formatted(write):
    path = write("price;qty;y\n1.234,56;3,5;0\n-2,5;1;1\n1.000;0,25;0\n7;-1,0;1\n")
    with pytest.raises(DataError) as error:
        load_csv(path, "y")
    message = str(error.value)
    assert "column 'qty' of '" in message and "'3,5' (3 values, lines 2, 4, 5) looks like a " \
           "number with a decimal comma: set data.csv.decimal: ','" in message
    assert "'1.234,56' (2 values, lines 2, 3) looks like a number with a decimal comma" \
           in message
    plain = load_csv(path, "y", features=["qty"], decimal=",")
    np.testing.assert_array_equal(plain.X[:, 0], [3.5, 1, 0.25, -1])
    with pytest.raises(DataError, match=r"column 'price'.*'1.234,56' \(2 values, lines 2, 4\)"
                                        " looks like a formatted number"):
        load_csv(path, "y", decimal=",")  # thousands separators need numbers: formatted
    data = load_csv(path, "y", decimal=",", numbers="formatted", dtype="float32")
    assert data.X.dtype == np.float32
    np.testing.assert_array_equal(data.X, np.float32([[1234.56, 3.5], [-2.5, 1], [1000, 0.25],
                                                      [7, -1]]))


def test_decimal_comma_by_hand():
    text = pd.Series(["3,5", "-0,25", "1.234,56", "1 234 567,5", "1\u00a0000", "12 %",
                      "12,5%", "(1.000,00)", "€2.500", "3.5", "1,2,3", "12 34", None])
    formatted = to_numbers(text, "formatted", ",")
    np.testing.assert_allclose(formatted[:9], [3.5, -0.25, 1234.56, 1234567.5, 1000, 0.12,
                                               0.125, -1000, 2500], rtol=1e-15)
    assert formatted[9:].isna().all()  # a point is no decimal mark, nor groups of 2 digits
    plain = to_numbers(text, "plain", ",")
    assert plain[:2].tolist() == [3.5, -0.25] and plain[2:].isna().all()


def test_decimal_comma_regression_target_and_new_files(write, tmp_path):
    data = load_csv(write("x;y\n1;0,5\n2;1,5\n3;2,25\n4;3\n5;4,75\n6;5\n7;6,5\n8;7\n9;8\n"
                          "10;9,5\n11;10\n12;12,5\n"), "y", decimal=",")
    assert data.task == "regression"
    np.testing.assert_array_equal(data.y[:3], [0.5, 1.5, 2.25])
    new = tmp_path / "new.csv"
    new.write_text("x;y\n2,5;1\n")
    table = data.schema.read(new)
    assert (table.X.tolist(), table.y.tolist()) == ([[2.5]], [1.0])



@pytest.mark.parametrize("numbers", ["plain", "formatted"])
def test_decimal_comma_columns_with_gaps_are_filled(write, tmp_path, numbers):
    # the float fill was written back as text '1.0' or '2.5', which a decimal comma misreads
    data = load_csv(write("n;c;y\n1;0,5;a\n;1,5;b\n3;;a\n4;3,5;b\n"), "y", decimal=",",
                    impute="median", numbers=numbers)
    np.testing.assert_array_equal(data.X, [[1, 0.5], [3, 1.5], [3, 1.5], [4, 3.5]])
    new = tmp_path / "new.csv"
    new.write_text("n;c\n;2,5\n7;\n")
    np.testing.assert_array_equal(data.schema.read(new, target=False).X, [[3, 2.5], [7, 1.5]])


def test_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffcolour;n;y\nrouge;1;0\nbleu;2;1\n".encode())
    data = load_csv(path, "y", categorical=["colour"])
    assert data.feature_names == ["n", "colour=bleu", "colour=rouge"]


def test_latin1_file_needs_its_encoding(tmp_path):
    path = tmp_path / "windows.csv"
    path.write_bytes("ville,prix,y\nZürich,3,0\nGenève,4,1\nZürich,5,0\nGenève,6,1\n"
                     .encode("cp1252"))
    with pytest.raises(DataError, match=r"'.*windows.csv' is not utf-8 text \(byte 'fc' on "
                                        r"line 2\).*set data.csv.encoding: cp1252 in the "
                                        r"config \(encoding='cp1252' in Python\)"):
        load_csv(path, "y", categorical=["ville"])
    data = load_csv(path, "y", categorical=["ville"], encoding="cp1252")
    assert data.feature_names == ["prix", "ville=Genève", "ville=Zürich"]
    assert data.schema.to_dict()["encoding"] == "cp1252"
    new = tmp_path / "new.csv"
    new.write_bytes("ville,prix\nGenève,10\n".encode("cp1252"))
    assert data.schema.read(new, target=False).X.tolist() == [[10, 1, 0]]
    with pytest.raises(DataError, match="encoding='klingon' is not a text encoding"):
        load_csv(path, "y", encoding="klingon")


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("prix\tville\ty\n3,5\tZürich\t0\n4\tGenève\t1\n".encode("utf-16"))
    with pytest.raises(DataError, match="set data.csv.encoding: utf-16"):
        load_csv(path, "y")
    data = load_csv(path, "y", categorical=["ville"], encoding="utf-16", decimal=",")
    assert data.schema.dialect.sep == "\t"
    assert data.X.tolist() == [[3.5, 0, 1], [4, 1, 0]]


def test_names_lose_their_surrounding_spaces_and_lookups_say_did_you_mean(write):
    path = write(" age , Sex ,y\n30,m,0\n40,f,1\n")
    data = load_csv(path, "y", categorical=["Sex"])
    assert data.feature_names == ["age", "Sex=f", "Sex=m"]
    with pytest.raises(DataError, match="target column 'Y' is not in .* Did you mean 'y'"):
        load_csv(path, "Y")
    with pytest.raises(DataError, match="features column 'sex' is not in .* Did you mean 'Sex'"):
        load_csv(path, "y", features=["age", "sex"])
    new = path.parent / "new.csv"
    new.write_text("AGE,Sex\n30,m\n")
    with pytest.raises(DataError, match="lacks feature column.s. age that the model was "
                                        "trained on; add them. Did you mean 'AGE'"):
        data.schema.read(new, target=False)


@pytest.mark.parametrize("text, message", [
    ("a,b,a,y\n1,2,3,0\n", r"column name 'a' is used by columns \[1, 3\] \(counting from 1\)"),
    ("a, b ,b,y\n1,2,3,0\n", r"column name 'b' is used by columns \[2, 3\]"),
    ("a,,y,\n1,2,0,\n", r"column\(s\) \[2\] \(counting from 1\) have no name but hold "
                      r"values \(e\.g\. '2' on line 2\); name them"),  # column 4: empty
    ("a,b,,y\n1,2,,0\n3,4, ,1\n5,6,x,1\n", r"column\(s\) \[3\] .* \(e\.g\. 'x' on line 4\)"),
    ("a,a,,y\n1,2,,0\n", r"column\(s\) \[3\] \(counting from 1\) have no name; name them; "
                       r"column name 'a' is used by columns \[1, 2\]"),
    ("customer,\nalice,yes\nbob,no\n", r"column\(s\) \[2\] \(counting from 1\) have no name"),
    (",a,y\n0,2.5,0\n1,3.5,1\n2,1.5,0\n", r"the first column has no name and counts the rows "
     r"0, 1, 2 \.\.\.: a row index, as pandas' to_csv writes unless given index=False"),
    (",a,y\n7,2.5,0\n1,3.5,1\n", r"column\(s\) \[1\] \(counting from 1\) have no name"),
    ("5.1,3.5,0\n4.9,3.0,1\n", r"its first line \('5.1,3.5,0'\) holds numbers, not column "
                               "names: the header line is missing"),
])
def test_header_lines_that_cannot_name_the_columns(write, text, message):
    with pytest.raises(DataError, match=r"header line has a problem: .*" + message):
        load_csv(write(text), "y")


def test_columns_without_a_name_or_a_value_are_no_columns(write, cli):
    """A separator left at the end of every line (and empty columns after the table), as
    spreadsheets export: read as the named columns alone, at training and prediction time."""
    text = "".join(f"{line},,,\n" for line in ["x,c,y", "1.5,a,u", "2.5,b,v", "3.5,a,u",
                                               "4.5,b,v", ",a,v"])
    data = load_csv(write(text), "y", categorical=["c"], impute="drop")
    assert data.feature_names == ["x", "c=a", "c=b"] and data.lines.tolist() == [2, 3, 4, 5]
    assert data.X[:, 0].tolist() == [1.5, 2.5, 3.5, 4.5]
    assert data.schema.read(write("x,c,y,\n7.5,b,u,\n", "new.csv")).X.tolist() == [
        [7.5, 0, 1]]
    code, out, err = cli("inspect", write(text), "--target", "y")
    assert code == 0 and "features: [x, c]" in out, err


@pytest.mark.parametrize("text, above, header, first", [
    ("Sales report,,\nGenerated 2024-01-01,,\n,,\nregion,amount,y\nnorth,1.5,yes\n"
     "south,2.5,no\n", 3, "region,amount,y", "Sales report,,"),
    ("Sales report,,\nregion,amount,y\nnorth,1.5,yes\nsouth,2.5,no\n", 1, "region,amount,y",
     "Sales report,,"),  # one title padded by a spreadsheet, over a column of numbers
    ("Rapport\n\nregion;montant;y\nnord;1,5;oui\nsud;2,5;non\n", 2, "region;montant;y",
     "Rapport"),
    ("\na,b,y\n1,2,0\n3,4,1\n", 1, "a,b,y", ""),
])
def test_lines_above_the_header_are_named_with_the_header_line(write, text, above, header,
                                                                first):
    with pytest.raises(DataError) as caught:
        load_csv(write(text), "y")
    count, where, look = ("1 line", "line 1", "looks") if above == 1 else (
        f"{above} lines", f"lines 1-{above}", "look")
    assert str(caught.value).endswith(
        f"has {count} above its header line: line {above + 1} ({header!r}) names the columns, "
        f"and {where} (starting {first!r}) {look} like a title or notes; read it as it is with "
        f"data.csv.skip_lines: {above} in the config (skip_lines={above} in Python; mlkit "
        f"inspect --skip-lines {above}).")
    sep = ";" if ";" in header else ","
    data = load_csv(write(text), "y", skip_lines=above, categorical=[header.split(sep)[0]],
                    decimal="," if sep == ";" else ".")
    assert data.lines.tolist() == [above + 2, above + 3] and data.X.shape == (2, 3)
    fixed = write("".join(text.splitlines(keepends=True)[above:]), "fixed.csv")
    assert inspect_csv(fixed, "y").rows == 2


def test_columns_numbered_from_0_or_1_are_a_header(write):
    data = load_csv(write("0,1,2\n1.5,2,0\n3,4,1\n"), "2")
    assert data.feature_names == ["0", "1"] and data.X.tolist() == [[1.5, 2], [3, 4]]
    assert load_csv(write("1,2,3\n1.5,2,0\n3,4,1\n"), "3").feature_names == ["1", "2"]


def test_a_carriage_return_inside_a_cell_is_a_data_error_not_the_csv_modules(tmp_path):
    path = tmp_path / "scrambled.csv"
    path.write_bytes(b"a,b,y\n1,2\r5,0\n3,4,1\n" + bytes(range(200, 256)) + b"\n")
    for read in (lambda: load_csv(path, "y", encoding="latin-1"),
                 lambda: inspect_csv(path, "y", encoding="latin-1", skip_footer=0)):
        with pytest.raises(DataError, match="scrambled.csv"):
            read()
    # the last line, a text alone under numbers, is the footer inspect leaves out by default
    assert inspect_csv(path, "y", encoding="latin-1").footer == {5: bytes(range(200, 256))
                                                                 .decode("latin-1")}
