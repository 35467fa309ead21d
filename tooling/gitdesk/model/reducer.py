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


class _Lifecycle:
    """What the status and tier changes add up to: resolution and closing times, reopens, escalations."""

    __slots__ = ("status", "resolved_at", "closed_at", "reopen_count", "escalation_count", "tier")

    def __init__(self) -> None:
        self.status: str | None = None
        self.resolved_at: str | None = None
        self.closed_at: str | None = None
        self.reopen_count = 0
        self.escalation_count = 0
        self.tier: int | None = None

    def change(self, changes: dict, at: str, entry: dict) -> None:
        """Take one event's ``set:`` at ``at``; a status change notes its old status in ``entry``."""
        if "status" in changes and changes["status"] != self.status:
            new_status = changes["status"]
            entry["from"] = self.status
            if self.status in CLOSED_LIKE and new_status not in CLOSED_LIKE:
                self.reopen_count += 1
                self.resolved_at = self.closed_at = None
            if new_status == "resolved":
                self.resolved_at = at
                self.closed_at = None
            elif new_status == "closed":
                self.closed_at = at
                self.resolved_at = self.resolved_at or at
            self.status = new_status
        if "tier" in changes and changes["tier"] is not None:
            if self.tier is not None and changes["tier"] > self.tier:
                self.escalation_count += 1
            self.tier = changes["tier"]


def _comment(event: Event, at: str) -> dict:
    """The derived ticket's comment from an event's ``comment:``."""
    assert event.comment is not None
    comment = {"id": event.id, "at": at, "by": event.by, "body": event.comment.get("body", ""),
               "public": bool(event.comment.get("public", True))}
    for extra in ("via", "message_id"):
        if event.comment.get(extra):
            comment[extra] = event.comment[extra]
    return comment


def reduce_events(events: Iterable[Event]) -> dict:
    """Fold ``events`` (all of one ticket, any order) into the derived ticket."""
    ordered = sorted(events, key=lambda e: e.key)
    if not ordered:
        raise ValueError("a ticket needs at least one event")
    ticket = empty_ticket(ordered[0].ticket)
    members: dict[str, dict[str, bool]] = {name: {} for name in SET_FIELDS}
    comments: list[dict] = []
    history: list[dict] = []
    life = _Lifecycle()
    time_spent = 0
    for event in ordered:
        at = format_time(event.at)
        entry: dict = {"id": event.id, "at": at, "by": event.by, "action": event.action}
        if event.set:
            entry["set"] = {k: ("(changed)" if k in _LONG_TEXT else v) for k, v in event.set.items()}
            ticket.update(event.set)
            life.change(event.set, at, entry)
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
            comment = _comment(event, at)
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
        resolved_at=life.resolved_at,
        closed_at=life.closed_at,
        reopen_count=life.reopen_count,
        escalation_count=life.escalation_count,
        comment_count=len(comments),
        time_spent=time_spent,
        comments=comments,
        history=history,
    )
    return ticket
