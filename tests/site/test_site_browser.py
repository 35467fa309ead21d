"""Headless Chromium on the built site: search works over http://127.0.0.1 and from file://,
the "Open a ticket" link carries the article, and no request leaves for another host."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gitdesk.kb.article import read_article
from gitdesk.publish.build import serve_in_thread
from tests.support.kb import PROJECT, make_sample
from tests.support.site import build

pytestmark = pytest.mark.browser

QUERY = "forgot my password after holidays"
EXPECTED = "accounts/reset-password.md"
SHOTS = Path(tempfile.gettempdir()) / "gitdesk-browser-shots"


def _title(rel: str) -> str:
    return read_article(PROJECT / "kb" / rel, PROJECT / "kb").title


def _watch(page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    return requests


def _search(page, query: str, expected_title: str) -> list[str]:
    box = page.locator("input[data-md-component=search-query]")
    box.click()  # the desktop header shows the search box itself (the label is the mobile button)
    box.fill("")
    box.type(query, delay=20)
    page.wait_for_function(
        """title => [...document.querySelectorAll('.md-search-result__item h1, .md-search-result__item h2')]
                    .some(h => h.textContent.trim() === title)""",
        arg=expected_title, timeout=30000,
    )
    return [t.strip() for t in page.locator(".md-search-result__item h1, .md-search-result__item h2").all_inner_texts()]


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=False)
    print(f"\nscreenshot: {path}")
    return path


def _only_local(requests: list[str], allowed_schemes: tuple[str, ...], host: str | None = None) -> list[str]:
    bad = []
    for url in requests:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        if parts.scheme not in allowed_schemes or (host and parts.netloc != host):
            bad.append(url)
    return bad


def test_search_over_http(browser, real_site):
    server, base = serve_in_thread(real_site)
    try:
        page = browser.new_page()
        requests = _watch(page)
        page.goto(base + "index.html")
        title = _title(EXPECTED)
        titles = _search(page, QUERY, title)
        assert title in titles[:3], titles
        shot = _shot(page, "search-http.png")
        assert shot.stat().st_size > 10_000
        assert _only_local(requests, ("http",), urlsplit(base).netloc) == [], requests
        assert any(u.endswith("search/search_index.json") or "search_index" in u for u in requests)
    finally:
        server.shutdown()
        server.server_close()


def test_search_and_ticket_link_from_file_url(browser, real_site):
    page = browser.new_page()
    requests = _watch(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((real_site / "index.html").as_uri())
    title = _title(EXPECTED)
    titles = _search(page, QUERY, title)
    assert title in titles[:3], titles
    _shot(page, "search-file.png")
    page.locator(".md-search-result__item a", has_text=title).first.click()
    page.wait_for_url("**/accounts/reset-password.html*")
    link = page.locator("a.gitdesk-ticket-link")
    assert link.inner_text().strip() == "Open a ticket"
    link.click()
    page.wait_for_url("**/open-a-ticket.html?article=accounts/reset-password.md")
    note = page.locator(".gitdesk-article-note")
    note.wait_for(state="visible")
    assert note.inner_text().strip() == "About the article: accounts/reset-password.md"
    mail = page.locator("a.gitdesk-mail-link").get_attribute("href")
    assert mail.startswith("mailto:") and "accounts%2Freset-password.md" in mail
    _shot(page, "open-a-ticket-file.png")
    assert _only_local(requests, ("file",)) == [], requests
    assert errors == []


def test_hostile_article_parameter_is_inert(browser, real_site):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((real_site / "open-a-ticket.html").as_uri() + "?article=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.md")
    page.wait_for_function("document.readyState === 'complete'")  # gitdesk.js has run (on DOMContentLoaded)
    assert page.locator(".gitdesk-article-note").is_hidden() and dialogs == []


def test_spanish_search_folds_accents_in_the_browser(browser, tmp_path):
    """Material's lunr search has no accent folding for Spanish; the plugin's folded field adds it.
    The same site built with `fold_search: false` shows the difference."""
    root = make_sample(tmp_path / "es", language="es")
    site = tmp_path / "site"
    build(root, site)
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    titles = _search(page, "contrasena", "Restablecer una contraseña olvidada")
    assert "Restablecer una contraseña olvidada" in titles
    _shot(page, "search-es-folded.png")

    mk = root / "mkdocs.yml"
    mk.write_text(mk.read_text().replace("  - gitdesk\n", "  - gitdesk:\n      fold_search: false\n"))
    build(root, tmp_path / "nofold")
    page = browser.new_page()
    page.goto((tmp_path / "nofold" / "index.html").as_uri())
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    box.type("contrasena", delay=20)
    page.wait_for_function("() => document.querySelector('.md-search-result__meta').textContent.trim() === 'No se encontraron documentos'", timeout=30000)
