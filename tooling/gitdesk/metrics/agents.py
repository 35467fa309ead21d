"""The agents' own report: time spent and training needs. Never published on the site.

- **Time spent** (``ticket log``): minutes summed per category, per tier and per agent (the one
  who logged it, under the name configured in ``teams.*.agents``; anyone else is "(not an
  agent)"). The public dashboard (:mod:`gitdesk.metrics.compute`) never shows it by person.
- **Training needs**: requesters with ``agents_report.min_how_to`` or more how-to tickets (the
  same definition as the dashboard: tagged how-to, or resolved with a linked KB article) and the
  articles that would have answered them (those linked on the tickets, then articles of the same
  category whose title shares words with the ticket). How a requester is shown follows
  ``agents_report.requesters``: ``name``, ``pseudonym`` (a stable code, the same in every run)
  or ``department`` (no person at all).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gitdesk.metrics.compute import HOW_TO_TAGS, NONE, AgentDirectory, kb_linked


def _is_how_to(t: dict, open_statuses) -> bool:
    return bool(set(t.get("tags") or ()) & HOW_TO_TAGS) or (kb_linked(t) and t.get("status") not in open_statuses)


def requester_label(requester: dict | None, mode: str) -> str | None:
    requester = requester or {}
    key = (requester.get("email") or requester.get("name") or "").strip().lower()
    if not key:
        return None
    if mode == "department":
        return requester.get("department") or NONE
    if mode == "pseudonym":
        return "requester-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    name, email = requester.get("name"), requester.get("email")
    return f"{name} <{email}>" if name and email else (name or email)


def kb_titles(root: Path | None, config) -> dict[str, tuple[str, str]]:
    """kb path -> (category, title) of the KB's articles (default language only)."""
    if root is None:
        return {}
    from gitdesk.kb.article import iter_pages, split_front_matter
    from gitdesk.languages import split_suffix
    from gitdesk.metrics.knowledge import kb_dir
    from gitdesk.yamlio import load_yaml_text, read_text

    base = kb_dir(root, config)
    out = {}
    for path in iter_pages(base):
        rel = path.relative_to(base).as_posix()
        if split_suffix(rel)[1]:
            continue
        yaml_text, _, _ = split_front_matter(read_text(path, display=rel).replace("\r\n", "\n"))
        meta = load_yaml_text(yaml_text, path=rel) if yaml_text else None
        if isinstance(meta, dict) and meta.get("category") and meta.get("title"):
            out[rel] = (str(meta["category"]), str(meta["title"]))
    return out


def _answers(tickets: list[dict], articles: dict[str, tuple[str, str]]) -> list[str]:
    from gitdesk.problems import similarity, words

    found: list[str] = []
    for t in tickets:
        for rel in t.get("kb") or ():
            if rel not in found:
                found.append(rel)
    for t in tickets:
        mine = words(t)
        scored = [(similarity(mine, words({"title": title})), rel) for rel, (category, title) in articles.items()
                  if category == t.get("category") or (t.get("category") or "").startswith(category + "/")]
        scored = [s for s in scored if s[0] > 0]
        if scored:
            best = max(scored)[1]
            if best not in found:
                found.append(best)
    return found


def agents_report(tickets: Iterable, config, *, root: Path | None = None, since: str | None = None,
                  until: str | None = None) -> dict:
    settings = config.get("agents_report") or {}
    mode = settings.get("requesters") or "name"
    min_how_to = int(settings.get("min_how_to") or 2)
    agents = AgentDirectory(config)
    open_statuses = set(config.open_statuses)
    by_category: dict[str, int] = defaultdict(int)
    by_tier: dict[str, int] = defaultdict(int)
    by_agent: dict[str, int] = defaultdict(int)
    how_to: dict[str, list[dict]] = defaultdict(list)
    for ticket in tickets:
        t = ticket.to_dict() if hasattr(ticket, "to_dict") else ticket
        created = t.get("created_at") or ""
        if (since and created < since) or (until and created >= until):
            continue
        for entry in t.get("history") or ():
            spent = entry.get("spent")
            if spent:
                by_category[t.get("category") or NONE] += spent
                by_tier[str(t.get("tier") or NONE)] += spent
                label = agents.label(entry.get("by"))
                by_agent[label if label in agents.names else "(not an agent)"] += spent
        if _is_how_to(t, open_statuses):
            who = requester_label(t.get("requester"), mode)
            if who:
                how_to[who].append(t)
    articles = kb_titles(root, config) if how_to else {}
    training: list[dict[str, Any]] = []
    for who, items in how_to.items():
        if len(items) < min_how_to:
            continue
        training.append({
            "requester": who, "how_to_tickets": len(items),
            "categories": sorted({t.get("category") or NONE for t in items}),
            "articles": _answers(items, articles),
        })
    training.sort(key=lambda r: (-r["how_to_tickets"], r["requester"]))
    return {
        "time_spent_minutes": {
            "total": sum(by_category.values()),
            "by_category": dict(sorted(by_category.items())),
            "by_tier": dict(sorted(by_tier.items())),
            "by_agent": dict(sorted(by_agent.items())),
        },
        "training_needs": {"requesters_shown_as": mode, "min_how_to": min_how_to, "requesters": training},
    }


def text_report(result: dict) -> str:
    from gitdesk.timelog import format_minutes

    spent = result["time_spent_minutes"]
    lines = [f"Time spent: {format_minutes(spent['total'])}"]
    for title, key in (("per category", "by_category"), ("per tier", "by_tier"), ("per agent", "by_agent")):
        if spent[key]:
            lines.append(f"  {title}: " + "; ".join(f"{k} {format_minutes(v)}" for k, v in spent[key].items()))
    needs = result["training_needs"]
    lines += ["", f"Training needs (requesters with {needs['min_how_to']} or more how-to tickets)"]
    if not needs["requesters"]:
        lines.append("  none")
    for row in needs["requesters"]:
        lines.append(f"  {row['requester']}: {row['how_to_tickets']} how-to tickets ({', '.join(row['categories'])})")
        for rel in row["articles"]:
            lines.append(f"    would have answered: {rel}")
    return "\n".join(lines)
