"""Escalation rules against a real git repository through the FileStore: what one event records,
and that running twice (or late) escalates once.

Rules in tests.support.sla.CONFIG:
  0: at-risk  first_response -> tag sla-at-risk, notify
  1: breached first_response -> tag sla-breached, notify
  2: breached resolution     -> raise tier, tag sla-breached, notify
  3: breached any clock, priority critical -> team infrastructure
"""

from __future__ import annotations

import pytest
import yaml
from tests.support.sla import BOT, CONFIG, SAM, git, make_helpdesk, utc

from gitdesk.config import build_config
from gitdesk.errors import ConfigError
from gitdesk.model.event import Event, utcnow
from gitdesk.model.ids import new_event_id
from gitdesk.sla.escalation import apply_escalations, load_rules


@pytest.fixture
def hd(tmp_path):
    return make_helpdesk(tmp_path)


def sla_files(hd) -> list:
    """The event files of action ``sla`` on disk."""
    out = []
    for path in sorted((hd.root / "tickets").glob("*/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["action"] == "sla":
            out.append((path, data))
    return out


def test_apply_twice_records_one_event_per_rule(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new()  # high, office: first response 1h -> at risk at 09:45
    git(hd.root, "add", "-A")
    git(hd.root, "commit", "-q", "-m", "ticket")

    fired, events = apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 9, 50), BOT)
    assert [(f.ticket, f.rule.index, f.marker) for f in fired] == [(t.id, 0, "at-risk:first_response:0")]
    files = sla_files(hd)
    assert len(files) == 1
    path, data = files[0]
    assert path.name == f"{t.id}.{events[0].id}.yml"
    assert data["by"] == BOT and data["at"] == "2026-11-23T09:50:00.000000Z"
    assert data["add"] == {"escalations": ["at-risk:first_response:0", "notify:at-risk:first_response:0"],
                           "tags": ["sla-at-risk"]}
    assert "set" not in data
    assert data["reason"] == "SLA first response at-risk (50m of 1h business time): rule 0: tag sla-at-risk, notify"

    # the same check again, and a later one while it is still only at risk: nothing new
    assert apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 9, 50), BOT) == ([], [])
    assert apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 9, 59), BOT) == ([], [])
    assert len(sla_files(hd)) == 1
    # the breach fires its own rule once
    fired, _ = apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 10, 5), BOT)
    assert [f.marker for f in fired] == ["breached:first_response:1"]
    assert apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 10, 30), BOT) == ([], [])
    ticket = hd.store.get(t.id)
    assert ticket.tags == ["sla-at-risk", "sla-breached"]
    assert ticket.escalations == ["at-risk:first_response:0", "breached:first_response:1",
                                  "notify:at-risk:first_response:0", "notify:breached:first_response:1"]
    assert ticket.notified == []  # nothing is sent here: the notifier does that
    assert len(sla_files(hd)) == 2
    # new files only: git sees two untracked files and no modification of the committed one
    status = git(hd.root, "status", "--porcelain", "--", "tickets").splitlines()
    assert len(status) == 2 and all(line.startswith("??") for line in status)


def test_a_late_run_fires_every_level_reached_once(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new()
    # nobody ran the check all day: at 18:00 first response and resolution are both breached
    fired, events = apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 18, 0), BOT)
    assert [f.marker for f in fired] == ["at-risk:first_response:0", "breached:first_response:1",
                                         "breached:resolution:2"]
    assert [e.ticket for e in events] == [t.id] * 3
    ticket = hd.store.get(t.id)
    assert ticket.tier == 2 and ticket.team == "desktop"  # escalation_teams: {2: desktop}
    assert set(ticket.tags) == {"sla-at-risk", "sla-breached"}
    assert "notify:breached:resolution:2" in ticket.escalations
    assert apply_escalations(hd.store, hd.config, utc(2026, 11, 24, 18, 0), BOT) == ([], [])
    assert hd.store.get(t.id).tier == 2  # raised once, not once per run


def test_a_late_first_response_still_counts_as_a_breach(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new()
    hd.at(2026, 11, 23, 10, 30).desk().comment(t.id, "Sorry for the wait.")  # due 10:00
    fired, _ = apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 11, 0), BOT)
    assert [f.marker for f in fired] == ["breached:first_response:1"]  # no warning once answered


def test_rules_by_priority_and_clock_any_and_chained_tier_raises(tmp_path):
    config = CONFIG.replace(
        "    - {when: breached, clock: any, priority: critical, team: infrastructure}\n",
        "    - {when: breached, clock: any, priority: critical, team: infrastructure}\n"
        "    - {when: breached, clock: resolution, priority: critical, raise_tier: true}\n")
    hd = make_helpdesk(tmp_path, config)
    hd.at(2026, 11, 23, 9, 0)
    crit = hd.new(priority="critical")
    high = hd.new(priority="high")
    hd.at(2026, 11, 23, 9, 5).desk().comment(crit.id, "On it.")
    hd.at(2026, 11, 23, 9, 5).desk().comment(high.id, "On it.")
    fired, events = apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 13, 30), BOT)
    got = {(f.ticket, f.marker) for f in fired}
    # critical, 24x7: next update (1h) and resolution (4h) breached; its first response was on time
    assert got == {
        (crit.id, "breached:resolution:2"), (crit.id, "breached:next_update:3"),
        (crit.id, "breached:resolution:3"), (crit.id, "breached:resolution:4"),
    }
    ticket = hd.store.get(crit.id)
    assert ticket.tier == 3  # rule 2 raised 1 -> 2, rule 4 then 2 -> 3 in the same run
    assert ticket.team == "infrastructure"
    # each firing is its own event, in order, never dated before the ticket's last change
    assert len(events) == 4 and all(e.action == "sla" for e in events)
    assert [e.set.get("tier") for e in events if "tier" in e.set] == [2, 3]
    assert hd.store.get(high.id).escalations == []  # high, office hours: nothing due yet
    assert apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 14, 0), BOT) == ([], [])


def test_a_marker_already_present_never_fires_again(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new()
    at = utc(2026, 11, 23, 9, 1)  # e.g. recorded by another clone, or by hand
    hd.store.append(Event(id=new_event_id(at), ticket=t.id, at=at, by=BOT, action="sla",
                          add={"escalations": ["breached:first_response:1"]}))
    fired, _ = apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 11, 0), BOT)
    assert [f.marker for f in fired] == ["at-risk:first_response:0"]


def test_resolved_and_pending_tickets_are_not_escalated(hd):
    hd.at(2026, 11, 23, 9, 0)
    done = hd.new(priority="critical")
    waiting = hd.new(priority="critical")
    hd.at(2026, 11, 23, 9, 10).desk().comment(waiting.id, "Please send the error text.")
    hd.at(2026, 11, 23, 9, 11).desk().pending(waiting.id)
    hd.at(2026, 11, 23, 12, 0).desk().resolve(done.id)  # first response never came: breached, but done
    assert apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 12, 30), BOT) == ([], [])
    # the requester answers: the clocks resume from 11m
    hd.at(2026, 11, 23, 13, 0).desk(SAM).comment(waiting.id, "Error 0x80070005")
    fired, _ = apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 14, 5), BOT)
    assert {f.marker for f in fired} == {"breached:next_update:3"}  # 1h of next update since 13:00


def test_the_cli_ticket_dates_are_never_before_the_last_change(hd):
    hd.at(2026, 11, 23, 9, 0)
    t = hd.new(priority="critical")
    hd.at(2026, 11, 23, 9, 50).desk(SAM).comment(t.id, "Hello?")
    # evaluated as of 09:45 (first response at risk at 09:22:30), recorded after the 09:50 comment
    fired, events = apply_escalations(hd.store, hd.config, utc(2026, 11, 23, 9, 45), BOT)
    assert [f.marker for f in fired] == ["at-risk:first_response:0", "breached:first_response:1",
                                         "breached:first_response:3"]
    assert all(e.at > utc(2026, 11, 23, 9, 50) for e in events)
    assert events[0].at < utcnow()


def test_bad_rules_are_config_errors():
    bad = yaml.safe_load(CONFIG)
    bad["sla"]["escalation"].append({"when": "breached", "add_tag": "a/b"})
    with pytest.raises(ConfigError) as err:
        load_rules(build_config(bad))
    assert err.value.field == "sla.escalation[4].add_tag"
    rules = load_rules(build_config(yaml.safe_load(CONFIG)))
    assert [(r.when, r.clock, r.raise_tier, r.team, r.add_tag, r.notify) for r in rules] == [
        ("at-risk", "first_response", False, None, "sla-at-risk", True),
        ("breached", "first_response", False, None, "sla-breached", True),
        ("breached", "resolution", True, None, "sla-breached", True),
        ("breached", "any", False, "infrastructure", None, False),
    ]
