"""``gitdesk init``: a thin Click face over :mod:`gitdesk.scaffold`."""

from __future__ import annotations

import click

from gitdesk.cli.options import echo_json, json_option


@click.command(epilog="""\b
Examples:
  gitdesk init helpdesk                                  # a new folder (git init included)
  gitdesk init . --github acme/helpdesk --name "Acme IT Help"
  gitdesk init soporte --language es                     # a desk in Spanish
  gitdesk init helpdesk --languages pt,es,en             # Portuguese first, Spanish and English beside it
  gitdesk init --force                                   # rewrite every starter file here

Existing files are never replaced without --force; they are listed as skipped.""")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=str), metavar="[DIR]")
@click.option("--github", "repository", metavar="OWNER/NAME", help="GitHub repository of the desk (fills github.repository and the issue forms' site link).")
@click.option("--name", help="The help desk's name (helpdesk.yml name and site title).")
@click.option("--language", metavar="CODE", help="The desk's language: en (default), es or pt (pt-BR, es-419... accepted).")
@click.option("--languages", metavar="LIST", help="Several languages, the default first: es,pt,en. Others get x.<code>.md pages.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--install", "install", metavar="SPEC", help="What the workflows pip-install to get gitdesk (default: this version from the package index).")
@json_option
def init(directory, repository, name, language, languages, force, install, as_json) -> None:
    """Scaffold a working help desk in DIR (default: here): helpdesk.yml, kb/, tickets/, the site,
    workflows and issue forms; the starter articles, pages, issue forms and e-mail templates in
    the desk's language(s).

    DIR becomes a git repository if it is not in one. What is created passes `gitdesk check`,
    `gitdesk kb check` and `gitdesk site build` as it is.
    """
    from gitdesk.scaffold import check_languages, scaffold

    codes = check_languages(language, languages)
    result = scaffold(directory, repository=repository, name=name, force=force, install=install, languages=codes)
    if as_json:
        echo_json(result.to_dict())
        return
    if result.git_initialised:
        click.echo(f"Initialised a git repository in {result.root}")
    click.echo(f"Help desk in {result.root}: {len(result.created)} file(s) created"
               + (f", {len(result.overwritten)} overwritten" if result.overwritten else "")
               + (f", {len(result.skipped)} skipped" if result.skipped else "") + ".")
    for rel in result.created:
        click.echo(f"  created      {rel}")
    for rel in result.overwritten:
        click.echo(f"  overwritten  {rel}")
    for rel in result.skipped:
        click.echo(f"  skipped      {rel} (exists; --force replaces it)")
    for rel, why in result.not_written.items():
        click.echo(f"  not written  {rel}: {why}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo("\nNext steps:")
    for i, step in enumerate(result.next_steps, start=1):
        click.echo(f"  {i}. {step}")
