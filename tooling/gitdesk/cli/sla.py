"""``gitdesk sla check``: SLA clocks at risk or breached, and the escalations they call for.

A thin layer: :func:`gitdesk.sla.engine.check_tickets` evaluates, and
:func:`gitdesk.sla.escalation.apply_escalations` records. Only the store interface is used, so
the command works the same on the files and the GitHub backends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import click

from gitdesk.cli.options import Choice, Env, Group, automation_options, echo_json
from gitdesk.errors import UsageError

LEVEL_RANK = {"ok": 0, "at-risk": 1, "breached": 2}
# how far ahead of the real clock --at may be when --apply dates events with it
APPLY_SLACK = timedelta(minutes=5)

EPILOG = """\b
Examples:
  gitdesk sla check                         # tickets at risk or breached, now
  gitdesk sla check --at 2026-11-23T17:00   # as of a time (no zone: helpdesk.yml's timezone)
  gitdesk sla check --apply --json          # record due escalations (what the SLA workflow runs)
  gitdesk sla check --fail-on breached      # exit 1 if any ticket is breached (for CI)

Times left and overdue are business time on each policy's calendar. Escalation rules fire once
per ticket and clock: running the check twice records nothing new.
"""


@click.group(cls=Group)
def sla() -> None:
    """Service levels: check clocks and apply escalation rules."""


def parse_at(text: str | None, zone_name: str) -> datetime:
    """``--at``: ISO 8601 time or date (see :func:`gitdesk.when.parse_when`); default now."""
    from gitdesk.when import parse_when

    return parse_when(text or "now", zone_name, option="--at")


def _left(clock, day_seconds: int) -> str:
    """Time left (``25m``), or overdue with a minus (``-1h05m``); a breached clock never shows
    time "left" (a target used up exactly is breached at its due instant: ``used up``)."""
    from gitdesk.sla.engine import format_duration

    left = clock.remaining_seconds
    if left > 0 or (left == 0 and clock.state != "breached"):
        return format_duration(left, day_seconds)
    return f"-{format_duration(-left, day_seconds)}" if left else "used up"


@sla.command(epilog=EPILOG)
@click.option("--at", "at_text", metavar="TIME", help="Evaluate the clocks at TIME (ISO 8601; default: now).")
@click.option("--apply", "apply_", is_flag=True, help="Record the escalations that are due (tier, team, tag, notification).")
@click.option("--fail-on", type=Choice(["at-risk", "breached"]),
              help="Exit with status 1 when any ticket is at this level or worse.")
@automation_options("Escalations")
@click.pass_context
def check(ctx, at_text, apply_, fail_on, wait, as_json, commit_flag, actor_flag, repo_path) -> None:
    """List open tickets whose SLA clocks are at risk or breached."""
    from gitdesk.model.event import format_time, utcnow
    from gitdesk.sla.engine import SlaEngine, check_tickets, tickets_to_check
    from gitdesk.sla.escalation import apply_escalations, load_rules

    env = Env(repo_path=repo_path, actor_flag=actor_flag, commit_flag=commit_flag)
    config = env.config
    zone = config.get("timezone", "UTC")
    now = parse_at(at_text, zone)
    if apply_ and now > utcnow() + APPLY_SLACK:
        raise UsageError("--apply records events now: --at cannot be in the future", field="--at")
    engine = SlaEngine(config)
    if apply_:
        load_rules(config)  # a bad rule fails before any work
        env.hold_lock("sla check --apply", wait)  # two runs would both fire every due escalation
    store = env.store()
    past = at_text is not None and now < utcnow() - APPLY_SLACK
    report = check_tickets(tickets_to_check(store, config, now, past=past), config, now, engine)

    fired: list = []
    events: list = []  # the escalation events to record
    if apply_:
        # recorded as the desk's automation, not as whoever ran it (an agent, a workflow)
        fired, events = apply_escalations(store, config, now, config.automation_actor, evaluated=report.escalatable)
        if events and env.commit:
            _commit(env, store, events)

    prefix = config.id_prefix
    if as_json:
        tickets = []
        for ticket, sla_ in report.flagged:
            data = ticket.data
            tickets.append({
                "id": data["id"], "ref": f"{prefix}-{data['id']}", "title": data.get("title"),
                "priority": sla_.priority, "default_priority": sla_.default_priority, "status": sla_.status, "assignee": data.get("assignee"),
                "team": data.get("team"), "tier": data.get("tier"), "policy": sla_.policy, "calendar": sla_.calendar,
                "worst": sla_.live_worst, "met": sla_.met, "clocks": [c.to_dict() for c in sla_.clocks],
            })
        tickets.sort(key=lambda t: (-LEVEL_RANK[t["worst"]], min(c["remaining_seconds"] for c in t["clocks"]), t["id"]))
        out = {"at": format_time(now), "counts": report.counts, "tickets": tickets,
               "no_priority": [t.data["id"] for t, _ in report.no_priority]}
        if apply_:
            out["applied"] = [f.to_dict() for f in fired]
        echo_json(out)
    else:
        _print_table(report, zone, prefix, store)
        if apply_:
            _print_applied(fired, prefix)
    if fail_on and LEVEL_RANK[report.worst()] >= LEVEL_RANK[fail_on]:
        ctx.exit(1)


CLOCK_LABELS = {"first_response": "response", "next_update": "update"}


def _print_table(report, zone: str, prefix: str, store=None) -> None:
    """One row per clock at risk or breached, fitted to the terminal like ``ticket list``:
    short ids of the desk's length, display names, time left as ``5m`` or ``-35m``; the due
    time and the assignee give way to the title on a narrow terminal."""
    from zoneinfo import ZoneInfo

    from gitdesk.cli.listing import SLA_STYLE, Column, colour_on, render_table, styler
    from gitdesk.cli.render import safe_text
    from gitdesk.people import display_name
    from gitdesk.shortref import short_refs

    counts = report.counts
    found = report.rows()
    refs = short_refs(store, prefix, [t.data["id"] for t, _ in [*report.flagged, *report.no_priority]])
    tz = ZoneInfo(zone)
    rows = []
    for ticket, sla_, clock in found:
        data = ticket.data
        due = clock.due.astimezone(tz).strftime("%m-%d %H:%M") if clock.due is not None else "paused"
        rows.append([refs[data["id"]], _priority(sla_), CLOCK_LABELS.get(clock.name, clock.name), clock.state,
                     _left(clock, sla_.day_seconds), due, safe_text(display_name(data.get("assignee")) or "-"),
                     safe_text(data.get("title") or "")])
    when = report.at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
    if rows:
        columns = [Column("TICKET"), Column("PRIORITY"), Column("CLOCK"), Column("STATE"), Column("LEFT"),
                   Column("DUE", drop=1), Column("ASSIGNEE", shrink=8, drop=2), Column("TITLE", flex=True)]
        colour = colour_on(None)
        paint = styler(colour, {3: SLA_STYLE}, [[r[0], r[1], r[2], r[3]] for r in rows])
        click.echo(render_table(columns, rows, paint=paint, keep=16), color=colour)
        click.echo("")
    click.echo(f"SLA at {when}: {counts['open']} open tickets, {counts['with_sla']} with SLA clocks: "
               f"{counts['breached']} breached, {counts['at-risk']} at risk, {counts['paused']} paused.")
    if report.no_priority:
        listed = ", ".join(refs[getattr(t, 'data', t)['id']] for t, _ in report.no_priority[:10])
        more = f" and {len(report.no_priority) - 10} more" if len(report.no_priority) > 10 else ""
        default = report.no_priority[0][1].default_priority
        how = (f"their clocks run on the {default} policy (sla.default_priority)" if default
               else "they have no SLA clock (sla.default_priority is null)")
        click.echo(f"{len(report.no_priority)} open ticket(s) without a priority: {how}; "
                   f"find them with `gitdesk ticket list --priority none`: {listed}{more}.")


def _priority(sla_) -> str:
    """The ticket's priority, or the default its clocks run on, marked as such."""
    if sla_.priority:
        return sla_.priority
    return f"none ({sla_.default_priority})" if sla_.default_priority else "none"


def _print_applied(fired, prefix: str) -> None:
    if not fired:
        click.echo("No escalations due.")
        return
    for f in fired:
        bits = []
        if "tier" in f.changes:
            bits.append(f"tier {f.changes['tier']}")
        if "team" in f.changes:
            bits.append(f"team {f.changes['team']}")
        for tag in f.changes.get("tags", []):
            bits.append(f"tag {tag}")
        if f.rule.notify:
            bits.append("notification queued")
        detail = ", ".join(bits) or "marker only"
        late = f", now {f.level}" if f.level != f.rule.when else ""
        click.echo(f"Escalated {prefix}-{f.ticket}: {f.clock} {f.rule.when} (rule {f.rule.index}{late}): {detail}")
    click.echo(f"{len(fired)} escalation(s) recorded.")


def _commit(env: Env, store, events) -> None:
    from gitdesk.operations import describe

    if not store.file_backed:  # recorded elsewhere (GitHub): nothing to commit
        return
    paths = [store.path_of(e) for e in events]
    lines = [describe(e, env.config.id_prefix) for e in events]
    # --as names who ran it as the commit's author; the events stay the automation's
    env.repo.commit(paths, f"sla: {len(events)} escalation(s)\n\n" + "\n".join(lines), author=env.actor_flag)
