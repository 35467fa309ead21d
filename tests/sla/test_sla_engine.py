"""SLA clocks computed by hand, on tickets made through the real Desk and FileStore.

Office hours in tests.support.sla.CONFIG: Monday-Friday 09:00-17:00 Europe/London (= UTC in November
and December), 2026-12-25 a holiday. 2026-11-23 is a Monday. Policies: Critical 24x7 (30m/1h/4h),
Network high 24x7 (15m/1h/2h), High office (1h/4h/8h), Infra medium 24x7 for team infrastructure
(2h/-/1d), Medium office (4h/8h/3d); no policy for low.
"""

from __future__ import annotations

import json
import shutil

import pytest
from tests.support.sla import AGENT, AGENT2, BOT, CONFIG, SAM, H, Helpdesk, M, make_helpdesk, utc

from gitdesk.config import build_config
from gitdesk.errors import ConfigError
from gitdesk.sla.engine import SlaEngine, clocks_for, first_response_at, format_duration
from gitdesk.model.ticket import Ticket
from gitdesk.sla.policy import PolicySet
from tests.support.desk import PROJECT, init_repo
from tests.support.cli import invoke


@pytest.fixture
def hd(tmp_path):
    return make_helpdesk(tmp_path)


def evaluate(hd, ticket_id, *at):
    return SlaEngine(hd.config).evaluate(hd.store.get(ticket_id), utc(*at))


def test_pending_pause_across_a_night(hd):
    hd.at(2026, 11, 23, 16, 0)
    t = hd.new()  # high, office hours: first response 1h, next update 4h, resolution 8h
    hd.at(2026, 11, 23, 16, 30).desk().comment(t.id, "Looking at it now.")
    hd.at(2026, 11, 23, 16, 40).desk().pending(t.id, comment="Which printer is it?")
    hd.at(2026, 11, 24, 10, 0).desk(SAM).comment(t.id, "The one on floor 2.")  # back to open
    assert hd.store.get(t.id).status == "open"

    sla = evaluate(hd, t.id, 2026, 11, 24, 12, 0)
    assert (sla.policy, sla.calendar, sla.met, sla.worst) == ("High", "office", None, "ok")
    first, update, resolution = sla.clocks
    # first response: Mon 16:00 -> 16:30
    assert (first.name, first.state, first.elapsed_seconds) == ("first_response", "met", 30 * M)
    assert first.stopped_at == utc(2026, 11, 23, 16, 30) and first.met is True
    # paused Mon 16:40-17:00 and Tue 09:00-10:00: 1h20m of business time; the night is closed anyway
    assert resolution.paused_seconds == 80 * M
    # resolution: Mon 16:00-17:00 (1h) + Tue 09:00-12:00 (3h) - 1h20m paused = 2h40m
    assert resolution.elapsed_seconds == 160 * M
    assert resolution.remaining_seconds == 8 * H - 160 * M
    # 5h20m left from Tue 12:00: 5h to Tue 17:00, then 20m on Wednesday
    assert resolution.due == utc(2026, 11, 25, 9, 20)
    assert resolution.state == "running" and resolution.stopped_at is None
    # next update restarted with the pending reply at Mon 16:40: 20m + (Tue 09:00-12:00 - 1h paused) = 2h
    assert update.started_at == utc(2026, 11, 23, 16, 40)
    assert (update.elapsed_seconds, update.paused_seconds) == (2 * H, 80 * M)
    assert update.due == utc(2026, 11, 24, 14, 0)

    # while still pending (Tue 09:30, as of then): paused, no due date, nothing counts
    before = evaluate(hd, t.id, 2026, 11, 24, 9, 30)
    assert before.status == "pending"
    assert [c.state for c in before.clocks] == ["met", "paused", "paused"]
    assert before.clock("resolution").due is None
    assert before.clock("resolution").elapsed_seconds == 40 * M  # Mon 16:00-16:40
    assert before.clock("resolution").paused_seconds == 50 * M  # Mon 16:40-17:00, Tue 09:00-09:30


def test_first_response_ignores_the_requester_bots_and_internal_notes(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")  # 24x7, first response 30m
    hd.at(2026, 11, 23, 9, 5).desk(BOT).comment(t.id, "Thanks, we got your request (automatic reply).")
    hd.at(2026, 11, 23, 9, 10).desk(SAM).comment(t.id, "Any news? (the requester, by name and email)")
    hd.at(2026, 11, 23, 9, 12).desk("sam.reed@northwind.example").comment(t.id, "Still down (requester, bare email).")
    hd.at(2026, 11, 23, 9, 14).desk("Sam Reed").comment(t.id, "Hello? (requester, bare name)")
    hd.at(2026, 11, 23, 9, 16).desk("gitdesk[bot]").comment(t.id, "Reminder sent.")
    hd.at(2026, 11, 23, 9, 20).desk(AGENT).comment(t.id, "Internal: checking the switch.", public=False)
    assert first_response_at(hd.store.get(t.id), hd.config) is None
    mid = evaluate(hd, t.id, 2026, 11, 23, 9, 25)
    assert mid.clock("first_response").state == "at-risk"  # 25m of 30m >= 75 %
    assert mid.clock("next_update") is None  # starts with the first response

    hd.at(2026, 11, 23, 9, 40).desk(AGENT2).comment(t.id, "Restarted the switch, please try again.")
    ticket = hd.store.get(t.id)
    assert first_response_at(ticket, hd.config) == utc(2026, 11, 23, 9, 40)
    first = SlaEngine(hd.config).evaluate(ticket, utc(2026, 11, 23, 10, 0)).clock("first_response")
    assert (first.state, first.elapsed_seconds, first.stopped_at) == ("breached", 40 * M, utc(2026, 11, 23, 9, 40))
    assert first.remaining_seconds == -10 * M and first.met is False


def test_opened_outside_hours_starts_at_the_next_opening(hd):
    hd.at(2026, 11, 28, 10, 0)  # Saturday
    t = hd.new()
    sunday = evaluate(hd, t.id, 2026, 11, 29, 20, 0)
    first = sunday.clock("first_response")
    assert (first.elapsed_seconds, first.state) == (0, "running")
    assert first.due == utc(2026, 11, 30, 10, 0)  # Monday 09:00 + 1h
    assert sunday.clock("resolution").due == utc(2026, 11, 30, 17, 0)
    assert evaluate(hd, t.id, 2026, 11, 30, 9, 44).clock("first_response").state == "running"
    assert evaluate(hd, t.id, 2026, 11, 30, 9, 45).clock("first_response").state == "at-risk"  # 75 % of 1h
    assert evaluate(hd, t.id, 2026, 11, 30, 10, 0).clock("first_response").state == "at-risk"  # due, not past
    late = evaluate(hd, t.id, 2026, 11, 30, 10, 1).clock("first_response")
    assert (late.state, late.remaining_seconds) == ("breached", -60)


def test_holidays_and_weekends_do_not_count(hd):
    hd.at(2026, 12, 24, 16, 30)  # Thursday; Friday 25th is a holiday
    t = hd.new()
    first = evaluate(hd, t.id, 2026, 12, 27, 12, 0).clock("first_response")
    assert first.elapsed_seconds == 30 * M
    assert first.due == utc(2026, 12, 28, 9, 30)


def test_a_target_used_up_at_closing_time_is_breached_that_evening(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new()
    hd.at(2026, 11, 23, 9, 30).desk().comment(t.id, "On it.")
    at_close = evaluate(hd, t.id, 2026, 11, 23, 17, 0).clock("resolution")
    assert (at_close.elapsed_seconds, at_close.state, at_close.due) == (8 * H, "at-risk", utc(2026, 11, 23, 17, 0))
    evening = evaluate(hd, t.id, 2026, 11, 23, 18, 0).clock("resolution")
    assert (evening.elapsed_seconds, evening.remaining_seconds, evening.state) == (8 * H, 0, "breached")
    # resolved before Tuesday opens: no business time passed, but the due time did
    hd.at(2026, 11, 24, 8, 30).desk().resolve(t.id, comment="Fixed overnight.")
    done = evaluate(hd, t.id, 2026, 11, 24, 12, 0).clock("resolution")
    assert (done.elapsed_seconds, done.state, done.stopped_at) == (8 * H, "breached", utc(2026, 11, 24, 8, 30))


def test_reopened_ticket_carries_on_from_where_it_was(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")  # 24x7: resolution 4h
    hd.at(2026, 11, 23, 9, 10).desk().comment(t.id, "Rebooting the server.")
    hd.at(2026, 11, 23, 10, 5).desk().comment(t.id, "Still rebooting.")  # next update within 1h
    hd.at(2026, 11, 23, 11, 0).desk().resolve(t.id, comment="Back up.")
    resolved = evaluate(hd, t.id, 2026, 11, 23, 12, 0)
    res = resolved.clock("resolution")
    assert (res.state, res.elapsed_seconds, res.stopped_at) == ("met", 2 * H, utc(2026, 11, 23, 11, 0))
    assert resolved.met is True and resolved.worst == "ok"

    hd.at(2026, 11, 23, 15, 0).desk().reopen(t.id, reason="Down again")
    res = evaluate(hd, t.id, 2026, 11, 23, 16, 0).clock("resolution")
    # 2h before the resolve + 1h since the reopen; the 4h resolved do not count
    assert (res.elapsed_seconds, res.paused_seconds, res.state) == (3 * H, 4 * H, "at-risk")
    assert res.due == utc(2026, 11, 23, 17, 0) and res.stopped_at is None
    assert evaluate(hd, t.id, 2026, 11, 23, 17, 30).clock("resolution").state == "breached"
    # evaluating a past instant ignores the later history: at 12:00 it was resolved and met
    again = evaluate(hd, t.id, 2026, 11, 23, 12, 0)
    assert again.status == "resolved" and again.clock("resolution").state == "met"

    update = evaluate(hd, t.id, 2026, 11, 23, 15, 20).clock("next_update")
    assert (update.started_at, update.elapsed_seconds) == (utc(2026, 11, 23, 11, 0), 20 * M)  # resumed too
    hd.at(2026, 11, 23, 15, 30).desk().comment(t.id, "Disk ordered.")
    hd.at(2026, 11, 23, 16, 30).desk().resolve(t.id, comment="Replaced the disk.")
    final = evaluate(hd, t.id, 2026, 11, 23, 20, 0)
    res = final.clock("resolution")
    assert (res.state, res.elapsed_seconds, res.stopped_at) == ("met", 3.5 * H, utc(2026, 11, 23, 16, 30))
    assert final.met is True


def test_policy_narrowed_by_category_and_team(hd):
    hd.at(2026, 11, 23, 9, 0)
    vpn = hd.new(category="network/vpn")
    network = hd.new(category="network")
    accounts = hd.new(category="accounts/mfa")
    infra = hd.new(priority="medium", team="infrastructure")
    medium = hd.new(priority="medium", category="network/vpn")
    low = hd.new(priority="low")
    engine = SlaEngine(hd.config)
    at = utc(2026, 11, 23, 9, 20)
    got = {t.id: engine.evaluate(hd.store.get(t.id), at) for t in (vpn, network, accounts, infra, medium, low)}
    assert got[vpn.id].policy == "Network high"  # the parent category matches its children
    assert got[network.id].policy == "Network high"
    assert got[accounts.id].policy == "High"
    assert got[infra.id].policy == "Infra medium"
    assert got[medium.id].policy == "Medium"
    assert [c.name for c in got[infra.id].clocks] == ["first_response", "resolution"]  # no next_update target
    # 24x7, first response 15m: breached at 09:20
    assert got[vpn.id].clock("first_response").state == "breached"
    assert got[accounts.id].clock("first_response").state == "running"
    none = got[low.id]
    assert (none.policy, none.clocks, none.met, none.worst) == (None, [], None, "ok")
    # a sibling whose name merely starts with the parent's does not match
    policies = PolicySet(hd.config)
    assert policies.lookup("high", "networking", None).name == "High"
    assert policies.lookup(None, "network", None).name == "Medium"  # no priority: sla.default_priority
    # changing the priority re-targets the ticket
    hd.at(2026, 11, 23, 9, 30).desk().set_fields(low.id, {"priority": "critical"})
    assert engine.evaluate(hd.store.get(low.id), utc(2026, 11, 23, 9, 40)).policy == "Critical"
    assert engine.evaluate(hd.store.get(low.id), utc(2026, 11, 23, 9, 20)).policy is None  # as it was then


def test_next_update_is_a_rolling_clock_and_remembers_late_cycles(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")  # 24x7, next update 1h
    hd.at(2026, 11, 23, 9, 10).desk().comment(t.id, "Investigating.")
    hd.at(2026, 11, 23, 9, 50).desk(SAM).comment(t.id, "It is getting worse.")  # does not reset
    hd.at(2026, 11, 23, 10, 5).desk().comment(t.id, "Still on it.")  # 55m: on time
    hd.at(2026, 11, 23, 11, 30).desk(AGENT2).comment(t.id, "Vendor called.")  # 1h25m: late
    hd.at(2026, 11, 23, 11, 40).desk().comment(t.id, "Note to self", public=False)  # does not reset
    sla = evaluate(hd, t.id, 2026, 11, 23, 12, 0)
    update = sla.clock("next_update")
    assert update.started_at == utc(2026, 11, 23, 11, 30)
    assert (update.elapsed_seconds, update.state, update.breaches) == (30 * M, "running", 1)
    assert update.level == "breached" and update.met is False
    # nothing is late right now (resolution: 3h of 4h, at risk), but a promise was broken
    assert sla.met is False and sla.worst == "at-risk"
    assert evaluate(hd, t.id, 2026, 11, 23, 12, 15).clock("next_update").state == "at-risk"
    late = evaluate(hd, t.id, 2026, 11, 23, 12, 45).clock("next_update")
    assert (late.state, late.breaches, late.remaining_seconds) == ("breached", 2, -15 * M)


def test_next_update_pauses_while_pending(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")
    hd.at(2026, 11, 23, 9, 10).desk().comment(t.id, "Can you send a screenshot?")
    hd.at(2026, 11, 23, 9, 40).desk().pending(t.id)
    hd.at(2026, 11, 23, 13, 40).desk(SAM).comment(t.id, "Here it is.")
    update = evaluate(hd, t.id, 2026, 11, 23, 14, 0).clock("next_update")
    assert (update.elapsed_seconds, update.paused_seconds, update.state) == (50 * M, 4 * H, "at-risk")
    assert update.due == utc(2026, 11, 23, 14, 10)


def test_resolved_without_a_response_stops_every_clock(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")
    hd.at(2026, 11, 23, 9, 20).desk().resolve(t.id)  # no comment: nobody answered
    sla = evaluate(hd, t.id, 2026, 11, 23, 23, 0)
    assert [(c.name, c.state, c.elapsed_seconds) for c in sla.clocks] == [
        ("first_response", "met", 20 * M), ("resolution", "met", 20 * M)]
    assert sla.met is True


def test_a_rebuilt_ticket_gives_the_same_answer_and_unknown_times_are_empty(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")
    engine = SlaEngine(hd.config)
    ticket = hd.store.get(t.id)
    at = utc(2026, 11, 23, 9, 25)
    assert engine.evaluate(ticket, at).to_dict() == engine.evaluate(Ticket(ticket.to_dict()), at).to_dict()
    assert engine.evaluate(ticket, "2026-11-23T09:25:00Z").to_dict() == engine.evaluate(ticket, at).to_dict()
    before = engine.evaluate(ticket, utc(2026, 11, 23, 8, 0))
    assert (before.policy, before.clocks) == (None, [])
    json.dumps(engine.evaluate(ticket, at).to_dict())  # JSON-ready


def test_clocks_for_show_lines_and_ticket_show(hd):
    hd.at(2026, 11, 23, 16, 0)
    t = hd.new()
    hd.at(2026, 11, 23, 16, 30).desk().pending(t.id, comment="Which printer?")
    clocks = clocks_for(hd.store.get(t.id), hd.config, utc(2026, 11, 24, 10, 0))
    lines = [c["line"] for c in clocks]
    assert lines[0].startswith("First response  met") and "30m of 1h office" in lines[0]
    assert "responded 2026-11-23 16:30" in lines[0] and "30m to spare" in lines[0]
    assert lines[2].startswith("Resolution      paused")
    assert "30m of 1d" in lines[2] and "paused 1h30m" in lines[2] and "7h30m left" in lines[2]
    assert all(c["policy"] == "High" for c in clocks)
    # the real command (the clocks as of now: long after these dates)
    result = invoke("ticket", "show", t.id, "--repo", hd.root)
    assert result.exit_code == 0, result.output
    assert "SLA" in result.output and "First response  met" in result.output and "Resolution" in result.output
    data = json.loads(invoke("ticket", "show", t.id, "--json", "--repo", hd.root).output)
    assert [c["name"] for c in data["sla"]] == ["first_response", "next_update", "resolution"]


def test_format_duration():
    assert [format_duration(s) for s in (0, 59, 60, 45 * M, H, 90 * M, 26 * H, 48 * H, -90 * M)] == [
        "0m", "0m", "1m", "45m", "1h", "1h30m", "1d2h", "2d", "1h30m"]


def test_bad_policies_are_config_errors_naming_the_field():
    bad = CONFIG.replace("category: network,", "category: nowhere,")
    with pytest.raises(ConfigError) as err:
        PolicySet(build_config(__import__("yaml").safe_load(bad)))
    assert err.value.field == "sla.policies[1].category" and "nowhere" in err.value.message


class FilteringStore:
    """A store whose ``all()`` takes Filters (what the check asks for when it can)."""

    def __init__(self, store):
        self.store = store
        self.asked = []

    def all(self, filters=None):
        self.asked.append(filters)
        return (t for t in self.store.all() if filters is None or filters.matches(t.to_dict()))

    all_timelines = all  # whole tickets: more than the clocks need, which is allowed


def test_tickets_to_check_asks_for_open_tickets_and_falls_back(hd):
    from gitdesk.sla.engine import check_tickets, tickets_to_check

    hd.at(2026, 11, 23, 9, 0)
    open_ = hd.new(priority="critical")
    done = hd.new(priority="critical")
    hd.at(2026, 11, 23, 9, 40).desk().resolve(done.id)
    hd.at(2026, 11, 23, 11, 0)
    later = hd.new(priority="critical")
    store = FilteringStore(hd.store)
    now = utc(2026, 11, 23, 12, 0)
    assert {t.id for t in tickets_to_check(store, hd.config, now)} == {open_.id, later.id}
    assert store.asked[-1].status == ["new", "open", "pending"]
    # in the past: everything created by then (the resolved one was still open at 09:30)
    past = utc(2026, 11, 23, 9, 30)
    assert {t.id for t in tickets_to_check(store, hd.config, past, past=True)} == {open_.id, done.id}
    assert store.asked[-1].open_at == "2026-11-23T09:30:00.000000Z"
    # the file store filters in SQL: the same tickets, and the report is the same
    assert {t.id for t in tickets_to_check(hd.store, hd.config, now)} == {open_.id, later.id}
    for at, is_past in ((now, False), (past, True)):
        a = check_tickets(tickets_to_check(store, hd.config, at, past=is_past), hd.config, at)
        b = check_tickets(tickets_to_check(hd.store, hd.config, at, past=is_past), hd.config, at)
        assert a.counts == b.counts and [s.to_dict() for _, s in a.flagged] == [s.to_dict() for _, s in b.flagged]
    assert check_tickets(tickets_to_check(store, hd.config, past, past=True), hd.config, past).counts["at-risk"] == 2
    # at 12:00, seen from later: the one resolved at 09:40 and unchanged since was not open then
    assert {t.id for t in tickets_to_check(store, hd.config, now, past=True)} == {open_.id, later.id}
    assert {t.id for t in tickets_to_check(hd.store, hd.config, now, past=True)} == {open_.id, later.id}


def test_a_policy_without_targets_is_named_but_has_no_clocks(tmp_path):
    config = CONFIG.replace("    - {name: Medium, priority: medium,",
                            "    - {name: \"Low, best effort\", priority: low, calendar: office}\n    - {name: Medium, priority: medium,")
    hd = make_helpdesk(tmp_path, config)
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="low")
    sla = evaluate(hd, t.id, 2026, 12, 23, 9, 0)
    assert (sla.policy, sla.calendar, sla.clocks, sla.met, sla.worst) == ("Low, best effort", "office", [], None, "ok")


def test_timelines_give_every_ticket_the_same_clocks_as_whole_tickets(tmp_path):
    """``sla check`` reads cut-down tickets (summary and timeline); over the sample desk's 160
    tickets, at instants across its year, each evaluates exactly as the whole ticket does."""
    from gitdesk.config import load_config
    from gitdesk.model.ticket import timeline
    from gitdesk.repo import Repo
    from gitdesk.backend import open_store

    root = init_repo(tmp_path / "desk")
    shutil.copytree(PROJECT / "tickets", root / "tickets")
    # and one ticket whose first public agent reply follows a bot, the requester and a note
    hd = Helpdesk(root)
    hd.at(2026, 10, 27, 9, 0)
    t = hd.new(priority="high")
    hd.at(2026, 10, 27, 9, 5).desk("gitdesk[bot]").comment(t.id, "We got your request.")
    hd.at(2026, 10, 27, 9, 10).desk(SAM).comment(t.id, "Any news?")
    hd.at(2026, 10, 27, 9, 20).desk(AGENT).comment(t.id, "Internal: checking the queue.", public=False)
    hd.at(2026, 10, 28, 15, 0).desk(AGENT2).comment(t.id, "Cleared the queue, please try again.")
    config = load_config(root)
    store = open_store(Repo(root), config)
    engine = SlaEngine(config)
    whole = {t.id: t for t in store.all()}
    cut = {t.id: t for t in store.all_timelines()}
    assert len(whole) == len(cut) > 160
    states = set()
    for ticket_id, ticket in whole.items():
        assert cut[ticket_id].data == {**ticket.summary(), **timeline(ticket.data)}
        for at in ("2026-03-02T10:00:00Z", "2026-08-14T16:30:00Z", "2026-10-28T11:00:00Z", "2027-01-04T09:00:00Z"):
            expected = engine.evaluate(ticket, at).to_dict()
            assert engine.evaluate(cut[ticket_id], at).to_dict() == expected, (ticket_id, at)
            states.update(c["state"] for c in expected["clocks"])
    assert {"met", "breached", "running", "paused"} <= states  # the instants exercise every kind of clock
