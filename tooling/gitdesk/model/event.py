"""Events: the immutable records a ticket is made of.

One event is one YAML file, written once and never rewritten. An event says who (``by``) did
what (``action``) when (``at``, UTC) to which ticket, as three kinds of change that the reducer
knows how to merge: ``set`` (scalar fields, last writer wins), ``add``/``remove`` (set fields
such as tags, element by element) and ``comment`` (append-only). ``reason`` is free text kept in
the history. The JSON Schema ``schemas/event.schema.json`` describes the same shape for editors
and ``gitdesk check``; :func:`parse_event` is the fast hand-written check the store runs on every
file it reads (the test suite holds the two to agreeing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn

from gitdesk.errors import ValidationError
from gitdesk.model.ids import is_event_id, is_ticket_id

FORMAT_VERSION = 1
PRIORITIES = ("critical", "high", "medium", "low")  # most urgent first; the one list of them
PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}  # for sorting: unknown ranks last
LEVELS = ("high", "medium", "low")

# scalar fields and the Python types their values may take (None clears the field)
SCALAR_FIELDS: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "description": (str,),
    "status": (str,),
    "priority": (str,),
    "impact": (str,),
    "urgency": (str,),
    "category": (str,),
    "channel": (str,),
    "requester": (dict,),
    "asset": (str,),
    "assignee": (str,),
    "team": (str,),
    "tier": (int,),
    "satisfaction": (dict,),
    "duplicate_of": (str,),
    "external": (dict,),
    "type": (str,),  # incident, request, problem (helpdesk.yml ticket_types); None = the first type
    "problem": (str,),  # the problem ticket this one is an incident of
    "source_article": (str,),  # the KB article whose "Still stuck?" link opened the ticket
}
# kb: articles linked to the ticket (suggested, related, known error); solved_by: the articles that
# solved it (``ticket resolve --kb``), what the KB figures count as "resolved with"
SET_FIELDS = ("tags", "kb", "related", "duplicates", "escalations", "notified", "message_ids", "attachments", "solved_by")
ACTIONS = (
    "new", "set", "comment", "assign", "escalate", "pending", "resolve", "close", "reopen",
    "rate", "link", "merge", "tag", "sla", "notify", "import", "sync", "reply", "log",
)
REQUESTER_KEYS = ("name", "email", "department", "language")  # language: what they read, e.g. es
SATISFACTION_KEYS = ("rating", "comment")
EXTERNAL_KEYS = ("source", "id", "url", "number")
MAX_TEXT = 200_000
MAX_SPENT = 100_000  # minutes in one time log entry


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def format_time(at: datetime) -> str:
    """``2026-11-23T18:29:40.123456Z``: fixed width, so text order is time order."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# an event dated further ahead of the clock than this is a wrong clock or a hand-made file
FUTURE_SLACK = timedelta(days=1)
TICK = timedelta(microseconds=1)


def after_last(now: datetime, last: datetime | str | None) -> datetime:
    """The time for a new change: ``now``, but never before the ticket's last change (``last``),
    so history stays in order whatever the clock says. A last change dated more than
    :data:`FUTURE_SLACK` ahead of ``now`` does not count: one event dated 2099 must not date
    every later change 2099 (``gitdesk check`` reports it)."""
    if last is None or last == "":
        return now
    last_at = parse_time(last) if isinstance(last, str) else last
    if last_at > now + FUTURE_SLACK:
        return now
    return max(now, last_at + TICK)


# times outside these years are typos or hostile (and would build centuries of calendar tables)
MIN_YEAR, MAX_YEAR = 1900, 2199


def parse_time(value: Any, *, path: str | None = None, field_name: str = "at") -> datetime:
    """An ISO 8601 time (text, or a datetime YAML has read) as an aware UTC datetime; anything
    unreadable or out of range is a :class:`ValidationError` naming ``path`` and the field."""
    if isinstance(value, datetime):
        at = value
    elif not isinstance(value, str):
        raise ValidationError(f"expected a timestamp, got {type(value).__name__}", path=path, field=field_name)
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"not an ISO 8601 timestamp: {value!r}", path=path, field=field_name) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    utc: datetime | None
    try:
        utc = at.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:30+01:00 is in year 0 in UTC
        utc = None
    if utc is None or not MIN_YEAR <= utc.year <= MAX_YEAR:
        shown = value if isinstance(value, str) else value.isoformat()
        raise ValidationError(f"time {shown!r} is outside the years {MIN_YEAR}-{MAX_YEAR}", path=path, field=field_name)
    return utc


@dataclass
class Event:
    id: str
    ticket: str
    at: datetime
    by: str
    action: str
    set: dict[str, Any] = field(default_factory=dict)
    add: dict[str, list[str]] = field(default_factory=dict)
    remove: dict[str, list[str]] = field(default_factory=dict)
    comment: dict[str, Any] | None = None
    reason: str | None = None
    spent: int | None = None  # minutes of work logged by this event

    @property
    def key(self) -> tuple[str, str]:
        """Total order of events: time, then id (the same in every clone)."""
        return (format_time(self.at), self.id)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "gitdesk": FORMAT_VERSION,
            "id": self.id,
            "ticket": self.ticket,
            "at": format_time(self.at),
            "by": self.by,
            "action": self.action,
        }
        if self.set:
            out["set"] = self.set
        if self.add:
            out["add"] = self.add
        if self.remove:
            out["remove"] = self.remove
        if self.comment is not None:
            out["comment"] = self.comment
        if self.reason:
            out["reason"] = self.reason
        if self.spent:
            out["spent"] = self.spent
        return out


def _fail(message: str, path: str | None, field_name: str) -> NoReturn:
    raise ValidationError(message, path=path, field=field_name)


def _check_text(value: Any, path, field_name) -> None:
    if not isinstance(value, str):
        _fail(f"expected text, got {type(value).__name__}", path, field_name)
    if len(value) > MAX_TEXT:
        _fail(f"text longer than {MAX_TEXT} characters", path, field_name)


def _of_kind(value: Any, types: tuple[type, ...]) -> bool:
    """``isinstance`` without narrowing ``value`` for the type checker (the checks below read it as Any)."""
    return not isinstance(value, bool) and isinstance(value, types)


def _check_scalar(name: str, value: Any, path: str | None) -> None:
    where = f"set.{name}"
    if value is None:
        return
    types = SCALAR_FIELDS[name]
    if not _of_kind(value, types):
        _fail(f"expected {types[0].__name__ if types[0] is not dict else 'a mapping'}, got {type(value).__name__}", path, where)
    if isinstance(value, str):
        _check_text(value, path, where)
    if name == "priority" and value not in PRIORITIES:
        _fail(f"unknown priority {value!r} (known: {', '.join(PRIORITIES)})", path, where)
    if name in ("impact", "urgency") and value not in LEVELS:
        _fail(f"unknown {name} {value!r} (known: {', '.join(LEVELS)})", path, where)
    if name == "tier" and not 1 <= value <= 3:
        _fail(f"tier must be 1, 2 or 3, got {value}", path, where)
    if name in ("duplicate_of", "problem") and not is_ticket_id(value):
        _fail(f"not a ticket id: {value!r}", path, where)
    if name == "requester":
        _check_mapping(value, REQUESTER_KEYS, path, where)
    if name == "external":
        _check_mapping(value, EXTERNAL_KEYS, path, where, allow_int=True)
    if name == "satisfaction":
        _check_mapping(value, SATISFACTION_KEYS, path, where, allow_int=True)
        rating = value.get("rating")
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            _fail(f"rating must be a whole number from 1 to 5, got {rating!r}", path, f"{where}.rating")


def _check_mapping(value: dict, keys: tuple[str, ...], path, where, allow_int: bool = False) -> None:
    for key, item in value.items():
        if key not in keys:
            _fail(f"unknown key {key!r} (known: {', '.join(keys)})", path, f"{where}.{key}")
        if item is None:
            continue
        if allow_int and isinstance(item, int) and not isinstance(item, bool):
            continue
        _check_text(item, path, f"{where}.{key}")


_EVENT_KEYS = frozenset({"gitdesk", "id", "ticket", "at", "by", "action", "set", "add", "remove", "comment", "reason", "spent"})


def _check_head(data: Any, path: str | None) -> None:
    """A mapping of known keys, in this format version, for a sound event and ticket id."""
    if not isinstance(data, dict):
        _fail("an event must be a mapping", path, "(top level)")
    for key in data:
        if key not in _EVENT_KEYS:
            _fail(f"unknown key {key!r}", path, str(key))
    version = data.get("gitdesk")
    if version != FORMAT_VERSION:
        _fail(f"unsupported event format {version!r} (expected {FORMAT_VERSION})", path, "gitdesk")
    if not is_event_id(data.get("id")):
        _fail(f"not an event id: {data.get('id')!r}", path, "id")
    if not is_ticket_id(data.get("ticket")):
        _fail(f"not a ticket id: {data.get('ticket')!r}", path, "ticket")


def _check_changes(changes: Any, path: str | None, statuses: tuple[str, ...] | None) -> dict:
    """``set:``: known fields with values of their kind (a status among ``statuses``)."""
    if not isinstance(changes, dict):
        _fail("expected a mapping of field: value", path, "set")
    for name, value in changes.items():
        if name not in SCALAR_FIELDS:
            _fail(f"unknown field {name!r}", path, f"set.{name}")
        _check_scalar(name, value, path)
        if name == "status" and statuses is not None and value is not None and value not in statuses:
            _fail(f"unknown status {value!r} (known: {', '.join(statuses)})", path, "set.status")
    return changes


def _check_set_block(block: Any, op: str, path: str | None) -> dict:
    """``add:`` or ``remove:``: known set fields, each a list of short texts."""
    if not isinstance(block, dict):
        _fail("expected a mapping of field: [values]", path, op)
    for name, values in block.items():
        if name not in SET_FIELDS:
            _fail(f"unknown set field {name!r}", path, f"{op}.{name}")
        if not isinstance(values, list):
            _fail("expected a list", path, f"{op}.{name}")
        for item in values:
            if not isinstance(item, str) or not item or len(item) > 1000:
                _fail(f"expected short non-empty text items, got {item!r}"[:120], path, f"{op}.{name}")
    return block


def _check_comment(comment: Any, path: str | None) -> None:
    if not isinstance(comment, dict):
        _fail("expected a mapping with body", path, "comment")
    for key in comment:
        if key not in ("body", "public", "via", "message_id"):
            _fail(f"unknown key {key!r}", path, f"comment.{key}")
    _check_text(comment.get("body"), path, "comment.body")
    if not isinstance(comment.get("public", True), bool):
        _fail("expected true or false", path, "comment.public")


def parse_event(data: Any, *, path: str | None = None, statuses: tuple[str, ...] | None = None) -> Event:
    """Check a loaded event document and turn it into an :class:`Event`.

    Raises :class:`ValidationError` naming ``path`` and the offending field; ``statuses``, when
    given, is the configured list of status names.
    """
    _check_head(data, path)
    at = parse_time(data.get("at"), path=path)
    by = data.get("by")
    if not isinstance(by, str) or not by.strip():
        _fail("who made the change is missing", path, "by")
    _check_text(by, path, "by")
    action = data.get("action")
    if action not in ACTIONS:
        _fail(f"unknown action {action!r}", path, "action")
    changes = _check_changes(data.get("set") or {}, path, statuses)
    add = _check_set_block(data.get("add") or {}, "add", path)
    remove = _check_set_block(data.get("remove") or {}, "remove", path)
    comment = data.get("comment")
    if comment is not None:
        _check_comment(comment, path)
    reason = data.get("reason")
    if reason is not None:
        _check_text(reason, path, "reason")
    spent = data.get("spent")
    if spent is not None and (isinstance(spent, bool) or not isinstance(spent, int) or not 1 <= spent <= MAX_SPENT):
        _fail(f"minutes spent must be a whole number from 1 to {MAX_SPENT}, got {spent!r}", path, "spent")
    return Event(
        id=data["id"], ticket=data["ticket"], at=at, by=by, action=action,
        set=dict(changes), add=dict(add), remove=dict(remove), comment=comment, reason=reason, spent=spent,
    )
