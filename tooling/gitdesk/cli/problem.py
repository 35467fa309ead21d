"""``gitdesk problem ...`` and the problem parts of ``ticket link`` and ``ticket show``; the rules
live in :mod:`gitdesk.problems`."""

from __future__ import annotations

import click

from gitdesk.cli.options import Env


def link_problem(env: Env, refs, from_file, dry_run: bool, as_json: bool, problem_ref: str | None) -> None:
    """``ticket link INCIDENT... --problem P`` (every link checked before any is recorded), or
    ``ticket link INCIDENT... --remove`` (unlink from their problem)."""
    from gitdesk import problems
    from gitdesk.cli.many import collect, make_desk, run_each

    ids = collect(env, refs, from_file)
    if problem_ref is None:
        run_each(env, ids, "Unlinked", problems.unlink, as_json=as_json, dry_run=dry_run)
        return
    problems.check_links(make_desk(env), ids, problem_ref)  # all or nothing: refuse before any change
    run_each(env, ids, "Linked", lambda d, ref: problems.link(d, [ref], problem_ref)[0], as_json=as_json, dry_run=dry_run)


def show_extra(store, ticket, config) -> tuple[dict, list[str]]:
    """Fields ``ticket show`` adds: the type, an incident's problem, a problem's incidents."""
    from gitdesk import problems
    from gitdesk.cli.render import safe_text

    info = problems.summary(store, ticket, config)
    return info, [safe_text(line) for line in problems.summary_lines(info, ticket, config)]


@click.group()
def problem() -> None:
    """Problems: the causes behind repeated incidents."""
