"""``gitdesk kb new guide|faq "TITLE"``: a new article from the shipped template, ready to fill.

The file name is a slug of the title; the section (folder) and category come from the options,
or one is derived from the other by looking at where the existing articles of that category
live. The new file passes ``gitdesk kb check`` as written (front matter valid, sections in
place). An existing file is never overwritten and a title already used is refused.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from string import Template

from gitdesk.config import Config, package_file
from gitdesk.errors import NotFoundError, UsageError, ValidationError
from gitdesk.kb import is_article, kb_dir
from gitdesk.kb.article import iter_pages, read_article
from gitdesk.yamlio import atomic_write

KINDS = ("guide", "faq")
MAX_SLUG = 60
_SECTION_RE = re.compile(r"^[a-z0-9][a-z0-9-]*(?:/[a-z0-9][a-z0-9-]*)*$")
_TAG_RE = re.compile(r"^[a-z0-9ß-öø-ÿ]+(?:-[a-z0-9ß-öø-ÿ]+)*$")
DEFAULT_SUMMARY = {
    "en": "TODO: one sentence on the problem this solves, in the words users use.",
    "es": "PENDIENTE: una frase sobre el problema que resuelve, con las palabras de los usuarios.",
    "pt": "PENDENTE: uma frase sobre o problema que resolve, com as palavras dos usuários.",
}


def is_placeholder_summary(summary: object) -> bool:
    """The summary `kb new` writes until someone replaces it ("TODO: ...", or its translation)."""
    if not isinstance(summary, str):
        return False
    text = " ".join(summary.split())
    return text in DEFAULT_SUMMARY.values() or bool(re.match(r"(?i)(TODO|PENDIENTE|PENDENTE)\b", text))


def template_lines() -> frozenset[str]:
    """The placeholder lines of the ``kb new`` templates (every language), as a page would keep
    them when nobody replaced them: body text only, without headings (the required sections are
    headings too) and without the ``$`` fields that the command fills in."""
    out: set[str] = set()
    for path in sorted(package_file("templates", "kb").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[-1]
        for line in body.split("\n"):
            line = line.strip()
            if line and not line.startswith("#") and "$" not in line:
                out.add(line)
    return frozenset(out)


def slugify_title(title: str) -> str:
    """``"Reset a forgotten password!"`` -> ``reset-a-forgotten-password`` (ASCII, <= 60 chars)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def _check_title(title: str) -> str:
    if not isinstance(title, str) or re.search(r"[\x00-\x1f\x7f\u2028\u2029]", title):
        raise ValidationError("must be one line of text without control characters", field="title")
    title = " ".join(title.split())
    if not (3 <= len(title) <= 120):
        raise ValidationError("must be 3 to 120 characters", field="title")
    if re.search(r"[<>]", title):
        raise ValidationError("must not contain < or >", field="title")
    return title


def _section_for_category(kb_root: Path, category: str) -> str | None:
    """The folder where most existing articles of this category (or its parent) live."""
    top = category.split("/", 1)[0]
    votes: Counter[str] = Counter()
    for path in iter_pages(kb_root):
        rel = path.relative_to(kb_root).as_posix()
        if "/" not in rel or not is_article(rel):
            continue
        try:
            page = read_article(path, kb_root)
        except ValidationError:
            continue
        cat = page.get("category")
        if isinstance(cat, str) and cat.split("/", 1)[0] == top:
            votes[rel.rsplit("/", 1)[0]] += 2 if cat == category else 1
    if votes:
        return votes.most_common(1)[0][0]
    return top if (kb_root / top).is_dir() else None


def _category_for_section(kb_root: Path, section: str, config: Config) -> str | None:
    votes: Counter[str] = Counter()
    folder = kb_root / section
    for path in iter_pages(folder) if folder.is_dir() else ():
        try:
            page = read_article(path, kb_root)
        except ValidationError:
            continue
        cat = page.get("category")
        if isinstance(cat, str) and is_article(page.rel):
            votes[cat.split("/", 1)[0]] += 1
    if votes:
        return votes.most_common(1)[0][0]
    return section if section in config.category_ids() else None


def _place(kb_root: Path, config: Config, section: str | None, category: str | None) -> tuple[Path, str]:
    """The section folder the article goes into and its category, each told or found from the other."""
    if section is not None:
        section = section.strip("/")
        if not _SECTION_RE.match(section):
            raise ValidationError(f"not a section folder name: {section!r} (lower-case words joined by -)", field="section")
    if category is not None and category not in config.category_ids():
        raise ValidationError(f"unknown category {category!r} (known: {', '.join(config.category_ids())})", field="category")
    if section is None:
        if category is None:
            raise UsageError("give --section or --category (or both)", field="section")
        section = _section_for_category(kb_root, category)
        if section is None:
            raise UsageError(f"no section holds articles of category {category!r}: give --section", field="section")
    folder = kb_root / section
    if not (folder / "index.md").is_file():
        raise NotFoundError(f"no section {section}/ with an index.md: create the section first", path=str(folder))
    if category is None:
        category = _category_for_section(kb_root, section, config)
        if category is None:
            raise UsageError(f"cannot tell the category of section {section!r}: give --category", field="category")
    return folder, category


def _owner_and_audience(config: Config, owner: str | None, audience: str | None) -> tuple[str, str]:
    """The owning team and the audience, defaulted from the configuration and checked against it."""
    teams = list(config.get("teams") or {})
    owner = owner or config.get("default_team") or (teams[0] if teams else "service-desk")
    if owner not in teams:
        raise ValidationError(f"unknown team {owner!r} (known: {', '.join(teams)})", field="owner")
    audiences = list((config.get("kb") or {}).get("audiences") or ["everyone"])
    audience = audience or audiences[0]
    if audience not in audiences:
        raise ValidationError(f"unknown audience {audience!r} (known: {', '.join(audiences)})", field="audience")
    return owner, audience


def _tag_list(tags: Iterable[str], category: str) -> list[str]:
    """The tags given (lower-cased, once each), else the category's words, else ``general``."""
    tag_list = list(dict.fromkeys(t.strip().lower() for t in tags if t.strip())) or [p for p in category.split("/") if p != "other"] or ["general"]
    for tag in tag_list:
        if not _TAG_RE.match(tag):
            raise ValidationError(f"{tag!r} is not a lower-case tag (letters, digits and -)", field="tags")
    return tag_list


def _new_file(kb_root: Path, folder: Path, title: str) -> Path:
    """The article's file: named from the title, neither existing nor sharing a title with an article."""
    slug = slugify_title(title)
    if not slug:
        raise ValidationError("has no letters or digits to make a file name from", field="title")
    target = folder / f"{slug}.md"
    if target.exists():
        raise ValidationError("already exists: refusing to overwrite", path=str(target))
    check_unused_title(kb_root, title)
    return target


def check_unused_title(kb_root: Path, title: str, hint: str = "") -> None:
    """Refuse a title an article already has (titles are unique across the KB)."""
    key = title.casefold()
    for path in iter_pages(kb_root):
        try:
            page = read_article(path, kb_root)
        except ValidationError:
            continue
        if is_article(page.rel) and page.title.casefold() == key:
            raise ValidationError(f"title already used by {kb_root.name}/{page.rel}{hint}", field="title")


def new_article(root: Path, config: Config, kind: str, title: str, *, section: str | None = None,
                category: str | None = None, summary: str | None = None, tags: list[str] | tuple[str, ...] = (),
                audience: str | None = None, owner: str | None = None, today: _dt.date | None = None) -> Path:
    """Write the article and return its path; raise a :class:`GitdeskError` naming the field."""
    if kind not in KINDS:
        raise UsageError(f"unknown article type {kind!r} (use guide or faq)", field="type")
    title = _check_title(title)
    kb_root = kb_dir(Path(root), config)
    if not kb_root.is_dir():
        raise NotFoundError("knowledge base folder not found", path=str(kb_root))
    folder, category = _place(kb_root, config, section, category)
    owner, audience = _owner_and_audience(config, owner, audience)
    tag_list = _tag_list(tags, category)
    language = config.get("language") or "en"
    summary = " ".join((summary or DEFAULT_SUMMARY.get(language, DEFAULT_SUMMARY["en"])).split())
    if not (10 <= len(summary) <= 400) or re.search(r"[<>]", summary):
        raise ValidationError("must be 10 to 400 characters, without < or >", field="summary")
    target = _new_file(kb_root, folder, title)
    template_file = package_file("templates", "kb", f"{kind}.{language}.md")
    if not template_file.is_file():
        template_file = package_file("templates", "kb", f"{kind}.en.md")
    text = Template(template_file.read_text(encoding="utf-8")).substitute(
        title=json.dumps(title, ensure_ascii=False),
        title_heading=title,
        summary=json.dumps(summary, ensure_ascii=False),
        tags="[" + ", ".join(tag_list) + "]",
        category=category,
        audience=audience,
        owner=owner,
        today=(today or _dt.date.today()).isoformat(),
    )
    atomic_write(target, text, exclusive=True)
    return target
