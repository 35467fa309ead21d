"""Problems: tickets of type ``problem`` that group the incidents sharing one cause.

An incident points at its problem with the scalar field ``problem`` (last writer wins, so two
clones that link the same incident end up agreeing); a problem's incidents are derived by looking
for the tickets that point at it, never stored twice. A problem may itself belong to a wider
problem, but never to itself nor, through others, to one of its own descendants.
"""

from __future__ import annotations

import re
from typing import Any

from gitdesk.errors import UsageError
from gitdesk.model.ticket import Ticket
from gitdesk.store.base import TicketStore

PROBLEM = "problem"


def ticket_type(ticket, config) -> str:
    """The ticket's type; a ticket recorded without one has the first of ``ticket_types``."""
    return ticket.get("type") or config.ticket_types[0]


def is_problem(ticket, config) -> bool:
    return ticket_type(ticket, config) == PROBLEM


def _chain(store: TicketStore, start: Ticket) -> list[str]:
    """``start`` and the problems above it, nearest first (stops at a loop already recorded)."""
    seen = [start.id]
    current = start
    while current.get("problem") and current.problem not in seen:
        seen.append(current.problem)
        current = store.get(current.problem)
    return seen


def check_links(desk, refs: list[str], problem_ref: str) -> tuple[Ticket, list[Ticket]]:
    """Resolve and check every link before any is recorded: all or nothing."""
    store, config = desk.store, desk.config
    problem = store.get(problem_ref)
    if not is_problem(problem, config):
        raise UsageError(f"{problem.ref(config.id_prefix)} is of type {ticket_type(problem, config)}, not a problem "
                         f"(open one with `ticket new --type problem`)", field="--problem")
    tickets = [store.get(ref) for ref in refs]
    above = _chain(store, problem)
    for t in tickets:
        ref = t.ref(config.id_prefix)
        if t.id == problem.id:
            raise UsageError(f"{ref}: a problem cannot be linked to itself", field="--problem")
        if t.id in above:
            path = " -> ".join(f"{config.id_prefix}-{i}" for i in above[: above.index(t.id) + 1])
            raise UsageError(f"{ref}: linking it under {problem.ref(config.id_prefix)} would make a cycle of problems "
                             f"({path} -> {problem.ref(config.id_prefix)}; A -> B: A belongs to B)", field="--problem")
    return problem, tickets


def link(desk, refs: list[str], problem_ref: str) -> list[Ticket]:
    """Make every ticket in ``refs`` an incident of ``problem_ref`` (checked first, all or nothing)."""
    problem, tickets = check_links(desk, refs, problem_ref)
    out = []
    for t in tickets:
        if t.get("problem") == problem.id:
            out.append(t)
            continue
        out.append(desk.record(desk._event(t.id, "link", t, set={"problem": problem.id})))
    return out


def unlink(desk, ref: str) -> Ticket:
    ticket = desk.store.get(ref)
    if not ticket.get("problem"):
        raise UsageError(f"{ticket.ref(desk.config.id_prefix)} is not linked to a problem", field="--problem")
    return desk.record(desk._event(ticket.id, "link", ticket, set={"problem": None}))


def incidents(store: TicketStore, problem_id: str) -> list[Ticket]:
    return [t for t in store.list(sort="created") if t.get("problem") == problem_id]


def summary(store: TicketStore, ticket: Ticket, config) -> dict:
    """What ``ticket show`` adds: for a problem its incidents, their count, assets and
    categories; for an incident its problem."""
    out: dict = {"type": ticket_type(ticket, config)}
    if ticket.get("problem"):
        parent = store.get(ticket.problem)
        out["problem_title"] = parent.title
    if is_problem(ticket, config):
        linked = incidents(store, ticket.id)
        out["incidents"] = [{"id": t.id, "title": t.title, "status": t.status} for t in linked]
        out["incident_count"] = len(linked)
        out["open_incidents"] = sum(1 for t in linked if t.status in config.open_statuses)
        out["assets"] = sorted({t.asset for t in linked if t.get("asset")})
        out["categories"] = sorted({t.category for t in linked if t.get("category")})
    return out


def summary_lines(info: dict, ticket: Ticket, config, store=None) -> list[str]:
    """The same, as lines for the text view (incidents by the desk's short ids, given ``store``)."""
    from gitdesk.shortref import short_refs

    p = config.id_prefix
    refs = short_refs(store, p, [i["id"] for i in info.get("incidents") or ()])
    lines = [f"  {'Type:':<16}{info['type']}"]
    if ticket.get("time_spent"):
        from gitdesk.timelog import format_minutes

        lines.append(f"  {'Time spent:':<16}{format_minutes(ticket.time_spent)}")
    if ticket.get("problem"):
        lines.append(f"  {'Problem:':<16}{p}-{ticket.problem} {info.get('problem_title') or ''}".rstrip())
    if "incidents" in info:
        lines.append(f"  {'Incidents:':<16}{info['incident_count']} ({info['open_incidents']} open)")
        lines += [f"    {refs[i['id']]}  [{i['status']}]  {i['title']}" for i in info["incidents"]]
        lines.append(f"  {'Assets:':<16}{', '.join(info['assets']) or '-'}")
        lines.append(f"  {'Categories:':<16}{', '.join(info['categories']) or '-'}")
    return lines


# -- resolving a problem with its incidents --------------------------------------------------
def open_incidents(store: TicketStore, problem: Ticket, config) -> list[Ticket]:
    return [t for t in incidents(store, problem.id) if t.status in config.open_statuses]


def resolve_with_incidents(desk, problem_ref: str, comment: str | None, *, include_incidents: bool) -> list[Ticket]:
    """Resolve a problem and, when asked, each of its open incidents with its own message in
    its requester's language (the notifier mails each one as a normal resolution). Every
    transition is checked before anything is recorded."""
    from gitdesk.errors import TransitionError
    from gitdesk.languages import text

    store, config = desk.store, desk.config
    problem = store.get(problem_ref)
    if not is_problem(problem, config):
        raise UsageError(f"{problem.ref(config.id_prefix)} is of type {ticket_type(problem, config)}, not a problem",
                         field="problem")
    todo = open_incidents(store, problem, config) if include_incidents else []
    for t in [problem, *todo]:
        if t.status != "resolved" and not config.can_transition(t.status, "resolved"):
            raise TransitionError(f"{t.ref(config.id_prefix)}: cannot go from {t.status} to resolved; nothing changed",
                                  field="status")
    out = [desk.resolve(problem.id, comment=comment)] if problem.status != "resolved" else [problem]
    for t in todo:
        language = (t.requester or {}).get("language") or config.language
        body = text("problems.incident_resolved", language, title=problem.title, comment=comment or "").strip()
        out.append(desk.resolve(t.id, comment=body))
    return out


# -- suggesting problems ---------------------------------------------------------------------
_WORD = re.compile(r"\w{3,}", re.UNICODE)
STOP = frozenset("the and for with not can cannot does when this that from have has since again after but are was "
                 "los las del por con una que para nos não com uma para sem".split())


def words(t) -> set[str]:
    text_ = f"{t.get('title') or ''} {t.get('description') or ''}".lower()
    return {w for w in _WORD.findall(text_) if w not in STOP and not w.isdigit()}


def similarity(a: set[str], b: set[str]) -> float:
    """Jaccard overlap of two word sets (0..1)."""
    return len(a & b) / len(a | b) if a and b else 0.0


def suggest(store: TicketStore, config, *, since: str, min_incidents: int = 3, threshold: float = 0.2) -> list[dict]:
    """Groups of recent incidents without a problem that share an asset and a category and whose
    text is alike: each a proposed problem, with its evidence."""
    from collections import defaultdict

    from gitdesk.store.base import Filters

    groups: dict[tuple[str, str], list] = defaultdict(list)
    for t in store.all(Filters(since=since)):
        if is_problem(t, config) or t.get("problem") or not (t.get("asset") and t.get("category")):
            continue
        groups[(t.asset, t.category)].append(t)
    out: list[dict[str, Any]] = []
    for (asset, category), members in sorted(groups.items()):
        if len(members) < min_incidents:
            continue
        bags = {t.id: words(t) for t in members}
        # keep the tickets alike to at least one other: one-link clusters
        alike = {}
        for t in members:
            best = max((similarity(bags[t.id], bags[o.id]) for o in members if o.id != t.id), default=0.0)
            if best >= threshold:
                alike[t.id] = round(best, 2)
        if len(alike) < min_incidents:
            continue
        chosen = [t for t in members if t.id in alike]
        counts: dict[str, int] = defaultdict(int)
        for t in chosen:
            for w in bags[t.id]:
                counts[w] += 1
        shared = sorted((w for w, n in counts.items() if n >= max(2, len(chosen) // 2)), key=lambda w: (-counts[w], w))
        out.append({
            "asset": asset, "category": category, "count": len(chosen),
            "title": f"Repeated: {' '.join(shared[:4]) or category} on {asset}",
            "shared_words": shared[:10],
            "incidents": [{"id": t.id, "title": t.title, "created_at": t.created_at, "similarity": alike[t.id]} for t in chosen],
        })
    out.sort(key=lambda g: (-g["count"], g["asset"]))
    return out


# -- known errors ----------------------------------------------------------------------------
def known_error_article(problem: Ticket, config, workaround: str, language: str, *, category: str, owner: str,
                        today: str, symptoms: str | None = None) -> str:
    """A guide (the required sections of ``language``) that publishes a problem's workaround."""
    import json as _json

    from gitdesk.kb.lint import GUIDE_SECTIONS
    from gitdesk.languages import text

    ref = problem.ref(config.id_prefix)
    sections = GUIDE_SECTIONS.get(language, GUIDE_SECTIONS["en"])
    title = problem.title
    body = [
        "---",
        f"title: {_json.dumps(title, ensure_ascii=False)}",
        f"summary: {_json.dumps(text('problems.ke_summary', language, title=title), ensure_ascii=False)}",
        "tags: [known-error]",
        f"category: {category}",
        "type: guide",
        "audience: everyone",
        f"owner: {owner}",
        f"last_reviewed: {today}",
        "related: []",
        "---",
        "",
        f"# {title}",
        "",
        text("problems.ke_summary", language, title=title),
        "",
        f"## {sections[0]}", "", text("problems.ke_symptoms", language), "",
        f"- {(symptoms or problem.get('description') or title).strip()}", "",
        f"## {sections[1]}", "", text("problems.ke_checks", language), "",
        f"## {sections[2]}", "", workaround.strip(), "",
        f"## {sections[3]}", "", text("problems.ke_escalate", language), "",
        f"## {sections[4]}", "", text("problems.ke_ticket", language, ref=ref), "",
    ]
    return "\n".join(body)


def known_errors_for(store: TicketStore, ticket: Ticket, config, *, threshold: float = 0.2) -> list[dict]:
    """Known-error articles of problems that look like ``ticket``: same asset and category as
    one of the problem's incidents, or text alike to the problem or one of them."""
    if is_problem(ticket, config):
        return []
    from gitdesk.store.base import Filters

    mine = words(ticket)
    out = []
    for p in store.list(Filters(type=[PROBLEM], default_type=config.ticket_types[0])):  # problems only
        if not is_problem(p, config) or not p.get("kb") or p.id == ticket.id:
            continue
        if ticket.get("problem") == p.id:
            out.append({"problem": p.id, "kb": list(p.kb), "why": "linked"})
            continue
        linked = incidents(store, p.id)
        same = [t.id for t in linked if t.get("asset") and t.asset == ticket.get("asset") and t.category == ticket.get("category")]
        score = max([similarity(mine, words(store.get(p.id)))] + [similarity(mine, words(t)) for t in linked])
        if same or score >= threshold:
            why = f"same asset and category as {config.id_prefix}-{same[0]}" if same else f"similar text ({score:.2f})"
            out.append({"problem": p.id, "kb": list(p.kb), "why": why})
    return out
