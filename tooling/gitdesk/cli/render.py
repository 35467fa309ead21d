"""Readable text for tickets: the list table and the detail view."""

from __future__ import annotations

import shutil
from functools import lru_cache
from zoneinfo import ZoneInfo

from gitdesk.config import Config
from gitdesk.model.event import parse_time
from gitdesk.model.ticket import Ticket
from gitdesk.people import display_name
from gitdesk.textsafe import clean


def safe_text(text: str) -> str:
    """Text from tickets (requesters write it) made safe to print on a terminal."""
    return clean(text)


def local_time(value: str | None, config: Config, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return "-"
    return parse_time(value).astimezone(ZoneInfo(config["timezone"])).strftime(fmt)


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def table(headers: list[str], rows: list[list[str]], flex: int | None = None) -> str:
    """A plain aligned table; column ``flex`` is trimmed to fit the terminal."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    if flex is not None:
        total = shutil.get_terminal_size((120, 24)).columns
        others = sum(w + 2 for i, w in enumerate(widths) if i != flex)
        widths[flex] = max(12, min(widths[flex], total - others))
        rows = [[_cut(c, widths[flex]) if i == flex else c for i, c in enumerate(r)] for r in rows]
    line = lambda cells: "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def ticket_table(tickets: list[Ticket], config: Config, store, *, dues: dict | None = None, colour: bool = False,
                 width: int | None = None) -> str:
    """The ``ticket list`` table: short ids of the desk's one length, the SLA's next due time,
    fitted to the terminal (see :mod:`gitdesk.cli.listing`), coloured when ``colour``."""
    from gitdesk.cli.listing import PRIORITY_STYLE, SLA_STYLE, STATUS_STYLE, Column, due_state, due_text, render_table, styler
    from gitdesk.shortref import short_refs

    dues = dues or {}
    refs = short_refs(store, config.id_prefix, [t.id for t in tickets])
    columns = [Column("ID"), Column("PRIORITY"), Column("STATUS"), Column("SLA"), Column("TIER", drop=1),
               Column("CATEGORY", shrink=10, drop=2), Column("ASSIGNEE", shrink=9, drop=4), Column("UPDATED", drop=3),
               Column("TITLE", flex=True)]
    zone, who = ZoneInfo(config["timezone"]), lru_cache(maxsize=None)(lambda a: safe_text(_who(a)))

    def when(value: str | None) -> str:
        return parse_time(value).astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "-"

    rows = [[
        refs[t.id], t.priority or "-", t.status or "-", due_text(dues.get(t.id)), str(t.tier or "-"),
        safe_text(t.category or "-"), who(t.assignee), when(t.updated_at), safe_text(t.title or ""),
    ] for t in tickets]
    keys = [[r[0], r[1], r[2], due_state(dues.get(t.id))] for t, r in zip(tickets, rows, strict=True)]
    paint = styler(colour, {1: PRIORITY_STYLE, 2: STATUS_STYLE, 3: SLA_STYLE}, keys)
    return render_table(columns, rows, total=width, paint=paint)


def _who(value: str | None) -> str:
    return display_name(value) if value else "-"


def _no_priority(config: Config) -> str:
    """What a ticket without a priority is clocked on (sla.default_priority), said where it shows."""
    default = config.default_priority
    return f"(not set: SLA clocks on {default}, sla.default_priority)" if default else "(not set: no SLA clock)"


def _history_line(h: dict, config: Config) -> str:
    """One history entry: when, what, who, and the changes it made."""
    bits = []
    for key, value in (h.get("set") or {}).items():
        if key == "requester":
            value = "(changed)"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        bits.append(f"{key}={value}" if value is not None else f"{key} cleared")
    for op, sign in (("add", "+"), ("remove", "-")):
        for key, values in (h.get(op) or {}).items():
            bits.append(f"{key} {sign}{' '.join(values)}")
    if h.get("comment"):
        bits.append(f"{h['comment']} comment")
    if h.get("spent"):
        bits.append(f"{h['spent']} min spent")
    if h.get("reason"):
        bits.append(f"reason: {h['reason']}")
    return f"  {local_time(h['at'], config, '%Y-%m-%d %H:%M:%S')}  {h['action']:<9} {_who(h['by'])}: {'; '.join(bits)}"


def ticket_detail(t: Ticket, config: Config, *, clocks: list | None = None, history: bool = True, store=None) -> str:
    from gitdesk.shortref import short_refs

    out = [f"{t.ref(config.id_prefix)}  {t.title}", ""]
    refs = short_refs(store, config.id_prefix, [*t.related, *t.duplicates, *([t.duplicate_of] if t.duplicate_of else [])])
    req = t.requester or {}
    requester = " ".join(filter(None, [req.get("name"), f"<{req['email']}>" if req.get("email") else None]))
    if req.get("department"):
        requester += f" ({req['department']})"
    fields = [
        ("Status", t.status), ("Priority", t.priority or _no_priority(config)),
        ("Impact/urgency", f"{t.impact or '-'} / {t.urgency or '-'}"), ("Category", t.category),
        ("Channel", t.channel), ("Requester", requester or None), ("Asset", t.asset),
        ("Assignee", t.assignee), ("Team", t.team), ("Tier", t.tier), ("Tags", ", ".join(t.tags) or None),
        ("KB articles", ", ".join(t.kb) or None), ("Related", ", ".join(refs[i] for i in t.related) or None),
        ("Duplicates", ", ".join(refs[i] for i in t.duplicates) or None),
        ("Duplicate of", refs[t.duplicate_of] if t.duplicate_of else None),
        ("Satisfaction", f"{t.satisfaction['rating']}/5" + (f" \"{t.satisfaction['comment']}\"" if t.satisfaction.get("comment") else "") if t.satisfaction else None),
        ("Created", f"{local_time(t.created_at, config)} by {_who(t.created_by)}"),
        ("Updated", f"{local_time(t.updated_at, config)} by {_who(t.updated_by)}"),
        ("Resolved", local_time(t.resolved_at, config) if t.resolved_at else None),
        ("Closed", local_time(t.closed_at, config) if t.closed_at else None),
    ]
    for label, value in fields:
        if value not in (None, ""):
            out.append(f"  {label + ':':<16}{value}")
    if clocks:
        out += ["", "SLA"]
        for clock in clocks:
            out.append("  " + clock.get("line", str(clock)))
    if t.description:
        out += ["", "Description", *("  " + line for line in t.description.splitlines())]
    if t.comments:
        out += ["", "Comments"]
        for c in t.comments:
            kind = "" if c["public"] else " [internal]"
            out.append(f"  {local_time(c['at'], config)}  {_who(c['by'])}{kind}")
            out += ["    " + line for line in c["body"].splitlines()]
    if history:
        out += ["", "History"]
        out += [_history_line(h, config) for h in t.history]
    return safe_text("\n".join(out))
