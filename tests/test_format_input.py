"""Spreadsheet-friendly input and the format reference (docs/FORMAT.md) kept in step with the code."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from barotrend import datasets
from barotrend.validation import SCHEMAS, TEST_FIGURES, DataValidationError, parse_date

FORMAT = Path(__file__).resolve().parents[1] / "docs" / "FORMAT.md"

MIN_WAVES = "survey,wave,wave_order,date,population,source\ns,A,1,{date},People,a.pdf\n"
MIN_FIGURES = ("figure_id,survey,wave,item,question,statistic,value,decimals,multi_response,"
               "exhaustive,source,quote\n"
               "f1,s,A,q,Do you agree?,share,{value},{decimals},{flag},{flag},a.pdf,quoted\n")
MIN_SOURCES = "source,title\na.pdf,An article\n"


def minimal(path, date="2013-04", value="40", decimals="0", flag="FALSE", **more):
    path.mkdir(parents=True, exist_ok=True)
    (path / "waves.csv").write_text(MIN_WAVES.format(date=date), encoding="utf-8")
    (path / "figures.csv").write_text(MIN_FIGURES.format(value=value, decimals=decimals,
                                                         flag=flag), encoding="utf-8")
    (path / "sources.csv").write_text(MIN_SOURCES, encoding="utf-8")
    for name, text in more.items():
        (path / f"{name}.csv").write_text(text, encoding="utf-8")
    return path


# -- the format reference ---------------------------------------------------------------------------
def _documented_columns():
    text = FORMAT.read_text(encoding="utf-8")
    out = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        title = part.splitlines()[0]
        part = part.split("\n### ")[0]  # the table's columns, not the headline tests
        m = re.match(r"(\w+)\.csv", title)
        if m:
            out[m.group(1)] = re.findall(r"^\| `(\w+)` \|", part, flags=re.M)
    return out, text


def test_format_lists_every_column_of_every_table():
    documented, _ = _documented_columns()
    assert set(documented) == set(SCHEMAS)
    for table, schema in SCHEMAS.items():
        assert documented[table] == list(schema), table  # every column, in the schema's order


def test_format_says_required_as_the_schema_does():
    text = FORMAT.read_text(encoding="utf-8")
    for table, schema in SCHEMAS.items():
        for col, kind in schema.items():
            row = re.search(rf"^## {table}\.csv.*?^\| `{col}` \| (\w+) \|", text, re.M | re.S)
            assert row, (table, col)
            assert row.group(1) == ("required" if kind.endswith("!") else "optional"), (table,
                                                                                       col)


def test_format_documents_every_headline_test():
    _, text = _documented_columns()
    tests = re.findall(r"^\| `(\w+)` \| (\d) ", text.split("### Headline tests")[1], re.M)
    assert {t: int(n) for t, n in tests} == {t: n for t, (n, _) in TEST_FIGURES.items()}


def test_template_has_every_column(tmp_path):
    from barotrend.template import write_template

    write_template(tmp_path)
    for table, schema in SCHEMAS.items():
        header = (tmp_path / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == list(schema)


# -- cells ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("TRUE", True), ("true", True), ("True", True), ("yes", True), ("YES", True), ("1", True),
    ("FALSE", False), ("false", False), ("no", False), ("No", False), ("0", False),
])
def test_booleans_as_spreadsheets_write_them(tmp_path, text, value):
    d = datasets.load(minimal(tmp_path / "m", flag=text))
    assert d.figures["multi_response"].tolist() == [value]


def test_other_boolean_text_is_refused(tmp_path):
    with pytest.raises(DataValidationError, match=r"figures.csv, line 2, column "
                       r"'multi_response': expected True or False \(also TRUE/FALSE, yes/no, "
                       r"1/0\) \(got 'y'\)"):
        datasets.load(minimal(tmp_path / "m", flag="y"))


@pytest.mark.parametrize(("text", "date", "precision"), [
    ("2013-Q2", "2013-04", "quarter"), ("Q2 2013", "2013-04", "quarter"),
    ("2013 Q4", "2013-10", "quarter"), ("q1-2014", "2014-01", "quarter"),
    ("2013-04", "2013-04", "month"), ("2013-4", "2013-04", "month"),
    ("Oct 2012", "2012-10", "month"), ("October 2012", "2012-10", "month"),
    ("Sept 2012", "2012-09", "month"), ("2012-10-15", "2012-10", "month"),
    ("2012", "2012", "year"),
])
def test_dates(tmp_path, text, date, precision):
    w = datasets.load(minimal(tmp_path / "m", date=text)).waves
    assert (w["date"].iloc[0], w["date_precision"].iloc[0]) == (date, precision)


@pytest.mark.parametrize(("text", "message"), [
    ("2013-13", "month 13 does not exist"), ("2013-00", "month 0 does not exist"),
    ("2013-02-30", "not a calendar date"), ("Octember 2012", "'Octember' is not a month name"),
    ("2013-Q5", "expected a date as YYYY, YYYY-MM, YYYY-Qn"), ("13", "expected a date"),
])
def test_bad_dates(tmp_path, text, message):
    with pytest.raises(DataValidationError, match=rf"waves.csv, line 2, column 'date': {message}"):
        datasets.load(minimal(tmp_path / "m", date=text))


def test_quarter_dates_are_placed_at_the_quarters_middle():
    from barotrend.tracking.table import date_value

    date, precision = parse_date("2013-Q2")
    assert date_value(date, precision) == pytest.approx(2013 + 4.5 / 12)  # mid May 2013


def test_optional_columns_may_be_absent_and_take_defaults(tmp_path):
    d = datasets.load(minimal(tmp_path / "m"))
    w, f = d.waves.iloc[0], d.figures.iloc[0]
    assert (w["survey_label"], w["wave_label"], w["date_precision"]) == ("s", "A", "month")
    assert (f["group"], f["concept"], f["category"], bool(f["implied"])) == ("all", "q", "",
                                                                             False)
    assert pd.isna(f["base"]) and list(d.figures.columns)[:3] == ["figure_id", "survey", "wave"]


def test_headers_match_ignoring_case_and_spaces(tmp_path):
    path = minimal(tmp_path / "m")
    text = (path / "figures.csv").read_text(encoding="utf-8")
    (path / "figures.csv").write_text(text.replace("figure_id,survey", " Figure_ID ,Survey"),
                                      encoding="utf-8")
    assert datasets.load(path).figures["figure_id"].tolist() == ["f1"]


def test_keywords_in_any_case(tmp_path):
    path = minimal(tmp_path / "m", groups="survey,group,parent,relation\ns,GPs,ALL,Partition\n")
    text = (path / "figures.csv").read_text(encoding="utf-8")
    text = text.replace("statistic,", "statistic,group,").replace(",share,", ",Share,All,")
    text += text.splitlines()[1].replace("f1,", "f2,").replace(",All,", ",GPs,") + "\n"
    (path / "figures.csv").write_text(text, encoding="utf-8")
    d = datasets.load(path)
    assert d.figures[["statistic", "group"]].values.tolist() == [["share", "all"],
                                                                 ["share", "GPs"]]
    assert d.groups[["parent", "relation"]].values.tolist() == [["all", "partition"]]


def test_extra_columns_kept_and_noted(tmp_path):
    path = minimal(tmp_path / "m")
    text = (path / "waves.csv").read_text(encoding="utf-8").splitlines()
    (path / "waves.csv").write_text(f"{text[0]},fieldwork,Comment\n{text[1]},online,ok\n",
                                    encoding="utf-8")
    d = datasets.load(path)
    assert d.waves["fieldwork"].tolist() == ["online"] and d.waves["Comment"].tolist() == ["ok"]
    assert any(n.endswith("waves.csv: column(s) fieldwork, Comment are not part of the format; "
                          "kept as they are and not used") for n in d.notes)


def test_shares_that_look_like_proportions_are_noted(tmp_path):
    path = minimal(tmp_path / "m", value="0.45", decimals="2")
    d = datasets.load(path)
    assert any("every share of item 'q' (A) is at most 1 (0.45): shares are in percent" in n
               for n in d.notes)
    with pytest.raises(DataValidationError, match=r"value 0.45 has more decimals than the stated "
                       r"decimals=0; shares are in percent: this looks like a proportion"):
        datasets.load(minimal(tmp_path / "n", value="0.45", decimals="0"))


def test_bom_is_fine_and_other_encodings_are_named(tmp_path):
    path = minimal(tmp_path / "m")
    plain = datasets.load(path).figures
    raw = (path / "figures.csv").read_bytes()
    (path / "figures.csv").write_bytes(b"\xef\xbb\xbf" + raw)
    pd.testing.assert_frame_equal(datasets.load(path).figures, plain)
    (path / "figures.csv").write_bytes(raw.replace(b"Do you", "Avez-vous été".encode("cp1252")))
    with pytest.raises(DataValidationError, match=r"figures.csv, line 2: not UTF-8 text: byte "
                       r"0xe9 at byte position \d+ \(Latin-1 or Windows-1252\?\); save the file "
                       r"as CSV UTF-8"):
        datasets.load(path)


def test_a_quoted_cell_over_lines_keeps_its_line_numbers(tmp_path):
    path = minimal(tmp_path / "m")
    lines = (path / "figures.csv").read_text(encoding="utf-8").splitlines()
    second = lines[1].replace("f1,", "f2,").replace("quoted", '"two\nlines"')
    third = lines[1].replace("f1,", "f3,").replace(",40,", ",140,").replace(",q,", ",r,")
    (path / "figures.csv").write_text("\n".join([lines[0], lines[1].replace(",q,", ",p,"),
                                                 second, third]) + "\n", encoding="utf-8")
    # the third row starts on line 5 (the second row takes lines 3 and 4)
    with pytest.raises(DataValidationError, match=r"figures.csv, line 5, column 'value'"):
        datasets.load(path)


# -- workbooks --------------------------------------------------------------------------------------
def _workbook(path, tables: dict):
    with pd.ExcelWriter(path) as book:
        for name, df in tables.items():
            df.to_excel(book, sheet_name=name, index=False)
    return path


def test_workbook_with_typed_cells_equals_the_csv_folder(tmp_path):
    d = datasets.load()
    tables = {t: getattr(d, t) for t in datasets.TABLES}
    waves = tables["waves"].astype(object)
    # a spreadsheet holds a real date where the month is known
    waves.loc[waves["date"] == "2012-10", "date"] = dt.datetime(2012, 10, 1)
    tables["waves"] = waves
    book = datasets.load(_workbook(tmp_path / "book.xlsx", tables))
    for t in datasets.TABLES:
        pd.testing.assert_frame_equal(getattr(book, t), getattr(d, t), check_dtype=False)


def test_workbook_errors_name_sheet_and_row(tmp_path):
    d = datasets.load()
    figures = d.figures.astype(object)
    figures.loc[1, "value"] = 120.0
    tables = {"Waves": d.waves, "FIGURES": figures, "sources": d.sources, "notes": d.sources}
    with pytest.raises(DataValidationError, match=r"book.xlsx, sheet 'FIGURES', row 3, column "
                       r"'value': a share \(percent\) must lie within 0-100 \(got 120.0\)"):
        datasets.load(_workbook(tmp_path / "book.xlsx", tables))
    tables["FIGURES"] = d.figures
    ok = datasets.load(_workbook(tmp_path / "ok.xlsx", tables))
    assert any("sheet(s) notes are not tables of the format" in n for n in ok.notes)
    del tables["sources"]
    with pytest.raises(DataValidationError, match=r"no sheet 'sources' \(sheets: Waves, FIGURES, "
                       r"notes\)"):
        datasets.load(_workbook(tmp_path / "no.xlsx", tables))


def test_broken_workbook_is_named(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(DataValidationError, match=r"bad.xlsx: not a readable .xlsx workbook"):
        datasets.load(tmp_path / "bad.xlsx")


def test_a_folder_path_to_its_figures_file(tmp_path):
    shutil.copytree(datasets.data_dir(), tmp_path / "d")
    assert len(datasets.load(tmp_path / "d" / "figures.csv").figures) == len(
        datasets.load().figures)


# -- properties -------------------------------------------------------------------------------------
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# any text but NUL and a bare carriage return (which the csv module leaves unquoted when it
# writes \n line ends, so that no reader can tell it from a line end)
_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters="\x00\r"), max_size=12)


@given(rows=st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=6),
       bom=st.booleans(), crlf=st.booleans())
def test_csv_cells_read_back_as_written(tmp_path_factory, rows, bom, crlf):
    """Whatever text a spreadsheet writes in a cell (commas, quotes, new lines, any script),
    quoted as the csv module quotes it, reads back unchanged, with the line each row starts
    on; rows of blank cells are skipped."""
    import csv
    import io

    from barotrend.cells import is_blank

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n").writerows([["a", "b", "c"], *rows])
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    frame, where = datasets.read_csv_table(path, "t.csv")
    kept = [r for r in rows if not all(is_blank(c) for c in r)]
    assert [list(r) for r in frame.itertuples(index=False)] == kept
    starts, line = [], 2
    for r in rows:
        one = io.StringIO()
        csv.writer(one, lineterminator="\r\n" if crlf else "\n").writerow(r)
        if not all(is_blank(c) for c in r):
            starts.append(f"t.csv, line {line}")
        line += one.getvalue().count("\n")  # a quoted new line in a cell is a line of the file
    assert list(where.rows) == starts


@given(year=st.integers(1900, 2100), month=st.integers(1, 12), quarter=st.integers(1, 4))
def test_dates_parse_in_every_accepted_form(year, month, quarter):
    import calendar

    want = (f"{year}-{month:02d}", "month")
    assert parse_date(f"{year}-{month:02d}") == want
    assert parse_date(f"{calendar.month_abbr[month]} {year}") == want
    assert parse_date(f"{calendar.month_name[month]} {year}") == want
    assert parse_date(dt.date(year, month, 28)) == want
    q = (f"{year}-{3 * quarter - 2:02d}", "quarter")
    assert parse_date(f"{year}-Q{quarter}") == q == parse_date(f"Q{quarter} {year}")
