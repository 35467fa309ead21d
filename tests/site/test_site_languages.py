"""The three-language site (en at the root, es/ and pt/ beside it) in headless Chromium and on disk.

Needs the sample KB's Spanish and Portuguese articles (branches h12es, h12pt): the searches look
for the translated password and printer articles."""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from gitdesk.publish.build import serve_in_thread
from tests.support.kb import PROJECT
from tests.support.site import build

RESULTS = ".md-search-result__item h1, .md-search-result__item h2"


NEEDED = ("accounts/reset-password.es.md", "accounts/password-faq.pt.md", "printing/print-job-stuck.pt.md")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The shipped three-language sample (helpdesk.yml: languages: [en, es, pt]), built strictly."""
    missing = [rel for rel in NEEDED if not (PROJECT / "kb" / rel).is_file()]
    if missing:  # only before the translators' branches are merged
        pytest.skip(f"the sample's translated articles are not here yet: {', '.join(missing)}")
    out = tmp_path_factory.mktemp("three") / "site"
    build(PROJECT, out)
    return out


def _h1(path: Path) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", path.read_text(encoding="utf-8"), re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).replace("¶", "").strip()


def _lang(path: Path) -> str:
    return re.search(r'<html lang="([^"]+)"', path.read_text(encoding="utf-8")).group(1)


def test_strict_build_has_every_language_with_its_own_search_index(site):
    for folder, lang in (("", "en"), ("es/", "es"), ("pt/", "pt")):
        pages = [p for p in (site / folder).rglob("*.html") if p.is_file() and (folder or not p.relative_to(site).parts[0] in ("es", "pt"))]
        assert pages and all(_lang(p) == lang for p in pages), folder
        assert (site / folder / "search" / "search_index.js").is_file()
    assert _h1(site / "es" / "accounts" / "reset-password.html") != _h1(site / "accounts" / "reset-password.html")
    es_page = (site / "es" / "accounts" / "reset-password.html").read_text(encoding="utf-8")
    assert not re.search(r">\s*(Accounts|Email|Printing)\s*<", es_page)  # sections named in Spanish
    assert re.search(r">\s*Cuentas y contraseñas\s*<", es_page)
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert '"location":"agents/' not in index.replace(" ", "")  # the agents' part is not indexed
    assert "agents/" not in (site / "index.html").read_text(encoding="utf-8").split('class="md-content"')[0]


def test_generated_tables_in_the_page_language(site):
    es = (site / "es" / "get-help.html").read_text(encoding="utf-8")
    pt = (site / "pt" / "get-help.html").read_text(encoding="utf-8")
    assert "3 días hábiles" in es and "Primera respuesta" in es and "Teléfono" in es
    assert "3 dias úteis" in pt and "Primeira resposta" in pt
    assert "First response" not in es + pt and "business days" not in es + pt
    for lang, word in (("es", "Panel del centro de servicio"), ("pt", "Painel da central de atendimento")):
        board = (site / lang / "dashboard.html").read_text(encoding="utf-8")
        assert word in board and "Key figures" not in board and "Definitions" not in board
        assert re.search(r"\d+,\d %", board)  # decimal commas
    assert "<title>Ayuda informática de Northwind</title>" in (site / "es" / "index.html").read_text(encoding="utf-8")
    assert "<title>Ajuda de TI da Northwind</title>" in (site / "pt" / "index.html").read_text(encoding="utf-8")
    ticket = (site / "es" / "open-a-ticket.html").read_text(encoding="utf-8")
    assert re.search(r'href="mailto:helpdesk@northwind\.example\?subject=[^"]+"', ticket)
    art = (site / "es" / "accounts" / "reset-password.html").read_text(encoding="utf-8")
    assert re.search(r"Revisado el \d+ de \w+ de 20\d\d", art)
    assert re.search(r"Reviewed on \d+ \w+ 20\d\d", (site / "accounts" / "reset-password.html").read_text(encoding="utf-8"))


def _open(browser, url: str, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def _results(page, query: str, wait_for: str | None) -> list[str]:
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    box.fill("")
    box.type(query, delay=20)
    if wait_for:
        page.wait_for_function(f"t => [...document.querySelectorAll('{RESULTS}')].some(h => h.textContent.trim() === t)",
                               arg=wait_for, timeout=30000)
    else:
        page.wait_for_function("() => document.querySelector('.md-search-result__meta') && document.querySelector('.md-search-result__meta').textContent.trim() !== ''", timeout=30000)
    return [t.strip() for t in page.locator(RESULTS).all_inner_texts()]


@pytest.mark.browser
@pytest.mark.parametrize("how", ["http", "file"])
def test_searches_per_language(browser, site, how):
    if how == "http":
        server, base = serve_in_thread(site)
    else:
        server, base = None, site.as_uri() + "/"
    try:
        page = _open(browser, base + "es/index.html")
        assert page.evaluate("document.documentElement.lang") == "es"
        faq = _h1(site / "es" / "accounts" / "password-faq.html")
        titles = _results(page, "contrasena", faq)
        assert titles[0] in (faq, _h1(site / "es" / "accounts" / "reset-password.html")), titles[:3]
        page.locator("input[data-md-component=search-query]").fill("")
        page.locator("input[data-md-component=search-query]").type("no", delay=20)
        page.wait_for_function("() => /\\S/.test(document.querySelector('.md-search-result__meta').textContent)"
                               " && !document.querySelector('.md-search-result__item')", timeout=30000)
        stuck = _h1(site / "es" / "printing" / "print-job-stuck.html")
        found = _results(page, "impresora no imprime", stuck)
        assert found[0] in {_h1(p) for p in (site / "es" / "printing").glob("*.html")}, found[:3]

        page = _open(browser, base + "pt/index.html")
        assert page.evaluate("document.documentElement.lang") == "pt"
        senha = _h1(site / "pt" / "accounts" / "password-faq.html")
        assert _results(page, "senha", senha)[0] in (senha, _h1(site / "pt" / "accounts" / "reset-password.html"))
        printer = _h1(site / "pt" / "printing" / "print-job-stuck.html")
        found = _results(page, "impressora", printer)
        pt_titles = {_h1(p) for p in (site / "pt" / "printing").glob("*.html")}
        assert found and found[0] in pt_titles
    finally:
        if server:
            server.shutdown()


@pytest.mark.browser
def test_switcher_home_search_box_and_screenshots(browser, site, tmp_path):
    server, base = serve_in_thread(site)
    try:
        page = _open(browser, base + "accounts/reset-password.html")
        page.locator(".md-header__option .md-select").hover()
        page.locator("a.md-select__link[hreflang=es]").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/es/accounts/reset-password.html")
        assert page.evaluate("document.documentElement.lang") == "es"
        page.locator(".md-header__option .md-select").hover()
        page.locator("a.md-select__link[hreflang=pt]").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/pt/accounts/reset-password.html")
        page.screenshot(path=str(tmp_path / "pt-article.png"))
        page = _open(browser, base + "agents/index.html")  # no translation: the language's home
        assert page.locator("a.md-select__link[hreflang=es]").get_attribute("href").endswith("es/index.html")

        page = _open(browser, base + "es/index.html")
        page.screenshot(path=str(tmp_path / "es-home.png"), full_page=True)
        cards = page.locator(".gitdesk-categories li").all_inner_texts()
        assert len(cards) >= 8 and all(re.search(r"\d+ artículos?", c) for c in cards)
        page.fill(".gitdesk-search__input", "contrasena")
        page.press(".gitdesk-search__input", "Enter")
        password = _h1(site / "es" / "accounts" / "password-faq.html")
        page.wait_for_function(
            "t => [...document.querySelectorAll('.md-search-result__item h1, .md-search-result__item h2')].some(h => h.textContent.trim() === t)",
            arg=password, timeout=30000)
        assert (tmp_path / "es-home.png").stat().st_size > 10000
        assert (tmp_path / "pt-article.png").stat().st_size > 10000
    finally:
        server.shutdown()


@pytest.mark.browser
def test_dashboard_fits_a_phone(browser, site, tmp_path):
    server, base = serve_in_thread(site)
    try:
        for lang in ("", "es/"):
            page = _open(browser, base + f"{lang}dashboard.html", width=390)
            page.screenshot(path=str(tmp_path / f"dashboard-{lang or 'en/'}".replace("/", ".png")), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            widths = page.evaluate("[...document.querySelectorAll('.md-content svg, .md-typeset__scrollwrap')].map(e => e.getBoundingClientRect().right)")
            assert widths and max(widths) <= 390
    finally:
        server.shutdown()


def test_open_a_ticket_per_language_offers_the_mail_and_the_issue_form(tmp_path):
    """Each language's Open a ticket page: the e-mail channel prefilled in that language and the
    issue form of that language when a repository is configured."""
    from tests.support.kb import make_sample, write

    root = make_sample(tmp_path / "desk", config_extra="github:\n  repository: northwind/helpdesk\n")
    text = (root / "helpdesk.yml").read_text(encoding="utf-8")
    (root / "helpdesk.yml").write_text(re.sub(r"(?m)^language:.*$", "languages: [en, es]", text), encoding="utf-8")
    write(root / "kb", "open-a-ticket.es.md", "# Abrir una incidencia\n\n<!-- gitdesk:open-ticket -->\n")
    write(root / "kb", "index.es.md", "# Ayuda\n\n<!-- gitdesk:search-box -->\n\n<!-- gitdesk:urgent -->\n")
    build(root, tmp_path / "site")
    es = (tmp_path / "site" / "es" / "open-a-ticket.html").read_text(encoding="utf-8")
    en = (tmp_path / "site" / "open-a-ticket.html").read_text(encoding="utf-8")
    assert "Abrir una incidencia en GitHub" in es and "template=support-request.es.yml" in es
    assert "template=support-request.yml" in en and "support-request.es.yml" not in en
    mail = html.unescape(re.search(r'href="(mailto:[^"]+)"', es).group(1))
    assert "Solicitud de ayuda" in unquote(mail.split("subject=", 1)[1])
    if importlib.util.find_spec("gitdesk.requestmail"):  # the template intake reads back
        assert "body=" in mail and 'data-article-label="' in es  # gitdesk.js adds the article to the body
    home = (tmp_path / "site" / "es" / "index.html").read_text(encoding="utf-8")
    assert 'class="gitdesk-search"' in home and "¿Es urgente? No busque: llame." in home
