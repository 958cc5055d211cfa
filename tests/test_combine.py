"""Combining data sets: embedded names, folders and workbooks merged; conflicts name both rows."""

import shutil

import pandas as pd
import pytest

from barotrend import datasets
from barotrend.cli import main
from barotrend.validation import DataValidationError

WAVES = ("survey,wave,wave_order,date,population,respondents,source\n"
         "hsj_trust_ce_barometer,2013-01,2,2013-01,NHS trust chief executives,70,mine.pdf\n"
         "hsj_trust_ce_barometer,2013-04,3,2013-Q2,NHS trust chief executives,80,mine.pdf\n")
FIGURES = ("figure_id,survey,wave,item,question,category,statistic,value,decimals,"
           "multi_response,exhaustive,source,quote\n"
           "tce-apr-area,hsj_trust_ce_barometer,2013-04,area_team_relationship,Which phrase best "
           "described your area team,good or very good,share,55,0,no,no,mine.pdf,55 per cent\n")
SOURCES = "source,title\nmine.pdf,Trust chief executives' barometer (my notes)\n"


def folder(path, waves=WAVES, figures=FIGURES, sources=SOURCES, **more):
    path.mkdir(parents=True, exist_ok=True)
    for name, text in dict(waves=waves, figures=figures, sources=sources, **more).items():
        (path / f"{name}.csv").write_text(text, encoding="utf-8")
    return path


def embedded_copy(tmp_path, name="copy"):
    dest = tmp_path / name
    shutil.copytree(datasets.data_dir(), dest)
    return dest


def test_combine_adds_waves_to_an_embedded_survey(tmp_path):
    d = datasets.load()
    mine = datasets.load(folder(tmp_path / "tce"))
    both = d.combine(mine)
    assert both.name == f"nhs_leadership_2012_13 + {mine.name}"
    assert len(both.figures) == len(d.figures) + 1
    assert len(both.sources) == len(d.sources) + 1
    tce = both.waves[both.waves["survey"] == "hsj_trust_ce_barometer"]
    assert tce["wave_order"].tolist() == [1, 2, 3]
    assert len(both.headlines) == len(d.headlines) and len(both.groups) == len(d.groups)
    # the same through the module function, and one data set alone is itself
    assert len(datasets.combine(d, mine).figures) == len(both.figures)
    assert datasets.combine(d) is d


def test_identical_rows_are_merged_silently(tmp_path):
    d = datasets.load()
    again = datasets.load(embedded_copy(tmp_path))
    both = d.combine(again)
    for t in datasets.TABLES:
        pd.testing.assert_frame_equal(getattr(both, t), getattr(d, t))
    # an embedded subset and the whole: the subset's rows are all in the whole
    sub = datasets.load("hsj_ccg_barometer").combine(d)
    assert len(sub.figures) == len(d.figures) and len(sub.waves) == len(d.waves)


def _edit(path, name, old, new):
    p = path / name
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("name", "old", "new", "message"), [
    # the same figure_id with another value
    ("figures.csv", "ccg-w3-area-team-good,hsj_ccg_barometer,W3,area_team_relationship,"
     "area_team_relationship,Which phrase best described your NHS England local area team’s "
     "interactions with your CCG,good or very good,all,share,68.0",
     "ccg-w3-area-team-good,hsj_ccg_barometer,W3,area_team_relationship,"
     "area_team_relationship,Which phrase best described your NHS England local area team’s "
     "interactions with your CCG,good or very good,all,share,70.0",
     r"conflict: figure_id 'ccg-w3-area-team-good' is at embedded data/figures.csv, line 16 and at "
     r".*copy/figures.csv, line 16 with different value \(value '68.0' vs '70.0'\)"),
    # the same survey/wave with another number of respondents
    ("waves.csv", ",211,94,86,", ",211,95,86,",
     r"conflict: survey/wave 'hsj_ccg_barometer/W3' is at embedded data/waves.csv, line 4 and at "
     r".*copy/waves.csv, line 4 with different respondents \(respondents '94' vs '95'\)"),
    # a source with another title
    ("sources.csv", "CCG leaders confident", "CCG leaders not confident",
     r"conflict: source '000_ef0b17f569c46c49.txt' is at embedded data/sources.csv, line 2 and at "
     r".*copy/sources.csv, line 2 with different title"),
    # a group stated with another relation
    ("groups.csv", "GP,all,partition", "GP,all,nested",
     r"conflict: survey/wave/group 'hsj_ccg_barometer/W2/GP' is at embedded data/groups.csv, line 2 and at "
     r".*copy/groups.csv, line 2 with different relation"),
    # a headline with another claim
    ("headlines.csv", "Their confidence contrasts", "Their confidence differs",
     r"conflict: headline_id 'h000-contrast-trust-ces' is at embedded data/headlines.csv, line 3 and at "
     r".*copy/headlines.csv, line 3 with different claim"),
])
def test_conflicts_name_both_sources(tmp_path, name, old, new, message):
    copy = embedded_copy(tmp_path)
    _edit(copy, name, old, new)
    mine = datasets.load(copy)
    with pytest.raises(DataValidationError, match=message):
        datasets.load().combine(mine)


def test_two_waves_with_one_order_name_both(tmp_path):
    mine = datasets.load(folder(tmp_path / "tce", waves=WAVES.replace(",2,2013-01", ",1,2013-01")))
    with pytest.raises(DataValidationError, match=r"tce/waves.csv, line 2, column 'wave_order': "
                       r"duplicate survey/wave_order 'hsj_trust_ce_barometer/1', already at "
                       r"embedded data/waves.csv, line 5"):
        datasets.load().combine(mine)


def test_the_same_figure_under_two_ids_names_both(tmp_path):
    # the embedded July 2012 trust figure entered again under another id, with another value
    emb = datasets.load()
    row = emb.figures[emb.figures["figure_id"] == "tce-jul2012-not-confident-detect"]
    text = row.assign(figure_id="mine-jul", value=40.0).to_csv(index=False)
    # (its source is the embedded article: listed by the embedded sources, hence partial)
    mine = datasets.load(folder(tmp_path / "m", waves=WAVES, figures=text), partial=True)
    with pytest.raises(DataValidationError, match=r"m/figures.csv, line 2, column "
                       r"'reference_wave': duplicate figure \(survey, wave, item, category, "
                       r"group, statistic, reference_wave\) .*already at embedded data/figures.csv, line 6"):
        emb.combine(mine)


def test_partial_parts_refer_to_each_other(tmp_path):
    # new figures for an embedded wave (no wave row of their own) and a headline comparing the
    # user's figure with an embedded one: refused alone, accepted combined
    figs = FIGURES.replace("2013-04,area", "W3,area").replace("hsj_trust_ce_barometer,W3",
                                                              "hsj_ccg_barometer,W3")
    figs = figs.replace("tce-apr-area", "mine-w3-area").replace(",good or very good,",
                                                                ",good,")
    head = ("headline_id,source,claim,test,figure_ids,direction\n"
            "h-mine,mine.pdf,Mine differs,cross_survey,mine-w3-area;tce-jul2012-not-confident-"
            "detect,two-sided\n")
    path = folder(tmp_path / "p", waves=WAVES, figures=figs, headlines=head)
    with pytest.raises(DataValidationError, match=r"p/figures.csv, line 2, column 'wave': "
                       r"survey/wave not in the waves table"):
        datasets.load(path)
    both = datasets.load().combine(datasets.load(path, partial=True))
    assert "h-mine" in set(both.headlines["headline_id"])
    # a reference nobody holds is still an error once combined, naming the user's file
    bad = folder(tmp_path / "q", waves=WAVES, figures=figs,
                 headlines=head.replace("tce-jul2012", "tce-nope"))
    with pytest.raises(DataValidationError, match=r"q/headlines.csv, line 2, column "
                       r"'figure_ids': figure not in figures.csv \(got 'tce-nope-not-confident"):
        datasets.load().combine(datasets.load(bad, partial=True))


def test_combine_refuses_non_datasets():
    with pytest.raises(ValueError, match="at least one Dataset"):
        datasets.combine()
    with pytest.raises(ValueError, match="takes Dataset objects, got DataFrame"):
        datasets.combine(datasets.load(), pd.DataFrame())


def test_cli_repeated_data_combines(tmp_path, capsys):
    mine = folder(tmp_path / "tce")
    code = main(["check", "--data", "nhs_leadership_2012_13", "--data", str(mine)])
    out = capsys.readouterr().out
    assert code == 1  # the valid files; January's grip shares fail as before
    assert "nhs_leadership_2012_13 + tce: 41 figures, 7 waves, 6 sources" in out
    copy = embedded_copy(tmp_path)
    _edit(copy, "waves.csv", ",211,94,86,", ",211,95,86,")
    assert main(["check", str(copy), "--data", "nhs_leadership_2012_13"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "copy/waves.csv, line 4 and at embedded data/waves.csv, line 4 with different respondents" in err


def test_combined_workbook_and_folder(tmp_path):
    mine = datasets.load(folder(tmp_path / "tce"))
    with pd.ExcelWriter(tmp_path / "book.xlsx") as book:
        for t in ("waves", "figures", "sources"):
            getattr(mine, t).to_excel(book, sheet_name=t, index=False)
    from_book = datasets.load(tmp_path / "book.xlsx")
    for t in ("waves", "figures", "sources"):
        pd.testing.assert_frame_equal(getattr(from_book, t), getattr(mine, t))
    # the folder and the workbook hold the same rows: merged silently
    assert len(mine.combine(from_book).figures) == 1
