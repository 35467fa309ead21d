"""``gitdesk import csv FILE --mapping MAP.yaml``: a thin Click face over :mod:`gitdesk.importers.csv`."""

from __future__ import annotations

import sys
from typing import Any

import click

from gitdesk.cli.options import Env, Group, echo_json, json_option, repo_option, wait_option

EPILOG = """\b
Examples:
  gitdesk import csv export.csv --mapping mapping.yaml --dry-run
  gitdesk import csv incident_event_log.csv.gz --mapping servicenow-incident-log

\b
Exit codes: 0 every row was imported (or was already there); 1 some rows were
skipped (each is listed with its line number and the reason; the others were
imported); 2 wrong usage; 75 another gitdesk run held the desk's lock
longer than --wait (nothing was done). Re-running the same import adds nothing twice.
"""


@click.group("import", cls=Group)
def import_() -> None:
    """Import tickets from another help desk's export."""


class _Bar:
    """click.progressbar per phase, on stderr, only when stderr is a terminal."""

    LABELS = {"reading": "Reading rows ", "preparing": "Building events", "writing": "Writing events"}

    def __init__(self) -> None:
        self.phase: str | None = None
        self.bar: Any = None  # a click progress bar while a phase runs (click keeps its type private)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            if phase == "indexing":
                click.echo("Updating the ticket cache...", err=True)
                return
            self.bar = click.progressbar(length=max(total, 1), label=self.LABELS.get(phase, phase), file=sys.stderr,
                                         show_pos=phase != "reading", show_percent=True)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(max(0, done - self.bar.pos))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@import_.command("csv", epilog=EPILOG)
@click.argument("file", metavar="FILE")
@click.option("-m", "--mapping", "mapping_ref", required=True, metavar="MAP.yaml",
              help="Mapping file (columns, dates, value maps), or the name of a shipped mapping.")
@click.option("--dry-run", is_flag=True, help="Read and check everything, report what would be written, write nothing.")
@wait_option
@json_option
@repo_option
def csv_command(file: str, mapping_ref: str, dry_run: bool, wait: float | None, as_json: bool, repo_path: str | None) -> None:
    """Import a CSV or gzip CSV export (one row per ticket, or one row per update).

    Keeps the source's timestamps; rows that cannot be read are reported with their line number
    and skipped, never silently.
    """
    from gitdesk.importers.csv import import_csv
    from gitdesk.importers.mapping import find_mapping, load_mapping

    env = Env(repo_path=repo_path)
    config = env.config
    mapping = load_mapping(find_mapping(mapping_ref), config)
    if not dry_run:
        env.hold_lock("import csv", wait)  # two runs would both write the tickets that are not there yet
    bar = _Bar() if sys.stderr.isatty() else None
    try:
        report = import_csv(env.repo, config, file, mapping, dry_run=dry_run, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    data = report.to_dict()
    if as_json:
        echo_json(data)
    else:
        _print_text(data)
    if not report.ok:
        sys.exit(1)


def _print_text(data: dict) -> None:
    for item in data["skipped"][:50]:
        click.echo(f"{data['file']}:{item['line']}: skipped: {item['reason']}", err=True)
    if data["rows_skipped"] > 50:
        click.echo(f"... and {data['rows_skipped'] - 50} more skipped rows (--json lists them)", err=True)
    verb = "would write" if data["dry_run"] else "wrote"
    click.echo(f"{data['file']}: {data['rows_read']:,} rows read, {data['rows_skipped']:,} skipped"
               + (f" ({', '.join(f'{k}: {v:,}' for k, v in data['skipped_by_reason'].items())})" if data["skipped_by_reason"] else ""))
    click.echo(f"tickets: {data['tickets']:,} ({data['tickets_new']:,} new)")
    written = data["events"] - data["events_present"] if data["dry_run"] else data["events_written"]
    click.echo(f"events: {verb} {written:,}, {data['events_present']:,} already present"
               + (f", {data['times_adjusted']:,} recorded later than their source time (before the ticket's creation)"
                  if data["times_adjusted"] else ""))
    if not data["dry_run"] and data["events_written"]:
        click.echo("next: review with `gitdesk ticket list`, then `git add tickets && git commit`", err=True)
