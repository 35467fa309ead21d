"""Major incidents: "E-mail is down", told to everyone at once until it is over.

Stored like tickets: each change is one immutable YAML file, ``incidents/<ID>/<event id>.yml``,
written once and never rewritten, so two clones that both update an incident merge without
conflict. The state is derived by folding the events in their total order (time, then event
id): ``set`` fields (title, affects, severity, status) last writer wins, linked tickets element
by element, and every message kept on the timeline. Requesters of linked tickets hear about each
step through a public comment on their ticket, which the notifier mails as usual (in their
language, exactly once).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from gitdesk.errors import NotFoundError, UsageError, ValidationError
from gitdesk.model.event import FORMAT_VERSION, MAX_TEXT, PRIORITIES, format_time, parse_time, utcnow
from gitdesk.model.ids import is_event_id, is_ticket_id, new_event_id, new_ticket_id, normalize_ref

DIR = "incidents"
PREFIX = "MI"
SEVERITIES = PRIORITIES  # an incident is as severe as a ticket is urgent: the same four words
ACTIONS = ("declare", "update", "resolve", "link")
FIELDS = ("title", "affects", "severity", "status")
STATUSES = ("active", "resolved")


def _fail(message: str, path: str | None, field: str) -> None:
    raise ValidationError(message, path=path, field=field)


def parse_incident_event(data: Any, *, path: str | None = None) -> dict:
    """Check one loaded incident event; a one-line error naming ``path`` and the field."""
    if not isinstance(data, dict):
        _fail("an incident event must be a mapping", path, "(top level)")
    for key in data:
        if key not in ("gitdesk", "id", "incident", "at", "by", "action", "set", "message", "add"):
            _fail(f"unknown key {key!r}", path, str(key))
    if data.get("gitdesk") != FORMAT_VERSION:
        _fail(f"unsupported format {data.get('gitdesk')!r} (expected {FORMAT_VERSION})", path, "gitdesk")
    if not is_event_id(data.get("id")):
        _fail(f"not an event id: {data.get('id')!r}", path, "id")
    if not is_ticket_id(data.get("incident")):
        _fail(f"not an incident id: {data.get('incident')!r}", path, "incident")
    parse_time(data.get("at"), path=path)
    if not isinstance(data.get("by"), str) or not data["by"].strip():
        _fail("who made the change is missing", path, "by")
    if data.get("action") not in ACTIONS:
        _fail(f"unknown action {data.get('action')!r} (known: {', '.join(ACTIONS)})", path, "action")
    changes = data.get("set") or {}
    if not isinstance(changes, dict):
        _fail("expected a mapping of field: value", path, "set")
    for name, value in changes.items():
        if name not in FIELDS:
            _fail(f"unknown field {name!r} (known: {', '.join(FIELDS)})", path, f"set.{name}")
        if not isinstance(value, str) or not value.strip() or len(value) > 300:
            _fail("expected a short text", path, f"set.{name}")
    if changes.get("severity") not in (None, *SEVERITIES):
        _fail(f"unknown severity {changes['severity']!r} (known: {', '.join(SEVERITIES)})", path, "set.severity")
    if changes.get("status") not in (None, *STATUSES):
        _fail(f"unknown status {changes['status']!r} (known: {', '.join(STATUSES)})", path, "set.status")
    message = data.get("message")
    if message is not None and (not isinstance(message, str) or len(message) > MAX_TEXT):
        _fail("expected text", path, "message")
    tickets = (data.get("add") or {}).get("tickets") or []
    if not isinstance(data.get("add") or {}, dict) or not isinstance(tickets, list) or not all(is_ticket_id(t) for t in tickets):
        _fail("expected a list of ticket ids", path, "add.tickets")
    return data


def reduce_incident(events: list[dict]) -> dict:
    """The incident as every clone derives it from the same events."""
    ordered = sorted(events, key=lambda e: (format_time(parse_time(e["at"])), e["id"]))
    state: dict = {"id": ordered[0]["incident"], "title": None, "affects": None, "severity": None, "status": None,
                   "tickets": [], "timeline": [], "declared_at": None, "resolved_at": None}
    tickets: list[str] = []
    for e in ordered:
        at = format_time(parse_time(e["at"]))
        for name, value in (e.get("set") or {}).items():
            state[name] = value
        if e["action"] == "declare" and state["declared_at"] is None:
            state["declared_at"] = at
        if (e.get("set") or {}).get("status") == "resolved":
            state["resolved_at"] = at
        elif (e.get("set") or {}).get("status") == "active":
            state["resolved_at"] = None
        for t in (e.get("add") or {}).get("tickets") or ():
            if t not in tickets:
                tickets.append(t)
        state["timeline"].append({"at": at, "by": e["by"], "action": e["action"], "message": e.get("message") or "",
                                  "severity": (e.get("set") or {}).get("severity")})
    state["tickets"] = sorted(tickets)
    state["updated_at"] = state["timeline"][-1]["at"]
    return state


class IncidentBook:
    """The incidents of one help desk repository (``incidents/`` beside ``tickets/``)."""

    def __init__(self, root: Path, *, max_bytes: int = 1048576):
        self.root = Path(root)
        self.dir = self.root / DIR
        self.max_bytes = max_bytes

    # -- reading ---------------------------------------------------------------------------
    def _events(self, folder: Path) -> list[dict]:
        return self._events_of(sorted(folder.glob("*.yml")), folder)

    def _events_of(self, paths: list[Path], folder: Path) -> list[dict]:
        from gitdesk.yamlio import load_yaml_file

        out = []
        for path in paths:
            display = f"{DIR}/{folder.name}/{path.name}"
            data = load_yaml_file(path, max_bytes=self.max_bytes, display=display)
            event = parse_incident_event(data, path=display)
            if event["incident"] != folder.name or f"{event['id']}.yml" != path.name:
                _fail("the file's folder and name must be its incident and event id", display, "id")
            out.append(event)
        return out

    def all(self) -> list[dict]:
        """Every incident, newest declared first."""
        if not self.dir.is_dir():
            return []
        found = [reduce_incident(events) for folder in sorted(self.dir.iterdir())
                 if folder.is_dir() and (events := self._events(folder))]
        return sorted(found, key=lambda i: (i["declared_at"] or "", i["id"]), reverse=True)

    def active(self) -> list[dict]:
        return [i for i in self.all() if i["status"] == "active"]

    def get(self, ref: str) -> dict:
        prefix = normalize_ref(ref, PREFIX)
        if prefix is None:
            raise UsageError(f"not an incident id: {ref!r}", field="incident")
        matches = [i for i in self.all() if i["id"].startswith(prefix)]
        if not matches:
            raise NotFoundError(f"no incident matches {ref!r}", field="incident")
        if len(matches) > 1:
            raise UsageError(f"{ref!r} matches several incidents: type more characters", field="incident")
        return matches[0]

    # -- writing ---------------------------------------------------------------------------
    def _write(self, incident_id: str, action: str, by: str, *, at: datetime, changes: dict | None = None,
               message: str | None = None, tickets: Sequence[str] = ()) -> Path:
        from gitdesk.yamlio import atomic_write, dump_yaml

        event: dict = {"gitdesk": FORMAT_VERSION, "id": new_event_id(at), "incident": incident_id,
                       "at": format_time(at), "by": by, "action": action}
        if changes:
            event["set"] = changes
        if message:
            event["message"] = message
        if tickets:
            event["add"] = {"tickets": sorted(set(tickets))}
        parse_incident_event(event)
        folder = self.dir / incident_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{event['id']}.yml"
        atomic_write(path, dump_yaml(event), exclusive=True)
        return path

    def declare(self, title: str, *, affects: str, severity: str, by: str, message: str | None = None,
                tickets: Sequence[str] = (), clock=utcnow) -> tuple[dict, Path]:
        title = " ".join((title or "").split())
        if not title:
            raise UsageError("a major incident needs a title, e.g. \"E-mail is down\"", field="TITLE")
        if severity not in SEVERITIES:
            raise UsageError(f"unknown severity {severity!r} (known: {', '.join(SEVERITIES)})", field="--severity")
        affects = (affects or "").strip().lower()
        if not affects:
            raise UsageError("say what it affects: --affects email", field="--affects")
        for other in self.active():
            if other["affects"] == affects or other["title"].lower() == title.lower():
                raise UsageError(f"{PREFIX}-{other['id']} \"{other['title']}\" ({other['affects']}) is already declared "
                                 f"and active: use `incident update {other['id'][:6]}`", field="TITLE")
        incident_id = new_ticket_id()
        path = self._write(incident_id, "declare", by, at=clock(), message=message, tickets=list(tickets),
                           changes={"title": title, "affects": affects, "severity": severity, "status": "active"})
        return self.get(incident_id), path

    def _after(self, incident: dict, clock) -> datetime:
        """Never before the incident's last change, whatever the clock says."""
        from datetime import timedelta

        return max(clock(), parse_time(incident["updated_at"]) + timedelta(microseconds=1))

    def update(self, ref: str, message: str, *, by: str, severity: str | None = None, tickets: Sequence[str] = (),
               clock=utcnow) -> tuple[dict, Path]:
        incident = self.get(ref)
        if incident["status"] != "active":
            raise UsageError(f"{PREFIX}-{incident['id']} is resolved: declare a new incident", field="incident")
        if not (message or "").strip() and not tickets and not severity:
            raise UsageError("an update needs a message", field="MESSAGE")
        if severity is not None and severity not in SEVERITIES:
            raise UsageError(f"unknown severity {severity!r} (known: {', '.join(SEVERITIES)})", field="--severity")
        action = "update" if (message or "").strip() or severity else "link"
        path = self._write(incident["id"], action, by, at=self._after(incident, clock), message=message,
                           changes={"severity": severity} if severity else None, tickets=list(tickets))
        return self.get(incident["id"]), path

    def resolve(self, ref: str, message: str, *, by: str, clock=utcnow) -> tuple[dict, Path]:
        incident = self.get(ref)
        if incident["status"] != "active":
            raise UsageError(f"{PREFIX}-{incident['id']} is already resolved", field="incident")
        if not (message or "").strip():
            raise UsageError("say how it was resolved", field="MESSAGE")
        path = self._write(incident["id"], "resolve", by, at=self._after(incident, clock), message=message,
                           changes={"status": "resolved"})
        return self.get(incident["id"]), path


def tell_requesters(desk, incident: dict, message: str, *, only: list[str] | None = None) -> list:
    """A public comment on each linked ticket (the notifier mails it to the requester)."""
    from gitdesk.languages import text

    out = []
    for tid in only if only is not None else incident["tickets"]:
        ticket = desk.store.get(tid)
        language = (ticket.requester or {}).get("language") or desk.config.language
        key = "incidents.mail_resolved" if incident["status"] == "resolved" else "incidents.mail_update"
        body = text(key, language, title=incident["title"], message=message or "")
        out.append(desk.comment(ticket.id, body.strip(), public=True))
    return out


def check_incidents(repo, config):
    """``gitdesk check``: every incident event file, each problem on its own line."""
    from gitdesk.checker import Problem
    from gitdesk.errors import GitdeskError

    book = IncidentBook(repo.root)
    if not book.dir.is_dir():
        return
    for folder in sorted(p for p in book.dir.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.yml")):
            try:
                book._events_of([path], folder)
            except GitdeskError as exc:
                yield Problem(exc.path or f"{DIR}/{folder.name}/{path.name}", exc.field, exc.message)


