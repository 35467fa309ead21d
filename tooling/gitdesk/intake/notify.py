"""Telling people about their tickets by email, each thing exactly once.

The notifier reads every ticket's history and works out what is owed: the requester hears when
their ticket is opened, gets a public reply, waits on them (pending), is resolved (with
reply-to-rate instructions) or closed; the assignee hears about an assignment and SLA warnings
(markers ``notify:X`` that :mod:`gitdesk.sla.escalation` adds to ``escalations``; the team's
agents when nobody is assigned). Internal notes are never part of any message. Nobody is told
about their own change, tickets opened by machines (``auto-generated``) get no mail, and changes
older than ``notifications.max_age`` are never sent.

Exactly once: each message sent is recorded in the ticket's history, after the SMTP server
accepted it, as a ``notify`` event adding ``<kind>:<event id>:<recipient hash>`` to the set
field ``notified`` (for SLA warnings also ``sla:X``, the SLA module's contract). What is in
``notified`` is never sent again. Messages go in order; a temporary failure (4xx, a dropped
connection) stops the run, so the next run starts where this one stopped. A permanent refusal
(5xx) for one message is recorded with the server's answer and not retried, as a mail server
would bounce it, so one bad address does not hold up everyone else's mail.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path

from gitdesk.config import Config, parse_duration
from gitdesk.errors import AuthError, ConfigError, RemoteError
from gitdesk.intake import templates as tpl
from gitdesk.model.event import Event, after_last, format_time, utcnow
from gitdesk.model.ids import new_event_id
from gitdesk.model.ticket import Ticket
from gitdesk.people import display_name, email_of, same_person
from gitdesk.textsafe import clean

REQUESTER_KINDS = ("opened", "public_reply", "pending", "resolved", "closed")
SLA_NOTIFY = "notify:"
SLA_NOTIFIED = "sla:"
TIMEOUT = 60


def recipient_hash(address: str) -> str:
    """A short, stable stand-in for an address in the history (no personal data in markers)."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[:12]


@dataclass
class Notification:
    """One message owed to one person about one change."""

    kind: str
    ticket: str
    event: str  # the event id (or SLA marker) the message is about
    at: str  # when that change happened
    to_name: str
    to_email: str
    keys: list[str]  # recorded in ``notified`` once sent
    subject: str = ""
    body: str = ""
    message_id: str = ""
    references: list[str] = field(default_factory=list)
    status: str = "due"  # due, sent, refused, failed
    detail: str = ""

    @property
    def key(self) -> str:
        return self.keys[0]

    def to_dict(self, prefix: str) -> dict:
        return {"kind": self.kind, "ticket": self.ticket, "ref": f"{prefix}-{self.ticket}", "event": self.event,
                "at": self.at, "to": formataddr((self.to_name, self.to_email)) if self.to_name else self.to_email,
                "subject": self.subject, "key": self.key, "status": self.status, "detail": self.detail,
                "message_id": self.message_id, "body": self.body}


class Planner:
    """Works out which notifications are owed (see the module docstring)."""

    def __init__(self, config: Config, root: Path | None, *, now: datetime):
        self.config = config
        self.root = root
        self.now = now
        settings = config.get("notifications") or {}
        self.kinds = set(settings.get("events") or ())
        self.oldest = format_time(now - timedelta(seconds=parse_duration(settings.get("max_age") or "3d")))
        self.desk_address = (config["mail"].get("address") or "").lower()
        self.domain = self.desk_address.rpartition("@")[2] or "gitdesk.invalid"
        self.language = config.language
        self._templates: dict[tuple[str, str], tpl.Template] = {}
        self._agents = {}
        for team_id, team in config.teams.items():
            self._agents[team_id] = [a for a in team.get("agents", []) if email_of(a)]

    # -- people ----------------------------------------------------------------------------
    def _agent_address(self, who: str | None) -> tuple[str, str] | None:
        """(name, email) of an assignee: their own address, or a configured agent's by name."""
        if not who:
            return None
        address = email_of(who)
        if address:
            return display_name(who), address
        low = who.strip().lower()
        for agents in self._agents.values():
            for agent in agents:
                if display_name(agent).lower() == low:
                    return display_name(agent), email_of(agent)
        return None

    def _template(self, kind: str, language: str | None = None) -> tpl.Template:
        language = language or self.language
        if (kind, language) not in self._templates:
            self._templates[(kind, language)] = tpl.load(self.root, self.config, "mail", kind, language)
        return self._templates[(kind, language)]

    def _language(self, note: Notification, ticket: Ticket) -> str:
        """The requester's own language (requester.language) for mail to them, else the desk's."""
        requester = ticket.requester or {}
        wanted = requester.get("language") if note.kind in REQUESTER_KINDS else None
        return wanted if wanted in tpl.LANGUAGES else self.language

    # -- planning --------------------------------------------------------------------------
    def for_ticket(self, ticket: Ticket) -> list[Notification]:
        data = ticket.to_dict()
        done = set(data.get("notified") or ())
        requester = data.get("requester") or {}
        req_email = (requester.get("email") or "").strip()
        machine = "auto-generated" in (data.get("tags") or ())
        comments = {c["id"]: c for c in data.get("comments") or ()}
        out: list[Notification] = []
        assignee: str | None = None
        first_mid = None
        for entry in data.get("history") or ():
            action = entry["action"]
            changes = entry.get("set") or {}
            if action == "new" and first_mid is None:
                first_mid = ((entry.get("add") or {}).get("message_ids") or [None])[0]
            previous_assignee, assignee = assignee, changes.get("assignee", assignee)
            if action in ("notify", "import", "sync") or entry["at"] < self.oldest:
                continue
            by = entry.get("by") or ""
            comment = comments.get(entry["id"]) if entry.get("comment") == "public" else None
            kind = None
            if action == "new":
                kind = "opened"
            elif "from" in entry and changes.get("status") in self.config.pausing_statuses:
                kind = "pending"
            elif "from" in entry and changes.get("status") in ("resolved", "closed"):
                kind = changes["status"]
            elif comment is not None and not same_person(by, requester):
                kind = "public_reply"
            # the acknowledgement goes out even when the requester opened the ticket themselves
            if kind and req_email and not machine and (kind == "opened" or not self._is_self(by, req_email)):
                out.append(self._make(kind, ticket, entry, requester.get("name") or "", req_email,
                                      comment=comment["body"] if comment else "", done=done))
            if changes.get("assignee") and changes["assignee"] != previous_assignee:
                person = self._agent_address(changes["assignee"])
                if person and not self._is_self(by, person[1]):
                    out.append(self._make("assigned", ticket, entry, person[0], person[1], done=done))
            for marker in (entry.get("add") or {}).get("escalations") or ():
                if marker.startswith(SLA_NOTIFY):
                    out.extend(self._sla(ticket, entry, marker[len(SLA_NOTIFY):], done))
        for note in out:
            note.references = [first_mid] if first_mid else []
        return [n for n in out if n.kind in self.kinds and not (set(n.keys[:1]) & done)]

    def _is_self(self, by: str, address: str) -> bool:
        return email_of(by) == address.lower() or address.lower() == self.desk_address

    def _sla(self, ticket: Ticket, entry: dict, marker: str, done: set[str]) -> list[Notification]:
        if SLA_NOTIFIED + marker in done:
            return []
        people = []
        person = self._agent_address(ticket.assignee)
        if person:
            people = [person]
        else:
            people = [(display_name(a), email_of(a)) for a in self._agents.get(ticket.team or "", [])]
        notes = []
        for i, (name, address) in enumerate(people):
            note = self._make("sla_warning", ticket, entry, name, address, done=done, event=marker,
                              detail=entry.get("reason") or marker)
            if i == len(people) - 1:  # the SLA module's marker, once everyone has it
                note.keys.append(SLA_NOTIFIED + marker)
            notes.append(note)
        return notes

    def _make(self, kind: str, ticket: Ticket, entry: dict, name: str, address: str, *, done: set[str],
              comment: str = "", event: str | None = None, detail: str = "") -> Notification:
        about = event or entry["id"]
        key = f"{kind}:{about}:{recipient_hash(address)}"
        safe_about = "".join(c if c.isalnum() else "-" for c in about)
        return Notification(kind=kind, ticket=ticket.id, event=about, at=entry["at"], to_name=name, to_email=address,
                            keys=[key], message_id=f"<gitdesk.{ticket.id}.{kind}.{safe_about}.{recipient_hash(address)}@{self.domain}>",
                            detail=detail or comment)

    def render(self, note: Notification, ticket: Ticket) -> None:
        """Fill the subject and body of ``note`` from its template."""
        values = tpl.ticket_values(ticket, self.config, self.root)
        entry = next((h for h in ticket.history if h["id"] == note.event), None)
        values.update(
            greeting=tpl.greeting(self._language(note, ticket), note.to_name),
            recipient_name=note.to_name or note.to_email,
            actor_name=display_name(entry["by"]) if entry else self.config.name,
            comment=note.detail if note.kind in ("public_reply", "pending", "resolved", "closed") else "",
            description=ticket.description or "",
            sla_detail=note.detail if note.kind == "sla_warning" else "",
        )
        allowed = tpl.MAIL_KINDS[note.kind]
        language = self._language(note, ticket)
        subject, body = self._template(note.kind, language).render({k: v for k, v in values.items() if k in allowed})
        if note.kind == "opened" and not ticket.kb:
            body = self._with_suggestions(body, ticket, language)
        note.subject, note.body = subject, tpl.tidy(body)

    def _with_suggestions(self, body: str, ticket: Ticket, language: str) -> str:
        """The acknowledgement with the KB articles most likely to answer the ticket (hybrid
        search, on this machine), before its signature; unchanged when none or no KB."""
        from gitdesk.errors import GitdeskError
        from gitdesk.kb.suggest import suggest, ticket_text
        from gitdesk.languages import text

        if self.root is None or not (Path(self.root) / (self.config["kb"].get("dir") or "kb")).is_dir():
            return body
        try:
            if getattr(self, "_searcher", None) is None:
                from gitdesk.kb.search import Searcher

                self._searcher = Searcher(self.root, self.config)
            found = suggest(self.root, self.config, ticket_text(ticket.title, ticket.description), category=ticket.category,
                            limit=3, searcher=self._searcher)
        except GitdeskError:
            return body
        if not found:
            return body
        block = text("search.ack_suggestions", language) + "\n\n" + tpl.kb_lines(tpl.kb_articles(self.root, self.config, [r.path for r in found]))
        head, sep, signature = body.rstrip("\n").rpartition("\n\n")
        return f"{head}\n\n{block}\n\n{signature}\n" if sep else f"{body.rstrip()}\n\n{block}\n"


def plan(store, config: Config, root: Path | None, *, now: datetime | None = None) -> list[tuple[Notification, Ticket]]:
    """Every notification owed now, in ticket then history order, rendered."""
    now = now or utcnow()
    planner = Planner(config, root, now=now)
    out = []
    for ticket in store.all():  # one pass (a get per recent ticket costs a cache check each)
        if (ticket.updated_at or "") < planner.oldest:
            continue
        for note in planner.for_ticket(ticket):
            planner.render(note, ticket)
            out.append((note, ticket))
    return out


def build_message(note: Notification, config: Config) -> EmailMessage:
    msg = EmailMessage()
    address = config["mail"].get("address") or ""
    msg["From"] = formataddr((config.name, address))
    name = " ".join(clean(note.to_name or "", multiline=False).split())  # names typed by people: no controls in headers
    msg["To"] = formataddr((name, note.to_email)) if name else note.to_email
    msg["Subject"] = note.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = note.message_id
    if note.references:
        msg["In-Reply-To"] = note.references[-1]
        msg["References"] = " ".join(note.references)
    msg["Reply-To"] = address
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders must not answer
    msg["X-Auto-Response-Suppress"] = "All"  # Exchange's out-of-office replies
    msg["X-Gitdesk-Ticket"] = f"{config.id_prefix}-{note.ticket}"
    msg.set_content(note.body)
    return msg


class Mailer:
    """An SMTP session from ``mail.smtp`` (password only from the variable in password_env)."""

    def __init__(self, settings: dict, *, environ: dict | None = None):
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self.conn: smtplib.SMTP | None = None

    def open(self) -> Mailer:
        host = self.settings.get("host") or ""
        if not host:
            raise ConfigError("no SMTP server: set mail.smtp.host", path="helpdesk.yml", field="mail.smtp.host")
        tls = bool(self.settings.get("tls"))
        port = int(self.settings.get("port") or (465 if tls else 587))
        where = f"{host}:{port}"
        user = self.settings.get("user") or ""
        password = ""
        if user:
            var = self.settings.get("password_env") or ""
            password = (self.environ.get(var) if var else None) or ""
            if not password:
                raise AuthError(f"the environment variable {var or '(mail.smtp.password_env)'} is not set", field="mail.smtp")
        conn: smtplib.SMTP
        try:
            if tls:
                conn = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(host, port, timeout=TIMEOUT)
                if self.settings.get("starttls", True):
                    conn.ehlo()
                    if not conn.has_extn("starttls"):
                        conn.quit()
                        raise RemoteError(f"the SMTP server {where} does not offer STARTTLS (set mail.smtp.starttls: false "
                                          "only for a server on this machine)", field="mail.smtp.starttls")
                    conn.starttls(context=ssl.create_default_context())
        except (OSError, smtplib.SMTPException) as exc:
            raise RemoteError(f"cannot connect to the SMTP server {where}: {_reason(exc)}", field="mail.smtp") from None
        if user:
            try:
                conn.login(user, password)
            except smtplib.SMTPAuthenticationError as exc:
                _quit(conn)
                raise AuthError(f"the SMTP server {where} refused the login for {user}: {_reason(exc)}", field="mail.smtp") from None
            except (OSError, smtplib.SMTPException) as exc:
                _quit(conn)
                raise RemoteError(f"SMTP login at {where} failed: {_reason(exc)}", field="mail.smtp") from None
        self.conn = conn
        return self

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Send one message; raise :class:`Refused` (permanent) or :class:`RemoteError` (temporary)."""
        try:
            assert self.conn is not None, "send() before open()"
            refused = self.conn.send_message(msg, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPNotSupportedError as exc:  # e.g. an address that needs SMTPUTF8
            raise Refused(f"refused: {_reason(exc)}", field="mail.smtp") from None
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (0, b""))
            raise _classify(code, text) from None
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            raise _classify(exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise RemoteError(f"SMTP: {_reason(exc)}", field="mail.smtp") from None
        if refused:  # pragma: no cover - one recipient: refusals raise above
            code, text = next(iter(refused.values()))
            raise _classify(code, text)

    def close(self) -> None:
        if self.conn is not None:
            _quit(self.conn)
            self.conn = None


class Refused(RemoteError):
    """The SMTP server refused one message for good (a 5xx answer)."""


def _classify(code: int, text) -> RemoteError:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    line = f"{code} {text}".strip()[:200]
    if 500 <= int(code or 0) < 600:
        return Refused(f"refused by the SMTP server: {line}", field="mail.smtp")
    return RemoteError(f"the SMTP server answered {line}", field="mail.smtp")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return (str(exc) or type(exc).__name__)[:200]


def _quit(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        try:
            conn.close()
        except OSError:
            pass


@dataclass
class Report:
    notes: list[Notification] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    error: RemoteError | None = None

    def count(self, status: str) -> int:
        return sum(1 for n in self.notes if n.status == status)


def send_all(store, config: Config, root: Path | None, actor: str, *, dry_run: bool = False,
             now: datetime | None = None, environ: dict | None = None,
             mailer_factory: Callable[[dict], Mailer] | None = None) -> Report:
    """Send what is owed, recording each message once accepted (see the module docstring).

    Never raises for a send failure: the report carries the error and what was sent before it,
    so the caller can commit those records and then fail.
    """
    report = Report()
    if not (config.get("notifications") or {}).get("enabled", True):
        return report
    now = now or utcnow()
    owed = plan(store, config, root, now=now)
    report.notes = [n for n, _ in owed]
    if dry_run or not owed:
        return report
    mailer = (mailer_factory or (lambda s: Mailer(s, environ=environ)))(config["mail"].get("smtp") or {})
    sender = config["mail"].get("address") or ""
    last: dict[str, str] = {}
    try:
        mailer.open()
        for note, ticket in owed:
            try:
                try:
                    msg = build_message(note, config)
                except (ValueError, TypeError) as exc:  # e.g. an address no mail system accepts
                    raise Refused(f"cannot build the message: {exc}", field="mail") from None
                mailer.send(msg, sender, note.to_email)
                note.status = "sent"
            except Refused as exc:
                note.status, note.detail = "refused", exc.message
            except RemoteError as exc:
                note.status, note.detail = "failed", exc.message
                report.error = exc
                break
            at = utcnow()
            at = after_last(at, last.get(ticket.id) or ticket.updated_at)
            event = Event(id=new_event_id(at), ticket=ticket.id, at=at, by=actor, action="notify",
                          add={"notified": list(note.keys)},
                          reason=note.detail if note.status == "refused" else None)
            store.append(event)
            last[ticket.id] = format_time(at)
            report.events.append(event)
    except RemoteError as exc:  # connecting or logging in
        report.error = exc
    finally:
        mailer.close()
    return report
