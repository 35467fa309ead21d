"""``gitdesk import csv`` with one row per update (an audit log, ServiceNow style).

The fixture (``tests.support.importers.AUDIT_CSV``) has rows out of order, a reopen, two changes in the
same minute, rows that change nothing, an unknown state that keeps the status, a group change,
rows stamped before the ticket was opened and one unmapped state. Every expectation below was
worked out by hand from the rows.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from tests.support.importers import (
    AUDIT_CSV,
    MAPPING_AUDIT,
    event_files,
    run_import,
    store_for,
    tickets_by_external_id,
    write_text,
)


@pytest.fixture
def imported(run_cli, git_repo, tmp_path):
    csv_file = write_text(tmp_path / "audit.csv", AUDIT_CSV)
    mapping = write_text(tmp_path / "audit.yaml", MAPPING_AUDIT)
    code, report, stderr = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    return code, report, tickets_by_external_id(git_repo), (csv_file, mapping)


def test_summary_counts_rows_tickets_events_and_the_skipped_row(imported):
    code, report, _, _ = imported
    assert code == 1
    # unchanged: the repeated 10:00 row, the "-100" row, and INC1's and INC3's first rows (still New)
    assert (report["rows_read"], report["rows_skipped"], report["rows_unchanged"]) == (16, 1, 4)
    # one import event per ticket plus one per row that changed something
    assert (report["tickets"], report["events"], report["events_written"]) == (3, 14, 14)
    assert report["events"] == report["tickets"] + report["rows_read"] - report["rows_skipped"] - report["rows_unchanged"]
    assert report["times_adjusted"] == 2
    assert report["skipped"] == [{"line": 16, "kind": "unmapped status", "reason":
                                  "column incident_state: unmapped value 'Sleeping' for status "
                                  "(add it under values.status.map, or set values.status.default)"}]


def test_rows_become_events_in_update_order_with_their_own_times(imported):
    _, _, tickets, _ = imported
    inc1 = tickets["INC1"]
    steps = [(h["action"], h["at"], h["by"], h.get("set", {}).get("status")) for h in inc1["history"]]
    assert steps == [
        ("import", "2016-03-01T08:55:00.000000Z", "Opened by 7", "new"),        # opened_at, first row's state
        ("set", "2016-03-01T09:30:00.000000Z", "Updated by 2", "open"),
        ("pending", "2016-03-01T10:00:00.000000Z", "Updated by 2", "pending"),
        ("set", "2016-03-01T10:00:00.000001Z", "Updated by 3", "open"),         # same minute: file order kept
        ("resolve", "2016-03-02T12:00:00.000000Z", "Updated by 2", "resolved"),  # line 5, sorted by time
        ("reopen", "2016-03-02T13:00:00.000000Z", "Updated by 4", "open"),
        ("resolve", "2016-03-02T14:00:00.000000Z", "Updated by 4", "resolved"),
        ("close", "2016-03-07T14:00:00.000000Z", "Updated by 5", "closed"),
    ]  # the repeated 10:00 row and the "-100" row changed nothing: no event
    assert inc1["history"][3]["set"] == {"status": "open", "priority": "high"}
    assert inc1["history"][3]["add"] == {"tags": ["sn-group-5"]}
    assert inc1["history"][3]["remove"] == {"tags": ["sn-group-1"]}
    assert (inc1["status"], inc1["priority"], inc1["assignee"], inc1["channel"]) == ("closed", "high", "Resolver 4", "phone")
    assert inc1["tags"] == ["sla-missed", "sn-group-5"]
    assert inc1["kb"] == ["servicenow:knowledge"]  # linked, unlinked by the reopen row, linked again
    assert (inc1["reopen_count"], inc1["created_at"]) == (1, "2016-03-01T08:55:00.000000Z")
    assert (inc1["resolved_at"], inc1["closed_at"]) == ("2016-03-02T14:00:00.000000Z", "2016-03-07T14:00:00.000000Z")
    assert [(c["body"], c["public"], c["by"]) for c in inc1["comments"]] == [
        ("Fixed the VPN profile", False, "Updated by 2"), ("Caller says it is back", False, "Updated by 4")]


def test_updates_stamped_before_the_opening_are_recorded_at_it_with_the_reason(imported):
    _, _, tickets, _ = imported
    inc2 = tickets["INC2"]
    assert [(h["action"], h["at"], h.get("set")) for h in inc2["history"][1:]] == [
        ("set", "2016-03-02T09:00:00.000001Z", {"status": "open"}),  # the earliest row's state
        ("assign", "2016-03-02T09:00:00.000002Z", {"assignee": "Resolver 3"}),
        ("close", "2016-03-03T10:00:00.000000Z", {"status": "closed"})]
    assert [h.get("reason") for h in inc2["history"][1:3]] == [
        f"source time 2016-03-02T08:{m}:00.000000Z is before the ticket's creation: recorded at the creation"
        for m in ("00", "30")]
    # the ticket opens at opened_at, in the initial status, with the earliest row's details
    assert inc2["history"][0]["at"] == inc2["created_at"] == "2016-03-02T09:00:00.000000Z"
    assert (inc2["history"][0]["set"]["status"], inc2["history"][0]["set"]["assignee"]) == ("new", "Resolver 2")
    assert (inc2["assignee"], inc2["status"], inc2["resolved_at"]) == ("Resolver 3", "closed", "2016-03-03T10:00:00.000000Z")


def test_a_skipped_row_leaves_the_rest_of_its_ticket(imported):
    _, _, tickets, _ = imported
    inc3 = tickets["INC3"]
    assert [(h["action"], h.get("set", {}).get("status")) for h in inc3["history"]] == [("import", "new"), ("set", "open")]
    assert (inc3["channel"], inc3["priority"], inc3["tags"], inc3["assignee"]) == ("web", "low", [], None)


def test_rerun_adds_nothing(run_cli, git_repo, imported):
    _, _, _, (csv_file, mapping) = imported
    before = [p.name for p in event_files(git_repo)]
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert (report["events_written"], report["events_present"], report["tickets_new"]) == (0, 14, 0)
    assert [p.name for p in event_files(git_repo)] == before


def test_metrics_from_the_imported_log(git_repo, imported):
    from gitdesk.metrics.compute import compute

    store, config = store_for(git_repo)
    figures = compute(store.all(), config, now=datetime(2016, 3, 10, tzinfo=timezone.utc))
    assert (figures["tickets"], figures["open"], figures["resolved"]) == (3, 1, 2)
    # INC1: 1 March 08:55 -> 2 March 14:00 (the last resolution) = 29 h 05 min; INC2: 25 h
    hours = figures["resolution_hours"]
    assert hours["count"] == 2 and hours["median"] == round((29 + 5 / 60 + 25) / 2, 2)
    assert hours["p90"] == pytest.approx(25 + 0.9 * (29 + 5 / 60 - 25), abs=0.006)
    assert figures["reopen_rate"] == 0.5 and figures["kb_linked_share"] == 0.5


def test_sparse_logs_keep_fields_an_update_leaves_empty(run_cli, git_repo, tmp_path):
    csv_file = write_text(tmp_path / "sparse.csv", "id,at,state,agent,tag\n"
                                                   "7,2026-11-02T09:00:00Z,new,Ana,vpn\n"
                                                   "7,2026-11-02T10:00:00Z,,Ben,\n"
                                                   "7,2026-11-02T11:00:00Z,resolved,,laptop\n")
    mapping = write_text(tmp_path / "sparse.yaml", "source: sparse\nmode: audit\nupdate_rows: changes\n"
                                                   "columns: {id: id, updated: at, status: state, assignee: agent}\n"
                                                   "tags: [{column: tag}]\n")
    code, report, _ = run_import(run_cli, str(csv_file), "--mapping", str(mapping))
    assert code == 0, report
    t = tickets_by_external_id(git_repo)["7"]
    assert (t["status"], t["assignee"], t["tags"]) == ("resolved", "Ben", ["laptop", "vpn"])
    assert [h["action"] for h in t["history"]] == ["import", "assign", "resolve"]
