"""Derive the current ticket from its events, the same way in every clone.

Events are folded in their total order (timestamp, then event id), so the result does not depend
on the order files were read, merged or pulled in. Per-field rules:

- scalar fields (status, priority, assignee, ...): the last writer wins;
- set fields (tags, linked articles, related tickets, ...): element by element, the last
  ``add`` or ``remove`` of that element wins;
- comments: appended, in event order.

The derived ticket is a plain JSON-ready dict; it carries a compact history (every event's who,
when, what) that SLA clocks and metrics read without touching files again.
"""

from __future__ import annotations

from collections.abc import Iterable

from gitdesk.model.event import SCALAR_FIELDS, SET_FIELDS, Event, format_time

CLOSED_LIKE = ("resolved", "closed")
_LONG_TEXT = ("description",)


def empty_ticket(ticket_id: str) -> dict:
    ticket: dict = {"id": ticket_id}
    for name in SCALAR_FIELDS:
        ticket[name] = None
    for name in SET_FIELDS:
        ticket[name] = []
    return ticket


def reduce_events(events: Iterable[Event]) -> dict:
    """Fold ``events`` (all of one ticket, any order) into the derived ticket."""
    ordered = sorted(events, key=lambda e: e.key)
    if not ordered:
        raise ValueError("a ticket needs at least one event")
    ticket = empty_ticket(ordered[0].ticket)
    members: dict[str, dict[str, bool]] = {name: {} for name in SET_FIELDS}
    comments: list[dict] = []
    history: list[dict] = []
    status = None
    resolved_at = closed_at = None
    reopen_count = 0
    escalation_count = 0
    tier = None
    time_spent = 0
    for event in ordered:
        at = format_time(event.at)
        entry: dict = {"id": event.id, "at": at, "by": event.by, "action": event.action}
        if event.set:
            entry["set"] = {k: ("(changed)" if k in _LONG_TEXT else v) for k, v in event.set.items()}
            for name, value in event.set.items():
                ticket[name] = value
            if "status" in event.set and event.set["status"] != status:
                new_status = event.set["status"]
                entry["from"] = status
                if status in CLOSED_LIKE and new_status not in CLOSED_LIKE:
                    reopen_count += 1
                    resolved_at = closed_at = None
                if new_status == "resolved":
                    resolved_at = at
                    closed_at = None
                elif new_status == "closed":
                    closed_at = at
                    resolved_at = resolved_at or at
                status = new_status
            if "tier" in event.set and event.set["tier"] is not None:
                if tier is not None and event.set["tier"] > tier:
                    escalation_count += 1
                tier = event.set["tier"]
        for name, items in event.add.items():
            for item in items:
                members[name][item] = True
        for name, items in event.remove.items():
            for item in items:
                members[name][item] = False
        if event.add:
            entry["add"] = event.add
        if event.remove:
            entry["remove"] = event.remove
        if event.comment is not None:
            comment = {"id": event.id, "at": at, "by": event.by, "body": event.comment.get("body", ""),
                       "public": bool(event.comment.get("public", True))}
            for extra in ("via", "message_id"):
                if event.comment.get(extra):
                    comment[extra] = event.comment[extra]
            comments.append(comment)
            entry["comment"] = "public" if comment["public"] else "internal"
        if event.reason:
            entry["reason"] = event.reason
        if event.spent:
            entry["spent"] = event.spent
            time_spent += event.spent
        history.append(entry)
    for name in SET_FIELDS:
        ticket[name] = sorted(item for item, present in members[name].items() if present)
    first, last = ordered[0], ordered[-1]
    ticket.update(
        created_at=format_time(first.at),
        created_by=first.by,
        updated_at=format_time(last.at),
        updated_by=last.by,
        resolved_at=resolved_at,
        closed_at=closed_at,
        reopen_count=reopen_count,
        escalation_count=escalation_count,
        comment_count=len(comments),
        time_spent=time_spent,
        comments=comments,
        history=history,
    )
    return ticket
