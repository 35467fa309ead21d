"""Talking to GitHub's REST API through PyGithub's requester.

Why not PyGithub's object layer: its lists cannot send conditional requests, and its objects
fetch themselves again when an attribute the list did not return is read (one request per
issue). Going through ``Github.requester`` keeps PyGithub's authentication, ``Link`` handling,
pacing and ``GithubRetry`` (5xx, secondary rate limits with ``Retry-After``) while every request
stays visible and countable here.

Retries never repeat a request that may have done its work: POST is left out of the automatic
retries (a 502 after GitHub created the issue would otherwise create a second one); callers
that create things put a hidden marker in them and look for it before trying again
(:class:`WriteOutcomeUnknown`). Reads and PATCH/PUT/DELETE, which set absolute values, are
retried, including after a dropped connection or a truncated body.

The token comes only from ``GITHUB_TOKEN`` or ``GH_TOKEN`` and is never printed, logged or
written; error messages never include request headers.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gitdesk.errors import AuthError, NotFoundError, RemoteError, ValidationError

TOKEN_ENV = ("GITHUB_TOKEN", "GH_TOKEN")
DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})

# PyGithub's pacing: GitHub asks integrations to send writes one at a time, about a second
# apart, to stay clear of secondary rate limits. Tests against a local server set both to None.
PACING: dict[str, float | None] = {"seconds_between_requests": 0.25, "seconds_between_writes": 1.0}
# How long to wait for a rate limit to reset before giving up with a clear error.
MAX_RATE_LIMIT_WAIT = 300.0
# Extra attempts for reads after the connection broke in the middle of a response.
CONNECTION_RETRIES = 3
# Times a POST refused by a secondary rate limit is sent again after its Retry-After.
RATE_LIMIT_RETRIES = 3


def _wait(seconds: float) -> None:
    """Sleep before a retry (a module function, so tests can record the waits)."""
    time.sleep(seconds)


def token_from_env(environ: dict[str, str] | None = None) -> str:
    """The API token, from ``GITHUB_TOKEN`` or ``GH_TOKEN`` only."""
    env = os.environ if environ is None else environ
    for name in TOKEN_ENV:
        value = (env.get(name) or "").strip()
        if value:
            return value
    raise AuthError("no GitHub token: set GITHUB_TOKEN or GH_TOKEN in the environment (gitdesk never reads tokens from files)")


_OWNER_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,100}")


def split_repository(full_name: str, *, path: str = "helpdesk.yml", field_name: str = "github.repository") -> tuple[str, str]:
    owner, _, name = (full_name or "").strip().partition("/")
    valid = _OWNER_RE.fullmatch(owner) and _NAME_RE.fullmatch(name) and name not in (".", "..")
    if not valid:
        raise ValidationError(f"not a GitHub repository {full_name!r} (expected owner/name)", path=path, field=field_name)
    return owner, name


class WriteOutcomeUnknown(RemoteError):
    """A POST whose answer never arrived: GitHub may or may not have done it."""


@dataclass
class Response:
    status: int
    data: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def link(self, rel: str) -> str | None:
        for part in (self.headers.get("link") or "").split(","):
            url, _, params = part.partition(";")
            if f'rel="{rel}"' in params:
                return url.strip().strip("<>")
        return None


def _message(data: Any, fallback: str) -> str:
    text = data.get("message") if isinstance(data, dict) else None
    text = " ".join(str(text or fallback).split())
    details = []
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        for err in data["errors"][:3]:
            if isinstance(err, dict):
                details.append(err.get("message") or " ".join(str(err.get(k)) for k in ("field", "code") if err.get(k)))
            else:
                details.append(str(err))
    if details:
        text += " (" + "; ".join(" ".join(d.split()) for d in details) + ")"
    return text[:300]


class GitHubClient:
    """One repository on one GitHub (or GitHub Enterprise Server) API endpoint."""

    def __init__(self, api_url: str, repository: str, token: str, *, pacing: dict | None = None,
                 sleep: Callable[[float], None] | None = None):
        import github  # PyGithub: ~0.6 s to import, so only when GitHub is really used
        from github import Auth, GithubRetry

        logging.getLogger("github").setLevel(logging.DEBUG if os.environ.get("GITDESK_DEBUG") else logging.WARNING)
        self.owner, self.name = split_repository(repository)
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        parts = urllib.parse.urlsplit(self.api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(f"not an API URL: {api_url!r}", path="helpdesk.yml", field="github.api_url")
        self.host = parts.netloc
        retry = GithubRetry(total=6, backoff_factor=0.5, allowed_methods=set(IDEMPOTENT),
                            secondary_rate_wait=60, max_rate_limit_wait=MAX_RATE_LIMIT_WAIT)
        pacing = PACING if pacing is None else pacing
        self._github = github.Github(base_url=self.api_url, auth=Auth.Token(token), retry=retry, timeout=30,
                                     user_agent="gitdesk", **pacing)
        self._requester = self._github.requester
        self._sleep = sleep or (lambda seconds: _wait(seconds))
        self.requests = 0  # requests sent by this client (not counting transport-level retries)
        self.writes = 0

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def repo_path(self, suffix: str = "") -> str:
        return f"/repos/{urllib.parse.quote(self.owner)}/{urllib.parse.quote(self.name)}{suffix}"

    # -- one request ---------------------------------------------------------------------------
    def request(self, method: str, url: str, *, params: dict | None = None, body: Any = None,
                etag: str | None = None) -> Response:
        """Send one request; return the answer or raise a :class:`~gitdesk.errors.GitdeskError`."""
        import requests
        from github.GithubException import GithubException

        headers = {"If-None-Match": etag} if etag else None
        attempts = 0
        while True:
            attempts += 1
            self.requests += 1
            if method != "GET":
                self.writes += 1
            try:
                status, raw_headers, output = self._requester.requestJson(method, url, params, headers, body)
            except requests.exceptions.RetryError as exc:  # GithubRetry gave up (5xx, rate limits)
                raise RemoteError(f"GitHub at {self.host} kept failing: {method} {self._short(url).split('?')[0]} ({_cause(exc)})") from None
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as exc:
                if method not in IDEMPOTENT:
                    raise WriteOutcomeUnknown(f"the connection to {self.host} broke during {method} {self._short(url)}: "
                                              "GitHub may or may not have done it") from None
                if attempts > CONNECTION_RETRIES:
                    raise RemoteError(f"cannot reach GitHub at {self.host}: {_cause(exc)}") from None
                self._sleep(min(0.5 * 2 ** (attempts - 1), 4.0))
                continue
            except GithubException as exc:  # raised by GithubRetry (rate limit wait too long...)
                raise RemoteError(f"GitHub {method} {self._short(url).split('?')[0]}: {_message(exc.data, str(exc.status))} "
                                  f"({exc.status}){_reset_note(exc.headers)}") from None
            except AssertionError as exc:  # PyGithub refuses a URL on another host
                raise RemoteError(f"GitHub returned a URL outside {self.api_url}: {exc}") from None
            lowered = {str(k).lower(): v for k, v in (raw_headers or {}).items()}
            data = _json(output)
            if method not in IDEMPOTENT and status in (403, 429) and attempts <= RATE_LIMIT_RETRIES and _rate_limited(data, lowered):
                # a rate-limited request was not processed: waiting and sending it again is safe
                self._sleep(_retry_after(lowered))
                continue
            if method not in IDEMPOTENT and status >= 500:
                raise WriteOutcomeUnknown(f"GitHub answered {status} to {method} {self._short(url)}: "
                                          "it may or may not have done it")
            break
        if status >= 400:
            self._raise(status, method, url, data)
        return Response(status, data, lowered)

    def _short(self, url: str) -> str:
        return url[len(self.api_url):] if url.startswith(self.api_url) else url

    def _raise(self, status: int, method: str, url: str, data: Any) -> None:
        text = _message(data, f"HTTP {status}")
        where = f"{method} {self._short(url).split('?')[0]}"
        if status == 401:
            raise AuthError(f"GitHub refused the token from GITHUB_TOKEN/GH_TOKEN ({status}: {text})")
        if status == 403 and "rate limit" not in text.lower():
            raise AuthError(f"GitHub refused {where}: {text} ({status}); does the token have access to {self.full_name}?")
        if status in (404, 410):
            raise NotFoundError(f"GitHub: {where}: {text} ({status})")
        if status == 422:
            raise ValidationError(f"GitHub refused {where}: {text}")
        raise RemoteError(f"GitHub {where}: {text} ({status})")

    def get(self, url: str, params: dict | None = None, *, etag: str | None = None) -> Response:
        return self.request("GET", url, params=params, etag=etag)

    def post(self, url: str, body: Any) -> Response:
        return self.request("POST", url, body=body)

    def patch(self, url: str, body: Any) -> Response:
        return self.request("PATCH", url, body=body)

    def delete(self, url: str, body: Any = None) -> Response:
        return self.request("DELETE", url, body=body)

    # -- lists ---------------------------------------------------------------------------------
    def pages(self, url: str, params: dict | None = None, *, etag: str | None = None) -> Iterator[Response]:
        """Every page of a list, following ``Link: rel="next"`` exactly as GitHub sent it.

        With ``etag``, the first page is asked conditionally; a 304 ends the iteration after
        yielding that one (empty) response.
        """
        params = {"per_page": PER_PAGE, **(params or {})}
        response = self.get(url, params, etag=etag)
        yield response
        if response.not_modified:
            return
        next_url = response.link("next")
        seen = {next_url}
        while next_url:
            response = self.get(next_url)
            yield response
            next_url = response.link("next")
            if next_url is not None and next_url in seen:  # a server that loops would keep us here forever
                raise RemoteError(f"GitHub pagination loops at {self._short(next_url)}")
            seen.add(next_url)

    def list_all(self, url: str, params: dict | None = None) -> list:
        out: list = []
        for page in self.pages(url, params):
            if isinstance(page.data, list):
                out.extend(page.data)
        return out


def _json(output: str) -> Any:
    if not output:
        return None
    try:
        return json.loads(output)
    except ValueError:
        return {"message": output[:200]}


def _rate_limited(data: Any, headers: dict[str, str]) -> bool:
    message = data.get("message", "") if isinstance(data, dict) else ""
    return "retry-after" in headers or "rate limit" in str(message).lower()


def _retry_after(headers: dict[str, str]) -> float:
    try:
        return min(max(float(headers.get("retry-after", "60")), 1.0), MAX_RATE_LIMIT_WAIT)
    except ValueError:
        return 60.0


def _reset_note(headers: Any) -> str:
    """`` (the limit resets at 14:05 UTC)`` from X-RateLimit-Reset, when GitHub sent it."""
    from datetime import datetime, timezone

    lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
    value = str(lowered.get("x-ratelimit-reset") or "")
    if not value.isdigit():
        return ""
    return f"; the limit resets at {datetime.fromtimestamp(int(value), timezone.utc):%H:%M} UTC"


def _cause(exc: BaseException) -> str:
    text = str(exc.args[0] if exc.args else exc)
    return " ".join(text.split())[:160]
