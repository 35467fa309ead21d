"""The next SLA deadline of each open ticket: what ``ticket list`` sorts and colours by.

One evaluation per open ticket (closed ones have no running clock and are skipped unread); the
earliest due time among its running clocks, with that clock's level. A ticket whose running
clocks are all paused (pending on the requester) has no due time: it sorts after the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gitdesk.sla.engine import SlaEngine


@dataclass(frozen=True)
class NextDue:
    due: datetime | None  # None: every running clock is paused
    level: str  # ok, at-risk, breached, or paused
    remaining_seconds: float | None
    day_seconds: int
    clock: str


def next_due(tickets: Iterable[Any], config: Any, now: datetime | None = None) -> dict[str, NextDue]:
    """``{ticket id: NextDue}`` for the open tickets of ``tickets`` (tickets with history and
    comments, as :meth:`TicketStore.all_timelines` gives them) that have a running clock."""
    engine = SlaEngine(config)
    out: dict[str, NextDue] = {}
    for ticket in tickets:
        if ticket.data.get("status") not in engine.open:
            continue
        sla = engine.evaluate(ticket, now)
        running = [c for c in sla.clocks if c.stopped_at is None]
        if not running:
            continue
        timed = [c for c in running if c.state != "paused" and c.due is not None]
        if timed:
            first = min(timed, key=lambda c: (c.due, c.name))
            out[sla.id] = NextDue(first.due, first.level, first.remaining_seconds, sla.day_seconds, first.name)
        else:
            out[sla.id] = NextDue(None, "paused", None, sla.day_seconds, running[0].name)
    return out
