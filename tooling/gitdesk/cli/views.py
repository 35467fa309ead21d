"""Saved views (``views:`` in ``helpdesk.yml``) and the extra filters of ``ticket list``.

A view names filters, a sort and the columns to show; options given on the command line
replace the view's value for that option, so ``--view triage --channel email`` narrows a view.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from gitdesk.cli import complete
from gitdesk.cli.options import Env
from gitdesk.errors import UsageError
from gitdesk.people import email_or_name


def view_options(fn: Callable) -> Callable:
    for deco in (
        click.option("--text", help="Words in the title or description (case-insensitive)."),
        click.option("--type", "type_", multiple=True, help="Ticket type: incident, request, problem (repeatable)."),
        click.option("--channel", multiple=True, shell_complete=complete.channels, help="How it arrived (repeatable)."),
        click.option("--unassigned", is_flag=True, help="Only tickets nobody is assigned to."),
        click.option("--mine", is_flag=True, help="Only tickets assigned to you (--as or git's user)."),
        click.option("--as", "actor_flag", metavar="WHO", help="Who 'you' is for --mine."),
        click.option("--view", help="Start from a saved view (views: in helpdesk.yml)."),
    ):
        fn = deco(fn)
    return fn


def resolve_view(env: Env, given: dict, extra: dict) -> tuple[dict, list[str] | None, dict]:
    """Command-line values over the view's: (list filters and sort, columns or None, the
    Filters keywords the plain options do not cover)."""
    views = env.config.get("views") or {}
    name = extra.get("view")
    if name and name not in views:
        known = ", ".join(sorted(views)) or "none defined"
        raise UsageError(f"no view named {name!r} (views: {known})", path="helpdesk.yml", field="views")
    view = views.get(name) or {}
    saved = dict(view.get("filters") or {})
    saved.update({k: view[k] for k in ("sort", "reverse") if k in view})
    wanted = {
        **given, "channel": list(extra.get("channel") or ()), "type": list(extra.get("type_") or ()),
        "unassigned": extra.get("unassigned"), "mine": extra.get("mine"), "text": extra.get("text"),
    }
    chosen = {k: (v if v else saved.get(k, v)) for k, v in wanted.items()}
    if chosen["mine"]:
        env.actor_flag = extra.get("actor_flag") or env.actor_flag
        chosen["assignee"] = [*chosen["assignee"], email_or_name(env.actor)]
    if chosen["mine"] and chosen["unassigned"]:
        raise UsageError("--mine and --unassigned exclude each other")
    keywords = {"channel": chosen["channel"], "type": chosen["type"], "unassigned": bool(chosen["unassigned"]),
                "text": chosen["text"] or None, "default_type": env.config.ticket_types[0]}
    for key in ("status", "priority", "category", "assignee", "team", "tier", "asset", "tag"):
        chosen[key] = list(chosen[key] or [])
    return chosen, view.get("columns"), keywords


def view_table(tickets, columns: list[str], config, store) -> str:
    """The ticket table with a view's columns."""
    from gitdesk.cli.render import _cut, _who, local_time, safe_text, table
    from gitdesk.shortref import desk_id_length, short_refs
    from gitdesk.timelog import format_minutes

    refs = short_refs(store, config.id_prefix, [t.id for t in tickets])
    n = desk_id_length(store, [t.id for t in tickets])
    p = config.id_prefix
    cells = {
        "id": lambda t: refs[t.id],
        "type": lambda t: t.get("type") or config.ticket_types[0],
        "priority": lambda t: t.priority or "-", "status": lambda t: t.status or "-", "tier": lambda t: str(t.tier or "-"),
        "category": lambda t: _cut(t.category or "-", 22), "channel": lambda t: t.channel or "-",
        "asset": lambda t: t.asset or "-", "assignee": lambda t: _cut(_who(t.assignee), 18), "team": lambda t: t.team or "-",
        "requester": lambda t: _cut((t.requester or {}).get("name") or (t.requester or {}).get("email") or "-", 22),
        "problem": lambda t: f"{p}-{t.problem[:n]}" if t.get("problem") else "-",
        "created": lambda t: local_time(t.created_at, config), "updated": lambda t: local_time(t.updated_at, config),
        "title": lambda t: t.title or "", "time": lambda t: format_minutes(t.get("time_spent")),
    }
    rows = [[cells[c](t) for c in columns] for t in tickets]
    flex = columns.index("title") if "title" in columns else None
    return safe_text(table([c.upper() for c in columns], rows, flex=flex))

