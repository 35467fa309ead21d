"""``gitdesk sla check`` through CliRunner (and once through the console script for the error
line): the table, --json, --apply, --fail-on exit codes and --at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from tests.support.sla import BOT, SAM, cli_run, git, make_helpdesk, utc

from gitdesk.cli.sla import parse_at
from gitdesk.errors import UsageError


@pytest.fixture
def hd(tmp_path):
    """Three open tickets: one critical (24x7), one high (office), one low (no policy)."""
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 9, 0)
    hd.crit = hd.new(priority="critical", title="Payroll server down")
    hd.at(2026, 11, 23, 9, 10)
    hd.high = hd.new(priority="high", title="Cannot print payslips")
    hd.desk().assign(hd.high.id, "Ana Lima <ana.lima@northwind.example>")
    hd.low = hd.new(priority="low", title="New mouse please")
    return hd


def run(hd, *args, code=None):
    return cli_run(hd.root, "sla", "check", *args, code=code)


def test_table_lists_at_risk_and_breached_with_business_time_left(hd):
    # 09:35: critical first response (30m, 24x7) overdue 5m; high (1h, office) 25m used: fine
    out = run(hd, "--at", "2026-11-23T09:35", code=0).output
    lines = out.splitlines()
    assert lines[0].split()[:8] == ["TICKET", "PRIORITY", "CLOCK", "STATE", "LEFT", "DUE", "ASSIGNEE", "TITLE"]
    rows = [line for line in lines if line.startswith("HD-")]
    assert len(rows) == 1
    assert rows[0].split()[:6] == [f"HD-{hd.crit.id[:6]}", "critical", "response", "breached", "-5m", "11-23"]
    assert "09:30" in rows[0] and "Payroll server down" in rows[0]
    assert "3 open tickets, 2 with SLA clocks: 1 breached, 0 at risk, 0 paused." in out

    # 10:05: the high ticket has 5m left of its first response (at risk); breached rows first
    out = run(hd, "--at", "2026-11-23T10:05").output
    rows = [line.split() for line in out.splitlines() if line.startswith("HD-")]
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (f"HD-{hd.crit.id[:6]}", "response", "breached"), (f"HD-{hd.high.id[:6]}", "response", "at-risk")]
    assert rows[1][4:7] == ["5m", "11-23", "10:10"] and rows[1][7:9] == ["Ana", "Lima"]


def test_nothing_due(hd):
    out = run(hd, "--at", "2026-11-23T09:05", code=0).output
    assert "HD-" not in out and "0 breached, 0 at risk" in out


def test_json_output(hd):
    data = json.loads(run(hd, "--at", "2026-11-23T10:05", "--json", code=0).output)
    assert data["at"] == "2026-11-23T10:05:00Z"
    assert data["counts"] == {"open": 3, "with_sla": 2, "no_priority": 0, "ok": 0, "at-risk": 1, "breached": 1, "paused": 0}
    assert [(t["id"], t["worst"], t["policy"]) for t in data["tickets"]] == [
        (hd.crit.id, "breached", "Critical"), (hd.high.id, "at-risk", "High")]
    crit = data["tickets"][0]
    first = next(c for c in crit["clocks"] if c["name"] == "first_response")
    assert (first["state"], first["remaining_seconds"], first["due"]) == ("breached", -35 * 60, "2026-11-23T09:30:00Z")
    assert "applied" not in data
    # no personal data beyond the ticket's own fields (requester never printed)
    assert "sam.reed" not in json.dumps(data)


@pytest.mark.parametrize("at, fail_on, code", [
    ("2026-11-23T09:05", "at-risk", 0),   # nothing due
    ("2026-11-23T09:24", "at-risk", 1),   # critical first response at risk (24m of 30m)
    ("2026-11-23T09:24", "breached", 0),  # ... but not breached
    ("2026-11-23T09:31", "breached", 1),
    ("2026-11-23T09:31", "at-risk", 1),   # breached is worse than at risk
    ("2026-11-23T09:31", None, 0),        # without --fail-on a breach is not a failure
])
def test_fail_on_exit_codes(hd, at, fail_on, code):
    args = ["--at", at] + (["--fail-on", fail_on] if fail_on else [])
    run(hd, *args, code=code)
    run(hd, *args, "--json", code=code)


def test_apply_records_once_and_reports(hd):
    out = run(hd, "--at", "2026-11-23T09:35", "--apply", "--as", BOT, code=0).output
    assert f"Escalated HD-{hd.crit.id}: first_response at-risk (rule 0, now breached): tag sla-at-risk, notification queued" in out
    assert f"Escalated HD-{hd.crit.id}: first_response breached (rule 1): tag sla-breached, notification queued" in out
    assert f"Escalated HD-{hd.crit.id}: first_response breached (rule 3): team infrastructure" in out
    assert "3 escalation(s) recorded." in out
    again = run(hd, "--at", "2026-11-23T09:36", "--apply", "--as", BOT, code=0).output
    assert "No escalations due." in again
    ticket = hd.store.get(hd.crit.id)
    assert ticket.team == "infrastructure" and ticket.updated_by == "gitdesk[bot] <gitdesk-bot@users.noreply.github.com>"  # automation_actor
    assert sum(1 for h in ticket.history if h["action"] == "sla") == 3


def test_apply_json_as_the_workflow_runs_it(hd):
    data = json.loads(run(hd, "--at", "2026-11-23T10:05", "--apply", "--json", "--as", BOT, code=0).output)
    applied = {(a["ticket"], a["marker"]) for a in data["applied"]}
    assert applied == {(hd.crit.id, "at-risk:first_response:0"), (hd.crit.id, "breached:first_response:1"),
                       (hd.crit.id, "breached:first_response:3"), (hd.high.id, "at-risk:first_response:0")}
    first = next(a for a in data["applied"] if a["marker"] == "breached:first_response:1")
    assert first["notify"] is True and first["changes"] == {"tags": ["sla-breached"]} and first["event"]
    data = json.loads(run(hd, "--at", "2026-11-23T10:06", "--apply", "--json", "--as", BOT, code=0).output)
    assert data["applied"] == []


def test_apply_commit_makes_one_commit(hd):
    git(hd.root, "add", "-A")
    git(hd.root, "commit", "-q", "-m", "tickets")
    run(hd, "--at", "2026-11-23T09:35", "--apply", "--commit", "--as", BOT, code=0)
    log = git(hd.root, "log", "-1", "--format=%s%n%b")
    assert log.startswith("sla: 3 escalation(s)") and f"HD-{hd.crit.id}: sla" in log
    assert git(hd.root, "status", "--porcelain", "--", "tickets") == ""


def test_apply_refuses_a_future_time(hd):
    result = run(hd, "--apply", "--at", "2100-01-01T00:00Z", code=2)
    assert "gitdesk: error: --at: --apply records events now: --at cannot be in the future" in result.output
    assert not list((hd.root / "tickets").glob("*/*.yml")) or all(
        "action: sla" not in p.read_text() for p in (hd.root / "tickets").glob("*/*.yml"))


def test_pending_ticket_is_counted_as_paused_not_listed(hd):
    hd.at(2026, 11, 23, 9, 20).desk().comment(hd.crit.id, "Which server?")
    hd.at(2026, 11, 23, 9, 21).desk().pending(hd.crit.id)
    data = json.loads(run(hd, "--at", "2026-11-23T15:00", "--json").output)
    # the critical ticket waits on the requester: its clocks hold; the high one is breached
    assert [t["id"] for t in data["tickets"]] == [hd.high.id]
    assert data["counts"]["paused"] == 1
    hd.at(2026, 11, 23, 15, 30).desk(SAM).comment(hd.crit.id, "Payroll-01")
    data = json.loads(run(hd, "--at", "2026-11-23T16:30", "--json").output)
    crit = next(t for t in data["tickets"] if t["id"] == hd.crit.id)
    update = next(c for c in crit["clocks"] if c["name"] == "next_update")
    assert (update["elapsed_seconds"], update["paused_seconds"], update["state"]) == (61 * 60, 6 * 3600 + 9 * 60, "breached")


def test_parse_at():
    assert parse_at("2026-07-01T10:00", "Europe/London") == utc(2026, 7, 1, 9, 0)  # BST
    assert parse_at("2026-07-01T10:00Z", "Europe/London") == utc(2026, 7, 1, 10, 0)
    assert parse_at("2026-07-01T10:00+02:00", "UTC") == utc(2026, 7, 1, 8, 0)
    assert parse_at("2026-12-01", "Europe/London") == utc(2026, 12, 1, 0, 0)
    now = parse_at(None, "UTC")
    assert abs((now - datetime.now(timezone.utc)).total_seconds()) < 60
    for bad in ("yesterday", "2026-13-01", "0202-01-01T00:00"):
        with pytest.raises(UsageError):
            parse_at(bad, "UTC")


def test_errors_are_one_line_through_the_console_script(hd):
    exe = Path(sys.executable).with_name("gitdesk")
    env = {**os.environ, "GITDESK_REPO": str(hd.root)}
    proc = subprocess.run([str(exe), "sla", "check", "--at", "soon"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("gitdesk: error: --at: not a date or time: 'soon' "
                                   "(use YYYY-MM-DD or an ISO 8601 time such as 2026-11-23T17:00Z)")
    proc = subprocess.run([str(exe), "sla", "check", "--fail-on", "late"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "late" in proc.stderr and "Traceback" not in proc.stderr
    # a broken policy in helpdesk.yml: one line naming the file and the field
    cfg = hd.root / "helpdesk.yml"
    cfg.write_text(cfg.read_text().replace("category: network,", "category: nowhere,"))
    proc = subprocess.run([str(exe), "sla", "check"], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "gitdesk: error: helpdesk.yml: sla.policies[1].category: unknown category 'nowhere'"
