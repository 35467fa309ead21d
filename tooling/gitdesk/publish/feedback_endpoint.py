"""``POST /feedback`` of ``gitdesk serve``: the site's vote recorded directly (off by default).

Where the desk serves the site itself (``gitdesk serve --feedback``, or ``kb.feedback.serve:
true``), the widget posts ``{"article", "vote", "reason", "comment", "lang"}`` here instead of
opening an e-mail. What protects it, in the order a request meets it:

- **same origin only**: the ``Host`` must be the server's own address (no DNS rebinding), the
  ``Origin`` the same host and port (browsers always send it on a POST; a page elsewhere, a
  ``file://`` page or a plain script without it is refused), and ``Sec-Fetch-Site``, when sent,
  ``same-origin``; ``Content-Type: application/json`` (a cross-site HTML form cannot send it);
- **small bodies**: ``Content-Length`` required and at most :data:`MAX_BODY` bytes, read exactly,
  with a socket timeout (a client that stalls gets 408 and holds no thread);
- **rate limits** before any work: per client address and for all clients together, in the
  window of ``kb.feedback.window`` (``serve_max_per_client``, ``serve_max_total``), answered 429;
- **strict fields**: a JSON object with only the five known keys, each of the right type, then
  every check of :func:`gitdesk.kb.feedback.record_feedback` (passed in by the CLI) (the article must exist and be an
  end-user article, the vote, a known reason, a bounded comment, a known language) and its flood
  limits per article and per sender (the client address, kept only as a salted digest).

Success is ``204 No Content``; a refusal is a 4xx with a one-line reason, and nothing written.
The server listens on 127.0.0.1 only (:func:`gitdesk.publish.build.make_server`).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from gitdesk.config import Config, parse_duration
from gitdesk.errors import ValidationError

#: ``record(article=, helpful=, reason=, comment=, channel=, language=, sender=)``: the caller
#: passes :func:`gitdesk.kb.feedback.record_feedback` bound to the desk (publish sits below the
#: KB service and does not import it); a refusal is a ValidationError, a flood one whose field
#: is ``flood``
Record = Callable[..., object]

PATH = "/feedback"
MAX_BODY = 4096
FIELDS: dict[str, type | tuple[type, ...]] = {"article": str, "vote": str, "reason": (str, type(None)), "comment": (str, type(None)),
          "lang": (str, type(None))}


class FeedbackEndpoint:
    """Checks and records one POST; keeps the rate-limit counters (in memory, per server)."""

    def __init__(self, config: Config, record: Record, *, echo: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, read_timeout: float = 10.0):
        self.record = record
        self.read_timeout = read_timeout  # a body promised and not sent holds a thread no longer
        self.echo = echo
        self.clock = clock
        limits = dict(((config.get("kb") or {}).get("feedback")) or {})
        self.window = float(parse_duration(str(limits.get("window") or "1d")))
        self.per_client = int(limits.get("serve_max_per_client") or 0)
        self.total = int(limits.get("serve_max_total") or 0)
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()

    # -- limits -------------------------------------------------------------------------------
    def _over_limit(self, client: str) -> str | None:
        """Count this request; why it is over a limit (then it is not counted), or None."""
        now = self.clock()
        cut = now - self.window
        with self._lock:
            for queue in (self._all, *self._seen.values()):
                while queue and queue[0] <= cut:
                    queue.popleft()
            self._seen = {k: q for k, q in self._seen.items() if q}
            mine = self._seen.setdefault(client, deque())
            if self.per_client and len(mine) >= self.per_client:
                return f"more than {self.per_client} votes from this address in {timedelta(seconds=self.window)}"
            if self.total and len(self._all) >= self.total:
                return f"more than {self.total} votes in {timedelta(seconds=self.window)}"
            mine.append(now)
            self._all.append(now)
        return None

    # -- one request --------------------------------------------------------------------------
    def handle(self, headers, client: str, server_port: int, read: Callable[[int], bytes]) -> tuple[int, str]:
        """(HTTP status, one-line reason) for a POST to :data:`PATH`."""
        own = {f"127.0.0.1:{server_port}", f"localhost:{server_port}"}
        host = (headers.get("Host") or "").strip().lower()
        if host not in own:
            return 403, "wrong Host"
        origin = (headers.get("Origin") or "").strip().lower()
        if origin not in {f"http://{h}" for h in own} or origin != f"http://{host}":
            return 403, "not from this site (Origin)"
        if (headers.get("Sec-Fetch-Site") or "same-origin").strip().lower() != "same-origin":
            return 403, "not from this site (Sec-Fetch-Site)"
        if (headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            return 415, "expected application/json"
        length_text = headers.get("Content-Length")
        if length_text is None or not length_text.strip().isdigit():
            return 411, "Content-Length required"
        length = int(length_text)
        if length > MAX_BODY:
            return 413, f"larger than {MAX_BODY} bytes"
        over = self._over_limit(client)
        if over:
            return 429, over
        try:
            raw = read(length)
        except OSError:  # the socket's timeout: fewer bytes than Content-Length said
            return 408, "the body did not arrive"
        if len(raw) != length:
            return 400, "shorter than Content-Length"
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, "not JSON"
        if not isinstance(data, dict) or set(data) - set(FIELDS) or "article" not in data or "vote" not in data:
            return 400, f"expected an object with {', '.join(FIELDS)}"
        for key, kind in FIELDS.items():
            if key in data and not isinstance(data[key], kind):
                return 400, f"{key}: wrong type"
        try:
            self.record(article=data["article"], helpful={"yes": True, "no": False}.get(data["vote"], data["vote"]),
                        reason=data.get("reason"), comment=data.get("comment"), channel="serve",
                        language=data.get("lang"), sender=f"serve:{client}")
        except ValidationError as exc:
            return (429 if exc.field == "flood" else 400), exc.line()
        return 204, ""

    def respond(self, handler) -> None:
        """Answer ``handler``'s POST (a ``BaseHTTPRequestHandler``); the refusal goes to ``echo``."""
        if handler.path.split("?", 1)[0] != PATH:
            status, reason = 404, "not found"
        else:
            status, reason = self.handle(handler.headers, handler.client_address[0], handler.server.server_address[1],
                                         handler.rfile.read)
            if self.echo:
                self.echo(f"feedback refused ({status}): {reason}" if reason else "feedback recorded")
        handler.send_response(status)
        if status == 204:
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = (reason + "\n").encode("utf-8")
        handler.send_header("Content-Type", "text/plain; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True


def with_feedback(handler_class: type, endpoint: FeedbackEndpoint) -> type:
    """``handler_class`` (the site's static file handler) answering ``POST /feedback`` too."""

    class FeedbackHandler(handler_class):
        timeout = endpoint.read_timeout  # the socket's: a slow or stalled client cannot hold a thread

        def do_POST(self) -> None:  # noqa: N802 - http.server's method name
            endpoint.respond(self)

    return FeedbackHandler
