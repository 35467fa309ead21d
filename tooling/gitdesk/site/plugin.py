"""The ``gitdesk`` MkDocs plugin: helpdesk.yml on the site, offline by construction, safe output.

One MkDocs build per language (``gitdesk site build`` sets :attr:`GitdeskPlugin.build_language`
for each; a plain ``mkdocs build`` gives the default language only): see :mod:`gitdesk.site.i18n`.

What it does, by MkDocs event:

- ``on_config`` (before the search and offline plugins): site name (``site.title``, or
  ``site.translations.<lang>.title``) and ``theme.language`` for the build's language (so
  ``<html lang>``, the theme's words and the search's stop words follow it); lists the bundled
  iframe-worker shim in ``extra.polyfills`` so the offline plugin does not add its unpkg.com copy;
  adds ``gitdesk.css``/``gitdesk.js``; imports extensions. ``repo_url`` is refused (Material
  would call api.github.com from every page).
- ``on_files``: keeps the build language's pages (translations under the original's names),
  ships the vendored assets and every **generated page** registered with
  :func:`gitdesk.site.extensions.generated_page` (the hook for the metrics dashboard).
- ``on_nav``: names sections by their index page's title, and splits the agents' part
  (``agents/``) from the end-user navigation.
- ``on_page_markdown``: replaces ``<!-- gitdesk:NAME -->`` lines with their registered renderer
  (:func:`gitdesk.kb.placeholders.placeholder`), puts the last review date under each article's
  title, and appends its related articles (hook: :func:`related_markdown`) and a "Still stuck?
  Open a ticket" link carrying the article's name; agents' pages are excluded from search.
- ``on_page_markdown`` also escapes the page's front matter (:mod:`gitdesk.site.escaping`): the
  theme prints it unescaped in the nav, ``<title>``, the tags page and the search index.
- ``on_page_context``: the page's own navigation and its language switcher (Material's
  ``extra.alternate``: the same page in each language, or that language's home).
- ``on_page_content``: refuses a page whose HTML could run script or collect input
  (:mod:`gitdesk.kb.htmlsafety`).
- ``on_post_page``: refuses a page that names a known person (:mod:`gitdesk.kb.privacy`).
- ``on_post_build`` (before the offline plugin inlines the search index): points Material's
  on-demand unpkg scripts at local copies, leaves stop words out of queries
  (:mod:`gitdesk.site.search`), and adds accent-folded fields to the search index so
  "contrasena" finds "contraseña" in the browser too.

Extension points, for modules that add to the site (e.g. ``gitdesk.site.dashboard`` for the
dashboard, imported automatically when it exists; others listed under ``extensions:``)::

    from gitdesk.site.extensions import generated_page, placeholder

    @generated_page("dashboard.md")
    def dashboard(ctx):            # ctx.root, ctx.config, ctx.language
        return "# Dashboard\\n\\n..."  # Markdown, or None to leave the page out

    @placeholder("open-tickets")
    def open_tickets(ctx, page):   # replaces <!-- gitdesk:open-tickets --> in any page
        return "..."

Generated content goes through the same safety and personal-data checks as KB pages, so it
must not embed scripts or people's names (aggregate figures only; use static SVG for charts).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from pathlib import Path

import yaml
from mkdocs.config import config_options as c
from mkdocs.config.base import Config as _MkConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from gitdesk.config import load_config, package_file
from gitdesk.errors import GitdeskError
from gitdesk.kb import is_article
from gitdesk.kb.article import split_front_matter
from gitdesk.kb.htmlsafety import scan_html
from gitdesk.kb.placeholders import content
from gitdesk.kb.privacy import find_people, known_people
from gitdesk.publish.offline import ASSET_DIR, localise_theme_scripts
from gitdesk.site import feedback, incidents
from gitdesk.site.escaping import escape_front_matter, pin_title
from gitdesk.site.extensions import PageInfo, SiteContext, generated_pages, get_placeholder, load_extensions, placeholder_names
from gitdesk.site.i18n import LanguageBuild, is_agents_page, split_nav, title_sections
from gitdesk.site.search import patch_search_worker

log = logging.getLogger("mkdocs.plugins.gitdesk")

ASSETS = {
    "iframe-worker-shim.js": "iframe-worker-shim.js",
    "iframe-worker.LICENSE": "iframe-worker.LICENSE.txt",
    "resize-observer-polyfill.js": "resize-observer-polyfill.js",
    "resize-observer-polyfill.LICENSE": "resize-observer-polyfill.LICENSE.txt",
    "no-mermaid.js": "no-mermaid.js",
    "gitdesk.js": "gitdesk.js",
    "gitdesk.css": "gitdesk.css",
}
_PLACEHOLDER_LINE_RE = re.compile(r"^[ \t]*<!--\s*gitdesk:(?P<name>[A-Za-z0-9_-]+)\s*-->[ \t]*$", re.M)


class GitdeskPluginConfig(_MkConfig):
    helpdesk_dir = c.Optional(c.Type(str))  # folder holding helpdesk.yml (default: mkdocs.yml's)
    extensions = c.ListOfItems(c.Type(str), default=[])
    site_name_from_config = c.Type(bool, default=True)
    still_stuck = c.Type(bool, default=True)
    feedback = c.Type(bool, default=True)
    related = c.Type(bool, default=True)
    fold_search = c.Type(bool, default=True)


def fold(text: str) -> str:
    """Accents removed (ñ -> n, ç -> c), the way the Whoosh index folds them."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


class GitdeskPlugin(BasePlugin[GitdeskPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._ctx: SiteContext | None = None
        self.titles: dict[str, str] = {}
        self.pages: dict[str, dict] = {}
        self.people: list = []
        #: set by :func:`gitdesk.publish.build.build_site` for each language's build; None: default
        self.build_language: str | None = None
        #: set with it: True for the first language a site build renders (None: the default language)
        self.starts_site: bool | None = None
        self._lang: LanguageBuild | None = None
        self.navs = None

    # -- configuration ---------------------------------------------------------------------------
    @event_priority(100)
    def on_config(self, config):
        root = Path(self.config.helpdesk_dir or Path(config.config_file_path or ".").parent)
        try:
            helpdesk = load_config(root)
            load_extensions(self.config.extensions)
        except GitdeskError as exc:
            raise PluginError(f"gitdesk: {exc.line()}") from None
        languages = helpdesk.languages
        language = self.build_language or languages[0]
        if language not in languages:
            raise PluginError(f"gitdesk: helpdesk.yml: languages: {language!r} is not one of {', '.join(languages)}")
        self.lang = LanguageBuild(language, languages)
        starts = language == languages[0] if self.starts_site is None else self.starts_site
        if starts and self.config.related:  # a site build starts here; `serve` builds again
            from gitdesk.site import related

            related.forget_vectors()  # read the KB's vectors again: an article may have changed
        self.ctx = SiteContext(root=root, config=helpdesk, language=language, extra={"languages": languages})
        config.theme["language"] = language  # <html lang>, the theme's words and the search's stemmer
        if isinstance(config.mdx_configs.get("toc"), dict) and config.mdx_configs["toc"].get("permalink"):
            config.mdx_configs["toc"].setdefault("permalink_title", content.t(self.ctx, "permalink"))
        config.extra["alternate"] = self.lang.alternates("index.md") if len(languages) > 1 else None
        title = content.site_settings(self.ctx).get("title") or helpdesk.get("name")
        if self.config.site_name_from_config and title:
            # Material prints site_name unescaped in <title> and aria-label: give it markup-safe text
            from markupsafe import escape

            config.site_name = escape(str(title))
        if config.repo_url:
            raise PluginError("gitdesk: mkdocs.yml: repo_url: Material would call api.github.com from every page; the site must not contact other hosts")
        polyfills = [p for p in (config.extra.get("polyfills") or []) if "iframe-worker" not in str(p)]
        config.extra["polyfills"] = [f"{ASSET_DIR}/iframe-worker-shim.js", *polyfills]
        if f"{ASSET_DIR}/gitdesk.css" not in config.extra_css:
            config.extra_css.append(f"{ASSET_DIR}/gitdesk.css")
        if not any(str(s) == f"{ASSET_DIR}/gitdesk.js" for s in config.extra_javascript):
            config.extra_javascript.append(f"{ASSET_DIR}/gitdesk.js")
        self.buttons = "attr_list" in config.markdown_extensions
        try:
            self.people = known_people(root, helpdesk)
        except GitdeskError as exc:
            raise PluginError(f"gitdesk: {exc.line()}") from None
        return config

    # set by on_config, which MkDocs calls before every other event
    @property
    def ctx(self) -> SiteContext:
        assert self._ctx is not None, "on_config has not run"
        return self._ctx

    @ctx.setter
    def ctx(self, value: SiteContext) -> None:
        self._ctx = value

    @property
    def lang(self) -> LanguageBuild:
        assert self._lang is not None, "on_config has not run"
        return self._lang

    @lang.setter
    def lang(self, value: LanguageBuild) -> None:
        self._lang = value

    # -- files ----------------------------------------------------------------------------------
    def on_files(self, files: Files, config):
        drafts = self._agents_only_articles(files, config)
        files = self.lang.select(files)
        for draft in drafts:
            files.append(draft)
        assets = package_file("site", "assets")
        for name, dest in ASSETS.items():
            src = assets / name
            if src.is_file():
                files.append(File.generated(config, f"{ASSET_DIR}/{dest}", abs_src_path=str(src)))
        for src_uri, fn in sorted(generated_pages().items()):
            if is_agents_page(src_uri) and self.ctx.language != self.lang.default:
                continue  # the agents' part is built once, in the default language
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(f"gitdesk: generated page {src_uri} would replace the KB page kb/{src_uri}")
            markdown = fn(self.ctx)
            if markdown:
                files.append(File.generated(config, src_uri, content=markdown))
                self.lang.available[src_uri] = set(self.lang.languages)
        self.titles = {}
        self.pages = {}
        for f in files.documentation_pages():
            try:
                text = f.content_string
            except (OSError, UnicodeDecodeError):
                continue
            yaml_text, body, _ = split_front_matter(text)
            title = None
            if yaml_text:
                m = re.search(r"^title:\s*(.+?)\s*$", yaml_text, re.M)
                if m:
                    title = m.group(1).strip().strip("'\"")
            if not title:
                m = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.M)
                title = m.group(1) if m else f.name.replace("-", " ").capitalize()
            self.titles[f.src_uri] = title
            self.pages[f.src_uri] = content.page_summary(yaml_text, title, body)
        self.ctx.extra["pages"] = self.pages
        return files

    def _agents_only_articles(self, files: Files, config) -> list[File]:
        """KCS drafts and archived articles leave the end-user site: in the default language's
        build they are published under ``agents/drafts/`` (the agents' part: its own navigation,
        out of the search index, the home page's lists, related articles and the sitemap), with
        a banner saying so and without tags (the tags page is the end users')."""
        from gitdesk.kb.kcs import DRAFTS_DIR, is_agent_only

        moved: list[tuple[File, dict, str]] = []
        for f in files.documentation_pages():
            if not is_article(f.src_uri) or is_agents_page(f.src_uri):
                continue
            try:
                yaml_text, body, _ = split_front_matter(f.content_string)
                meta = yaml.safe_load(yaml_text) if yaml_text else None
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue
            if isinstance(meta, dict) and is_agent_only(meta):
                moved.append((f, meta, body))
        out = []
        for f, meta, body in moved:
            files.remove(f)
            if self.ctx.language != self.lang.default:
                continue  # the agents' part is built once, in the default language
            meta = {k: v for k, v in meta.items() if k != "tags"}
            text = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body
            out.append(File.generated(config, DRAFTS_DIR + f.src_uri, content=text))
        return out

    def on_nav(self, nav, config, files):
        title_sections(nav.items, self.titles)
        self.navs = split_nav(nav)
        if self.config.related:  # the KB index and vectors now, not in the middle of the pages
            from gitdesk.site import related

            related.warm(self.ctx)
        return nav

    # -- pages ----------------------------------------------------------------------------------
    def _info(self, page) -> PageInfo:
        meta = page.meta if isinstance(page.meta, dict) else {}
        title = meta.get("title") if isinstance(meta.get("title"), str) else (page.title or "")
        return PageInfo(src_uri=page.file.src_uri, title=str(title), meta=meta)

    def on_page_markdown(self, markdown: str, page, config, files):
        info = self._info(page)

        def replace(m: re.Match) -> str:
            name = m.group("name")
            fn = get_placeholder(name)
            if fn is None:
                raise PluginError(f"gitdesk: {info.src_uri}: unknown placeholder gitdesk:{name} (known: {', '.join(placeholder_names())})")
            try:
                return fn(self.ctx, info)
            except GitdeskError as exc:
                raise PluginError(f"gitdesk: {exc.line()}") from None

        markdown = _PLACEHOLDER_LINE_RE.sub(replace, markdown)
        markdown = incidents.banner_markdown(self.ctx, info) + markdown  # major incidents, every page
        markdown = kcs_banner(info, markdown, self.lang.default)
        base = self.lang.language_of(info.src_uri)[0]
        if is_agents_page(base):
            page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}  # Material's search skips it
        if is_article(base) and not page.file.generated_by:
            markdown = content.with_last_reviewed(self.ctx, info, markdown)
            if self.config.related:
                markdown += related_markdown(self.ctx, info, self.titles)
            if self.config.feedback and not is_agents_page(base):
                try:
                    markdown += feedback.feedback_html(self.ctx, info)  # "Did this solve your problem?"
                except GitdeskError as exc:
                    raise PluginError(f"gitdesk: {exc.line()}") from None
            if self.config.still_stuck:
                try:
                    markdown += content.still_stuck_markdown(self.ctx, info, buttons=self.buttons)
                except GitdeskError as exc:
                    raise PluginError(f"gitdesk: {exc.line()}") from None
        if isinstance(page.meta, dict):
            escape_front_matter(page.meta)  # after `info` took the raw values (ticket links)
        return markdown

    def on_page_context(self, context, page, config, nav):
        """The page's own navigation (end users' or agents') and its language switcher."""
        if self.navs:
            context["nav"] = self.navs[1] if is_agents_page(page.file.src_uri) else self.navs[0]
        if len(self.lang.languages) > 1:
            config.extra["alternate"] = self.lang.alternates(page.file.src_uri)
        return context

    def on_page_content(self, html: str, page, config, files):
        findings = scan_html(html)
        if findings:
            raise PluginError(f"gitdesk: {page.file.src_uri}: unsafe HTML: {findings[0].message}")
        pin_title(page)
        return html

    def on_post_page(self, output: str, page, config):
        if len(self.lang.languages) > 1:  # pages rendered without one (404.html): the homes
            config.extra["alternate"] = self.lang.alternates("index.md")
        hits = find_people(output, self.people)
        if hits:
            raise PluginError(f"gitdesk: {page.file.src_uri}: {hits[0][1]}: personal data must not be published")
        return output

    # -- after the build ------------------------------------------------------------------------
    @event_priority(-50)  # after search writes its index (0), before offline inlines it (-100)
    def on_post_build(self, config):
        site_dir = Path(config.site_dir)
        localise_theme_scripts(site_dir)
        if any(name.split("/")[-1] == "search" for name in config.plugins):
            try:
                patch_search_worker(site_dir)
            except GitdeskError as exc:
                raise PluginError(f"gitdesk: {exc.line()}") from None
        if self.config.fold_search:
            fold_search_index(site_dir / "search" / "search_index.json")
        drop_from_sitemap(site_dir, "/agents/drafts/")


def kcs_banner(page: PageInfo, markdown: str, default: str) -> str:
    """A "Draft" (or "Archived") notice at the top of a KCS draft's page, in its language."""
    from gitdesk.kb.kcs import DRAFTS_DIR, state_of
    from gitdesk.languages import split_suffix, text

    if not page.src_uri.startswith(DRAFTS_DIR):
        return markdown
    state = state_of(page.meta)
    language = split_suffix(page.src_uri)[1] or default
    try:
        tickets = ", ".join(t for t in page.meta.get("tickets") or () if isinstance(t, str)) or "-"
        words = text(f"kcs.banner_{state}", language, tickets=tickets)
    except KeyError:
        return markdown
    label = "Draft" if state == "draft" else "Archived"
    notice = f'!!! warning "{label}"\n\n    {content.md_escape(words)}\n\n'
    return notice + markdown


def drop_from_sitemap(site_dir: Path, marker: str) -> None:
    """Remove the pages whose address contains ``marker`` from ``sitemap.xml`` (and its .gz)."""
    import gzip

    path = site_dir / "sitemap.xml"
    if not path.is_file():
        return
    xml = path.read_text(encoding="utf-8")
    kept = re.sub(r"\s*<url>\s*<loc>[^<]*" + re.escape(marker) + r"[^<]*</loc>.*?</url>", "", xml, flags=re.S)
    if kept != xml:
        path.write_text(kept, encoding="utf-8")
        gz = site_dir / "sitemap.xml.gz"
        if gz.is_file():
            with open(gz, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
                out.write(kept.encode("utf-8"))


def related_markdown(ctx: SiteContext, page: PageInfo, titles: dict[str, str]) -> str:
    """The "Related articles" block at the end of an article: the front matter's ``related:``
    first, then the nearest articles by their vectors, in the page's language (``site/related``,
    imported here because it loads the vectors only when a page asks)."""
    from gitdesk.site import related

    return related.related_markdown(ctx, page, titles)


def fold_search_index(path: Path) -> bool:
    """Add a ``folded`` field (accents removed) to Material's search index when it helps."""
    if not path.is_file():
        return False
    data = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for doc in data.get("docs", []):
        joined = " ".join(str(doc.get(k) or "") for k in ("title", "text"))
        folded = fold(joined)
        if folded != joined:
            doc["folded"] = re.sub(r"<[^>]+>", " ", folded)
            changed = True
    fields = data.setdefault("config", {}).setdefault("fields", {})
    if changed and "folded" not in fields:
        fields["folded"] = {"boost": 1}
    # the title and the tags folded too, weighed like the originals: "contrasena" ranks the pages
    # titled or tagged "contraseña" as "contraseña" itself does
    for name in ("title", "tags"):
        extra = f"folded_{name}"
        hits = 0
        for doc in data.get("docs", []):
            value = doc.get(name)
            original = " ".join(value) if isinstance(value, list) else str(value or "")
            if fold(original) != original:
                doc[extra] = re.sub(r"<[^>]+>", " ", fold(original))
                hits += 1
        if hits and name in fields and extra not in fields:
            fields[extra] = dict(fields[name])
            changed = True
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return changed
