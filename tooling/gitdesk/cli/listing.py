"""``ticket list`` for people: most urgent first, coloured, fitted to the terminal, paged.

- Order ``urgency`` (the default, ``cli.list_sort``): priority, then the earliest SLA due time
  (:mod:`gitdesk.sla.due`), then the ticket untouched longest; ``due``: the SLA due time alone.
- Colour (priority, status, SLA state) when standard output is a terminal, never with
  ``NO_COLOR`` set; ``FORCE_COLOR`` or ``--color`` turn it on anywhere, ``--no-color`` off.
- The table fits the width: the title keeps at least :data:`TITLE_KEEPS` characters; tier,
  category, updated and assignee shrink, then leave, in that order, to make room.
- A pager (``$PAGER``, else ``less -FRX``) when both ends are a terminal, never with ``--json``
  or ``--no-pager``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

TITLE_KEEPS = 30
URGENCY_SORTS = ("urgency", "due")
LIST_SORTS = ("urgency", "due", "created", "updated", "priority", "status", "id", "title")

Style = dict[str, dict[str, Any]]  # value -> click.style keywords

PRIORITY_STYLE: Style = {"critical": {"fg": "red", "bold": True}, "high": {"fg": "red"}, "medium": {"fg": "yellow"}, "low": {"fg": "green"}}
STATUS_STYLE: Style = {"new": {"fg": "cyan", "bold": True}, "open": {"fg": "cyan"}, "pending": {"fg": "magenta"},
                "resolved": {"fg": "green"}, "closed": {"dim": True}}
SLA_STYLE: Style = {"breached": {"fg": "red", "bold": True}, "at-risk": {"fg": "yellow", "bold": True}, "ok": {"fg": "green"},
             "paused": {"dim": True}}


# -- colour and pager ----------------------------------------------------------------------------
def colour_on(flag: bool | None, stream=None) -> bool:
    """``--color``/``--no-color`` first, then ``NO_COLOR`` (any value turns colour off, as
    no-color.org asks), then ``FORCE_COLOR``, then whether ``stream`` is a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR") not in (None, "", "0"):
        return True
    return _isatty(stream or sys.stdout)


def pager_on(flag: bool | None) -> bool:
    """Page when not told otherwise and both standard input and output are a terminal."""
    if flag is False:
        return False
    return _isatty(sys.stdin) and _isatty(sys.stdout)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def emit(text: str, *, pager: bool, colour: bool) -> None:
    """Print ``text``, through the pager when ``pager`` (``less`` quits at once when it fits)."""
    if pager:
        os.environ.setdefault("LESS", "FRX")
        click.echo_via_pager(text + "\n", color=colour)
    else:
        click.echo(text, color=colour)


def colour_options(fn: Callable) -> Callable:
    """--color/--no-color and --pager/--no-pager."""
    fn = click.option("--pager/--no-pager", "pager_flag", default=None,
                      help="Page long output on a terminal ($PAGER, else less; default: on a terminal).")(fn)
    return click.option("--color/--no-color", "colour_flag", default=None,
                        help="Colour priority, status and SLA state (default: on a terminal, off with NO_COLOR; FORCE_COLOR forces it).")(fn)


# -- order ---------------------------------------------------------------------------------------
def urgency_key(sort: str, dues: dict) -> Callable[[Any], tuple]:
    """The sort key of ``urgency`` (priority, due, untouched longest) or ``due`` (due, priority)."""
    from gitdesk.store.base import PRIORITY_RANK

    far = "9999"

    def key(t) -> tuple:
        d = dues.get(t.id)
        due = d.due.isoformat() if d is not None and d.due is not None else far
        rank = PRIORITY_RANK.get(t.priority or "", 9)
        updated = t.updated_at or ""
        return (rank, due, updated, t.id) if sort == "urgency" else (due, rank, updated, t.id)

    return key


def ordered(tickets: list, sort: str, reverse: bool, limit: int | None, dues: dict) -> list:
    out = sorted(tickets, key=urgency_key(sort, dues), reverse=reverse)
    return out[:limit] if limit is not None else out


# -- the table -----------------------------------------------------------------------------------
@dataclass
class Column:
    header: str
    shrink: int | None = None  # may be cut down to this width
    drop: int | None = None  # leaves when the title cannot keep its width (lower leaves first)
    flex: bool = False  # the title: takes what is left


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def fit(columns: Sequence[Column], rows: list[list[str]], total: int, keep: int = TITLE_KEEPS) -> list[int | None]:
    """Width of each column (None: dropped) for a table ``total`` characters wide."""
    natural = [max([len(c.header), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    flex = next((i for i, c in enumerate(columns) if c.flex), None)
    droppable = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop is not None)
    for gone in range(len(droppable) + 1):
        dropped = {i for _, i in droppable[:gone]}
        widths: list[int | None] = [None if i in dropped else w for i, w in enumerate(natural)]
        shown = [i for i, w in enumerate(widths) if w is not None]
        gaps = 2 * (len(shown) - 1)
        least = {i: (min(natural[i], keep) if i == flex else min(natural[i], columns[i].shrink or natural[i])) for i in shown}
        spare = total - gaps - sum(least.values())
        if spare < 0 and gone < len(droppable):
            continue
        # room goes to the title first, then to the shrunk columns, left to right
        for i in ([flex] if flex is not None and flex in shown else []) + [i for i in shown if i != flex]:
            grow = min(natural[i] - least[i], max(0, spare))
            least[i] += grow
            spare -= grow
        if flex is not None and flex in shown and spare < 0:  # nothing left to drop: the title gives
            least[flex] = max(12, least[flex] + spare)
        for i in shown:
            widths[i] = least[i]
        return widths
    return list(natural)  # pragma: no cover - the loop returns on its last pass


def render_table(columns: Sequence[Column], rows: list[list[str]], *, total: int | None = None,
                 paint: Callable[[int, int, str], str] | None = None, keep: int = TITLE_KEEPS) -> str:
    """The aligned table; ``paint(column, row, padded cell)`` colours a cell."""
    total = total or shutil.get_terminal_size((120, 24)).columns
    widths = fit(columns, rows, total, keep)
    shown = [i for i, w in enumerate(widths) if w is not None]
    last = shown[-1] if shown else -1

    def line(cells: list[str], row: int | None) -> str:
        parts = []
        for i in shown:
            width = widths[i] or 0
            cell = _cut(cells[i], width)
            padded = cell if i == last else cell.ljust(width)
            parts.append(paint(i, row, padded) if paint and row is not None else padded)
        return "  ".join(parts).rstrip()

    head = [c.header for c in columns]
    return "\n".join([line(head, None), line(["-" * (w or 0) for w in widths], None), *(line(r, n) for n, r in enumerate(rows))])


def styler(colour: bool, styles: dict[int, Style], keys: list[list[str]]) -> Callable[[int, int, str], str] | None:
    """``paint`` for :func:`render_table`: the cell of column ``i`` in row ``n`` takes
    ``styles[i][keys[n][i]]`` (``click.style`` keywords); None when colour is off."""
    if not colour:
        return None

    def paint(i: int, n: int, padded: str) -> str:
        style = styles[i].get(keys[n][i]) if i in styles else None
        if not style:
            return padded
        body = padded.rstrip()
        return click.style(body, **style) + padded[len(body):]

    return paint


# -- the SLA cell --------------------------------------------------------------------------------
def due_text(d) -> str:
    """``-1h20m`` overdue, ``3h`` left, ``paused``, ``-`` (no running clock)."""
    if d is None:
        return "-"
    if d.due is None:
        return "paused"
    from gitdesk.sla.engine import format_duration

    left = d.remaining_seconds or 0
    return ("-" if left < 0 else "") + format_duration(left, d.day_seconds)


def due_state(d) -> str:
    return "-" if d is None else d.level


def list_tickets(store, config, filters, sort: str, reverse: bool, limit: int | None, *, dues: bool) -> tuple[list, dict]:
    """The tickets ``ticket list`` shows, in order, and the next SLA due time of the open ones
    (computed when the order needs it or ``dues`` asks: one SLA evaluation per open ticket)."""
    from dataclasses import replace

    urgent = sort in URGENCY_SORTS
    opened = replace(filters, open_only=True, open_statuses=tuple(config.open_statuses))
    found: dict = {}
    if urgent and filters.open_only and not filters.status:
        # open tickets only (the default): their timelines carry the summary too, one read
        tickets = list(store.all_timelines(opened))
        timelines: list = tickets
    else:
        tickets = store.list(filters, "priority" if urgent else sort, False if urgent else reverse, None if urgent else limit)
        timelines = list(store.all_timelines(opened)) if tickets and (urgent or dues) else []
    if timelines:
        from gitdesk.sla.due import next_due

        found = next_due(timelines, config)
    if urgent:
        tickets = ordered(tickets, sort, reverse, limit, found)
    return tickets, found


def show_list(env, store, tickets: list, dues: dict, columns: list[str] | None, colour_flag: bool | None,
              pager_flag: bool | None) -> None:
    """Print the table (a view's columns, or the standard ones) through the pager on a terminal."""
    if not tickets:
        click.echo("No tickets match.")
        return
    colour = colour_on(colour_flag)
    if columns:
        from gitdesk.cli.views import view_table

        text = view_table(tickets, columns, env.config, store)
    else:
        from gitdesk.cli.render import ticket_table

        text = ticket_table(tickets, env.config, store, dues=dues, colour=colour)
    emit(text, pager=pager_on(pager_flag), colour=colour)
