"""A GitHub REST API-compatible server for tests: real HTTP on 127.0.0.1, in-memory state.

Why: gitdesk's GitHub backend and sync must be tested over real HTTP with PyGithub, without
contacting github.com, including the failures GitHub produces (5xx, secondary rate limits,
dropped connections, a crash between creating an issue and the client hearing about it).

It covers what a help desk backend uses -- repository, issues (pull requests show up in the
issues list with a ``pull_request`` key), issue comments, labels, assignees, ``/rate_limit`` and
``/user`` -- in GitHub's JSON shapes (``tests/github/openapi-subset.json``), with ``Link``
pagination that keeps every query parameter, ``since`` on ``updated_at``, ETag/``If-None-Match``
(a 304 does not count against the rate limit), ``X-RateLimit-*`` headers and GitHub-style 401,
404, 410 and 422 errors.

Usage::

    with FakeGitHub() as gh:                       # repository "octo-org/helpdesk" exists
        gh.seed_issue("Printer on fire", user="alice", labels=["priority: high"])
        g = Github(base_url=gh.base_url, auth=Auth.Token("x"),
                   seconds_between_requests=None, seconds_between_writes=None)
        ...
        assert gh.count("GET", "/repos/*/issues") == 1

Every request is recorded in ``gh.requests`` (:class:`RequestRecord`); faults are scheduled with
:meth:`FakeGitHub.inject` and its shortcuts; observers (the OpenAPI checker) see every
request/response pair.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import fnmatch
import hashlib
import json
import re
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable

DOCS = "https://docs.github.com/rest"
DEFAULT_REPO = "octo-org/helpdesk"
DEFAULT_LOGIN = "gitdesk-bot"
DEFAULT_LABEL_COLOR = "ededed"
SECONDARY_RATE_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)


class ApiError(Exception):
    """An HTTP error answer: status, JSON body, extra headers."""

    def __init__(self, status: int, message: str, *, errors: list | None = None,
                 headers: dict[str, str] | None = None, doc: str = DOCS):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "documentation_url": doc}
        if status == 422:
            # The description's validation-error schema has no "status"; basic-error has.
            if errors is not None:
                self.body["errors"] = errors
        else:
            self.body["status"] = str(status)
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def invalid_request(detail: str) -> ApiError:
    """GitHub's answer when a request body or parameter does not match its JSON schema."""
    return ApiError(422, f"Invalid request.\n\n{detail}")


def validation_failed(resource: str, field_name: str, code: str, **extra: Any) -> ApiError:
    """GitHub's answer for a well-formed request with a semantic problem."""
    error = {"resource": resource, "field": field_name, "code": code, **extra}
    return ApiError(422, "Validation Failed", errors=[error])


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time as GitHub accepts it (``Z`` or offset; naive means UTC)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def node_id(kind: str, number: int) -> str:
    return kind + "_" + base64.b64encode(f"{kind}{number:010d}".encode()).decode().rstrip("=")


# --------------------------------------------------------------------------------------------
# Records: what the tests read back


@dataclass
class RequestRecord:
    """One request the server received (also those answered by a fault or never answered)."""

    method: str
    path: str                      # route path, without the API prefix and query string
    query: dict[str, list[str]]    # parsed query string
    query_string: str
    status: int | None             # None: the connection was dropped without an answer
    fault: str | None = None       # name of the injected fault, if any
    counted: bool = False          # counted against the rate limit
    login: str | None = None       # authenticated user
    body: Any = None               # parsed JSON request body, if any
    time: float = field(default_factory=time.time)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class Exchange:
    """A request/response pair as the observers (the OpenAPI checker) see it."""

    method: str
    path: str                      # route path (without prefix)
    query_string: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int | None             # None when the connection was dropped
    response_headers: dict[str, str]
    response_body: bytes
    base_url: str
    fault: str | None


@dataclass
class Fault:
    """A scheduled failure; see :meth:`FakeGitHub.inject`."""

    kind: str                      # "status", "drop", "truncate"
    method: str | None
    path: str | re.Pattern | None
    query: dict[str, str] | None
    times: int
    status: int = 500
    apply: bool = False            # process the request first, then fail
    retry_after: int | None = None
    message: str = "Server Error"
    hits: int = 0
    name: str = ""

    def matches(self, method: str, path: str, query: dict[str, list[str]]) -> bool:
        if self.times <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.path is not None:
            if isinstance(self.path, re.Pattern):
                if not self.path.fullmatch(path):
                    return False
            elif not fnmatch.fnmatchcase(path, self.path):
                return False
        if self.query:
            for key, value in self.query.items():
                if (query.get(key) or [None])[-1] != str(value):
                    return False
        return True

    @property
    def pending(self) -> int:
        return self.times


# --------------------------------------------------------------------------------------------
# State


@dataclass
class User:
    id: int
    login: str
    type: str = "User"             # "User", "Bot" or "Organization"
    name: str | None = None
    email: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime(2020, 1, 1, tzinfo=timezone.utc))


@dataclass
class Label:
    id: int
    name: str
    color: str = DEFAULT_LABEL_COLOR
    description: str | None = None
    default: bool = False


@dataclass
class Comment:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Issue:
    id: int
    number: int
    title: str
    body: str | None
    user: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    state_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    label_ids: list[int] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    locked: bool = False
    pull_request: bool = False
    draft: bool = False
    merged_at: datetime | None = None
    deleted: bool = False
    comment_ids: list[int] = field(default_factory=list)


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    private: bool = False
    has_issues: bool = True
    description: str | None = "gitdesk test repository"
    default_branch: str = "main"
    created_at: datetime = field(default_factory=lambda: datetime(2021, 1, 1, tzinfo=timezone.utc))
    collaborators: set[str] = field(default_factory=set)
    labels: dict[int, Label] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    next_number: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def label_by_name(self, name: str) -> Label | None:
        folded = name.casefold()
        for label in self.labels.values():
            if label.name.casefold() == folded:
                return label
        return None


# --------------------------------------------------------------------------------------------
# Routing

Route = tuple[str, re.Pattern, str, str]   # method, regex, handler name, OpenAPI template


def _route(method: str, template: str, handler: str) -> Route:
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$"
    return (method, re.compile(regex), handler, template)


ROUTES: list[Route] = [
    _route("GET", "/user", "get_user"),
    _route("GET", "/rate_limit", "get_rate_limit"),
    _route("GET", "/repos/{owner}/{repo}", "get_repo"),
    _route("GET", "/repos/{owner}/{repo}/assignees", "list_assignees"),
    _route("GET", "/repos/{owner}/{repo}/assignees/{assignee}", "check_assignee"),
    _route("GET", "/repos/{owner}/{repo}/issues/comments", "list_repo_comments"),
    _route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}", "get_comment"),
    _route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", "update_comment"),
    _route("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}", "delete_comment"),
    _route("GET", "/repos/{owner}/{repo}/issues", "list_issues"),
    _route("POST", "/repos/{owner}/{repo}/issues", "create_issue"),
    _route("GET", "/repos/{owner}/{repo}/issues/{issue_number}", "get_issue"),
    _route("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", "update_issue"),
    _route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/assignees", "add_assignees"),
    _route("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/assignees", "remove_assignees"),
    _route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "list_issue_comments"),
    _route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "create_comment"),
    _route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/labels", "list_issue_labels"),
    _route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", "add_issue_labels"),
    _route("PUT", "/repos/{owner}/{repo}/issues/{issue_number}/labels", "set_issue_labels"),
    _route("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels", "clear_issue_labels"),
    _route("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
           "remove_issue_label"),
    _route("GET", "/repos/{owner}/{repo}/labels", "list_labels"),
    _route("POST", "/repos/{owner}/{repo}/labels", "create_label"),
    _route("GET", "/repos/{owner}/{repo}/labels/{name}", "get_label"),
    _route("PATCH", "/repos/{owner}/{repo}/labels/{name}", "update_label"),
    _route("DELETE", "/repos/{owner}/{repo}/labels/{name}", "delete_label"),
]


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        if route[0] != method:
            continue
        m = route[1].match(path)
        if m:
            return route, {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}
    return None


@dataclass
class Response:
    status: int
    body: Any = None               # JSON-serialisable, or None for no body
    headers: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, int]] | None = None   # (rel, page) for the Link header


# --------------------------------------------------------------------------------------------
# The server


class FakeGitHub:
    """In-memory GitHub on 127.0.0.1; start with ``with FakeGitHub() as gh`` or ``start()``."""

    def __init__(self, *, repo: str = DEFAULT_REPO, login: str = DEFAULT_LOGIN,
                 path_prefix: str = "", accept_any_token: bool = True,
                 rate_limit: int = 5000, host: str = "127.0.0.1"):
        self.host = host
        self.path_prefix = path_prefix.rstrip("/")
        self.accept_any_token = accept_any_token
        self.default_login = login
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._ids = 1000
        self._frozen: datetime | None = None

        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}
        self.repos: dict[str, Repo] = {}
        self.requests: list[RequestRecord] = []
        self.faults: list[Fault] = []
        self.observers: list[Callable[[Exchange], None]] = []
        self.openapi: Any = None     # the OpenAPIChecker the pytest fixture attaches, if any

        self.rate_limit = rate_limit
        self.rate_used = 0
        self.rate_reset = int(time.time()) + 3600

        self.add_user(login)
        owner, _, _ = repo.partition("/")
        self.add_user(owner, type="Organization")
        self.default_repo = repo
        self.create_repo(repo, collaborators=[login])

    # ----- lifecycle

    def start(self) -> "FakeGitHub":
        if self._httpd is not None:
            return self
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer((self.host, 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="FakeGitHub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:                      # end idle keep-alive connections too
            for conn in list(self._connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._connections.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> "FakeGitHub":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeGitHub is not started")
        return self._httpd.server_address[1]

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` (web pages such as ``html_url`` live here)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API root to give PyGithub: ``http://127.0.0.1:PORT`` plus the optional prefix."""
        return self.root_url + self.path_prefix

    # ----- clock

    def now(self) -> datetime:
        """Current server time, whole seconds like GitHub's timestamps."""
        if self._frozen is not None:
            return self._frozen
        return datetime.now(timezone.utc).replace(microsecond=0)

    def freeze_time(self, when: datetime | str | None = None) -> None:
        """Stop the clock at ``when`` (default: now); ``advance`` moves it."""
        if isinstance(when, str):
            when = parse_time(when)
        with self._lock:
            self._frozen = (when or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(
                microsecond=0)

    def advance(self, seconds: float = 1) -> datetime:
        """Move the (frozen) clock forward; freezes it at the current time first if needed."""
        with self._lock:
            if self._frozen is None:
                self.freeze_time()
            self._frozen = self._frozen + timedelta(seconds=seconds)
            return self._frozen

    def unfreeze_time(self) -> None:
        with self._lock:
            self._frozen = None

    # ----- seeding and inspection (direct, no HTTP, not recorded)

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add_user(self, login: str, *, type: str = "User", name: str | None = None,
                 email: str | None = None, token: str | None = None) -> User:
        """Register a user (``type="Bot"`` for apps such as ``dependabot[bot]``)."""
        with self._lock:
            user = self.users.get(login)
            if user is None:
                user = User(id=self._next_id(), login=login, type=type, name=name, email=email)
                self.users[login] = user
            if token is not None:
                self.tokens[token] = login
            return user

    def add_token(self, token: str, login: str) -> None:
        """Requests with this token act as ``login`` (unknown tokens act as the default user
        unless ``accept_any_token`` is False, then they get 401)."""
        self.add_user(login, token=token)

    def create_repo(self, full_name: str, *, collaborators: Iterable[str] = (),
                    private: bool = False, has_issues: bool = True) -> Repo:
        with self._lock:
            owner, _, name = full_name.partition("/")
            self.add_user(owner, type="Organization" if owner not in self.users else
                          self.users[owner].type)
            repo = Repo(id=self._next_id(), owner=owner, name=name, private=private,
                        has_issues=has_issues)
            for login in collaborators:
                self.add_user(login)
                repo.collaborators.add(login)
            self.repos[full_name.casefold()] = repo
            return repo

    def repo(self, full_name: str | None = None) -> Repo:
        return self.repos[(full_name or self.default_repo).casefold()]

    def add_collaborator(self, login: str, repo: str | None = None) -> None:
        """Make ``login`` assignable (push access) in the repository."""
        with self._lock:
            self.add_user(login)
            self.repo(repo).collaborators.add(login)

    def seed_label(self, name: str, color: str = DEFAULT_LABEL_COLOR,
                   description: str | None = None, *, repo: str | None = None) -> Label:
        with self._lock:
            r = self.repo(repo)
            existing = r.label_by_name(name)
            if existing:
                return existing
            label = Label(id=self._next_id(), name=name, color=color, description=description)
            r.labels[label.id] = label
            return label

    def seed_issue(self, title: str, body: str | None = None, *, user: str = "alice",
                   labels: Iterable[str] = (), assignees: Iterable[str] = (),
                   state: str = "open", state_reason: str | None = None,
                   created_at: datetime | str | None = None,
                   updated_at: datetime | str | None = None,
                   closed_at: datetime | str | None = None,
                   comments: Iterable[str | tuple[str, str] | dict] = (),
                   pull_request: bool = False, repo: str | None = None) -> Issue:
        """Create an issue (or pull request) directly. ``comments`` items are bodies,
        ``(user, body)`` pairs or dicts of :meth:`seed_comment` arguments."""
        with self._lock:
            r = self.repo(repo)
            self.add_user(user)
            created = _as_time(created_at) or self.now()
            issue = Issue(id=self._next_id(), number=r.next_number, title=title, body=body,
                          user=user, created_at=created, updated_at=created,
                          pull_request=pull_request)
            r.next_number += 1
            r.issues[issue.number] = issue
            for name in labels:
                issue.label_ids.append(self.seed_label(name, repo=repo).id)
            for login in assignees:
                self.add_collaborator(login, repo)
                issue.assignees.append(login)
            for item in comments:
                if isinstance(item, str):
                    self.seed_comment(issue.number, item, repo=repo)
                elif isinstance(item, tuple):
                    self.seed_comment(issue.number, item[1], user=item[0], repo=repo)
                else:
                    self.seed_comment(issue.number, repo=repo, **item)
            if state == "closed":
                issue.state = "closed"
                issue.state_reason = state_reason or "completed"
                issue.closed_at = _as_time(closed_at) or max(self.now(), issue.updated_at)
                issue.closed_by = self.default_login
                issue.updated_at = max(issue.updated_at, issue.closed_at)
            issue.updated_at = _as_time(updated_at) or issue.updated_at
            return issue

    def seed_pull_request(self, title: str, body: str | None = None, **kwargs: Any) -> Issue:
        """A pull request: listed by the issues endpoints with a ``pull_request`` key."""
        return self.seed_issue(title, body, pull_request=True, **kwargs)

    def seed_comment(self, number: int, body: str, *, user: str = "alice",
                     created_at: datetime | str | None = None,
                     updated_at: datetime | str | None = None,
                     repo: str | None = None) -> Comment:
        with self._lock:
            r = self.repo(repo)
            issue = r.issues[number]
            self.add_user(user)
            created = _as_time(created_at) or self.now()
            comment = Comment(id=self._next_id(), issue_number=number, body=body, user=user,
                              created_at=created, updated_at=_as_time(updated_at) or created)
            r.comments[comment.id] = comment
            issue.comment_ids.append(comment.id)
            issue.updated_at = max(issue.updated_at, comment.created_at)
            return comment

    def delete_issue(self, number: int, *, repo: str | None = None) -> None:
        """Delete an issue as an admin would: its URLs answer 410 Gone, lists omit it."""
        with self._lock:
            self.repo(repo).issues[number].deleted = True

    def issues(self, *, repo: str | None = None, include_pull_requests: bool = False
               ) -> list[Issue]:
        r = self.repo(repo)
        return [i for i in r.issues.values()
                if not i.deleted and (include_pull_requests or not i.pull_request)]

    def issue(self, number: int, *, repo: str | None = None) -> Issue:
        return self.repo(repo).issues[number]

    def comments(self, number: int | None = None, *, repo: str | None = None) -> list[Comment]:
        r = self.repo(repo)
        return [c for c in r.comments.values() if number is None or c.issue_number == number]

    def labels(self, *, repo: str | None = None) -> list[Label]:
        return list(self.repo(repo).labels.values())

    def issue_labels(self, number: int, *, repo: str | None = None) -> list[str]:
        r = self.repo(repo)
        return [r.labels[i].name for i in r.issues[number].label_ids]

    # ----- rate limit

    @property
    def rate_remaining(self) -> int:
        self._maybe_reset_rate()
        return max(self.rate_limit - self.rate_used, 0)

    def set_rate_limit(self, *, remaining: int | None = None, limit: int | None = None,
                       reset_in: float | None = None) -> None:
        """Set the primary rate limit state (e.g. ``remaining=0, reset_in=1``)."""
        with self._lock:
            if limit is not None:
                self.rate_limit = limit
            if remaining is not None:
                self.rate_used = self.rate_limit - remaining
            if reset_in is not None:
                self.rate_reset = int(time.time() + reset_in)

    def _maybe_reset_rate(self) -> None:
        if time.time() >= self.rate_reset:
            self.rate_used = 0
            self.rate_reset = int(time.time()) + 3600

    def _check_primary_rate_limit(self, login: str) -> None:
        self._maybe_reset_rate()
        if self.rate_used >= self.rate_limit:
            raise ApiError(403, f"API rate limit exceeded for user ID {self.users[login].id}.",
                           doc=DOCS + "/overview/rate-limits-for-the-rest-api")

    def _rate_headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(self.rate_remaining),
            "X-RateLimit-Reset": str(self.rate_reset),
            "X-RateLimit-Used": str(min(self.rate_used, self.rate_limit)),
            "X-RateLimit-Resource": "core",
        }

    # ----- request accounting

    def count(self, method: str | None = None, path: str | re.Pattern | None = None, *,
              status: int | None = None, **query: str) -> int:
        """Number of recorded requests matching method, path glob/regex, status and query."""
        return len(self.find_requests(method, path, status=status, **query))

    def find_requests(self, method: str | None = None, path: str | re.Pattern | None = None,
                      *, status: int | None = None, **query: str) -> list[RequestRecord]:
        probe = Fault("probe", method, path, {k: str(v) for k, v in query.items()} or None, 1)
        with self._lock:
            return [r for r in self.requests
                    if probe.matches(r.method, r.path, r.query)
                    and (status is None or r.status == status)]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    @property
    def request_count(self) -> int:
        return len(self.requests)

    # ----- fault injection

    def inject(self, kind: str = "status", method: str | None = None,
               path: str | re.Pattern | None = None, *, times: int = 1,
               query: dict[str, Any] | None = None, status: int = 500, apply: bool = False,
               retry_after: int | None = None, message: str | None = None) -> Fault:
        """Schedule a fault for the next ``times`` requests that match.

        ``kind``: ``"status"`` answers ``status`` with a GitHub error body (and ``Retry-After``
        if given); ``"drop"`` closes the connection without answering; ``"truncate"`` sends the
        status line, headers and half the body, then closes. ``path`` is a glob on the route
        path without the query (``*`` also matches ``/``) or a compiled regex; ``query`` must
        match those query parameters exactly (e.g. ``{"page": "2"}``). ``apply=True`` processes
        the request first (the issue is created, the comment posted) and only then fails --
        GitHub answering 502 after doing the work, or a crash before the client hears back.
        """
        if kind not in ("status", "drop", "truncate"):
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind=kind, method=method.upper() if method else None, path=path,
                      query={k: str(v) for k, v in (query or {}).items()} or None, times=times,
                      status=status, apply=apply, retry_after=retry_after,
                      message=message or _default_message(status),
                      name=kind if kind != "status" else f"status {status}")
        with self._lock:
            self.faults.append(fault)
        return fault

    def fail_next(self, method: str | None = None, path: str | re.Pattern | None = None, *,
                  times: int = 1, status: int = 500, **kwargs: Any) -> Fault:
        """Next ``times`` matching requests answer ``status`` (500 by default)."""
        return self.inject("status", method, path, times=times, status=status, **kwargs)

    def secondary_rate_limit_next(self, method: str | None = None,
                                  path: str | re.Pattern | None = None, *, times: int = 1,
                                  retry_after: int | None = 1, status: int = 403,
                                  **kwargs: Any) -> Fault:
        """403 (or 429) "You have exceeded a secondary rate limit" with ``Retry-After``."""
        return self.inject("status", method, path, times=times, status=status,
                           retry_after=retry_after, message=SECONDARY_RATE_MESSAGE, **kwargs)

    def too_many_requests_next(self, method: str | None = None,
                               path: str | re.Pattern | None = None, *, times: int = 1,
                               retry_after: int | None = 1, **kwargs: Any) -> Fault:
        """429 secondary rate limit with ``Retry-After``."""
        return self.secondary_rate_limit_next(method, path, times=times, status=429,
                                              retry_after=retry_after, **kwargs)

    def drop_connection_next(self, method: str | None = None,
                             path: str | re.Pattern | None = None, *, times: int = 1,
                             query: dict[str, Any] | None = None, apply: bool = False,
                             truncate: bool = False) -> Fault:
        """Close the socket without answering (``truncate=True``: after half a response)."""
        return self.inject("truncate" if truncate else "drop", method, path, times=times,
                           query=query, apply=apply)

    def crash_after_create(self, path: str | re.Pattern = "/repos/*/*/issues", *,
                           method: str = "POST", times: int = 1) -> Fault:
        """The server creates the resource, then the connection drops before the answer."""
        return self.inject("drop", method, path, times=times, apply=True)

    def allow_invalid_requests(self) -> Any:
        """Context manager: requests sent inside are allowed to break the OpenAPI description
        (tests of the server's own 4xx answers); a no-op without a checker."""
        if self.openapi is None:
            return contextlib.nullcontext()
        return self.openapi.allow_invalid_requests()

    def pending_faults(self) -> list[Fault]:
        with self._lock:
            return [f for f in self.faults if f.times > 0]

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def _take_fault(self, method: str, path: str, query: dict[str, list[str]]) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, path, query):
                fault.times -= 1
                fault.hits += 1
                return fault
        return None

    # ----- JSON views (absolute URLs always start with base_url / root_url)

    def _api(self, path: str) -> str:
        return self.base_url + path

    def user_json(self, login: str) -> dict[str, Any]:
        user = self.users.get(login) or self.add_user(login)
        api = self._api(f"/users/{login}")
        data = {
            "login": user.login, "id": user.id, "node_id": node_id("U", user.id),
            "avatar_url": f"{self.root_url}/avatars/u/{user.id}?v=4", "gravatar_id": "",
            "url": api, "html_url": f"{self.root_url}/{login}",
            "followers_url": api + "/followers",
            "following_url": api + "/following{/other_user}",
            "gists_url": api + "/gists{/gist_id}",
            "starred_url": api + "/starred{/owner}{/repo}",
            "subscriptions_url": api + "/subscriptions",
            "organizations_url": api + "/orgs", "repos_url": api + "/repos",
            "events_url": api + "/events{/privacy}",
            "received_events_url": api + "/received_events",
            "type": user.type, "user_view_type": "public", "site_admin": False,
        }
        return data

    def private_user_json(self, login: str) -> dict[str, Any]:
        user = self.users[login]
        data = self.user_json(login)
        data.update({
            "user_view_type": "private", "name": user.name, "company": None, "blog": "",
            "location": None, "email": user.email, "hireable": None, "bio": None,
            "twitter_username": None, "notification_email": user.email,
            "public_repos": len([r for r in self.repos.values() if r.owner == login]),
            "public_gists": 0, "followers": 0, "following": 0,
            "created_at": iso(user.created_at), "updated_at": iso(user.created_at),
            "private_gists": 0, "total_private_repos": 0, "owned_private_repos": 0,
            "disk_usage": 0, "collaborators": 0, "two_factor_authentication": True,
            "plan": {"name": "free", "space": 976562499, "private_repos": 10000,
                     "collaborators": 0},
        })
        return data

    def label_json(self, r: Repo, label: Label) -> dict[str, Any]:
        return {
            "id": label.id, "node_id": node_id("LA", label.id),
            "url": self._api(f"/repos/{r.full_name}/labels/"
                             + urllib.parse.quote(label.name, safe="")),
            "name": label.name, "color": label.color, "default": label.default,
            "description": label.description,
        }

    def _association(self, r: Repo, login: str) -> str:
        if login == r.owner:
            return "OWNER"
        if login in r.collaborators:
            return "COLLABORATOR"
        return "NONE"

    def _reactions(self, url: str) -> dict[str, Any]:
        return {"url": url + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
                "confused": 0, "heart": 0, "hooray": 0, "eyes": 0, "rocket": 0}

    def issue_json(self, r: Repo, issue: Issue, *, single: bool = False) -> dict[str, Any]:
        repo_api = self._api(f"/repos/{r.full_name}")
        url = f"{repo_api}/issues/{issue.number}"
        kind = "pull" if issue.pull_request else "issues"
        assignees = [self.user_json(a) for a in issue.assignees]
        data: dict[str, Any] = {
            "url": url, "repository_url": repo_api,
            "labels_url": url + "/labels{/name}", "comments_url": url + "/comments",
            "events_url": url + "/events",
            "html_url": f"{self.root_url}/{r.full_name}/{kind}/{issue.number}",
            "id": issue.id, "node_id": node_id("PR" if issue.pull_request else "I", issue.id),
            "number": issue.number, "title": issue.title, "user": self.user_json(issue.user),
            "labels": [self.label_json(r, r.labels[i]) for i in issue.label_ids],
            "state": issue.state, "locked": issue.locked,
            "assignee": assignees[0] if assignees else None, "assignees": assignees,
            "milestone": None, "comments": len(issue.comment_ids),
            "created_at": iso(issue.created_at), "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "author_association": self._association(r, issue.user),
            "type": None, "active_lock_reason": None,
            "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
            "body": issue.body,
            "reactions": self._reactions(url),
            "timeline_url": url + "/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }
        if issue.pull_request:
            pulls = f"{repo_api}/pulls/{issue.number}"
            html = data["html_url"]
            data["draft"] = issue.draft
            data["pull_request"] = {"url": pulls, "html_url": html, "diff_url": html + ".diff",
                                    "patch_url": html + ".patch",
                                    "merged_at": iso(issue.merged_at)}
        if single:
            data["closed_by"] = self.user_json(issue.closed_by) if issue.closed_by else None
        return data

    def comment_json(self, r: Repo, comment: Comment) -> dict[str, Any]:
        repo_api = self._api(f"/repos/{r.full_name}")
        url = f"{repo_api}/issues/comments/{comment.id}"
        issue = r.issues[comment.issue_number]
        kind = "pull" if issue.pull_request else "issues"
        return {
            "url": url,
            "html_url": f"{self.root_url}/{r.full_name}/{kind}/{comment.issue_number}"
                        f"#issuecomment-{comment.id}",
            "issue_url": f"{repo_api}/issues/{comment.issue_number}",
            "id": comment.id, "node_id": node_id("IC", comment.id),
            "user": self.user_json(comment.user),
            "created_at": iso(comment.created_at), "updated_at": iso(comment.updated_at),
            "author_association": self._association(r, comment.user),
            "body": comment.body, "reactions": self._reactions(url),
            "performed_via_github_app": None,
        }

    def repo_json(self, r: Repo) -> dict[str, Any]:
        api = self._api(f"/repos/{r.full_name}")
        root = f"{self.root_url}/{r.full_name}"
        host = urllib.parse.urlparse(self.root_url).netloc
        open_count = sum(1 for i in r.issues.values() if i.state == "open" and not i.deleted)
        data: dict[str, Any] = {
            "id": r.id, "node_id": node_id("R", r.id), "name": r.name, "full_name": r.full_name,
            "private": r.private, "owner": self.user_json(r.owner), "html_url": root,
            "description": r.description, "fork": False, "url": api,
            "forks_url": api + "/forks", "keys_url": api + "/keys{/key_id}",
            "collaborators_url": api + "/collaborators{/collaborator}",
            "teams_url": api + "/teams", "hooks_url": api + "/hooks",
            "issue_events_url": api + "/issues/events{/number}",
            "events_url": api + "/events", "assignees_url": api + "/assignees{/user}",
            "branches_url": api + "/branches{/branch}", "tags_url": api + "/tags",
            "blobs_url": api + "/git/blobs{/sha}", "git_tags_url": api + "/git/tags{/sha}",
            "git_refs_url": api + "/git/refs{/sha}", "trees_url": api + "/git/trees{/sha}",
            "statuses_url": api + "/statuses/{sha}", "languages_url": api + "/languages",
            "stargazers_url": api + "/stargazers", "contributors_url": api + "/contributors",
            "subscribers_url": api + "/subscribers", "subscription_url": api + "/subscription",
            "commits_url": api + "/commits{/sha}", "git_commits_url": api + "/git/commits{/sha}",
            "comments_url": api + "/comments{/number}",
            "issue_comment_url": api + "/issues/comments{/number}",
            "contents_url": api + "/contents/{+path}",
            "compare_url": api + "/compare/{base}...{head}", "merges_url": api + "/merges",
            "archive_url": api + "/{archive_format}{/ref}", "downloads_url": api + "/downloads",
            "issues_url": api + "/issues{/number}", "pulls_url": api + "/pulls{/number}",
            "milestones_url": api + "/milestones{/number}",
            "notifications_url": api + "/notifications{?since,all,participating}",
            "labels_url": api + "/labels{/name}", "releases_url": api + "/releases{/id}",
            "deployments_url": api + "/deployments",
            "created_at": iso(r.created_at), "updated_at": iso(r.created_at),
            "pushed_at": iso(r.created_at),
            "git_url": f"git://{host}/{r.full_name}.git",
            "ssh_url": f"git@{host}:{r.full_name}.git", "clone_url": root + ".git",
            "svn_url": root, "homepage": None, "size": 1, "stargazers_count": 0,
            "watchers_count": 0, "language": None, "has_issues": r.has_issues,
            "has_projects": False, "has_downloads": True, "has_wiki": False,
            "has_pages": False, "has_discussions": False, "forks_count": 0, "mirror_url": None,
            "archived": False, "disabled": False, "open_issues_count": open_count,
            "license": None, "allow_forking": True, "is_template": False,
            "web_commit_signoff_required": False, "topics": [],
            "visibility": "private" if r.private else "public", "forks": 0,
            "open_issues": open_count, "watchers": 0, "default_branch": r.default_branch,
            "permissions": {"admin": True, "maintain": True, "push": True, "triage": True,
                            "pull": True},
            "network_count": 0, "subscribers_count": 0,
        }
        if r.owner in self.users and self.users[r.owner].type == "Organization":
            data["organization"] = self.user_json(r.owner)
        return data

    # ----- request handling (called by the HTTP handler with the lock held)

    def _authenticate(self, headers: dict[str, str]) -> str:
        auth = headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() not in ("token", "bearer") or not token:
            raise ApiError(401, "Requires authentication")
        if token in self.tokens:
            return self.tokens[token]
        if self.accept_any_token:
            return self.default_login
        raise ApiError(401, "Bad credentials")

    def dispatch(self, method: str, path: str, query: dict[str, list[str]], raw_query: str,
                 body: Any, login: str) -> Response:
        found = match_route(method, path)
        if found is None:
            raise not_found()
        route, params = found
        handler = getattr(self, "h_" + route[2])
        ctx = _Ctx(self, method, path, query, raw_query, body, login, params)
        return handler(ctx)

    # -- helpers

    def _repo_of(self, ctx: "_Ctx", *, issues: bool = False) -> Repo:
        key = f"{ctx.params['owner']}/{ctx.params['repo']}".casefold()
        r = self.repos.get(key)
        if r is None:
            raise not_found()
        if issues and not r.has_issues:
            raise ApiError(410, "Issues are disabled for this repo")
        return r

    def _issue_of(self, ctx: "_Ctx", r: Repo) -> Issue:
        try:
            number = int(ctx.params["issue_number"])
        except ValueError:
            raise not_found() from None
        issue = r.issues.get(number)
        if issue is None:
            raise not_found()
        if issue.deleted:
            raise ApiError(410, "This issue was deleted")
        return issue

    def _comment_of(self, ctx: "_Ctx", r: Repo) -> Comment:
        try:
            comment = r.comments.get(int(ctx.params["comment_id"]))
        except ValueError:
            comment = None
        if comment is None or r.issues[comment.issue_number].deleted:
            raise not_found()
        return comment

    def _paginate(self, ctx: "_Ctx", items: list[Any]) -> Response:
        per_page = ctx.int_param("per_page", 30)
        page = ctx.int_param("page", 1)
        per_page = min(max(per_page, 1), 100)
        page = max(page, 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page: page * per_page]
        links: list[tuple[str, int]] = []
        if page > 1:
            links.append(("prev", min(page - 1, last)))
        if page < last:
            links.append(("next", page + 1))
            links.append(("last", last))
        if page > 1:
            links.append(("first", 1))
        return Response(200, chunk, links=links)

    def _touch(self, issue: Issue) -> None:
        issue.updated_at = max(self.now(), issue.updated_at)

    def _label_refs(self, values: Any, field_name: str = "labels") -> list[str]:
        if not isinstance(values, list):
            raise invalid_request(f'For \'properties/{field_name}\', {json.dumps(values)} is not '
                                  'an array.')
        names = []
        for value in values:
            if isinstance(value, dict) and isinstance(value.get("name"), str):
                names.append(value["name"])
            elif isinstance(value, str):
                names.append(value)
            else:
                raise invalid_request(f"For 'items', {json.dumps(value)} is not a string.")
        return names

    def _ensure_labels(self, r: Repo, names: list[str]) -> list[int]:
        """Label ids for names, creating unknown labels like GitHub does."""
        ids: list[int] = []
        for name in names:
            name = name.strip()
            if not name:
                raise validation_failed("Label", "name", "missing_field")
            label = r.label_by_name(name)
            if label is None:
                label = Label(id=self._next_id(), name=name)
                r.labels[label.id] = label
            if label.id not in ids:
                ids.append(label.id)
        return ids

    def _assignees(self, r: Repo, logins: Any, *, strict: bool) -> list[str]:
        if not isinstance(logins, list) or not all(isinstance(x, str) for x in logins):
            raise invalid_request("For 'properties/assignees', value is not an array of strings.")
        out: list[str] = []
        for login in logins:
            if login not in r.collaborators:
                if strict:
                    raise validation_failed("Issue", "assignees", "invalid", value=login)
                continue
            if login not in out:
                out.append(login)
        return out[:10]

    # -- users, rate limit, repository

    def h_get_user(self, ctx: "_Ctx") -> Response:
        return Response(200, self.private_user_json(ctx.login))

    def h_get_rate_limit(self, ctx: "_Ctx") -> Response:
        core = {"limit": self.rate_limit, "remaining": self.rate_remaining,
                "reset": self.rate_reset, "used": min(self.rate_used, self.rate_limit)}
        other = {"limit": 30, "remaining": 30, "reset": int(time.time()) + 60, "used": 0}
        graphql = {"limit": 5000, "remaining": 5000, "reset": self.rate_reset, "used": 0}
        return Response(200, {"resources": {"core": core, "search": other, "graphql": graphql},
                              "rate": core})

    def h_get_repo(self, ctx: "_Ctx") -> Response:
        return Response(200, self.repo_json(self._repo_of(ctx)))

    def h_list_assignees(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx)
        logins = set(r.collaborators)
        if self.users[r.owner].type != "Organization":
            logins.add(r.owner)
        users = sorted(logins, key=str.casefold)
        resp = self._paginate(ctx, users)
        resp.body = [self.user_json(u) for u in resp.body]
        return resp

    def h_check_assignee(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx)
        if ctx.params["assignee"] in r.collaborators or ctx.params["assignee"] == r.owner:
            return Response(204)
        raise not_found()

    # -- issues

    def h_list_issues(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        state = ctx.enum_param("state", ("open", "closed", "all"), "open")
        sort = ctx.enum_param("sort", ("created", "updated", "comments"), "created")
        direction = ctx.enum_param("direction", ("asc", "desc"), "desc")
        since = ctx.time_param("since")
        labels = [n.strip().casefold() for n in (ctx.param("labels") or "").split(",")
                  if n.strip()]
        assignee = ctx.param("assignee")
        creator = ctx.param("creator")
        mentioned = ctx.param("mentioned")
        out = []
        for issue in r.issues.values():
            if issue.deleted or (state != "all" and issue.state != state):
                continue
            if since is not None and issue.updated_at < since:
                continue
            names = {r.labels[i].name.casefold() for i in issue.label_ids}
            if any(n not in names for n in labels):
                continue
            if assignee == "none" and issue.assignees:
                continue
            if assignee == "*" and not issue.assignees:
                continue
            if assignee not in (None, "none", "*") and assignee not in issue.assignees:
                continue
            if creator is not None and issue.user != creator:
                continue
            if mentioned is not None and f"@{mentioned}" not in (issue.body or ""):
                continue
            out.append(issue)
        key = {"created": lambda i: (i.created_at, i.number),
               "updated": lambda i: (i.updated_at, i.number),
               "comments": lambda i: (len(i.comment_ids), i.number)}[sort]
        out.sort(key=key, reverse=(direction == "desc"))
        resp = self._paginate(ctx, out)
        resp.body = [self.issue_json(r, i) for i in resp.body]
        return resp

    def h_get_issue(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        resp = Response(200, self.issue_json(r, issue, single=True))
        resp.headers["Last-Modified"] = format_datetime(issue.updated_at, usegmt=True)
        return resp

    def h_create_issue(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        body = ctx.json_object()
        if "title" not in body or body["title"] is None:
            raise invalid_request('"title" wasn\'t supplied.')
        title = body["title"]
        if isinstance(title, int) and not isinstance(title, bool):
            title = str(title)
        if not isinstance(title, str):
            raise invalid_request(f"For 'properties/title', {json.dumps(title)} is not a "
                                  "string or integer.")
        if not title.strip():
            raise validation_failed("Issue", "title", "missing_field")
        text = body.get("body")
        if text is not None and not isinstance(text, str):
            raise invalid_request(f"For 'properties/body', {json.dumps(text)} is not a string.")
        logins = list(body.get("assignees") or [])
        if body.get("assignee"):
            logins.insert(0, body["assignee"])
        assignees = self._assignees(r, logins, strict=True)
        label_ids = self._ensure_labels(r, self._label_refs(body.get("labels") or []))
        now = self.now()
        issue = Issue(id=self._next_id(), number=r.next_number, title=title, body=text,
                      user=ctx.login, created_at=now, updated_at=now, label_ids=label_ids,
                      assignees=assignees)
        r.next_number += 1
        r.issues[issue.number] = issue
        data = self.issue_json(r, issue, single=True)
        return Response(201, data, headers={"Location": data["url"]})

    def h_update_issue(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        body = ctx.json_object()
        before = copy.deepcopy(issue)
        if "title" in body:
            title = body["title"]
            if isinstance(title, int) and not isinstance(title, bool):
                title = str(title)
            if not isinstance(title, str) or not title.strip():
                raise validation_failed("Issue", "title", "missing_field")
            issue.title = title
        if "body" in body:
            if body["body"] is not None and not isinstance(body["body"], str):
                raise invalid_request("For 'properties/body', value is not a string or null.")
            issue.body = body["body"]
        if "assignees" in body or "assignee" in body:
            logins = list(body.get("assignees") or [])
            if body.get("assignee"):
                logins.insert(0, body["assignee"])
            issue.assignees = self._assignees(r, logins, strict=True)
        if "labels" in body:
            issue.label_ids = self._ensure_labels(r, self._label_refs(body["labels"] or []))
        reason = body.get("state_reason", ...)
        if reason is not ... and reason not in (None, "completed", "not_planned", "duplicate",
                                                "reopened"):
            raise invalid_request(f"For 'properties/state_reason', {json.dumps(reason)} is not "
                                  "one of the allowed values.")
        if "state" in body:
            state = body["state"]
            if state not in ("open", "closed"):
                raise invalid_request(f"For 'properties/state', {json.dumps(state)} is not "
                                      "one of ['open', 'closed'].")
            if state == "closed" and issue.state != "closed":
                issue.state = "closed"
                issue.closed_at = self.now()
                issue.closed_by = ctx.login
                issue.state_reason = reason if reason not in (..., None, "reopened") \
                    else "completed"
            elif state == "closed" and reason not in (..., None):
                issue.state_reason = reason
            elif state == "open" and issue.state != "open":
                issue.state = "open"
                issue.closed_at = None
                issue.closed_by = None
                issue.state_reason = "reopened"
        elif reason is not ... and issue.state == "closed" and reason not in (None, "reopened"):
            issue.state_reason = reason
        if issue != before:
            self._touch(issue)
        return Response(200, self.issue_json(r, issue, single=True))

    # -- assignees on an issue

    def h_add_assignees(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        body = ctx.json_object()
        logins = [a["login"] if isinstance(a, dict) and "login" in a else a
                  for a in body.get("assignees", [])]
        added = [a for a in self._assignees(r, logins, strict=False) if a not in issue.assignees]
        if added:
            issue.assignees = (issue.assignees + added)[:10]
            self._touch(issue)
        return Response(201, self.issue_json(r, issue, single=True))

    def h_remove_assignees(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        body = ctx.json_object()
        if "assignees" not in body:
            raise invalid_request('"assignees" wasn\'t supplied.')
        logins = body["assignees"]
        if not isinstance(logins, list):
            raise invalid_request("For 'properties/assignees', value is not an array.")
        kept = [a for a in issue.assignees if a not in logins]
        if kept != issue.assignees:
            issue.assignees = kept
            self._touch(issue)
        return Response(200, self.issue_json(r, issue, single=True))

    # -- comments

    def h_list_issue_comments(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        since = ctx.time_param("since")
        items = [r.comments[c] for c in issue.comment_ids
                 if since is None or r.comments[c].updated_at >= since]
        items.sort(key=lambda c: (c.created_at, c.id))
        resp = self._paginate(ctx, items)
        resp.body = [self.comment_json(r, c) for c in resp.body]
        return resp

    def h_list_repo_comments(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        sort = ctx.enum_param("sort", ("created", "updated"), None)
        direction = ctx.enum_param("direction", ("asc", "desc"), None)
        since = ctx.time_param("since")
        items = [c for c in r.comments.values()
                 if not r.issues[c.issue_number].deleted
                 and (since is None or c.updated_at >= since)]
        if sort == "updated":
            items.sort(key=lambda c: (c.updated_at, c.id))
        else:
            items.sort(key=lambda c: (c.created_at, c.id))
        if sort is not None and direction != "asc":   # direction defaults to desc, and is
            items.reverse()                            # ignored without sort
        resp = self._paginate(ctx, items)
        resp.body = [self.comment_json(r, c) for c in resp.body]
        return resp

    def h_get_comment(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        return Response(200, self.comment_json(r, self._comment_of(ctx, r)))

    def _comment_body(self, ctx: "_Ctx") -> str:
        body = ctx.json_object()
        if "body" not in body:
            raise invalid_request('"body" wasn\'t supplied.')
        text = body["body"]
        if not isinstance(text, str):
            raise invalid_request(f"For 'properties/body', {json.dumps(text)} is not a string.")
        if not text.strip():
            raise validation_failed("IssueComment", "body", "missing_field")
        if len(text) > 65536:
            raise validation_failed("IssueComment", "body", "custom",
                                    message="Body is too long (maximum is 65536 characters)")
        return text

    def h_create_comment(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        text = self._comment_body(ctx)
        if issue.locked and ctx.login not in r.collaborators:
            raise ApiError(403, "Unable to create comment because issue is locked.")
        now = self.now()
        comment = Comment(id=self._next_id(), issue_number=issue.number, body=text,
                          user=ctx.login, created_at=now, updated_at=now)
        r.comments[comment.id] = comment
        issue.comment_ids.append(comment.id)
        self._touch(issue)
        data = self.comment_json(r, comment)
        return Response(201, data, headers={"Location": data["url"]})

    def h_update_comment(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        comment = self._comment_of(ctx, r)
        text = self._comment_body(ctx)
        if text != comment.body:
            comment.body = text
            comment.updated_at = max(self.now(), comment.updated_at)
        return Response(200, self.comment_json(r, comment))

    def h_delete_comment(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        comment = self._comment_of(ctx, r)
        del r.comments[comment.id]
        issue = r.issues[comment.issue_number]
        issue.comment_ids.remove(comment.id)
        self._touch(issue)
        return Response(204)

    # -- labels of a repository

    def _label_fields(self, body: dict[str, Any], *, name_key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if name_key in body:
            name = body[name_key]
            if not isinstance(name, str):
                raise invalid_request(f"For 'properties/{name_key}', {json.dumps(name)} is not "
                                      "a string.")
            if not name.strip():
                raise validation_failed("Label", "name", "missing_field")
            out["name"] = name.strip()
        if "color" in body:
            color = body["color"]
            if not isinstance(color, str):
                raise invalid_request(f"For 'properties/color', {json.dumps(color)} is not "
                                      "a string.")
            color = color.lstrip("#")
            if not re.fullmatch(r"[0-9a-fA-F]{6}", color):
                raise validation_failed("Label", "color", "invalid")
            out["color"] = color.lower()
        if "description" in body:
            desc = body["description"]
            if desc is not None and not isinstance(desc, str):
                raise invalid_request("For 'properties/description', value is not a string.")
            if desc is not None and len(desc) > 100:
                raise validation_failed("Label", "description", "custom",
                                        message="description is too long (maximum is 100 "
                                                "characters)")
            out["description"] = desc or None
        return out

    def h_list_labels(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx)
        resp = self._paginate(ctx, list(r.labels.values()))
        resp.body = [self.label_json(r, label) for label in resp.body]
        return resp

    def h_get_label(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx)
        label = r.label_by_name(ctx.params["name"])
        if label is None:
            raise not_found()
        return Response(200, self.label_json(r, label))

    def h_create_label(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx)
        body = ctx.json_object()
        if "name" not in body:
            raise invalid_request('"name" wasn\'t supplied.')
        fields = self._label_fields(body, name_key="name")
        if r.label_by_name(fields["name"]) is not None:
            raise validation_failed("Label", "name", "already_exists")
        label = Label(id=self._next_id(), name=fields["name"],
                      color=fields.get("color", DEFAULT_LABEL_COLOR),
                      description=fields.get("description"))
        r.labels[label.id] = label
        data = self.label_json(r, label)
        return Response(201, data, headers={"Location": data["url"]})

    def h_update_label(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx)
        label = r.label_by_name(ctx.params["name"])
        if label is None:
            raise not_found()
        fields = self._label_fields(ctx.json_object(), name_key="new_name")
        if "name" in fields:
            other = r.label_by_name(fields["name"])
            if other is not None and other.id != label.id:
                raise validation_failed("Label", "name", "already_exists")
            label.name = fields["name"]
        if "color" in fields:
            label.color = fields["color"]
        if "description" in fields:
            label.description = fields["description"]
        return Response(200, self.label_json(r, label))

    def h_delete_label(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx)
        label = r.label_by_name(ctx.params["name"])
        if label is None:
            raise not_found()
        del r.labels[label.id]
        for issue in r.issues.values():
            if label.id in issue.label_ids:
                issue.label_ids.remove(label.id)
        return Response(204)

    # -- labels of an issue

    def _issue_label_list(self, r: Repo, issue: Issue) -> list[dict[str, Any]]:
        return [self.label_json(r, r.labels[i]) for i in issue.label_ids]

    def _labels_body(self, ctx: "_Ctx") -> list[str]:
        body = ctx.json_body()
        if isinstance(body, list):           # GitHub still accepts a bare array
            return self._label_refs(body)
        if not isinstance(body, dict):
            raise invalid_request("Request body must be an object.")
        return self._label_refs(body.get("labels") or [])

    def h_list_issue_labels(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        resp = self._paginate(ctx, [r.labels[i] for i in issue.label_ids])
        resp.body = [self.label_json(r, label) for label in resp.body]
        return resp

    def h_add_issue_labels(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        ids = self._ensure_labels(r, self._labels_body(ctx))
        new = [i for i in ids if i not in issue.label_ids]
        if new:
            issue.label_ids.extend(new)
            self._touch(issue)
        return Response(200, self._issue_label_list(r, issue))

    def h_set_issue_labels(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        ids = self._ensure_labels(r, self._labels_body(ctx))
        if ids != issue.label_ids:
            issue.label_ids = ids
            self._touch(issue)
        return Response(200, self._issue_label_list(r, issue))

    def h_clear_issue_labels(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        if issue.label_ids:
            issue.label_ids = []
            self._touch(issue)
        return Response(204)

    def h_remove_issue_label(self, ctx: "_Ctx") -> Response:
        r = self._repo_of(ctx, issues=True)
        issue = self._issue_of(ctx, r)
        label = r.label_by_name(ctx.params["name"])
        if label is None or label.id not in issue.label_ids:
            raise ApiError(404, "Label does not exist")
        issue.label_ids.remove(label.id)
        self._touch(issue)
        return Response(200, self._issue_label_list(r, issue))


def _as_time(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        return parse_time(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0)


def _default_message(status: int) -> str:
    return {500: "Server Error", 502: "Server Error", 503: "Service Unavailable",
            403: "Forbidden", 429: "Too Many Requests"}.get(status, "Error")


class _Ctx:
    """One request's parsed inputs, with GitHub-style parameter validation."""

    def __init__(self, fake: FakeGitHub, method: str, path: str, query: dict[str, list[str]],
                 raw_query: str, body: Any, login: str, params: dict[str, str]):
        self.fake, self.method, self.path, self.query = fake, method, path, query
        self.raw_query, self.body, self.login, self.params = raw_query, body, login, params

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def int_param(self, name: str, default: int) -> int:
        value = self.param(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise invalid_request(f"For '{name}', {json.dumps(value)} is not an integer.") \
                from None

    def enum_param(self, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
        value = self.param(name)
        if value is None:
            return default
        if value not in allowed:
            raise validation_failed("Issue", name, "invalid", value=value)
        return value

    def time_param(self, name: str) -> datetime | None:
        value = self.param(name)
        if value is None:
            return None
        try:
            return parse_time(value)
        except ValueError:
            raise validation_failed("Issue", name, "invalid", value=value) from None

    def json_body(self) -> Any:
        return self.body

    def json_object(self) -> dict[str, Any]:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise invalid_request("Request body must be a JSON object.")
        return self.body


class _ParseError(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler; all logic lives in FakeGitHub."""

    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""
    fake: FakeGitHub

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the log
        pass

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def _handle(self, method: str) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        if fake.path_prefix and (path == fake.path_prefix
                                 or path.startswith(fake.path_prefix + "/")):
            path = path[len(fake.path_prefix):] or "/"
        elif fake.path_prefix:
            path = "/__outside_prefix__" + path
        if len(path) > 1:
            path = path.rstrip("/")
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        route_method = "GET" if method == "HEAD" else method

        with fake._lock:
            record = RequestRecord(method=method, path=path, query=query,
                                   query_string=parsed.query, status=None)
            fake.requests.append(record)
            fault = fake._take_fault(route_method, path, query)
            if fault is not None:
                record.fault = fault.name
            response: Response | None = None
            try:
                body = None
                if raw_body:
                    try:
                        body = json.loads(raw_body)
                    except ValueError:
                        raise ApiError(400, "Problems parsing JSON") from None
                record.body = body
                login = fake._authenticate(headers)
                record.login = login
                if path != "/rate_limit":
                    fake._check_primary_rate_limit(login)
                if fault is None or fault.apply or fault.kind == "truncate":
                    response = fake.dispatch(route_method, path, query, parsed.query, body, login)
            except ApiError as err:
                response = Response(err.status, err.body, headers=dict(err.headers))

            if fault is not None and (response is None or response.status < 400
                                      or fault.kind != "status"):
                if fault.kind == "status":
                    headers_out = {}
                    if fault.retry_after is not None:
                        headers_out["Retry-After"] = str(fault.retry_after)
                    response = Response(fault.status, {"message": fault.message,
                                                       "documentation_url": DOCS,
                                                       "status": str(fault.status)},
                                        headers=headers_out)
                elif fault.kind == "drop":
                    self._notify(method, path, parsed.query, headers, raw_body, None, {}, b"",
                                 fault.name)
                    self._drop()
                    return
            assert response is not None
            status, out_headers, out_body = self._finish(method, path, parsed, headers,
                                                         response, record)
            record.status = status
            self._notify(method, path, parsed.query, headers, raw_body, status, out_headers,
                         out_body, record.fault)
            if fault is not None and fault.kind == "truncate":
                self._send(status, out_headers, out_body[: max(len(out_body) // 2, 1)],
                           declared=len(out_body) or 2)
                self._drop()
                return
        self._send(status, out_headers, out_body if method != "HEAD" else b"",
                   declared=len(out_body))

    def _finish(self, method: str, path: str, parsed: urllib.parse.SplitResult,
                req_headers: dict[str, str], response: Response, record: RequestRecord
                ) -> tuple[int, dict[str, str], bytes]:
        fake = self.fake
        status = response.status
        headers: dict[str, str] = {
            "Server": "GitHub.com",
            "Date": format_datetime(datetime.now(timezone.utc), usegmt=True),
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Request-Id": f"FAKE:{len(fake.requests):06d}",
            "Access-Control-Expose-Headers": "ETag, Link, Location, Retry-After, "
                                             "X-RateLimit-Limit, X-RateLimit-Remaining, "
                                             "X-RateLimit-Reset, X-RateLimit-Used",
        }
        body_bytes = b""
        if response.body is not None:
            body_bytes = json.dumps(response.body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        if response.links:
            headers["Link"] = ", ".join(
                f'<{self._page_url(parsed, page)}>; rel="{rel}"' for rel, page in response.links)
        headers.update(response.headers)

        authenticated = record.login is not None
        counted = authenticated and path != "/rate_limit" and status != 401
        if status == 200 and method in ("GET", "HEAD") and record.fault is None:
            etag = 'W/"' + hashlib.sha256(body_bytes + headers.get("Link", "").encode()
                                          ).hexdigest()[:40] + '"'
            headers["ETag"] = etag
            headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
            headers["Vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
            if self._not_modified(req_headers, etag, headers.get("Last-Modified")):
                status, body_bytes, counted = 304, b"", False
                for key in ("Content-Type", "Link"):
                    headers.pop(key, None)
        counted = counted and status != 304 and fake.rate_used < fake.rate_limit
        if counted:
            fake.rate_used += 1
        record.counted = counted
        if authenticated:
            headers.update(fake._rate_headers())
            headers["X-OAuth-Scopes"] = "repo"
            headers["X-Accepted-OAuth-Scopes"] = "repo"
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="GitHub"'
        return status, headers, body_bytes

    def _not_modified(self, req_headers: dict[str, str], etag: str,
                      last_modified: str | None) -> bool:
        inm = req_headers.get("if-none-match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]

            def weak(t: str) -> str:
                return t[2:] if t.startswith("W/") else t

            return "*" in tags or weak(etag) in {weak(t) for t in tags}
        ims = req_headers.get("if-modified-since")
        if ims and last_modified:
            try:
                return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def _page_url(self, parsed: urllib.parse.SplitResult, page: int) -> str:
        pairs = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        out, replaced = [], False
        for key, value in pairs:
            if key == "page":
                if not replaced:
                    out.append(("page", str(page)))
                    replaced = True
                continue
            out.append((key, value))
        if not replaced:
            out.append(("page", str(page)))
        return f"{self.fake.root_url}{parsed.path}?{urllib.parse.urlencode(out)}"

    def _send(self, status: int, headers: dict[str, str], body: bytes, *, declared: int) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key in ("Server", "Date"):
                continue
            self.send_header(key, value)
        if status != 304 and status != 204:
            self.send_header("Content-Length", str(declared))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self.wfile.flush()

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _notify(self, method: str, path: str, query_string: str, req_headers: dict[str, str],
                req_body: bytes, status: int | None, headers: dict[str, str], body: bytes,
                fault: str | None) -> None:
        if not self.fake.observers:
            return
        exchange = Exchange(method=method, path=path, query_string=query_string,
                            request_headers=req_headers, request_body=req_body, status=status,
                            response_headers=headers, response_body=body,
                            base_url=self.fake.base_url, fault=fault)
        for observer in list(self.fake.observers):
            observer(exchange)
