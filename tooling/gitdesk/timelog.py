"""Time spent on tickets: ``ticket log REF 25m "note"``.

Each entry is its own immutable ``log`` event carrying ``spent`` (minutes), so entries made in
two clones add up after a merge instead of overwriting each other; the reducer sums them into
``time_spent``. The note is an internal comment: requesters never see time entries.
"""

from __future__ import annotations

import re

from gitdesk.errors import UsageError
from gitdesk.model.event import MAX_SPENT
from gitdesk.model.ticket import Ticket

_DURATION = re.compile(r"(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?", re.IGNORECASE)


def parse_minutes(text: str) -> int | None:
    """``25m``, ``1h``, ``1h30m``, ``1.5h`` -> minutes; None when ``text`` is not a duration."""
    value = (text or "").strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?h", value):
        return round(float(value[:-1]) * 60)
    match = _DURATION.fullmatch(value)
    if not value or not match or not any(match.groups()):
        return None
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def checked_minutes(text: str) -> int:
    minutes = parse_minutes(text)
    if minutes is None:
        raise UsageError(f"not a duration: {text!r} (use e.g. 25m, 1h, 1h30m, 1.5h)", field="DURATION")
    if not 1 <= minutes <= MAX_SPENT:
        raise UsageError(f"a time entry is from 1 minute to {MAX_SPENT} minutes, got {minutes}", field="DURATION")
    return minutes


def log_time(desk, ref: str, minutes: int, note: str | None = None) -> Ticket:
    ticket = desk.store.get(ref)
    body = {"body": note.strip(), "public": False} if note and note.strip() else None
    event = desk._event(ticket.id, "log", ticket, comment=body)
    event.spent = minutes
    return desk.record(event)


def format_minutes(total: int | None) -> str:
    """``85`` -> ``1h25m``."""
    if not total:
        return "0m"
    hours, minutes = divmod(int(total), 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"
