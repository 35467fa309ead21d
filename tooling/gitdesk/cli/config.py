"""``gitdesk config``: show the merged configuration and where its schema is."""

from __future__ import annotations

import click

from gitdesk.cli.options import Env, Group, echo_json, json_option, repo_option


@click.group(cls=Group)
def config() -> None:
    """Show the configuration and the path of its JSON Schema."""


@config.command()
@click.option("--defaults", is_flag=True, help="Print the commented defaults instead (what `gitdesk init` writes; with --json, as JSON).")
@json_option
@repo_option
def show(defaults, as_json, repo_path) -> None:
    """Print the configuration in force (helpdesk.yml merged over the defaults), as JSON (it always
    is; --json is accepted like everywhere)."""
    from gitdesk.config import defaults_text

    if defaults and as_json:
        import yaml

        echo_json(yaml.safe_load(defaults_text()))
    elif defaults:
        click.echo(defaults_text(), nl=False)
    else:
        echo_json(Env(repo_path=repo_path).config.raw)


@config.command()
@json_option
def schema(as_json) -> None:
    """Print the path of the JSON Schema for helpdesk.yml (point your editor at it)."""
    from gitdesk.config import package_file

    path = str(package_file("schemas", "config.schema.json"))
    if as_json:
        echo_json({"path": path})
    else:
        click.echo(path)
