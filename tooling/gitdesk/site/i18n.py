"""One site per language from one ``kb/``: which files a language's build keeps, and its switcher.

Why our own code rather than ``mkdocs-static-i18n``: the site already runs every page through
the gitdesk plugin (placeholders, generated pages, safety checks, accent folding of the search
index), and each language needs its own generated pages and its own folded index. Doing the
language split in the same plugin is about 150 lines of plain Python over MkDocs' ``Files`` and
``Navigation``, runs each build exactly once per language (static-i18n re-enters every plugin
from inside its own ``on_post_build``), keeps the offline plugin's per-folder search index, and is
logic we can port when MkDocs Material reaches its end of life (Zensical has no plugin API).

How the site is laid out (``gitdesk site build`` runs one MkDocs build per language):

- the desk's default language (first of ``languages:``) at the site's root, every other language
  under ``<code>/`` (``site/es/accounts/reset-password.html``), each with its own
  ``search/search_index.js`` built with that language's stemmer and stop words;
- ``x.md`` is in the default language, ``x.es.md`` / ``x.pt.md`` are its translations; a
  translation is published under the original's name (``reset-password.html``) in its
  language's folder, so links keep naming the files (``account-locked.es.md``) and MkDocs
  validates them as usual;
- the agents' part (``agents/``: handbook and the command and configuration references) is
  built once, with the default language, kept out of the end-user navigation (agents' pages
  show only their own) and out of the search index (``search: exclude``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import cast

from gitdesk.kb import AGENTS_DIR, is_agents_page  # noqa: F401 - re-exported for the site
from gitdesk.languages import NATIVE_NAMES, split_suffix


@dataclass
class LanguageBuild:
    """One language's build of the site: its language, the desk's languages, what exists."""

    language: str
    languages: list[str]
    #: default-language path of every page -> the languages it exists in (filled by ``select``)
    available: dict[str, set[str]] = field(default_factory=dict)

    @property
    def default(self) -> str:
        return self.languages[0]

    def root(self, language: str) -> str:
        """Where ``language``'s site sits under the site folder (``""`` or ``"es/"``)."""
        return "" if language == self.default else f"{language}/"

    def language_of(self, src_uri: str) -> tuple[str, str]:
        """``accounts/x.es.md`` -> (``accounts/x.md``, ``es``); unsuffixed: the default."""
        base, lang = split_suffix(src_uri)
        return base, lang or self.default

    def select(self, files):
        """The ``Files`` of this language's build: its pages under the original's names, the
        other languages' pages left out, static files kept."""
        from mkdocs.structure.files import File, Files, file_sort_key

        self.available = {}
        for f in files.documentation_pages():
            base, lang = self.language_of(f.src_uri)
            self.available.setdefault(base, set()).add(lang)
        kept = []
        for f in files:
            if not f.is_documentation_page():
                kept.append(f)
                continue
            base, lang = self.language_of(f.src_uri)
            if lang != self.language or (is_agents_page(base) and self.language != self.default):
                continue
            if base != f.src_uri:
                f.name = posixpath.splitext(posixpath.basename(base))[0]
                for cached in ("url", "abs_dest_path"):
                    f.__dict__.pop(cached, None)
                f.dest_uri = f._get_dest_path()  # the original's name: x.es.md -> x.html
            kept.append(f)
        # file_sort_key reads only src_uri and name: sort as if each file had its original's name
        kept.sort(key=lambda f: file_sort_key(cast(File, SimpleNamespace(src_uri=self.language_of(f.src_uri)[0], name=f.name))))
        return Files(kept)

    def alternates(self, src_uri: str) -> list[dict]:
        """Material's ``extra.alternate`` for one page: every language, landing on the same page
        in it, or on its home page when the page has no translation there."""
        base = self.language_of(src_uri)[0]
        up = "" if self.language == self.default else "../"
        out = []
        for lang in self.languages:
            target = base if lang in self.available.get(base, ()) else "index.md"
            html = posixpath.splitext(target)[0] + ".html"
            prefix = up + self.root(lang)
            out.append({"name": NATIVE_NAMES.get(lang, lang), "link": prefix + html, "lang": lang})
        return out


def split_nav(nav):
    """The end-user navigation and the agents' one, from MkDocs' full navigation.

    Sections (or pages) whose pages are all under ``agents/`` go to the agents' navigation;
    previous/next links never cross from one to the other."""
    from mkdocs.structure.nav import Navigation

    def agents_only(item) -> bool:
        if getattr(item, "children", None):
            return all(agents_only(child) for child in item.children)
        file = getattr(item, "file", None)
        return file is not None and is_agents_page(file.src_uri)

    user_items = [i for i in nav.items if not agents_only(i)]
    agent_items = [i for i in nav.items if agents_only(i)]
    user_pages = [p for p in nav.pages if not is_agents_page(p.file.src_uri)]
    agent_pages = [p for p in nav.pages if is_agents_page(p.file.src_uri)]
    for pages in (user_pages, agent_pages):
        for i, page in enumerate(pages):
            page.previous_page = pages[i - 1] if i else None
            page.next_page = pages[i + 1] if i + 1 < len(pages) else None
    user, agents = Navigation(user_items, user_pages), Navigation(agent_items, agent_pages)
    agents.homepage = user.homepage = nav.homepage
    return user, agents


def title_sections(items, titles: dict[str, str]) -> None:
    """A section is named by its index page's title in the page language ("Cuentas y
    contraseñas"), not by its folder's name ("Accounts")."""
    for item in items:
        children = getattr(item, "children", None)
        if not children:
            continue
        first = children[0]
        file = getattr(first, "file", None)
        if file is not None and file.name == "index" and titles.get(file.src_uri):
            from gitdesk.site.escaping import escape_value

            item.title = escape_value(titles[file.src_uri])  # the theme prints nav titles unescaped
        title_sections(children, titles)
