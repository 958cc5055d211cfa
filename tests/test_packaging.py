"""An installed (non-editable) wheel carries the embedded data and the CLI works on it."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from barotrend import datasets

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True)
    (wheel,) = out.glob("barotrend-*.whl")
    site = out / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True)
    return wheel, site


def test_wheel_contains_data(wheel_site):
    wheel, _ = wheel_site
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("waves.csv", "figures.csv", "sources.csv", "headlines.csv", "groups.csv"):
        assert f"barotrend/data/{f}" in names


def test_installed_wheel_loads_its_own_data(wheel_site, tmp_path):
    _, site = wheel_site
    code = ("import barotrend, barotrend.datasets as d; print(barotrend.__file__); "
            "print(d.data_dir()); print(len(d.load().figures)); print(len(d.load().groups))")
    env = dict(os.environ, PYTHONPATH=str(site))
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True).stdout.split("\n")
    assert out[0].startswith(str(site))
    assert out[1].startswith(str(site))
    assert int(out[2]) == len(datasets.load().figures)
    assert int(out[3]) == 2  # GP and non-GP


def test_cli_prints_waves_and_figures_per_wave():
    run = subprocess.run([sys.executable, "-m", "barotrend.cli"], capture_output=True, text=True,
                         check=True)
    text = run.stdout
    assert "40 published figures, 5 waves, 5 sources (validated)" in text
    # one block per survey and wave, with its count of figures (counted by hand from the seeds)
    for block in ("hsj_ccg_barometer / W1 (Oct 2012): 5 figures",
                  "hsj_ccg_barometer / W2 (Jan 2013): 15 figures",
                  "hsj_ccg_barometer / W3 (Q2 2013): 12 figures",
                  "hsj_trust_ce_barometer / 2012-07 (Jul 2012): 1 figure",
                  "nhscc_ipsos_ccg_survey / 2013 (2013): 7 figures"):
        assert block in text
    assert text.index("/ W1 (") < text.index("/ W2 (") < text.index("/ W3 (")


def test_cli_bad_dataset_is_one_line_error():
    run = subprocess.run([sys.executable, "-m", "barotrend.cli", "data", "--dataset", "nope"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.strip().startswith(
        "barotrend: error: unknown data set 'nope'; available: "
        "nhs_leadership_2012_13, hsj_ccg_barometer")
    assert "\n" not in run.stderr.strip()
