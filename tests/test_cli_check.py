"""`barotrend check`, `template` and `report` end to end, as a user runs them, on folders built here.

The non-NHS barometer (a made-up teachers' survey): two waves, groups primary / secondary
partitioning the respondents and secondary heads nested in secondary, a mean on a 1-5 scale, a
multi-response question, spreadsheet-style cells (FALSE, no, Sep 2023, 2023-Q1). Expected
numbers are derived by hand in the comments (pooled z tests, Welch tipping SD).
"""

import math
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from barotrend import datasets
from barotrend.cli import main

SOURCES = """source,title,surveys,note
lakeside_2023.pdf,Lakeside teachers' barometer 2023,lakeside_teachers,
"""
WAVES = """survey,survey_label,wave,wave_label,wave_order,date,date_precision,date_inferred,population,respondents,source
lakeside_teachers,Lakeside teachers' barometer,spring,Spring 2023,1,2023-Q1,,no,Teachers in Lakeside schools,400,lakeside_2023.pdf
lakeside_teachers,Lakeside teachers' barometer,autumn,Autumn 2023,2,Sep 2023,,no,Teachers in Lakeside schools,500,lakeside_2023.pdf
"""
Q_WORK = "How manageable is your workload (1 = not at all to 5 = entirely)?"
Q_REC = "Would you recommend teaching as a career?"
Q_CON = "Main concerns (choose all that apply)"
FIGURES = f"""figure_id,survey,wave,item,question,category,group,statistic,value,decimals,scale_min,scale_max,base,multi_response,exhaustive,source,quote
sp-workload,lakeside_teachers,spring,workload,{Q_WORK},,all,mean,3.1,1,1,5,,FALSE,FALSE,lakeside_2023.pdf,3.1 out of 5 in spring
au-workload,lakeside_teachers,autumn,workload,{Q_WORK},,all,mean,2.8,1,1,5,,FALSE,FALSE,lakeside_2023.pdf,2.8 in autumn
sp-rec-yes,lakeside_teachers,spring,recommend,{Q_REC},yes,all,share,45,0,,,,FALSE,TRUE,lakeside_2023.pdf,45% would recommend
sp-rec-no,lakeside_teachers,spring,recommend,{Q_REC},no,all,share,40,0,,,,FALSE,TRUE,lakeside_2023.pdf,40% would not
sp-rec-dk,lakeside_teachers,spring,recommend,{Q_REC},don't know,all,share,15,0,,,,FALSE,TRUE,lakeside_2023.pdf,15% did not know
au-rec-yes,lakeside_teachers,autumn,recommend,{Q_REC},yes,all,share,52,0,,,,FALSE,TRUE,lakeside_2023.pdf,52% in autumn
au-rec-no,lakeside_teachers,autumn,recommend,{Q_REC},no,all,share,36,0,,,,FALSE,TRUE,lakeside_2023.pdf,36% would not
au-rec-dk,lakeside_teachers,autumn,recommend,{Q_REC},don't know,all,share,12,0,,,,FALSE,TRUE,lakeside_2023.pdf,12% did not know
au-rec-yes-primary,lakeside_teachers,autumn,recommend,{Q_REC},yes,primary,share,60,0,,,200,FALSE,FALSE,lakeside_2023.pdf,60% of the 200 primary teachers
au-rec-yes-secondary,lakeside_teachers,autumn,recommend,{Q_REC},yes,secondary,share,46,0,,,300,FALSE,FALSE,lakeside_2023.pdf,46% of the 300 secondary teachers
au-rec-yes-heads,lakeside_teachers,autumn,recommend,{Q_REC},yes,secondary heads,share,70,0,,,40,FALSE,FALSE,lakeside_2023.pdf,70% of the 40 secondary heads
au-concern-pay,lakeside_teachers,autumn,concerns,{Q_CON},pay,all,share,72,0,,,,TRUE,FALSE,lakeside_2023.pdf,72% named pay
au-concern-workload,lakeside_teachers,autumn,concerns,{Q_CON},workload,all,share,65,0,,,,TRUE,FALSE,lakeside_2023.pdf,65% workload
au-concern-behaviour,lakeside_teachers,autumn,concerns,{Q_CON},pupil behaviour,all,share,40,0,,,,TRUE,FALSE,lakeside_2023.pdf,40% behaviour
"""
GROUPS = """survey,wave,group,parent,relation,label
lakeside_teachers,,primary,,partition,Primary school teachers
lakeside_teachers,,secondary,,partition,Secondary school teachers
lakeside_teachers,,secondary heads,secondary,nested,Secondary headteachers
"""
HEADLINES = """headline_id,source,claim,test,figure_ids,direction,threshold,note
h-rec-up,lakeside_2023.pdf,More teachers would now recommend the job,change_share,sp-rec-yes;au-rec-yes,greater,,
h-primary,lakeside_2023.pdf,Primary teachers are more positive than secondary teachers,group_difference,au-rec-yes-primary;au-rec-yes-secondary,greater,,
h-workload,lakeside_2023.pdf,Workload is seen as less manageable,change_mean,sp-workload;au-workload,less,,
"""


def write(folder: Path, **tables) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def teachers(folder: Path) -> Path:
    return write(folder, sources=SOURCES, waves=WAVES, figures=FIGURES, groups=GROUPS,
                 headlines=HEADLINES)


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "barotrend.cli", *args], cwd=cwd,
                          capture_output=True, text=True)


def pooled_p(ka, na, kb, nb):
    pool = (ka + kb) / (na + nb)
    z = (ka / na - kb / nb) / math.sqrt(pool * (1 - pool) * (1 / na + 1 / nb))
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.fixture(scope="module")
def teachers_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("teach")
    teachers(tmp / "teach")
    chk = run("check", "teach", cwd=tmp)
    rep = run("report", "--data", "teach", "--out", "out", "--quiet", cwd=tmp)
    return tmp, chk, rep


def test_teachers_check_passes(teachers_report):
    _, chk, _ = teachers_report
    assert chk.returncode == 0, chk.stdout + chk.stderr
    assert "14 figures, 2 waves, 1 sources, 3 headlines, 3 group relations: the files are valid" \
        in chk.stdout
    # the multi-response question (72 + 65 + 40 = 177%) is not summed to 100
    assert "sum_to_100       au-concern" not in chk.stdout
    assert "The files are valid and the published figures are consistent (exit 0)" in chk.stdout


def test_teachers_report_rows(teachers_report):
    tmp, _, rep = teachers_report
    assert rep.returncode == 0, rep.stderr
    out = tmp / "out"
    assert {p.name for p in out.glob("*.csv")} >= {"waves.csv", "checks.csv", "verdicts.csv",
                                                   "series.csv", "comparisons.csv"}
    waves = pd.read_csv(out / "waves.csv")
    # 2023-Q1 and Sep 2023 read as the quarter's first month and September
    assert waves["date"].tolist() == ["2023-01", "2023-09"]
    series = pd.read_csv(out / "series.csv")
    work = series[series["item"] == "workload"]
    assert work["estimate"].tolist() == [3.1, 2.8] and work["n"].tolist() == [400, 500]
    comp = pd.read_csv(out / "comparisons.csv")
    change = comp[(comp["comparison"] == "change") & (comp["item"] == "recommend")
                  & (comp["category"] == "yes")].iloc[0]
    # 45% of 400 -> 52% of 500: pooled z test on 180/400 and 260/500
    assert change["p_value"] == pytest.approx(pooled_p(260, 500, 180, 400), rel=1e-6)
    assert change["p_value"] == pytest.approx(0.0368, abs=1e-4)
    groups = comp[comp["comparison"] == "groups"].set_index("group")
    # primary and secondary partition the teachers: independent samples on the stated bases,
    # 120/200 vs 138/300 (primary 119-120 of 200 and secondary 137-139 of 300 add up to the
    # autumn 52% of 500, 258-262: the partition is consistent)
    ps = groups.loc["primary vs secondary"]
    assert ps["p_value"] == pytest.approx(pooled_p(120, 200, 138, 300), rel=1e-6)
    # secondary heads lie within secondary: the heads (28/40) against the rest of secondary,
    # 300 - 40 = 260 teachers holding 137-139 - 28 = 109-111 'yes'; the least favourable
    # (largest p) is the rest closest to 70%, 111/260
    sh = groups.loc["secondary vs secondary heads"]
    worst = max(pooled_p(28, 40, k - 28, 260) for k in (137, 138, 139))
    assert sh["p_value"] == pytest.approx(worst, rel=1e-6)
    assert "rest of 'secondary'" in sh["note"]
    # heads and primary teachers are disjoint (heads lie within secondary): independent
    ph = groups.loc["primary vs secondary heads"]
    assert ph["p_value"] == pytest.approx(pooled_p(120, 200, 28, 40), rel=1e-6)
    # the 1-5 mean without SDs: the tipping-point SD of the Welch test, by hand:
    # df = (1/400 + 1/500)^2 / ((1/400)^2/399 + (1/500)^2/499); s = 0.3 / (t * sqrt(.0045))
    mean = comp[(comp["comparison"] == "change") & (comp["item"] == "workload")].iloc[0]
    df = (1 / 400 + 1 / 500) ** 2 / ((1 / 400) ** 2 / 399 + (1 / 500) ** 2 / 499)
    tip = 0.3 / (stats.t.ppf(0.975, df) * math.sqrt(1 / 400 + 1 / 500))
    assert mean["sd"] == pytest.approx(tip, rel=1e-4)
    verdicts = pd.read_csv(out / "verdicts.csv").set_index("headline_id")
    assert verdicts.loc["h-rec-up", "verdict"] == "supported"
    assert verdicts.loc["h-primary", "p_value"] == pytest.approx(ps["p_value"], rel=1e-9)


# -- exit codes -------------------------------------------------------------------------------------
def test_check_exit_1_is_a_finding_about_the_source(capsys):
    # January's grip shares are impossible on the wave's 85 respondents: the files are fine
    assert main(["check", str(datasets.data_dir())]) == 1
    out = capsys.readouterr().out
    assert "the files are valid" in out
    assert "the published figures are inconsistent" in out and "exit 1" in out


def test_check_exit_2_is_your_file(tmp_path, capsys):
    folder = teachers(tmp_path / "t")
    (folder / "figures.csv").write_text(FIGURES.replace(",3.1,1,1,5,", ",73.7,0,1,5,"),
                                        encoding="utf-8")
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"barotrend: error: {folder}/figures.csv, line 2, column 'value': value 73.7 "
                   "has more decimals than the stated decimals=0")


def test_help_documents_exit_codes(capsys):
    for argv in (["--help"], ["check", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        text = capsys.readouterr().out
        assert "published figures are inconsistent" in text
        assert "2  your input is wrong" in text
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "outcome columns, comma-separated (required with --microdata)" in text


def test_check_reads_headlines_with_the_report_message(tmp_path, capsys):
    folder = teachers(tmp_path / "t")
    (folder / "headlines.csv").write_text(HEADLINES.replace("change_mean", "vibes"),
                                          encoding="utf-8")
    assert main(["check", str(folder)]) == 2
    chk = capsys.readouterr().err
    assert main(["report", "--data", str(folder), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    rep = capsys.readouterr().err
    assert chk == rep
    assert "headlines.csv, line 4, column 'test': expected one of" in chk


@pytest.mark.parametrize(("edit", "message"), [
    (("headlines", "sp-workload;au-workload", "sp-workload"),
     "headlines.csv, line 4, column 'figure_ids': test 'change_mean' takes 2 figure ids"),
    (("headlines", "sp-rec-yes;au-rec-yes", "sp-rec-yes;au-workload"),
     "headlines.csv, line 2, column 'figure_ids': test 'change_share' takes share figures; "
     "au-workload is a mean"),
    (("groups", "secondary,nested", "secondary,inside"),
     "groups.csv, line 4, column 'relation': expected one of"),
])
def test_check_validates_what_report_reads(tmp_path, capsys, edit, message):
    folder = teachers(tmp_path / "t")
    table, old, new = edit
    path = folder / f"{table}.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert main(["check", str(folder)]) == 2
    assert message in capsys.readouterr().err


def test_check_shows_notes(tmp_path, capsys):
    folder = teachers(tmp_path / "t")
    lines = FIGURES.splitlines()
    text = "\n".join([lines[0] + ",page"] + [r + ",p. 2" for r in lines[1:]]) + "\n"
    (folder / "figures.csv").write_text(text, encoding="utf-8")
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "note: " in out and "column(s) page are not part of the format; kept" in out


def test_check_several_folders_and_names_combined(tmp_path, capsys):
    folder = teachers(tmp_path / "t")
    # 14 + 32 figures, 2 + 3 waves; exit 1: the January grip shares are impossible on 85
    assert main(["check", str(folder), "--data", "hsj_ccg_barometer"]) == 1
    out = capsys.readouterr().out
    assert "t + hsj_ccg_barometer: 46 figures, 5 waves" in out


# -- template --------------------------------------------------------------------------------------
def test_template_checks_clean_and_reports(tmp_path):
    r = run("template", "tpl", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for t in datasets.TABLES:
        frame = pd.read_csv(tmp_path / "tpl" / f"{t}.csv", dtype=str, keep_default_na=False)
        assert len(frame) == 1 and list(frame.columns) == datasets.table_columns(t)
    chk = run("check", "tpl", cwd=tmp_path)
    assert chk.returncode == 0, chk.stdout + chk.stderr
    rep = run("report", "--data", "tpl", "--out", "out", "--quiet", cwd=tmp_path)
    assert rep.returncode == 0, rep.stderr
    v = pd.read_csv(tmp_path / "out" / "verdicts.csv").iloc[0]
    # 64% of 250 tenants against 50%: the least favourable count the rounding allows is 159
    # (63.6%); score test z = (159/250 - .5) / sqrt(.25/250) = 4.3012, p = 1.70e-5
    z = (159 / 250 - 0.5) / math.sqrt(0.25 / 250)
    assert v["verdict"] == "supported"
    assert v["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-6)
    again = run("template", "tpl", cwd=tmp_path)
    assert again.returncode == 2 and "already exists; not overwritten" in again.stderr


def test_template_workbook_equals_the_csvs(tmp_path, capsys):
    assert main(["template", str(tmp_path / "x"), "--xlsx"]) == 0
    a = datasets.load(tmp_path / "x")
    b = datasets.load(tmp_path / "x" / "barotrend_template.xlsx")
    for t in datasets.TABLES:
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))
    assert main(["check", str(tmp_path / "x" / "barotrend_template.xlsx")]) == 0


def test_report_on_teachers_and_template_combined(tmp_path):
    teachers(tmp_path / "teach")
    shutil.copytree(tmp_path / "teach", tmp_path / "teach2")  # identical rows merge silently
    assert run("template", "tpl", cwd=tmp_path).returncode == 0
    rep = run("report", "--data", "teach", "--data", "tpl", "--data", "teach2", "--out", "o",
              "--quiet", cwd=tmp_path)
    assert rep.returncode == 0, rep.stderr
    w = pd.read_csv(tmp_path / "o" / "waves.csv")
    assert len(w) == 3
    v = pd.read_csv(tmp_path / "o" / "verdicts.csv")
    assert sorted(v["headline_id"]) == ["h-primary", "h-rec-up", "h-tenants-parks",
                                       "h-workload"]
