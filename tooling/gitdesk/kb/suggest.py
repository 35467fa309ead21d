"""The best KB articles for a ticket: its words searched, its category used as a tie-breaker.

For a ticket the caller passes ``title``, ``description`` and ``category``. The title is
repeated so its words weigh more than the free-text description; articles in the ticket's
category (or its parent, or a child) get a modest boost, enough to reorder near-ties but not
to promote an article that does not match the words. Only guides and FAQs are suggested, and
never the agents' handbook or a KCS draft or archived article: a suggestion is something a
requester reads, and those are not published to requesters.
"""

from __future__ import annotations

from pathlib import Path

from gitdesk.config import Config
from gitdesk.kb import is_article
from gitdesk.kb.search import Result, Searcher

SAME_CATEGORY = 1.3
RELATED_CATEGORY = 1.15


def category_boosts(category: str | None, known: list[str]) -> dict[str, float]:
    """Score multipliers per article category for a ticket in ``category``."""
    if not category:
        return {}
    parent = category.split("/", 1)[0]
    out: dict[str, float] = {}
    for cat in known:
        if cat == category:
            out[cat] = SAME_CATEGORY
        elif cat.split("/", 1)[0] == parent:
            out[cat] = RELATED_CATEGORY
    out.setdefault(category, SAME_CATEGORY)
    return out


def ticket_text(title: str | None, description: str | None) -> str:
    title = (title or "").strip()
    return f"{title}\n{title}\n{(description or '').strip()}"


def suggest(root: Path, config: Config, text: str, *, category: str | None = None, limit: int = 5,
            searcher: Searcher | None = None) -> list[Result]:
    """Articles for ``text`` (for a ticket: :func:`ticket_text` of its title and description)."""
    own = searcher is None
    s = searcher or Searcher(root, config)
    try:
        boosts = category_boosts(category, config.category_ids())
        results = s.query(text, limit=limit * 2, boost_categories=boosts or None, audience="requesters")
    finally:
        if own:
            s.close()
    from gitdesk.kb.kcs import is_published

    return [r for r in results if is_article(r.path) and is_published(root, config, r.path)][:limit]
