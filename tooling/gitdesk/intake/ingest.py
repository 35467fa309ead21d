"""Turning one incoming message into ticket events, exactly once.

A message opens a ticket, or becomes a comment on the ticket it answers: the one named in its
subject (``[HD-7K2M9Q]``, any unambiguous prefix of six or more characters) or found through
``In-Reply-To``/``References`` (the Message-IDs gitdesk's notifications carry, or any message
already taken). It is accepted on that ticket only from a participant (the requester, anyone
who commented, the assignee or an agent of a configured team) and only when the receiving
server did not record a DMARC failure; anyone else's message opens a new ticket, so a forged or
guessed id cannot reach someone else's ticket. A reply to a resolved ticket reopens it (or, from
the requester and when its first line is just a number from 1 to 5, rates it); a reply to a
closed ticket opens a follow-up linked to it.

Exactly once: every ticket records the Message-IDs it took (the set field ``message_ids``) and
each run looks them up (:mod:`gitdesk.intake.msgindex`, an index over the event files that
checks itself against the disk), so a repeated run, a run that crashed half-way or a second
clone reading the same mailbox (after ``git pull``) skips what is already there. Ids are derived from the
Message-ID (``ticket_id_from("mail:" + id)``, ``event_id_from(time, "mail:" + id)``), so two
clones that take the same message at the same time write the same file names, and ``git
merge`` keeps one. One message is one event file (plus its attachments, written first).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gitdesk.config import Config
from gitdesk.errors import GitdeskError, NotFoundError, UsageError, ValidationError
from gitdesk.intake import attachments as att
from gitdesk.intake.mail import MAX_BODY_CHARS, ParsedMessage, clean_text, parse_message, truncate
from gitdesk.model.event import Event, parse_time, utcnow
from gitdesk.model.ids import event_id_from, normalize_ref, ticket_id_from
from gitdesk.model.reducer import reduce_events
from gitdesk.model.ticket import Ticket
from gitdesk.operations import Desk
from gitdesk.people import email_of, same_person
from gitdesk.requestmail import parse as request_answers
from gitdesk.store.base import Filters, TicketStore, Written, sort_key

EPSILON = timedelta(microseconds=1)
NOTIFY_ID_RE = re.compile(r"^<gitdesk\.([0-9A-HJKMNP-TV-Z]{10})\.[^@>]*@[^>]*>$")
_PREFIXES_RE = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|rv|res|enc|tr|r)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_RATING_RE = re.compile(
    r"^\s*(?:(?:rating|rate|score|nota|valoraci[oó]n|puntuaci[oó]n|avalia[cç][aã]o)\s*[:=-]?\s*)?"
    r"([1-5])\s*(?:/\s*5|(?:stars?|estrellas?|estrelas?))?\s*[.!]?\s*$", re.I)
MAX_RATING_COMMENT = 2000


@dataclass
class Outcome:
    """What became of one message (one line of ``gitdesk intake email`` output)."""

    source: str
    action: str  # new, comment, rate, follow-up, feedback, duplicate, skipped, refused, rejected
    message_id: str | None = None
    ticket: str | None = None
    detail: str = ""
    reopened: bool = False
    event: Event | None = None
    paths: list[Path] = field(default_factory=list)
    error: GitdeskError | None = None

    @property
    def processed(self) -> bool:
        """Done with for good (flag it in the mailbox): taken now, taken before, or skipped."""
        return self.action not in ("rejected",)

    def to_dict(self, prefix: str) -> dict:
        out = {"source": self.source, "action": self.action, "message_id": self.message_id,
               "ticket": self.ticket, "ref": f"{prefix}-{self.ticket}" if self.ticket else None,
               "detail": self.detail, "reopened": self.reopened}
        if self.event is not None:
            out["event"] = self.event.id
        if self.error is not None:
            out["error"] = self.error.line()
        return out


def clean_subject(subject: str, prefix: str) -> str:
    """A ticket title from a subject: no ``Re:``/``Fwd:`` chains, no ``[HD-...]`` tags."""
    text = re.sub(rf"\[\s*{re.escape(prefix)}-[0-9A-Za-z]{{1,12}}\s*\]", " ", subject, flags=re.I)
    previous = None
    while previous != text:
        previous = text
        text = _PREFIXES_RE.sub("", text).strip()
    return " ".join(text.split())


def subject_refs(subject: str, prefix: str) -> list[str]:
    """Ticket id prefixes (six characters or more) named in ``[HD-...]`` tags, in order."""
    out = []
    for match in re.finditer(rf"\[\s*{re.escape(prefix)}-([0-9A-Za-z]{{6,10}})\s*\]", subject or "", flags=re.I):
        ref = normalize_ref(match.group(1), prefix)
        if ref and ref not in out:
            out.append(ref)
    return out


def rating_in(text: str) -> tuple[int, str] | None:
    """(rating, rest) when the first non-empty line of a reply is only a 1-5 rating."""
    lines = text.strip("\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None
    match = _RATING_RE.match(lines[0])
    if not match:
        return None
    return int(match.group(1)), "\n".join(lines[1:]).strip()


class DryRunStore(TicketStore):
    """The store as a dry run would leave it: reads see the events it would have written, so a
    reply that follows a new message in the same run is shown as the reply it will be. Nothing
    is written: :meth:`append` reports no path."""

    def __init__(self, base: TicketStore, prefix: str):
        self.base = base
        self.prefix = prefix
        self.pending: dict[str, list[Event]] = {}
        self.repo = base.repo
        self.tickets_dir = base.tickets_dir
        self.file_backed = base.file_backed

    def resolve(self, ref: str) -> str:
        try:
            return self.base.resolve(ref)
        except NotFoundError:
            wanted = normalize_ref(ref, self.prefix) or ""
            found = [t for t in self.pending if t.startswith(wanted)] if wanted else []
            if len(found) == 1:
                return found[0]
            raise

    def exists(self, ticket_id: str) -> bool:
        return ticket_id in self.pending or self.base.exists(ticket_id)

    def events(self, ref: str) -> list[Event]:
        tid = self.resolve(ref)
        base = self.base.events(tid) if self.base.exists(tid) else []
        return sorted([*base, *self.pending.get(tid, [])], key=lambda e: e.key)

    def get(self, ref: str) -> Ticket:
        tid = self.resolve(ref)
        if tid not in self.pending:
            return self.base.get(tid)
        return Ticket(reduce_events(self.events(tid)))

    def append(self, event: Event) -> Written:
        self.pending.setdefault(event.ticket, []).append(event)
        return Written(self.get(event.ticket), None)

    def has_event(self, event: Event) -> bool:
        return any(e.id == event.id for e in self.pending.get(event.ticket, ())) or self.base.has_event(event)

    def _mine(self, filters: Filters | None) -> dict[str, Ticket | None]:
        """The tickets this run changed, derived with its events (None: ``filters`` leave it out)."""
        out: dict[str, Ticket | None] = {}
        for tid in self.pending:
            ticket = Ticket(reduce_events(self.events(tid)))
            out[tid] = ticket if filters is None or filters.matches(ticket.to_dict()) else None
        return out

    def list(self, filters: Filters | None = None, sort: str = "created", reverse: bool = False,
             limit: int | None = None) -> builtins.list[Ticket]:
        if not self.pending:
            return self.base.list(filters, sort, reverse, limit)
        mine = self._mine(filters)
        rows = [t for t in self.base.list(filters, sort, reverse) if t.id not in mine]
        rows += [Ticket(t.summary()) for t in mine.values() if t is not None]
        rows.sort(key=lambda t: sort_key(sort)(t.to_dict()), reverse=reverse)
        return rows if limit is None else rows[:int(limit)]

    def all(self, filters: Filters | None = None) -> Iterator[Ticket]:
        mine = self._mine(filters)
        yield from (t for t in self.base.all(filters) if t.id not in mine)
        yield from (t for t in mine.values() if t is not None)

    def known_ids(self) -> builtins.list[str] | None:
        ids = self.base.known_ids()
        return None if ids is None else sorted({*ids, *self.pending})


class MailIntake:
    """Takes messages into a store on behalf of their senders (see the module docstring)."""

    def __init__(self, store, config: Config, root: Path, *, dry_run: bool = False,
                 clock: Callable[[], datetime] = utcnow):
        self.store = DryRunStore(store, config.id_prefix) if dry_run else store
        self.config = config
        self.root = Path(root)
        self.dry_run = dry_run
        self.clock = clock
        self.prefix = config.id_prefix
        self.max_bytes = int(config["mail"].get("attachment_max_bytes", 0))
        self.desk_address = (config["mail"].get("address") or "").lower()
        self._run: dict[str, str] = {}  # taken in this run (dry runs included)
        self._lookup: Callable[[str], str | None] | None = None
        self._agents: set[str] | None = None

    # -- lookups ---------------------------------------------------------------------------
    def taken_by(self, mid: str) -> str | None:
        """The ticket that already took Message-ID ``mid`` (this run or any earlier one), or None."""
        if mid in self._run:
            return self._run[mid]
        if self._lookup is None:
            self._lookup = self._build_lookup()
        return self._lookup(mid)

    def _build_lookup(self) -> Callable[[str], str | None]:
        store = self.store
        if store.file_backed:  # the persistent index: a few stat calls when nothing changed
            from gitdesk.intake.msgindex import MessageIndex

            index = MessageIndex(store.tickets_dir, store.repo.cache_dir,
                                 max_bytes=int(self.config["limits"]["max_file_bytes"]))
            index.refresh()
            return index.get
        table: dict[str, str] = {}  # other stores: read every ticket's message_ids once per run
        for ticket in self.store.list():
            for mid in ticket.get("message_ids") or ():
                table.setdefault(mid, ticket.id)
        return table.get

    @property
    def agents(self) -> set[str]:
        if self._agents is None:
            self._agents = {email_of(a) for team in self.config.teams.values() for a in team.get("agents", [])} - {""}
        return self._agents

    def is_participant(self, address: str, ticket: Ticket) -> bool:
        address = address.lower()
        requester = ticket.requester or {}
        if (requester.get("email") or "").lower() == address:
            return True
        if address in self.agents or email_of(ticket.assignee) == address:
            return True
        return any(email_of(c.get("by")) == address for c in ticket.comments or ())

    def _get(self, ref: str) -> Ticket | None:
        try:
            return self.store.get(ref)
        except (NotFoundError, UsageError):  # unknown or ambiguous: not a usable reference
            return None

    def route(self, msg: ParsedMessage) -> tuple[Ticket | None, list[str]]:
        """The ticket a message answers, and notes about references that were refused."""
        candidates: list[str] = list(subject_refs(msg.subject, self.prefix))
        for mid in [*msg.in_reply_to, *reversed(msg.references)]:
            match = NOTIFY_ID_RE.match(mid)
            tid = match.group(1) if match else self.taken_by(mid)
            if tid and tid not in candidates:
                candidates.append(tid)
        refused = []
        seen = set()
        for ref in candidates:
            ticket = self._get(ref)
            if ticket is None or ticket.id in seen:
                continue
            seen.add(ticket.id)
            targets = [ticket]
            if ticket.duplicate_of:  # merged: the conversation goes on in the ticket kept
                kept = self._get(ticket.duplicate_of)
                if kept is not None:
                    targets = [kept, ticket]
            if msg.authentication_failed:
                refused.append(f"{self.prefix}-{ticket.id} (the sender failed DMARC)")
                continue
            if any(self.is_participant(msg.from_email, t) for t in targets):
                return targets[0], refused
            refused.append(f"{self.prefix}-{ticket.id} (the sender is not a participant)")
        return None, refused

    # -- time ------------------------------------------------------------------------------
    def _when(self, msg: ParsedMessage) -> datetime:
        """The message's arrival time; never in the future (that would reorder every later event)."""
        now = self.clock()
        at = msg.when or now
        return min(at, now)

    # -- taking ----------------------------------------------------------------------------
    def take(self, raw: bytes, source: str) -> Outcome:
        """Take one raw message; never raises for bad mail (the outcome says rejected)."""
        try:
            msg = parse_message(raw)
        except ValidationError as exc:
            error = ValidationError(exc.message, path=source, field=exc.field)
            return Outcome(source, "rejected", detail=exc.message, error=error)
        try:
            return self.take_parsed(msg, source)
        except ValidationError as exc:  # this message cannot be stored (e.g. too large an event): the next can
            error = ValidationError(exc.line(), path=source)
            return Outcome(source, "rejected", msg.message_id, detail=exc.line(), error=error)

    def take_parsed(self, msg: ParsedMessage, source: str) -> Outcome:
        mid = msg.message_id
        if self.desk_address and msg.from_email.lower() == self.desk_address:
            return Outcome(source, "skipped", mid, detail="sent by the help desk's own address (mail loop)")
        if msg.auto_submitted == "auto-replied":
            return Outcome(source, "skipped", mid, detail="automatic reply (out of office or similar)")
        vote = self._feedback(msg, source)
        if vote is not None:  # a reader's vote on an article: a feedback record, never a ticket
            return vote
        known = self.taken_by(mid)
        if known:
            return Outcome(source, "duplicate", mid, known, detail="already taken", paths=self.paths_for(mid, known))
        target, refused = self.route(msg)
        note = "; ".join(f"not added to {r}" for r in refused) or None
        if target is None:
            outcome = self._new_ticket(msg, source, reason=note and f"Opened from email: {note}.")
        elif target.status == "closed":
            outcome = self._new_ticket(msg, source, follow_up=target,
                                       reason=f"Follow-up by email to closed {self.prefix}-{target.id}.")
        else:
            outcome = self._reply(msg, source, target)
        if outcome.ticket:
            self._run[mid] = outcome.ticket
        return outcome

    def _feedback(self, msg: ParsedMessage, source: str) -> Outcome | None:
        """A message carrying the site's feedback marker becomes a feedback record (or a refusal,
        nothing written); nothing is sent back, so a forger learns nothing. None: not feedback."""
        from gitdesk.kb.feedback import FeedbackRefused, record_marker_message

        mid = msg.message_id
        try:
            done = record_marker_message(self.root, self.config, msg.body, channel="email", at=self._when(msg),
                                         source=f"mail:{mid}", sender=msg.from_email, dry_run=self.dry_run)
        except FeedbackRefused as exc:
            return Outcome(source, "refused", mid, detail=f"feedback refused: {exc.line()}")
        if done is None:
            return None
        vote = "yes" if done.feedback.helpful else "no"
        if not done.created:
            return Outcome(source, "duplicate", mid, detail=f"feedback on {done.feedback.article} already recorded")
        return Outcome(source, "feedback", mid, detail=f"feedback on {done.feedback.article}: {vote}",
                       paths=[] if self.dry_run else [done.path])

    def _body_with_files(self, text: str, files) -> str:
        text = truncate(text.strip("\n"), MAX_BODY_CHARS)
        extra = att.note(files, self.max_bytes)
        return f"{text}\n\n{extra}".strip() if extra else text

    def _write(self, event: Event, files) -> list[Path]:
        """Attachments first, then the one event file that marks the message as taken."""
        if self.dry_run:
            self.store.append(event)
            return []
        paths = att.write(files)
        written = self.store.append(event).path
        if written is not None and self.store.file_backed:
            paths.append(written)
        return paths

    def _new_ticket(self, msg: ParsedMessage, source: str, *, reason: str | None = None,
                    follow_up: Ticket | None = None) -> Outcome:
        mid = msg.message_id
        tid = ticket_id_from("mail:" + mid)
        if self.store.exists(tid):  # written by an earlier run whose lookup missed it
            return Outcome(source, "duplicate", mid, tid, detail="already taken", paths=self.paths_for(mid, tid))
        at = self._when(msg)
        eid = event_id_from(at, "mail:" + mid)
        files = att.plan(msg.attachments, root=self.root, tickets_dir=self.store_tickets_dir(), ticket_id=tid,
                         event_id=eid, max_bytes=self.max_bytes)
        title = clean_subject(msg.subject, self.prefix)
        if not title:
            first = next((line.strip() for line in msg.body.split("\n") if line.strip()), "")
            title = truncate(first, 80, "...") or "(no subject)"
        desk = Desk(self.store, self.config, msg.sender)
        fields = desk.check_fields({"title": truncate(title, 297, "..."), "team": self.config["default_team"], "tier": 1,
                                    "channel": "email" if "email" in self.config.channels else None,
                                    "priority": self.config.default_priority})  # mail has none: start its clock
        description = self._body_with_files(msg.body, files) or "(no text)"
        requester = {"email": msg.from_email}
        if msg.from_name and msg.from_name.lower() != msg.from_email.lower():
            requester = {"name": msg.from_name.replace("<", "").replace(">", "").strip(), "email": msg.from_email}
        answers = request_answers(self.config, msg.body)  # a request written from the site's template
        fields.update(desk.check_fields({k: answers[k] for k in ("category", "impact", "urgency") if k in answers}))
        changes = {"status": self.config["initial_status"], **{k: v for k, v in fields.items() if v is not None},
                   "description": description, "requester": requester}
        add: dict[str, list[str]] = {"message_ids": [mid]}
        saved = [f.rel for f in files if f.rel is not None]  # rel is set exactly for saved files
        if saved:
            add["attachments"] = saved
        if "article" in answers:
            add["kb"] = [answers["article"]]
            changes["source_article"] = answers["article"]  # opened from its "Still stuck?" link: the KB figures count it
        if follow_up is not None:
            add["related"] = [follow_up.id]
        if msg.auto_submitted:
            add["tags"] = ["auto-generated"]
        event = Event(id=eid, ticket=tid, at=at, by=msg.sender, action="new", set=changes, add=add, reason=reason)
        action = "follow-up" if follow_up is not None else "new"
        detail = f'"{fields["title"]}" from {msg.from_email}'
        if follow_up is not None:
            detail += f" (follow-up to closed {self.prefix}-{follow_up.id})"
        elif reason:
            detail += f" ({reason.removeprefix('Opened from email: ').rstrip('.')})"
        paths = self._write(event, files)
        return Outcome(source, action, mid, tid, detail=detail, event=event, paths=paths)

    def _status_since(self, ticket: Ticket) -> datetime:
        """When the ticket entered its current status (its creation if it never changed)."""
        since = ticket.created_at
        for entry in ticket.history:
            if "status" in (entry.get("set") or {}):
                since = entry["at"]
        return parse_time(since)

    def _reply(self, msg: ParsedMessage, source: str, ticket: Ticket) -> Outcome:
        mid = msg.message_id
        text = msg.reply_text()
        from_requester = same_person(msg.sender, ticket.requester) or (
            (ticket.requester or {}).get("email", "").lower() == msg.from_email.lower())
        at = max(self._when(msg), parse_time(ticket.created_at) + EPSILON)
        changes: dict = {}
        reason = None
        rating = rating_in(text) if ticket.status == "resolved" and from_requester else None
        action = "comment"
        new_status = None
        if rating is None:
            if ticket.status == "resolved" and self.config.can_transition("resolved", self.config["reopen_status"]):
                new_status = self.config["reopen_status"]
                reason = "The requester replied by email." if from_requester else "A reply by email reopened the ticket."
            elif ticket.status in self.config.pausing_statuses and from_requester:
                new_status = self.config["reopen_status"]
            elif ticket.status == "new" and not from_requester and "open" in self.config.statuses:
                new_status = "open"
        if new_status and new_status != ticket.status:
            changes["status"] = new_status
            # the change must come after the one it undoes, in every clone: derive from that
            at = max(at, self._status_since(ticket) + EPSILON)
        eid = event_id_from(at, "mail:" + mid)
        files = att.plan(msg.attachments, root=self.root, tickets_dir=self.store_tickets_dir(), ticket_id=ticket.id,
                         event_id=eid, max_bytes=self.max_bytes)
        add: dict[str, list[str]] = {"message_ids": [mid]}
        saved = [f.rel for f in files if f.rel is not None]  # rel is set exactly for saved files
        if saved:
            add["attachments"] = saved
        if rating is not None:
            stars, rest = rating
            satisfaction: dict[str, Any] = {"rating": stars}
            rest = clean_text(self._body_with_files(rest, files))
            if rest:
                satisfaction["comment"] = truncate(rest, MAX_RATING_COMMENT, " [...]")
            event = Event(id=eid, ticket=ticket.id, at=at, by=msg.sender, action="rate",
                          set={"satisfaction": satisfaction}, add=add)
            action, detail = "rate", f"rated {stars}/5 by {msg.from_email}"
        else:
            body = self._body_with_files(text, files) or "(no text)"
            comment = {"body": body, "public": True, "via": "email", "message_id": mid}
            event = Event(id=eid, ticket=ticket.id, at=at, by=msg.sender, action="comment", set=changes, add=add,
                          comment=comment, reason=reason)
            detail = f"reply from {msg.from_email}"
            if changes.get("status"):
                detail += f" ({ticket.status} -> {changes['status']})"
        reopened = ticket.status == "resolved" and changes.get("status") not in (None, "resolved")
        paths = self._write(event, files)
        return Outcome(source, action, mid, ticket.id, detail=detail, reopened=reopened, event=event, paths=paths)

    # -- files -----------------------------------------------------------------------------
    def store_tickets_dir(self) -> Path:
        return self.store.tickets_dir

    def paths_for(self, mid: str, ticket_id: str) -> list[Path]:
        """Files an earlier run wrote for message ``mid`` (to commit what a crash left behind)."""
        if self.dry_run or not self.store.file_backed:
            return []
        out: list[Path] = []
        try:
            events = self.store.events(ticket_id)
        except GitdeskError:
            return []
        for event in events:
            if mid in (event.add.get("message_ids") or ()):
                out.extend(p for p in (self.store.path_of(event),) if p is not None)
                for rel in event.add.get("attachments") or ():
                    path = self.root / rel
                    if path.is_file():
                        out.append(path)
        return out
