"""Problems: tickets of type ``problem`` that group the incidents sharing one cause.

An incident points at its problem with the scalar field ``problem`` (last writer wins, so two
clones that link the same incident end up agreeing); a problem's incidents are derived by looking
for the tickets that point at it, never stored twice. A problem may itself belong to a wider
problem, but never to itself nor, through others, to one of its own descendants.
"""

from __future__ import annotations

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


def summary_lines(info: dict, ticket: Ticket, config) -> list[str]:
    """The same, as lines for the text view."""
    p = config.id_prefix
    lines = [f"  {'Type:':<16}{info['type']}"]
    if ticket.get("problem"):
        lines.append(f"  {'Problem:':<16}{p}-{ticket.problem} {info.get('problem_title') or ''}".rstrip())
    if "incidents" in info:
        lines.append(f"  {'Incidents:':<16}{info['incident_count']} ({info['open_incidents']} open)")
        lines += [f"    {p}-{i['id']}  [{i['status']}]  {i['title']}" for i in info["incidents"]]
        lines.append(f"  {'Assets:':<16}{', '.join(info['assets']) or '-'}")
        lines.append(f"  {'Categories:':<16}{', '.join(info['categories']) or '-'}")
    return lines
