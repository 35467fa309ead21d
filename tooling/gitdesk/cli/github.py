"""``gitdesk github labels|triage|forms`` and ``gitdesk sync``: the GitHub commands.

Thin Click layer: the work is in :mod:`gitdesk.github` (labels, triage) and :mod:`gitdesk.sync` (the engine). PyGithub is
imported only when a command actually talks to GitHub, never by ``--help``.
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager

import click

from gitdesk.cli.options import Env, Group, actor_option, commit_option, echo_json, json_option, repo_option, wait_option
from gitdesk.cli.render import safe_text
from gitdesk.errors import UsageError


def _client(env: Env):
    from gitdesk.github.store import client_from_config

    return client_from_config(env.config)


@click.group(cls=Group)
def github() -> None:
    """Work with GitHub issues: the label set and issue triage.

    The repository is github.repository in helpdesk.yml (in GitHub Actions, the workflow's own
    repository when that is empty); the token comes only from GITHUB_TOKEN or GH_TOKEN.
    """


@github.command(epilog="\b\nExamples:\n  gitdesk github labels\n  gitdesk github labels --dry-run --json")
@click.option("--dry-run", is_flag=True, help="Only say what would be created or updated.")
@json_option
@repo_option
def labels(dry_run, as_json, repo_path) -> None:
    """Create or update the labels helpdesk.yml implies (priorities, tiers, statuses, channels,
    categories, SLA states, needs-triage). A second run changes nothing."""
    from gitdesk.github.labels import sync_labels

    env = Env(repo_path=repo_path)
    result = sync_labels(_client(env), env.config, dry_run=dry_run)
    if as_json:
        echo_json(result)
        return
    verb = "would create" if dry_run else "created"
    for name in result["created"]:
        click.echo(f"{verb} {name}")
    for name in result["updated"]:
        click.echo(f"{'would update' if dry_run else 'updated'} {name}")
    click.echo(f"{result['repository']}: {len(result['created'])} created, {len(result['updated'])} updated, "
               f"{result['unchanged']} unchanged" + (" (dry run)" if dry_run else ""))


@github.command(epilog="\b\nExamples:\n  gitdesk github forms            # after changing categories or languages\n  gitdesk github forms --check    # in CI: fail when they are out of step")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 when a form differs from what helpdesk.yml gives.")
@json_option
@repo_option
def forms(check_only, as_json, repo_path) -> None:
    """Write the issue forms (.github/ISSUE_TEMPLATE/support-request[.<lang>].yml and
    kb-correction[.<lang>].yml) from helpdesk.yml: one per language, categories by name."""
    from gitdesk.intake.forms import sync_forms

    env = Env(repo_path=repo_path)
    changed = sync_forms(env.repo.root, env.config, write=not check_only)
    if as_json:
        echo_json({"changed": changed, "check": check_only})
    else:
        for name, how in changed.items():
            click.echo(f"{'out of date' if check_only else how}  .github/ISSUE_TEMPLATE/{name}")
        click.echo(f"{len(changed)} form(s) {'out of date' if check_only else 'written'}" if changed else "forms: up to date")
    if check_only and changed:
        raise SystemExit(1)


def _issue_number(text: str) -> int:
    match = re.fullmatch(r"#?(\d{1,10})", (text or "").strip())
    if not match or int(match.group(1)) < 1:
        raise UsageError(f"not an issue number: {text!r}", field="NUMBER")
    return int(match.group(1))


@github.command(epilog="\b\nExamples:\n  gitdesk github triage 42\n  gitdesk github triage 42 --json")
@click.argument("number")
@click.option("--no-kb", is_flag=True, help="Do not suggest knowledge base articles.")
@json_option
@repo_option
def triage(number, no_kb, as_json, repo_path) -> None:
    """Label issue NUMBER from its issue-form fields; ask for what is missing; suggest articles.

    A pending ticket whose requester answered goes back to open. Labels an agent set are kept. Re-runs edit gitdesk's two comments in place and send
    no write request when nothing changed.
    """
    from gitdesk.github.store import GitHubStore
    from gitdesk.github.triage import triage as run_triage

    env = Env(repo_path=repo_path)
    store = GitHubStore(env.repo, env.config, _client(env))
    result = run_triage(store, _issue_number(number), suggest_articles=not no_kb)
    if as_json:
        echo_json(result)
        return
    if result.get("feedback"):  # a reader's vote on an article (github/feedback.py)
        click.echo(safe_text(f"#{result['number']}: {result['action']}: {result['detail']}"
                             + (" (issue closed)" if result["closed"] else "")))
        return
    ref = f"#{result['number']} ({env.config.id_prefix}-{result['ticket']})"
    click.echo(f"{ref}: category {result['category'] or '?'}, priority {result['priority'] or '?'}, "
               f"channel {result['channel'] or '?'}")
    if result["labels_added"] or result["labels_removed"]:
        changes = [f"+{n}" for n in result["labels_added"]] + [f"-{n}" for n in result["labels_removed"]]
        click.echo(f"  labels: {' '.join(changes)}")
    for kept in result["labels_kept"]:
        click.echo(f"  kept {kept}")
    if result["missing"]:
        click.echo(f"  missing: {', '.join(result['missing'])} (comment {result['triage_comment']})")
    for problem in result["problems"]:
        click.echo(f"  {problem}")
    if result.get("reopened"):
        click.echo("  the requester answered: status back to open")
    if "kb" in result:
        if result["kb"]:
            click.echo(f"  suggested: {', '.join(a['path'] for a in result['kb'])} (comment {result['kb_comment']})")
        if result.get("kb_error"):
            click.echo(f"  no KB suggestions: {result['kb_error']}", err=True)


@contextmanager
def _terminal_bar(label: str, length: int):
    with click.progressbar(length=length, label=label, show_pos=True) as bar:
        yield bar


@click.command(epilog="""\b
Examples:
  gitdesk sync                    # import changed issues, export changed tickets
  gitdesk sync --pull-only --json
  gitdesk sync --include-closed   # also open issues for resolved and closed tickets
""")
@click.option("--pull-only", is_flag=True, help="Only import from GitHub.")
@click.option("--push-only", is_flag=True, help="Only export to GitHub.")
@click.option("--full", is_flag=True, help="List every issue and comment again, not only changes.")
@click.option("--include-closed", is_flag=True, help="Also export resolved and closed tickets that have no issue yet.")
@wait_option
@click.option("--if-configured", is_flag=True,
              help="Do nothing (exit 0) unless the desk uses both stores (backend: files and github.repository set): for scheduled workflows.")
@actor_option
@commit_option
@json_option
@repo_option
def sync(pull_only, push_only, full, include_closed, wait, actor_flag, commit_flag, as_json, repo_path, if_configured=False) -> None:
    """Two-way sync between GitHub issues and the YAML store.

    Imports issues (and their comments) changed since the last run into tickets/, and exports
    tickets changed since then as issues and comments. Re-runs, and runs after an interrupted
    one, create nothing twice. Internal notes and ratings are never exported.
    """
    from gitdesk.sync.engine import run_sync

    if pull_only and push_only:
        raise UsageError("--pull-only and --push-only exclude each other")
    env = Env(repo_path=repo_path, actor_flag=actor_flag, commit_flag=commit_flag)
    if if_configured and (env.config.get("backend") == "github" or not (env.config.get("github") or {}).get("repository")):
        if as_json:
            echo_json({"configured": False, "missing": "backend: files with github.repository"})
        else:
            click.echo("This desk does not keep tickets both in files and on GitHub (backend: files with "
                       "github.repository set in helpdesk.yml): nothing to sync.")
        return
    if env.config.get("backend") == "github":
        raise UsageError("backend is github: the issues are the store already; `gitdesk sync` copies between "
                         "tickets/ and GitHub when backend is files", path="helpdesk.yml", field="backend")
    progress = _terminal_bar if (sys.stdout.isatty() and not as_json) else None
    env.hold_lock("sync", wait)  # two runs at once would both open every new ticket's issue
    report = run_sync(env.repo, env.config, _client(env), env.actor, progress=progress,
                      include_closed=include_closed, pull=not push_only, push=not pull_only, full=full)
    if report.feedback_recorded:  # votes from kb-feedback issues: a run of "No" asks the owner to review
        from gitdesk.cli.kb_feedback import reviews_after_votes

        report.paths.extend(str(p) for p in reviews_after_votes(env, env.store()))
    if env.commit and report.paths:
        from pathlib import Path

        env.repo.commit([Path(p) for p in report.paths],
                        f"sync: {report.events_written} events from {report.repository}")
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(
        f"Synced {report.repository}: "
        f"imported {report.tickets_created} new tickets, {report.comments_imported} comments, "
        f"updated {report.tickets_updated} tickets; "
        f"exported {report.issues_created} new issues, updated {report.issues_updated}, "
        f"posted {report.comments_exported} comments; {report.unchanged} tickets unchanged "
        f"({report.requests} requests, {report.write_requests} writes)."
    )
    if report.feedback_recorded or report.feedback_refused:
        click.echo(f"Article feedback: {report.feedback_recorded} vote(s) recorded from kb-feedback issues "
                   f"(issues closed), {len(report.feedback_refused)} refused.")
    for line in report.feedback_refused:
        click.echo(safe_text(f"  refused: {line}"))
    for line in report.skipped:
        click.echo(f"  skipped: {line}", err=True)
