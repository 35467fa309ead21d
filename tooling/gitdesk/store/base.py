"""The store interface: every service and command works on either backend through it."""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from gitdesk.model.event import PRIORITY_RANK, Event
from gitdesk.model.ticket import Ticket

if TYPE_CHECKING:
    from gitdesk.repo import Repo

SORT_KEYS = ("created", "updated", "priority", "status", "id", "title")


#: ``--priority none``: tickets that have no priority (their SLA clocks run on sla.default_priority)
NO_PRIORITY = "none"


@dataclass
class Filters:
    """What ``ticket list`` can narrow by. Empty lists and None mean "any"."""

    status: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)  # NO_PRIORITY ("none") matches tickets without one
    category: list[str] = field(default_factory=list)  # "accounts" also matches "accounts/mfa"
    assignee: list[str] = field(default_factory=list)  # substring, case-insensitive
    team: list[str] = field(default_factory=list)
    tier: list[int] = field(default_factory=list)
    requester: str | None = None  # substring of name, email or department
    asset: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)  # all must be present
    since: str | None = None  # created_at >= (ISO text)
    until: str | None = None  # created_at < (ISO text)
    open_only: bool = False
    open_statuses: tuple[str, ...] = ("new", "open", "pending")
    # open at this moment (ISO text), as far as the current ticket tells: created by then, and
    # open now or changed since (a ticket closed since may have been open then)
    open_at: str | None = None
    channel: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)  # a ticket without a type has default_type
    default_type: str = "incident"
    unassigned: bool = False
    text: str | None = None  # substring of title or description, case-insensitive

    def matches(self, t: dict) -> bool:
        """The same rules as the file store's SQL, for stores that filter in Python."""
        if self.status and t.get("status") not in self.status:
            return False
        if self.open_only and t.get("status") not in self.open_statuses:
            return False
        if self.priority and (t.get("priority") or NO_PRIORITY) not in self.priority:
            return False
        if self.category and not any(
            (t.get("category") or "") == c or (t.get("category") or "").startswith(c + "/") for c in self.category
        ):
            return False
        if self.assignee and not any(a.lower() in (t.get("assignee") or "").lower() for a in self.assignee):
            return False
        if self.team and t.get("team") not in self.team:
            return False
        if self.tier and t.get("tier") not in self.tier:
            return False
        if self.requester and self.requester.lower() not in requester_text(t.get("requester")):
            return False
        if self.asset and t.get("asset") not in self.asset:
            return False
        if self.tag and not set(self.tag) <= set(t.get("tags") or []):
            return False
        if self.since and (t.get("created_at") or "") < self.since:
            return False
        if self.until and (t.get("created_at") or "") >= self.until:
            return False
        if self.channel and t.get("channel") not in self.channel:
            return False
        if self.type and (t.get("type") or self.default_type) not in self.type:
            return False
        if self.unassigned and t.get("assignee"):
            return False
        if self.text and self.text.lower() not in f"{t.get('title') or ''}\n{t.get('description') or ''}".lower():
            return False
        if self.open_at and not ((t.get("created_at") or "") <= self.open_at and (
                t.get("status") in self.open_statuses or (t.get("updated_at") or "") > self.open_at)):
            return False
        return True


def requester_text(requester: dict | None) -> str:
    if not requester:
        return ""
    return " ".join(str(requester.get(k) or "") for k in ("name", "email", "department")).lower()


def sort_key(name: str):
    """Key functions matching the file store's ORDER BY clauses."""
    return {
        "created": lambda t: (t.get("created_at") or "", t["id"]),
        "updated": lambda t: (t.get("updated_at") or "", t["id"]),
        "priority": lambda t: (PRIORITY_RANK.get(t.get("priority"), 9), t.get("created_at") or "", t["id"]),
        "status": lambda t: (t.get("status") or "", t.get("created_at") or "", t["id"]),
        "id": lambda t: t["id"],
        "title": lambda t: ((t.get("title") or "").lower(), t["id"]),
    }[name]


class Written(NamedTuple):
    """What :meth:`TicketStore.append` did: the ticket derived with the event, and the repository
    file it wrote (None when the event lives elsewhere, e.g. as a GitHub comment, or nowhere, in a
    dry run). ``--commit`` commits these paths."""

    ticket: Ticket
    path: Path | None


class Revisions(NamedTuple):
    """A number per ticket that changes whenever the ticket does, so a derived cache (metrics)
    recomputes only those; ``source`` changes when the numbering starts again."""

    source: str
    versions: dict[str, int]


class TicketStore(ABC):
    """Reads derived tickets and appends events, whatever holds them.

    Callers rely on this interface only, never on a concrete class: what differs between stores
    is said by the capabilities below (``file_backed``, :meth:`known_ids`, :meth:`revisions`,
    :meth:`path_of`)."""

    repo: Repo
    #: the folder of event files (the file store's tickets; the GitHub store's private notes)
    tickets_dir: Path
    #: every event is a YAML file under ``tickets_dir``: imports and the message index read and
    #: write them directly
    file_backed: bool = False

    @abstractmethod
    def resolve(self, ref: str) -> str:
        """Full ticket id for a user-typed reference or unambiguous prefix."""

    @abstractmethod
    def get(self, ref: str) -> Ticket:
        """The derived ticket (with comments and history)."""

    @abstractmethod
    def list(self, filters: Filters | None = None, sort: str = "created", reverse: bool = False, limit: int | None = None) -> list[Ticket]:
        """Ticket summaries that match ``filters``."""

    def list_json(self, filters: Filters | None = None, sort: str = "created", reverse: bool = False, limit: int | None = None) -> str:
        """The JSON array ``ticket list --json`` prints (stores may produce it without parsing)."""
        return "".join(self.list_json_chunks(filters, sort, reverse, limit))

    def list_json_chunks(self, filters: Filters | None = None, sort: str = "created", reverse: bool = False,
                         limit: int | None = None) -> Iterator[str]:
        """:meth:`list_json` in pieces, so a large desk is written out without one huge string."""
        rows = self.list_json_rows(filters, sort, reverse, limit)
        yield "["
        for start in range(0, len(rows), 2000):
            piece = ",".join(rows[start:start + 2000])
            yield piece if start == 0 else "," + piece
        yield "]"

    def list_json_rows(self, filters: Filters | None = None, sort: str = "created", reverse: bool = False,
                       limit: int | None = None, *, checked: bool = True) -> builtins.list[str]:
        """Each matching ticket's summary as compact JSON text (``{"id":...``), in order: what
        ``ticket list --json`` shapes and prints (a store with a cache hands its text over unparsed).
        ``checked=False``: the cache as the last command left it, without checking the disk
        (shell completion, where a fraction of a second matters more than the newest ticket)."""
        import json

        return [json.dumps(t.summary(), ensure_ascii=False, separators=(",", ":"))
                for t in self.list(filters, sort, reverse, limit)]

    def all_timelines(self, filters: Filters | None = None) -> Iterator[Ticket]:
        """Tickets with at least what SLA clocks and escalation rules read: the summary, plus
        history and comments as :func:`gitdesk.model.ticket.timeline` cuts them. A store that
        keeps nothing lighter hands over whole tickets."""
        return self.all(filters)

    @abstractmethod
    def all(self, filters: Filters | None = None) -> Iterator[Ticket]:
        """Every ticket (that matches ``filters``), whole: comments and history, for SLA,
        metrics and sync."""

    @abstractmethod
    def events(self, ref: str) -> builtins.list[Event]:
        """The events of one ticket, in their total order."""

    @abstractmethod
    def append(self, event: Event) -> Written:
        """Record one event; return the ticket derived with it and where it was written."""

    def append_many(self, events: Iterable[Event], *, durable: bool = True) -> builtins.list[Path]:
        """Record many events (imports, escalations); return the repository files written.
        ``durable=False`` lets a store skip an fsync per file (the caller flushes once)."""
        return [w.path for w in map(self.append, events) if w.path is not None]

    def path_of(self, event: Event) -> Path | None:
        """The repository file that holds (or would hold) ``event``; None if it lives elsewhere."""
        return None

    def has_event(self, event: Event) -> bool:
        """Is ``event`` recorded already?"""
        return self.exists(event.ticket) and any(e.id == event.id for e in self.events(event.ticket))

    def exists(self, ticket_id: str) -> bool:
        try:
            self.resolve(ticket_id)
            return True
        except Exception:  # noqa: BLE001 - NotFound or Ambiguous both mean "not exactly this"
            return False

    def known_ids(self) -> builtins.list[str] | None:
        """Every ticket id, sorted, as of the last read, for id prefixes unambiguous among all
        tickets; None when the store cannot tell cheaply (prefixes then cover the rows shown)."""
        return None

    def revisions(self) -> Revisions | None:
        """Row versions of every ticket, checked against what holds them; None when the store
        keeps none (metrics then computes every ticket's facts afresh)."""
        return None

    def whole_tickets(self, ids: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(id, whole ticket as a dict)`` for each of ``ids`` (metrics reads the changed ones)."""
        for ticket_id in ids:
            yield ticket_id, self.get(ticket_id).to_dict()
