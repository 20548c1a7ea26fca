"""A report export with totals and notes under its rows: read as it is with skip_footer, a count
the file's end contradicts refused with the count to set, and files read later (a file to
score has no footer) left with every row they hold."""

import pytest

from mlkit.data import CsvSchema, DataError, inspect_csv, load_csv

HEADER = "region,amount,units,won\n"
ROWS = "".join(f"{['north', 'south'][i % 2]},{100 * i + 50},{i + 1},{'ny'[i % 2]}\n"
               for i in range(8))  # lines 2-9
FOOTER = "Total,2800,36,\nExported by CRM on 2026-12-01\n"  # lines 10-11


def _load(path, **options):
    return load_csv(path, "won", categorical=["region"], **options)


def test_a_footer_is_left_out_with_skip_footer(write):
    data = _load(write(HEADER + ROWS + FOOTER), skip_footer=2)
    assert data.lines.tolist() == [2, 3, 4, 5, 6, 7, 8, 9]
    assert data.X[-1].tolist() == [750, 8, 0, 1]  # line 9: south, 750, 8 (region one-hot last)
    state = data.schema.to_dict()
    assert state["skip_footer"] == 2
    assert CsvSchema.from_dict(state).dialect == data.schema.dialect
    del state["skip_footer"]  # a run saved before the option: no footer to leave out
    assert CsvSchema.from_dict(state).dialect.skip_footer == 0


@pytest.mark.parametrize("skip, message", [
    (0, "CSV file {} ends with 2 line(s) holding a text in the first column alone or a total "
        "(lines 10, 11: 'Total', 'Exported by CRM on 2026-12-01'): a footer of totals or notes,"
        " not rows; delete those lines, or read the file as it is with data.csv.skip_footer: 2 "
        "in the config (skip_footer=2 in Python; mlkit inspect --skip-footer 2)."),
    (1, "not rows; skip_footer=1 leaves 1 of them under the rows; set data.csv.skip_footer: 2 "
        "in the config (skip_footer=2 in Python; mlkit inspect --skip-footer 2)."),
    (3, "CSV file {}: skip_footer=3 would skip line 9 (starting 'south'), which reads like a "
        "row of the table (a number in each column of numbers), not a footer; set "
        "data.csv.skip_footer: 2 in the config (skip_footer=2 in Python; mlkit inspect "
        "--skip-footer 2)."),
    (12, "skip_footer=12 would skip every row of CSV file {} (it has 10 lines under its header "
         "line); set data.csv.skip_footer (skip_footer= in Python) to the number of footer "
         "lines under the rows, 0 when it has none."),
])
def test_a_count_the_file_end_contradicts_is_refused_with_the_count_to_set(write, skip,
                                                                            message):
    path = write(HEADER + ROWS + FOOTER)
    with pytest.raises(DataError) as caught:
        _load(path, skip_footer=skip)
    assert message.format(repr(str(path))) in str(caught.value)


def test_a_file_without_a_footer_keeps_its_last_row(write):
    path = write(HEADER + ROWS)
    with pytest.raises(DataError, match=r"^CSV file .*: skip_footer=1 would skip line 9 "
                                        r"\(starting 'south'\), which reads like a row .*set "
                                        r"data.csv.skip_footer: 0 in the config .*, or leave "
                                        r"it out\.$"):
        _load(path, skip_footer=1)
    assert _load(path).lines.tolist()[-1] == 9


def test_a_footer_the_rows_do_not_show_is_left_to_skip_footer(write):
    """A note with several values is no footer to the detection, but no row either (text in a
    column of numbers): the count is the user's to give."""
    path = write(HEADER + ROWS + "Source: CRM,all regions,,\n")
    assert _load(path).notes == ["1 row with no target value left out: line 10"]
    data = _load(path, skip_footer=1)
    assert data.lines.tolist()[-1] == 9 and data.notes == []
    schema = data.schema  # a file read later: its own such line left out, a row never
    two = "".join(ROWS.splitlines(keepends=True)[:2])
    assert schema.read(write(HEADER + two + "Source: CRM,all,,\n", "b.csv")).rows.tolist() == [
        2, 3]
    assert schema.read(write(HEADER + ROWS, "c.csv")).rows.tolist()[-1] == 9


def test_a_two_column_file_keeps_its_last_line_unless_told(write):
    """Under two columns a totals word may be a category; said to be a footer, it is left
    out (a totals line, unlike a row)."""
    text = "region,amount\n" + "".join(f"r{i % 2},{i}\n" for i in range(6)) + "Total,15\n"
    data = load_csv(write(text), "amount", categorical=["region"])
    assert data.feature_names == ["region=Total", "region=r0", "region=r1"]
    data = load_csv(write(text), "amount", categorical=["region"], skip_footer=1)
    assert data.y.tolist() == [0, 1, 2, 3, 4, 5] and data.feature_names == ["region=r0",
                                                                            "region=r1"]


def test_files_read_later_leave_out_the_footer_they_show_and_no_row(write):
    """Trained on an export with totals and a note: next month's with one more note, a copy
    without the note, and a file to score without any footer are each read row for row."""
    schema = _load(write(HEADER + ROWS + FOOTER), skip_footer=2).schema
    new = "north,75,2,y\nsouth,125,3,n\n"  # lines 2-3
    longer = schema.read(write(HEADER + new + FOOTER + "Filter: all regions\n", "longer.csv"))
    total = schema.read(write(HEADER + new + "Total,200,5,\n", "total.csv"))
    scoring = schema.read(write(HEADER + new, "scoring.csv"), target=False)
    assert (longer.footer.tolist(), total.footer.tolist(), scoring.footer.tolist()) == (
        [4, 5, 6], [4], [])
    for table in (longer, total, scoring):
        assert table.rows.tolist() == [2, 3]
        assert table.X.tolist() == [[75, 2, 1, 0], [125, 3, 0, 1]]


def test_inspect_finds_the_footer_and_suggests_it(write):
    path = write(HEADER + ROWS + "Total,2800,36,\n\nExported by CRM on 2026-12-01\n")
    profile = inspect_csv(path, "won")
    assert profile.rows == 8 and profile.footer == {10: "Total",
                                                    12: "Exported by CRM on 2026-12-01"}
    assert profile.read_with().endswith("encoding 'utf-8', 2 lines of footer skipped "
                                        "(separator detected; footer found)")
    section = profile.csv_section()
    assert section["skip_footer"] == 2  # the blank line between them is no line to count
    assert load_csv(**section).lines.tolist() == [2, 3, 4, 5, 6, 7, 8, 9]
    with pytest.raises(DataError, match=r"\(lines 10, 12: 'Total', 'Exported by CRM on "
                                        r"2026-12-01'\): a footer of totals or notes, not "
                                        r"rows; delete those lines, or read the file as it is "
                                        r"with data.csv.skip_footer: 2"):
        inspect_csv(path, "won", skip_footer=0)
    assert inspect_csv(write(HEADER + ROWS, "clean.csv"), "won").footer == {}
