"""`barotrend report` and `barotrend check` run as a user runs them, in a temporary folder."""

import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest

from barotrend import datasets


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "barotrend.cli", *args], cwd=cwd,
                          capture_output=True, text=True)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.open, self.images, self.h2 = [], [], [], []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in ("img", "meta", "br"):
            self.open.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"unbalanced </{tag}>"
        self.open.pop()
        self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("rep")
    r = run("report", "--quiet", cwd=cwd)
    assert r.returncode == 0, r.stderr
    return cwd / "report", r


def test_report_writes_html_pngs_and_csvs(report):
    out, r = report
    assert "report written to" in r.stdout
    for name in ("index.html", "waves.csv", "checks.csv", "verdicts.csv", "series.csv",
                 "comparisons.csv", "series_budget_confidence.png",
                 "series_area_team_relationship.png", "forest_comparisons.png"):
        assert (out / name).is_file(), name
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (out / f"{png.stem}.svg").is_file(), f"{png.stem}: PNG without its SVG"


def test_html_parses_and_is_self_contained(report):
    out, _ = report
    text = (out / "index.html").read_text(encoding="utf-8")
    p = _Collect()
    p.feed(text)
    p.close()
    assert p.open == []
    assert len(p.images) == 3
    assert all(i["src"].startswith("data:image/svg+xml;base64,") for i in p.images)
    assert "http://" not in text and "https://" not in text
    assert p.h2 == ["Verdicts on the headlines", "Series", "Comparisons", "Consistency checks",
                    "Waves, bases and response rates", "Methods and assumptions"]


def test_verdict_table_rows_for_known_headlines(report):
    out, _ = report
    v = pd.read_csv(out / "verdicts.csv").set_index("headline_id")
    assert len(v) == len(datasets.load().headlines)
    # hand-derived in tests/test_verdicts.py
    assert v.loc["h001-area-team-drop", "verdict"] == "within sampling error"
    assert v.loc["h002-gp-vs-non-gp", "verdict"] == "supported"
    assert v.loc["h000-contrast-trust-ces", "verdict"] == "not comparable"
    assert v.loc["h001-confidence-increased", "verdict"] == \
        "cannot be tested from what was published"


def test_report_on_a_users_folder(tmp_path):
    src = datasets.data_dir()
    data = tmp_path / "mine"
    data.mkdir()
    for f in ("waves.csv", "figures.csv", "sources.csv"):  # no headlines.csv
        shutil.copy(src / f, data / f)
    r = run("report", "--data", str(data), "--out", "out", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "index.html").is_file()


def test_check_flags_the_grip_base_and_exits_1(tmp_path):
    r = run("check", str(datasets.data_dir()), cwd=tmp_path)
    assert r.returncode == 1
    # 50% is not achievable on the January wave's 85 respondents (42/85 = 49.4%, 43/85 = 50.6%)
    assert "50% is not achievable on 85" in r.stdout


def test_check_malformed_file_one_line_exit_2(tmp_path):
    src = datasets.data_dir()
    for f in ("waves.csv", "figures.csv", "sources.csv"):
        shutil.copy(src / f, tmp_path / f)
    df = pd.read_csv(tmp_path / "figures.csv", dtype=str, keep_default_na=False)
    df.loc[3, "value"] = "140"
    df.to_csv(tmp_path / "figures.csv", index=False)
    r = run("check", str(tmp_path / "figures.csv"), cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "figures.csv, line 5, column 'value': a share (percent) must lie within 0-100" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("report", "--data", "nope"), "unknown data set 'nope'"),
    (("report", "--data", "./missing_folder/"), "no such data folder: ./missing_folder/"),
    (("check", "missing_folder"), "no such file or folder: missing_folder"),
])
def test_cli_errors_are_one_line(tmp_path, args, message):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    # one line, the program's prefix, then the message (the unknown data set adds the list
    # of available ones after it)
    line = r.stderr.strip()
    assert "\n" not in line
    assert line.startswith(f"barotrend: error: {message}")
    assert "Traceback" not in r.stderr


def test_help_lists_commands(tmp_path):
    r = run("--help", cwd=tmp_path)
    assert r.returncode == 0
    for word in ("report", "check", "data", "examples:"):
        assert word in r.stdout


@pytest.fixture(scope="module")
def microdata(tmp_path_factory):
    from barotrend.simulate import simulate_barometer

    tmp = tmp_path_factory.mktemp("micro")
    simulate_barometer(seed=11).respondents.to_csv(tmp / "resp.csv", index=False)
    return tmp


def test_microdata_report(microdata):
    r = run("report", "--microdata", "resp.csv", "--wave", "wave", "--items",
            "budget_confidence,area_team_good", "--cluster", "unit", "--group", "gp", "--out",
            "mrep", "--quiet", cwd=microdata)
    assert r.returncode == 0, r.stderr
    out = microdata / "mrep"
    p = _Collect()
    p.feed((out / "index.html").read_text(encoding="utf-8"))
    assert p.open == [] and len(p.images) == 2
    series = pd.read_csv(out / "series.csv")
    resp = pd.read_csv(microdata / "resp.csv")
    # unweighted design: each wave's estimate is the plain mean of that wave's respondents
    for w, part in resp.groupby("wave"):
        got = series[(series["item"] == "budget_confidence") & (series["wave"] == w)]
        assert got["estimate"].iloc[0] == pytest.approx(part["budget_confidence"].mean())
    changes = pd.read_csv(out / "changes.csv")
    assert len(changes) == 4  # 2 items x 2 consecutive changes
    assert changes["p_adjusted"].ge(changes["p_value"]).all()
    groups = pd.read_csv(out / "groups.csv")
    assert len(groups) == 2 * 3 + 2  # per item: 3 waves + 1 gap change


@pytest.mark.parametrize(("extra", "words"), [
    (("--wave", "wave", "--items", "nope"), ("resp.csv", "'nope'")),
    (("--wave", "when", "--items", "budget_confidence"), ("resp.csv", "'when'")),
    (("--items", "budget_confidence"), ("--microdata needs --wave COL and --items A,B",)),
])
def test_microdata_errors(microdata, extra, words):
    r = run("report", "--microdata", "resp.csv", *extra, cwd=microdata)
    assert r.returncode == 2
    assert r.stderr.startswith("barotrend: error: ") and r.stderr.count("\n") == 1
    assert all(w in r.stderr for w in words) and "Traceback" not in r.stderr


def test_tracker_report_uses_its_assumptions(tmp_path):
    from barotrend import Tracker

    d = datasets.load()
    # a base for the first wave, which the articles do not publish: the W1 -> W2 change of the
    # area-team item is still untestable (no W1 figure), but the budget series gets n = 80
    t = Tracker.from_dataset(d, assumed_bases={("hsj_ccg_barometer", "W1"): 80})
    files = t.report(tmp_path / "rep")
    series = pd.read_csv(files["series.csv"])
    w1 = series[(series["item"] == "budget_confidence") & (series["wave"] == "W1")]
    assert w1["n"].iloc[0] == 80
    # a tracker over bare figures (no headlines) reports too, without a verdict table
    bare = Tracker.from_figures(d.figures, d.waves, name="mine")
    files = bare.report(tmp_path / "bare")
    assert "Verdicts on the headlines" not in files["html"].read_text(encoding="utf-8")
