"""The "Did this solve your problem?" box on a real built site, driven in headless Chromium."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from gitdesk.config import load_config
from gitdesk.kb.feedback import load_feedback, record_marker_message
from tests.feedback.conftest import make_feedback_desk
from tests.support.site import browser, build, require_browser  # noqa: F401 - fixtures

GITHUB = "github:\n  repository: northwind/helpdesk\nkb:\n  feedback: {channel: github}\n"


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """The sample desk built twice: feedback by e-mail (the default) and by GitHub issue."""
    out = {}
    for name, extra in (("email", ""), ("github", GITHUB)):
        root = make_feedback_desk(tmp_path_factory.mktemp(name) / "desk", extra)
        build(root, root / "site")
        out[name] = (root, root / "site")
    return out


def _vote_no(chromium, page_path: Path, *, stub_open: bool = False) -> tuple[str, str]:
    page = chromium.new_page()
    if stub_open:
        page.add_init_script("window.open = function (u) { window.__opened = u; return null; };")
    page.goto(page_path.as_uri())
    box = page.locator("div.gitdesk-feedback[data-built]")
    box.wait_for()
    question = box.locator(".gitdesk-feedback__question").inner_text()
    box.locator(".gitdesk-feedback__no").click()
    box.locator("input[value=unclear]").check()
    box.locator("textarea").fill("El enlace <b>no</b> aparece")
    box.locator(".gitdesk-feedback__send").click()
    link = box.locator(".gitdesk-feedback__status a")
    link.wait_for()
    url = link.get_attribute("href") or ""
    if stub_open:
        assert page.evaluate("window.__opened") == url
    page.close()
    return question, url


def test_spanish_page_builds_a_prefilled_mail_that_intake_records(browser, sites):  # noqa: F811
    root, site = sites["email"]
    question, url = _vote_no(browser, site / "es" / "accounts" / "reset-password.html")
    assert question.startswith("¿Le ha resuelto el problema?")
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and unquote(parts.path) == "helpdesk@northwind.example"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Opinión sobre el artículo: Restablecer una contraseña olvidada o caducada"]
    body = query["body"][0]
    assert "gitdesk-feedback:v1?article=accounts/reset-password.es.md&vote=no&lang=es&reason=unclear" in body
    # what the reader's mail program sends is what intake records
    done = record_marker_message(root, load_config(root), body, channel="email",
                                 at=datetime(2026, 12, 1, tzinfo=timezone.utc), source="<w@x>", sender="r@x.org")
    assert done is not None
    [fb] = load_feedback(root, load_config(root))
    assert (fb.article, fb.helpful, fb.reason, fb.comment, fb.language) == (
        "accounts/reset-password.es.md", False, "unclear", "El enlace <b>no</b> aparece", "es")


def test_github_channel_builds_a_labelled_issue(browser, sites):  # noqa: F811
    _, site = sites["github"]
    _, url = _vote_no(browser, site / "es" / "accounts" / "reset-password.html", stub_open=True)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "github.com", "/northwind/helpdesk/issues/new")
    query = parse_qs(parts.query)
    assert query["labels"] == ["kb-feedback"] and query["title"][0].startswith("Opinión sobre el artículo")
    assert "article=accounts/reset-password.es.md&vote=no&lang=es&reason=unclear" in query["body"][0]


def test_box_only_on_end_user_articles_and_no_script_from_content(sites):
    _, site = sites["email"]
    assert 'class="gitdesk-feedback"' in (site / "accounts" / "reset-password.html").read_text(encoding="utf-8")
    for page in ("index.html", "agents/sla-policy.html", "accounts/index.html", "open-a-ticket.html"):
        assert 'class="gitdesk-feedback"' not in (site / page).read_text(encoding="utf-8"), page
    # without script the box still offers Yes / No as prefilled e-mails
    html = (site / "pt" / "accounts" / "reset-password.html").read_text(encoding="utf-8")
    assert "Sim, resolveu meu problema" in html and "mailto:helpdesk@northwind.example?subject=" in html


def test_serve_channel_posts_the_vote_to_gitdesk_serve(browser, sites):  # noqa: F811
    """The same box switched to the serve channel, on the site served by make_server with the
    endpoint: the browser's own POST (its Origin, JSON body) passes the checks and is recorded."""
    import functools
    import threading

    from gitdesk.kb.feedback import record_feedback
    from gitdesk.publish.build import make_server
    from gitdesk.publish.feedback_endpoint import FeedbackEndpoint

    root, site = sites["email"]
    config = load_config(root)
    before = len(load_feedback(root, config))
    server = make_server(site, 0, feedback=FeedbackEndpoint(config, functools.partial(record_feedback, root, config)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/pt/printing/badge-release.html")
        box = page.locator("div.gitdesk-feedback[data-built]")
        box.wait_for()
        page.evaluate("""() => { const b = document.querySelector('div.gitdesk-feedback');
                                 b.setAttribute('data-channel', 'serve'); b.setAttribute('data-target', '/feedback'); }""")
        box.locator(".gitdesk-feedback__yes").click()
        page.wait_for_function("() => document.querySelector('.gitdesk-feedback__status').textContent.length > 0")
        assert box.locator(".gitdesk-feedback__status").inner_text().startswith("Obrigado")
        page.close()
    finally:
        server.shutdown()
        server.server_close()
    votes = load_feedback(root, config)
    assert len(votes) == before + 1
    new = [v for v in votes if v.article == "printing/badge-release.pt.md"]
    assert [(v.helpful, v.channel, v.language) for v in new] == [(True, "serve", "pt")]
