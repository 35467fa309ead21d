"""``gitdesk incident ...``: major incidents (:mod:`gitdesk.incidents` holds the rules)."""

from __future__ import annotations

import click

from gitdesk.cli import complete
from gitdesk.cli.many import common_options
from gitdesk.cli.options import Choice, Group, echo_json, json_option, make_env, repo_option
from gitdesk.model.event import PRIORITIES


@click.group(cls=Group)
def incident() -> None:
    """Major incidents: a banner on every page of the site, a status page, mail to requesters."""


def _book(env):
    from gitdesk.incidents import IncidentBook

    return IncidentBook(env.repo.root)


def _record(env, book_path, incident: dict, message: str, tickets: list[str] | None, as_json: bool, verb: str) -> None:
    """Tell the requesters of linked tickets, commit the incident file with their comments."""
    from gitdesk.cli.many import commit, make_desk
    from gitdesk.incidents import PREFIX, tell_requesters

    desk = make_desk(env)
    if message and (incident["tickets"] if tickets is None else tickets):
        tell_requesters(desk, incident, message, only=tickets)
    note = f"{PREFIX}-{incident['id']}: {verb.lower()} \"{incident['title']}\" ({incident['affects']}, {incident['severity']})"
    if desk.recorded:
        commit(env, desk, [book_path], note=note)
    elif env.commit:
        env.repo.commit([book_path], note)
    if as_json:
        echo_json(incident)
    else:
        from gitdesk.cli.render import safe_text

        told = len({e.ticket for e in desk.recorded})
        click.echo(safe_text(f"{verb} {PREFIX}-{incident['id']}: {incident['title']} [{incident['status']}, {incident['severity']}]"
                             + (f"; told the requesters of {told} ticket(s)" if told else "")))


def _ticket_ids(env, refs) -> list[str]:
    from gitdesk.cli.many import collect

    return collect(env, refs, None) if refs else []


@incident.command(epilog='\b\nExamples:\n  gitdesk incident declare "E-mail is down" --affects email --severity critical\n  gitdesk incident declare "VPN unavailable" --affects vpn --severity high --ticket 7K2M --ticket 9QXA')
@click.argument("title")
@click.option("--affects", required=True, help="The service affected, e.g. email, vpn, wifi.")
@click.option("--severity", type=Choice(PRIORITIES), default="high", show_default=True)
@click.option("-m", "--message", help="What users should know now (also sent to the requesters of linked tickets).")
@click.option("--ticket", "tickets", multiple=True, shell_complete=complete.tickets, help="A ticket it affects (repeatable).")
@common_options
def declare(title, affects, severity, message, tickets, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Declare a major incident; the site shows a banner on every page until it is resolved."""
    env = make_env(repo_path, actor_flag, commit_flag)
    ids = _ticket_ids(env, tickets)
    found, path = _book(env).declare(title, affects=affects, severity=severity, by=env.actor, message=message, tickets=ids)
    _record(env, path, found, message or title, ids, as_json, "Declared")


@incident.command(epilog='\b\nExamples:\n  gitdesk incident update 4XK2 "Failover in progress; webmail works."\n  gitdesk incident update 4XK2 --ticket 7K2M --ticket 9QXA')
@click.argument("ref")
@click.argument("message", required=False)
@click.option("--severity", type=Choice(PRIORITIES), help="A new severity.")
@click.option("--ticket", "tickets", multiple=True, shell_complete=complete.tickets, help="Link a ticket it affects (repeatable).")
@common_options
def update(ref, message, severity, tickets, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Add an update to the timeline (and tell the requesters of linked tickets)."""
    env = make_env(repo_path, actor_flag, commit_flag)
    ids = _ticket_ids(env, tickets)
    found, path = _book(env).update(ref, message or "", by=env.actor, severity=severity, tickets=ids)
    # a new message goes to every linked ticket; linking alone tells only the new ones
    _record(env, path, found, message or found["timeline"][0]["message"] or found["title"],
            None if message else ids, as_json, "Updated")


@incident.command(epilog='\b\nExamples:\n  gitdesk incident resolve 4XK2 "Mail flows again; delayed messages are being delivered."')
@click.argument("ref")
@click.argument("message")
@common_options
def resolve(ref, message, repo_path, actor_flag, commit_flag, as_json) -> None:
    """Resolve a major incident: the banner goes at the next site build."""
    env = make_env(repo_path, actor_flag, commit_flag)
    found, path = _book(env).resolve(ref, message, by=env.actor)
    _record(env, path, found, message, None, as_json, "Resolved")


@incident.command(name="list")
@click.option("--active", is_flag=True, help="Only incidents in progress.")
@json_option
@repo_option
def list_(active, as_json, repo_path) -> None:
    """List major incidents, newest first."""
    from gitdesk.cli.render import safe_text, table
    from gitdesk.incidents import PREFIX

    env = make_env(repo_path)
    book = _book(env)
    found = book.active() if active else book.all()
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("No major incidents.")
        return
    rows = [[f"{PREFIX}-{i['id'][:6]}", i["status"], i["severity"], i["affects"], i["declared_at"][:16], i["title"]] for i in found]
    click.echo(safe_text(table(["ID", "STATUS", "SEVERITY", "AFFECTS", "DECLARED", "TITLE"], rows, flex=5)))


@incident.command()
@click.argument("ref")
@json_option
@repo_option
def show(ref, as_json, repo_path) -> None:
    """Show one major incident with its timeline."""
    from gitdesk.cli.render import safe_text
    from gitdesk.incidents import PREFIX

    env = make_env(repo_path)
    found = _book(env).get(ref)
    if as_json:
        echo_json(found)
        return
    lines = [f"{PREFIX}-{found['id']}  {found['title']}", "",
             f"  Status:    {found['status']}", f"  Severity:  {found['severity']}", f"  Affects:   {found['affects']}",
             f"  Tickets:   {', '.join(found['tickets']) or '-'}", "", "Timeline"]
    lines += [f"  {e['at'][:19]}  {e['action']:<8} {e['by']}: {e['message']}" for e in found["timeline"]]
    click.echo(safe_text("\n".join(lines)))
