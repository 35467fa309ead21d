"""``gitdesk ticket ...``: the agent's commands. Each one parses, calls :class:`gitdesk.operations.Desk`
and prints; the rules live in ``operations``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from gitdesk.cli import complete
from gitdesk.cli.closed import force_option, guarded
from gitdesk.cli.listing import LIST_SORTS, URGENCY_SORTS, colour_options
from gitdesk.cli.many import common_options, many_options
from gitdesk.cli.options import Choice, Env, Group, echo_json, echo_json_rows, json_option, repo_option
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


@click.group(cls=Group)
def ticket() -> None:
    """Open, work and close tickets.

    Tickets are referred to by id (HD-7K2M9Q4XZB), any unambiguous prefix (7K2M), an imported
    ticket's original id (T-5, INC0000045) or, for a GitHub issue, #N.
    """


# -- new -------------------------------------------------------------------------------------
@ticket.command(epilog=EPILOG_NEW)
@click.argument("title", required=False)
@click.option("-d", "--description", help="What happened, in the requester's words.")
@click.option("-r", "--requester", help='Who asked: "Name <email>", an email or a name.')
@click.option("--department", help="Requester's department.")
@click.option("-p", "--priority", type=Choice(PRIORITIES), help="Set the priority directly.")
@click.option("--impact", type=Choice(["high", "medium", "low"]), help="How many are affected (with --urgency derives the priority).")
@click.option("--urgency", type=Choice(["high", "medium", "low"]), help="How soon it hurts.")
@click.option("-c", "--category", shell_complete=complete.categories, help="Category id from helpdesk.yml, e.g. network/vpn.")
@click.option("--channel", shell_complete=complete.channels, help="How it arrived: phone, email, chat, web, social, walk-in.")
@click.option("--asset", help="Machine or asset id, e.g. LT-0412.")
@click.option("--assignee", shell_complete=complete.assignees, help="Agent to assign.")
@click.option("--team", shell_complete=complete.teams, help="Team (default: default_team).")
@click.option("--tier", type=int, help="Support tier (tiers: in helpdesk.yml; default 1).")
@click.option("-t", "--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--kb", "kb", multiple=True, shell_complete=complete.articles, help="Linked KB article path (repeatable).")
@click.option("--type", "type_", help="incident, request or problem (ticket_types in helpdesk.yml; default the first).")
@click.option("-y", "--yes", is_flag=True, help="On a terminal: open without the summary and confirmation.")
@common
def new(title, description, requester, department, priority, impact, urgency, category, channel, asset, assignee,
        team, tier, tags, kb, type_, yes, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Open a ticket. On a terminal, asks for what is missing (numbered choices, the description
    in $VISUAL/$EDITOR or over several lines) and confirms a summary before writing."""
    env = _env(repo_path, actor_flag, commit_flag)
    cfg = env.config
    if channel and channel not in cfg.channels:  # before any prompt, not after the typing
        raise UsageError(f"unknown channel {channel!r} (known: {', '.join(cfg.channels)})", field="--channel")
    if _is_terminal():  # the interview: cli/asking.py
        from gitdesk.cli import asking

        answers = asking.Answers(title=title, requester=requester, department=department, channel=channel, asset=asset,
                                 description=description, category=category, priority=priority, impact=impact, urgency=urgency)
        asking.interview(cfg, answers)
        if not yes:
            asking.confirm(cfg, answers)
        title, requester, department, channel, asset, description, category, priority, impact, urgency = (
            answers.title, answers.requester, answers.department, answers.channel, answers.asset, answers.description,
            answers.category, answers.priority, answers.impact, answers.urgency)
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
@click.argument("ref", shell_complete=complete.tickets)
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
        echo_json({"mode": mode, "id": t.id, "similar": [m.as_dict() for m in matches]})  # `ref`s: echo_json
        return
    from gitdesk.cli.render import safe_text
    from gitdesk.languages import text
    from gitdesk.shortref import short_refs

    if not matches:
        click.echo(text("search.no_similar", env.config.language))
    refs = short_refs(store, env.config.id_prefix, [m.id for m in matches])
    for m in matches:
        click.echo(safe_text(f"{m.score:.3f}  {refs[m.id]}  {m.title}"))


# -- list ------------------------------------------------------------------------------------
@ticket.command(name="list", epilog="""\b
Examples:
  gitdesk ticket list                    # open tickets, most urgent first
  gitdesk ticket list --all --sort created --no-pager
  gitdesk ticket list --status open --priority high --priority critical
  gitdesk ticket list --category network --since 2026-11-01 --sort priority
  gitdesk ticket list --json | jq '.[].id'
""")
@click.option("-s", "--status", multiple=True, help="Status (repeatable).")
@click.option("--open", "open_only", is_flag=True, help="Only tickets that are not resolved or closed (the default without --status).")
@click.option("--all", "all_statuses", is_flag=True, help="Every status, resolved and closed too.")
@click.option("-p", "--priority", multiple=True, type=Choice([*PRIORITIES, "none"]),
              help="Priority (repeatable); none: tickets without one.")
@click.option("-c", "--category", multiple=True, shell_complete=complete.categories, help="Category; a parent also matches its children.")
@click.option("-a", "--assignee", multiple=True, shell_complete=complete.assignees, help="Assignee (substring, repeatable).")
@click.option("--team", multiple=True, shell_complete=complete.teams, help="Team (repeatable).")
@click.option("--tier", multiple=True, type=int, help="Tier (repeatable; tiers: in helpdesk.yml).")
@click.option("-r", "--requester", help="Requester name, email or department (substring).")
@click.option("--asset", multiple=True, help="Asset id (repeatable).")
@click.option("-t", "--tag", multiple=True, help="Tag; several must all be present.")
@click.option("--since", help="Created on or after (YYYY-MM-DD in the desk's time zone, or ISO time).")
@click.option("--until", help="Created up to (a YYYY-MM-DD includes that whole day, or ISO time).")
@click.option("--sort", type=Choice(LIST_SORTS), help="Order (default: the view's, else cli.list_sort: urgency = priority, SLA due, untouched longest).")
@click.option("--reverse", is_flag=True, help="Reverse the order.")
@click.option("-n", "--limit", type=click.IntRange(min=1), help="At most N tickets.")
@colour_options
@view_options
@json_option
@repo_option
def list_(status, open_only, all_statuses, priority, category, assignee, team, tier, requester, asset, tag, since, until, sort,
          reverse, limit, colour_flag, pager_flag, as_json, repo_path, **view_args) -> None:
    """List tickets, most urgent first, as a table (coloured and paged on a terminal) or JSON.
    Open tickets unless --status or --all says otherwise. --view NAME starts from a saved view
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
    if not (all_statuses or filters.status or filters.open_only):
        filters.open_only = True
    sort, reverse = chosen["sort"] or (env.config.get("cli") or {}).get("list_sort") or "urgency", chosen["reverse"]
    from gitdesk.cli.listing import list_tickets, show_list

    store = env.store()
    if as_json and sort not in URGENCY_SORTS:
        echo_json_rows(store.list_json_rows(filters, sort, reverse, limit))
        return
    tickets, dues = list_tickets(store, env.config, filters, sort, reverse, limit, dues=not as_json)
    if as_json:
        echo_json([t.summary() for t in tickets])
        return
    show_list(env, store, tickets, dues, columns, colour_flag, pager_flag)


def _date_bound(text: str | None, option: str, zone: str, *, end: bool = False) -> str | None:
    from gitdesk.model.event import format_time
    from gitdesk.when import parse_when

    when = parse_when(text, zone, option=option, end=end)
    return format_time(when) if when else None


# -- show ------------------------------------------------------------------------------------
@ticket.command(epilog="\b\nExamples:\n  gitdesk ticket show 7K2M\n  gitdesk ticket show HD-7K2M9Q4XZB --json")
@click.argument("ref", shell_complete=complete.tickets)
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

    text = ticket_detail(ticket_obj, env.config, clocks=clocks, history=history, store=store)
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
@force_option
@common
def comment(refs, from_file, dry_run, internal, via, force, repo_path, actor_flag, commit_flag, as_json) -> None:
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
    _each(env, refs, from_file, dry_run, as_json, "Commented on",
          guarded("comment", force, lambda d, ref: d.comment(ref, body, public=not internal, via=via, force=force)))


@ticket.command(epilog='\b\nExamples:\n  gitdesk ticket assign 7K2M "Chen Wei <chen.wei@example.com>"\n  gitdesk ticket assign 7K2M --team desktop\n  gitdesk ticket assign 7K2M --me')
@many_options(complete_refs=complete.tickets_then_agents)
@click.option("--to", "assignee", shell_complete=complete.assignees, help="The agent (instead of the last argument).")
@click.option("--team", shell_complete=complete.teams, help="Also move the ticket to this team.")
@click.option("--me", is_flag=True, help="Assign to yourself (--as or git's user).")
@click.option("--unassign", is_flag=True, help="Remove the assignee.")
@force_option
@common
def assign(refs, from_file, dry_run, assignee, team, me, unassign, force, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Assign tickets to an agent (and optionally a team): REF... [ASSIGNEE]."""
    env = _env(repo_path, actor_flag, commit_flag)
    if not (assignee or me or unassign):
        refs, assignee = _split_last(refs, from_file, "ASSIGNEE", env=env)
    if me:
        assignee = env.actor
    if not (assignee or team or unassign):
        raise UsageError("give ASSIGNEE, --me, --team or --unassign")
    _each(env, refs, from_file, dry_run, as_json, "Assigned", guarded("assign", force,
          lambda d, ref: d.assign(ref, None if unassign else (assignee or d.store.get(ref).assignee), team=team)))


@ticket.command(epilog='\b\nExamples:\n  gitdesk ticket escalate 7K2M --reason "needs network team"\n  gitdesk ticket escalate 7K2M --tier 3 --team security')
@many_options
@click.option("--tier", type=int, help="Target tier (tiers: in helpdesk.yml; default: one up).")
@click.option("--team", shell_complete=complete.teams, help="Team to hand over to (default: escalation_teams of the tier).")
@click.option("--assignee", shell_complete=complete.assignees, help="Agent in that team.")
@click.option("--reason", help="Why (kept in the history).")
@force_option
@common
def escalate(refs, from_file, dry_run, tier, team, assignee, reason, force, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Escalate to the next support tier (tiers: in helpdesk.yml, 1 -> 2 -> 3 by default)."""
    env = _env(repo_path, actor_flag, commit_flag)
    _each(env, refs, from_file, dry_run, as_json, "Escalated", guarded("escalate", force,
          lambda d, ref: d.escalate(ref, tier=tier, team=team, reason=reason, assignee=assignee)))


@ticket.command(name="set", epilog='\b\nExamples:\n  gitdesk ticket set 7K2M priority=high category=printing\n  gitdesk ticket set 7K2M asset=LT-0412 --tag hardware --untag triage\n  gitdesk ticket set 7K2M requester.department=Finance')
@many_options
@click.option("-t", "--tag", "add_tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "remove_tags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--reason", help="Why (kept in the history).")
@force_option
@common
def set_(refs, from_file, dry_run, add_tags, remove_tags, reason, force, repo_path, actor_flag, commit_flag, as_json) -> None:
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
    # a change of status alone is a life-cycle move (the transitions decide): a warning at most
    what = "set status" if set(values) == {"status"} and not (add_tags or remove_tags) else "set"
    _each(env, refs, from_file, dry_run, as_json, "Updated", guarded(what, force,
          lambda d, ref: d.set_fields(ref, values, add_tags=add_tags, remove_tags=remove_tags, reason=reason)))


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
        command = click.option("--kb", "kb", multiple=True, metavar="ARTICLE", shell_complete=complete.articles,
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
@click.option("--kb", multiple=True, shell_complete=complete.articles, help="KB article path under kb/ (repeatable).")
@click.option("--related", multiple=True, shell_complete=complete.tickets, help="Related ticket (repeatable).")
@click.option("--problem", shell_complete=complete.tickets, help="Make the tickets incidents of this problem (all or none are linked).")
@click.option("--remove", is_flag=True, help="Remove the links instead of adding them.")
@common
def link(refs, from_file, dry_run, kb, related, problem, remove, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Link KB articles, related tickets or a problem."""
    env = _env(repo_path, actor_flag, commit_flag)
    if problem or (remove and not (kb or related) and refs):
        from gitdesk.cli.problem import link_problem

        link_problem(env, refs, from_file, dry_run, as_json, None if remove else problem)
        return
    _each(env, refs, from_file, dry_run, as_json, "Linked",
          guarded("link", False, lambda d, ref: d.link(ref, kb=list(kb), related=list(related), remove=remove)))


@ticket.command(epilog="\b\nExamples:\n  gitdesk ticket merge 9QXA --into 7K2M")
@many_options
@click.option("--into", required=True, shell_complete=complete.tickets, help="The ticket to keep.")
@click.option("-m", "--comment", "text", help="Comment on the duplicate.")
@common
def merge(refs, from_file, dry_run, into, text, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Close REF... as duplicates of --into; both keep the link."""
    env = _env(repo_path, actor_flag, commit_flag)
    def action(d, ref):
        check(d, d.store.resolve(into), "merge")  # into a closed ticket: the conversation goes on there
        return guarded("merge", False, lambda d, ref: d.merge(ref, into, comment=text))(d, ref)

    from gitdesk.cli.closed import check

    _each(env, refs, from_file, dry_run, as_json, "Merged into", action)


@ticket.command(epilog="\b\nExamples:\n  gitdesk ticket reply 7K2M --template need-info\n  gitdesk ticket reply 7K2M -t kb-article --edit\n  gitdesk ticket reply 7K2M -t acknowledge --dry-run\n  gitdesk ticket list --view triage --json | gitdesk ticket reply --from - -t acknowledge\n  gitdesk ticket reply --list")
@many_options
@click.option("-t", "--template", "template_name", shell_complete=complete.templates, help="Canned response (see --list).")
@click.option("--list", "list_only", is_flag=True, help="List the canned responses and exit.")
@click.option("--edit", is_flag=True, help="Open the filled text in $EDITOR before recording it (one ticket).")
@force_option
@common
def reply(refs, from_file, dry_run, template_name, list_only, edit, force, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Answer REF... with a canned response (greeting, names, ticket, linked KB article filled in
    for each ticket), recorded as a public comment. With one ticket, --dry-run prints the text."""
    from gitdesk.cli.many import collect
    from gitdesk.intake import responses

    env = _env(repo_path, actor_flag, commit_flag)
    if list_only or not ((refs or from_file) and template_name):
        names = responses.available(env.repo.root, env.config)
        if list_only:
            if as_json:
                echo_json(names)
            else:
                click.echo("\n".join(names))
            return
        raise UsageError(f"give REF... and --template NAME (responses: {', '.join(names)})")

    def fill(ticket_id: str) -> str:
        return responses.fill_response(env.store(), env.config, env.repo.root, ticket_id, template_name, env.actor)

    ids = collect(env, refs, from_file)
    if len(ids) == 1:
        from gitdesk.cli.closed import check
        from gitdesk.cli.many import make_desk

        check(make_desk(env, True), ids[0], "reply", force=force)  # before any editor opens
    if len(ids) > 1:
        if edit:
            raise UsageError("--edit takes one ticket at a time", field="--edit")
        _each(env, ids, None, dry_run, as_json, "Replied to",
              guarded("reply", force, lambda d, tid: d.comment(tid, fill(tid), public=True, force=force)))
        return
    body = fill(ids[0])
    if edit:
        body = click.edit(body) or ""
        if not body.strip():
            raise UsageError("the reply is empty: nothing recorded")
    if dry_run:
        if as_json:
            echo_json({"id": ids[0], "dry_run": True, "template": template_name, "body": body})
        else:
            click.echo(body, nl=False)
        return
    _run(env, as_json, "Replied to", lambda d: d.comment(ids[0], body, public=True, force=force))


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
    _each(env, refs, from_file, dry_run, as_json, "Logged time on", guarded("log", False, lambda d, ref: log_time(d, ref, minutes, note)))
