"""The offline scanner: what counts as a request to another host in built HTML, CSS and scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitdesk.publish.offline import is_external, localise_theme_scripts, scan_site


def _site(tmp_path: Path, html: str, files: dict[str, str] | None = None) -> Path:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text(f"<html><head></head><body>{html}</body></html>", encoding="utf-8")
    for rel, text in (files or {}).items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    return site


REQUESTS = [
    ('<script src="https://cdn.example/x.js"></script>', "https://cdn.example/x.js"),
    ('<script src="//cdn.example/x.js"></script>', "//cdn.example/x.js"),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">', "https://fonts.googleapis.com/css?family=Roboto"),
    ('<link rel="preconnect" href="https://fonts.gstatic.com">', "https://fonts.gstatic.com"),
    ('<link rel="icon" href="http://cdn.example/favicon.png">', "http://cdn.example/favicon.png"),
    ('<img srcset="a.png 1x, https://img.example/b.png 2x">', "https://img.example/b.png"),
    ('<video poster="https://img.example/p.jpg"></video>', "https://img.example/p.jpg"),
    ('<div style="background:url(https://img.example/bg.png)"></div>', "https://img.example/bg.png"),
    ("<style>@import 'https://cdn.example/a.css';</style>", "https://cdn.example/a.css"),
    ("<script>fetch('https://api.example/track')</script>", "https://api.example/track"),
    ('<meta http-equiv="refresh" content="0; url=https://evil.example/">', "https://evil.example/"),
    ('<svg><image href="https://img.example/i.png"/></svg>', "https://img.example/i.png"),
]


@pytest.mark.parametrize("html,url", REQUESTS)
def test_requests_to_other_hosts_are_found(tmp_path, html, url):
    found = scan_site(_site(tmp_path, html))
    assert [f.url for f in found] == [url]


def test_loaded_scripts_and_styles_are_scanned(tmp_path):
    site = _site(tmp_path, '<link rel="stylesheet" href="assets/a.css"><script src="assets/a.js"></script>', {
        "assets/a.css": "/* https://license.example */ body{background:url('https://img.example/x.png')}",
        "assets/a.js": "/*! https://license.example */\nvar u=\"https://api.example/v1\";\nvar lazy='assets/lazy.js';",
        "assets/lazy.js": "import('https://cdn.example/mod.js')",
        "assets/unused.js": "fetch('https://never.loaded.example')",
    })
    assert sorted(f.url for f in scan_site(site)) == ["https://api.example/v1", "https://cdn.example/mod.js", "https://img.example/x.png"]


@pytest.mark.parametrize("html", [
    '<a href="https://github.com/northwind/helpdesk/issues/new">Open a ticket</a>',
    '<link rel="canonical" href="https://help.example/">',
    '<img src="assets/logo.png"><script src="../assets/x.js"></script>',
    '<img src="http://127.0.0.1:8000/x.png"><img src="data:image/png;base64,AAAA">',
    '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    "<p>Visit https://www.speedtest.net in a browser.</p>",
])
def test_navigation_and_local_references_are_not_requests(tmp_path, html):
    assert scan_site(_site(tmp_path, html)) == []


def test_is_external():
    assert is_external("https://x.example/a") and is_external("//x.example/a") and is_external("wss://x.example")
    assert not is_external("assets/a.js") and not is_external("http://127.0.0.1:9/x") and not is_external("http://localhost/x")
    assert not is_external("mailto:a@b.example") and not is_external("data:,x") and not is_external("#top")


def test_theme_scripts_are_pointed_at_local_copies(tmp_path):
    js = tmp_path / "assets" / "javascripts"
    js.mkdir(parents=True)
    bundle = js / "bundle.abc.min.js"
    bundle.write_text('a=_t("https://unpkg.com/resize-observer-polyfill");b=_t("https://unpkg.com/mermaid@11/dist/mermaid.min.js")')
    assert localise_theme_scripts(tmp_path) == ["bundle.abc.min.js"]
    text = bundle.read_text()
    assert "unpkg" not in text
    assert 'new URL("assets/gitdesk/resize-observer-polyfill.js",__md_scope).href' in text
    assert 'new URL("assets/gitdesk/no-mermaid.js",__md_scope).href' in text
