"""Real strict MkDocs builds: the shipped KB, and samples that the gitdesk plugin must refuse."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from gitdesk.config import load_config
from gitdesk.errors import GitdeskError
from gitdesk.kb import is_article
from gitdesk.languages import split_suffix
from gitdesk.publish.offline import scan_site
from tests.support.kb import PROJECT, guide, make_sample, write
from tests.support.cli import run_main
from tests.support.site import build


class _Text(HTMLParser):
    """Text of the page's <article>, plus its links and table rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text: list[str] = []
        self.links: list[tuple[str, dict]] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self.depth += 1
        if self.depth and tag == "a":
            self.links.append((a.get("href") or "", a))
        if self.depth and tag == "tr":
            self.rows.append([])
        if self.depth and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self._cell is not None:
                self._cell.append(data)


def page(site: Path, rel: str) -> _Text:
    parser = _Text()
    parser.feed((site / rel).read_text(encoding="utf-8"))
    return parser


def human(duration: str, business: bool = False) -> str:
    """The test's own reading of helpdesk.yml durations ("1h30m" -> "1 hour 30 minutes"; "3d" on
    a business calendar -> "3 business days")."""
    out = []
    for value, unit in re.findall(r"(\d+)([dhm])", duration):
        name = {"d": "business day" if business else "day", "h": "hour", "m": "minute"}[unit]
        out.append(f"{value} {name}{'' if value == '1' else 's'}")
    return " ".join(out)


# -- the shipped site -------------------------------------------------------------------------------

def articles() -> list[str]:
    """The default language's articles (translations are checked in test_site_languages)."""
    rels = (p.relative_to(PROJECT / "kb").as_posix() for p in (PROJECT / "kb").rglob("*.md"))
    return sorted(rel for rel in rels if split_suffix(rel)[1] is None and is_article(rel))


def test_shipped_site_builds_every_page(real_site):
    sources = sorted((PROJECT / "kb").rglob("*.md"))
    assert len(articles()) >= 30
    for src in sources:
        base, lang = split_suffix(src.relative_to(PROJECT / "kb").as_posix())
        rel = (f"{lang}/" if lang else "") + base[:-3] + ".html"  # a translation: its language's folder
        assert (real_site / rel).is_file(), rel
    assert (real_site / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index = ")


def test_sla_targets_are_rendered_from_helpdesk_yml(real_site):
    cfg = load_config(PROJECT)
    rows = page(real_site, "get-help.html").rows
    priorities = cfg.get("priorities")
    for policy in cfg["sla"]["policies"]:
        label = priorities[policy["priority"]]["label"]
        business = cfg["sla"]["calendars"].get(policy.get("calendar"), "24x7") != "24x7"
        wanted = [human(policy["first_response"], business), human(policy["resolution"], business)]
        assert any(row and row[0] == label and all(w in row for w in wanted) for row in rows), (policy, rows)
    text = " ".join(page(real_site, "get-help.html").text)
    assert cfg["site"]["hours"] in " ".join(text.split())
    assert "gitdesk:" not in (real_site / "get-help.html").read_text(encoding="utf-8")


def test_channels_and_contacts_come_from_helpdesk_yml(real_site):
    cfg = load_config(PROJECT)
    rows = page(real_site, "get-help.html").rows
    cells = {c for row in rows for c in row}
    for value in cfg["site"]["contacts"].values():
        if value:
            assert any(value in c for c in cells), value
    hrefs = [h for h, _ in page(real_site, "get-help.html").links]
    assert f"mailto:{cfg['site']['contacts']['email']}" in hrefs


def test_every_article_ends_with_still_stuck_carrying_its_name(real_site):
    for rel in articles():
        html_rel = rel[:-3] + ".html"
        p = page(real_site, html_rel)
        links = [(h, a) for h, a in p.links if "gitdesk-ticket-link" in (a.get("class") or "")]
        assert len(links) == 1, html_rel
        href = links[0][0]
        target, _, query = href.partition("?")
        depth = rel.count("/")
        assert target == "../" * depth + "open-a-ticket.html", href
        assert parse_qs(query) == {"article": [rel]}, href
        assert "Still stuck?" in " ".join(p.text)
    for special in ("index.html", "get-help.html", "open-a-ticket.html", "accounts/index.html"):
        assert "Still stuck?" not in " ".join(page(real_site, special).text), special


def test_related_articles_are_linked(real_site):
    p = page(real_site, "accounts/reset-password.html")
    assert "Related articles" in " ".join(p.text)
    assert any(h == "account-locked.html" for h, _ in p.links)


def test_no_personal_data_of_agents_on_the_site(real_site):
    from gitdesk.kb.privacy import parse_identity

    cfg = load_config(PROJECT)
    people = [parse_identity(a) for team in cfg["teams"].values() for a in team.get("agents", [])]
    assert people
    for html in real_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for person in people:
            assert person.email not in text and person.name not in text, (html, person)


def test_shipped_site_is_offline(real_site):
    assert scan_site(real_site) == []
    for html in real_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text and "unpkg.com" not in text, html
    index = (real_site / "index.html").read_text(encoding="utf-8")
    assert '<script src="assets/gitdesk/iframe-worker-shim.js"></script>' in index
    bundle = next((real_site / "assets" / "javascripts").glob("bundle.*.min.js")).read_text(encoding="utf-8")
    assert "unpkg.com" not in bundle and "assets/gitdesk/resize-observer-polyfill.js" in bundle
    assert (real_site / "assets" / "gitdesk" / "resize-observer-polyfill.js").is_file()


def test_site_build_cli(tmp_path):
    root = make_sample(tmp_path / "desk")
    code, out, err = run_main("site", "build", repo=root)
    assert code == 0, err
    assert out.startswith("Built ") and (root / "site" / "index.html").is_file()


# -- configuration reaches the site -----------------------------------------------------------------

def test_github_repository_gives_prefilled_issue_form_links(tmp_path):
    root = make_sample(tmp_path / "desk", config_extra="github:\n  repository: northwind/helpdesk\n")
    site = tmp_path / "site"
    build(root, site)
    p = page(site, "accounts/reset-password.html")
    href = next(h for h, a in p.links if "gitdesk-ticket-link" in (a.get("class") or ""))
    url = urlsplit(href)
    assert (url.scheme, url.netloc, url.path) == ("https", "github.com", "/northwind/helpdesk/issues/new")
    assert parse_qs(url.query) == {"template": ["support-request.yml"], "title": ["Help with: Reset a forgotten password"],
                                   "article": ["accounts/reset-password.md"]}
    assert any(h.startswith("https://github.com/northwind/helpdesk/issues/new?template=support-request.yml") for h, _ in page(site, "open-a-ticket.html").links)
    assert scan_site(site) == []  # links a reader clicks are not requests


def test_site_url_makes_the_linked_article_a_url(tmp_path):
    root = make_sample(tmp_path / "desk", config_extra="github:\n  repository: northwind/helpdesk\nsite:\n  title: Help\n  url: https://help.northwind.example/\n")
    site = tmp_path / "site"
    build(root, site)
    href = next(h for h, a in page(site, "network/vpn-wont-connect.html").links if "gitdesk-ticket-link" in (a.get("class") or ""))
    assert parse_qs(urlsplit(href).query)["article"] == ["https://help.northwind.example/network/vpn-wont-connect.html"]


def test_spanish_site(tmp_path):
    root = make_sample(tmp_path / "es", language="es", config_extra="site:\n  title: Soporte Northwind\n")
    site = tmp_path / "site"
    build(root, site)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in index and "<title>Soporte Northwind</title>" in index
    assert json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]["lang"] == ["es"]
    p = page(site, "accounts/reset-password.html")
    assert "¿Sigue sin resolverse?" in " ".join(p.text)
    rows = page(site, "get-help.html").rows
    assert ["Canal", "Cómo contactarnos"] in rows
    assert ["Prioridad", "Se aplica a", "Primera respuesta", "Actualización al menos cada", "Resolución", "Cómputo"] in rows
    assert ["Crítica", "Todas las solicitudes", "30 minutos", "1 hora", "4 horas", "24/7"] in rows  # the default labels, translated
    assert scan_site(site) == []


def test_search_index_gets_an_accent_folded_field(tmp_path):
    root = make_sample(tmp_path / "es", language="es")
    site = tmp_path / "site"
    build(root, site)
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert data["config"]["fields"]["folded"] == {"boost": 1}
    doc = next(d for d in data["docs"] if d["location"] == "accounts/reset-password.html")
    assert "contrasena" in doc["folded"].lower() and "contraseña" in doc["title"].lower()
    assert "folded" in (site / "search" / "search_index.js").read_text(encoding="utf-8")


# -- what the plugin refuses, and what a failed build leaves --------------------------------------

REFUSED = [
    ("script", {"Fix": "<script>alert(1)</script>"}, "unsafe HTML: <script> element"),
    ("javascript link", {"Fix": "[x](javascript:alert(1))"}, "unsafe HTML: href= javascript: URL runs script"),
    ("onerror", {"Fix": '<img src="a.png" onerror="alert(1)">'}, "unsafe HTML: onerror= event handler"),
    ("agent name", {"Fix": "Ask Ana Lima at the desk."}, "name of a person (Ana Lima): personal data must not be published"),
    ("agent email", {"Fix": "Mail chen.wei@northwind.example."}, "email address of a person (chen.wei@northwind.example)"),
    ("unknown placeholder", {"Fix": "<!-- gitdesk:nope -->"}, "unknown placeholder gitdesk:nope"),
]


@pytest.mark.parametrize("name,body,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_plugin_refuses_and_the_previous_site_survives(tmp_path, name, body, message):
    root = make_sample(tmp_path / "desk")
    site = tmp_path / "site"
    build(root, site)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    write(root / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", body=body))
    with pytest.raises(GitdeskError) as info:
        build(root, site)
    assert message in info.value.line(), info.value.line()
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".site.")], "staging folders left behind"


def test_cli_reports_a_refused_build_in_one_line(tmp_path):
    root = make_sample(tmp_path / "desk")
    write(root / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", body={"Fix": "[broken](nowhere.md)"}))
    code, out, err = run_main("site", "build", repo=root)
    assert code == 1 and not (root / "site").exists()
    assert "gitdesk: error: mkdocs.yml: strict build failed" in err and "nowhere.md" in err and "Traceback" not in err


def test_external_assets_and_repo_url_are_refused(tmp_path):
    root = make_sample(tmp_path / "desk")
    mk = root / "mkdocs.yml"
    original = mk.read_text()
    mk.write_text(original + "\nextra_css:\n  - https://cdn.example.com/x.css\n")
    with pytest.raises(GitdeskError, match="would contact another host: .*cdn.example.com"):
        build(root, tmp_path / "site")
    mk.write_text(original + "\nrepo_url: https://github.com/northwind/helpdesk\n")
    with pytest.raises(GitdeskError, match="repo_url: Material would call api.github.com"):
        build(root, tmp_path / "site")


def test_generated_pages_hook(tmp_path):
    """The extension point the metrics dashboard uses: a registered page appears on the site,
    and it goes through the same safety checks as KB pages."""
    from gitdesk.site import extensions

    root = make_sample(tmp_path / "desk")
    site = tmp_path / "site"

    @extensions.generated_page("reports/test-report.md")
    def report(ctx):
        return f"# Test report\n\nLanguage {ctx.language}; desk {ctx.config.name}.\n\n<!-- gitdesk:hours -->\n"

    try:
        build(root, site)
        text = " ".join(page(site, "reports/test-report.html").text)
        assert "Language en; desk Northwind IT Help Desk." in text and "Office hours" in text

        @extensions.generated_page("reports/test-report.md")
        def bad(ctx):
            return "# Bad\n\n<script>fetch('https://evil.example')</script>\n"

        with pytest.raises(GitdeskError, match="reports/test-report.md: unsafe HTML"):
            build(root, tmp_path / "site2")
    finally:
        extensions._PAGES.pop("reports/test-report.md", None)


def test_generated_page_cannot_replace_a_kb_page(tmp_path):
    from gitdesk.site import extensions

    root = make_sample(tmp_path / "desk")
    extensions.generated_page("get-help.md")(lambda ctx: "# Fake")
    try:
        with pytest.raises(GitdeskError, match="would replace the KB page kb/get-help.md"):
            build(root, tmp_path / "site")
    finally:
        extensions._PAGES.pop("get-help.md", None)


def test_plain_mkdocs_build_strict_of_the_shipped_kb(tmp_path):
    """`mkdocs build --strict` itself (not only gitdesk's wrapper) builds the shipped site offline."""
    import subprocess
    import sys

    site = tmp_path / "plain-site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(PROJECT / "mkdocs.yml"), "-d", str(site)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "WARNING  -" not in proc.stderr  # (Material prints an unrelated MkDocs 2.0 notice)
    assert (site / "accounts" / "reset-password.html").is_file() and scan_site(site) == []
