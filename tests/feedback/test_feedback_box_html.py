"""The box's HTML: every value escaped, no script or handler from content, the channel's target."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from gitdesk.config import load_config
from gitdesk.errors import ConfigError
from gitdesk.kb.htmlsafety import scan_html
from gitdesk.kb.placeholders import PageInfo, SiteContext
from gitdesk.site.feedback import feedback_html
from tests.support.intake import update_config

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>&{{x}}'


def box(root, language="en", title=HOSTILE, src="accounts/reset-password.md"):
    ctx = SiteContext(root=root, config=load_config(root), language=language, extra={"languages": ["en", "es", "pt"]})
    return feedback_html(ctx, PageInfo(src_uri=src, title=title))


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_a_hostile_title_stays_text(fdesk):
    out = box(fdesk)
    assert scan_html(out) == []
    parser = Tags()
    parser.feed(out)
    assert [t for t, _ in parser.tags] == ["div", "p", "strong", "a", "a"]  # no img, no script
    assert not [name for _, attrs in parser.tags for name in attrs if name.startswith("on")]  # no handlers
    div = parser.tags[0][1]
    assert div["data-subject"] == f"Article feedback: {HOSTILE}"  # the browser reads it back as text
    assert all(a["href"].startswith("mailto:helpdesk@northwind.example?subject=") for t, a in parser.tags if t == "a")


def test_channel_targets_and_off(fdesk):
    assert 'data-target="mailto:helpdesk@northwind.example"' in box(fdesk)
    update_config(fdesk, kb={"feedback": {"channel": "serve"}})
    out = box(fdesk, language="es")
    assert 'data-target="/feedback"' in out and "mailto:" not in out and "¿Le ha resuelto el problema?" in out
    update_config(fdesk, kb={"feedback": {"channel": "github"}})
    with pytest.raises(ConfigError, match="github.repository"):
        box(fdesk)
    update_config(fdesk, kb={"feedback": {"channel": "off"}})
    assert box(fdesk) == ""
