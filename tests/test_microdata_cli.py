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
