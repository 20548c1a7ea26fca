"""inspect_csv: each column's kind, missing values and distinct values, the file's notes, and
a suggested data.csv section that load_csv reads as it is."""

import numpy as np
import pytest

from mlkit.data import DataError, inspect_csv, load_csv

ROWS = 24


def _messy_text() -> str:
    """24 rows, each kind of column once; a repeated row (line 26) and a missing target."""
    lines = ["row,key,sex,age,price,when,country,notes,comment,y"]
    for i in range(ROWS):
        sex = ["Male", "male ", "FEMALE", "female", ""][i % 5]
        age = "?" if i % 7 == 3 else str(20 + i)
        price = f'"${1000 + 10 * i:,.2f}"' if i % 2 else f"{5 + i}.5"
        label = "" if i == 5 else ("yes" if i % 3 else "no")
        lines.append(f"{i + 1},K{i:03d},{sex},{age},{price},2024-01-{i + 1:02d},NZ,,"
                     f"free text number {i},{label}")
    lines.append(lines[-1])
    return "\n".join(lines) + "\n"


def test_each_kind_of_column(write):
    profile = inspect_csv(write(_messy_text()), "y")
    frame = profile.to_frame().set_index("name")
    assert frame["kind"].to_dict() == {
        "row": "number", "key": "id", "sex": "category", "age": "number",
        "price": "formatted number", "when": "date", "country": "constant", "notes": "empty",
        "comment": "text", "y": "category"}
    # the repeated last row makes 'row' no counter (24 then 24), so it stays a number
    assert profile.rows == ROWS + 1 and profile.duplicated == [ROWS + 2]  # its file line
    sex = profile.column("sex")
    assert (sex.missing, sex.tokens, sex.distinct) == (4, [""], 2)  # i = 4, 9, 14, 19
    assert sex.note == "4 spellings of 2 categories" and sex.example == "male"
    age = profile.column("age")
    assert (age.missing, age.tokens, age.distinct) == (3, ["?"], 21)  # i = 3, 10, 17
    assert profile.column("price").note == "'$1,010.00' is 1010"
    assert profile.column("notes").missing == ROWS + 1
    assert profile.missing == ["?"] and profile.numbers == "formatted"
    assert profile.categories == "strip_lower"
    assert profile.unlabeled == [7] and profile.task == "classification"  # line 7: i = 5
    assert profile.classes == {"no": 8, "yes": 16}  # no: i = 0, 3, ..., 21; yes: 15 + copy


def test_notes_say_what_is_left_out_and_why(write):
    notes = inspect_csv(write(_messy_text()), "y").notes()
    assert notes[0].startswith("1 row(s) repeat an earlier row exactly (line 26)")
    assert notes[1].startswith("1 row(s) have no target value (line 7)")
    assert notes[2] == "target 'y': classification, 2 classes: no 8 (33%), yes 16 (67%)"
    assert "'key' named in ids: identifies rows" in notes
    assert any(n.startswith("'country' left out of features: one value") for n in notes)
    assert "'notes' left out of features: no values at all" in notes
    assert any(n.startswith("'comment' left out of features: too many") for n in notes)


def test_the_suggested_section_reads_the_file(write):
    path = write(_messy_text())
    section = inspect_csv(path, "y").csv_section()
    assert section == {
        "path": str(path), "target": "y",
        "features": ["row", "sex", "age", "price", "when"], "categorical": ["sex"],
        "dates": ["when"], "date_format": None, "ids": ["key"], "missing": ["?"],
        "numbers": "formatted",
        "categories": "strip_lower", "impute": "median", "duplicates": "drop", "sep": ",",
        "decimal": ".", "encoding": "utf-8", "skip_lines": 0, "skip_footer": 0,
        "min_frequency": None}
    data = load_csv(**section)  # the section's options are the loader's, spelled alike
    assert data.X.shape == (ROWS - 1, 1 + 1 + 1 + 8 + 2) and np.isfinite(data.X).all()
    assert data.feature_names[-2:] == ["sex=female", "sex=male"]
    assert data.notes == ["1 row repeating an earlier row left out (duplicates='drop'): "
                          "line 26; 1 row with no target value left out: line 7"]
    # age's median over the 20 present ages of the 23 labelled rows (the repeat read once)
    ages = [20 + i for i in range(ROWS) if i % 7 != 3 and i != 5]
    assert len(ages) == 20 and data.schema.fill["age"] == float(np.median(ages))


def test_a_counter_column_is_an_id_and_without_target_no_section(write):
    text = "n,x\n" + "".join(f"{i},{i % 3}\n" for i in range(1, 30))
    profile = inspect_csv(write(text))
    assert profile.column("n").kind == "id" and profile.column("x").kind == "number"
    assert profile.task is None and profile.notes() == ["'n' named in ids: identifies rows"]
    with pytest.raises(DataError, match="needs the target column; pass target="):
        profile.csv_section()


def test_errors_name_the_column(write):
    path = write("alpha,beta\n1,2\n")
    with pytest.raises(DataError, match="target column 'alpah' is not in .*Did you mean 'alpha'"):
        inspect_csv(path, "alpah")
    with pytest.raises(DataError, match="has no column 'bet'.*Did you mean 'beta'"):
        inspect_csv(path).column("bet")


def test_dates_in_another_format_and_target_labels_in_other_spellings(write):
    text = "day,m,t\n" + "".join(f"{i % 12 + 1}/{i % 28 + 1}/2020,{['May', 'June'][i % 2]},"
                                 f"{['Yes', 'yes ', 'No'][i % 3]}\n" for i in range(30))
    profile = inspect_csv(write(text), "t")
    day = profile.column("day")
    assert day.kind == "date" and profile.column("m").kind == "category"
    assert day.note == "dates written '%m/%d/%Y' (e.g. '1/1/2020'): date_format reads them"
    notes = profile.notes()
    assert notes[-1] == ("target 't': labels 'Yes', 'yes ' differ only in spaces or case, so "
                         "they are different classes; correct them in the file "
                         "(data.csv.categories applies to inputs only)")
    assert profile.classes == {"No": 10, "Yes": 10, "yes ": 10}
    assert profile.csv_section()["features"] == ["day", "m"]


@pytest.mark.parametrize("day, note", [
    (lambda i: f"{i % 12 + 1}/{(i + 3) % 12 + 1}/2020",
     "dates, day or month first (e.g. '1/4/2020'): set date_format: '%d/%m/%Y' or "
     "'%m/%d/%Y' to use them"),
    (lambda i: f"{i % 28 + 1} Oct 2020",
     "dates, but not written as ISO 8601 (e.g. '1 Oct 2020'): rewrite them as YYYY-MM-DD to "
     "use them"),
    (lambda i: f"{['Jan', 'Feb', 'March'][i % 3]} {2020 + i % 4}",  # one number, a month's name
     "dates, but not written as ISO 8601 (e.g. 'Jan 2020'): rewrite them as YYYY-MM-DD to "
     "use them")])
def test_dates_without_one_format_are_left_out_with_the_fix(write, day, note):
    profile = inspect_csv(write("day,x,y\n" + "".join(f"{day(i)},{i * 7 % 30},{i % 2}\n"
                                                      for i in range(30))), "y")
    assert (profile.column("day").kind, profile.column("day").note) == ("text", note)
    assert f"'day' left out of features: {note}" in profile.notes()
    assert profile.date_format is None and profile.csv_section()["features"] == ["x"]


def test_codes_of_a_letter_and_a_number_are_categories_not_dates(write):
    """The date parser reads 'm3' as 3 minutes past midnight of the year 1 and 't2' as the
    2nd of January: one number is no date."""
    text = "machine,shift,y\n" + "".join(f"m{i % 3 + 1},t{i % 2 + 1},{i % 2}\n"
                                         for i in range(30))
    profile = inspect_csv(write(text), "y")
    assert [profile.column(c).kind for c in ("machine", "shift")] == ["category", "category"]
    assert profile.csv_section()["features"] == ["machine", "shift"]


def test_a_feature_missing_in_most_rows_is_noted_with_missing_indicator(write):
    """A cabin known for 2 passengers in 10: filled with the most frequent cabin, the model
    could not tell those rows from that cabin's; a column missing in a few rows is no note."""
    rows = "".join(f"{'C' + str(i % 3) if i % 5 == 0 else ''},{'' if i == 3 else 20 + i},"
                   f"{i % 2}\n" for i in range(30))
    notes = inspect_csv(write("cabin,age,y\n" + rows), "y").notes()
    assert [n for n in notes if "missing_indicator" in n] == [
        "'cabin' is missing in 24 of 30 rows: impute fills them all with one value; "
        "missing_indicator: true adds an input that says where a value was missing"]


def test_words_among_numbers_are_suggested_as_missing_marks(write):
    rows = [(("unknown" if i % 10 == 3 else "not given" if i == 7 else str(20 + i)),
             ["red", "blue"][i % 2], "yes" if i % 3 else "no") for i in range(30)]
    path = write("age,colour,y\n" + "".join(f"{a},{c},{y}\n" for a, c, y in rows))
    profile = inspect_csv(path, "y")
    age = profile.column("age")
    assert (age.kind, age.missing, age.tokens) == ("number", 4, ["not given", "unknown"])
    assert profile.column("colour").tokens == []  # words that are the column's values
    section = profile.csv_section()
    assert section["missing"] == ["not given", "unknown"] and section["categorical"] == ["colour"]
    data = load_csv(path, "y", categorical=["colour"], missing=section["missing"],
                    impute="median")
    ages = [float(a) for a, _, _ in rows if a[0].isdigit()]
    assert data.X[3, 0] == np.median(ages) and data.X[4, 0] == 24
    with pytest.raises(DataError) as caught:
        load_csv(path, "y", categorical=["colour"])
    assert ("(e.g. 'unknown' on line 5); if 'not given' and 'unknown' mean the value is "
            "missing, set data.csv.missing: ['not given', 'unknown'] (missing=['not given', "
            "'unknown'] in Python); otherwise list it in") in str(caught.value)
    with pytest.raises(DataError) as caught:  # one word in a column of words is no mark
        load_csv(write("size,y\nbig,0\nsmall,1\nbig,0\n1,1\n", "s.csv"), "y")
    assert "missing" not in str(caught.value)


def test_codes_with_leading_zeros_too_many_for_categories_are_an_id_not_a_number(write):
    # 30 postal codes in 40 rows: too many for one-hot columns, and never amounts
    text = "zip,size,y\n" + "".join(f"0{2100 + i % 30},{i % 7},{i % 2}\n" for i in range(40))
    profile = inspect_csv(write(text), "y")
    code = profile.column("zip")
    assert code.kind == "id" and code.note == (
        "codes written with leading zeros (e.g. '02100'): read as an id (too many for "
        "categories), not amounts")
    section = profile.csv_section()
    assert (section["ids"], section["features"]) == (["zip"], ["size"])
    assert load_csv(**section).feature_names == ["size"]

def test_dates_in_one_other_format_get_it_and_train(write):
    """The note's example is written in that format, not one of the ISO 8601 dates beside."""
    text = "day,code,y\n2020-03-04,10001,0\n" + "".join(
        f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/2020,{['02139', '10001', '94110'][i % 3]},{i % 2}\n"
        for i in range(30))
    path = write(text)
    profile = inspect_csv(path, "y")
    day, code = profile.column("day"), profile.column("code")
    assert (day.kind, profile.date_format) == ("date", "%d/%m/%Y")
    assert day.note == "dates written '%d/%m/%Y' (e.g. '01/01/2020'): date_format reads them"
    assert code.kind == "category" and code.note == (
        "codes written with leading zeros (e.g. '02139'): read as categories, not amounts")
    section = profile.csv_section()
    assert (section["dates"], section["date_format"], section["categorical"]) == (
        ["day"], "%d/%m/%Y", ["code"])
    data = load_csv(**section)
    assert data.feature_names[:2] == ["day_year", "day_month_sin"]
    assert data.feature_names[-3:] == ["code=02139", "code=10001", "code=94110"]
    days = data.X[:, data.feature_names.index("day_days")]
    # 14/02/2020 (i = 13, after the ISO row) is 44 days after the first date, 01/01/2020
    assert days[14] == 44 and days[0] == 63 and days.min() == 0


def test_a_date_and_a_date_and_time_column_share_one_format(write):
    text = "ordered,shipped,y\n" + "".join(
        f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/2020,{i % 28 + 1:02d}/{i % 12 + 1:02d}/2020 "
        f"{i % 24}:{i % 60:02d},{i % 2}\n" for i in range(30))
    path = write(text)
    profile = inspect_csv(path, "y")
    assert profile.date_format == "%d/%m/%Y"
    assert [profile.column(c).kind for c in ("ordered", "shipped")] == ["date", "date"]
    data = load_csv(**profile.csv_section())
    ordered, shipped = (data.X[:, data.feature_names.index(f"{c}_days")]
                        for c in ("ordered", "shipped"))
    # row i ships i % 24 hours and i % 60 minutes after it is ordered, on the same day
    np.testing.assert_allclose(shipped - ordered, [(i % 24 + i % 60 / 60) / 24 for i in range(30)])


def test_a_few_texts_among_a_numeric_target_make_a_regression_to_correct(write):
    """Prices with '12k' in 2 of 60 rows are a regression target with typos, not 59
    one-row classes: inspect reads the typos as missing (their rows left out, listed), and
    load_csv, without that, names the cell and the fix."""
    rows = [f"{i % 7}.5,{1000 + 37.5 * i}" for i in range(60)]
    rows[4], rows[30] = "4.5,12k", "2.5,12k"  # lines 6 and 32
    path = write("x,price\n" + "\n".join(rows) + "\n")
    profile = inspect_csv(path, "price")
    assert (profile.task, profile.classes, profile.unlabeled) == ("regression", None, [6, 32])
    assert profile.column("price").tokens == ["12k"]
    assert "'12k' among its numbers: read as missing" in profile.column("price").note
    data = load_csv(**profile.csv_section())
    assert data.task == "regression" and data.lines.tolist()[4:6] == [7, 8]
    assert data.y[:2].tolist() == [1000, 1037.5]
    with pytest.raises(DataError, match=r"'price' .* is not numeric \(e\.g\. '12k' on line 6\);"
                                        r" .* list the text in data\.csv\.missing"):
        load_csv(path, "price")
    few = "\n".join(f"{i % 7}.5,{i % 3}" for i in range(60)) + "\n7,none given\n"
    assert load_csv(write("x,level\n" + few), "level").task == "classification"


def test_a_constant_column_with_gaps_is_not_said_to_hold_its_value_in_every_row(write):
    rows = "".join(f"{i % 4}.5,{'' if i % 3 else 'called back'},{'uv'[i % 2]}\n"
                   for i in range(30))
    notes = inspect_csv(write("x,note,y\n" + rows), "y").notes()
    assert "'note' left out of features: one value, 'called back', where filled (missing in " \
           "20 rows), so only whether it is filled tells rows apart" in notes
    assert "'c' left out of features: one value in every row, so it tells rows apart no " \
           "better than nothing" in inspect_csv(write("x,c,y\n1,k,u\n2,k,v\n"), "y").notes()


def test_a_header_without_rows_is_refused_by_inspect_as_by_load_csv(write):
    path = write("a,b,y\n")
    for read in (inspect_csv, load_csv):
        with pytest.raises(DataError, match="has a header but no data rows"):
            read(path, "y")


def test_whole_numbers_with_a_point_between_thousands_are_noted(write):
    """'12.500' and '980' in one column: 12.5 as written, 12500 as a German export means it;
    inspect says which options read the other, and leaves the choice to the user."""
    rows = "".join(f"{v};{'ab'[i % 2]};{'uv'[i % 3 % 2]}\n" for i, v in enumerate(
        ["12.500", "980", "1.250", "3.400", "75", "-2.000"]))
    amount = inspect_csv(write("amount;kind;y\n" + rows), "y").column("amount")
    assert amount.kind == "number" and amount.note.startswith(
        "'12.500' looks like '.' between thousands (every value with a point has three digits "
        "after it, none without one has more than three): read as 12.5; if it means 12500, "
        "read the file with decimal: ',' and numbers: formatted")
    for decimals in (["12.500", "0.980"], ["12.50", "980"], ["12.500", "1980"]):
        rows = "".join(f"{v};{'ab'[i % 2]};{'uv'[i % 2]}\n" for i, v in enumerate(decimals * 2))
        assert inspect_csv(write("amount;kind;y\n" + rows), "y").column("amount").note == ""
