"""``gitdesk serve``'s optional POST /feedback over real HTTP: recorded, refused, rate limited."""

from __future__ import annotations

import functools
import json
import threading
import urllib.error
import urllib.request

import pytest

from gitdesk.config import load_config
from gitdesk.kb.feedback import feedback_dir, load_feedback, record_feedback
from gitdesk.publish.build import make_server
from gitdesk.publish.feedback_endpoint import FeedbackEndpoint
from tests.support.intake import update_config


@pytest.fixture
def served(fdesk, tmp_path):
    """The desk's endpoint on a real server (a one-page site: only POST /feedback matters here)."""
    update_config(fdesk, kb={"feedback": {"serve_max_per_client": 4, "serve_max_total": 6}})
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>Help</title>")
    config = load_config(fdesk)
    lines: list[str] = []
    endpoint = FeedbackEndpoint(config, functools.partial(record_feedback, fdesk, config), echo=lines.append)
    server = make_server(site, 0, feedback=endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    yield fdesk, port, lines
    server.shutdown()
    server.server_close()


def post(port: int, data, *, origin: str | None = "same", ctype: str = "application/json", host: str | None = None,
         path: str = "/feedback", raw: bytes | None = None) -> tuple[int, str]:
    body = raw if raw is not None else json.dumps(data).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST")
    req.add_header("Content-Type", ctype)
    if origin:
        req.add_header("Origin", f"http://127.0.0.1:{port}" if origin == "same" else origin)
    if host:
        req.add_header("Host", host)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


VOTE = {"article": "accounts/reset-password.pt.md", "vote": "no", "reason": "outdated", "comment": "Mudou.", "lang": "pt"}


def records(root) -> int:
    folder = feedback_dir(root)
    return len(list(folder.iterdir())) if folder.is_dir() else 0


def test_a_vote_is_recorded_with_204(served):
    root, port, lines = served
    assert post(port, VOTE) == (204, "")
    [fb] = load_feedback(root, load_config(root))
    assert (fb.article, fb.helpful, fb.reason, fb.comment, fb.channel, fb.language) == (
        "accounts/reset-password.pt.md", False, "outdated", "Mudou.", "serve", "pt")
    assert lines == ["feedback recorded"]
    assert "127.0.0.1" not in next(feedback_dir(root).iterdir()).read_text()


@pytest.mark.parametrize("kwargs, status", [
    ({"data": {**VOTE, "article": "accounts/nope.md"}}, 400),
    ({"data": {**VOTE, "article": "agents/sla-policy.md"}}, 400),
    ({"data": {**VOTE, "vote": "maybe"}}, 400),
    ({"data": {**VOTE, "reason": "<script>"}}, 400),
    ({"data": {**VOTE, "comment": "x" * 1200}}, 400),
    ({"data": {**VOTE, "extra": 1}}, 400),
    ({"data": ["not", "an", "object"]}, 400),
    ({"data": None, "raw": b"{not json"}, 400),
    ({"data": VOTE, "origin": "http://evil.example"}, 403),
    ({"data": VOTE, "origin": None}, 403),
    ({"data": VOTE, "origin": "null"}, 403),
    ({"data": VOTE, "host": "evil.example"}, 403),
    ({"data": VOTE, "ctype": "text/plain"}, 415),
    ({"data": None, "raw": b"{" + b" " * 5000 + b"}"}, 413),
    ({"data": VOTE, "path": "/feedback/other"}, 404),
])
def test_forged_requests_are_refused_and_write_nothing(served, kwargs, status):
    root, port, lines = served
    code, text = post(port, **kwargs)
    assert code == status, text
    assert "\n" not in text.strip()
    assert records(root) == 0


def test_a_flood_gets_429_and_nothing_more_is_written(served):
    root, port, lines = served
    codes = [post(port, {**VOTE, "comment": f"vote {n}"})[0] for n in range(8)]
    # kb.feedback.serve_max_per_client: 4 (the record's own max_per_sender, 5, would come next)
    assert codes == [204] * 4 + [429] * 4
    assert records(root) == 4
    assert any("feedback refused (429)" in line for line in lines)


def test_limits_per_client_and_overall_in_a_window(fdesk):
    update_config(fdesk, kb={"feedback": {"serve_max_per_client": 2, "serve_max_total": 3, "window": "1h"}})
    now = [0.0]
    endpoint = FeedbackEndpoint(load_config(fdesk), lambda **_: None, clock=lambda: now[0])
    assert [endpoint._over_limit("a") for _ in range(2)] == [None, None]
    assert "from this address" in endpoint._over_limit("a")
    assert endpoint._over_limit("b") is None
    assert "more than 3 votes" in endpoint._over_limit("c")
    now[0] = 3601.0  # the window has passed
    assert endpoint._over_limit("a") is None and endpoint._over_limit("c") is None


def test_a_stalled_body_gets_408_and_frees_the_thread(fdesk, tmp_path):
    import socket

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>Help</title>")
    config = load_config(fdesk)
    endpoint = FeedbackEndpoint(config, functools.partial(record_feedback, fdesk, config), read_timeout=0.5)
    server = make_server(site, 0, feedback=endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall((f"POST /feedback HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                          "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"article\":").encode())
            answer = sock.recv(200).decode()
        assert answer.startswith("HTTP/1.0 408") or answer.startswith("HTTP/1.1 408"), answer
        assert post(port, VOTE) == (204, "")  # the server still answers
    finally:
        server.shutdown()
        server.server_close()
    assert records(fdesk) == 1
