"""``gitdesk check``: validate the configuration, the ticket files and their history."""

from __future__ import annotations

import click

from gitdesk.cli.options import Env, echo_json, json_option, repo_option


@click.command(epilog="\b\nExamples:\n  gitdesk check\n  gitdesk check --strict   # warnings fail too\n  gitdesk check --json")
@click.option("--strict", is_flag=True, help="Fail on warnings too (the defaults' example contact details, issue forms out of step with helpdesk.yml).")
@json_option
@repo_option
def check(strict, as_json, repo_path) -> None:
    """Validate helpdesk.yml, every ticket file and (in git) that no committed event changed.

    Prints one line per problem (file: field: message) and exits 1, or exits 0 when clean.
    Warnings (the example phone, e-mail address or location of the defaults, which the site
    would publish; issue forms out of step with helpdesk.yml) are printed as `warning: ...` and
    fail only with --strict.
    """
    from gitdesk.checker import run_checks as run_all

    run_checks = _warnings_apart(run_all, strict=strict, quiet=as_json)

    env = Env(repo_path=repo_path)
    problems, counts = run_checks(env.repo)
    notes = _notes(env)
    if as_json:
        echo_json({"ok": not problems, "problems": [{"path": p.path, "field": p.field, "message": p.message} for p in problems], **counts, "notes": notes})
    else:
        for problem in problems:
            click.echo(problem.line())
        for note in notes:
            click.echo(f"note: {note}", err=True)
        if not problems:
            click.echo(f"OK: helpdesk.yml and {counts.get('event_files', 0)} event files are valid.")
    if problems:
        raise SystemExit(1)


def _notes(env) -> list[str]:
    """Things worth knowing that are not problems (exit status unchanged)."""
    from gitdesk.config import load_config
    from gitdesk.errors import GitdeskError
    from gitdesk.kb.embedding import semantic_note

    try:
        reason = semantic_note(env.repo.root, load_config(env.repo.root))
    except GitdeskError:
        return []
    return [f"semantic search is off, KB search ranks by words only: {reason}"] if reason else []


def _warnings_apart(run_all, *, strict: bool, quiet: bool):
    """``run_checks`` whose warnings are problems only under --strict; otherwise they are
    printed (stderr) or, for --json, listed under ``warnings``."""

    from gitdesk.incidents import check_incidents
    from gitdesk.intake.forms import check_forms
    from gitdesk.intake.templates import check_templates
    from gitdesk.kb.feedback import check_feedback

    def run(repo):
        found, counts = run_all(repo, (check_templates, check_incidents, check_forms, check_feedback))
        if strict:
            return found, counts
        warnings = [p for p in found if p.warning]
        counts = {**counts, "warnings": [{"path": p.path, "field": p.field, "message": p.message} for p in warnings]}
        if not quiet:
            for warning in warnings:
                click.echo(f"warning: {warning.line()}", err=True)
            if warnings:
                click.echo(f"{len(warnings)} warning(s): `gitdesk check --strict` fails on them", err=True)
        return [p for p in found if not p.warning], counts

    return run
