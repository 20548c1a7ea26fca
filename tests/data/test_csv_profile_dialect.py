"""inspect_csv on files written the European, Windows or long-tailed way, and its notes on
columns that give the target away."""

import numpy as np
import pandas as pd
import pytest

from mlkit.data import DataError, inspect_csv, load_csv


def test_semicolons_and_decimal_commas_are_found_and_the_section_reads_the_file(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("poids;taille;classe\n3,5;1.200;a\n4,25;1.350,5;b\n5;900;a\n6,5;1.000;b\n")
    profile = inspect_csv(path, "classe")
    assert (profile.dialect.sep, profile.dialect.decimal) == (";", ",")
    assert profile.read_with() == ("read with separator ';' (semicolon), decimal mark ',', "
                                  "encoding 'utf-8' (separator detected; numbers like 3,5 "
                                  "found: decimal ',' suggested)")
    assert [c.kind for c in profile.columns] == ["number", "formatted number", "category"]
    assert profile.column("taille").note == "'1.200' is 1200"
    section = profile.csv_section()
    assert {k: section[k] for k in ("sep", "decimal", "encoding", "numbers")} == {
        "sep": ";", "decimal": ",", "encoding": "utf-8", "numbers": "formatted"}
    data = load_csv(path, "classe", features=section["features"], sep=section["sep"],
                    decimal=section["decimal"], numbers=section["numbers"])
    np.testing.assert_array_equal(data.X, [[3.5, 1200], [4.25, 1350.5], [5, 900], [6.5, 1000]])


def test_points_are_kept_when_some_column_needs_them(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("a;b;y\n3,5;1.5;0\n4,5;2.5;1\n")
    profile = inspect_csv(path, sep=";")
    assert profile.dialect.decimal == "."
    assert profile.read_with() == ("read with separator ';' (semicolon), decimal mark '.', "
                                  "encoding 'utf-8'")


@pytest.mark.parametrize("written, decimal, other, example", [
    ("a,b,y\n\"3,5\",1.5,0\n\"4,25\",2.5,1\n\"7,0\",3.5,0\n", ".", ",", "3,5"),
    ("a;b;y\n3.5;1,5;0\n4.25;2,5;1\n7.0;3,5;0\n", ",", ".", "3.5"),
])
def test_a_column_of_numbers_with_the_other_decimal_mark_says_which_mark_reads_it(
        tmp_path, written, decimal, other, example):
    path = tmp_path / "marks.csv"
    path.write_text(written)
    profile = inspect_csv(path, "y", decimal=decimal)
    assert [c.kind for c in profile.columns] == ["category", "number", "number"]
    assert profile.column("a").note == (f"numbers written with the decimal mark {other!r} "
                                        f"(e.g. {example!r}): read the file with decimal: "
                                        f"{other!r}")
    assert profile.column("b").note == ""


def test_many_numbers_with_the_other_decimal_mark_are_noted_not_only_as_an_id(tmp_path):
    """Forty distinct values make an id of them, four written like dates text: each still
    says which decimal mark reads it; a counter 1, 2, 3 ... is read by both marks alike."""
    rows = [f"{i + 3},{i % 7};{i * 0.25 + 0.1:g};{1 + i % 4},75;{i + 1};{'ab'[i % 2]}"
            for i in range(40)]
    path = tmp_path / "many.csv"
    path.write_text("w;x;t;n;y\n" + "\n".join(rows) + "\n")
    profile = inspect_csv(path, "y", sep=";", decimal=".")
    assert [profile.column(c).kind for c in "wxtn"] == ["id", "number", "text", "id"]
    for name, example in (("w", "3,0"), ("t", "1,75")):
        assert profile.column(name).note == (
            f"numbers written with the decimal mark ',' (e.g. {example!r}): read the file "
            "with decimal: ','")
    assert profile.column("x").note == profile.column("n").note == ""


def test_a_windows_file_is_read_as_cp1252_and_says_so(tmp_path):
    path = tmp_path / "win.csv"
    path.write_bytes("ville,prix\nZürich,3 €\nGenève,4 £\n".encode("cp1252"))
    profile = inspect_csv(path)
    assert profile.dialect.encoding == "cp1252"
    assert "the file is not UTF-8; set encoding: cp1252" in profile.read_with()
    assert profile.column("ville").example == "Zürich"
    latin = inspect_csv(path, encoding="latin-1")
    assert latin.dialect.encoding == "iso8859-1" and "not UTF-8" not in latin.read_with()
    with pytest.raises(DataError, match="not utf-8 text"):
        inspect_csv(path, encoding="utf-8")


def test_a_long_tail_of_rare_categories_suggests_min_frequency(tmp_path):
    cities = ["Paris"] * 10 + ["Lyon"] * 10 + [f"town{i}" for i in range(8)] * 2
    frame = pd.DataFrame({"city": cities, "n": range(len(cities)),
                          "y": np.arange(len(cities)) % 2})
    frame.to_csv(tmp_path / "tail.csv", index=False)
    profile = inspect_csv(tmp_path / "tail.csv", "y")
    assert profile.column("city").note == ("8 of 10 categories in fewer than 5 rows: "
                                           "min_frequency: 5 makes them one 'city=(other)' "
                                           "input")
    assert profile.csv_section()["min_frequency"] == 5
    frame.assign(city=["Paris", "Lyon"] * 18).to_csv(tmp_path / "short.csv", index=False)
    assert inspect_csv(tmp_path / "short.csv", "y").csv_section()["min_frequency"] is None


def _leaky(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(["stay", "leave"], n)
    return pd.DataFrame({
        "tenure": rng.integers(1, 60, n),
        "plan": rng.choice(["a", "b", "c"], n),
        "exit_survey": np.where(y == "leave", "done", "skipped"),
        "code": np.where(y == "leave", rng.choice([7, 8], n), rng.choice([1, 2, 3], n)),
        "y": y})


def test_columns_that_determine_a_class_target_are_noted(tmp_path):
    _leaky().to_csv(tmp_path / "leak.csv", index=False)
    notes = inspect_csv(tmp_path / "leak.csv", "y").notes()
    leaks = [n for n in notes if "may leak" in n]
    assert leaks == [
        "'exit_survey' may leak the target: each of its 2 values comes with one 'y' class in "
        "every row; it is the target in other words; leave it out if it is not known at "
        "prediction time",
        "'code' may leak the target: each of its 5 values comes with one 'y' class in every "
        "row; it is the target in other words; leave it out if it is not known at prediction "
        "time"]
    # one row where the survey disagrees is no leak any more
    frame = _leaky()
    frame.loc[0, "exit_survey"] = "skipped" if frame.loc[0, "y"] == "leave" else "done"
    frame.to_csv(tmp_path / "fine.csv", index=False)
    notes = inspect_csv(tmp_path / "fine.csv", "y").notes()
    assert [n.split()[0] for n in notes if "may leak" in n] == ["'code'"]


def test_a_number_column_equal_or_monotone_in_a_numeric_target_is_noted(tmp_path):
    rng = np.random.default_rng(1)
    price = rng.uniform(10, 100, 30).round(2)
    frame = pd.DataFrame({"size": rng.uniform(1, 5, 30).round(3), "price_copy": price,
                          "price_cents": (np.log(price) * 100).round(6),
                          "noisy": (price + rng.normal(0, 5, 30)).round(2), "price": price})
    frame.to_csv(tmp_path / "reg.csv", index=False)
    profile = inspect_csv(tmp_path / "reg.csv", "price")
    assert profile.task == "regression"
    assert [n for n in profile.notes() if "may leak" in n] == [
        "'price_copy' may leak the target: it equals 'price' in every row; it is the target "
        "in other words; leave it out if it is not known at prediction time",
        "'price_cents' may leak the target: it rises or falls with 'price' in every row; it "
        "is the target in other words; leave it out if it is not known at prediction time"]


def test_a_formatted_example_keeps_its_cents(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text('price,y\n"$157,289.97",0\n"$1,000.50",1\n12,0\n')
    assert inspect_csv(path).column("price").note == "'$157,289.97' is 157289.97"


def test_two_columns_whose_product_or_ratio_is_the_target_are_noted(tmp_path):
    """A price per square foot beside the area gives the price away; two columns that only
    come near it (noise of 5%) do not."""
    rng = np.random.default_rng(2)
    area = rng.uniform(500, 3000, 60).round()
    price = (area * rng.uniform(80, 200, 60)).round(-2)
    frame = pd.DataFrame({"area": area, "year": rng.integers(1900, 2020, 60),
                          "per_area": (price / area).round(2), "rooms": (area / 400).round(),
                          "noisy": (price * rng.uniform(0.95, 1.05, 60) / area).round(2),
                          "share": (area / price).round(6), "price": price})
    frame.to_csv(tmp_path / "houses.csv", index=False)
    assert [n for n in inspect_csv(tmp_path / "houses.csv", "price").notes() if "leak" in n] == [
        "'area' and 'per_area' may leak the target together: area * per_area is 'price' in "
        "every row (to 1%); one of them may be worked out from the target: leave that one out "
        "if it is not known at prediction time",
        "'area' and 'share' may leak the target together: area / share is 'price' in every row "
        "(to 1%); one of them may be worked out from the target: leave that one out if it is "
        "not known at prediction time"]


def test_a_leak_noted_alone_is_left_out_of_the_pairs_whatever_its_name():
    """A column noted alone is not noted again in a pair; a name holding a quote (written
    "it's price" in the note) was read back from the note's text as another name."""
    from mlkit.data.leaks import leak_notes

    y = pd.Series(np.arange(1.0, 31.0))
    numbers = {"it's price": y * 1.0, "one": pd.Series(np.ones(30)), "y": y}
    notes = leak_notes(pd.DataFrame(numbers), "y", "regression", ["it's price", "one"], numbers)
    assert [note.split(" may leak")[0] for note in notes] == ['"it\'s price"']
