"""``gitdesk report``: the agents' own report (time spent, training needs), never published."""

from __future__ import annotations

import click

from gitdesk.cli.options import Env, echo_json, json_option, repo_option


@click.command(epilog="\b\nExamples:\n  gitdesk report\n  gitdesk report --since 2026-10-01 --json")
@click.option("--since", metavar="DATE", help="Tickets created from this date (YYYY-MM-DD or ISO time).")
@click.option("--until", metavar="DATE", help="Tickets created up to this date, included.")
@json_option
@repo_option
def report(since, until, as_json, repo_path) -> None:
    """Time spent per category, tier and agent, and training needs by requester
    (agents_report.requesters in helpdesk.yml: name, pseudonym or department)."""
    from gitdesk.metrics.agents import agents_report, text_report
    from gitdesk.metrics.collect import parse_bound
    from gitdesk.model.event import format_time

    env = Env(repo_path=repo_path)
    zone = env.config.get("timezone") or "UTC"
    start = parse_bound(since, zone, end=False, option="--since")
    end = parse_bound(until, zone, end=True, option="--until")
    result = agents_report(env.store().all(), env.config, root=env.repo.root,
                           since=format_time(start) if start else None, until=format_time(end) if end else None)
    if as_json:
        echo_json(result)
    else:
        click.echo(text_report(result))
