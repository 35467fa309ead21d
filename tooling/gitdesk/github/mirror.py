"""A local copy of one repository's issues and comments, kept current with few requests.

GitHub can list every issue changed since a time (``since`` on ``updated_at``) and every
comment of the repository changed since a time (``/issues/comments?since=``), a page of 100
per request, and answers a repeated request whose result did not change with ``304 Not
Modified`` (free: it does not count against the rate limit). The mirror asks for exactly that:
two requests when nothing changed, and only the list pages otherwise -- never one request per
issue.

It is a derived cache (SQLite under ``.gitdesk/github/``): deleting it costs one full listing.
Callers choose when fetched rows are stored: the GitHub backend stores them at once, the sync
stores an issue only after its events are safely in the YAML store, so a crash in between
means the issue is fetched and processed again, never skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gitdesk.github.client import GitHubClient
from gitdesk.sqlitecache import open_cache

SCHEMA_VERSION = "2"
_NUMBER_RE = re.compile(r"/issues/(\d+)$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS issues (number INTEGER PRIMARY KEY, updated_at TEXT, ticket_id TEXT, is_pr INTEGER, data TEXT);
CREATE INDEX IF NOT EXISTS issues_ticket ON issues (ticket_id);
CREATE TABLE IF NOT EXISTS comments (id INTEGER PRIMARY KEY, number INTEGER, updated_at TEXT, data TEXT);
CREATE INDEX IF NOT EXISTS comments_number ON comments (number);
CREATE TABLE IF NOT EXISTS base (number INTEGER PRIMARY KEY, fields TEXT);
CREATE TABLE IF NOT EXISTS pushed (ticket_id TEXT PRIMARY KEY, fingerprint TEXT);
CREATE TABLE IF NOT EXISTS derived (number INTEGER PRIMARY KEY, key TEXT, ticket TEXT);
"""


def slim_issue(issue: dict) -> dict:
    """The parts of GitHub's issue JSON gitdesk reads (a fifth of the size)."""
    def login(user):
        return {"login": user.get("login")} if isinstance(user, dict) else None

    out = {k: issue.get(k) for k in ("number", "title", "body", "state", "state_reason", "created_at", "updated_at",
                                      "closed_at", "author_association", "html_url", "url", "comments")}
    out["user"] = login(issue.get("user"))
    out["assignees"] = [login(a) for a in issue.get("assignees") or [] if isinstance(a, dict)]
    out["labels"] = [{"name": lab.get("name")} if isinstance(lab, dict) else {"name": str(lab)}
                     for lab in issue.get("labels") or []]
    if issue.get("closed_by"):
        out["closed_by"] = login(issue["closed_by"])
    if issue.get("pull_request") is not None:
        out["pull_request"] = True
    return out


def slim_comment(comment: dict) -> dict:
    out = {k: comment.get(k) for k in ("id", "body", "created_at", "updated_at", "author_association", "html_url")}
    user = comment.get("user")
    out["user"] = {"login": user.get("login")} if isinstance(user, dict) else None
    out["number"] = issue_number_of(comment)
    return out


def issue_number_of(comment: dict) -> int | None:
    if isinstance(comment.get("number"), int):
        return comment["number"]
    match = _NUMBER_RE.search(comment.get("issue_url") or "")
    return int(match.group(1)) if match else None


@dataclass
class Changes:
    """What a refresh fetched: issues and comments that are new or changed since the last one."""

    issues: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)  # meta keys to store once processed
    requests: int = 0
    full: bool = False
    seen_numbers: set[int] = field(default_factory=set)  # full refresh: every issue that exists
    seen_comments: set[int] = field(default_factory=set)

    @property
    def numbers(self) -> set[int]:
        """Issues whose ticket may have changed (their own change or a comment's)."""
        out = {i["number"] for i in self.issues}
        out.update(c["number"] for c in self.comments if c.get("number") is not None)
        return out


class Mirror:
    """Issues and comments of ``client``'s repository in ``path`` (SQLite)."""

    def __init__(self, path: Path, client: GitHubClient | None):
        self.path = Path(path)
        self.client = client
        self.con = open_cache(self.path, SCHEMA, SCHEMA_VERSION, timeout=30, autocommit=False)

    def close(self) -> None:
        self.con.close()

    # -- meta --------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.con.execute("DELETE FROM meta WHERE key=?", (key,))
        else:
            self.con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- reading -----------------------------------------------------------------------------
    def issue(self, number: int) -> dict | None:
        row = self.con.execute("SELECT data FROM issues WHERE number=?", (number,)).fetchone()
        return json.loads(row[0]) if row else None

    def comment(self, comment_id: int) -> dict | None:
        row = self.con.execute("SELECT data FROM comments WHERE id=?", (comment_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def comments_of(self, number: int) -> list[dict]:
        rows = self.con.execute("SELECT data FROM comments WHERE number=? ORDER BY id", (number,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def issues(self) -> Iterator[dict]:
        for (data,) in self.con.execute("SELECT data FROM issues WHERE is_pr=0 ORDER BY number"):
            yield json.loads(data)

    def all_comments(self) -> dict[int, list[dict]]:
        out: dict[int, list[dict]] = {}
        for (data,) in self.con.execute("SELECT data FROM comments ORDER BY id"):
            comment = json.loads(data)
            out.setdefault(comment.get("number"), []).append(comment)
        return out

    def numbers_for_ticket(self, prefix: str) -> list[tuple[str, int]]:
        rows = self.con.execute(
            "SELECT ticket_id, number FROM issues WHERE is_pr=0 AND ticket_id >= ? AND ticket_id < ? ORDER BY ticket_id LIMIT 6",
            (prefix, prefix + "~"),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def raw_rows(self) -> Iterator[tuple[int, str, list[str]]]:
        """(number, issue JSON text, [comment JSON texts]) of every issue, for cache keys."""
        comments: dict[int, list[str]] = {}
        for number, data in self.con.execute("SELECT number, data FROM comments ORDER BY id"):
            comments.setdefault(number, []).append(data)
        for number, data in self.con.execute("SELECT number, data FROM issues WHERE is_pr=0 ORDER BY number"):
            yield number, data, comments.get(number, [])

    def derived(self) -> dict[int, tuple[str, str]]:
        return {n: (k, t) for n, k, t in self.con.execute("SELECT number, key, ticket FROM derived")}

    def put_derived(self, number: int, key: str, ticket: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO derived (number, key, ticket) VALUES (?, ?, ?)", (number, key, ticket))

    def count(self) -> int:
        return self.con.execute("SELECT count(*) FROM issues WHERE is_pr=0").fetchone()[0]

    # -- writing -----------------------------------------------------------------------------
    def put_issue(self, issue: dict, ticket_id: str | None) -> dict:
        slim = slim_issue(issue)
        self.con.execute(
            "INSERT OR REPLACE INTO issues (number, updated_at, ticket_id, is_pr, data) VALUES (?, ?, ?, ?, ?)",
            (slim["number"], slim.get("updated_at"), ticket_id, 1 if slim.get("pull_request") else 0, json.dumps(slim)),
        )
        return slim

    def put_comment(self, comment: dict) -> dict:
        slim = slim_comment(comment)
        self.con.execute(
            "INSERT OR REPLACE INTO comments (id, number, updated_at, data) VALUES (?, ?, ?, ?)",
            (slim["id"], slim.get("number"), slim.get("updated_at"), json.dumps(slim)),
        )
        return slim

    def drop_issue(self, number: int) -> None:
        self.con.execute("DELETE FROM issues WHERE number=?", (number,))
        self.con.execute("DELETE FROM comments WHERE number=?", (number,))

    def replace_comments(self, number: int, comments: list[dict]) -> list[dict]:
        """An issue's complete comment list (from a per-issue listing): deleted ones go."""
        self.con.execute("DELETE FROM comments WHERE number=?", (number,))
        return [self.put_comment({**c, "number": number}) for c in comments]

    def commit(self) -> None:
        self.con.commit()

    # -- fetching ----------------------------------------------------------------------------
    def _conditional(self, key: str, params: dict) -> str | None:
        stored = self.get_meta(key)
        if not stored:
            return None
        try:
            data = json.loads(stored)
        except ValueError:
            return None
        return data.get("etag") if data.get("params") == params else None

    def fetch(self, *, full: bool = False) -> Changes:
        """Issues and comments changed since the last stored marks (nothing is stored yet)."""
        client = self.client
        assert client is not None
        changes = Changes(full=full)
        before = client.requests
        for kind, path in (("issues", "/issues"), ("comments", "/issues/comments")):
            since = None if full else self.get_meta(f"since:{kind}")
            params = {"sort": "updated", "direction": "asc"}
            if kind == "issues":
                params["state"] = "all"
            if since:
                params["since"] = since
            etag_key = f"etag:{kind}"
            etag = None if full else self._conditional(etag_key, params)
            newest = since
            first_etag = None
            pages = 0
            for i, page in enumerate(client.pages(client.repo_path(path), params, etag=etag)):
                if page.not_modified:
                    break
                pages += 1
                if i == 0:
                    first_etag = page.etag
                for item in page.data or []:
                    if not isinstance(item, dict):
                        continue
                    if kind == "issues":
                        slim = slim_issue(item)
                        changes.seen_numbers.add(slim["number"])
                        # compared whole: GitHub's times have whole seconds, so two changes in
                        # one second leave updated_at as it was
                        if full or slim != self.issue(slim["number"]):
                            changes.issues.append(slim)
                    else:
                        slim = slim_comment(item)
                        changes.seen_comments.add(slim["id"])
                        if full or slim != self.comment(slim["id"]):
                            changes.comments.append(slim)
                    stamp = item.get("updated_at")
                    if stamp and (newest is None or stamp > newest):
                        newest = stamp
            if newest:
                changes.marks[f"since:{kind}"] = newest
            if first_etag and pages == 1:
                # The etag answers the request made with these params (the old `since`). Only a
                # one-page answer may be asked again conditionally: a 304 on page 1 says nothing
                # about page 2, where newer items (sorted by update time, oldest first) arrive.
                changes.marks[etag_key] = json.dumps({"params": params, "etag": first_etag})
            elif pages:
                changes.marks[etag_key] = ""
        changes.requests = client.requests - before
        return changes

    def store(self, changes: Changes, *, numbers: set[int] | None = None) -> None:
        """Store fetched rows (only those of ``numbers`` if given) without the marks."""
        from gitdesk.github.mapping import ticket_id_for_issue

        full_name = self.client.full_name if self.client else ""
        for issue in changes.issues:
            if numbers is None or issue["number"] in numbers:
                self.put_issue(issue, ticket_id_for_issue(issue, full_name))
        for comment in changes.comments:
            if numbers is None or comment.get("number") in numbers:
                self.put_comment(comment)

    def finish(self, changes: Changes) -> None:
        """Everything fetched is processed: store the marks (and forget deleted issues)."""
        for key, value in changes.marks.items():
            self.set_meta(key, value)
        if changes.full:
            known = {r[0] for r in self.con.execute("SELECT number FROM issues")}
            for number in known - changes.seen_numbers:
                self.drop_issue(number)
            for (cid,) in self.con.execute("SELECT id FROM comments").fetchall():
                if cid not in changes.seen_comments:
                    self.con.execute("DELETE FROM comments WHERE id=?", (cid,))
        self.commit()

    def refresh(self, *, full: bool = False) -> Changes:
        """Fetch and store at once (the GitHub backend's use)."""
        changes = self.fetch(full=full)
        self.store(changes)
        self.finish(changes)
        return changes
