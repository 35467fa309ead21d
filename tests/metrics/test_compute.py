"""Every figure of ``compute`` against values worked out by hand from tests/support/metrics.py.

The scenario (office calendar Mon-Fri 09:00-17:00 UTC; "now" is Friday 2026-11-20 12:00; the
range is 2026-11-01 to 2026-11-20 included):

====  ========  =======  =====================  =====================================================
id    priority  channel  category               story
====  ========  =======  =====================  =====================================================
A     critical  phone    network/vpn            Mon 11-02 09:00; Alice replies 09:20; resolved 11:00;
                                                rated 4. Asset LT-1. Assigned to Alice.
B     high      email    accounts/password      Mon 10:00 (how-to, Finance); Alice replies 12:00; KB
                                                link; resolved 13:00 with a 2nd reply. LT-1. Alice.
C     medium    web      printing               Fri 11-06 16:00; Bob replies Mon 11-09 10:00; pending
                                                10:30 (reply) to Tue 09:30; resolved 11:00; reopened
                                                12:00; KB link; resolved 14:00 (reply); rated 2.
                                                PR-9. Bob. Sales.
D     high      chat     hardware/performance   Tue 11-03 09:00; escalated to tier 2 / Carol; only an
                                                internal note. Open. LT-1.
E     low       email    email                  Thu 11-19 15:00 (how-to, Finance); Bob replies 15:30;
                                                pending since 16:00. Open, unassigned.
F     medium    email    email                  Tue 11-10 08:00, merged into C (duplicate). PR-9.
G     (none)    walk-in  (none)                 Wed 11-11 10:00, assigned to a contractor who is not
                                                a listed agent. Open.
H     medium    phone    security               10-20: before the range.
I     low       web      security               11-21 00:00: at the end of the range (excluded).
====  ========  =======  =====================  =====================================================
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from gitdesk.metrics.compute import AgentDirectory, _covered, compute, quantile, summary_hours
from gitdesk.model.ticket import Ticket
from tests.support.metrics import NOW, PERSONAL, SINCE, UNTIL

KB = ["accounts/password", "network", "printing"]


@pytest.fixture(scope="module")
def figures(scenario):
    return compute(scenario.store.all(), scenario.config, since=SINCE, until=UNTIL, now=NOW, kb_categories=KB)


def test_counts_in_range(figures):
    # A-G are created in range; H is before it, I exactly at its (excluded) end
    assert figures["tickets"] == 7
    assert figures["duplicates"] == 1  # F
    assert figures["open"] == 3  # D, E, G
    assert figures["resolved"] == 3  # A, B, C (F is merged, not resolved work)
    assert figures["range"] == {"since": "2026-11-01T00:00:00.000000Z", "until": "2026-11-21T00:00:00.000000Z",
                                "now": "2026-11-20T12:00:00.000000Z", "timezone": "UTC"}


def test_volume_breakdowns(figures):
    # channels in configuration order, zeros included
    assert figures["by_channel"] == {"phone": 1, "email": 3, "chat": 1, "web": 1, "social": 0, "walk-in": 1}
    # categories by count, then name; "(none)" for G
    assert figures["by_category"] == {"email": 2, "(none)": 1, "accounts/password": 1, "hardware/performance": 1,
                                      "network/vpn": 1, "printing": 1}
    assert list(figures["by_category"]) == ["email", "(none)", "accounts/password", "hardware/performance",
                                            "network/vpn", "printing"]
    assert figures["by_priority"] == {"critical": 1, "high": 2, "medium": 2, "low": 1, "(none)": 1}
    # D went to tier 2; everything else stayed at 1
    assert figures["by_tier"] == {"1": 6, "2": 1, "3": 0}
    # W45 = 11-02..11-08: A, B, C, D; W46: F, G; W47: E
    assert figures["by_week"] == {"2026-W45": 4, "2026-W46": 2, "2026-W47": 1}


def test_first_response_hours(figures):
    # A 20 min, B 2 h, C Fri 16:00 -> Mon 10:00 = 66 h, E 30 min (D has only an internal note, G nothing)
    # sorted seconds [1200, 1800, 7200, 237600]; median at 1.5: 1800 + 0.5 * 5400 = 4500 s = 1.25 h;
    # p90 at 2.7: 7200 + 0.7 * 230400 = 168480 s = 46.8 h
    assert figures["first_response_hours"] == {"median": 1.25, "p90": 46.8, "count": 4}


def test_first_response_business_hours(figures):
    # A 24x7: 20 min; B office 10:00-12:00: 2 h; C Fri 16-17 + Mon 09-10: 2 h; E 15:00-15:30: 30 min
    # sorted [1200, 1800, 7200, 7200]: median 4500 s = 1.25 h; p90 at 2.7 = 7200 s = 2 h
    assert figures["first_response_business_hours"] == {"median": 1.25, "p90": 2.0, "count": 4}


def test_resolution_hours(figures):
    # A 2 h, B 3 h, C Fri 16:00 -> Tue 14:00 = 94 h: median 3 h; p90 at 1.8: 10800 + 0.8 * 327600 = 272880 s
    assert figures["resolution_hours"] == {"median": 3.0, "p90": 75.8, "count": 3}
    assert figures["resolution_time_buckets"] == {"<1h": 0, "1-4h": 2, "4-8h": 0, "8-24h": 0, "1-3d": 0,
                                                  "3-7d": 1, ">7d": 0}


def test_resolution_business_hours(figures):
    # C: Fri 16-17 (1 h) + Mon 09:00-10:30 (1.5 h; pending from 10:30) + Tue 09:30-11:00 (1.5 h; pending
    # until 09:30) + Tue 12:00-14:00 (2 h; the resolved hour 11-12 does not count) = 6 h
    # sorted [7200, 10800, 21600]: median 3 h; p90 at 1.8: 10800 + 0.8 * 10800 = 19440 s = 5.4 h
    assert figures["resolution_business_hours"] == {"median": 3.0, "p90": 5.4, "count": 3}


def test_sla_compliance(figures):
    # A met (20 min <= 30 min, 2 h <= 4 h); B breached its 1 h first response; C met (2 h <= 4 h,
    # 6 h <= 3 d); D's first response is running far past 1 h (breached); E is undecided (paused);
    # G has no priority: its clocks run on sla.default_priority (medium) and its first response is
    # 9 days late (issue 11: no ticket without a clock); F is a duplicate
    assert figures["sla_compliance"] == {
        "rate": 0.4, "met": 2, "decided": 5,
        "by_priority": {"critical": {"rate": 1.0, "met": 1, "decided": 1}, "high": {"rate": 0.0, "met": 0, "decided": 2},
                        "medium": {"rate": 1.0, "met": 1, "decided": 1}, "low": {"rate": None, "met": 0, "decided": 0},
                        "(none)": {"rate": 0.0, "met": 0, "decided": 1}},
    }


def test_rates(figures):
    # resolved A, B, C: only A has one reply, no escalation, no reopen
    assert figures["first_contact_resolution_rate"] == round(1 / 3, 4)
    # resolved at least once: A, B, C; reopened: C
    assert figures["reopen_rate"] == round(1 / 3, 4)
    # six tickets of work (F aside), D escalated
    assert figures["escalation_rate"] == round(1 / 6, 4)
    # resolved with a linked KB article: B, C
    assert figures["kb_linked_share"] == round(2 / 3, 4)


def test_backlog_by_age(figures):
    # D 17 d 3 h, G 9 d 2 h -> 7-30d; E 21 h -> <1d
    assert figures["backlog_by_age"] == {"<1d": 1, "1-3d": 0, "3-7d": 0, "7-30d": 2, ">30d": 0}


def test_csat(figures):
    # ratings 4 (A) and 2 (C) over three tickets resolved at least once
    assert figures["csat"] == {"average": 3.0, "responses": 2, "response_rate": round(2 / 3, 4),
                               "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}}


def test_load_per_agent(figures):
    # open and resolved per current assignee, by configured names only
    assert figures["load_per_agent"] == {
        "Alice Agent": {"open": 0, "resolved": 2},  # A, B
        "Bob Builder": {"open": 0, "resolved": 1},  # C
        "Carol Desktop": {"open": 1, "resolved": 0},  # D after the escalation
        "(unassigned)": {"open": 1, "resolved": 0},  # E
        "(not a listed agent)": {"open": 1, "resolved": 0},  # G's contractor, never named
    }


def test_top_assets(figures):
    # LT-1: A, B, D (D open); PR-9: C (F is a duplicate)
    assert figures["top_assets"] == [{"asset": "LT-1", "incidents": 3, "open": 1, "repeat": True},
                                     {"asset": "PR-9", "incidents": 1, "open": 0, "repeat": False}]


def test_training_needs(figures):
    # how-to: B (tag, and resolved with KB), E (tag) -> Finance 2; C (resolved with KB) -> Sales 1, below 2
    assert figures["training_needs"] == [{"department": "Finance", "how_to_tickets": 2,
                                          "categories": {"accounts/password": 1, "email": 1}}]


def test_knowledge_gaps(figures):
    # articles: accounts/password, network (covers network/vpn), printing; F (email) is a duplicate
    assert figures["knowledge_gaps"] == [{"category": "email", "tickets": 1},
                                         {"category": "hardware/performance", "tickets": 1}]


def test_no_personal_data(figures):
    text = json.dumps(figures, ensure_ascii=False)
    for item in PERSONAL:
        assert item.lower() not in text.lower(), item
    assert "@" not in text


def test_contract_keys(figures):
    for key in ("tickets", "open", "resolved", "by_channel", "by_category", "by_priority", "by_tier", "by_week",
                "first_response_hours", "resolution_hours", "first_response_business_hours", "sla_compliance",
                "first_contact_resolution_rate", "reopen_rate", "escalation_rate", "backlog_by_age", "csat",
                "load_per_agent", "top_assets", "training_needs", "kb_linked_share", "knowledge_gaps"):
        assert key in figures, key
    for key in ("first_response_hours", "resolution_hours"):
        assert {"median", "p90"} <= set(figures[key])
    assert {"average", "responses", "response_rate"} <= set(figures["csat"])


def test_whole_history_without_range(scenario):
    out = compute(scenario.store.all(), scenario.config, now=NOW, kb_categories=KB)
    # H and I join: nine tickets, H closed (resolved work), I open
    assert out["tickets"] == 9
    assert out["resolved"] == 4 and out["open"] == 4
    # I was created after "now": its age counts as zero
    assert out["backlog_by_age"]["<1d"] == 2
    assert out["by_category"]["security"] == 2
    assert {"category": "security", "tickets": 2} in out["knowledge_gaps"]
    # weeks from H's (W43) to I's (W47), the empty W44 included
    assert out["by_week"] == {"2026-W43": 1, "2026-W44": 0, "2026-W45": 4, "2026-W46": 2, "2026-W47": 2}


def test_range_bounds_accept_text_and_are_half_open(scenario):
    out = compute(scenario.store.all(), scenario.config, since="2026-11-02T09:00:00Z", until="2026-11-02T10:00:00Z", now=NOW)
    assert out["tickets"] == 1  # A at 09:00 is in, B at 10:00 is out


# -- edge cases ------------------------------------------------------------------------------------

def test_empty_range(scenario):
    out = compute(scenario.store.all(), scenario.config, since=datetime(2030, 1, 1, tzinfo=timezone.utc), now=NOW)
    assert out["tickets"] == out["open"] == out["resolved"] == out["duplicates"] == 0
    assert out["by_week"] == {} and out["by_category"] == {}
    assert out["by_channel"] == {c: 0 for c in scenario.config.channels}
    for key in ("first_response_hours", "resolution_hours", "first_response_business_hours", "resolution_business_hours"):
        assert out[key] == {"median": None, "p90": None, "count": 0}
    for key in ("first_contact_resolution_rate", "reopen_rate", "escalation_rate", "kb_linked_share"):
        assert out[key] is None
    assert out["sla_compliance"]["rate"] is None and out["sla_compliance"]["decided"] == 0
    assert out["csat"] == {"average": None, "responses": 0, "response_rate": None,
                           "distribution": {str(n): 0 for n in range(1, 6)}}
    assert out["top_assets"] == [] and out["training_needs"] == [] and out["knowledge_gaps"] == []
    assert out["backlog_by_age"] == {"<1d": 0, "1-3d": 0, "3-7d": 0, "7-30d": 0, ">30d": 0}
    json.dumps(out)  # plain data


def test_no_resolved_tickets(scenario):
    # 11-19 onwards: E (open) only
    out = compute(scenario.store.all(), scenario.config, since="2026-11-19T00:00:00Z", until=UNTIL, now=NOW)
    assert out["tickets"] == 1 and out["resolved"] == 0 and out["open"] == 1
    assert out["resolution_hours"]["median"] is None and out["resolution_business_hours"]["count"] == 0
    assert out["first_contact_resolution_rate"] is None and out["kb_linked_share"] is None
    assert out["reopen_rate"] is None and out["csat"]["response_rate"] is None
    assert out["first_response_hours"] == {"median": 0.5, "p90": 0.5, "count": 1}
    # E's SLA is undecided (paused): nothing to report
    assert out["sla_compliance"]["decided"] == 0 and out["sla_compliance"]["rate"] is None
    # one how-to ticket is below the threshold of two
    assert out["training_needs"] == []


def test_ages_move_with_now(scenario):
    later = compute(scenario.store.all(), scenario.config, since=SINCE, until=UNTIL, now=NOW + timedelta(days=30))
    # D 47 d, G 39 d, E 31 d: all past 30 days
    assert later["backlog_by_age"] == {"<1d": 0, "1-3d": 0, "3-7d": 0, "7-30d": 0, ">30d": 3}


def test_quantile_method_and_ties():
    assert quantile([], 0.5) is None
    assert quantile([7.0], 0.9) == 7.0
    assert quantile([1.0, 2.0], 0.5) == 1.5
    # ties: the median of [2, 2, 2, 9] sits between two equal values
    assert quantile([2.0, 2.0, 2.0, 9.0], 0.5) == 2.0
    # p90 of 1..10 at position 8.1: 9 + 0.1 * (10 - 9)
    assert quantile([float(i) for i in range(1, 11)], 0.9) == pytest.approx(9.1)
    assert summary_hours([3600.0, 3600.0, 3600.0]) == {"median": 1.0, "p90": 1.0, "count": 3}
    # input order does not matter
    assert summary_hours([7200.0, 0.0, 3600.0]) == {"median": 1.0, "p90": 1.8, "count": 3}


def test_ties_are_ordered_by_name(scenario):
    """Equal counts sort by name: categories, assets and departments never depend on input order."""
    from gitdesk.model.reducer import reduce_events
    from gitdesk.model.event import Event

    def ticket(tid: str, minute: int, **fields) -> Ticket:
        at = datetime(2026, 11, 2, 9, minute, tzinfo=timezone.utc)
        sets = {"status": "resolved", "title": "x", "requester": {"department": fields.pop("dept")}, **fields}
        return Ticket(reduce_events([Event(id=f"20261102T09{minute:02d}00000000Z-0000{tid}", ticket=f"{tid}000000000",
                                    at=at, by="someone", action="new", set=sets, add={"kb": ["a.md"]})]))

    rows = [ticket("B", 1, category="printing", asset="Z-2", dept="Sales"),
            ticket("C", 2, category="email", asset="A-1", dept="Legal"),
            ticket("D", 3, category="printing", asset="A-1", dept="Sales"),
            ticket("E", 4, category="email", asset="Z-2", dept="Legal")]
    out1 = compute(rows, scenario.config, now=NOW)
    out2 = compute(list(reversed(rows)), scenario.config, now=NOW)
    assert out1 == out2
    assert list(out1["by_category"]) == ["email", "printing"]
    assert [a["asset"] for a in out1["top_assets"]] == ["A-1", "Z-2"]
    assert [t["department"] for t in out1["training_needs"]] == ["Legal", "Sales"]
    assert [g["category"] for g in out1["knowledge_gaps"]] == ["email", "printing"]


def test_knowledge_coverage_rule():
    assert _covered("network/vpn", {"network"})  # a parent's article covers it
    assert _covered("network", {"network/vpn"})  # so does a child's
    assert _covered("email", {"email"})
    assert not _covered("network", {"networking"})  # not a prefix match on words
    assert not _covered("email", set())


def test_agents_are_named_only_as_configured(scenario):
    agents = AgentDirectory(scenario.config)
    assert agents.names == ["Alice Agent", "Bob Builder", "Carol Desktop"]
    assert agents.label("Alice Agent <alice@desk.example>") == "Alice Agent"
    assert agents.label("ALICE@desk.example") == "Alice Agent"  # by email, any case
    assert agents.label("bob builder") == "Bob Builder"  # by name
    assert agents.label("Mallory <alice@evil.example>") == "(not a listed agent)"
    assert agents.label(None) == "(unassigned)"


def test_labels_that_could_name_a_person_are_left_out(scenario):
    """Asset ids and departments are free text: ones holding an address or the requester's own
    name or email are not counted under that label."""
    from gitdesk.model.event import Event
    from gitdesk.model.reducer import reduce_events

    requester = {"name": "Jane Roe", "email": "jane.roe@private.example"}
    cases = [  # (asset, department)
        ("Jane Roe's laptop", "Jane Roe <jane.roe@private.example>"),
        ("LT-7 (jane.roe@private.example)", "jane.roe@private.example"),
        ("JANE  ROE dock", "Office of Jane Roe"),
        ("LT-7", "Finance"),
        ("LT-7", "Finance"),
        ("Roe", "Jane"),  # one word of a name is not the name
    ]
    rows = []
    for n, (asset, dept) in enumerate(cases):
        at = datetime(2026, 11, 2, 9, n, tzinfo=timezone.utc)
        rows.append(Ticket(reduce_events([Event(
            id=f"20261102T090{n}00000000Z-00000{n}", ticket=f"K{n}00000000", at=at, by="x", action="new",
            set={"status": "open", "title": "t", "asset": asset, "requester": {**requester, "department": dept}},
            add={"tags": ["how-to"]})])))
    out = compute(rows, scenario.config, now=NOW)
    assert out["top_assets"] == [{"asset": "LT-7", "incidents": 2, "open": 2, "repeat": True},
                                 {"asset": "Roe", "incidents": 1, "open": 1, "repeat": False}]
    assert out["training_needs"] == [{"department": "Finance", "how_to_tickets": 2, "categories": {"(none)": 2}}]
    text = json.dumps(out).lower()
    assert "jane roe" not in text and "private.example" not in text


def test_a_review_tasks_articles_do_not_count_as_resolving_it():
    """`kb review --open-tickets` links the articles to review; resolving that task is not a ticket
    answered with the KB (issue 16), in the dashboard's share and in the agents' report."""
    from gitdesk.kb.review import MARKER_TAG
    from gitdesk.metrics.agents import _is_how_to
    from gitdesk.metrics.compute import kb_linked

    answered = {"kb": ["network/vpn-wont-connect.md"], "tags": [], "status": "resolved"}
    review = {"kb": ["network/vpn-wont-connect.md"], "tags": [MARKER_TAG, f"{MARKER_TAG}-owner-infrastructure"],
              "status": "resolved"}
    assert kb_linked(answered) and not kb_linked(review)
    assert _is_how_to(answered, ("new", "open")) and not _is_how_to(review, ("new", "open"))
