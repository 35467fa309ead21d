"""The agents' handbook's tables, rendered from helpdesk.yml so the handbook states the rules in force.

Placeholders (a line ``<!-- gitdesk:NAME -->`` in a KB page, see :mod:`gitdesk.site.extensions`):

- ``priority-matrix``: impact x urgency -> priority (``impact_levels``, ``urgency_levels``,
  ``priority_matrix``, the priorities' labels).
- ``sla-policy``: the SLA policy in force: every policy with its scope, calendar and targets, the
  calendars (24/7 or weekly hours, time zone, holidays), the at-risk share, the statuses that
  pause the clocks, and every escalation rule in words.
- ``ticket-statuses``: each status, whether it counts as open, whether it pauses the SLA, and
  where it may go next.
- ``support-tiers``: tiers, the teams that work them and where an escalation lands.
- ``agent-references``: links to the generated command and configuration references.

Agents' names are never rendered (teams are shown by name only). Everything is Markdown with the
configuration's text escaped; the handbook is written in English, and so are these tables.
"""

from __future__ import annotations

import posixpath

from gitdesk.config import duration_parts
from gitdesk.kb.placeholders import PageInfo, SiteContext, placeholder

#: the generated reference pages (:mod:`gitdesk.site.reference`) the handbook links to
COMMANDS_PAGE = "agents/commands.md"
CONFIG_PAGE = "agents/configuration.md"

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True))
CLOCKS = {"first_response": "first response", "next_update": "next update", "resolution": "resolution"}


def esc(text) -> str:
    """Configuration text made inert in Markdown and HTML (the same rules as the site's tables)."""
    from gitdesk.kb.placeholders.content import md_escape

    return md_escape(str(text))


def code(text) -> str:
    """An inline code span of configuration text (backticks cannot end it early)."""
    return "`" + str(text).replace("`", "'") + "`"


def duration(text: str | None, *, business: bool = False) -> str:
    """``"1h30m"`` -> ``"1 hour 30 minutes"``; ``"2d"`` -> ``"2 days"``, or ``"2 business days"``
    on a business calendar (a day of a target is a working day of its calendar)."""
    if not text:
        return "—"
    days, hours, minutes = duration_parts(str(text))
    hours, minutes = hours + minutes // 60, minutes % 60
    day = "business day" if business else "day"
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, day), (hours, "hour"), (minutes, "minute")) if n]
    return " ".join(parts) or "0 minutes"


def _label(ctx: SiteContext, priority: str) -> str:
    info = (ctx.config.get("priorities") or {}).get(priority) or {}
    return str(info.get("label") or priority.capitalize())


def _team_name(ctx: SiteContext, team: str) -> str:
    return str(((ctx.config.get("teams") or {}).get(team) or {}).get("name") or team)


def _status_label(ctx: SiteContext, status: str) -> str:
    return str(((ctx.config.get("statuses") or {}).get(status) or {}).get("label") or status)


@placeholder("priority-matrix")
def priority_matrix(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    impacts = list(ctx.config.get("impact_levels") or [])
    urgencies = list(ctx.config.get("urgency_levels") or [])
    matrix = ctx.config.get("priority_matrix") or {}
    rows = [
        "| Impact ↓ / Urgency → | " + " | ".join(f"{esc(u.capitalize())} urgency" for u in urgencies) + " |",
        "| --- | " + " | ".join("---" for _ in urgencies) + " |",
    ]
    for impact in impacts:
        cells = [f"**{esc(_label(ctx, str((matrix.get(impact) or {}).get(u, ''))))}**" if (matrix.get(impact) or {}).get(u) else "—" for u in urgencies]
        rows.append(f"| {esc(impact.capitalize())} impact | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _weekly(hours: dict) -> list[str]:
    from gitdesk.kb.placeholders.content import weekly_groups

    groups = weekly_groups(hours)
    out = []
    for a, b, spans in groups:
        days = DAY_NAMES[DAYS[a]] if a == b else f"{DAY_NAMES[DAYS[a]]} to {DAY_NAMES[DAYS[b]]}"
        out.append(f"{days} {spans}")
    return out


def _calendar_text(ctx: SiteContext, name: str, cal) -> str:
    if cal == "24x7" or cal is None:
        return f"- **{esc(name)}**: around the clock, every day of the year (24/7)."
    zone = cal.get("timezone") or ctx.config.get("timezone") or "UTC"
    weekly = _weekly(cal.get("hours") or {})
    text = f"- **{esc(name)}**: " + ("; ".join(esc(w) for w in weekly) if weekly else "never open") + f" ({esc(zone)} time)."
    holidays = [str(d) for d in (cal.get("holidays") or [])]
    if holidays:
        text += f" Closed on {len(holidays)} holiday{'s' if len(holidays) != 1 else ''}: " + ", ".join(esc(d) for d in holidays) + "."
    return text


def _rule_text(ctx: SiteContext, rule: dict, warning: float) -> str:
    name = rule.get("clock") or "any"
    clock = "any clock" if name == "any" else f"the {esc(CLOCKS.get(name, name))} clock"
    if rule.get("when") == "at-risk":
        when = f"When {clock} is **at risk** ({round(warning * 100)} % of its target used)"
    else:
        when = f"When {clock} is **breached** (its target has passed)"
    if rule.get("priority"):
        when += f" on a {esc(_label(ctx, rule['priority']))} ticket"
    actions = []
    if rule.get("raise_tier"):
        actions.append("the ticket moves up one support tier, to that tier's escalation team")
    if rule.get("team"):
        actions.append(f"the ticket goes to {esc(_team_name(ctx, rule['team']))}")
    if rule.get("add_tag"):
        actions.append(f"it is tagged {code(rule['add_tag'])}")
    if rule.get("notify"):
        actions.append("the assignee (or, when nobody is assigned, every agent of its team) gets an email")
    if not actions:
        actions.append("it is recorded in the ticket's history")
    return f"{when}: " + "; ".join(actions) + "."


@placeholder("sla-policy")
def sla_policy(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    sla = ctx.config.get("sla") or {}
    calendars = sla.get("calendars") or {}
    warning = float(sla.get("warning") or 0.75)
    policies = sla.get("policies") or []
    out = ["### Targets", "",
           "The first policy in this list that matches a ticket applies to it: its priority, then its category "
           "(a category also covers its sub-categories) or team when the policy names one.", "",
           "| # | Policy | Priority | Applies to | Calendar |",
           "| --- | --- | --- | --- | --- |"]
    for i, policy in enumerate(policies, start=1):
        cal = policy.get("calendar")
        cal_text = esc(cal) if cal else "24/7 (none named)"
        out.append(f"| {i} | {esc(policy.get('name') or '')} | {esc(_label(ctx, str(policy.get('priority'))))} | {_scope_md(ctx, policy)} | {cal_text} |")
    out += ["", "| Policy | First response | Next update | Resolution |", "| --- | --- | --- | --- |"]
    for policy in policies:
        business = calendars.get(policy.get("calendar"), "24x7") != "24x7"
        out.append(f"| {esc(policy.get('name') or '')} | " + " | ".join(esc(duration(policy.get(k), business=business)) for k in ("first_response", "next_update", "resolution")) + " |")
    out += ["", "A dash means the policy sets no target for that clock. Targets count business time on the policy's calendar; "
            "a day of a target is one working day of that calendar.", "",
            "### Calendars", ""]
    out += [_calendar_text(ctx, name, cal) for name, cal in calendars.items()] or ["- none configured"]
    pausing = [s for s, info in (ctx.config.get("statuses") or {}).items() if (info or {}).get("pauses_sla")]
    stopped = [s for s, info in (ctx.config.get("statuses") or {}).items() if not (info or {}).get("open", True)]
    out += ["", "### How the clocks run", "",
            f"- A clock is **at risk** once {round(warning * 100)} % of its target is used, and **breached** when the target has passed."]
    if pausing:
        out.append("- Every clock **pauses** while the ticket is " + " or ".join(f"*{esc(_status_label(ctx, s))}*" for s in pausing)
                   + " and carries on when it leaves that status.")
    if stopped:
        out.append("- Every clock **stops** when the ticket is " + " or ".join(f"*{esc(_status_label(ctx, s))}*" for s in stopped)
                   + "; a reopened ticket carries on from where its clocks were.")
    bots = ctx.config.get("bots") or []
    out.append("- The **first response** is the first public reply by someone who is neither the requester nor an automation account"
               + (f" ({', '.join(code(b) for b in bots)})" if bots else "") + ".")
    out.append("- The **next update** clock restarts at every public reply by an agent while the ticket is open.")
    rules = sla.get("escalation") or []
    out += ["", "### Escalation rules", ""]
    if rules:
        out.append("`gitdesk sla check --apply` (run on a schedule by the SLA workflow) applies each rule once per ticket and clock:")
        out.append("")
        out += [f"{i}. {_rule_text(ctx, rule, warning)}" for i, rule in enumerate(rules, start=1)]
    else:
        out.append("No automatic escalation rules are configured: watch `gitdesk sla check` yourself.")
    return "\n".join(out)


def _scope_md(ctx: SiteContext, policy: dict) -> str:
    parts = []
    if policy.get("category"):
        cat = getattr(ctx.config, "categories", {}).get(policy["category"])
        parts.append(f"{esc(cat.name)} ({code(policy['category'])})" if cat else code(policy['category']))
    if policy.get("team"):
        parts.append(f"team {esc(_team_name(ctx, policy['team']))}")
    return " and ".join(parts) if parts else "any ticket of that priority"


@placeholder("ticket-statuses")
def ticket_statuses(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    statuses = ctx.config.get("statuses") or {}
    transitions = ctx.config.get("transitions") or {}
    initial = ctx.config.get("initial_status")
    reopen = ctx.config.get("reopen_status")
    rows = ["| Status | Counts as open | SLA clocks | Can move to |", "| --- | --- | --- | --- |"]
    for status, info in statuses.items():
        info = info or {}
        is_open = info.get("open", True)
        clocks = "paused" if info.get("pauses_sla") else ("running" if is_open else "stopped")
        label = f"{esc(info.get('label') or status)} ({code(status)})"
        nxt = ", ".join(code(t) for t in transitions.get(status, [])) or "—"
        rows.append(f"| {label} | {'yes' if is_open else 'no'} | {clocks} | {nxt} |")
    notes = []
    if initial:
        notes.append(f"A new ticket starts as {code(initial)}.")
    if reopen:
        notes.append(f"A reopened ticket goes back to {code(reopen)}.")
    return "\n".join(rows) + ("\n\n" + " ".join(notes) if notes else "")


@placeholder("support-tiers")
def support_tiers(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    tiers = ctx.config.get("tiers") or {}
    teams = ctx.config.get("teams") or {}
    escalation = ctx.config.get("escalation_teams") or {}
    default_team = ctx.config.get("default_team")
    rows = ["| Tier | What it handles | Teams | An escalation to this tier goes to |", "| --- | --- | --- | --- |"]
    for tier in sorted(tiers, key=lambda t: int(t)):
        info = tiers[tier] or {}
        working = [f"{esc(t.get('name') or tid)} ({code(tid)})" for tid, t in teams.items() if str((t or {}).get("tier")) == str(tier)]
        target = escalation.get(str(tier))
        lands = f"{esc(_team_name(ctx, target))} ({code(target)})" if target else ("— (first contact)" if str(tier) == "1" else "—")
        what = esc(info.get("name") or "") + (f": {esc(info['description'])}" if info.get("description") else "")
        rows.append(f"| {esc(tier)} | {what} | {', '.join(working) or '—'} | {lands} |")
    note = f"\n\nNew tickets go to {esc(_team_name(ctx, default_team))} ({code(default_team)})." if default_team else ""
    return "\n".join(rows) + note


@placeholder("agent-references")
def agent_references(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    here = posixpath.dirname(page.src_uri) or "."
    return "\n".join([
        f"- [Command reference]({posixpath.relpath(COMMANDS_PAGE, here)}): every `gitdesk` command with its options and "
        "examples, generated from the command line's own help.",
        f"- [Configuration reference]({posixpath.relpath(CONFIG_PAGE, here)}): every key of `helpdesk.yml` with its type, "
        "default and meaning, generated from the JSON Schema.",
    ])
