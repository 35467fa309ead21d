"""Freshness: when each article is due for review, and which ones are due or overdue.

One concept: an article is reviewed every ``review_every`` days (its front matter), else every
``kb.review_every_days`` (helpdesk.yml; the older ``kb.stale_after_days`` is read as it), counted
from its ``last_reviewed``. ``gitdesk kb review`` lists what is due (grouped by the owning team),
``kb check`` warns about what is overdue (a failure under ``--strict``), and the site shows each
article's review date. Translations follow their original: one reviewed before its original's
last review is listed with it (the same rule as ``kb check``'s ``stale-translation``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitdesk.config import Config
from gitdesk.errors import ValidationError
from gitdesk.kb import is_article, kb_dir
from gitdesk.languages import split_suffix

DEFAULT_INTERVAL = 180


def review_every_days(config: Config) -> int:
    """The desk's default review interval in days."""
    kb = config.get("kb") or {}
    return int(kb.get("review_every_days") or kb.get("stale_after_days") or DEFAULT_INTERVAL)


def interval(meta: dict | None, config: Config) -> int:
    """Days between reviews of the article whose front matter is ``meta``."""
    own = (meta or {}).get("review_every")
    if isinstance(own, int) and not isinstance(own, bool) and own >= 1:
        return own
    return review_every_days(config)


def reviewed_on(meta: dict | None) -> _dt.date | None:
    """``last_reviewed`` as a date (None when missing or not a date: ``kb check`` says so)."""
    value = (meta or {}).get("last_reviewed")
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def due_on(meta: dict | None, config: Config) -> _dt.date | None:
    """The day the article's next review is due (None without a review date)."""
    day = reviewed_on(meta)
    return day + _dt.timedelta(days=interval(meta, config)) if day else None


@dataclass
class DueArticle:
    """One article to review, or whose translations need bringing up to date."""

    path: str
    title: str
    owner: str
    last_reviewed: _dt.date | None
    review_every: int
    due: _dt.date | None
    state: str  # overdue, due (within the notice window), translations (only its translations lag)
    days_overdue: int | None  # negative: days left
    stale_translations: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "title": self.title, "owner": self.owner, "state": self.state,
            "last_reviewed": self.last_reviewed.isoformat() if self.last_reviewed else None,
            "review_every": self.review_every, "due": self.due.isoformat() if self.due else None,
            "days_overdue": self.days_overdue, "stale_translations": self.stale_translations,
        }


def _pages(root: Path, config: Config) -> dict[str, Any]:
    from gitdesk.kb.article import iter_pages, read_article

    folder = kb_dir(root, config)
    max_bytes = int((config.get("limits") or {}).get("max_file_bytes") or 1024 * 1024)
    pages = {}
    for path in iter_pages(folder):
        rel = path.relative_to(folder).as_posix()
        if not is_article(rel):
            continue
        try:
            page = read_article(path, folder, max_bytes=max_bytes)
        except ValidationError:
            continue  # kb check reports it
        if isinstance(page.meta, dict):
            pages[rel] = page
    return pages


def due_articles(root: Path, config: Config, today: _dt.date, *, within: int = 0) -> list[DueArticle]:
    """Articles overdue, due within ``within`` days, or with translations older than their
    last review; most overdue first within each owner, owners in helpdesk.yml's order."""
    pages = _pages(root, config)
    translations: dict[str, list[str]] = {}
    for rel in pages:
        base, language = split_suffix(rel)
        if language is not None and language != config.language:
            translations.setdefault(base, []).append(rel)
    out = []
    for rel, page in pages.items():
        if split_suffix(rel)[1] is not None:
            continue
        meta = page.meta
        reviewed, due = reviewed_on(meta), due_on(meta, config)
        stale = []
        for other in sorted(translations.get(rel, [])):
            theirs = reviewed_on(pages[other].meta)
            if reviewed and theirs and theirs < reviewed:
                stale.append({"path": other, "language": split_suffix(other)[1], "last_reviewed": theirs.isoformat()})
        left = (due - today).days if due else None
        if left is None or left < 0:
            state = "overdue"
        elif left <= within:
            state = "due"
        elif stale:
            state = "translations"
        else:
            continue
        owner = meta.get("owner") if isinstance(meta.get("owner"), str) else ""
        out.append(DueArticle(path=rel, title=page.title, owner=owner, last_reviewed=reviewed,
                              review_every=interval(meta, config), due=due, state=state,
                              days_overdue=-left if left is not None else None, stale_translations=stale))
    order = {team: n for n, team in enumerate(config.teams)}
    out.sort(key=lambda d: (order.get(d.owner, len(order)), d.owner, -(d.days_overdue if d.days_overdue is not None else 10**6), d.path))
    return out


def by_owner(items: list[DueArticle]) -> dict[str, list[DueArticle]]:
    """The list grouped by owning team, in the list's order."""
    groups: dict[str, list[DueArticle]] = {}
    for item in items:
        groups.setdefault(item.owner, []).append(item)
    return groups


def ticket_articles(item: DueArticle) -> list[str]:
    """The KB paths a review ticket lists for ``item``: the article when due, and its stale translations."""
    own = [item.path] if item.state != "translations" else []
    return own + [t["path"] for t in item.stale_translations]
