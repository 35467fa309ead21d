"""Every article page says when it was reviewed ("Reviewed on <date>"), in the page's language
and its way of writing dates (lang/<language>/freshness.yml, Babel), in real strict builds."""

from __future__ import annotations

import html
import re

import pytest

from tests.support.kb import guide, make_sample, write
from tests.support.site import build

CASES = [
    ("en", "Reviewed on 14 October 2026"),
    ("es", "Revisado el 14 de octubre de 2026"),
    ("pt", "Revisado em 14 de outubro de 2026"),
]


def _reviewed(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r'<p class="gitdesk-reviewed">(.*?)</p>', page, re.S)]


@pytest.mark.parametrize("language, expected", CASES, ids=[c[0] for c in CASES])
def test_article_pages_say_when_they_were_reviewed_in_their_language(tmp_path, language, expected):
    root = make_sample(tmp_path / "desk", language=language)
    text = (root / "kb" / "network" / "vpn-wont-connect.md").read_text(encoding="utf-8")
    (root / "kb" / "network" / "vpn-wont-connect.md").write_text(
        re.sub(r"(?m)^last_reviewed: .*$", "last_reviewed: 2026-10-14", text), encoding="utf-8")
    site = tmp_path / "site"
    build(root, site)
    page = (site / "network" / "vpn-wont-connect.html").read_text(encoding="utf-8")
    assert _reviewed(page) == [expected]
    # under the title, before the article's first section
    assert page.index('class="gitdesk-reviewed"') < page.index("<h2")
    # every article has one; the section index and the special pages none
    assert len(_reviewed((site / "accounts" / "reset-password.html").read_text(encoding="utf-8"))) == 1
    assert _reviewed((site / "accounts" / "index.html").read_text(encoding="utf-8")) == []
    assert _reviewed((site / "get-help.html").read_text(encoding="utf-8")) == []


def test_a_hostile_review_date_shows_only_the_date(tmp_path):
    root = make_sample(tmp_path / "desk")
    write(root / "kb", "accounts/reset-password.md", guide(
        "Reset a forgotten password", related="[accounts/password-faq.md]",
        reviewed='"2026-10-14<img src=x onerror=alert(1)>"'))
    site = tmp_path / "site"
    build(root, site)
    page = (site / "accounts" / "reset-password.html").read_text(encoding="utf-8")
    assert _reviewed(page) == ["Reviewed on 14 October 2026"]
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")  # only ever escaped text
    assert "<img src=x" not in page
