"""Review tasks: one ticket per owning team and period that lists the articles to review.

``gitdesk kb review --open-tickets`` (weekly, in a workflow) and reader feedback (a run of "No"
votes) both ask an article's owner to review it through :func:`open_review_task`. The ticket is
found again by its tags, never by its title (which people may edit):

- ``kb-review``: every review task (to list or exclude them, e.g. from KB figures);
- ``kb-review-owner-<team>``: the owning team (a team id of helpdesk.yml ``teams``);
- ``kb-review-period-<period>``: the period, a calendar month ``2026-12`` (what the command
  uses, :func:`month_period`) or an ISO week ``2026-W49``.

The articles listed are the ticket's ``kb`` links, so a second run that brings nothing new
writes nothing, and a run that brings new articles adds them (a comment naming them, and the
links) to the same ticket, reopening it if it was closed in the meantime. A new period opens a
new ticket. Only the :class:`~gitdesk.store.base.TicketStore` interface is used (the files and
the GitHub backends alike).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING

from gitdesk.errors import UsageError, ValidationError
from gitdesk.languages import text

if TYPE_CHECKING:
    from gitdesk.config import Config
    from gitdesk.operations import Desk
    from gitdesk.store.base import TicketStore

MARKER_TAG = "kb-review"
_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3]))$")
_OWNER_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


def month_period(day: _dt.date) -> str:
    """The period of ``day`` as the review command counts it: its calendar month, ``2026-12``."""
    return f"{day.year:04d}-{day.month:02d}"


def week_period(day: _dt.date) -> str:
    """The ISO week of ``day``, ``2026-W49`` (another period a caller may choose)."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def owner_tag(owner: str) -> str:
    return f"{MARKER_TAG}-owner-{owner}"


def period_tag(period: str) -> str:
    return f"{MARKER_TAG}-period-{period.lower()}"


def _checked(config: Config, owner: str, articles: list[str], period: str) -> list[str]:
    if owner not in config.teams:
        raise ValidationError(f"unknown owner team {owner!r} (known: {', '.join(config.teams)})", field="owner")
    if not _OWNER_RE.match(owner):
        raise ValidationError(f"team id {owner!r} cannot be part of a tag", field="owner")
    if not isinstance(period, str) or not _PERIOD_RE.match(period):
        raise UsageError(f"not a review period: {period!r} (a month 2026-12 or an ISO week 2026-W49)", field="period")
    paths = sorted({str(a) for a in articles})
    if not paths:
        raise UsageError("a review task needs at least one article", field="articles")
    for path in paths:
        if not path.endswith(".md") or ".." in path.split("/") or path.startswith("/") or "\\" in path:
            raise ValidationError(f"not a knowledge base article path: {path!r}", field="articles")
    return paths


def find_review_task(store: TicketStore, owner: str, period: str):
    """The review ticket of ``owner`` for ``period`` (any status, but not one merged into
    another ticket: comments go to the ticket kept), or None; the oldest if two clones opened one each."""
    from gitdesk.store.base import Filters

    found = store.list(Filters(tag=[MARKER_TAG, owner_tag(owner), period_tag(period)]), sort="created")
    found = [t for t in found if not t.get("duplicate_of")]
    return found[0] if found else None


def _title_of(desk: Desk, path: str) -> str:
    """The article's title for the ticket's list (its path when it cannot be read)."""
    from gitdesk.kb import kb_dir
    from gitdesk.kb.article import read_article

    root = kb_dir(desk.store.repo.root, desk.config)
    try:
        return read_article(root / path, root).title or path
    except (OSError, ValidationError):
        return path


def _article_lines(desk: Desk, paths: list[str]) -> str:
    kb = ((desk.config.get("kb") or {}).get("dir") or "kb").strip("/")
    return "\n".join(f"- {_title_of(desk, p)} (`{kb}/{p}`)" for p in paths)


def review_task(desk: Desk, *, owner: str, articles: list[str], reason: str, period: str) -> tuple[str, bool]:
    """:func:`open_review_task` through a :class:`~gitdesk.operations.Desk` the caller keeps
    (the command commits ``desk.written``)."""
    config = desk.config
    paths = _checked(config, owner, articles, period)
    language = config.language
    team = (config.teams.get(owner) or {}).get("name") or owner
    reason = " ".join(str(reason or "").split())
    existing = find_review_task(desk.store, owner, period)
    if existing is None:
        body = "\n\n".join(part for part in (
            text("freshness.ticket_intro", language, team=team, period=period), reason,
            _article_lines(desk, paths), text("freshness.ticket_outro", language)) if part)
        ticket = desk.new(
            title=text("freshness.ticket_title", language, team=team, period=period), description=body,
            team=owner, priority="low", type="request" if "request" in config.ticket_types else None,
            tags=[MARKER_TAG, owner_tag(owner), period_tag(period)], kb=paths)
        return ticket.id, True
    new = [p for p in paths if p not in set(existing.get("kb") or ())]
    if not new:
        return existing.id, False
    if existing.status not in config.open_statuses and config.can_transition(existing.status, config["reopen_status"]):
        desk.reopen(existing.id, reason=text("freshness.ticket_reopened", language))
    body = "\n\n".join(part for part in (text("freshness.ticket_added", language), reason, _article_lines(desk, new)) if part)
    desk.comment(existing.id, body)  # first the note, then the links: a failed run is redone whole
    desk.link(existing.id, kb=new)
    return existing.id, False


def open_review_task(store: TicketStore, config: Config, *, owner: str, articles: list[str], reason: str,
                     period: str, actor: str) -> tuple[str, bool]:
    """Open the review ticket of ``owner`` (a team id) for ``period`` listing ``articles`` (KB
    paths such as ``network/vpn.md``), or add the articles it does not list yet to the one
    already there. Returns ``(ticket id, created)``; nothing is written when every article is
    listed already."""
    from gitdesk.operations import Desk

    return review_task(Desk(store, config, actor), owner=owner, articles=articles, reason=reason, period=period)


def open_review_tickets(desk: Desk, items: list, period: str, today: _dt.date) -> list[dict]:
    """One review ticket per owning team for the due articles ``items`` (from
    :func:`gitdesk.kb.freshness.due_articles`); what each run did, per team. Articles whose owner
    is not a team of helpdesk.yml are left out (``kb check`` reports them)."""
    from gitdesk.kb.freshness import by_owner, ticket_articles

    config, out = desk.config, []
    for owner, group in by_owner(items).items():
        if owner not in config.teams:
            continue
        paths = [p for item in group for p in ticket_articles(item)]
        counts = {state: sum(1 for i in group if i.state == state) for state in ("overdue", "due", "translations")}
        reason = text("freshness.ticket_reason", config.language, day=today.isoformat(), **counts)
        before = len(desk.recorded)
        ticket_id, created = review_task(desk, owner=owner, articles=paths, reason=reason, period=period)
        out.append({"owner": owner, "id": ticket_id, "ref": f"{config.id_prefix}-{ticket_id}", "created": created,
                    "changed": len(desk.recorded) > before, "articles": paths})
    return out
