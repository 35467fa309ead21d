"""``gitdesk sync``: issues into the YAML store and YAML tickets out as issues, both ways.

Pull, then push:

1. **Pull.** The sync mirror (``.gitdesk/github/.../sync.sqlite3``) fetches the issues and
   comments changed since the last run (two conditional requests when nothing changed). An issue
   new to the store becomes a ticket with every event derived from it; an issue already linked
   to a ticket adds the comments the ticket lacks and one ``sync`` event with the fields changed
   *on GitHub* since the last sync (a three-way comparison with the issue as it was then, so a
   local change not yet pushed is never overwritten by the stale GitHub value; a real conflict
   is settled by the reducer's last-writer-wins order).
2. **Push.** Every YAML ticket that changed since it was last pushed (open tickets by default)
   is compared with its issue: changed fields go out in one PATCH, public comments the issue
   lacks are posted with a hidden event marker. A ticket without an issue gets one, with a
   hidden ``<!-- gitdesk:ticket=ID -->`` marker, and the link is recorded as a ``sync`` event
   with ``external: {source: github, number, url}``.

Idempotent and crash-safe: every event derived from GitHub has a deterministic id (a re-import
writes nothing twice); a mirror row is stored only after its events are written, and the
``since`` mark only after the whole pull; before creating an issue the sync looks for one with
the ticket's marker (the pull adopts such an issue too), so a crash between "issue created" and
"link recorded" never leads to a second issue; comments are found again by their event marker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from gitdesk.config import Config
from gitdesk.errors import NotFoundError, ValidationError
from gitdesk.github import mapping as m
from gitdesk.github.client import GitHubClient, WriteOutcomeUnknown
from gitdesk.github.feedback import is_feedback_issue, take_feedback_issue
from gitdesk.github.mirror import Changes, Mirror
from gitdesk.github.store import cache_folder
from gitdesk.kb import article_paths
from gitdesk.model.event import Event, after_last, format_time, parse_time, utcnow
from gitdesk.model.ids import event_id_from, ticket_id_from
from gitdesk.model.reducer import reduce_events
from gitdesk.repo import Repo
from gitdesk.store import open_files

BATCH = 200  # issues whose events are written (and mirror rows stored) together


@dataclass
class SyncReport:
    repository: str = ""
    tickets_created: int = 0  # YAML tickets made from issues
    tickets_updated: int = 0  # YAML tickets that received events from GitHub
    comments_imported: int = 0
    issues_created: int = 0
    issues_updated: int = 0
    comments_exported: int = 0
    links_recorded: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    events_written: int = 0
    requests: int = 0
    write_requests: int = 0
    paths: list[str] = field(default_factory=list)
    feedback_recorded: int = 0  # readers' votes taken from kb-feedback issues (never tickets)
    feedback_refused: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("paths")
        return data


Progress = Callable[[str, int], Any]


@contextmanager
def _no_progress(label: str, length: int) -> Iterator[Any]:
    class _Bar:
        def update(self, n: int) -> None:
            pass

    yield _Bar()


def _fingerprint(ticket: dict) -> str:
    history = ticket.get("history") or []
    return f"{len(history)}:{ticket.get('updated_at')}:{history[-1]['id'] if history else ''}"


class SyncEngine:
    """Two-way sync between ``repo``'s YAML store and ``client``'s repository."""

    def __init__(self, repo: Repo, config: Config, client: GitHubClient, actor: str, *,
                 progress: Progress | None = None, include_closed: bool = False):

        self.repo = repo
        self.config = config
        self.client = client
        self.actor = actor
        self.files = open_files(repo, config)
        self.mirror = Mirror(cache_folder(repo, client) / "sync.sqlite3", client)
        self.ctx = m.Context(config, client.full_name, m.form_labels(repo.root), kb_paths=article_paths(repo.root, config))
        self.progress = progress or _no_progress
        self.include_closed = include_closed
        self.report = SyncReport(repository=client.full_name)
        self.tickets: dict[str, dict] = {}
        self.by_number: dict[int, str] = {}

    # -- the YAML side ---------------------------------------------------------------------------
    def _load_tickets(self) -> None:
        self.tickets = {}
        self.by_number = {}
        for ticket in self.files.all():
            data = ticket.to_dict()
            self.tickets[data["id"]] = data
            number = self._linked_number(data)
            if number is not None:
                self.by_number.setdefault(number, data["id"])

    def _linked_number(self, ticket: dict) -> int | None:
        ext = ticket.get("external") or {}
        if ext.get("source") != "github" or not isinstance(ext.get("number"), int):
            return None
        repo_of = str(ext.get("id") or "").split("#", 1)[0]
        return ext["number"] if repo_of.lower() == self.client.full_name.lower() else None

    def _write(self, events: list[Event], *, refresh: bool = True) -> int:
        """Append events to the YAML store (existing ones are skipped)."""
        if not events:
            return 0
        paths = self.files.append_many(events, durable=False)  # one flush below, not one fsync per file
        if paths:
            os.sync()
        self.report.events_written += len(paths)
        self.report.paths.extend(str(p) for p in paths)
        if refresh:
            for tid in {e.ticket for e in events}:
                try:
                    self.tickets[tid] = self.files.get(tid).to_dict()
                except NotFoundError:  # pragma: no cover - just written
                    pass
        return len(paths)

    # -- run -------------------------------------------------------------------------------------
    def run(self, *, pull: bool = True, push: bool = True, full: bool = False) -> SyncReport:
        before, writes = self.client.requests, self.client.writes
        try:
            self._load_tickets()
            if pull:
                self.pull(full=full)
            if push:
                self.push()
        finally:
            self.report.requests = self.client.requests - before
            self.report.write_requests = self.client.writes - writes
            self.mirror.commit()
        return self.report

    # -- pull ------------------------------------------------------------------------------------
    def pull(self, *, full: bool = False) -> None:
        changes = self.mirror.fetch(full=full)
        issues = {i["number"]: i for i in changes.issues}
        fresh_comments: dict[int, list[dict]] = {}
        for comment in changes.comments:
            if comment.get("number") is not None:  # only ever looked up by an issue number
                fresh_comments.setdefault(comment["number"], []).append(comment)
        numbers = sorted(n for n in changes.numbers if n is not None)
        written = 0
        with self.progress("Importing issues", len(numbers)) as bar:
            for start in range(0, len(numbers), BATCH):
                batch = numbers[start:start + BATCH]
                events: list[Event] = []
                for number in batch:
                    issue = issues.get(number) or self.mirror.issue(number)
                    if issue is None or issue.get("pull_request"):
                        continue
                    comments = {c["id"]: c for c in self.mirror.comments_of(number)}
                    comments.update({c["id"]: c for c in fresh_comments.get(number, [])})
                    if number not in self.by_number and is_feedback_issue(issue):  # a vote, not a ticket
                        self._take_feedback(issue, list(comments.values()))
                        continue
                    events.extend(self._pull_issue(issue, sorted(comments.values(), key=lambda c: c["id"])))
                written += self._write(events, refresh=False)
                self.mirror.store(changes, numbers=set(batch))
                for number in batch:
                    issue = issues.get(number) or self.mirror.issue(number)
                    if issue is not None and not issue.get("pull_request") and number in self.by_number:
                        self._set_base(number, m.issue_fields(issue, self.ctx))
                self.mirror.commit()
                bar.update(len(batch))
        self.mirror.finish(changes)
        if written:  # the tickets as the store derives them now, for the push (one cache refresh)
            self._load_tickets()

    def _take_feedback(self, issue: dict, comments: list[dict]) -> None:
        """A feedback issue: its vote recorded (or refused), the issue closed (github/feedback)."""
        done = take_feedback_issue(self.repo.root, self.config, self.client, issue, comments)
        if done["action"] == "feedback":
            self.report.feedback_recorded += 1
            self.report.paths.append(done["path"])
        elif done["action"] == "refused":
            self.report.feedback_refused.append(f"#{issue['number']}: {done['detail']}")

    def _ticket_for(self, issue: dict) -> tuple[str, bool]:
        """(ticket id, already in the store) for an issue."""
        number = issue["number"]
        if number in self.by_number:
            return self.by_number[number], True
        marker = m.trusted_marker_id(issue)
        if marker and marker in self.tickets:
            linked = self._linked_number(self.tickets[marker])
            if linked is None or linked == number:
                return marker, True
            # the marker names a ticket that has its own issue: this one is a copy, not that ticket
            return ticket_id_from(m.issue_seed(self.client.full_name, number)), False
        return m.ticket_id_for_issue(issue, self.client.full_name), False

    def _pull_issue(self, issue: dict, comments: list[dict]) -> list[Event]:
        number = issue["number"]
        tid, known = self._ticket_for(issue)
        if not known:
            derived = m.derive(issue, comments, self.ctx, ticket_id=tid)
            self.tickets[tid] = reduce_events(derived.events)
            self.by_number[number] = tid
            self.report.tickets_created += 1
            self.report.comments_imported += sum(1 for e in derived.events if e.action != "new" and e.comment)
            return derived.events
        ticket = self.tickets[tid]
        known_ids = {h["id"] for h in ticket.get("history") or []}
        events: list[Event] = []
        if self._linked_number(ticket) is None:  # adopted: an issue opened for it before a crash
            events.append(self._link_event(tid, issue))
            self.report.links_recorded += 1
        for comment in comments:
            if m.is_record_comment(comment):
                for entry in m.parse_record(comment.get("body") or ""):
                    event = m.entry_event(entry, tid, None, self.config.statuses)
                    if event is not None and event.id not in known_ids and event.action != "new":
                        events.append(event)
                        known_ids.add(event.id)
                continue
            event, _ = m.comment_event(comment, tid, self.client.full_name, number)
            if event.id not in known_ids:
                events.append(event)
                known_ids.add(event.id)
                self.report.comments_imported += 1
        events.extend(self._github_changes(tid, ticket, issue, events))
        if events:
            self.report.tickets_updated += 1
        return events

    def _github_changes(self, tid: str, ticket: dict, issue: dict, pending: list[Event]) -> list[Event]:
        """One event with the fields changed on GitHub since the last sync (three-way)."""
        base = self._base(issue["number"])
        if base is None:
            return []
        theirs = m.issue_fields(issue, self.ctx)
        ours = m.ticket_fields(reduce_events([*self._events_of(tid), *pending]) if pending else ticket, self.ctx)
        changed = {k: theirs[k] for k in m.ISSUE_FIELDS
                   if not m.same_value(k, theirs[k], base.get(k), self.config)
                   and not m.same_value(k, theirs[k], ours.get(k), self.config)}
        if not changed:
            return []
        seed = m.issue_seed(self.client.full_name, issue["number"])
        # GitHub's times have whole seconds, and whatever changed there changed after the last
        # sync saw the issue: never order a GitHub change before that moment
        seen = parse_time(base["_seen_at"]) + timedelta(microseconds=1) if base.get("_seen_at") else None
        updated = max(filter(None, [m.gh_time(issue.get("updated_at")), seen]))
        out: list[Event] = []
        status = changed.pop("status", None)
        closed_at = m.gh_time(issue.get("closed_at"))
        if status is not None and issue.get("state") == "closed" and closed_at and ours.get("status") not in self.config.closed_statuses:
            by = ((issue.get("closed_by") or {}).get("login")) or m.SYNC_ACTOR
            closed_at = max(filter(None, [closed_at, seen]))
            out.append(Event(id=event_id_from(closed_at, f"{seed}:closed:{issue.get('closed_at')}"), ticket=tid,
                             at=closed_at, by=by, action="resolve" if status == "resolved" else "close",
                             set={"status": status}))
        elif status is not None:
            changed["status"] = status
        add, remove = {}, {}
        if "tags" in changed:
            now, was, mine = set(changed.pop("tags") or []), set(base.get("tags") or []), set(ours.get("tags") or [])
            if (now - was) - mine:
                add["tags"] = sorted((now - was) - mine)
            if (was - now) & mine:
                remove["tags"] = sorted((was - now) & mine)
        if "tier" in changed and changed["tier"]:
            team = ticket.get("team")
            team_tier = (self.config.teams.get(team) or {}).get("tier") if team else None
            if team_tier is not None and int(team_tier) != changed["tier"]:
                changed["team"] = self.ctx.team_for(changed["tier"])
        if changed or add or remove:
            text = m.html_json([changed, add, remove])
            out.append(Event(id=event_id_from(updated, f"{seed}:sync:{issue.get('updated_at')}:{text}"), ticket=tid,
                             at=updated, by=m.SYNC_ACTOR, action="sync", set=changed, add=add, remove=remove))
        return out

    def _events_of(self, tid: str) -> list[Event]:
        try:
            return self.files.events(tid)
        except NotFoundError:
            return []

    def _link_event(self, tid: str, issue: dict) -> Event:
        at = m.gh_created(issue)
        ticket = self.tickets.get(tid) or {}
        at = after_last(at, ticket.get("updated_at"))  # after everything the ticket had when it was linked
        seed = f"{m.issue_seed(self.client.full_name, issue['number'])}:link:{tid}"
        return Event(id=event_id_from(at, seed), ticket=tid, at=at, by=self.actor, action="sync",
                     set={"external": m.external_for(issue, self.client.full_name)})

    # -- base snapshots --------------------------------------------------------------------------
    def _base(self, number: int) -> dict | None:
        row = self.mirror.con.execute("SELECT fields FROM base WHERE number=?", (number,)).fetchone()
        return json.loads(row[0]) if row else None

    def _set_base(self, number: int, fields: dict) -> None:
        fields = {**fields, "_seen_at": format_time(utcnow())}
        self.mirror.con.execute("INSERT OR REPLACE INTO base (number, fields) VALUES (?, ?)",
                                (number, json.dumps(fields, sort_keys=True)))

    def _pushed(self, tid: str) -> str | None:
        row = self.mirror.con.execute("SELECT fingerprint FROM pushed WHERE ticket_id=?", (tid,)).fetchone()
        return row[0] if row else None

    def _set_pushed(self, tid: str) -> None:
        self.mirror.con.execute("INSERT OR REPLACE INTO pushed (ticket_id, fingerprint) VALUES (?, ?)",
                                (tid, _fingerprint(self.tickets[tid])))

    # -- push ------------------------------------------------------------------------------------
    def push(self) -> None:
        todo = [t for tid, t in sorted(self.tickets.items()) if self._pushed(tid) != _fingerprint(t)]
        with self.progress("Exporting tickets", len(todo)) as bar:
            for i, ticket in enumerate(todo):
                writes = self.client.writes
                self._push_ticket(ticket)
                if self.client.writes != writes or i % 100 == 99:
                    self.mirror.commit()
                bar.update(1)
        self.report.unchanged = len(self.tickets) - len(todo)

    def _push_ticket(self, ticket: dict) -> None:
        tid = ticket["id"]
        if not ticket.get("title") or not any(h.get("action") in ("new", "import") for h in ticket.get("history") or []):
            return  # private events of a GitHub-backend ticket, not a ticket of this store
        number = self._linked_number(ticket)
        if number is None:
            issue = self._find_issue(tid)
            if issue is None:
                if not ticket.get("status") or (not self.include_closed and ticket.get("status") in self.config.closed_statuses):
                    self._set_pushed(tid)
                    return
                issue = self._create_issue(ticket)
                self.report.issues_created += 1
                base = None
            else:
                base = None  # adopted: what the ticket says wins
            self._write([self._link_event(tid, issue)])
            self.report.links_recorded += 1
            ticket = self.tickets[tid]
            number = issue["number"]
            self.by_number[number] = tid
        else:
            issue = self.mirror.issue(number)
            if issue is None:
                try:
                    issue = self._fetch_issue(number)
                except NotFoundError:
                    self.report.skipped.append(f"{tid}: issue #{number} is gone from {self.client.full_name}")
                    self._set_pushed(tid)
                    return
            base = self._base(number)
        issue = self._push_fields(ticket, issue, base)
        self._push_comments(ticket, issue)
        self._set_base(issue["number"], m.issue_fields(issue, self.ctx))
        self._set_pushed(tid)

    def _fetch_issue(self, number: int) -> dict:
        data = self.client.get(self.client.repo_path(f"/issues/{number}")).data
        return self.mirror.put_issue(data, m.ticket_id_for_issue(data, self.client.full_name))

    def _find_issue(self, tid: str) -> dict | None:
        """An issue already opened for ``tid`` (known to the mirror by its trusted marker)."""
        for _, number in self.mirror.numbers_for_ticket(tid):
            issue = self.mirror.issue(number)
            if issue is not None and m.trusted_marker_id(issue) == tid:
                return issue
        return None

    def _create_issue(self, ticket: dict) -> dict:
        payload = m.new_issue_payload(ticket, self.ctx)
        url = self.client.repo_path("/issues")
        try:
            data = self._post_issue(url, payload)
        except WriteOutcomeUnknown:
            found = self._recent_issue_for(ticket["id"])
            data = found if found is not None else self._post_issue(url, payload)
        return self.mirror.put_issue(data, ticket["id"])

    def _post_issue(self, url: str, payload: dict) -> dict:
        try:
            return self.client.post(url, payload).data
        except ValidationError:
            if "assignees" not in payload:
                raise
            self.report.skipped.append(f"{payload['assignees'][0]} cannot be assigned in {self.client.full_name}")
            return self.client.post(url, {k: v for k, v in payload.items() if k != "assignees"}).data

    def _recent_issue_for(self, tid: str) -> dict | None:
        response = self.client.get(self.client.repo_path("/issues"),
                                   {"state": "all", "sort": "created", "direction": "desc", "per_page": 30})
        for issue in response.data or []:
            if isinstance(issue, dict) and m.trusted_marker_id(issue) == tid:
                return issue
        return None

    def _push_fields(self, ticket: dict, issue: dict, base: dict | None) -> dict:
        ours = m.ticket_fields(ticket, self.ctx)
        theirs = m.issue_fields(issue, self.ctx)
        changes = m.diff_fields(ours, theirs, self.config)
        if base is not None:  # only what changed here since the last sync
            changes = {k: v for k, v in changes.items() if not m.same_value(k, ours.get(k), base.get(k), self.config)}
        if not m.trusted_marker_id(issue):  # a requester's own text is not rewritten
            for key in ("description", "requester"):
                changes.pop(key, None)
        if not changes:
            return issue
        patch = m.issue_patch(issue, changes, self.ctx, after=ticket)
        self.report.skipped.extend(f"{ticket['id']}: {s}" for s in patch.skipped)
        if not patch:
            return issue
        url = self.client.repo_path(f"/issues/{issue['number']}")
        try:
            data = self.client.patch(url, patch.body).data
        except ValidationError:
            if "assignees" not in patch.body:
                raise
            self.report.skipped.append(f"{ticket['id']}: {patch.body['assignees']} cannot be assigned")
            rest = {k: v for k, v in patch.body.items() if k != "assignees"}
            if not rest:
                return issue
            data = self.client.patch(url, rest).data
        self.report.issues_updated += 1
        return self.mirror.put_issue(data, ticket["id"])

    def _push_comments(self, ticket: dict, issue: dict) -> None:
        number = issue["number"]
        comments = self.mirror.comments_of(number)
        on_github = {m.comment_event_id(c, self.client.full_name, number) for c in comments}
        url = self.client.repo_path(f"/issues/{number}/comments")
        for comment in ticket.get("comments") or []:
            if (not comment.get("public", True) or comment["id"] in on_github
                    or comment.get("via") == m.VIA_GITHUB or comment.get("by") == m.AUTOMATION_ACTOR):
                continue
            body = m.render_comment(comment["body"], event_id=comment["id"], by=comment["by"], via=comment.get("via"))
            try:
                data = self.client.post(url, {"body": body}).data
            except WriteOutcomeUnknown:
                found = [c for c in self.client.list_all(url)
                         if (m.comment_marker(c) or {}).get("id") == comment["id"]]
                data = found[0] if found else self.client.post(url, {"body": body}).data
            self.mirror.put_comment({**data, "number": number})
            on_github.add(comment["id"])
            self.report.comments_exported += 1


def run_sync(repo: Repo, config: Config, client: GitHubClient, actor: str, **kwargs: Any) -> SyncReport:
    options = {k: kwargs.pop(k) for k in ("pull", "push", "full") if k in kwargs}
    return SyncEngine(repo, config, client, actor, **kwargs).run(**options)


__all__ = ["Changes", "SyncEngine", "SyncReport", "run_sync"]
