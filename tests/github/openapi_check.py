"""Check every request/response pair of the fake GitHub against GitHub's OpenAPI description.

Why: the fake server is only worth something if it answers like GitHub. Each exchange is
validated with ``openapi-core`` against ``openapi-subset.json`` (extracted from
``@octokit/openapi`` by ``extract_openapi.py``), plus checks the description cannot express:

* the response carries no property the schema does not document (catches misspelt fields;
  GitHub's schemas allow extra properties, so openapi-core alone would not);
* every absolute URL in a body or in ``Link``/``Location`` starts with the server's URL
  (PyGithub asserts this), and every ``Link`` keeps the request's query parameters;
* a status the operation does not document (401, 403/429 rate limits, 5xx, a 304 on a GET)
  carries GitHub's generic error body (or no body for 304);
* the called operation is one the subset describes (so a backend calling an endpoint the
  server does not implement shows up as a clear failure, not a mysterious 404).

Install as an observer: ``gh.observers.append(OpenAPIChecker())``; read ``checker.errors``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
import urllib.parse
from pathlib import Path
from typing import Any, Iterator

SUBSET = Path(__file__).with_name("openapi-subset.json")
SPEC_HOST = "https://api.github.com"
# Statuses GitHub may answer on any operation even where the description does not list them.
# Operations where a bare JSON array body is accepted (see _wrap_bare_label_array).
BARE_LABEL_ARRAYS = {("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
                     ("PUT", "/repos/{owner}/{repo}/issues/{issue_number}/labels")}
GENERIC_ERRORS = {400, 401, 403, 404, 410, 422, 429, 500, 502, 503, 504}


@functools.lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    return json.loads(SUBSET.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def load_openapi() -> Any:
    """The openapi-core application for the subset (built once: checking the spec is slow)."""
    from openapi_core import OpenAPI

    return OpenAPI.from_dict(load_spec())


@functools.lru_cache(maxsize=1)
def _templates() -> list[tuple[re.Pattern, str]]:
    out = []
    for template in load_spec()["paths"]:
        regex = "^" + re.sub(r"\{(\w+)\}", r"[^/]+", template) + "$"
        out.append((re.compile(regex), template))
    # Literal segments first: /issues/comments must win over /issues/{issue_number}.
    out.sort(key=lambda item: item[1].count("{"))
    return out


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    spec = load_spec()
    for regex, template in _templates():
        if regex.match(path):
            op = spec["paths"][template].get(method.lower())
            if op is not None:
                return template, op
    return None


def implemented_operations() -> set[tuple[str, str]]:
    spec = load_spec()
    return {(p, m) for p, item in spec["paths"].items() for m in item if m != "parameters"}


# --------------------------------------------------------------------------------------------
# Schema helpers


def _deref(node: Any) -> Any:
    spec = load_spec()
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
        seen += 1
        if seen > 50:
            raise ValueError(f"$ref loop at {ref}")
    return node


def _flatten(schema: Any) -> list[dict[str, Any]]:
    """Concrete alternatives of a schema (refs resolved, oneOf/anyOf/allOf expanded)."""
    schema = _deref(schema)
    if not isinstance(schema, dict):
        return []
    out = []
    branches = [b for key in ("oneOf", "anyOf", "allOf") for b in schema.get(key, [])]
    rest = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "allOf")}
    if rest.get("properties") or rest.get("items") or not branches:
        out.append(rest)
    for branch in branches:
        out.extend(_flatten(branch))
    return out


def undocumented_properties(value: Any, schema: Any, where: str = "$") -> list[str]:
    """Paths of object keys in ``value`` that no alternative of ``schema`` documents."""
    found: list[str] = []
    candidates = _flatten(schema)
    if isinstance(value, dict):
        objects = [c for c in candidates if c.get("type") in (None, "object")]
        if not objects:
            return found
        free = any(c.get("additionalProperties") not in (None, False) or
                   ("properties" not in c and c.get("additionalProperties") is None)
                   for c in objects)
        for key, item in value.items():
            subs = [c["properties"][key] for c in objects if key in c.get("properties", {})]
            if not subs:
                if not free:
                    found.append(f"{where}.{key}")
                continue
            found.extend(undocumented_properties(item, {"anyOf": subs}, f"{where}.{key}"))
    elif isinstance(value, list):
        items = [c["items"] for c in candidates if "items" in c]
        if items:
            for index, item in enumerate(value):
                found.extend(undocumented_properties(item, {"anyOf": items},
                                                     f"{where}[{index}]"))
    return found


def foreign_urls(value: Any, root: str, where: str = "$") -> list[str]:
    """Absolute URLs in a JSON value that do not start with ``root``."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "documentation_url":      # GitHub's docs, never followed by clients
                continue
            found.extend(foreign_urls(item, root, f"{where}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(foreign_urls(item, root, f"{where}[{index}]"))
    elif isinstance(value, str) and re.match(r"^https?://", value):
        if not value.startswith(root):
            found.append(f"{where}={value}")
    return found


def parse_link_header(value: str) -> dict[str, str]:
    links = {}
    for part in value.split(","):
        m = re.match(r'\s*<([^>]*)>\s*;\s*rel="([^"]+)"\s*$', part)
        if m is None:
            raise ValueError(f"malformed Link header part {part!r}")
        links[m.group(2)] = m.group(1)
    return links


def _query_without_page(query: str) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True)
                  if k != "page")


# --------------------------------------------------------------------------------------------
# The observer


class OpenAPIChecker:
    """Observer for :class:`tests.github.server.FakeGitHub` that records every mismatch."""

    def __init__(self) -> None:
        self.app = load_openapi()
        self.errors: list[str] = []
        self.checked = 0
        self._allow_invalid_requests = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def allow_invalid_requests(self) -> Iterator[None]:
        """Within the block, requests that break the description are expected (a test of the
        server's own 4xx answers); their responses are still checked."""
        self._allow_invalid_requests += 1
        try:
            yield
        finally:
            self._allow_invalid_requests -= 1

    def __call__(self, exchange: Any) -> None:
        try:
            problems = self.check(exchange)
        except Exception as exc:  # a checker bug must fail the test, not the server thread
            problems = [f"checker error: {exc!r}"]
        with self._lock:
            self.checked += 1
            if problems:
                query = f"?{exchange.query_string}" if exchange.query_string else ""
                status = exchange.status if exchange.status is not None else "dropped"
                self.errors.append(f"{exchange.method} {exchange.path}{query} -> {status}: "
                                   + "; ".join(problems))

    # -- the checks

    def check(self, ex: Any) -> list[str]:
        from openapi_core.testing import MockRequest, MockResponse

        found = operation_for(ex.method if ex.method != "HEAD" else "GET", ex.path)
        if found is None:
            return [f"{ex.method} {ex.path} is not an operation of the OpenAPI subset "
                    "(add it to extract_openapi.OPERATIONS and to the server)"]
        template, op = found
        problems: list[str] = []

        content_type = ex.request_headers.get("content-type", "application/json")
        request_body = ex.request_body
        if (ex.method, template) in BARE_LABEL_ARRAYS and request_body:
            request_body, note = _wrap_bare_label_array(request_body, ex.method)
            if note:
                problems.append(note)
        request = MockRequest(
            SPEC_HOST, ex.method.lower(), ex.path,
            args=urllib.parse.parse_qs(ex.query_string, keep_blank_values=True),
            headers=ex.request_headers, data=request_body or None,
            content_type=content_type.split(";")[0].strip() or "application/json",
        )
        if not self._allow_invalid_requests:
            for err in self.app.iter_request_errors(request):
                if _is_security_error(err):
                    continue
                problems.append("request: " + _describe(err))
        if ex.status is None:                   # dropped connection: nothing more to check
            return problems

        status = ex.status
        body: Any = None
        if ex.response_body:
            try:
                body = json.loads(ex.response_body)
            except ValueError:
                return problems + ["response body is not JSON"]
        documented = op["responses"]
        root = urllib.parse.urlunsplit(urllib.parse.urlsplit(ex.base_url)[:2] + ("", "", ""))

        if status == 304:
            if ex.response_body:
                problems.append("304 with a body")
            if not ({"if-none-match", "if-modified-since"} & set(ex.request_headers)):
                problems.append("304 to an unconditional request")
            return problems

        if str(status) in documented:
            response = MockResponse(ex.response_body, status_code=status,
                                    headers=ex.response_headers,
                                    content_type=ex.response_headers.get(
                                        "Content-Type", "application/json").split(";")[0])
            for err in self.app.iter_response_errors(request, response):
                problems.append("response: " + _describe(err))
            schema = (documented[str(status)] if "$ref" not in documented[str(status)]
                      else _deref(documented[str(status)]))
            media = schema.get("content", {}).get("application/json")
            if media is not None and body is not None:
                for where in undocumented_properties(body, media["schema"]):
                    problems.append(f"undocumented property {where}")
            elif body is not None:
                problems.append(f"{status} documents no JSON body but one was sent")
        elif status >= 400 and (status in GENERIC_ERRORS or str(status) in documented):
            if not (isinstance(body, dict) and isinstance(body.get("message"), str)
                    and isinstance(body.get("documentation_url"), str)):
                problems.append(f"{status} without GitHub's error body (message, "
                                "documentation_url)")
            elif set(body) - {"message", "documentation_url", "status", "errors", "url"}:
                problems.append(f"{status} error body has unexpected keys {sorted(body)}")
        else:
            problems.append(f"status {status} is not documented for {ex.method} {template}")

        if body is not None:
            for where in foreign_urls(body, root):
                problems.append(f"URL outside the server: {where}")
        headers = {k.lower(): v for k, v in ex.response_headers.items()}
        if "location" in headers and not headers["location"].startswith(ex.base_url):
            problems.append(f"Location outside the server: {headers['location']}")
        if "link" in headers:
            try:
                links = parse_link_header(headers["link"])
            except ValueError as exc:
                problems.append(str(exc))
                links = {}
            wanted = _query_without_page(ex.query_string)
            for rel, url in links.items():
                if not url.startswith(ex.base_url):
                    problems.append(f"Link rel={rel} outside the server: {url}")
                parts = urllib.parse.urlsplit(url)
                if parts.path != urllib.parse.urlsplit(ex.base_url).path + ex.path:
                    problems.append(f"Link rel={rel} points to another path: {url}")
                if _query_without_page(parts.query) != wanted:
                    problems.append(f"Link rel={rel} lost query parameters: {url}")
        for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
            if status != 401 and name in headers and not headers[name].isdigit():
                problems.append(f"{name} is not an integer: {headers[name]!r}")
        return problems


def _wrap_bare_label_array(body: bytes, method: str) -> tuple[bytes, str | None]:
    """Known deviation: PyGithub's ``Issue.add_to_labels``/``set_labels`` send a bare JSON
    array (``["bug"]``), a legacy form GitHub still accepts but the description no longer
    lists. Check it as ``{"labels": [...]}``; an empty array (``set_labels()`` clears all
    labels) is accepted by GitHub on PUT only."""
    try:
        data = json.loads(body)
    except ValueError:
        return body, None
    if not isinstance(data, list):
        return body, None
    if not data:
        return (b"", None) if method == "PUT" else (body, "request: empty label array")
    return json.dumps({"labels": data}).encode(), None


def _is_security_error(err: Exception) -> bool:
    return type(err).__name__ in ("SecurityValidationError", "SecurityNotFound")


def _describe(err: Exception) -> str:
    text = str(err)
    parts = [text if len(text) <= 160 else text[:80] + " ... " + text[-40:]]
    cause = err.__cause__
    while cause is not None:
        errors = getattr(cause, "schema_errors", None)
        if errors:
            parts.append("; ".join(
                f"{'/'.join(str(p) for p in e.absolute_path) or '$'}: {e.message}"[:300]
                for e in errors))
        else:
            parts.append(str(cause)[:300])
        cause = cause.__cause__
    return " <- ".join(parts)
