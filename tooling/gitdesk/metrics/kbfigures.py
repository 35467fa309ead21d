"""What the desk knows about its articles: reuse, "Still stuck?" tickets, votes, and the gaps.

A static site cannot count views, so these figures count what the desk itself records:

- **resolved with**: resolved or closed tickets whose ``solved_by`` names the article
  (``gitdesk ticket resolve --kb ARTICLE``). A plain ``kb`` link is not counted: links are also
  made for suggestions, known errors and "see also", which would credit articles that did not
  solve anything;
- **still stuck**: tickets opened from the article's "Still stuck? Open a ticket" link
  (``source_article``, which intake records from the mail template or the issue form);
- **helpful / unhelpful**: readers' votes (:mod:`gitdesk.kb.feedback`).

Translations count for their original article (``x.es.md`` is ``x.md``). The **self-service
score** is (resolved with + helpful) / (resolved with + helpful + unhelpful + still stuck): the
share of the known outcomes where the article carried the answer. A reuse by an agent counts as a
success (the article held the fix); a reader who voted No and then opened a ticket counts twice,
because both are signals that the page failed. ``None`` when nothing is known.

The **knowledge gaps** group recent tickets that no article is linked to, by category and by
similar titles (the stemmed word vectors of :mod:`gitdesk.similar`), drop groups an article of the
KB already resembles, and propose a title from the words the group's titles share, in their
language. No figure carries a name, address or ticket text beyond titles with personal data removed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gitdesk.model.event import format_time

#: groups of at least this many tickets make a gap
GAP_MIN_TICKETS = 2
#: "recent": tickets created this many days before the end of the range (or now)
GAP_DAYS = 90
#: titles at least this close (cosine of stemmed words) join a group
GAP_SIMILARITY = 0.5
#: a group at least this close to an article's title, summary and tags is covered by it
COVERED_SIMILARITY = 0.3
MAX_GAPS = 10

DEFINITIONS = {
    "resolved_with": "Resolved or closed tickets whose solved_by names the article (ticket resolve --kb).",
    "still_stuck": "Tickets opened from the article's \"Still stuck? Open a ticket\" link (source_article).",
    "helpful": "Readers' Yes votes on \"Did this solve your problem?\".",
    "unhelpful": "Readers' No votes.",
    "self_service_score": "(resolved_with + helpful) / (resolved_with + helpful + unhelpful + still_stuck): "
                          "the share of known outcomes where the article carried the answer; null when none is known.",
    "gaps": f"Groups of at least {GAP_MIN_TICKETS} tickets of the last {GAP_DAYS} days with no linked article, "
            "same category and similar titles, that no article resembles; with a proposed article title.",
}


def _base(path: str) -> str:
    from gitdesk.languages import split_suffix

    return split_suffix(path)[0]


def score(resolved_with: int, helpful: int, unhelpful: int, still_stuck: int) -> float | None:
    total = resolved_with + helpful + unhelpful + still_stuck
    return round((resolved_with + helpful) / total, 4) if total else None


def _row(title: str, state: str) -> dict[str, Any]:
    return {"title": title, "kcs": state, "resolved_with": 0, "still_stuck": 0, "helpful": 0, "unhelpful": 0}


def article_figures(articles: dict[str, dict], tickets: Iterable, votes: Iterable, *, closed: Iterable[str],
                    since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Per-article and overall figures.

    ``articles``: base path -> ``{"title", "kcs"}``; ``tickets``: ticket dicts or Tickets (summary is
    enough); ``votes``: objects with ``article``, ``helpful`` and ``at``; ``since``/``until``: ISO
    bounds on the tickets' creation and the votes' time.
    """
    closed = set(closed)
    rows: dict[str, dict[str, Any]] = {path: _row(info["title"], info["kcs"]) for path, info in articles.items()}

    def row(path: str) -> dict[str, Any] | None:
        return rows.get(_base(path))

    def in_range(at: str) -> bool:
        return (since is None or at >= since) and (until is None or at < until)

    for item in tickets:
        data = item.data if hasattr(item, "data") else item
        if data.get("duplicate_of") or not in_range(str(data.get("created_at") or "")):
            continue
        if data.get("status") in closed:
            for path in {_base(p) for p in data.get("solved_by") or ()}:
                if (r := rows.get(path)) is not None:
                    r["resolved_with"] += 1
        source = data.get("source_article")
        if isinstance(source, str) and (r := row(source)) is not None:
            r["still_stuck"] += 1
    for vote in votes:
        at = vote.at if isinstance(vote.at, str) else format_time(vote.at)
        if in_range(at) and (r := row(vote.article)) is not None:
            r["helpful" if vote.helpful else "unhelpful"] += 1
    totals = {k: sum(r[k] for r in rows.values()) for k in ("resolved_with", "still_stuck", "helpful", "unhelpful")}
    for r in rows.values():
        r["self_service_score"] = score(r["resolved_with"], r["helpful"], r["unhelpful"], r["still_stuck"])
    listed = {p: r for p, r in rows.items() if any(r[k] for k in totals)}
    # worst first: the lowest score among articles with outcomes, then most outcomes
    def worst_first(item: tuple[str, dict[str, Any]]) -> tuple[float, int, str]:
        path, r = item
        return (r["self_service_score"], -sum(int(r[k]) for k in totals), path)

    ordered = sorted(listed.items(), key=worst_first)
    return {
        "overall": {**totals, "self_service_score": score(totals["resolved_with"], totals["helpful"], totals["unhelpful"], totals["still_stuck"]),
                    "articles": len(rows), "articles_with_outcomes": len(listed)},
        "articles": [{"path": p, **r} for p, r in ordered],
    }


# -- knowledge gaps ----------------------------------------------------------------------------

def _stems(text: str, language: str) -> Counter:
    from gitdesk.similar import _words

    return _words(text, language)


def _surface_words(text: str, language: str) -> list[tuple[str, str | None]]:
    """(word as written, its stem; None for a stop word) for each word of ``text``."""
    import re

    from gitdesk.kb.index import analyzer

    out = []
    for word in re.findall(r"[\w'-]+", text):
        stems = [t.text for t in analyzer(language)(word) if t.text]
        out.append((word, stems[0] if stems else None))
    return out


def propose_title(titles: list[str], language: str) -> str:
    """An article title from a group's ticket titles: the words that at least half the titles
    share, in the order of the group's most common title (that title when too few are shared)."""
    representative = Counter(" ".join(t.split()) for t in titles).most_common(1)[0][0]
    stem_sets = [set(_stems(t, language)) for t in titles]
    words_stems = _surface_words(representative, language)
    shared = [i for i, (_, stem) in enumerate(words_stems) if stem and sum(stem in s for s in stem_sets) * 2 >= len(titles)]
    # from the first shared word to the last, small words in between kept ("to", "the", "every few")
    words = [w for w, _ in words_stems[shared[0]:shared[-1] + 1]] if len(shared) >= 2 else representative.split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def knowledge_gaps(tickets: Iterable, articles: dict[str, dict], config, *, now: datetime,
                   since: str | None = None, until: str | None = None, people_words: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Proposed articles for groups of recent tickets no article covers, most tickets first.

    ``articles``: base path -> ``{"title", "summary", "tags", "category"}``.
    """
    from gitdesk.kb.kcs import scrub
    from gitdesk.kb.querylang import detect
    from gitdesk.similar import _cosine

    default = config.languages[0]
    end = until or format_time(now)
    start = format_time((datetime.fromisoformat(end.replace("Z", "+00:00"))) - timedelta(days=GAP_DAYS))
    if since and since > start:
        start = since
    by_category: dict[str, list[dict]] = {}
    for item in tickets:
        data = item.data if hasattr(item, "data") else item
        created = str(data.get("created_at") or "")
        if not (start <= created < end) or data.get("duplicate_of") or not data.get("category"):
            continue
        if data.get("kb") or data.get("solved_by") or data.get("source_article"):
            continue
        by_category.setdefault(data["category"], []).append(data)
    article_vectors = [(info.get("category") or "", _stems(" ".join([info.get("title") or "", info.get("summary") or "",
                        " ".join(info.get("tags") or ())]), default)) for info in articles.values()]
    private = list(people_words)
    gaps: list[dict[str, Any]] = []
    for category, group_tickets in sorted(by_category.items()):
        vectors = []
        for data in group_tickets:
            title = " ".join(str(data.get("title") or "").split())
            language = detect(title, default)
            vectors.append((data, title, language, _stems(title, language)))
        groups: list[list[int]] = []
        for i in range(len(vectors)):  # single link: join the first group with a close title
            for group in groups:
                if any(_cosine(vectors[i][3], vectors[j][3]) >= GAP_SIMILARITY for j in group):
                    group.append(i)
                    break
            else:
                groups.append([i])
        for group in groups:
            if len(group) < GAP_MIN_TICKETS:
                continue
            top = category.split("/", 1)[0]
            if any(_cosine(vectors[j][3], vec) >= COVERED_SIMILARITY for j in group for cat, vec in article_vectors
                   if cat.split("/", 1)[0] == top or not cat):
                continue  # an article of the same area already reads like one of these tickets
            language = Counter(vectors[j][2] for j in group).most_common(1)[0][0]
            requester_words = []
            for j in group:
                requester = vectors[j][0].get("requester") or {}
                if isinstance(requester, dict):
                    requester_words += [str(requester.get("name") or ""), str(requester.get("email") or "")]
                    requester_words += [w for w in str(requester.get("name") or "").split() if len(w) >= 3]
            title = scrub(propose_title([vectors[j][1] for j in group], language), [], private + requester_words).strip()
            gaps.append({"category": category, "tickets": len(group), "language": language, "proposed_title": title,
                         "examples": sorted(f"{config.id_prefix}-{vectors[j][0]['id']}" for j in group)[:5]})
    gaps.sort(key=lambda g: (-int(g["tickets"]), str(g["category"]), str(g["proposed_title"])))
    return gaps[:MAX_GAPS]


# -- from a repository --------------------------------------------------------------------------

def read_articles(root: Path, config) -> dict[str, dict]:
    """Default-language articles (not the agents' pages): base path -> title, state, category..."""
    from gitdesk.errors import ValidationError
    from gitdesk.kb import is_agents_page, is_article, kb_dir
    from gitdesk.kb.article import iter_pages, read_article
    from gitdesk.kb.kcs import state_of
    from gitdesk.languages import split_suffix

    base = kb_dir(Path(root), config)
    out: dict[str, dict] = {}
    if not base.is_dir():
        return out
    for path in iter_pages(base):
        rel = path.relative_to(base).as_posix()
        if not is_article(rel) or is_agents_page(rel):
            continue
        try:
            page = read_article(path, base)
        except ValidationError:
            continue
        original, lang = split_suffix(rel)
        if lang is not None and original in out:
            continue
        meta = page.meta or {}
        out[original] = {"title": page.title, "kcs": state_of(meta), "category": meta.get("category"),
                         "summary": meta.get("summary") or "", "tags": meta.get("tags") or []}
    return out


def kb_figures(root: Path, config, store, *, since: str | None, until: str | None, now: datetime) -> dict[str, Any]:
    """The ``kb`` key of ``gitdesk metrics --json``: per-article figures, overall, gaps, definitions."""
    from gitdesk.store.base import Filters

    articles = read_articles(root, config)
    tickets = [t.data for t in store.list(Filters())]
    from gitdesk.kb.feedback import load_feedback

    votes = load_feedback(root, config)
    figures = article_figures({p: {"title": a["title"], "kcs": a["kcs"]} for p, a in articles.items()}, tickets, votes,
                              closed=config.closed_statuses, since=since, until=until)
    figures["gaps"] = knowledge_gaps(tickets, articles, config, now=now, since=since, until=until, people_words=_agent_words(config))
    figures["definitions"] = DEFINITIONS
    return figures


def _agent_words(config) -> list[str]:
    from gitdesk.kb.privacy import parse_identity

    out = []
    for team in (config.get("teams") or {}).values():
        for ident in (team or {}).get("agents") or []:
            person = parse_identity(ident)
            if person:
                out += [person.name, person.email, *[w for w in person.name.split() if len(w) >= 3]]
    return out


# -- as people read it --------------------------------------------------------------------------

def kb_markdown(kb: dict | None, language: str, table) -> list[str]:
    """The report's "Knowledge base" section: overall score, the articles with outcomes (worst
    first), the proposed articles and the definitions. ``table(headers, rows)`` is the report's
    table renderer (it escapes every cell)."""
    from gitdesk.languages import text
    from gitdesk.metrics.report import pct

    if not kb:
        return []

    def w(key: str, **values: object) -> str:
        return text(f"kcs.{key}", language, **values)

    overall = kb["overall"]
    lines = [f"## {w('h_kb')}", "", w("kb_intro", score=pct(overall["self_service_score"], language),
                                      **{k: overall[k] for k in ("resolved_with", "helpful", "unhelpful", "still_stuck")}), ""]
    rows = [[a["title"], a["kcs"], a["resolved_with"], a["still_stuck"], a["helpful"], a["unhelpful"],
             pct(a["self_service_score"], language)] for a in kb["articles"]]
    headers = [w(f"col_{c}") for c in ("article", "state", "resolved_with", "still_stuck", "helpful", "unhelpful", "score")]
    lines += table(headers, rows) if rows else [w("none"), ""]
    lines += [f"### {w('h_kb_gaps')}", "", w("kb_gaps_intro"), ""]
    gap_rows = [[g["proposed_title"], g["category"], g["tickets"], g["language"]] for g in kb.get("gaps") or ()]
    headers = [w(f"col_{c}") for c in ("proposed", "category", "tickets", "language")]
    lines += table(headers, gap_rows) if gap_rows else [w("none"), ""]
    lines += [f"- {w(k)}" for k in ("def_score", "def_resolved_with", "def_still_stuck")] + [""]
    return lines
