"""`barotrend report --microdata` run as a user runs it: without clusters, and on bad files.

Expected values are hand formulas (tests/test_tracker.py::unclustered_reference), never the
code's own output. Every bad file must end in one line on stderr naming the file and what is
wrong, exit code 2, and no traceback.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd
import pytest
from scipy import stats
from test_tracker import UNCLUSTERED, unclustered_reference


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "barotrend.cli", *args], cwd=cwd,
                          capture_output=True, text=True)


def one_line_error(res, *words):
    """The CLI failed cleanly: exit 2, one line on stderr (besides progress), no traceback."""
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip() and not ln.startswith("[")]
    assert len(lines) == 1, res.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def unclustered_csv(path):
    pd.DataFrame({"wave": [w for w, v in UNCLUSTERED.items() for _ in v],
                  "y": [y for v in UNCLUSTERED.values() for y in v]}).to_csv(path, index=False)


def test_microdata_report_without_cluster(tmp_path):
    # issue 12 item 1: --cluster is optional; without it the waves are independent samples of
    # respondents (one SRS of 15 rows): series, changes and trend equal the hand formulas.
    unclustered_csv(tmp_path / "resp.csv")
    res = run("report", "--microdata", "resp.csv", "--wave", "wave", "--items", "y",
              "--out", "rep", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    ref = unclustered_reference()
    series = pd.read_csv(tmp_path / "rep" / "series.csv")
    assert series["wave"].tolist() == ["W1", "W2", "W3"]
    assert series["estimate"].tolist() == pytest.approx(ref["means"].tolist(), rel=1e-12)
    assert (series["se"] ** 2).tolist() == pytest.approx(ref["var"].tolist(), rel=1e-10)
    changes = pd.read_csv(tmp_path / "rep" / "changes.csv")
    assert changes["wave"].tolist() == ["W1->W2", "W2->W3"]
    for i, (a, b) in enumerate([(0, 1), (1, 2)]):
        se = math.sqrt(ref["var"][a] + ref["var"][b])
        assert changes["difference"][i] == pytest.approx(ref["means"][b] - ref["means"][a],
                                                         rel=1e-12)
        assert changes["se"][i] == pytest.approx(se, rel=1e-10)
        t = (ref["means"][b] - ref["means"][a]) / se
        assert changes["p_value"][i] == pytest.approx(2 * stats.t.sf(abs(t), ref["df"]),
                                                      rel=1e-8)
    trends = pd.read_csv(tmp_path / "rep" / "trends.csv")
    assert len(trends) == 2
    assert trends["estimate"][0] == pytest.approx(ref["slope"], rel=1e-10)
    assert trends["se"][0] == pytest.approx(ref["slope_se"], rel=1e-10)
    assert trends["statistic"][1] == pytest.approx(ref["q"], rel=1e-10)


# -- bad files (issue 12 item 9) ---------------------------------------------------------------------

GOOD = "unit,wave,y,gp\n" + "".join(f"{u},W{w},{(u * w) % 5 + 1},{u % 2}\n"
                                    for w in (1, 2, 3) for u in range(1, 9))


def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


#: name -> (file content, extra CLI options, words the one-line message must hold)
BAD = {
    "latin1.csv": ("unit,wave,y,gp\n1,W1,3,\xe9\n".encode("latin-1") + GOOD.encode()[15:], [],
                   ["latin1.csv, line 2", "not UTF-8", "0xe9", "byte position 22"]),
    "empty.csv": (b"", [], ["empty.csv", "empty"]),
    "semicolon.csv": (GOOD.replace(",", ";"), [], ["semicolon.csv, line 1", "';'"]),
    "tabs.csv": (GOOD.replace(",", "\t"), [], ["tabs.csv, line 1", "tabs"]),
    "long_row.csv": (GOOD.replace("\n3,W1,", "\n3,W1,9,", 1), [],
                     ["long_row.csv, line 4", "5 values", "4 columns"]),
    "short_row.csv": (GOOD.replace("\n3,W1,4,1\n", "\n3,W1,4\n", 1), [],
                      ["short_row.csv, line 4", "3 values", "4 columns"]),
    "binary.csv": (bytes(range(256)) * 4, [], ["binary.csv", "NUL byte", "binary"]),
    "utf16.csv": (GOOD.encode("utf-16"), [], ["utf16.csv", "UTF-16"]),
    "huge.csv": ("unit,wave,y,gp\n1,W1,3," + "x" * 300_000 + "\n" + GOOD.split("\n", 1)[1], [],
                 ["huge.csv, line 2", "longer than"]),
    "broken.sav": (b"not an SPSS file", [], ["broken.sav", "not a readable SPSS file"]),
    "wrong_wave.csv": (GOOD, ["--wave", "Wave"],
                       ["wrong_wave.csv", "no wave column 'Wave'", "did you mean 'wave'",
                        "'unit', 'wave', 'y', 'gp'"]),
    "wrong_item.csv": (GOOD, ["--items", "y,z"], ["wrong_item.csv", "no item column 'z'"]),
    "wrong_cluster.csv": (GOOD, ["--cluster", "units"],
                          ["wrong_cluster.csv", "no cluster column 'units'", "'unit'"]),
    "text_item.csv": (GOOD.replace("\n2,W1,3,", "\n2,W1,agree,", 1), [],
                      ["text_item.csv, column 'y'", "must be numeric", "data row 2 holds 'agree'"]),
    "empty_item.csv": ("unit,wave,y,gp\n" + "".join(f"{u},W{w},,{u % 2}\n" for w in (1, 2)
                                                   for u in range(1, 5)), [],
                       ["empty_item.csv, column 'y'", "no answer in any row"]),
    "decimal_comma.csv": (GOOD.replace("\n2,W1,3,", '\n2,W1,"3,5",', 1), [],
                          ["decimal_comma.csv, column 'y'", "'3,5'", "decimal commas"]),
}


def _options(extra):
    opts = {"--wave": "wave", "--items": "y"}
    for k, v in zip(extra[::2], extra[1::2], strict=True):
        opts[k] = v
    return [x for kv in opts.items() for x in kv]


#: the CLI runs (about 2.5 s each) on a sample of the kinds; the API test below takes them all
CLI_SAMPLE = ["latin1.csv", "empty.csv", "semicolon.csv", "long_row.csv", "broken.sav",
              "wrong_wave.csv", "decimal_comma.csv"]


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_cli_bad_microdata_file_one_line_exit_2(tmp_path, name):
    content, extra, words = BAD[name]
    _write(tmp_path / name, content)
    res = run("report", "--microdata", name, *_options(extra), "--out", "rep", "--quiet",
              cwd=tmp_path)
    one_line_error(res, *words)
    assert not (tmp_path / "rep").exists()


def _api_kwargs(extra):
    opts = dict(zip(extra[::2], extra[1::2], strict=True))
    return {"wave": opts.get("--wave", "wave"), "items": opts.get("--items", "y").split(","),
            "cluster": opts.get("--cluster")}


@pytest.mark.parametrize("name", list(BAD))
def test_api_bad_microdata_file_names_file_and_problem(tmp_path, name):
    # the same errors without the CLI: read_microdata / build_microdata_report themselves
    from barotrend.report.microdata import build_microdata_report
    from barotrend.validation import DataValidationError

    content, extra, words = BAD[name]
    _write(tmp_path / name, content)
    with pytest.raises(DataValidationError) as err:
        build_microdata_report(tmp_path / name, out=tmp_path / "rep", **_api_kwargs(extra))
    msg = str(err.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)


@pytest.mark.parametrize("content, words", [
    ("unit,wave,y,gp\n", ["header.csv", "no respondent rows"]),
    ("unit,wave,y,gp\n" + "".join(f"{u},,{u},1\n" for u in range(1, 5)),
     ["header.csv, column 'wave'", "no wave value in any row"]),
])
def test_api_no_rows_or_no_wave(tmp_path, content, words):
    from barotrend.report.microdata import build_microdata_report
    from barotrend.validation import DataValidationError

    _write(tmp_path / "header.csv", content)
    with pytest.raises(DataValidationError) as err:
        build_microdata_report(tmp_path / "header.csv", wave="wave", items="y",
                               out=tmp_path / "rep")
    for w in words:
        assert w in str(err.value)


def test_bom_file_reads_as_utf8(tmp_path):
    _write(tmp_path / "bom.csv", b"\xef\xbb\xbf" + GOOD.encode())
    res = run("report", "--microdata", "bom.csv", "--wave", "wave", "--items", "y", "--out",
              "rep", "--quiet", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert pd.read_csv(tmp_path / "rep" / "series.csv")["wave"].tolist() == ["W1", "W2", "W3"]


def test_one_wave_report_has_series_and_groups_but_no_change(tmp_path):
    # A user with the first wave still wants its estimates: series and the group comparison,
    # no change and no trend, and the report says why. W1: y = u % 5 + 1 for u = 1..8, gp = u % 2:
    # gp 1 (u = 1, 3, 5, 7) y = 2, 4, 1, 3, mean 2.5; gp 0 (u = 2, 4, 6, 8) y = 3, 5, 2, 4,
    # mean 3.5; overall mean 3. Difference (1 - 0) = -1.
    from barotrend.report.microdata import build_microdata_report

    one = "unit,wave,y,gp\n" + "".join(f"{u},W1,{u % 5 + 1},{u % 2}\n" for u in range(1, 9))
    _write(tmp_path / "one.csv", one)
    files = build_microdata_report(tmp_path / "one.csv", wave="wave", items=["y"],
                                   cluster="unit", group="gp", out=tmp_path / "rep")
    assert "changes.csv" not in files and "trends.csv" not in files
    series = pd.read_csv(files["series.csv"])
    assert series["estimate"].tolist() == [pytest.approx(3.0)]
    groups = pd.read_csv(files["groups.csv"])
    assert groups["wave"].tolist() == ["W1"]
    assert groups["difference"].tolist() == [pytest.approx(-1.0)]
    assert "Only one wave" in files["html"].read_text(encoding="utf-8")


def test_design_tracker_wave_column_without_values():
    from barotrend.design import Design
    from barotrend.tracker import Tracker

    d = pd.DataFrame({"wave": [None, None], "y": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"wave='wave': the column holds no wave"):
        Tracker.from_designs(Design(d), "y", wave="wave")
    mixed = pd.DataFrame({"wave": [1, 1, "W2", "W2"], "y": [1.0, 2, 3, 5]})
    t = Tracker.from_designs(Design(mixed), "y", wave="wave")
    assert t.waves == [1, "W2"]
    assert t.change("y", 1, "W2")["difference"][0] == pytest.approx(2.5)


@pytest.mark.parametrize("name, words", [
    ("latin1.csv", ["latin1.csv, line 2: byte 0xe9 at byte position 22", "not utf-8 text"]),
    ("empty.csv", ["empty.csv: the file is empty"]),
    ("long_row.csv", ["long_row.csv: not readable as CSV", "Expected 4 fields in line 4, saw 5"]),
])
def test_design_io_read_csv_names_the_file(tmp_path, name, words):
    # the pandas-level reader (any separator, any kwargs) also names the file and the place
    from barotrend.design.io import read_csv

    _write(tmp_path / name, BAD[name][0])
    with pytest.raises(ValueError) as err:
        read_csv(tmp_path / name)
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_report_with_an_item_not_asked_and_a_group_missing_in_a_wave(tmp_path):
    # W2 did not ask y, and has no gp 1: the report still runs; the change is W1 -> W3
    # (3 -> 3.25, see tests/test_tracker.py::_three_waves) and the gap change W1 -> W3 is
    # (3 - 3.5) - (2.5 - 3.5) = 0.5; the W2 rows say why they are empty.
    from test_tracker import _three_waves

    from barotrend.report.microdata import build_microdata_report

    d = _three_waves(y=lambda d: d["y"].where(d["wave"] != "W2"),
                     gp=lambda d: d["gp"].where(d["wave"] != "W2", 0))
    d.to_csv(tmp_path / "resp.csv", index=False)
    files = build_microdata_report(tmp_path / "resp.csv", wave="wave", items="y",
                                   cluster="unit", group="gp", out=tmp_path / "rep")
    changes = pd.read_csv(files["changes.csv"])
    assert changes["wave"].tolist() == ["W1->W3"]
    assert changes["difference"][0] == pytest.approx(0.25)
    groups = pd.read_csv(files["groups.csv"])
    assert groups["wave"].tolist() == ["W1", "W2", "W3", "W1->W3"]
    assert groups["difference"][3] == pytest.approx(0.5)
    assert math.isnan(groups["difference"][1]) and "no answer" in groups["note"][1]


def test_cli_one_wave_report(tmp_path):
    # the command line agrees with the API: one wave is a report of that wave (see
    # test_one_wave_report_has_series_and_groups_but_no_change for the hand values)
    one = "unit,wave,y,gp\n" + "".join(f"{u},W1,{u % 5 + 1},{u % 2}\n" for u in range(1, 9))
    _write(tmp_path / "one.csv", one)
    res = run("report", "--microdata", "one.csv", "--wave", "wave", "--items", "y",
              "--cluster", "unit", "--group", "gp", "--out", "rep", "--quiet", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert not (tmp_path / "rep" / "changes.csv").exists()
    groups = pd.read_csv(tmp_path / "rep" / "groups.csv")
    assert groups["difference"].tolist() == [pytest.approx(-1.0)]
    _write(tmp_path / "header.csv", "unit,wave,y,gp\n")
    res = run("report", "--microdata", "header.csv", "--wave", "wave", "--items", "y",
              "--out", "rep2", "--quiet", cwd=tmp_path)
    one_line_error(res, "header.csv", "no respondent rows")
