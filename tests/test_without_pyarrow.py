"""The report is the same with and without pyarrow.

The test extra installs pyarrow (with barotrend[dask]), and pandas then backs its string
columns with it; `pip install barotrend` alone does not. Both must give the same report: the
report runs here in a child process that cannot import pyarrow (a stub that raises
ImportError comes first on its path), and its tables are compared with a run that can.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("pyarrow")  # without it, every other test already runs this way


def _run(args, cwd, hide_pyarrow):
    env = dict(os.environ)
    if hide_pyarrow:
        block = cwd / "block"
        (block / "pyarrow").mkdir(parents=True, exist_ok=True)
        (block / "pyarrow" / "__init__.py").write_text(
            'raise ImportError("pyarrow hidden for this test")\n')
        env["PYTHONPATH"] = os.pathsep.join([str(block), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_report_tables_equal_with_and_without_pyarrow(tmp_path):
    probe = "import pandas as pd; print(pd.Series(['a']).dtype.storage)"
    assert _run(["-c", probe], tmp_path, True).stdout.strip() == "python"
    assert _run(["-c", probe], tmp_path, False).stdout.strip() == "pyarrow"
    outs = {}
    for hide in (True, False):
        out = tmp_path / ("plain" if hide else "arrow")
        r = _run(["-m", "barotrend.cli", "report", "--out", str(out)], tmp_path, hide)
        assert r.returncode == 0, r.stderr
        outs[hide] = out
    tables = sorted(p.name for p in outs[True].glob("*.csv"))
    assert "verdicts.csv" in tables and "checks.csv" in tables
    assert tables == sorted(p.name for p in outs[False].glob("*.csv"))
    for name in tables:
        assert (outs[True] / name).read_text() == (outs[False] / name).read_text(), name
    # the page too, but for the run's own timestamp and paths
    plain = (outs[True] / "index.html").read_text()
    arrow = (outs[False] / "index.html").read_text()
    assert plain.count('href="#check-') == arrow.count('href="#check-') > 0
    assert plain.count("&lt;span") == arrow.count("&lt;span") == 0


def test_microdata_report_tables_equal_with_and_without_pyarrow(tmp_path):
    from barotrend.simulate import simulate_barometer

    simulate_barometer().respondents.to_csv(tmp_path / "resp.csv", index=False)
    outs = {}
    for hide in (True, False):
        out = tmp_path / ("plain" if hide else "arrow")
        r = _run(["-m", "barotrend.cli", "report", "--microdata", "resp.csv", "--wave", "wave",
                  "--items", "budget_confidence,area_team_good,grip_too_much", "--strata",
                  "region", "--cluster", "unit", "--group", "gp", "--out", str(out),
                  "--quiet"], tmp_path, hide)
        assert r.returncode == 0, r.stderr
        outs[hide] = out
    tables = sorted(p.name for p in outs[True].glob("*.csv"))
    assert "changes.csv" in tables
    assert tables == sorted(p.name for p in outs[False].glob("*.csv"))
    for name in tables:
        assert (outs[True] / name).read_text() == (outs[False] / name).read_text(), name
