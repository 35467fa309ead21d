"""The published dashboard: a real strict MkDocs build of a help desk with the scenario's tickets.

The page is generated at build time by the gitdesk plugin (nothing generated is committed), shows
the figures and the charts, is in the navigation, and nothing the requesters wrote or are called
appears anywhere in the built site. ``site.dashboard: false`` leaves it out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.kb import make_sample
from tests.support.metrics import CONFIG, PERSONAL, build

pytestmark = pytest.mark.slow


def build_site(root: Path) -> Path:
    from gitdesk.publish.build import build_site as real_build

    site = root / "site"
    real_build(root, site_dir=site)
    return site


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    root = make_sample(tmp_path_factory.mktemp("dashboard") / "desk")  # mkdocs.yml and a small KB
    return build(root)  # the scenario's helpdesk.yml and tickets, committed


@pytest.fixture(scope="module")
def site(desk) -> Path:
    return build_site(desk.root)


def text_files(site: Path):
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".js", ".xml", ".txt", ".css", ".svg", ".md"):
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_dashboard_page_has_the_figures_and_charts(site):
    page = (site / "dashboard.html").read_text(encoding="utf-8")
    assert "Help desk dashboard" in page
    # figures that do not depend on when the build runs (all nine tickets)
    assert "<td>Tickets</td>\n<td>9</td>" in page
    assert "<td>Resolved</td>\n<td>4</td>" in page
    assert "median 1 h, p90 40.4 h (5 tickets)" in page  # 20 min, 30 min, 1 h, 2 h, 66 h
    assert "median 2.5 h, p90 66.7 h (4 tickets)" in page  # 2 h, 2 h, 3 h, 94 h
    assert "<td>First contact resolution</td>\n<td>50.0 %</td>" in page  # A and H of A, B, C, H
    # the four charts, inline, accessible
    start = 0
    titles = []
    for _ in range(4):
        start = page.index('<svg xmlns="http://www.w3.org/2000/svg" class="gitdesk-chart"', start)
        end = page.index("</svg>", start) + len("</svg>")
        root = ET.fromstring(page[start:end])
        assert root.get("role") == "img"
        titles.append(root.find("{http://www.w3.org/2000/svg}title").text)
        start = end
    assert titles == ["Tickets created per week", "SLA compliance by priority", "Time to resolve", "Open tickets by age"]


def test_dashboard_is_in_the_navigation(site):
    assert 'href="dashboard.html"' in (site / "index.html").read_text(encoding="utf-8")


def test_no_personal_data_anywhere_in_the_site(site):
    checked = 0
    for path, text in text_files(site):
        low = text.lower()
        for item in PERSONAL:
            assert item.lower() not in low, f"{item!r} in {path.relative_to(site)}"
        assert "private.example" not in low and "agency.example" not in low
        checked += 1
    assert checked > 10
    # agents are people too: the dashboard names none of them
    page = (site / "dashboard.html").read_text(encoding="utf-8")
    for agent in ("Alice Agent", "Bob Builder", "Carol Desktop", "alice@desk.example"):
        assert agent not in page


def test_nothing_generated_is_left_in_the_sources(desk, site):
    import subprocess

    assert not (desk.root / "kb" / "dashboard.md").exists()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=desk.root,
                            capture_output=True, text=True, check=True).stdout
    assert status == ""  # the built site and the caches are ignored; nothing else was written


def test_dashboard_switched_off(tmp_path):
    root = make_sample(tmp_path / "desk")
    build(root)
    (root / "helpdesk.yml").write_text(CONFIG.replace("dashboard: true", "dashboard: false"), encoding="utf-8")
    site = build_site(root)
    assert (site / "index.html").is_file()
    assert not (site / "dashboard.html").exists()
    assert "dashboard.html" not in (site / "index.html").read_text(encoding="utf-8")
