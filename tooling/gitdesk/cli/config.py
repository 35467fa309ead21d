"""``gitdesk config``: show the merged configuration and where its schema is."""

from __future__ import annotations

import click

from gitdesk.cli.options import Env, Group, echo_json, repo_option


@click.group(cls=Group)
def config() -> None:
    """Show the configuration and the path of its JSON Schema."""


@config.command()
@click.option("--defaults", is_flag=True, help="Print the commented defaults instead (what `gitdesk init` writes).")
@repo_option
def show(defaults, repo_path) -> None:
    """Print the configuration in force (helpdesk.yml merged over the defaults), as JSON."""
    from gitdesk.config import defaults_text

    if defaults:
        click.echo(defaults_text(), nl=False)
        return
    echo_json(Env(repo_path=repo_path).config.raw)


@config.command()
def schema() -> None:
    """Print the path of the JSON Schema for helpdesk.yml (point your editor at it)."""
    from gitdesk.config import package_file

    click.echo(str(package_file("schemas", "config.schema.json")))
