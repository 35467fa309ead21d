"""``gitdesk ticket ...``: the agent's commands. Each one parses, calls :class:`gitdesk.operations.Desk`
and prints; the rules live in ``operations``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from gitdesk.cli.many import common_options, many_options
from gitdesk.cli.options import Env, echo_chunks, echo_json, json_option, repo_option
from gitdesk.cli.views import view_options
from gitdesk.errors import UsageError
from gitdesk.model.event import PRIORITIES
from gitdesk.model.ticket import Ticket
from gitdesk.people import parse_person

EPILOG_NEW = """\b
Examples:
  gitdesk ticket new "VPN drops every 10 minutes" --requester "Sam Reed <sam@example.com>" \\
      --category network/vpn --impact medium --urgency high --channel phone
  gitdesk ticket new            # on a terminal: asks for what is missing
"""


common = common_options  # --repo, --as, --commit, --json: shared by every ticket command


def _env(repo_path, actor_flag, commit_flag) -> Env:
    return Env(repo_path=repo_path, actor_flag=actor_flag, commit_flag=commit_flag)


def _desk(env: Env):
    from gitdesk.operations import Desk

    return Desk(env.store(), env.config, env.actor)


def _finish(env: Env, desk, ticket: Ticket, as_json: bool, verb: str) -> None:
    """Commit if asked, then print the ticket (JSON) or one confirming line."""
    from gitdesk.cli.many import commit

    commit(env, desk)
    if as_json:
        echo_json(ticket.to_dict())
    else:
        from gitdesk.cli.render import safe_text

        click.echo(safe_text(f"{verb} {ticket.ref(env.config.id_prefix)}: {ticket.title} [{ticket.status}, {ticket.priority or 'no priority'}]"))


def _split_last(args, from_file, name: str, env: Env | None = None):
    """REF... VALUE: the last argument is VALUE when tickets remain for REF (or come from --from).
    With ``env``, a last argument that names a ticket stays a reference (VALUE is optional)."""
    args = list(args)
    if not args or (len(args) == 1 and from_file is None):
        return args, None
    if env is not None:
        from gitdesk.model.ids import normalize_ref

        if normalize_ref(args[-1], env.config.id_prefix) and env.store().exists(args[-1]):
            return args, None
    return args[:-1], args[-1]


def _is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.group()
def ticket() -> None:
    """Open, work and close tickets.

    Tickets are referred to by id (HD-7K2M9Q4XZB) or any unambiguous prefix (7K2M).
    """


# -- new -------------------------------------------------------------------------------------
@ticket.command(epilog=EPILOG_NEW)
@click.argument("title", required=False)
@click.option("-d", "--description", help="What happened, in the requester's words.")
@click.option("-r", "--requester", help='Who asked: "Name <email>", an email or a name.')
@click.option("--department", help="Requester's department.")
@click.option("-p", "--priority", type=click.Choice(PRIORITIES), help="Set the priority directly.")
@click.option("--impact", type=click.Choice(["high", "medium", "low"]), help="How many are affected (with --urgency derives the priority).")
@click.option("--urgency", type=click.Choice(["high", "medium", "low"]), help="How soon it hurts.")
@click.option("-c", "--category", help="Category id from helpdesk.yml, e.g. network/vpn.")
@click.option("--channel", help="How it arrived: phone, email, chat, web, social, walk-in.")
@click.option("--asset", help="Machine or asset id, e.g. LT-0412.")
@click.option("--assignee", help="Agent to assign.")
@click.option("--team", help="Team (default: default_team).")
@click.option("--tier", type=int, help="Support tier (tiers: in helpdesk.yml; default 1).")
@click.option("-t", "--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--kb", "kb", multiple=True, help="Linked KB article path (repeatable).")
@click.option("--type", "type_", help="incident, request or problem (ticket_types in helpdesk.yml; default the first).")
@common
def new(title, description, requester, department, priority, impact, urgency, category, channel, asset, assignee,
        team, tier, tags, kb, type_, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Open a ticket. Prompts for missing required fields on a terminal."""
    env = _env(repo_path, actor_flag, commit_flag)
    cfg = env.config
    if channel and channel not in cfg.channels:  # before any prompt, not after the typing
        raise UsageError(f"unknown channel {channel!r} (known: {', '.join(cfg.channels)})", field="--channel")
    if _is_terminal():
        title = title or click.prompt("Title (one line)")
        if not requester:
            requester = click.prompt('Requester ("Name <email>", email or name)')
        if not department:
            department = click.prompt("Department (blank if unknown)", default="", show_default=False) or None
        if not channel:
            channel = click.prompt("Channel", type=click.Choice(cfg.channels), default="phone" if "phone" in cfg.channels else cfg.channels[0])
        if not asset and channel in ("phone", "walk-in"):
            asset = click.prompt("Asset (e.g. LT-0412, blank if none)", default="", show_default=False) or None
        if description is None:
            ask = "Chat transcript or link" if channel == "chat" else "Description"
            description = click.prompt(ask, default="", show_default=False) or None
        if not category:
            category = click.prompt("Category (blank to triage later)", type=click.Choice(["", *cfg.category_ids()]),
                                    default="", show_choices=False, show_default=False) or None
        if not (priority or (impact and urgency)):
            impact = click.prompt("Impact (blank to triage later)", type=click.Choice(["", *cfg["impact_levels"]]), default="", show_default=False) or None
            if impact:
                urgency = click.prompt("Urgency", type=click.Choice(cfg["urgency_levels"]), default="medium")
    missing = [name for name, value in (("TITLE", title), ("--requester", requester)) if not value]
    if missing:
        raise UsageError(f"missing {' and '.join(missing)} (or run on a terminal to be asked)")
    desk = _desk(env)
    result = desk.new(
        title=title, description=description, requester=parse_person(requester, department), priority=priority,
        impact=impact, urgency=urgency, category=category, channel=channel, asset=asset, assignee=assignee,
        team=team, tier=tier, tags=list(tags), kb=list(kb), type=type_,
    )
    _finish(env, desk, result, as_json, "Opened")
    if not as_json:  # scripts ask `ticket similar` themselves
        _warn_duplicate(env, desk.store, result)


def _warn_duplicate(env: Env, store, new_ticket: Ticket) -> None:
    """"possible duplicate of ..." on stderr when an open ticket is very close (kb.search)."""
    from gitdesk.similar import duplicate_notice

    notice = duplicate_notice(env.repo.root, env.config, store, new_ticket)
    if notice:
        click.echo(notice, err=True)
    from gitdesk.problems import known_errors_for

    for known in known_errors_for(store, new_ticket, env.config):  # a workaround already published
        click.echo(f"known error: {', '.join(known['kb'])} (problem {env.config.id_prefix}-{known['problem']}: {known['why']})", err=True)


@ticket.command(epilog="\b\nExamples:\n  gitdesk ticket similar 7K2M\n  gitdesk ticket similar 7K2M --json")
@click.argument("ref")
@click.option("-n", "--limit", type=click.IntRange(1, 100), default=5, show_default=True, help="How many tickets.")
@json_option
@repo_option
def similar(ref, limit, as_json, repo_path) -> None:
    """The open tickets most like REF (score, id, title): candidates for ticket merge."""
    from gitdesk.similar import similar as find
    from gitdesk.similar import ticket_text

    env = Env(repo_path=repo_path)
    store = env.store()
    t = store.get(ref)
    matches, mode = find(env.repo.root, env.config, store, ticket_text(t.title, getattr(t, "description", "")), exclude=t.id, limit=limit)
    if as_json:
        echo_json({"mode": mode, "ticket": t.ref(env.config.id_prefix), "similar": [m.as_dict(env.config.id_prefix) for m in matches]})
        return
    from gitdesk.cli.render import safe_text
    from gitdesk.languages import text

    if not matches:
        click.echo(text("search.no_similar", env.config.language))
    for m in matches:
        click.echo(safe_text(f"{m.score:.3f}  {env.config.id_prefix}-{m.id}  {m.title}"))


# -- list ------------------------------------------------------------------------------------
@ticket.command(name="list", epilog="""\b
Examples:
  gitdesk ticket list --status open --priority high --priority critical
  gitdesk ticket list --category network --since 2026-11-01 --sort priority
  gitdesk ticket list --json | jq '.[].id'
""")
@click.option("-s", "--status", multiple=True, help="Status (repeatable).")
@click.option("--open", "open_only", is_flag=True, help="Only tickets that are not resolved or closed.")
@click.option("-p", "--priority", multiple=True, type=click.Choice([*PRIORITIES, "none"]),
              help="Priority (repeatable); none: tickets without one.")
@click.option("-c", "--category", multiple=True, help="Category; a parent also matches its children.")
@click.option("-a", "--assignee", multiple=True, help="Assignee (substring, repeatable).")
@click.option("--team", multiple=True, help="Team (repeatable).")
@click.option("--tier", multiple=True, type=int, help="Tier (repeatable; tiers: in helpdesk.yml).")
@click.option("-r", "--requester", help="Requester name, email or department (substring).")
@click.option("--asset", multiple=True, help="Asset id (repeatable).")
@click.option("-t", "--tag", multiple=True, help="Tag; several must all be present.")
@click.option("--since", help="Created on or after (YYYY-MM-DD in the desk's time zone, or ISO time).")
@click.option("--until", help="Created up to (a YYYY-MM-DD includes that whole day, or ISO time).")
@click.option("--sort", type=click.Choice(["created", "updated", "priority", "status", "id", "title"]), help="Order (default: created, or the view's).")
@click.option("--reverse", is_flag=True, help="Reverse the order.")
@click.option("-n", "--limit", type=click.IntRange(min=1), help="At most N tickets.")
@view_options
@json_option
@repo_option
def list_(status, open_only, priority, category, assignee, team, tier, requester, asset, tag, since, until, sort, reverse,
          limit, as_json, repo_path, **view_args) -> None:
    """List tickets, filtered and sorted, as a table or JSON. --view NAME starts from a saved view
    (views: in helpdesk.yml); options given here replace the view's."""
    from gitdesk.cli.views import resolve_view
    from gitdesk.store import Filters

    env = _env(repo_path, None, None)
    for wanted in tier:
        if wanted not in env.config.tiers:
            raise UsageError(f"tier {wanted} does not exist (tiers: {', '.join(map(str, env.config.tiers))})", field="--tier")
    given = dict(status=list(status), priority=list(priority), category=list(category), assignee=list(assignee),
                 team=list(team), tier=list(tier), requester=requester, asset=list(asset), tag=list(tag), since=since,
                 until=until, open=open_only, sort=sort, reverse=reverse)
    chosen, columns, extra = resolve_view(env, given, view_args)
    filters = Filters(
        status=chosen["status"], priority=chosen["priority"], category=chosen["category"], assignee=chosen["assignee"],
        team=chosen["team"], tier=chosen["tier"], requester=chosen["requester"], asset=chosen["asset"], tag=chosen["tag"],
        since=_date_bound(chosen["since"], "--since", env.config["timezone"]),
        until=_date_bound(chosen["until"], "--until", env.config["timezone"], end=True), open_only=chosen["open"],
        open_statuses=tuple(env.config.open_statuses), **extra,
    )
    sort, reverse = chosen["sort"] or "created", chosen["reverse"]
    store = env.store()
    if as_json:
        echo_chunks(store.list_json_chunks(filters, sort, reverse, limit))
        return
    tickets = store.list(filters, sort, reverse, limit)
    if not tickets:
        click.echo("No tickets match.")
        return
    if columns:
        from gitdesk.cli.views import view_table

        click.echo(view_table(tickets, columns, env.config, store))
        return
    from gitdesk.cli.render import ticket_table

    click.echo(ticket_table(tickets, env.config, store))


def _date_bound(text: str | None, option: str, zone: str, *, end: bool = False) -> str | None:
    from gitdesk.model.event import format_time
    from gitdesk.when import parse_when

    when = parse_when(text, zone, option=option, end=end)
    return format_time(when) if when else None


# -- show ------------------------------------------------------------------------------------
@ticket.command(epilog="\b\nExamples:\n  gitdesk ticket show 7K2M\n  gitdesk ticket show HD-7K2M9Q4XZB --json")
@click.argument("ref")
@click.option("--history/--no-history", default=True, help="Show every change (default) or only comments.")
@json_option
@repo_option
def show(ref, history, as_json, repo_path) -> None:
    """Show one ticket: fields, SLA clocks, comments and history."""
    env = _env(repo_path, None, None)
    store = env.store()
    ticket_obj = store.get(ref)
    clocks = _clocks(ticket_obj, env)
    from gitdesk.cli.problem import show_extra

    extra, extra_lines = show_extra(store, ticket_obj, env.config)
    if as_json:
        data = dict(ticket_obj.to_dict())
        if clocks is not None:
            data["sla"] = clocks
        echo_json({**data, **extra})
        return
    from gitdesk.cli.render import ticket_detail

    text = ticket_detail(ticket_obj, env.config, clocks=clocks, history=history)
    head, _, rest = text.partition("\n\n")
    fields, sep, tail = rest.partition("\n\n")
    click.echo("\n\n".join(filter(None, [head, "\n".join([fields, *extra_lines]), tail])))


def _clocks(ticket_obj: Ticket, env: Env):
    """SLA clocks for ``show``, from the SLA engine."""
    from gitdesk.sla.engine import clocks_for

    return clocks_for(ticket_obj, env.config)


# -- changes ---------------------------------------------------------------------------------
def _run(env: Env, as_json: bool, verb: str, action: Callable) -> None:
    desk = _desk(env)
    result = action(desk)
    _finish(env, desk, result, as_json, verb)


def _each(env: Env, refs, from_file, dry_run: bool, as_json: bool, verb: str, action: Callable) -> None:
    """``action(desk, ticket_id)`` on every ticket of REF... and --from (see :mod:`gitdesk.cli.many`)."""
    from gitdesk.cli.many import collect, run_each

    run_each(env, collect(env, refs, from_file), verb, action, as_json=as_json, dry_run=dry_run,
             single=lambda e, d, t: _finish(e, d, t, as_json, verb))


@ticket.command(epilog='\b\nExamples:\n  gitdesk ticket comment 7K2M "Restarted the print spooler; please try again."\n  gitdesk ticket comment 7K2M --internal "User has a spare dock in the cupboard."')
@many_options
@click.option("--internal", is_flag=True, help="An internal note: never sent to the requester.")
@click.option("--via", help="Channel the reply went out or came in by (phone, email...).")
@common
def comment(refs, from_file, dry_run, internal, via, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Add a public reply or an internal note: REF... BODY (the last argument is the text, BODY -
    reads standard input)."""
    env = _env(repo_path, actor_flag, commit_flag)
    refs, body = _split_last(refs, from_file, "BODY")
    if body in (None, "-") and from_file is not None and from_file.name == "<stdin>":
        raise UsageError("--from - reads the tickets from standard input: give the comment text as an argument")
    if body in (None, "-"):
        if body is None and _is_terminal():
            body = click.edit("") or ""
        else:
            body = sys.stdin.read()
    _each(env, refs, from_file, dry_run, as_json, "Commented on", lambda d, ref: d.comment(ref, body, public=not internal, via=via))


@ticket.command(epilog='\b\nExamples:\n  gitdesk ticket assign 7K2M "Chen Wei <chen.wei@example.com>"\n  gitdesk ticket assign 7K2M --team desktop\n  gitdesk ticket assign 7K2M --me')
@many_options
@click.option("--to", "assignee", help="The agent (instead of the last argument).")
@click.option("--team", help="Also move the ticket to this team.")
@click.option("--me", is_flag=True, help="Assign to yourself (--as or git's user).")
@click.option("--unassign", is_flag=True, help="Remove the assignee.")
@common
def assign(refs, from_file, dry_run, assignee, team, me, unassign, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Assign tickets to an agent (and optionally a team): REF... [ASSIGNEE]."""
    env = _env(repo_path, actor_flag, commit_flag)
    if not (assignee or me or unassign):
        refs, assignee = _split_last(refs, from_file, "ASSIGNEE", env=env)
    if me:
        assignee = env.actor
    if not (assignee or team or unassign):
        raise UsageError("give ASSIGNEE, --me, --team or --unassign")
    _each(env, refs, from_file, dry_run, as_json, "Assigned",
          lambda d, ref: d.assign(ref, None if unassign else (assignee or d.store.get(ref).assignee), team=team))


@ticket.command(epilog='\b\nExamples:\n  gitdesk ticket escalate 7K2M --reason "needs network team"\n  gitdesk ticket escalate 7K2M --tier 3 --team security')
@many_options
@click.option("--tier", type=int, help="Target tier (tiers: in helpdesk.yml; default: one up).")
@click.option("--team", help="Team to hand over to (default: escalation_teams of the tier).")
@click.option("--assignee", help="Agent in that team.")
@click.option("--reason", help="Why (kept in the history).")
@common
def escalate(refs, from_file, dry_run, tier, team, assignee, reason, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Escalate to the next support tier (tiers: in helpdesk.yml, 1 -> 2 -> 3 by default)."""
    env = _env(repo_path, actor_flag, commit_flag)
    _each(env, refs, from_file, dry_run, as_json, "Escalated",
          lambda d, ref: d.escalate(ref, tier=tier, team=team, reason=reason, assignee=assignee))


@ticket.command(name="set", epilog='\b\nExamples:\n  gitdesk ticket set 7K2M priority=high category=printing\n  gitdesk ticket set 7K2M asset=LT-0412 --tag hardware --untag triage\n  gitdesk ticket set 7K2M requester.department=Finance')
@many_options
@click.option("-t", "--tag", "add_tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "remove_tags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--reason", help="Why (kept in the history).")
@common
def set_(refs, from_file, dry_run, add_tags, remove_tags, reason, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Change fields: FIELD=VALUE (title, description, priority, impact, urgency, category,
    channel, asset, assignee, team, tier, status, requester.name/email/department). An empty
    VALUE clears the field. REF... FIELD=VALUE...: every argument without = is a ticket."""
    assignments = [a for a in refs if "=" in a]
    refs = [a for a in refs if "=" not in a]
    values: dict[str, Any] = {}
    for item in assignments:
        if "=" not in item:
            raise UsageError(f"expected FIELD=VALUE, got {item!r}")
        key, _, value = item.partition("=")
        values[key.strip()] = value
    env = _env(repo_path, actor_flag, commit_flag)
    _each(env, refs, from_file, dry_run, as_json, "Updated",
          lambda d, ref: d.set_fields(ref, values, add_tags=add_tags, remove_tags=remove_tags, reason=reason))


def _status_command(name: str, verb: str, help_text: str, example: str, *, solved_by: bool = False):
    def command(refs, from_file, dry_run, text, repo_path, actor_flag, commit_flag, as_json, kb=()) -> None:
        env = _env(repo_path, actor_flag, commit_flag)
        extra: dict[str, Any] = {}
        if kb:  # checked before any ticket is touched: a missing article writes nothing
            from gitdesk.kb.kcs import article_ref

            extra["solved_by"] = [article_ref(env.repo.root, env.config, a) for a in kb]
        _each(env, refs, from_file, dry_run, as_json, verb, lambda d, ref: getattr(d, name)(ref, comment=text, **extra))

    command = common(click.option("-m", "--comment", "text", help="A public comment to go with the change.")(command))
    if solved_by:
        command = click.option("--kb", "kb", multiple=True, metavar="ARTICLE",
                               help="The KB article that solved it (path under kb/, repeatable): counted in the KB figures.")(command)
    return ticket.command(name=name, help=help_text, epilog=f"\b\nExamples:\n  {example}")(many_options(command))


pending = _status_command("pending", "Waiting on requester:", "Wait on the requester (SLA clocks pause).",
                          'gitdesk ticket pending 7K2M -m "Can you send a photo of the error?"')
resolve = _status_command("resolve", "Resolved", "Mark a ticket resolved, with the fix as a comment; --kb names the article that solved it.",
                          'gitdesk ticket resolve 7K2M -m "Replaced the dock; both screens work."\n  gitdesk ticket resolve 7K2M --kb network/vpn-troubleshooting.md',
                          solved_by=True)
close = _status_command("close", "Closed", "Close a ticket (after the requester confirms, or by policy).",
                        "gitdesk ticket close 7K2M")


@ticket.command(epilog='\b\nExamples:\n  gitdesk ticket reopen 7K2M --reason "Printer jams again"')
@many_options
@click.option("--reason", help="Why it is reopened.")
@common
def reopen(refs, from_file, dry_run, reason, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Reopen a resolved or closed ticket."""
    env = _env(repo_path, actor_flag, commit_flag)
    _each(env, refs, from_file, dry_run, as_json, "Reopened", lambda d, ref: d.reopen(ref, reason=reason))


@ticket.command(epilog='\b\nExamples:\n  gitdesk ticket rate 7K2M 5 --comment "Quick and friendly" --as "Sam Reed <sam@example.com>"')
@many_options
@click.option("--comment", "text", help="The requester's words.")
@common
def rate(refs, from_file, dry_run, text, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Record the requester's satisfaction rating (1-5): REF... RATING."""
    env = _env(repo_path, actor_flag, commit_flag)
    refs, rating = _split_last(refs, from_file, "RATING")
    if rating is None or not rating.isdigit() or not 1 <= int(rating) <= 5:
        raise UsageError(f"RATING must be a whole number from 1 to 5, got {rating!r}", field="RATING")
    _each(env, refs, from_file, dry_run, as_json, "Rated", lambda d, ref: d.rate(ref, int(rating), comment=text))


@ticket.command(epilog="\b\nExamples:\n  gitdesk ticket link 7K2M --kb network/vpn-troubleshooting.md\n  gitdesk ticket link 7K2M --related 9QXA\n  gitdesk ticket link 7K2M --kb printing/old.md --remove")
@many_options
@click.option("--kb", multiple=True, help="KB article path under kb/ (repeatable).")
@click.option("--related", multiple=True, help="Related ticket (repeatable).")
@click.option("--problem", help="Make the tickets incidents of this problem (all or none are linked).")
@click.option("--remove", is_flag=True, help="Remove the links instead of adding them.")
@common
def link(refs, from_file, dry_run, kb, related, problem, remove, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Link KB articles, related tickets or a problem."""
    env = _env(repo_path, actor_flag, commit_flag)
    if problem or (remove and not (kb or related) and refs):
        from gitdesk.cli.problem import link_problem

        link_problem(env, refs, from_file, dry_run, as_json, None if remove else problem)
        return
    _each(env, refs, from_file, dry_run, as_json, "Linked", lambda d, ref: d.link(ref, kb=list(kb), related=list(related), remove=remove))


@ticket.command(epilog="\b\nExamples:\n  gitdesk ticket merge 9QXA --into 7K2M")
@many_options
@click.option("--into", required=True, help="The ticket to keep.")
@click.option("-m", "--comment", "text", help="Comment on the duplicate.")
@common
def merge(refs, from_file, dry_run, into, text, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Close REF... as duplicates of --into; both keep the link."""
    env = _env(repo_path, actor_flag, commit_flag)
    _each(env, refs, from_file, dry_run, as_json, "Merged into", lambda d, ref: d.merge(ref, into, comment=text))


@ticket.command(epilog="\b\nExamples:\n  gitdesk ticket reply 7K2M --template need-info\n  gitdesk ticket reply 7K2M -t kb-article --edit\n  gitdesk ticket reply 7K2M -t acknowledge --dry-run\n  gitdesk ticket list --view triage --json | gitdesk ticket reply --from - -t acknowledge\n  gitdesk ticket reply --list")
@many_options
@click.option("-t", "--template", "template_name", help="Canned response (see --list).")
@click.option("--list", "list_only", is_flag=True, help="List the canned responses and exit.")
@click.option("--edit", is_flag=True, help="Open the filled text in $EDITOR before recording it (one ticket).")
@common
def reply(refs, from_file, dry_run, template_name, list_only, edit, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Answer REF... with a canned response (greeting, names, ticket, linked KB article filled in
    for each ticket), recorded as a public comment. With one ticket, --dry-run prints the text."""
    from gitdesk.cli.many import collect
    from gitdesk.intake import responses

    env = _env(repo_path, actor_flag, commit_flag)
    if list_only or not ((refs or from_file) and template_name):
        names = responses.available(env.repo.root, env.config)
        if list_only:
            click.echo("\n".join(names))
            return
        raise UsageError(f"give REF... and --template NAME (responses: {', '.join(names)})")

    def fill(ticket_id: str) -> str:
        return responses.fill_response(env.store(), env.config, env.repo.root, ticket_id, template_name, env.actor)

    ids = collect(env, refs, from_file)
    if len(ids) > 1:
        if edit:
            raise UsageError("--edit takes one ticket at a time", field="--edit")
        _each(env, ids, None, dry_run, as_json, "Replied to", lambda d, tid: d.comment(tid, fill(tid), public=True))
        return
    body = fill(ids[0])
    if edit:
        body = click.edit(body) or ""
        if not body.strip():
            raise UsageError("the reply is empty: nothing recorded")
    if dry_run:
        click.echo(body, nl=False)
        return
    _run(env, as_json, "Replied to", lambda d: d.comment(ids[0], body, public=True))


@ticket.command(name="log", epilog='\b\nExamples:\n  gitdesk ticket log 7K2M 25m "reinstalled the driver"\n  gitdesk ticket log 7K2M 9QXA 1h30m "on-site visit"')
@many_options
@common
def log_(refs, from_file, dry_run, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Log time spent: REF... DURATION [NOTE] (25m, 1h, 1h30m; the note is internal)."""
    from gitdesk.timelog import checked_minutes, log_time, parse_minutes

    args = list(refs)
    note = None
    if args and parse_minutes(args[-1]) is None and len(args) >= 2:
        note = args.pop()
    refs, duration = _split_last(args, from_file, "DURATION")
    if duration is None and note is not None:
        checked_minutes(note)  # `log REF 25x`: say what is wrong with the duration
    if duration is None:
        raise UsageError("give REF... DURATION [NOTE], e.g. ticket log 7K2M 25m \"reinstalled the driver\"")
    minutes = checked_minutes(duration)
    env = _env(repo_path, actor_flag, commit_flag)
    _each(env, refs, from_file, dry_run, as_json, "Logged time on", lambda d, ref: log_time(d, ref, minutes, note))
