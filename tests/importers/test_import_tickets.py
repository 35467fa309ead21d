"""``gitdesk import csv`` with one row per ticket: a hand-written export, checked field by field.

Times in the fixture are London wall-clock times; the expected UTC values are worked out by hand
(November is GMT = UTC, July is BST = UTC+1).
"""

from __future__ import annotations

import gzip

import pytest
from tests.support.importers import (
    MAPPING_TICKETS,
    TICKETS_CSV,
    event_files,
    make_repo,
    run_import,
    store_for,
    tickets_by_external_id,
    tree,
    write_text,
)


@pytest.fixture
def export(tmp_path):
    return write_text(tmp_path / "export.csv", TICKETS_CSV), write_text(tmp_path / "map.yaml", MAPPING_TICKETS)


def test_every_field_and_time_lands_where_the_mapping_says(run_cli, git_repo, export):
    csv_file, mapping = export
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert code == 1  # three rows were skipped
    assert report["rows_read"] == 8 and report["rows_skipped"] == 3 and report["tickets"] == 5
    tickets = tickets_by_external_id(git_repo)
    assert sorted(tickets) == ["T-1", "T-2", "T-3", "T-6", "T-8"]

    t1 = tickets["T-1"]
    assert t1["title"] == "VPN drops every 10 minutes"
    assert t1["description"] == "It drops.\nThen it comes back."
    assert (t1["status"], t1["priority"], t1["category"], t1["channel"]) == ("closed", "critical", "network/vpn", "phone")
    assert t1["requester"] == {"name": "Sam Reed", "email": "sam@example.com", "department": "Finance"}
    assert (t1["asset"], t1["assignee"], t1["team"], t1["tier"]) == ("LT-0412", "Ana Lima", "service-desk", 1)
    assert t1["tags"] == ["remote-work", "vpn"]
    assert t1["external"] == {"source": "acme-desk", "id": "T-1"}
    # original times kept (GMT in November), one event per step
    assert t1["created_at"] == "2026-11-03T09:15:00.000000Z"
    assert t1["resolved_at"] == "2026-11-03T11:45:00.000000Z"
    assert t1["closed_at"] == "2026-11-04T09:00:00.000000Z"
    assert [(h["action"], h["at"]) for h in t1["history"]] == [
        ("import", "2026-11-03T09:15:00.000000Z"), ("resolve", "2026-11-03T11:45:00.000000Z"),
        ("close", "2026-11-04T09:00:00.000000Z")]
    assert t1["history"][0]["by"] == "import:acme-desk"

    t2 = tickets["T-2"]  # 10:00 BST is 09:00 UTC
    assert t2["created_at"] == "2026-07-01T09:00:00.000000Z"
    assert (t2["status"], t2["priority"], t2["channel"], t2["team"], t2["tier"]) == ("open", "medium", "email", "desktop", 2)
    assert t2["asset"] is None and t2["assignee"] is None and t2["resolved_at"] is None and t2["tags"] == []

    t3 = tickets["T-3"]  # 23:30 BST on 2 July is 22:30 UTC the same day
    assert t3["created_at"] == "2026-07-02T22:30:00.000000Z"
    assert (t3["status"], t3["priority"], t3["category"], t3["channel"]) == ("pending", "low", "hardware/peripherals", "web")
    assert t3["requester"] is None and t3["description"] is None

    t8 = tickets["T-8"]  # closed without a resolution time: one close event, resolved_at = closed_at
    assert t8["title"] == 'Quotes "inside", and commas'
    assert [h["action"] for h in t8["history"]] == ["import", "close"]
    assert t8["resolved_at"] == t8["closed_at"] == "2026-11-06T12:00:00.000000Z"


def test_broken_rows_are_reported_with_their_line_numbers(run_cli, export):
    csv_file, mapping = export
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert code == 1
    skipped = {s["line"]: s for s in report["skipped"]}
    assert sorted(skipped) == [6, 7, 9]  # T-1's two-line description shifts everything after it
    assert skipped[6]["reason"] == "column Created: not a date in the format '%d/%m/%Y %H:%M': '31/02/2026 10:00'"
    assert skipped[7]["reason"].startswith("column Source: unmapped value 'Fax' for channel")
    assert skipped[9]["reason"] == "expected 18 fields, found 3"
    assert report["skipped_by_reason"] == {"bad date": 1, "unmapped channel": 1, "wrong number of fields": 1}
    # the text report names the file and the line, like a compiler
    result = run_cli("import", "csv", str(csv_file), "--mapping", str(mapping))
    assert result.exit_code == 1
    assert f"{csv_file}:6: skipped: column Created: not a date" in result.stderr
    assert f"{csv_file}:7: skipped: column Source: unmapped value 'Fax'" in result.stderr
    assert "8 rows read, 3 skipped" in result.stdout


def test_a_declared_default_takes_unmapped_values(run_cli, git_repo, tmp_path, export):
    csv_file, _ = export
    mapping = write_text(tmp_path / "map2.yaml", MAPPING_TICKETS.replace(
        "channel: {map: {Phone: phone, E-mail: email, Web form: web}}",
        "channel: {map: {Phone: phone, E-mail: email, Web form: web}, default: walk-in}"))
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert code == 1 and report["rows_skipped"] == 2
    assert tickets_by_external_id(git_repo)["T-5"]["channel"] == "walk-in"


def test_rerunning_adds_nothing_and_gzip_is_the_same_export(run_cli, git_repo, tmp_path, export):
    csv_file, mapping = export
    run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    before = [(p.name, p.read_bytes()) for p in event_files(git_repo)]
    assert len(before) == 9  # 5 imports + T-1 resolve and close + T-6 resolve + T-8 close
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert code == 1  # the same three rows are still broken, and still reported
    assert (report["events"], report["events_written"], report["events_present"]) == (9, 0, 9)
    assert report["tickets_new"] == 0
    gz = tmp_path / "export.csv.gz"
    gz.write_bytes(gzip.compress(csv_file.read_bytes()))
    code, report, _ = run_import(run_cli, str(gz), "--mapping", str(mapping))
    assert report["events_written"] == 0 and report["rows_read"] == 8
    assert [(p.name, p.read_bytes()) for p in event_files(git_repo)] == before


def test_gzip_export_into_an_empty_desk_gives_the_same_ids(run_cli, git_repo, tmp_path, export):
    csv_file, mapping = export
    run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    other = make_repo(tmp_path / "other")
    gz = tmp_path / "export.gz"  # recognised by its content, not its name
    gz.write_bytes(gzip.compress(csv_file.read_bytes()))
    run_import(run_cli, str(gz), "--mapping", str(mapping), "--repo", str(other))
    assert [p.name for p in event_files(other)] == [p.name for p in event_files(git_repo)]


def test_dry_run_writes_nothing_and_counts_what_it_would_write(run_cli, git_repo, export):
    csv_file, mapping = export
    before = tree(git_repo)
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping), "--dry-run")
    assert code == 1 and report["dry_run"] is True
    assert (report["events"], report["events_written"], report["events_present"], report["tickets_new"]) == (9, 0, 0, 5)
    assert tree(git_repo) == before  # not even the tickets/ folder or the cache
    code, real, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert real["events_written"] == report["events"]
    code, again, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping), "--dry-run")
    assert (again["events_present"], again["tickets_new"]) == (9, 0)


def test_imported_tickets_pass_gitdesk_check_and_feed_the_metrics(run_cli, git_repo, export):
    from datetime import datetime, timezone

    from gitdesk.metrics.compute import compute

    csv_file, mapping = export
    run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    result = run_cli("check")
    assert result.exit_code == 0, result.stdout + result.stderr
    store, config = store_for(git_repo)
    figures = compute(store.all(), config, now=datetime(2026, 11, 10, tzinfo=timezone.utc))
    assert (figures["tickets"], figures["open"], figures["resolved"]) == (5, 2, 3)
    # T-1 2.5 h, T-6 1.5 h, T-8 2 h (closed without a resolution time)
    assert figures["resolution_hours"] == {"median": 2.0, "p90": 2.4, "count": 3}
    assert figures["by_priority"] == {"critical": 1, "high": 1, "medium": 2, "low": 1}
    assert figures["by_channel"]["phone"] == 3 and figures["by_channel"]["email"] == 1 and figures["by_channel"]["web"] == 1


def test_priority_from_impact_and_urgency_uses_the_desks_matrix(run_cli, git_repo, tmp_path):
    csv_file = write_text(tmp_path / "iu.csv", "id,impact,urgency,opened\n1,High,High,2026-11-02T10:00:00Z\n"
                                                "2,Low,Medium,2026-11-02T11:00:00+01:00\n")
    mapping = write_text(tmp_path / "iu.yaml", "source: iu\nmode: tickets\ncolumns: {id: id, impact: impact, "
                                               "urgency: urgency, created: opened}\nvalues:\n"
                                               "  impact: {ignore_case: true}\n  urgency: {ignore_case: true}\n")
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert code == 0, report
    tickets = tickets_by_external_id(git_repo)
    assert (tickets["1"]["priority"], tickets["1"]["impact"], tickets["1"]["title"]) == ("critical", "high", "1")
    assert tickets["2"]["priority"] == "low"  # low impact x medium urgency in helpdesk.yml's matrix
    assert tickets["2"]["created_at"] == "2026-11-02T10:00:00.000000Z"  # ISO dates keep their offset


def test_one_row_per_ticket_means_a_repeated_id_is_reported(run_cli, git_repo, tmp_path):
    csv_file = write_text(tmp_path / "dup.csv", "id,title,opened\nA,first,2026-11-02T10:00:00\nA,again,2026-11-02T11:00:00\n")
    mapping = write_text(tmp_path / "dup.yaml", "source: dup\nmode: tickets\ncolumns: {id: id, title: title, created: opened}\n")
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert code == 1
    assert report["skipped"] == [{"line": 3, "kind": "duplicate id", "ticket": "A",
                                  "reason": "ticket 'A' already came on line 2 (tickets mode takes one row per ticket)"}]
    assert tickets_by_external_id(git_repo)["A"]["title"] == "first"


def test_a_header_alone_imports_nothing_and_succeeds(run_cli, git_repo, tmp_path):
    csv_file = write_text(tmp_path / "empty.csv", "id,title,opened\n")
    mapping = write_text(tmp_path / "m.yaml", "source: e\nmode: tickets\ncolumns: {id: id, title: title, created: opened}\n")
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert code == 0 and (report["rows_read"], report["tickets"], report["events_written"]) == (0, 0, 0)
    assert not (git_repo / "tickets").exists() or event_files(git_repo) == []
