"""``gitdesk metrics``: response, resolution, SLA, volume and satisfaction figures.

A thin layer over :mod:`gitdesk.metrics.collect` (reading) and :mod:`gitdesk.metrics.report`
(rendering); the figures and their definitions live in :mod:`gitdesk.metrics.compute`.
"""

from __future__ import annotations

import click

from gitdesk.cli.options import Env, echo_json, json_option, repo_option

EPILOG = """\b
Examples:
  gitdesk metrics                                  # a summary of every ticket
  gitdesk metrics --since 2026-10-01 --until 2026-10-31 --json
  gitdesk metrics --out site-metrics/              # metrics.json, report.md and SVG charts
"""


@click.command(epilog=EPILOG)
@click.option("--since", metavar="DATE", help="Tickets created from this date (YYYY-MM-DD, the desk's time zone) or ISO time.")
@click.option("--until", metavar="DATE", help="Tickets created up to this date, included (or before an ISO time).")
@click.option("--at", "at", metavar="TIME", help="Measure ages and open SLA clocks as of TIME (default: now).")
@json_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write metrics.json, report.md and the SVG charts to DIR.")
@repo_option
def metrics(since: str | None, until: str | None, at: str | None, as_json: bool, out_dir: str | None, repo_path: str | None) -> None:
    """Response, resolution, SLA, volume and satisfaction figures for tickets created in a range.

    Personal data never appears: no requester names or emails and no ticket text; agents are
    shown by the names configured in helpdesk.yml.
    """
    from gitdesk.metrics.collect import metrics_for_repo, parse_bound, write_outputs

    env = Env(repo_path=repo_path)
    config = env.config
    zone = config.get("timezone") or "UTC"
    start = parse_bound(since, zone, end=False, option="--since")
    end = parse_bound(until, zone, end=True, option="--until")
    now = parse_bound(at, zone, end=False, option="--at")
    result = metrics_for_repo(env.repo, config, since=start, until=end, now=now)
    if out_dir is not None:
        written = write_outputs(result, out_dir)
        if not as_json:
            click.echo(f"wrote {len(written)} files to {out_dir}: " + ", ".join(p.name for p in written), err=True)
    if as_json:
        echo_json(result)
    elif out_dir is None:
        from gitdesk.metrics.report import text_summary

        click.echo(text_summary(result))
