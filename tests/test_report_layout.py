"""What a reader of the HTML report meets: order, key columns, badges, links to failed checks,
escaping of user text, print-ready figure files of sensible size."""

from __future__ import annotations

import dataclasses
import re
import struct
from html.parser import HTMLParser

import pytest

from barotrend import datasets
from barotrend.report import html as H
from barotrend.report.build import build_report


class _Tree(HTMLParser):
    """Tables (with their header cells and the tag around them), ids, links and details."""

    def __init__(self):
        super().__init__()
        self.stack, self.tables, self.ids, self.links, self.scripts = [], [], {}, [], 0
        self._th = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"parent": self.stack[-1] if self.stack else None,
                                "head": [], "in_details": any(t == "details" for t, _ in
                                                              self.stack)})
        if tag == "th":
            self._th = ""
        if "id" in a:
            self.ids[a["id"]] = (tag, [t for t, _ in self.stack])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "script":
            self.scripts += 1
        if tag not in ("img", "meta", "br"):
            self.stack.append((tag, a.get("class", "")))

    def handle_endtag(self, tag):
        if tag == "th" and self.tables:
            self.tables[-1]["head"].append(self._th)
            self._th = None
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self._th is not None:
            self._th += data


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("layout")
    files = build_report(out=out)
    text = files["html"].read_text(encoding="utf-8")
    tree = _Tree()
    tree.feed(text)
    return files, text, tree


def test_findings_first_with_the_verdict_counts(report):
    _, text, _ = report
    first_h2 = text.index("<h2")
    intro = text[:first_h2]
    # the counts as badges before anything else: 7 supported, 3 within sampling error,
    # 3 cannot be tested, 1 not comparable
    for cls, n in (("b-supported", 7), ("b-within", 3), ("b-untestable", 3),
                   ("b-notcomparable", 1)):
        assert re.search(rf'class="badge {cls}"[^<]*><span aria-hidden="true">[^<]*</span> '
                         rf"[^<]*</span> {n}</li>", intro), cls
    assert text.index("Verdicts on the headlines") < text.index("Consistency checks")


def test_key_columns_first(report):
    _, _, tree = report
    heads = [t["head"] for t in tree.tables]
    assert ["claim", "verdict", "estimate (95% CI)", "p"] in heads
    comp = [h for h in heads if h[:1] == ["what"] and "adj. p" in h]
    assert comp and comp[0][:6] == ["what", "kind", "estimates", "difference (95% CI)", "p",
                                    "adj. p"]
    # every table scrolls in its own box
    assert all(t["parent"] == ("div", "scroll") for t in tree.tables)


def test_badges_distinct_and_not_red_for_untestable():
    verdicts = ("supported", "within sampling error",
                "cannot be tested from what was published", "not comparable")
    classes = [H.BADGES[v][0] for v in verdicts]
    icons = [H.BADGES[v][1] for v in verdicts]
    assert len(set(classes)) == 4 and len(set(icons)) == 4  # colour and icon each distinct

    def background(cls):
        return re.search(rf"\.{cls}\{{background:(#[0-9a-f]+)", H.STYLE).group(1)

    assert len({background(c) for c in classes}) == 4
    assert background("b-untestable") != background("b-fail")
    assert H.BADGES["cannot be tested from what was published"][0] != H.BADGES["fail"][0]
    # words, not colour alone
    assert "cannot be tested" in H.badge("cannot be tested from what was published")


def test_a_verdict_on_figures_failing_a_check_links_to_it(report):
    files, text, tree = report
    import pandas as pd

    checks = pd.read_csv(files["checks.csv"])
    failed = checks.index[checks["verdict"] == "fail"]
    assert len(failed)
    # the GP vs non-GP verdict rests on the grip question, whose shares fail a check
    row = text[text.index("A much larger proportion of GPs"):]
    row = row[:row.index("</tr>")]
    links = re.findall(r'href="#(check-\d+)"', row)
    assert links and "fail" in row
    for a in links:
        tag, parents = tree.ids[a]
        assert tag == "tr" and int(a.split("-")[1]) in failed
        assert "details" not in parents  # the failures are shown, not folded
    # the passed checks are folded away
    assert re.search(r"<details><summary>Passed \(\d+\)", text)


def test_numbers_in_one_format(report):
    _, text, _ = report
    body = re.sub(r'src="data:[^"]+"', "", text)
    visible = re.sub(r"<[^>]+>", " ", body)
    assert not re.search(r"\d\.\d+e-\d", visible)  # no 2.63e-20
    assert "85.000" not in visible and "2013.042" not in visible
    assert "&lt;0.001" in body  # p < 0.001 as "<0.001"
    assert "-5.0 pp (-18.0 to +8.4 pp)" in visible  # a change of shares in points


def test_figures_print_ready_and_small(report):
    files, text, _ = report
    pngs = {k: p for k, p in files.items() if k.endswith(".png")}
    assert set(pngs) == {"series_budget_confidence.png", "series_area_team_relationship.png",
                         "forest_comparisons.png"}
    for name, path in pngs.items():
        data = path.read_bytes()
        # pHYs: pixels per metre; 300 dpi = 11811 per metre
        i = data.index(b"pHYs")
        ppm_x, ppm_y, unit = struct.unpack(">IIB", data[i + 4:i + 13])
        assert unit == 1 and round(ppm_x * 0.0254) == 300 == round(ppm_y * 0.0254), name
        assert len(data) < 400_000, f"{name}: {len(data)} bytes"
        svg = files[name.replace(".png", ".svg")].read_bytes()
        assert len(svg) < 150_000, f"{name}: SVG of {len(svg)} bytes"
        width_pt = float(re.search(rb'<svg[^>]*width="([\d.]+)pt"', svg).group(1))
        width = 7.0 if name.startswith("forest") else 3.5  # two or one journal columns
        assert width_pt == pytest.approx(width * 72), f"{name}: {width_pt / 72:.2f} in wide"
        from PIL import Image

        with Image.open(path) as im:
            assert im.size[0] == round(width * 300), name
        assert b"<text" in svg  # text kept as text (searchable, small)
    assert len(text.encode("utf-8")) < 600_000
    assert text.count("data:image/svg+xml;base64,") == 3
    assert "data:image/png" not in text


def test_user_text_is_escaped(tmp_path):
    d = datasets.load()
    evil = "<script>alert('x')</script>"
    figures = d.figures.copy()
    figures["label"] = figures["label"].astype(object)
    figures.loc[figures["item"] == "area_team_relationship", "label"] = evil
    figures["note"] = evil
    headlines = d.headlines.copy()
    headlines.loc[0, "claim"] = evil + " claim"
    groups = d.groups.copy()
    groups["label"] = evil
    waves = d.waves.copy()
    waves["wave_label"] = waves["wave_label"].astype(object)
    waves.loc[0, "survey_label"] = evil
    bad = dataclasses.replace(d, name=evil, figures=figures, headlines=headlines,
                              groups=groups, waves=waves)
    files = build_report(bad, out=tmp_path)
    text = files["html"].read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    tree = _Tree()
    tree.feed(text)
    assert tree.scripts == 0


# -- the microdata report ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def micro(tmp_path_factory):
    import numpy as np

    from barotrend.simulate import simulate_barometer

    tmp = tmp_path_factory.mktemp("micro")
    resp = simulate_barometer(seed=11).respondents
    rng = np.random.default_rng(5)
    resp["wt"] = rng.choice([1.0, 2.0, 4.0], size=len(resp))
    resp.to_csv(tmp / "resp.csv", index=False)
    from barotrend.report.microdata import build_microdata_report

    files = build_microdata_report(tmp / "resp.csv", wave="wave",
                                   items=["budget_confidence", "area_team_good"],
                                   weights="wt", cluster="unit", group="gp", out=tmp / "rep",
                                   group_labels={True: "GP", False: "non-GP"},
                                   item_labels={"area_team_good": "Good area team relations"},
                                   scales={"budget_confidence": (1, 10)})
    return resp, files, files["html"].read_text(encoding="utf-8")


def test_microdata_design_table_by_hand(micro):
    resp, _, text = micro
    assert "<pre>" not in text and "Design:" not in text.split("<h2")[0]  # no object dump
    tree = _Tree()
    tree.feed(text)
    assert ["wave", "respondents", "PSUs", "strata", "weights (min to max)", "Kish deff",
            "effective n"] in [t["head"] for t in tree.tables]
    for wave, part in resp.groupby("wave"):
        w = part["wt"].to_numpy()
        n = len(w)
        deff = n * (w ** 2).sum() / w.sum() ** 2  # Kish (1965): 1 + CV^2 of the weights
        row = re.search(rf"<tr><td>{wave}</td>(.*?)</tr>", text).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[0] == str(n) and cells[1] == str(part["unit"].nunique())
        assert cells[3] == f"{w.min():.3g} to {w.max():.3g}"
        assert float(cells[4]) == pytest.approx(deff, abs=0.005)  # 3 significant digits
        assert cells[5] == str(round(n / deff))  # a count, whole


def test_microdata_findings_first_and_words(micro):
    _, files, text = micro
    intro = text[:text.index("<nav>")]
    assert "<b>Findings.</b>" in intro and "<li>" in intro
    visible = re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", text))
    assert "True vs False" not in visible and "GP vs non-GP" in visible
    assert "Good area team relations" in visible
    # the figures: a 300-dpi PNG and an SVG each; the SVG's legend has the group words
    svg = files["series_area_team_good.svg"].read_text(encoding="utf-8")
    assert ">GP<" in svg and ">non-GP<" in svg
    assert files["series_area_team_good.png"].stat().st_size < 400_000


def test_microdata_mean_on_its_scale(micro):
    _, files, text = micro
    assert "the axis spans the scale 1 to 10" in text
    svg = files["series_budget_confidence.svg"].read_text(encoding="utf-8")
    ticks = re.findall(r"<text[^>]*>(\d+)</text>", svg)
    assert "2" in ticks and "10" in ticks  # the whole scale, not just the answers' range


def test_page_title_names_the_surveys_in_words():
    # the page title is the surveys' labels from waves.csv, not the data set's key
    from barotrend import datasets
    from barotrend.report.page import _title

    assert _title(datasets.load()) == (
        "Barometer report: HSJ CCG barometer (with GatenbySanderson); HSJ barometer of NHS "
        "trust chief executives; NHS Clinical Commissioners / Ipsos MORI survey of CCG leads")
    assert "nhs_leadership_2012_13" not in _title(datasets.load())


def test_raw_markup_survives_a_row_of_strings():
    # every cell of the row is a string: iterrows() would make the row a string Series (a
    # pyarrow one when pyarrow is installed) and the markup plain, escaped text
    import pandas as pd

    frame = pd.DataFrame({"claim": ["<b>said</b>"],
                          "verdict": pd.Series([H.Raw('<a href="#check-1">1</a>')],
                                               dtype=object)})
    out = H.table(frame)
    assert '<a href="#check-1">1</a>' in out
    assert "&lt;b&gt;said&lt;/b&gt;" in out
