"""The report and the charts render only what they are given, escaped, and stay accessible."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest

from gitdesk.metrics import charts, report
from gitdesk.metrics.compute import compute
from gitdesk.site.dashboard import dashboard_markdown
from tests.support.metrics import NOW, SINCE, UNTIL

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> [x](javascript:alert(1)) *bold* | pipe {: onclick="x"} `code`'


@pytest.fixture(scope="module")
def figures(scenario):
    return compute(scenario.store.all(), scenario.config, since=SINCE, until=UNTIL, now=NOW, kb_categories=["printing"])


def hostile(figures: dict) -> dict:
    out = copy.deepcopy(figures)
    out["by_category"] = {HOSTILE: 3, **out["by_category"]}
    out["top_assets"] = [{"asset": HOSTILE, "incidents": 2, "open": 1, "repeat": True}]
    out["training_needs"] = [{"department": HOSTILE, "how_to_tickets": 2, "categories": {HOSTILE: 2}}]
    out["knowledge_gaps"] = [{"category": HOSTILE, "tickets": 1}]
    out["by_week"] = {HOSTILE: 1}
    return out


def test_markdown_escapes_data(figures):
    text = report.markdown_report(hostile(figures))
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "[x](javascript" not in text and "\\[x\\](javascript" in text
    assert "\\*bold\\*" in text and "\\| pipe" in text and "\\{: onclick" in text and "\\`code\\`" in text
    # every table row keeps its number of cells
    for line in text.splitlines():
        if line.startswith("| " + report.md(HOSTILE)):
            assert line.replace("\\|", "").count("|") in (3, 4, 5)


def test_rendered_markdown_has_no_markup_from_data(figures):
    import markdown

    from gitdesk.kb.htmlsafety import scan_html

    html = markdown.markdown(report.markdown_report(hostile(figures)), extensions=["tables", "attr_list", "md_in_html"])
    assert scan_html(html) == []  # no script element, handler or script URL
    assert "<a " not in html and "<em>bold</em>" not in html and "<code>code</code>" not in html
    assert "&lt;script&gt;" in html


def test_charts_escape_data_and_parse(figures):
    for name, svg in charts.render_all(hostile(figures)).items():
        assert "<script" not in svg
        root = ET.fromstring(svg)  # well-formed despite the labels
        assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    volume = ET.fromstring(charts.volume(hostile(figures)))
    assert HOSTILE in volume.find(f"{SVG}desc").text  # as text, for screen readers


def test_empty_charts_say_so(figures):
    empty = copy.deepcopy(figures)
    empty["by_week"] = {}
    svg = ET.fromstring(charts.volume(empty))
    assert "no data in this range" in svg.find(f"{SVG}desc").text
    assert any(t.text == "No data in this range" for t in svg.iter(f"{SVG}text"))
    assert not list(svg.iter(f"{SVG}rect"))


def test_chart_scale_and_bars(figures):
    assert charts.nice_scale(220) == (50.0, 5)
    assert charts.nice_scale(4315) == (1000.0, 5)
    assert charts.nice_scale(3) == (1.0, 3)
    assert charts.nice_scale(0) == (1.0, 1)
    svg = ET.fromstring(charts.backlog_age(figures))
    bars = {r.find(f"{SVG}title").text: float(r.get("height")) for r in svg.iter(f"{SVG}rect")}
    # 7-30d holds 2 tickets and <1d 1: twice the height, on a 0-2 scale
    assert bars["7-30d: 2 tickets"] == pytest.approx(2 * bars["<1d: 1 tickets"])
    assert bars["1-3d: 0 tickets"] == 0


def test_unique_ids_across_the_dashboard(figures):
    ids = []
    for svg in charts.render_all(figures).values():
        ids += [el.get("id") for el in ET.fromstring(svg).iter() if el.get("id")]
    assert len(ids) == len(set(ids)) == 8


def test_dashboard_page_has_figures_charts_and_no_agents(figures):
    page = dashboard_markdown(figures)
    assert page.startswith('---\ntitle: "Help desk dashboard"\n---\n')
    assert "| SLA compliance | 40.0 % (2 of 5 decided) |" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 4
    # each chart is one raw HTML block: no blank line inside it
    for block in page.split('<div class="gitdesk-chart">')[1:]:
        assert "\n\n" not in block.split("</div>")[0]
    assert "Load per agent" not in page
    for agent in ("Alice Agent", "Bob Builder", "Carol Desktop"):
        assert agent not in page


def test_text_summary_without_data(scenario):
    empty = compute([], scenario.config, now=NOW)
    text = report.text_summary(empty)
    assert "Tickets                     0" in text and "n/a" in text
    assert report.markdown_report(empty).count("*None in this range.*") >= 3
