"""What agents do to tickets, turned into events.

:class:`Desk` checks every change against the configuration (known categories, channels, teams,
allowed status transitions) and the ticket's current state, then records it as one event
through whatever store is in use. The command line, the e-mail intake, the SLA escalations and
the GitHub triage all change tickets through here, so the rules live in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from gitdesk.config import Config
from gitdesk.errors import TransitionError, UsageError, ValidationError
from gitdesk.model.event import PRIORITIES, REQUESTER_KEYS, Event, after_last, utcnow
from gitdesk.model.ids import is_ticket_id, new_event_id, new_ticket_id
from gitdesk.model.ticket import Ticket
from gitdesk.people import same_person
from gitdesk.store.base import TicketStore

TEXT_FIELDS = ("title", "description", "asset")
SETTABLE = ("title", "description", "priority", "impact", "urgency", "category", "channel", "asset",
            "assignee", "team", "tier", "status", "type", "requester.name", "requester.email", "requester.department",
            "requester.language")


@dataclass
class Desk:
    """The help desk's rules applied to a store, on behalf of ``actor``."""

    store: TicketStore
    config: Config
    actor: str
    clock: Callable[[], datetime] = utcnow
    recorded: list[Event] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # repository files the events went to (--commit)

    # -- plumbing --------------------------------------------------------------------------
    def _time(self, ticket: Ticket | None) -> datetime:
        return after_last(self.clock(), ticket.updated_at if ticket is not None else None)

    def _event(self, ticket_id: str, action: str, ticket: Ticket | None = None, *, at: datetime | None = None,
               **parts: Any) -> Event:
        when = at or self._time(ticket)
        return Event(id=new_event_id(when), ticket=ticket_id, at=when, by=self.actor, action=action,
                     **{k: v for k, v in parts.items() if v})

    def record(self, event: Event) -> Ticket:
        ticket, path = self.store.append(event)
        self.recorded.append(event)
        if path is not None:
            self.written.append(path)
        return ticket

    # -- checks ----------------------------------------------------------------------------
    def _check_choice(self, name: str, value: Any, choices, label: str | None = None) -> None:
        if value is not None and value not in choices:
            known = ", ".join(str(c) for c in choices)
            raise ValidationError(f"unknown {label or name} {value!r} (known: {known})", field=name)

    def check_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Validate user-supplied field values against the configuration."""
        cfg = self.config
        self._check_choice("priority", fields.get("priority"), PRIORITIES)
        self._check_choice("impact", fields.get("impact"), cfg["impact_levels"])
        self._check_choice("urgency", fields.get("urgency"), cfg["urgency_levels"])
        self._check_choice("category", fields.get("category"), cfg.category_ids())
        self._check_choice("channel", fields.get("channel"), cfg.channels)
        self._check_choice("team", fields.get("team"), list(cfg.teams))
        self._check_choice("status", fields.get("status"), cfg.statuses)
        self._check_choice("type", fields.get("type"), cfg.ticket_types, "ticket type")
        if fields.get("tier") is not None:
            tier = fields["tier"]
            if isinstance(tier, bool) or not isinstance(tier, (int, str)) or not (str(tier).strip().isascii() and str(tier).strip().isdigit()):
                raise ValidationError(f"not a tier number: {tier!r} (known: {', '.join(str(t) for t in cfg.tiers)})", field="tier")
            self._check_choice("tier", int(tier), cfg.tiers)
            fields["tier"] = int(tier)
        for name in TEXT_FIELDS:
            if name in fields and fields[name] is not None and not str(fields[name]).strip():
                fields[name] = None
        if "title" in fields and fields["title"] is not None:
            fields["title"] = " ".join(str(fields["title"]).split())
            if not fields["title"]:
                raise ValidationError("a ticket needs a title", field="title")
            if len(fields["title"]) > 300:
                raise ValidationError("a title is at most 300 characters", field="title")
        # a matrix priority when impact and urgency are both known and no explicit priority
        if fields.get("priority") is None and fields.get("impact") and fields.get("urgency"):
            fields["priority"] = cfg.derive_priority(fields["impact"], fields["urgency"])
        return fields

    def _transition(self, ticket: Ticket, new_status: str) -> None:
        old = ticket.status
        if old != new_status and not self.config.can_transition(old, new_status):
            allowed = ", ".join(self.config.allowed_transitions(old)) or "none"
            raise TransitionError(f"cannot go from {old} to {new_status} (allowed from {old}: {allowed})", field="status")

    # -- actions ---------------------------------------------------------------------------
    def new(self, *, title: str, requester: dict | None = None, description: str | None = None,
            priority: str | None = None, impact: str | None = None, urgency: str | None = None,
            category: str | None = None, channel: str | None = None, asset: str | None = None,
            assignee: str | None = None, team: str | None = None, tier: int | None = None,
            tags: list[str] | None = None, kb: list[str] | None = None, external: dict | None = None,
            ticket_id: str | None = None, at: datetime | None = None, type: str | None = None) -> Ticket:
        requester = {k: v for k, v in (requester or {}).items() if k in REQUESTER_KEYS and v}
        fields = self.check_fields({
            "title": title, "description": description, "priority": priority, "impact": impact, "urgency": urgency,
            "category": category, "channel": channel, "asset": asset, "assignee": assignee,
            "team": team or self.config["default_team"], "tier": tier or 1,
            "type": type,  # recorded only when given: no type means the first of ticket_types
        })
        if not fields.get("title"):
            raise ValidationError("a ticket needs a title", field="title")
        if ticket_id is not None and not is_ticket_id(ticket_id):
            raise ValidationError(f"not a ticket id: {ticket_id!r}", field="id")
        tid = ticket_id or new_ticket_id()
        while ticket_id is None and self.store.exists(tid):  # pragma: no cover - 1 in 10^15
            tid = new_ticket_id()
        changes = {"status": self.config["initial_status"], **{k: v for k, v in fields.items() if v is not None}}
        if requester:
            changes["requester"] = requester
        if external:
            changes["external"] = external
        add = {}
        if tags:
            add["tags"] = sorted(set(checked_tag(t) for t in tags))
        if kb:
            add["kb"] = sorted(set(kb))
        return self.record(self._event(tid, "new", at=at or self.clock(), set=changes, add=add))

    def comment(self, ref: str, body: str, *, public: bool = True, via: str | None = None,
                message_id: str | None = None, force: bool = False) -> Ticket:
        ticket = self.store.get(ref)
        if ticket.duplicate_of and not force:  # the conversation goes on in the ticket kept (mail is threaded there)
            prefix = self.config.id_prefix
            raise TransitionError(f"{prefix}-{ticket.id} was merged into {prefix}-{ticket.duplicate_of}: "
                                  f"comment on {prefix}-{ticket.duplicate_of} instead (or --force)", field="ticket")
        if not body or not body.strip():
            raise ValidationError("a comment needs some text", field="comment")
        changes = {}
        # the requester answering a ticket that waits on them restarts the clocks
        if ticket.status in self.config.pausing_statuses and same_person(self.actor, ticket.requester):
            changes["status"] = self.config["reopen_status"]
        if ticket.status == "new" and public and not same_person(self.actor, ticket.requester) and "open" in self.config.statuses:
            changes["status"] = "open"
        comment = {"body": body, "public": public}
        if via:
            comment["via"] = via
        if message_id:
            comment["message_id"] = message_id
        return self.record(self._event(ticket.id, "comment", ticket, set=changes, comment=comment))

    def assign(self, ref: str, assignee: str | None, *, team: str | None = None) -> Ticket:
        ticket = self.store.get(ref)
        fields = self.check_fields({"team": team})
        changes: dict[str, Any] = {"assignee": assignee or None}
        if fields.get("team"):
            changes["team"] = fields["team"]
        if ticket.status == "new" and "open" in self.config.statuses:
            changes["status"] = "open"
        return self.record(self._event(ticket.id, "assign", ticket, set=changes))

    def escalate(self, ref: str, *, tier: int | None = None, team: str | None = None, reason: str | None = None,
                 assignee: str | None = None) -> Ticket:
        ticket = self.store.get(ref)
        current = ticket.tier or 1
        target = int(tier) if tier is not None else current + 1
        if target not in self.config.tiers:
            raise UsageError(f"tier {target} does not exist (tiers: {', '.join(map(str, self.config.tiers))})", field="tier")
        if target <= current and tier is None:
            raise UsageError(f"ticket is already at the top tier ({current})", field="tier")
        team = team or self.config.team_for_tier(target) or ticket.team
        self.check_fields({"team": team})
        changes: dict[str, Any] = {"tier": target, "team": team, "assignee": assignee}
        if ticket.status == "new" and "open" in self.config.statuses:
            changes["status"] = "open"
        return self.record(self._event(ticket.id, "escalate", ticket, set=changes, reason=reason))

    def set_fields(self, ref: str, values: dict[str, Any], *, add_tags=(), remove_tags=(), reason: str | None = None) -> Ticket:
        ticket = self.store.get(ref)
        unknown = [k for k in values if k not in SETTABLE]
        if unknown:
            raise UsageError(f"cannot set {unknown[0]!r} (settable: {', '.join(SETTABLE)})", field=unknown[0])
        requester = dict(ticket.requester or {})
        plain = {}
        for key, value in values.items():
            if key == "requester.language" and value:
                from gitdesk.languages import normalise

                value = normalise(value, path=None, field="requester.language")
            if key.startswith("requester."):
                requester[key.split(".", 1)[1]] = value or None
            else:
                plain[key] = value if value != "" else None
        fields = self.check_fields(plain)
        if "status" in fields and fields["status"] is not None:
            self._transition(ticket, fields["status"])
        changes = dict(fields)
        if any(k.startswith("requester.") for k in values):
            changes["requester"] = {k: v for k, v in requester.items() if v}
        add = {"tags": sorted({checked_tag(t) for t in add_tags})} if add_tags else {}
        remove = {"tags": sorted({checked_tag(t) for t in remove_tags})} if remove_tags else {}
        if not (changes or add or remove):
            raise UsageError("nothing to change: give FIELD=VALUE pairs, --tag or --untag")
        return self.record(self._event(ticket.id, "set", ticket, set=changes, add=add, remove=remove, reason=reason))

    def _status_change(self, ref: str, action: str, status: str, *, comment: str | None, public: bool = True,
                       extra: dict | None = None, reason: str | None = None, add: dict | None = None) -> Ticket:
        ticket = self.store.get(ref)
        self._transition(ticket, status)
        changes = {"status": status, **(extra or {})}
        body = {"body": comment, "public": public} if comment and comment.strip() else None
        return self.record(self._event(ticket.id, action, ticket, set=changes, comment=body, reason=reason, add=add))

    def pending(self, ref: str, *, comment: str | None = None) -> Ticket:
        status = (self.config.pausing_statuses or ["pending"])[0]
        return self._status_change(ref, "pending", status, comment=comment)

    def resolve(self, ref: str, *, comment: str | None = None, solved_by: Sequence[str] = ()) -> Ticket:
        """Resolve; ``solved_by``: the KB articles (paths under kb/, checked by the caller) that
        solved it, recorded as ``solved_by`` (what the KB figures count) and linked (``kb``)."""
        articles = sorted(set(solved_by))
        add = {"solved_by": articles, "kb": list(articles)} if articles else None
        return self._status_change(ref, "resolve", "resolved", comment=comment, add=add)

    def close(self, ref: str, *, comment: str | None = None) -> Ticket:
        return self._status_change(ref, "close", "closed", comment=comment)

    def reopen(self, ref: str, *, reason: str | None = None) -> Ticket:
        ticket = self.store.get(ref)
        closed = self.config.closed_statuses
        if ticket.status not in closed:
            raise TransitionError(f"ticket is {ticket.status}, not {' or '.join(closed)}", field="status")
        return self._status_change(ref, "reopen", self.config["reopen_status"], comment=None, reason=reason)

    def rate(self, ref: str, rating: int, *, comment: str | None = None) -> Ticket:
        ticket = self.store.get(ref)
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ValidationError(f"a rating is a whole number from 1 to 5, got {rating!r}", field="rating")
        satisfaction: dict[str, Any] = {"rating": rating}
        if comment:
            satisfaction["comment"] = comment
        return self.record(self._event(ticket.id, "rate", ticket, set={"satisfaction": satisfaction}))

    def link(self, ref: str, *, kb: Sequence[str] = (), related: Sequence[str] = (), remove: bool = False) -> Ticket:
        ticket = self.store.get(ref)
        related_ids = [self.store.resolve(r) for r in related]
        if ticket.id in related_ids:
            raise UsageError("a ticket cannot be related to itself", field="related")
        for path in kb:
            if ".." in path.split("/") or path.startswith("/") or "\\" in path:
                raise ValidationError(f"not a knowledge base path: {path!r}", field="kb")
        block: dict[str, list[str]] = {}
        if kb:
            block["kb"] = sorted(set(kb))
        if related_ids:
            block["related"] = sorted(set(related_ids))
        if not block:
            raise UsageError("nothing to link: give --kb PATH or --related TICKET")
        parts: dict[str, Any] = {"remove": block} if remove else {"add": block}
        result = self.record(self._event(ticket.id, "link", ticket, **parts))
        # "related" is symmetric: each other ticket records the link too (unless it already does)
        for other_id in sorted(set(related_ids)):
            other = self.store.get(other_id)
            if (ticket.id in (other.get("related") or ())) != remove:
                continue
            key = "remove" if remove else "add"
            other_parts: dict[str, Any] = {key: {"related": [ticket.id]}}
            self.record(self._event(other.id, "link", other, **other_parts))
        return result

    def merge(self, ref: str, into: str, *, comment: str | None = None) -> Ticket:
        """Close ``ref`` as a duplicate of ``into``; both tickets record the link."""
        source = self.store.get(ref)
        target = self.store.get(into)
        if source.id == target.id:
            raise UsageError("a ticket cannot be merged into itself", field="into")
        if target.duplicate_of:
            raise UsageError(f"{target.id} is itself a duplicate of {target.duplicate_of}: merge into that one", field="into")
        changes: dict[str, Any] = {"duplicate_of": target.id}
        if source.status != "closed":  # a merge closes the duplicate from any status
            changes["status"] = "closed"
        note = {"body": comment or f"Merged into {self.config.id_prefix}-{target.id}.", "public": True}
        self.record(self._event(source.id, "merge", source, set=changes, comment=note))
        return self.record(self._event(target.id, "merge", target, add={"duplicates": [source.id]}))


def normalize_tag(text: str) -> str | None:
    """``"Needs Triage"`` -> ``"needs-triage"``; None when it cannot be a tag."""
    tag = "-".join(str(text).strip().lower().split())
    if not tag or len(tag) > 60 or any(c in tag for c in "/\\,"):
        return None
    return tag


def checked_tag(text: str) -> str:
    """:func:`normalize_tag`, refusing what cannot be a tag."""
    tag = normalize_tag(text)
    if tag is None:
        raise ValidationError(f"not a tag: {text!r} (lower-case words, no slashes or commas)", field="tags")
    return tag


def describe(event: Event, prefix: str = "HD") -> str:
    """One line for a commit message or a history view: ``HD-7K2M9Q4XZB: escalate (tier 2, team desktop)``."""
    if event.action == "new":
        info = "; ".join(f"{k} {event.set[k]}" for k in ("priority", "category", "channel") if event.set.get(k))
        return f'{prefix}-{event.ticket}: new "{event.set.get("title", "")}"' + (f" ({info})" if info else "")
    bits = []
    for key, value in event.set.items():
        if key in ("description",):
            bits.append(f"{key} changed")
        elif key == "requester":
            bits.append("requester changed")
        elif key == "satisfaction" and isinstance(value, dict):
            bits.append(f"rating {value.get('rating')}")
        else:
            bits.append(f"{key} {value}" if value is not None else f"{key} cleared")
    for op in ("add", "remove"):
        for key, values in getattr(event, op).items():
            bits.append(f"{op} {key} {', '.join(values)}")
    if event.comment is not None:
        bits.append("public comment" if event.comment.get("public", True) else "internal note")
    if event.spent:
        bits.append(f"{event.spent} min spent")
    detail = f" ({'; '.join(bits)})" if bits else ""
    reason = f": {event.reason}" if event.reason else ""
    return f"{prefix}-{event.ticket}: {event.action}{detail}{reason}"
