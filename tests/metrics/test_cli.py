"""``gitdesk metrics`` through Click's runner: JSON, the summary, ``--out`` and bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gitdesk.metrics.compute import compute
from tests.support import cli
from tests.support.metrics import NOW, PERSONAL, SINCE, UNTIL

RANGE = ["--since", "2026-11-01", "--until", "2026-11-20", "--at", "2026-11-20T12:00:00Z"]
SVG = "{http://www.w3.org/2000/svg}"


def invoke(repo: Path, *args: str):
    return cli.invoke("metrics", *args, repo=repo, env={"GITDESK_JSON_COMPACT": None}, catch_exceptions=False)


def run_main(repo: Path | None, *args: str) -> tuple[int, str, str]:
    """The console entry point, so errors go through the real one-line handling."""
    return cli.run_main("metrics", *args, repo=repo)


def assert_no_personal_data(text: str) -> None:
    low = text.lower()
    for item in PERSONAL:
        assert item.lower() not in low, item


def test_json_is_the_computed_figures(scenario):
    result = invoke(scenario.root, *RANGE, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = compute(scenario.store.all(), scenario.config, since=SINCE, until=UNTIL, now=NOW, kb_categories=[])
    from gitdesk.cli.jsonout import shape

    kb = data.pop("kb")  # the KB figures: tests/metrics/test_kb_figures.py
    assert data == json.loads(json.dumps(shape(expected, None)))  # times to the second, as every --json
    assert set(kb) == {"overall", "articles", "gaps", "definitions"}
    assert data["tickets"] == 7 and data["sla_compliance"]["rate"] == 0.4
    assert data["first_response_hours"] == {"median": 1.25, "p90": 46.8, "count": 4}
    assert_no_personal_data(result.output)


def test_until_date_includes_the_whole_day(scenario):
    data = json.loads(invoke(scenario.root, "--since", "2026-11-19", "--until", "2026-11-19", "--json").output)
    assert data["tickets"] == 1  # E, Thursday 15:00
    assert data["range"]["until"] == "2026-11-20T00:00:00Z"


def test_summary_is_readable_and_private(scenario):
    result = invoke(scenario.root, *RANGE)
    assert result.exit_code == 0
    out = result.output
    assert "Metrics for tickets created from 2026-11-01 00:00 to 2026-11-21 00:00 UTC" in out
    assert "SLA compliance              40.0 % (2 of 5 decided)" in out
    assert "First response (calendar)   median 1.25 h, p90 46.8 h (4 tickets)" in out
    assert "Alice Agent 0 open / 2 resolved" in out  # staff, by configured name
    assert "Training needs: Finance 2 how-to tickets" in out
    assert_no_personal_data(out)
    assert "@" not in out


def test_out_writes_json_report_and_valid_svg(scenario, tmp_path):
    out_dir = tmp_path / "report"
    result = invoke(scenario.root, *RANGE, "--out", str(out_dir))
    assert result.exit_code == 0
    assert result.stdout == ""  # the summary of what was written goes to stderr
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["backlog-age.svg", "metrics.json", "report.md", "resolution-time.svg", "sla-compliance.svg", "volume.svg"]
    data = json.loads((out_dir / "metrics.json").read_text())
    from gitdesk.cli.jsonout import shape

    # the published file keeps the figures' own times; --json prints them to the second
    assert shape(data, None) == json.loads(invoke(scenario.root, *RANGE, "--json").output)
    for svg in out_dir.glob("*.svg"):
        root = ET.parse(svg).getroot()
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        ids = {el.get("id") for el in root.iter() if el.get("id")}
        assert set(root.get("aria-labelledby").split()) <= ids
        assert any(el.tag == f"{SVG}text" for el in root.iter())
    sla = ET.parse(out_dir / "sla-compliance.svg").getroot()
    assert "critical: 100 %; high: 0 %; medium: 100 %; low: no data" in sla.find(f"{SVG}desc").text
    volume = ET.parse(out_dir / "volume.svg").getroot()
    assert "2026-W45: 4 tickets; 2026-W46: 2 tickets; 2026-W47: 1 tickets" in volume.find(f"{SVG}desc").text
    report = (out_dir / "report.md").read_text()
    assert "![Tickets created per week](volume.svg)" in report
    assert "| SLA compliance | 40.0 % (2 of 5 decided) |" in report
    for path in out_dir.iterdir():
        assert_no_personal_data(path.read_text())


def test_out_and_json_together(scenario, tmp_path):
    result = invoke(scenario.root, *RANGE, "--json", "--out", str(tmp_path / "o"))
    assert json.loads(result.output)["tickets"] == 7
    assert (tmp_path / "o" / "metrics.json").is_file()


@pytest.mark.parametrize("args, message", [
    (["--since", "yesterday"], "gitdesk: error: --since: not a date or time: 'yesterday'"),
    (["--until", "2026-13-01"], "gitdesk: error: --until: not a date or time: '2026-13-01'"),
    (["--at", "0202-01-01T00:00:00"], "gitdesk: error: --at: '0202-01-01T00:00:00' is outside the years 1900-2199"),
    (["--since", "2026-11-10", "--until", "2026-11-01"], "gitdesk: error: --since: the start of the range is not before its end"),
])
def test_bad_options_are_one_line_errors(scenario, args, message):
    code, out, err = run_main(scenario.root, *args)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1, err
    assert out == ""


def test_out_onto_a_file_writes_nothing(scenario, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me")
    code, _, err = run_main(scenario.root, "--out", str(target))
    assert code == 2
    assert "Invalid value for '--out'" in err and "taken" in err and "Traceback" not in err
    assert target.read_text() == "keep me"


def test_broken_kb_front_matter_names_the_file(fresh_scenario):
    kb = fresh_scenario.root / "kb" / "printing"
    kb.mkdir(parents=True)
    (kb / "jam.md").write_text("---\ntitle: [unclosed\n---\n# Jam\n")
    code, _, err = run_main(fresh_scenario.root)
    assert code == 1
    assert err.startswith("gitdesk: error: kb/printing/jam.md: malformed YAML") and err.count("\n") == 1


def test_kb_articles_close_knowledge_gaps(fresh_scenario):
    kb = fresh_scenario.root / "kb"
    (kb / "hardware").mkdir(parents=True)
    (kb / "hardware" / "slow.md").write_text("---\ntitle: Slow laptop\ncategory: hardware\n---\n# Slow\n")
    (kb / "index.md").write_text("# Help\n")  # no front matter: no category
    data = json.loads(invoke(fresh_scenario.root, *RANGE, "--json").output)
    gaps = [g["category"] for g in data["knowledge_gaps"]]
    assert "hardware/performance" not in gaps  # covered by the parent's article
    assert "email" in gaps


def test_outside_a_help_desk(tmp_path):
    code, _, err = run_main(tmp_path / "nowhere")
    assert code != 0 and err.startswith("gitdesk: error:") and "Traceback" not in err


def test_help_lists_the_options():
    out = cli.invoke("metrics", "--help").output
    for option in ("--since", "--until", "--at", "--json", "--out", "--repo"):
        assert option in out


def test_a_desk_without_tickets(tmp_path):
    from tests.support.metrics import make_repo

    root = make_repo(tmp_path / "empty")
    data = json.loads(invoke(root, "--json").output)
    assert data["tickets"] == 0 and data["by_week"] == {} and data["sla_compliance"]["rate"] is None
    assert "Tickets                     0" in invoke(root).output
    result = invoke(root, "--out", str(tmp_path / "o"))
    assert result.exit_code == 0
    for svg in (tmp_path / "o").glob("*.svg"):
        ET.parse(svg)
