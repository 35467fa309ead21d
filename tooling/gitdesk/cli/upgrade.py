"""``gitdesk upgrade``: a thin Click face over :mod:`gitdesk.generated`."""

from __future__ import annotations

import click

from gitdesk.cli.options import Env, echo_json, json_option, repo_option

LABELS = {"updated": "updated", "added": "added", "edited": "edited here: apply by hand",
          "blocked": "a file of yours is in the way: apply by hand", "removed": "removed here: left out",
          "dropped": "no longer generated: yours now", "kept": "edited here: nothing new"}


@click.command(epilog="""\b
Examples:
  gitdesk upgrade --check        # exit 1 when a generated file is out of date (CI)
  gitdesk upgrade                # rewrite what you have not edited, print diffs for the rest
  gitdesk upgrade --json

After upgrading gitdesk (or changing the name or repository in helpdesk.yml), this renders the
workflows, issue forms and starter pages again and compares them with .github/gitdesk.lock.""")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 when anything is out of date.")
@json_option
@repo_option
def upgrade(check, as_json, repo_path) -> None:
    """Regenerate the files gitdesk init wrote: unedited ones are rewritten, edited ones are left
    alone with a diff to apply."""
    from gitdesk.generated import upgrade as run_upgrade

    env = Env(repo_path=repo_path)
    report = run_upgrade(env.repo.root, check=check)
    if as_json:
        echo_json(report.to_dict())
    else:
        for f in report.files:
            if f.state != "current":
                click.echo(f"  {f.path}: {LABELS[f.state]}")
                if f.diff:
                    click.echo(f.diff, nl=not f.diff.endswith("\n"))
        stale = len(report.out_of_date)
        if check:
            click.echo(f"{stale} generated file{'s' if stale != 1 else ''} out of date (gitdesk {report.new_version})"
                       if stale else f"Generated files are up to date (gitdesk {report.new_version}).")
        else:
            click.echo(f"Upgraded from gitdesk {report.old_version} to {report.new_version}: "
                       f"{sum(f.state in ('updated', 'added') for f in report.files)} written, "
                       f"{sum(f.state in ('edited', 'blocked') for f in report.files)} to apply by hand.")
    if check and report.out_of_date:
        raise SystemExit(1)
