"""``gitdesk kb check``: every rule the KB contract states, one problem per line with its place.

Rules (the ``rule`` column of the output, or the front-matter field at fault):

- ``file``: unreadable, not UTF-8, or over the size limit.
- front matter (``title``, ``tags[1]``...): against ``schemas/article.schema.json``, then
  category/owner/audience against helpdesk.yml; ``last_reviewed`` not in the future; ``related``
  pages exist.
- ``overdue-review``: an article not reviewed within ``review_every`` days (front matter, default
  ``kb.review_every_days``): a warning, a failure under ``--strict``.
- ``sections``: guides have one H1 equal to the title and the required H2 sections in order, none
  empty; FAQs have one H1 and at least two question H2s (ending in ``?``), each answered.
- ``link`` / ``anchor`` / ``image``: internal links point at existing pages and headings, images
  exist; ``remote-resource``: no image or embed loaded from another host (the site is offline).
- ``unsafe-link`` / ``raw-html``: nothing that can run script (see :mod:`gitdesk.kb.htmlsafety`).
- ``duplicate-title``, ``orphan`` (excluded from the nav and linked from no page),
  ``section-index`` (a section folder without ``index.md``), ``placeholder`` (unknown
  ``<!-- gitdesk:NAME -->``, or a Get help page missing the rendered tables),
  ``personal-data`` (a known person's name or email), ``template`` (an article still holding the
  ``kb new`` template's TODO summary or placeholder lines).
"""

from __future__ import annotations

import datetime as _dt
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from gitdesk.config import Config, load_schema
from gitdesk.errors import ValidationError
from gitdesk.kb import is_article, kb_dir
from gitdesk.kb.article import Article, html_attrs, iter_html_tags, iter_pages, read_article, strip_code_spans
from gitdesk.kb.htmlsafety import attribute_findings, normalise_url, scan_html, url_problem
from gitdesk.kb.kcs import is_agent_only
from gitdesk.kb.privacy import find_people, known_people
from gitdesk.kb.sitecfg import load_site_settings, make_renderer
from gitdesk.languages import page_language, split_suffix, translated_rel

#: Required H2 sections of a guide, per site language, in order.
GUIDE_SECTIONS = {
    "en": ["Symptoms", "Quick checks", "Fix", "When to escalate", "What to put in the ticket"],
    "es": ["Síntomas", "Comprobaciones rápidas", "Solución", "Cuándo escalar", "Qué incluir en la incidencia"],
    "pt": ["Sintomas", "Verificações rápidas", "Solução", "Quando escalar", "O que incluir no chamado"],
}
#: The agents' handbook: it may stay in one language (English), so no translation is asked of it.
AGENTS_DIR = "agents/"
#: An article not reviewed within its interval (``review_every``, ``kb.review_every_days``).
OVERDUE_RULE = "overdue-review"
#: Rules listed by ``gitdesk kb check`` that fail the check only under ``--strict`` (warnings).
LISTING_RULES = frozenset({"missing-translation", OVERDUE_RULE})
#: Placeholders the Get help page must hold (the tables are rendered, never hand-copied).
GET_HELP_PLACEHOLDERS = ("sla-targets", "channels")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_ATTR_LIST_RE = re.compile(r"\{:?(?P<body>[^{}\n]*=[^{}\n]*)\}")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


class _Checker:
    def __init__(self, root: Path, config: Config, today: _dt.date | None, render: bool):
        self.root = Path(root)
        self.config = config
        self.today = today or _dt.date.today()
        self.kb_root = kb_dir(self.root, config)
        self.problems: list[Problem] = []
        self.settings = load_site_settings(self.root)
        self.render = make_renderer(self.settings) if render else None
        self.pages: dict[str, Article] = {}
        self.people = known_people(self.root, config)
        self.default_language = config.language
        self.languages = config.languages
        try:
            self.display_prefix = self.kb_root.resolve().relative_to(self.root.resolve()).as_posix() + "/"
        except ValueError:
            self.display_prefix = str(self.kb_root) + "/"
        from gitdesk.kb.placeholders import placeholder_names

        self.placeholders = set(placeholder_names())

    # -- helpers -------------------------------------------------------------------------------
    def add(self, rel: str, line: int, rule: str, message: str) -> None:
        self.problems.append(Problem(self.display_prefix + rel, max(int(line), 1), rule, message))

    def line_of(self, page: Article, needle: str) -> int:
        """First body line containing ``needle`` (case-insensitive), else the first body line."""
        low = needle.lower()
        for i, line in enumerate(page.body.split("\n")):
            if low in line.lower():
                return page.body_line + i
        return page.body_line

    # -- the run -------------------------------------------------------------------------------
    def run(self) -> list[Problem]:
        if not self.kb_root.is_dir():
            self.problems.append(Problem(self.display_prefix.rstrip("/"), 1, "kb", "knowledge base folder not found"))
            return self.problems
        max_bytes = int((self.config.get("limits") or {}).get("max_file_bytes") or 1024 * 1024)
        for path in iter_pages(self.kb_root):
            try:
                page = read_article(path, self.kb_root, max_bytes=max_bytes)
            except ValidationError as exc:
                self.add(path.relative_to(self.kb_root).as_posix(), 1, "file", exc.message)
                continue
            self.pages[page.rel] = page
        self.check_sections_have_index()
        for rel, page in self.pages.items():
            if page.meta_error is not None:
                self.add(rel, int(page.meta_error.field or 1), "front-matter", page.meta_error.message)
            if is_article(rel):
                self.check_front_matter(page)
                self.check_structure(page)
                self.check_template_left(page)
            self.check_links(page)
            self.check_safety(page)
            self.check_placeholders(page)
            self.check_people(page)
        self.check_duplicate_titles()
        self.check_orphans()
        self.check_translations()
        return sorted(set(self.problems))

    # -- rules ---------------------------------------------------------------------------------
    def check_sections_have_index(self) -> None:
        folders = {posixpath.dirname(rel) for rel in self.pages if "/" in rel}
        for folder in sorted(folders):
            parts = folder.split("/")
            for depth in range(1, len(parts) + 1):
                sub = "/".join(parts[:depth])
                if f"{sub}/index.md" not in self.pages:
                    first = min(r for r in self.pages if r.startswith(sub + "/"))
                    self.add(first, 1, "section-index", f"section folder {sub}/ has no index.md")

    def check_front_matter(self, page: Article) -> None:
        if page.meta is None:
            if page.meta_error is None:
                self.add(page.rel, 1, "front-matter", "missing front matter (--- block with title, summary, tags, category, type...)")
            return
        bad_keys = self._check_schema(page)  # a key the schema refused is not checked again below
        self._check_configured(page, page.meta, bad_keys)
        self._check_reviewed(page, page.meta, bad_keys)
        self._check_related(page, page.meta, bad_keys)

    def _check_schema(self, page: Article) -> set[str]:
        """The front matter against the article schema; returns the keys found wrong."""
        import jsonschema  # deferred: ~80 ms

        rel = page.rel

        schema = load_schema("article")
        validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
        bad_keys: set[str] = set()
        for err in sorted(validator.iter_errors(page.meta), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
            path = list(err.absolute_path)
            if err.validator == "required":
                key = err.message.split("'")[1] if "'" in err.message else "(top level)"
                self.add(rel, 1, key, "missing (required front-matter key)")
                bad_keys.add(key)
                continue
            if err.validator == "additionalProperties":
                for key in re.findall(r"'([^']+)'", err.message.split("(", 1)[-1]):
                    self.add(rel, page.meta_line(key), key, "unknown front-matter key")
                continue
            key = str(path[0]) if path else "(top level)"
            bad_keys.add(key)
            field = key + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[1:])
            message = err.message if len(err.message) <= 160 else err.message[:157] + "..."
            if err.validator == "pattern" and key == "tags":
                message = f"{err.instance!r} is not a lower-case tag (letters, digits and -)"
            self.add(rel, page.meta_line(key), field, message)
        return bad_keys

    def _check_configured(self, page: Article, meta: dict, bad_keys: set[str]) -> None:
        """Category, owner and audience are ones the configuration lists."""
        rel = page.rel
        cats = self.config.category_ids()
        if isinstance(meta.get("category"), str) and "category" not in bad_keys and meta["category"] not in cats:
            self.add(rel, page.meta_line("category"), "category", f"unknown category {meta['category']!r} (known: {', '.join(cats)})")
        teams = list(self.config.get("teams") or {})
        if isinstance(meta.get("owner"), str) and "owner" not in bad_keys and meta["owner"] not in teams:
            self.add(rel, page.meta_line("owner"), "owner", f"unknown team {meta['owner']!r} (known: {', '.join(teams)})")
        audiences = list((self.config.get("kb") or {}).get("audiences") or [])
        aud = meta.get("audience")
        for value in ([aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []):
            if isinstance(value, str) and audiences and value not in audiences and "audience" not in bad_keys:
                self.add(rel, page.meta_line("audience"), "audience", f"unknown audience {value!r} (known: {', '.join(audiences)})")

    def _check_reviewed(self, page: Article, meta: dict, bad_keys: set[str]) -> None:
        """``last_reviewed`` is a date, not in the future; an original not reviewed within its
        interval (:mod:`gitdesk.kb.freshness`) is listed as overdue."""
        rel = page.rel
        reviewed = meta.get("last_reviewed")
        if isinstance(reviewed, str) and "last_reviewed" not in bad_keys:
            try:
                day = _dt.date.fromisoformat(reviewed)
            except ValueError:
                self.add(rel, page.meta_line("last_reviewed"), "last_reviewed", f"not a date: {reviewed!r} (use YYYY-MM-DD)")
            else:
                from gitdesk.kb.freshness import interval

                every = interval(meta if "review_every" not in bad_keys else None, self.config)
                age = (self.today - day).days
                if age < 0:
                    self.add(rel, page.meta_line("last_reviewed"), "last_reviewed", f"{reviewed} is in the future")
                elif age > every and split_suffix(rel)[1] is None:  # a translation follows its original
                    due = day + _dt.timedelta(days=every)
                    self.add(rel, page.meta_line("last_reviewed"), OVERDUE_RULE,
                             f"last reviewed {reviewed}, due {due.isoformat()} (every {every} days): "
                             f"{age - every} day(s) overdue; review it, then set last_reviewed")

    def _check_related(self, page: Article, meta: dict, bad_keys: set[str]) -> None:
        """``related:`` names other pages that exist."""
        rel = page.rel
        related = meta.get("related")
        if isinstance(related, list) and "related" not in bad_keys:
            for i, target in enumerate(related):
                if not isinstance(target, str):
                    continue
                norm = posixpath.normpath(target)
                if norm == rel:
                    self.add(rel, page.meta_line("related"), f"related[{i}]", "an article cannot be related to itself")
                elif norm not in self.pages:
                    self.add(rel, page.meta_line("related"), f"related[{i}]", f"no such page: {target} (paths are relative to {self.display_prefix})")

    def check_template_left(self, page: Article) -> None:
        """An article still carrying what `kb new` wrote: the TODO summary, placeholder steps."""
        from gitdesk.kb.new import is_placeholder_summary, template_lines

        if page.meta and is_placeholder_summary(page.meta.get("summary")):
            self.add(page.rel, page.meta_line("summary"), "template", "summary: still the template's placeholder: "
                     "write one sentence on the problem, in the words users use")
        placeholders = template_lines()
        lines = page.body.split("\n")
        left = [(page.body_line + i, line.strip()) for i, line in enumerate(lines)
                if line.strip() in placeholders and (page.body_line + i) not in page.code_lines]
        for line, text in left[:3]:
            self.add(page.rel, line, "template", f"placeholder text from the kb new template: {text[:70]!r}")
        if len(left) > 3:
            self.add(page.rel, left[3][0], "template", f"{len(left) - 3} more placeholder line(s) from the template")

    def _content_after(self, page: Article, index: int) -> bool:
        """Does heading ``index`` have text before the next heading of the same or higher level?"""
        heading = page.headings[index]
        end = None
        for other in page.headings[index + 1:]:
            if other.level <= heading.level:
                end = other.line
                break
        lines = page.text.split("\n")
        heading_lines = {h.line for h in page.headings}
        last = end - 1 if end else len(lines)
        for lineno in range(heading.line + 1, last + 1):
            text = lines[lineno - 1].strip() if lineno - 1 < len(lines) else ""
            if text and lineno not in heading_lines and not re.fullmatch(r"(=+|-+|<!--.*-->)", text):
                return True
        return False

    def check_structure(self, page: Article) -> None:
        rel = page.rel
        h1 = [h for h in page.headings if h.level == 1]
        if not h1:
            self.add(rel, page.body_line, "sections", "no '# Title' heading")
        elif len(h1) > 1:
            self.add(rel, h1[1].line, "sections", f"more than one H1 (also on line {h1[0].line})")
        title = page.get("title")
        if h1 and isinstance(title, str) and " ".join(h1[0].text.split()) != " ".join(title.split()):
            self.add(rel, h1[0].line, "sections", f"H1 {h1[0].text!r} differs from the front-matter title {title!r}")
        kind = page.get("type")
        h2 = [(i, h) for i, h in enumerate(page.headings) if h.level == 2]
        if kind == "guide":
            position = -1
            last_line = h1[0].line if h1 else page.body_line
            names = {h.text.strip().lower(): (i, h) for i, h in reversed(h2)}
            sections = self.guide_sections(rel)
            for required in sections:
                found = names.get(required.lower())
                if found is None:
                    self.add(rel, last_line, "sections", f"missing section '## {required}'")
                    continue
                i, heading = found
                if i < position:
                    self.add(rel, heading.line, "sections", f"'## {required}' is out of order (expected: {', '.join(sections)})")
                position = max(position, i)
                last_line = heading.line
                if not self._content_after(page, i):
                    self.add(rel, heading.line, "sections", f"section '## {required}' is empty")
        elif kind == "faq":
            questions = [(i, h) for i, h in h2 if h.text.rstrip().endswith("?")]
            if len(questions) < 2:
                self.add(rel, h1[0].line if h1 else page.body_line, "sections", f"an FAQ needs at least two '## ...?' questions (found {len(questions)})")
            for i, heading in questions:
                if not self._content_after(page, i):
                    self.add(rel, heading.line, "sections", f"question {heading.text!r} has no answer")

    def check_links(self, page: Article) -> None:
        rel = page.rel
        here = posixpath.dirname(rel)
        for link in page.links:
            if link.kind == "definition":
                continue  # checked where it is used
            target = link.target.strip()
            rule_missing = "image" if link.is_image else "link"
            if not target:
                self.add(rel, link.line, "link", "empty link target")
                continue
            if _SCHEME_RE.match(target) or target.startswith("//"):
                scheme = target.split(":", 1)[0].lower() if not target.startswith("//") else "https"
                if link.is_image and scheme in ("http", "https", "ftp") or (target.startswith("//") and link.is_image):
                    self.add(rel, link.line, "remote-resource", f"image loaded from another host ({target[:80]}): the site must work offline; add the file under kb/")
                continue
            if target.startswith("#"):
                anchor = unquote(target[1:])
                if anchor and anchor not in page.slugs:
                    self.add(rel, link.line, "anchor", f"no heading with id #{anchor} on this page")
                continue
            if target.startswith("/"):
                self.add(rel, link.line, rule_missing, f"absolute link {target}: use a path relative to this page")
                continue
            path_part, _, anchor = target.partition("#")
            path_part = unquote(path_part.split("?", 1)[0])
            resolved = posixpath.normpath(posixpath.join(here, path_part)) if path_part else rel
            if resolved.startswith("../") or resolved == "..":
                self.add(rel, link.line, rule_missing, f"{target} points outside the knowledge base")
                continue
            if path_part.endswith("/") or (self.kb_root / resolved).is_dir():
                self.add(rel, link.line, rule_missing, f"{target} is a folder: link to {posixpath.join(path_part.rstrip('/'), 'index.md')}")
                continue
            if resolved.endswith(".md"):
                other = self.pages.get(resolved)
                if other is None:
                    self.add(rel, link.line, "link", f"no such page: {target}")
                elif anchor and unquote(anchor) not in other.slugs:
                    self.add(rel, link.line, "anchor", f"no heading with id #{anchor} in {resolved}")
            elif not (self.kb_root / resolved).is_file():
                self.add(rel, link.line, rule_missing, f"{'missing image' if link.is_image else 'no such file'}: {target}")

    def check_safety(self, page: Article) -> None:
        rel = page.rel
        seen: set[str] = set()
        for link in page.links:
            problem = url_problem(link.target)
            if problem:
                self.add(rel, link.line, "unsafe-link", f"{problem} ({link.kind} link)")
                seen.add("url:" + normalise_url(link.target).split(":", 1)[0])
        lines = page.body.split("\n")
        masked = "\n".join("" if (page.body_line + i) in page.code_lines else strip_code_spans(line) for i, line in enumerate(lines))
        for name, attrs, start in iter_html_tags(masked):
            line = page.body_line + masked.count("\n", 0, start)
            for finding in attribute_findings(name, attrs):
                seen.add(finding.key)
                self.add(rel, line, "raw-html", finding.message)
        for m in _ATTR_LIST_RE.finditer(masked):
            line = page.body_line + masked.count("\n", 0, m.start())
            for finding in attribute_findings("", html_attrs(m.group("body"))):
                seen.add(finding.key)
                self.add(rel, line, "raw-html", finding.message + " (attribute list)")
        if self.render is None:
            return
        try:
            rendered = self.render(page.body)
        except Exception as exc:  # noqa: BLE001 - a page Markdown cannot render is itself a problem
            self.add(rel, page.body_line, "file", f"cannot render Markdown: {type(exc).__name__}: {exc}")
            return
        for finding in scan_html(rendered):
            if finding.key in seen:
                continue
            seen.add(finding.key)
            self.add(rel, self.line_of(page, finding.needle), "raw-html", finding.message + " (in the rendered page)")

    def check_placeholders(self, page: Article) -> None:
        names = {name for name, _ in page.placeholders}
        for name, line in page.placeholders:
            if name not in self.placeholders:
                self.add(page.rel, line, "placeholder", f"unknown placeholder gitdesk:{name} (known: {', '.join(sorted(self.placeholders))})")
        if split_suffix(page.rel)[0] == "get-help.md":
            for required in GET_HELP_PLACEHOLDERS:
                if required not in names:
                    self.add(page.rel, page.body_line, "placeholder", f"add <!-- gitdesk:{required} -->: the table is rendered from helpdesk.yml, never hand-copied")

    def check_people(self, page: Article) -> None:
        if not self.people:
            return
        for offset, what in find_people(page.text, self.people):
            self.add(page.rel, page.text.count("\n", 0, offset) + 1, "personal-data", f"{what}: personal data must not be published")

    def check_duplicate_titles(self) -> None:
        by_title: dict[tuple[str, str], str] = {}  # (language, title) -> the first page using it
        for rel, page in sorted(self.pages.items()):
            if not is_article(rel):
                continue
            key = (self.language_of(rel), " ".join(page.title.casefold().split()))  # per language
            if key in by_title:
                self.add(rel, page.meta_line("title"), "duplicate-title", f"title {page.title!r} is also used by {self.display_prefix}{by_title[key]}")
            else:
                by_title[key] = rel

    def check_orphans(self) -> None:
        linked: set[str] = set()
        for rel, page in self.pages.items():
            here = posixpath.dirname(rel)
            for link in page.links:
                target = link.target.strip()
                if not target or _SCHEME_RE.match(target) or target.startswith(("#", "/")):
                    continue
                path_part = unquote(target.partition("#")[0].split("?", 1)[0])
                resolved = posixpath.normpath(posixpath.join(here, path_part))
                if resolved != rel:
                    linked.add(resolved)
            related = page.get("related")
            if isinstance(related, list):  # the site renders related articles as links
                linked.update(posixpath.normpath(r) for r in related if isinstance(r, str) and r != rel)
        for rel in self.pages:
            if rel == "index.md" or rel in linked:
                continue
            if self.settings.excluded_from_nav(rel):
                self.add(rel, 1, "orphan", "not in the navigation and no page links to it")


    # -- languages: each page in its own language, translations beside their original ----------
    def language_of(self, rel: str) -> str:
        return page_language(rel, self.default_language)

    def guide_sections(self, rel: str) -> list[str]:
        """The required sections in the page's own language. The agents' pages may stay in
        English on a desk in another language: theirs are English when they use English ones."""
        own = GUIDE_SECTIONS.get(self.language_of(rel), GUIDE_SECTIONS["en"])
        page = self.pages.get(rel)
        if rel.startswith(AGENTS_DIR) and page is not None:
            h2 = {h.text.strip().lower() for h in page.headings if h.level == 2}
            if GUIDE_SECTIONS["en"][0].lower() in h2 and own[0].lower() not in h2:
                return GUIDE_SECTIONS["en"]
        return own

    def check_translation_links(self, page: Article) -> None:
        """A translation links to (and relates) pages of its own language, when they exist."""
        language = split_suffix(page.rel)[1]
        if language is None:
            return
        here = posixpath.dirname(page.rel)
        targets = []
        for link in page.links:
            target = link.target.strip()
            if link.kind == "definition" or link.is_image or not target or _SCHEME_RE.match(target) or target.startswith(("#", "/", "//")):
                continue
            path_part = unquote(target.partition("#")[0].split("?", 1)[0])
            if path_part.endswith(".md"):
                targets.append((link.line, target, posixpath.normpath(posixpath.join(here, path_part))))
        related = page.get("related")
        if isinstance(related, list):
            targets += [(page.meta_line("related"), r, posixpath.normpath(r)) for r in related if isinstance(r, str)]
        for line, target, resolved in targets:
            if resolved not in self.pages or self.language_of(resolved) == language:
                continue  # a missing page is the link rule's; a page in this language is right
            base = split_suffix(resolved)[0]
            mine = translated_rel(base, language, self.default_language)
            if mine in self.pages:
                self.add(page.rel, line, "translation-link", f"{target} is in {self.language_of(resolved)}: link to the {language} page {mine}")
            else:
                self.add(page.rel, line, "translation-link", f"{target} has no {language} version ({mine} is missing)")

    def check_translations(self) -> None:
        """Each translation has its original, is in a site language, was reviewed after the
        original last changed and links within its language; originals missing in a site
        language are listed (:data:`LISTING_RULES`: they fail only ``kb check --strict``)."""
        for rel, page in sorted(self.pages.items()):
            self.check_translation_links(page)
            base, language = split_suffix(rel)
            if language is None:
                if is_article(rel) and page.meta is not None and not rel.startswith(AGENTS_DIR) and not is_agent_only(page.meta):
                    missing = [translated_rel(rel, code, self.default_language) for code in self.languages[1:]]
                    missing = [m for m in missing if m not in self.pages]
                    if missing:
                        self.add(rel, 1, "missing-translation", "not yet in " + ", ".join(
                            f"{self.language_of(m)} ({posixpath.basename(m)})" for m in missing))
                continue
            if language not in self.languages:
                self.add(rel, 1, "language", f"written in {language}, which is not a site language (languages: {', '.join(self.languages)})")
                continue
            if language == self.default_language:
                self.add(rel, 1, "language", f"{language} is the default language: its pages have no suffix ({base})")
                continue
            original = self.pages.get(base)
            if original is None:
                if not is_agent_only(page.meta):  # a draft in the requester's language: the original comes on validation
                    self.add(rel, 1, "translation", f"a translation without its original {base}")
                continue
            mine, theirs = _review_date(page), _review_date(original)
            if mine and theirs and theirs > mine:
                self.add(rel, page.meta_line("last_reviewed"), "stale-translation",
                         f"{base} was reviewed on {theirs.isoformat()}, after this translation ({mine.isoformat()}): "
                         "bring the translation up to date, then set its last_reviewed")


def _review_date(page: Article) -> _dt.date | None:
    value = page.get("last_reviewed") if page.meta is not None else None
    try:
        return _dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def failing(problems: list[Problem], *, strict: bool = False) -> list[Problem]:
    """The problems that fail ``gitdesk kb check``: all of them under ``--strict``, else all but
    the listings (:data:`LISTING_RULES`)."""
    return list(problems) if strict else [p for p in problems if p.rule not in LISTING_RULES]


def check_kb(root: Path, config: Config, *, today: _dt.date | None = None, render: bool = True) -> list[Problem]:
    """All problems in the KB under ``root`` (empty list = clean)."""
    return _Checker(Path(root), config, today, render).run()
