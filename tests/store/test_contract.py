"""The store contract: what every caller may rely on, whichever store holds the tickets.

Each test runs against the files store, the GitHub store (over the fake GitHub) and the dry run
(see conftest.py); where stores may differ, the contract says how (a path or None, a list of ids
or None) and the test checks exactly that.
"""

from __future__ import annotations

import json

import pytest

from gitdesk.errors import NotFoundError
from gitdesk.model.event import Event
from gitdesk.model.ids import new_event_id
from gitdesk.store.base import Filters, Revisions, TicketStore, Written

REQUESTER = {"name": "Sam Rivera", "email": "sam.rivera@northwind.example"}


def _new(desk, title: str, **fields):
    return desk.new(title=title, requester=REQUESTER, **fields)


def _comment(ticket_id: str, at, body: str, *, public: bool = True) -> Event:
    return Event(id=new_event_id(at), ticket=ticket_id, at=at, by="Ana Lima <ana.lima@northwind.example>",
                 action="comment", comment={"body": body, "public": public})


def test_every_store_is_a_ticket_store(store):
    assert isinstance(store, TicketStore)


def test_append_returns_the_ticket_and_the_file_it_wrote(store_setup, desk):
    ticket = _new(desk, "Printer on floor 3 jams")
    event = _comment(ticket.id, desk.clock(), "Cleared the tray.")
    written = store_setup.store.append(event)
    assert isinstance(written, Written)
    assert written.ticket.id == ticket.id and written.ticket.comments[-1]["body"] == "Cleared the tray."
    assert written.path == store_setup.store.path_of(event)
    if store_setup.kind == "files":
        assert written.path is not None and written.path.is_file()
        assert written.path.parent.parent == store_setup.store.tickets_dir
    else:  # a public comment lives on GitHub; a dry run writes nothing
        assert written.path is None
    if store_setup.kind == "dryrun":
        assert not store_setup.store.tickets_dir.exists()


def test_an_internal_note_is_a_file_where_path_of_says_except_in_a_dry_run(store_setup, desk):
    ticket = _new(desk, "VPN drops every hour")
    event = _comment(ticket.id, desk.clock(), "Checked the concentrator logs.", public=False)
    written = store_setup.store.append(event)
    if store_setup.kind == "dryrun":
        assert written.path is None and store_setup.store.path_of(event) is None
    else:  # the GitHub store keeps internal notes out of GitHub, as event files
        assert written.path == store_setup.store.path_of(event) and written.path.is_file()
        assert store_setup.store.tickets_dir in written.path.parents


def test_desk_collects_the_files_to_commit(store_setup, desk):
    ticket = _new(desk, "New laptop for Jordan")
    desk.comment(ticket.id, "Ordered.", public=False)
    expected = {"files": 2, "github": 1, "dryrun": 0}[store_setup.kind]
    assert len(desk.written) == expected and all(p.is_file() for p in desk.written)


def test_get_resolve_and_exists_by_id_and_prefix(store, desk):
    ticket = _new(desk, "Outlook asks for the password again")
    assert store.resolve(ticket.id) == ticket.id
    assert store.get(ticket.id[:8]).id == ticket.id
    assert store.get(ticket.id).title == "Outlook asks for the password again"
    assert store.exists(ticket.id) and not store.exists("ZZZZZZZZZZ")
    with pytest.raises(NotFoundError):
        store.get("ZZZZZZZZZZ")


def test_events_are_in_their_total_order_and_has_event_knows_them(store, desk):
    ticket = _new(desk, "Badge does not open door 2")
    first = _comment(ticket.id, desk.clock(), "Reset the badge.")
    later = _comment(ticket.id, desk.clock(), "Works again.")
    store.append(first)
    store.append(later)
    events = store.events(ticket.id)
    assert [e.action for e in events] == ["new", "comment", "comment"]
    assert [e.key for e in events] == sorted(e.key for e in events)
    assert store.has_event(first) and store.has_event(later)
    assert not store.has_event(_comment(ticket.id, desk.clock(), "never recorded"))


def test_list_filters_sorts_and_limits(store, desk):
    low = _new(desk, "Monitor flickers", priority="low")
    high = _new(desk, "Payroll system down", priority="critical")
    medium = _new(desk, "Shared drive slow", priority="medium")
    ids = {low.id, high.id, medium.id}
    assert [t.id for t in store.list(sort="priority") if t.id in ids] == [high.id, medium.id, low.id]
    # GitHub dates issues to the second: ties go by id, the same way in both directions
    forward = [t.id for t in store.list(sort="created")]
    assert [t.id for t in store.list(sort="created", reverse=True)] == forward[::-1]
    assert sorted(t.id for t in store.list(Filters(priority=["critical", "low"]), sort="id")) == sorted([low.id, high.id])
    assert [t.id for t in store.list(Filters(text="PAYROLL"))] == [high.id]
    assert len(store.list(limit=2)) == 2
    summaries = json.loads(store.list_json(Filters(priority=["medium"])))
    assert [s["id"] for s in summaries] == [medium.id] and "history" not in summaries[0]


def test_all_and_all_timelines_hand_over_every_matching_ticket_with_its_history(store, desk):
    first = _new(desk, "Wi-Fi guest network", priority="high")
    second = _new(desk, "Teams camera black", priority="low")
    desk.comment(second.id, "Which laptop model?")
    whole = {t.id: t for t in store.all()}
    assert {first.id, second.id} <= set(whole)
    actions = [h["action"] for h in whole[second.id].history]  # GitHub may add "sync" for its own changes
    assert actions[:2] == ["new", "comment"] and whole[second.id].comments[0]["body"] == "Which laptop model?"
    assert [t.id for t in store.all(Filters(priority=["low"]))] == [second.id]
    timelines = {t.id: t for t in store.all_timelines()}
    assert timelines[second.id].comments and timelines[second.id].status == whole[second.id].status


def test_append_many_returns_the_files_written(store_setup, desk):
    ticket = _new(desk, "Scanner emails nothing")
    events = [_comment(ticket.id, desk.clock(), f"Step {n}") for n in (1, 2)]
    paths = store_setup.store.append_many(events)
    assert paths == ([store_setup.store.path_of(e) for e in events] if store_setup.kind == "files" else [])
    assert [c["body"] for c in store_setup.store.get(ticket.id).comments] == ["Step 1", "Step 2"]


def test_known_ids_is_every_id_sorted_or_none(store, desk):
    made = [_new(desk, f"Ticket {n}").id for n in range(3)]
    store.list()  # known_ids answers as of the last read
    known = store.known_ids()
    assert known is None or (set(made) <= set(known) and known == sorted(known))


def test_revisions_change_with_the_ticket_only_or_are_none(store, desk):
    kept = _new(desk, "Kept as it is")
    changed = _new(desk, "Changed later")
    before = store.revisions()
    if before is None:
        return  # metrics computes every ticket afresh for this store
    assert isinstance(before, Revisions) and {kept.id, changed.id} <= set(before.versions)
    desk.comment(changed.id, "More detail")
    after = store.revisions()
    assert after.source == before.source
    assert after.versions[kept.id] == before.versions[kept.id]
    assert after.versions[changed.id] != before.versions[changed.id]


def test_whole_tickets_are_what_get_returns(store, desk):
    made = [_new(desk, f"Whole {n}") for n in range(2)]
    desk.comment(made[0].id, "First reply")
    whole = dict(store.whole_tickets([t.id for t in made]))
    assert whole == {t.id: store.get(t.id).to_dict() for t in made}
