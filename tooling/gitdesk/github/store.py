"""GitHub issues as the ticket store (``backend: github``).

Each issue is a ticket; the ticket is derived from the issue, its comments and gitdesk's record
comment by :func:`gitdesk.github.mapping.derive`, so it has the same shape as a YAML ticket
(comments, history, created/updated/resolved times) and SLA clocks and metrics work unchanged.
Every change ``gitdesk.operations.Desk`` makes becomes GitHub writes: labels, state, assignee
and body sections in one PATCH, a public comment with a hidden event marker, one line in the
record comment. What must not be public -- internal notes and satisfaction ratings -- is kept
as ordinary event files in the repository's ``tickets/`` folder and merged in when reading.

Reads go through a local mirror (``.gitdesk/github/``) refreshed with ``since`` and ETags, so
``ticket list`` costs two requests when nothing changed; a ticket about to be changed is always
read fresh (its issue and its comments, conditionally). The mapping is described for users in
``GITHUB.md`` next to this file.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from gitdesk.config import Config
from gitdesk.errors import AmbiguousIdError, ConfigError, NotFoundError, UsageError, ValidationError
from gitdesk.github import mapping as m
from gitdesk.github.client import DEFAULT_API_URL, GitHubClient, WriteOutcomeUnknown, split_repository, token_from_env
from gitdesk.github.feedback import is_feedback_issue
from gitdesk.github.mirror import Mirror
from gitdesk.model.event import Event
from gitdesk.model.ids import is_ticket_id, normalize_ref
from gitdesk.model.reducer import reduce_events
from gitdesk.model.ticket import Ticket
from gitdesk.repo import Repo
from gitdesk.store.base import Filters, TicketStore, Written, sort_key

if TYPE_CHECKING:
    from gitdesk.store.files import FileStore

ISSUE_REF_RE = re.compile(r"#(\d{1,10})|(\d{1,10})|.*/issues/(\d{1,10})/?")
PRIVATE_ACTIONS = ("rate",)
DERIVATION_VERSION = "1"  # bump when gitdesk.github.mapping derives tickets differently


def repository_from(config: Config, environ: dict | None = None) -> str:
    """``github.repository``, or the repository a GitHub Actions run belongs to."""
    env = os.environ if environ is None else environ
    name = ((config.get("github") or {}).get("repository") or "").strip() or (env.get("GITHUB_REPOSITORY") or "").strip()
    if not name:
        raise ConfigError("no GitHub repository: set github.repository (owner/name)", path="helpdesk.yml",
                          field="github.repository")
    split_repository(name)
    return name


def api_url_from(config: Config, environ: dict | None = None) -> str:
    """``github.api_url``; in GitHub Actions on an Enterprise Server, the runner's API URL."""
    env = os.environ if environ is None else environ
    url = ((config.get("github") or {}).get("api_url") or "").strip() or DEFAULT_API_URL
    if url.rstrip("/") == DEFAULT_API_URL and env.get("GITHUB_API_URL"):
        url = env["GITHUB_API_URL"].strip()
    return url


def client_from_config(config: Config, environ: dict | None = None) -> GitHubClient:
    """A client for the configured repository; the token only from GITHUB_TOKEN or GH_TOKEN."""
    return GitHubClient(api_url_from(config, environ), repository_from(config, environ), token_from_env(environ))


def cache_folder(repo: Repo, client: GitHubClient) -> Path:
    host = re.sub(r"[^A-Za-z0-9.-]", "_", client.host)
    return repo.cache_dir / "github" / host / f"{client.owner}__{client.name}".lower()


class GitHubStore(TicketStore):
    """Tickets as the issues of one GitHub repository."""

    def __init__(self, repo: Repo, config: Config, client: GitHubClient):
        self.repo = repo
        self.config = config
        self.client = client
        self.ctx = m.Context(config, client.full_name, m.form_labels(repo.root), kb_paths=_kb_paths(repo, config))
        self.mirror = Mirror(cache_folder(repo, client) / "store.sqlite3", client)
        self._refreshed = False
        self._fresh: dict[int, tuple[dict, list[dict]]] = {}  # issues read fresh in this process
        self._private_store: FileStore | None = None
        self.tickets_dir = repo.tickets_dir  # internal notes and ratings stay event files

    @classmethod
    def from_config(cls, repo: Repo, config: Config, *, environ: dict | None = None) -> GitHubStore:
        return cls(repo, config, client_from_config(config, environ))

    # -- private events (internal notes, ratings) ----------------------------------------------
    @property
    def private(self) -> FileStore:
        if self._private_store is None:
            from gitdesk.store.files import FileStore

            self._private_store = FileStore(self.repo, self.config)
        return self._private_store

    def _private_events(self, ticket_id: str) -> list[Event]:
        if not self.repo.tickets_dir.exists():
            return []
        try:
            return self.private.events(ticket_id)
        except (NotFoundError, AmbiguousIdError, UsageError):
            return []

    def _all_private(self) -> dict[str, list[Event]]:
        if not self.repo.tickets_dir.exists():
            return {}
        out: dict[str, list[Event]] = {}
        for tid in self.private.all_ids():
            out[tid] = self.private.events(tid)
        return out

    # -- finding issues ------------------------------------------------------------------------
    def refresh(self, *, full: bool = False) -> None:
        """Bring the mirror up to date (once per command unless ``full``)."""
        if self._refreshed and not full:
            return
        self.mirror.refresh(full=full)
        self._refreshed = True

    def _number(self, ref: str) -> int:
        text = (ref or "").strip()
        match = ISSUE_REF_RE.fullmatch(text)
        if match:
            number = int(next(g for g in match.groups() if g))
            if text.startswith("#") or "/" in text or self._issue_exists(number):
                return number
        if is_ticket_id(text) and text in self._fresh_ids():
            return self._fresh_ids()[text]
        prefix = normalize_ref(text, self.config.id_prefix)
        if prefix is None:
            raise UsageError(f"not a ticket id or issue number: {ref!r}", field="ticket")
        rows = self.mirror.numbers_for_ticket(prefix)
        if not rows and not self._refreshed:
            self.refresh()
            rows = self.mirror.numbers_for_ticket(prefix)
        if not rows:
            raise NotFoundError(f"no ticket matches {ref!r} in {self.client.full_name}", field="ticket")
        if len(rows) > 1:
            shown = ", ".join(r[0] for r in rows[:5])
            raise AmbiguousIdError(f"{ref!r} matches several tickets ({shown}): type more characters", field="ticket")
        return rows[0][1]

    def _fresh_ids(self) -> dict[str, int]:
        return {m.ticket_id_for_issue(issue, self.client.full_name): n for n, (issue, _) in self._fresh.items()}

    def _issue_exists(self, number: int) -> bool:
        if number in self._fresh or self.mirror.issue(number) is not None:
            return True
        try:
            self._read(number)
            return True
        except NotFoundError:
            return False

    def read_issue(self, number: int) -> tuple[dict, list[dict]]:
        """The issue and its comments as GitHub has them now (for triage)."""
        return self._read(number)

    def _read(self, number: int) -> tuple[dict, list[dict]]:
        """The issue and all its comments, fresh (conditional requests: 304s cost nothing)."""
        if number in self._fresh:
            return self._fresh[number]
        mirror = self.mirror
        url = self.client.repo_path(f"/issues/{number}")
        cached = mirror.issue(number)
        etag = mirror.get_meta(f"etag:issue:{number}") if cached else None
        response = self.client.get(url, etag=etag)
        if response.not_modified and cached is not None:
            issue = cached
        else:
            issue = mirror.put_issue(response.data, m.ticket_id_for_issue(response.data, self.client.full_name))
            mirror.set_meta(f"etag:issue:{number}", response.etag)
        if issue.get("pull_request"):
            raise NotFoundError(f"#{number} is a pull request, not a ticket", field="ticket")
        comments_etag = mirror.get_meta(f"etag:comments:{number}")
        pages = list(self.client.pages(url + "/comments", etag=comments_etag))
        if pages and pages[0].not_modified:
            comments = mirror.comments_of(number)
        else:
            raw = [c for p in pages for c in (p.data or [])]
            comments = mirror.replace_comments(number, raw)
            if len(pages) == 1:  # a one-page answer can be asked again conditionally
                mirror.set_meta(f"etag:comments:{number}", pages[0].etag)
            else:
                mirror.set_meta(f"etag:comments:{number}", None)
        mirror.commit()
        self._fresh[number] = (issue, comments)
        return issue, comments

    # -- deriving ------------------------------------------------------------------------------
    def _derive(self, issue: dict, comments: list[dict], private: dict[str, list[Event]] | None = None) -> m.Derived:
        tid = m.ticket_id_for_issue(issue, self.client.full_name)
        extra = private.get(tid, []) if private is not None else self._private_events(tid)
        return m.derive(issue, comments, self.ctx, extra)

    def _ticket(self, issue: dict, comments: list[dict], private=None) -> Ticket:
        return Ticket(reduce_events(self._derive(issue, comments, private).events))

    # -- TicketStore ---------------------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        number = self._number(ref)
        issue = self._fresh[number][0] if number in self._fresh else self.mirror.issue(number)
        if issue is None:
            issue, _ = self._read(number)
        return m.ticket_id_for_issue(issue, self.client.full_name)

    def exists(self, ticket_id: str) -> bool:
        # a fresh random id is checked against what is known locally: no request for it
        return bool(self.mirror.numbers_for_ticket(ticket_id)) or ticket_id in self._fresh_ids()

    def get(self, ref: str) -> Ticket:
        issue, comments = self._read(self._number(ref))
        return self._ticket(issue, comments)

    def events(self, ref: str) -> list[Event]:
        issue, comments = self._read(self._number(ref))
        return self._derive(issue, comments).events

    def _everything(self) -> Iterator[Ticket]:
        """Every ticket; derived tickets are cached by a hash of what they are derived from."""
        self.refresh()
        private = self._all_private()
        private_keys = {tid: ",".join(e.id for e in events) for tid, events in private.items()}
        cached = self.mirror.derived()
        salt = self._cache_salt()
        for number, issue_text, comment_texts in self.mirror.raw_rows():
            issue = json.loads(issue_text)
            if is_feedback_issue(issue):  # a reader's vote on an article, never a ticket (github/feedback)
                continue
            tid = m.ticket_id_for_issue(issue, self.client.full_name)
            digest = hashlib.sha256("\n".join([salt, issue_text, *comment_texts, private_keys.get(tid, "")]).encode())
            key = digest.hexdigest()
            hit = cached.get(number)
            if hit is not None and hit[0] == key:
                yield Ticket(json.loads(hit[1]))
                continue
            ticket = self._ticket(issue, [json.loads(c) for c in comment_texts], private)
            self.mirror.put_derived(number, key, json.dumps(ticket.to_dict()))
            yield ticket
        self.mirror.commit()

    def _cache_salt(self) -> str:
        """What derivation depends on besides the issue: the configuration, the form's headings,
        the KB's article paths and the mapping's own version."""
        parts = [json.dumps(self.config.raw, sort_keys=True, default=str), json.dumps(self.ctx.labels, sort_keys=True),
                 ",".join(sorted(self.ctx.kb_paths or ())), DERIVATION_VERSION]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def list(self, filters: Filters | None = None, sort: str = "created", reverse: bool = False,
             limit: int | None = None) -> list[Ticket]:
        try:
            key = sort_key(sort)
        except KeyError:
            raise UsageError(f"cannot sort by {sort!r}", field="sort") from None
        rows = [t for t in self._everything() if filters is None or filters.matches(t.to_dict())]
        rows.sort(key=lambda t: key(t.to_dict()), reverse=reverse)
        if limit is not None:
            rows = rows[: int(limit)]
        return [Ticket(t.summary()) for t in rows]

    def all(self, filters: Filters | None = None) -> Iterator[Ticket]:
        if filters is None:
            return self._everything()
        return (t for t in self._everything() if filters.matches(t.to_dict()))

    # -- writing -------------------------------------------------------------------------------
    def path_of(self, event: Event) -> Path | None:
        return self.private.path_of(event) if _is_private(event) else None

    def append(self, event: Event) -> Written:
        if event.action == "new":
            return Written(self._create(event), None)
        number = self._number(event.ticket)
        issue, comments = self._read(number)
        derived = self._derive(issue, comments)
        if derived.ticket_id != event.ticket:
            raise NotFoundError(f"issue #{number} is not ticket {event.ticket}", field="ticket")
        before = reduce_events(derived.events)
        after = reduce_events([*derived.events, event])
        changes = m.diff_fields(m.ticket_fields(after, self.ctx), m.ticket_fields(before, self.ctx), self.config)
        if "assignee" in changes and changes["assignee"] and not m.github_login(changes["assignee"]):
            raise ValidationError(f"on GitHub the assignee is a GitHub login, not {changes['assignee']!r}",
                                  field="assignee")
        patch = m.issue_patch(issue, changes, self.ctx, after=after)
        path = None
        if _is_private(event):  # first, so that nothing the requester must not see is lost if GitHub fails
            path = self.private.write_event(event)
        if event.comment is not None and event.comment.get("public", True):
            comments = [*comments, self._post_comment(number, event)]
        if patch:
            response = self.client.patch(self.client.repo_path(f"/issues/{number}"), patch.body)
            issue = self.mirror.put_issue(response.data, m.ticket_id_for_issue(response.data, self.client.full_name))
        if _needs_record(event) and not self._implied(issue, comments, event, after):
            comments = self._record(number, derived, comments, event)
        self.mirror.commit()
        self._fresh[number] = (issue, comments)
        return Written(self._ticket(issue, comments), path)

    def _implied(self, issue: dict, comments: builtins.list[dict], event: Event, after: dict) -> bool:
        """Does the issue, as it is now, already say everything ``event`` changed (e.g. a reply
        that opened a new ticket)? Then the record needs no line for it."""
        if event.action != "comment" or event.add or event.remove or event.reason or set(event.set) - {"status"}:
            return False
        derived = reduce_events(self._derive(issue, comments).events)
        return derived.get("status") == after.get("status")

    def _post_comment(self, number: int, event: Event) -> dict:
        comment = event.comment
        assert comment is not None  # the caller posts only events that carry a comment
        body = m.render_comment(comment["body"], event_id=event.id, by=event.by, via=comment.get("via"))
        url = self.client.repo_path(f"/issues/{number}/comments")
        try:
            data = self.client.post(url, {"body": body}).data
        except WriteOutcomeUnknown:
            data = self._find_comment(number, lambda c: (m.comment_marker(c) or {}).get("id") == event.id)
            if data is None:
                data = self.client.post(url, {"body": body}).data
        return self.mirror.put_comment({**data, "number": number})

    def _find_comment(self, number: int, test) -> dict | None:
        for comment in self.client.list_all(self.client.repo_path(f"/issues/{number}/comments")):
            if test(comment):
                return comment
        return None

    def _record(self, number: int, derived: m.Derived, comments: builtins.list[dict], event: Event) -> builtins.list[dict]:
        entry = m.record_entry(event)
        ref = f"{self.config.id_prefix}-{derived.ticket_id}"
        last = derived.record_comments[-1] if derived.record_comments else None
        if last is not None:
            body = m.render_record([*m.parse_record(last.get("body") or ""), entry], ref)
            if len(body) < m.MAX_BODY - 200:
                data = self.client.patch(self.client.repo_path(f"/issues/comments/{last['id']}"), {"body": body}).data
                updated = self.mirror.put_comment({**data, "number": number})
                return [updated if c.get("id") == last["id"] else c for c in comments]
        body = m.render_record([entry], ref)
        url = self.client.repo_path(f"/issues/{number}/comments")
        try:
            data = self.client.post(url, {"body": body}).data
        except WriteOutcomeUnknown:
            data = self._find_comment(number, lambda c: m.is_record_comment(c) and any(
                e.get("id") == event.id for e in m.parse_record(c.get("body") or "")))
            if data is None:
                data = self.client.post(url, {"body": body}).data
        return [*comments, self.mirror.put_comment({**data, "number": number})]

    def _create(self, event: Event) -> Ticket:
        ticket = reduce_events([event])
        if ticket.get("assignee") and not m.github_login(ticket["assignee"]):
            raise ValidationError(f"on GitHub the assignee is a GitHub login, not {ticket['assignee']!r}", field="assignee")
        payload = m.new_issue_payload(ticket, self.ctx)
        url = self.client.repo_path("/issues")
        try:
            data = self.client.post(url, payload).data
        except WriteOutcomeUnknown:
            data = self.find_issue_for(event.ticket)
            if data is None:
                data = self.client.post(url, payload).data
        issue = self.mirror.put_issue(data, m.ticket_id_for_issue(data, self.client.full_name))
        number = issue["number"]
        comments: list[dict] = []
        derived = m.derive(issue, comments, self.ctx)
        if derived.ticket_id != event.ticket:  # the token's user cannot write markers we trust
            raise ValidationError(
                f"issue #{number} was opened, but GitHub does not show its author as having write access "
                f"to {self.client.full_name}: gitdesk cannot recognise it as {event.ticket}", field="github.repository")
        if _new_needs_record(event, derived, self.ctx):
            comments = self._record(number, derived, comments, event)
        self.mirror.commit()
        self._fresh[number] = (issue, comments)
        return self._ticket(issue, comments)

    def find_issue_for(self, ticket_id: str, *, recent: int = 30) -> dict | None:
        """The issue opened for ``ticket_id`` among the most recent ones (after a lost answer)."""
        response = self.client.get(self.client.repo_path("/issues"),
                                   {"state": "all", "sort": "created", "direction": "desc", "per_page": recent})
        for issue in response.data or []:
            if isinstance(issue, dict) and m.trusted_marker_id(issue) == ticket_id:
                return issue
        return None


def _needs_record(event: Event) -> bool:
    """Everything but a plain comment (its GitHub comment is its record) and private events."""
    if event.action in PRIVATE_ACTIONS:
        return False
    return bool(event.set or event.add or event.remove or event.reason)


def _new_needs_record(event: Event, derived: m.Derived, ctx: m.Context) -> bool:
    """Does the opening carry anything the issue itself does not show (team, links, reason)?"""
    shown = reduce_events(derived.events)
    for key, value in event.set.items():
        if key in ("description", "external", "status", "requester"):
            continue
        if value is not None and shown.get(key) != value:
            return True
    return bool(event.reason or any(k != "tags" for k in event.add))


def _kb_paths(repo: Repo, config: Config) -> set[str]:
    from gitdesk.kb import is_article, kb_dir

    root = kb_dir(repo.root, config)
    if not root.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*.md") if is_article(p.relative_to(root).as_posix())}


def _is_private(event: Event) -> bool:
    """Kept as an event file, never shown on GitHub: ratings and internal notes."""
    return event.action in PRIVATE_ACTIONS or (event.comment is not None and not event.comment.get("public", True))
