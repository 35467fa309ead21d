"""``gitdesk intake email`` and ``gitdesk notify``: the mail channels. The logic lives in
:mod:`gitdesk.intake`; these commands parse options, call it and print."""

from __future__ import annotations

import click

from gitdesk.cli.options import Env, Group, actor_option, commit_option, echo_json, json_option, repo_option, wait_option
from gitdesk.cli.render import safe_text
from gitdesk.errors import GitdeskError, UsageError

EPILOG_EMAIL = """\b
Examples:
  gitdesk intake email --imap                 # the mailbox in helpdesk.yml (mail.imap)
  gitdesk intake email inbox.mbox msg.eml     # message files
  gitdesk intake email --imap --dry-run       # show what would happen, change nothing
  gitdesk intake email -                      # one message on stdin (e.g. a mail server's pipe)
\b
The IMAP password is read from the environment variable named by mail.imap.password_env
(default GITDESK_IMAP_PASSWORD). A message is taken once, however often this runs.
"""

EPILOG_NOTIFY = """\b
Examples:
  gitdesk notify --dry-run        # print every message that would go out
  gitdesk notify --commit         # send, and commit the records of what was sent
\b
The SMTP password is read from the environment variable named by mail.smtp.password_env
(default GITDESK_SMTP_PASSWORD). Each message is sent once; what is sent is recorded in the
ticket's history, so a run that stops half-way is completed by the next one.
"""


@click.group(cls=Group)
def intake() -> None:
    """Turn incoming email into tickets and comments."""


def _line(outcome, prefix: str) -> str:
    ref = f"{prefix}-{outcome.ticket}" if outcome.ticket else "-"
    return f"{outcome.action:<9} {ref:<13} {outcome.detail}  [{outcome.source}]"


def _not_configured(settings: dict, key: str, as_json: bool) -> bool:
    """--if-configured: say so and stop when the mail server is not set (a desk without mail
    runs the scheduled workflows too; they must stay green)."""
    if settings.get("host"):
        return False
    if as_json:
        echo_json({"configured": False, "missing": key})
    else:
        click.echo(f"{key} is not set in helpdesk.yml: nothing to do.")
    return True


@intake.command("email", epilog=EPILOG_EMAIL)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--imap", "use_imap", is_flag=True, help="Read the IMAP mailbox configured in helpdesk.yml.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write and mark nothing.")
@wait_option
@click.option("--if-configured", is_flag=True, help="Do nothing (exit 0) when mail.imap.host is not set: for scheduled workflows.")
@json_option
@commit_option
@repo_option
def email(files, use_imap, dry_run, wait, as_json, commit_flag, repo_path, if_configured=False) -> None:
    """Open tickets from new messages and add replies to their tickets.

    Reads .eml and mbox FILES, or the IMAP mailbox (--imap; the default when no files are given
    and mail.imap.host is set). Prints one line per message; rejected messages (no sender,
    unreadable) are reported on stderr and make the exit code 1.
    """
    from gitdesk.intake.ingest import MailIntake
    from gitdesk.intake.runner import commit_message, commit_paths, intake_files, intake_imap

    env = Env(repo_path=repo_path, commit_flag=commit_flag)
    config = env.config
    imap_settings = config["mail"].get("imap") or {}
    if if_configured and not files and _not_configured(imap_settings, "mail.imap.host", as_json):
        return
    if files and use_imap:
        raise UsageError("give message FILES or --imap, not both")
    if not files and not use_imap:
        if not imap_settings.get("host"):
            raise UsageError("give .eml or mbox FILES, or --imap with mail.imap.host set in helpdesk.yml")
        use_imap = True
    prefix = config.id_prefix
    if not dry_run:
        env.hold_lock("intake email", wait)  # two runs would both open a ticket for each new message
    taker = MailIntake(env.store(), config, env.repo.root, dry_run=dry_run)
    outcomes: list = []
    show = None if as_json else (lambda o: click.echo(safe_text(_line(o, prefix))))
    error: GitdeskError | None = None
    try:
        if use_imap:
            intake_imap(taker, imap_settings, outcomes, on_outcome=show)
        else:
            intake_files(taker, files, outcomes, on_outcome=show)
    except GitdeskError as exc:
        error = exc
    finally:
        from gitdesk.cli.kb_feedback import reviews_after_votes

        no_votes = any(o.action == "feedback" and o.detail.endswith(": no") for o in outcomes)
        review_paths = reviews_after_votes(env, taker.store) if no_votes and not dry_run else []
        committed = []
        if env.commit and not dry_run:
            committed = commit_paths(env.repo, [*(p for o in outcomes for p in o.paths), *review_paths],
                                     commit_message(outcomes, prefix))
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.action] = counts.get(o.action, 0) + 1
    if as_json:
        echo_json({"dry_run": dry_run, "counts": counts, "committed": len(committed),
                   "messages": [o.to_dict(prefix) for o in outcomes], "error": error.line() if error else None})
    else:
        summary = ", ".join(f"{n} {a}" for a, n in counts.items()) or "none"
        click.echo(f"{len(outcomes)} message{'s' if len(outcomes) != 1 else ''}: {summary}"
                   + (" (dry run: nothing written)" if dry_run else ""))
        _possible_duplicates(env, taker.store, outcomes, dry_run)
    for o in outcomes:
        if o.action == "rejected" and o.error is not None:
            click.echo(f"gitdesk: error: {o.error.line()}", err=True)
    if error is not None:
        raise error
    if counts.get("rejected"):
        raise SystemExit(1)


def _possible_duplicates(env, store, outcomes, dry_run: bool) -> None:
    """"possible duplicate of ..." on stderr for each new ticket very close to an open one."""
    from gitdesk.similar import duplicate_notice

    for o in outcomes:
        if o.action == "new" and o.ticket and not dry_run:
            notice = duplicate_notice(env.repo.root, env.config, store, store.get(o.ticket))
            if notice:
                click.echo(notice, err=True)


@click.command(epilog=EPILOG_NOTIFY)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@wait_option
@click.option("--if-configured", is_flag=True, help="Do nothing (exit 0) when mail.smtp.host is not set: for scheduled workflows.")
@json_option
@commit_option
@actor_option
@repo_option
def notify(dry_run, wait, as_json, commit_flag, actor_flag, repo_path, if_configured=False) -> None:
    """Email requesters and assignees about changes to their tickets (each message once)."""
    from gitdesk.intake.notify import send_all

    env = Env(repo_path=repo_path, actor_flag=actor_flag, commit_flag=commit_flag)
    config = env.config
    if if_configured and _not_configured(config["mail"].get("smtp") or {}, "mail.smtp.host", as_json):
        return
    prefix = config.id_prefix
    enabled = (config.get("notifications") or {}).get("enabled", True)
    if not dry_run:
        env.hold_lock("notify", wait)  # two runs would both send every due message
    store = env.store()
    report = send_all(store, config, env.repo.root, env.actor, dry_run=dry_run)
    if env.commit and report.events:
        from gitdesk.intake.runner import commit_paths
        if store.file_backed:
            sent = report.count("sent")
            commit_paths(env.repo, [store.path_of(e) for e in report.events],
                         f"notify: {sent} message{'s' if sent != 1 else ''} sent\n\n"
                         + "\n".join(f"{prefix}-{n.ticket}: {n.kind} {n.status}" for n in report.notes if n.status != "due"))
    if as_json:
        echo_json({"enabled": enabled, "dry_run": dry_run,
                   "sent": report.count("sent"), "refused": report.count("refused"),
                   "due": report.count("due") + report.count("failed"),
                   "notifications": [n.to_dict(prefix) for n in report.notes],
                   "error": report.error.line() if report.error else None})
    elif not enabled:
        click.echo("Notifications are off (notifications.enabled in helpdesk.yml).")
    else:
        for n in report.notes:
            to = f"{n.to_name} <{n.to_email}>" if n.to_name else n.to_email
            if dry_run:
                click.echo(safe_text(f"--- {n.kind} {prefix}-{n.ticket} -> {to}\nSubject: {n.subject}\n\n{n.body}"))
            elif n.status != "due":
                extra = f": {n.detail}" if n.status in ("refused", "failed") else ""
                click.echo(safe_text(f"{n.status:<8} {n.kind:<12} {prefix}-{n.ticket} -> {to}{extra}"))
        if dry_run:
            click.echo(f"{len(report.notes)} message{'s' if len(report.notes) != 1 else ''} would be sent (dry run: nothing sent)")
        else:
            left = report.count("due") + report.count("failed")
            click.echo(f"{report.count('sent')} sent, {report.count('refused')} refused"
                       + (f", {left} left for the next run" if left else ""))
    if report.error is not None:
        raise report.error
