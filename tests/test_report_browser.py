"""The report as a reader sees it: rendered by headless Chromium at 1280 and 390 px.

A copy of the page gets a small script that, once the page has loaded, writes layout facts
(page and viewport widths, every image's alt text and size, the visible text of the headline
sections) into the DOM as JSON; Chromium's ``--dump-dom`` prints the DOM, and the test reads the
facts back. Chromium must be installed (``.ci/run`` installs Debian's ``chromium`` when it is
missing): without it the test fails and says so -- it is never skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

PROBE = """
<script>
window.addEventListener("load", function () {
  var d = document.documentElement;
  var sections = {};
  document.querySelectorAll("section").forEach(function (s) {
    var h = s.querySelector("h2");
    sections[h ? h.textContent : "?"] = s.innerText;
  });
  var intro = [];
  for (var el = document.querySelector("h1"); el && el.tagName !== "NAV";
       el = el.nextElementSibling) { intro.push(el.innerText); }
  var wide = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && !el.closest(".scroll")) {
      wide.push(el.tagName + "." + el.className + " " + Math.round(r.right));
    }
  });
  var facts = {
    innerWidth: window.innerWidth, scrollWidth: d.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth, wide: wide.slice(0, 10),
    images: Array.prototype.map.call(document.images, function (i) {
      var r = i.getBoundingClientRect();
      return {alt: i.alt, width: r.width, natural: i.naturalWidth, complete: i.complete};
    }),
    intro: intro.join("\\n"), sections: sections,
    viewport: !!document.querySelector('meta[name="viewport"]')
  };
  parent.postMessage(JSON.stringify(facts), "*");
});
</script>
"""

#: Chromium's window is at least 500 px wide: the report is shown in a frame of the width
#: under test (inside it, the page's viewport is the frame), which posts its facts up.
HOST = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:1800px;border:0"></iframe>
<script>
window.addEventListener("message", function (e) {{
  var pre = document.createElement("pre");
  pre.id = "layout-facts";
  pre.textContent = e.data;
  document.body.appendChild(pre);
}});
</script></body></html>
"""

#: internal ids a reader must not meet in the headline sections
IDS = ("hsj_ccg_barometer", "hsj_trust_ce_barometer", "nhscc_ipsos_ccg_survey",
       "area_team_relationship", "budget_confidence", "everyone_counts_grip", "W2->W3",
       "newcombe", "tipping_point", "True/False")


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium is not installed: the browser test renders the report in headless "
                    "Chromium. Install it (Debian: apt-get install -y --no-install-recommends "
                    "chromium); .ci/run installs it when it is missing.")
    return exe


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from barotrend.report.build import build_report

    out = tmp_path_factory.mktemp("browser")
    files = build_report(out=out / "report")
    return files["html"]


def _facts(html_path, width, tmp_path) -> dict:
    probe = tmp_path / f"probe_{width}.html"
    text = html_path.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    page = tmp_path / f"host_{width}.html"
    page.write_text(HOST.format(src=probe.name, width=width), encoding="utf-8")
    run = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / f'profile_{width}'}",
         f"--window-size={width + 40},2000", "--virtual-time-budget=8000", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="layout-facts">(.*?)</pre>', run.stdout, re.S)
    assert m, f"no layout facts from chromium (exit {run.returncode}): {run.stderr[-800:]}"
    import html

    return json.loads(html.unescape(m.group(1)))


@pytest.fixture(scope="module")
def facts(report, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chromium")
    return {w: _facts(report, w, tmp) for w in (1280, 390)}


@pytest.mark.parametrize("width", [1280, 390])
def test_no_horizontal_overflow(facts, width):
    f = facts[width]
    assert f["viewport"], "no viewport meta"
    assert f["innerWidth"] == width
    # the page itself never scrolls sideways: wide tables scroll inside their own box
    assert f["scrollWidth"] <= f["innerWidth"], (f["scrollWidth"], f["wide"])
    assert f["wide"] == []


@pytest.mark.parametrize("width", [1280, 390])
def test_images_have_alt_text_in_words_and_fit(facts, width):
    images = facts[width]["images"]
    assert len(images) == 3
    for im in images:
        alt = im["alt"]
        assert len(alt.split()) >= 4, alt  # a phrase, not a file or an id
        assert "_" not in alt and not alt.endswith((".png", ".svg")), alt
        assert im["complete"] and im["natural"] > 0, "an image did not load"
        assert 0 < im["width"] <= width


def test_no_internal_ids_in_the_headline_sections(facts):
    f = facts[1280]
    visible = [f["intro"], f["sections"]["Verdicts on the headlines"],
               f["sections"]["Series"], f["sections"]["Comparisons"]]
    text = "\n".join(visible)
    found = [i for i in IDS if i in text]
    assert not found, f"internal ids in the visible text: {found}"
    # the verdicts are there, in words, with their counts
    assert "supported 7" in f["intro"].replace("\n", " ").replace("\u2714 ", "")
    for words in ("within sampling error", "cannot be tested", "not comparable"):
        assert words in f["sections"]["Verdicts on the headlines"]
