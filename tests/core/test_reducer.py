"""The reducer: per-field rules, and any order of the same events derives the same ticket."""

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from gitdesk.model.event import Event
from gitdesk.model.ids import event_id_from
from gitdesk.model.reducer import reduce_events

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
TID = "7K2M9Q4XZB"


def ev(n, action="set", minutes=None, by="Ana <ana@x>", **parts):
    at = T0 + timedelta(minutes=n if minutes is None else minutes)
    return Event(id=event_id_from(at, f"{n}-{action}-{parts}"), ticket=TID, at=at, by=by, action=action, **parts)


def test_last_writer_wins_sets_merge_and_comments_append():
    events = [
        ev(0, "new", set={"status": "new", "title": "VPN", "priority": "low"}, add={"tags": ["vpn"]}),
        ev(1, "set", set={"priority": "high"}, add={"tags": ["remote"]}),
        ev(2, "comment", comment={"body": "first", "public": True}),
        ev(3, "set", set={"priority": "medium"}, remove={"tags": ["vpn"]}),
        ev(4, "comment", comment={"body": "note", "public": False}),
        ev(5, "resolve", set={"status": "resolved"}),
    ]
    t = reduce_events(reversed(events))
    assert t["priority"] == "medium"
    assert t["tags"] == ["remote"]
    assert [c["body"] for c in t["comments"]] == ["first", "note"]
    assert [c["public"] for c in t["comments"]] == [True, False]
    assert t["status"] == "resolved" and t["resolved_at"] == "2026-11-02T09:05:00.000000Z"
    assert t["created_at"] == "2026-11-02T09:00:00.000000Z" and t["updated_at"] == "2026-11-02T09:05:00.000000Z"
    assert len(t["history"]) == 6 and t["history"][5]["from"] == "new"


def test_same_timestamp_breaks_ties_by_event_id():
    a = ev(1, "set", minutes=1, set={"assignee": "A"})
    b = ev(2, "set", minutes=1, set={"assignee": "B"})
    winner = max([a, b], key=lambda e: e.id)
    assert reduce_events([a, b])["assignee"] == winner.set["assignee"]
    assert reduce_events([b, a])["assignee"] == winner.set["assignee"]


def test_reopen_and_escalation_counts():
    events = [
        ev(0, "new", set={"status": "new", "title": "x", "tier": 1}),
        ev(1, "escalate", set={"tier": 2}),
        ev(2, "resolve", set={"status": "resolved"}),
        ev(3, "reopen", set={"status": "open"}),
        ev(4, "escalate", set={"tier": 3}),
        ev(5, "close", set={"status": "closed"}),
    ]
    t = reduce_events(events)
    assert t["reopen_count"] == 1 and t["escalation_count"] == 2
    assert t["resolved_at"] == "2026-11-02T09:05:00.000000Z" and t["closed_at"] == "2026-11-02T09:05:00.000000Z"


FIELDS = st.sampled_from(["priority", "status", "assignee", "category"])
VALUES = {"priority": ["critical", "high", "medium", "low"], "status": ["new", "open", "pending", "resolved", "closed"],
          "assignee": ["A", "B", None], "category": ["email", "printing"]}


@st.composite
def event_lists(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    events = [ev(0, "new", set={"status": "new", "title": "t"})]
    for i in range(1, n):
        minutes = draw(st.integers(min_value=0, max_value=30))  # ties on purpose
        kind = draw(st.sampled_from(["set", "tag", "comment"]))
        if kind == "set":
            field = draw(FIELDS)
            events.append(ev(i, "set", minutes=minutes, set={field: draw(st.sampled_from(VALUES[field]))}))
        elif kind == "tag":
            tag = draw(st.sampled_from(["a", "b", "c"]))
            op = draw(st.sampled_from(["add", "remove"]))
            events.append(ev(i, "tag", minutes=minutes, **{op: {"tags": [tag]}}))
        else:
            events.append(ev(i, "comment", minutes=minutes, comment={"body": f"c{i}", "public": True}))
    return events


@settings(max_examples=200, deadline=None)
@given(event_lists(), st.randoms())
def test_any_order_derives_the_same_ticket(events, rnd):
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert reduce_events(shuffled) == reduce_events(events)


@settings(max_examples=100, deadline=None)
@given(event_lists(), st.integers(min_value=0, max_value=24))
def test_merging_two_partial_histories_keeps_every_event(events, cut):
    # two clones each know a subset; after a merge both hold the union and derive the same
    left, right = events[: cut + 1], events[cut:]
    union = {e.id: e for e in left + right}.values()
    merged = reduce_events(list(union))
    assert merged == reduce_events(events)
    assert len(merged["history"]) == len(events)
