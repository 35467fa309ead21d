"""Issue 11, SLA coverage and meaning: every open ticket has a clock, a day of a target is a
working day of its calendar, durations are printed that way, no line contradicts itself, and
escalations are recorded as the desk's automation."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import sla as sla_support
from tests.support.sla import AGENT, CONFIG, H, SAM, git, make_helpdesk, utc
from tests.support.cli import invoke

from gitdesk.sla.engine import SlaEngine, clock_line, format_duration

PROJECT = Path(__file__).resolve().parents[2]
AUTOMATION = "gitdesk[bot] <gitdesk-bot@users.noreply.github.com>"


def cli_run(root: Path, *args: str, code: int | None = 0):
    return sla_support.cli_run(root, *args, code=code)


# -- every open ticket has a clock ---------------------------------------------------------------

def test_a_ticket_without_a_priority_runs_on_the_default_policy_and_is_listed(tmp_path):
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 9, 0)
    bare = hd.new(priority=None, title="Mail from nobody in particular")
    sla = SlaEngine(hd.config).evaluate(hd.store.get(bare.id), utc(2026, 11, 23, 12, 30))
    assert (sla.priority, sla.default_priority, sla.policy) == (None, "medium", "Medium")
    assert [c.name for c in sla.clocks] == ["first_response", "resolution"]
    out = cli_run(hd.root, "sla", "check", "--at", "2026-11-23T12:30").output
    assert "1 open tickets, 1 with SLA clocks" in out
    assert "1 open ticket(s) without a priority: their clocks run on the medium policy (sla.default_priority)" in out
    assert f"HD-{bare.id[:6]} " in out and "none (medium)" in out  # at risk: 3h30m of 4h used
    data = json.loads(cli_run(hd.root, "sla", "check", "--at", "2026-11-23T12:30", "--json").output)
    assert data["no_priority"] == [bare.id] and data["counts"]["no_priority"] == 1
    assert data["tickets"][0]["priority"] is None and data["tickets"][0]["default_priority"] == "medium"
    shown = cli_run(hd.root, "ticket", "show", bare.id).output
    assert "Priority:       (not set: SLA clocks on medium, sla.default_priority)" in shown
    assert "First response" in shown and "Resolution" in shown


def test_without_a_default_such_tickets_are_listed_as_having_no_clock(tmp_path):
    hd = make_helpdesk(tmp_path, CONFIG.replace("  warning: 0.75\n", "  warning: 0.75\n  default_priority: null\n"))
    hd.at(2026, 11, 23, 9, 0)
    bare = hd.new(priority=None)
    out = cli_run(hd.root, "sla", "check", "--at", "2026-11-23T12:30").output
    assert "1 open tickets, 0 with SLA clocks" in out
    assert "1 open ticket(s) without a priority: they have no SLA clock (sla.default_priority is null)" in out
    assert f"HD-{bare.id[:6]}." in out


def test_an_unknown_default_priority_is_a_config_error(tmp_path):
    from tests.support.sla import init_repo

    from tests.support.cli import run_main

    root = init_repo(tmp_path / "desk", CONFIG.replace("  warning: 0.75\n", "  warning: 0.75\n  default_priority: urgent\n"))
    code, out, err = run_main("sla", "check", repo=root)
    assert code != 0 and "sla.default_priority" in err and "Traceback" not in err, err


def test_ticket_list_priority_none(tmp_path):
    hd = make_helpdesk(tmp_path)
    bare = hd.new(priority=None, title="No priority")
    hd.new(priority="high", title="High")
    rows = json.loads(cli_run(hd.root, "ticket", "list", "--priority", "none", "--json").output)
    assert [r["id"] for r in rows] == [bare.id]
    rows = json.loads(cli_run(hd.root, "ticket", "list", "--priority", "none", "--priority", "high", "--json").output)
    assert len(rows) == 2
    from gitdesk.store.base import Filters  # the rule stores that filter in Python (GitHub) use

    assert Filters(priority=["none"]).matches({"priority": None}) and not Filters(priority=["none"]).matches({"priority": "low"})


def test_mail_intake_gives_new_tickets_the_default_priority(tmp_path):
    from tests.support.desk import init_repo

    root = init_repo(tmp_path / "desk")
    result = invoke("intake", "email", PROJECT / "tests/intake/messages/outlook-new.eml", "--json", repo=root)
    assert result.exit_code == 0, result.output
    rows = json.loads(cli_run(root, "ticket", "list", "--json").output)
    assert [r["priority"] for r in rows] == ["medium"]
    data = json.loads(cli_run(root, "sla", "check", "--at", "2026-11-02T10:00", "--json").output)
    assert data["counts"]["open"] == 1 and data["counts"]["with_sla"] == 1


# -- a day is a working day ------------------------------------------------------------------------

def test_a_day_of_a_target_is_a_working_day_of_the_calendar(tmp_path):
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 9, 0)  # Monday 09:00, office 09-17
    t = hd.new(priority="medium")  # Medium office: resolution 3d
    engine = SlaEngine(hd.config)
    sla = engine.evaluate(hd.store.get(t.id), utc(2026, 11, 23, 10, 0))
    resolution = sla.clock("resolution")
    assert resolution.target_seconds == 3 * 8 * H  # three 8-hour working days, not 72 business hours
    assert resolution.due == utc(2026, 11, 25, 17, 0)  # Wednesday evening (was: Thursday of the next week)
    assert sla.day_seconds == 8 * H
    assert "1h of 3d office business time" in clock_line(resolution, "Europe/London", "office", sla.day_seconds)
    out = cli_run(hd.root, "sla", "check", "--at", "2026-11-25T15:00").output
    row = next(line for line in out.splitlines() if line.startswith(f"HD-{t.id[:6]}") and "resolution" in line)
    assert row.split()[4] == "2h"  # left: 22h of 24h used
    # 24x7 policies keep 24-hour days
    assert format_duration(26 * H) == "1d2h" and format_duration(26 * H, 8 * H) == "3d2h"


def test_the_get_help_page_says_business_days(tmp_path):
    from tests.support.kb import make_sample
    from tests.support.site import build
    from tests.site.test_site_build import page

    root = make_sample(tmp_path / "desk")
    build(root, tmp_path / "site")
    rows = page(tmp_path / "site", "get-help.html").rows
    medium = next(r for r in rows if r and r[0] == "Medium")
    assert medium[2:] == ["4 hours", "8 hours", "3 business days", "in office hours"], medium
    critical = next(r for r in rows if r and r[0] == "Critical")
    assert critical[-1] == "24/7" and "business" not in " ".join(critical)


# -- lines that do not contradict themselves -------------------------------------------------------

def test_a_late_earlier_cycle_is_not_reported_with_time_to_spare(tmp_path):
    """High office: next update every 4h. 09:30 first reply; 14:00 the second (4h30m: late);
    14:10 resolved, the current cycle on time. The clock is breached for good."""
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="high")
    hd.at(2026, 11, 23, 9, 30).desk().comment(t.id, "Looking into it")
    hd.at(2026, 11, 23, 14, 0).desk().comment(t.id, "Still on it")
    hd.at(2026, 11, 23, 14, 10).desk().resolve(t.id, comment="Fixed")
    sla = SlaEngine(hd.config).evaluate(hd.store.get(t.id), utc(2026, 11, 23, 15, 0))
    clock = sla.clock("next_update")
    assert clock.state == "breached" and clock.remaining_seconds > 0
    line = clock_line(clock, "Europe/London", "office", sla.day_seconds)
    assert "breached" in line and "to spare" not in line and "left" not in line, line
    assert "1 earlier cycle(s) late" in line


def test_a_target_used_up_exactly_is_breached_without_time_left(tmp_path):
    """High office: first response 1h. Opened Monday 16:00, nobody answers: 1h used at 17:00,
    and on Tuesday 08:00 (desk closed) the clock stands at exactly 0m left, breached."""
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 16, 0)
    t = hd.new(priority="high")
    sla = SlaEngine(hd.config).evaluate(hd.store.get(t.id), utc(2026, 11, 24, 8, 0))
    clock = sla.clock("first_response")
    assert clock.state == "breached" and clock.remaining_seconds == 0
    line = clock_line(clock, "Europe/London", "office", sla.day_seconds)
    assert "left" not in line and "to spare" not in line and "was due 2026-11-23 17:00" in line, line
    out = cli_run(hd.root, "sla", "check", "--at", "2026-11-24T08:00").output
    row = next(line for line in out.splitlines() if line.startswith(f"HD-{t.id[:6]}") and "response" in line)
    assert "breached" in row and "left" not in row and "used up" in row, row


# -- who escalations are recorded as ---------------------------------------------------------------

def test_escalations_are_recorded_as_the_automation_actor_and_as_names_the_commit_author(tmp_path):
    hd = make_helpdesk(tmp_path)
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")
    git(hd.root, "add", "-A")
    git(hd.root, "commit", "-q", "-m", "tickets")
    # run by an agent (git's user is Ana Lima), through a workflow-like --as
    cli_run(hd.root, "sla", "check", "--at", "2026-11-23T09:35", "--apply", "--commit", "--as", SAM)
    ticket = hd.store.get(t.id)
    sla_events = [h for h in ticket.history if h["action"] == "sla"]
    assert sla_events and {h["by"] for h in sla_events} == {AUTOMATION}
    assert git(hd.root, "log", "-1", "--format=%an <%ae>").strip() == SAM
    # without --as: still the automation in the events, git's user as the commit's author
    hd.at(2026, 11, 23, 9, 40)
    t2 = hd.new(priority="critical", title="Second")
    git(hd.root, "add", "-A")
    git(hd.root, "commit", "-q", "-m", "more")
    cli_run(hd.root, "sla", "check", "--at", "2026-11-23T10:15", "--apply", "--commit")
    assert {h["by"] for h in hd.store.get(t2.id).history if h["action"] == "sla"} == {AUTOMATION}
    assert git(hd.root, "log", "-1", "--format=%an <%ae>").strip() == AGENT


def test_the_automation_actor_is_configurable_and_a_bot(tmp_path):
    hd = make_helpdesk(tmp_path, CONFIG + 'automation_actor: "Desk Robot <robot@northwind.example>"\nbots: ["Desk Robot"]\n')
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")
    cli_run(hd.root, "sla", "check", "--at", "2026-11-23T09:35", "--apply")
    assert {h["by"] for h in hd.store.get(t.id).history if h["action"] == "sla"} == {"Desk Robot <robot@northwind.example>"}
    assert hd.config.is_bot(hd.config.automation_actor)
