"""The ``gitdesk`` command line: a thin Click layer over the package's services.

The root group loads each command's module only when that command is called, so ``gitdesk
--help`` and ``gitdesk --version`` import nothing heavy (no PyGithub, Whoosh or MkDocs).
Errors from the core (:class:`gitdesk.errors.GitdeskError`) become one line on stderr and the
error's exit code; nothing else prints a traceback unless ``GITDESK_DEBUG`` is set.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from gitdesk import __version__
from gitdesk.cli.clickbase import Group
from gitdesk.errors import GitdeskError

# command name -> (module under gitdesk.cli, attribute, one-line help shown by --help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ticket": ("ticket", "ticket", "Open, work and close tickets."),
    "check": ("check", "check", "Validate helpdesk.yml, every ticket file and the event history."),
    "config": ("config", "config", "Show the configuration and the path of its JSON Schema."),
    "kb": ("kb", "kb", "Write, check and search knowledge base articles."),
    "suggest": ("kb", "suggest", "List the best KB articles for a ticket or a text."),
    "site": ("site", "site", "Build the self-service site."),
    "serve": ("site", "serve", "Build and serve the help desk site on 127.0.0.1."),
    "sla": ("sla", "sla", "Check SLA clocks and apply escalation rules."),
    "metrics": ("metrics", "metrics", "Response, resolution, SLA, volume and satisfaction figures."),
    "import": ("importer", "import_", "Import tickets from another help desk's export."),
    "github": ("github", "github", "Work with GitHub issues: labels and triage."),
    "sync": ("github", "sync", "Two-way sync between GitHub issues and the YAML store."),
    "intake": ("intake", "intake", "Turn incoming email into tickets and comments."),
    "notify": ("intake", "notify", "Email requesters and assignees about their tickets."),
    "init": ("init", "init", "Scaffold a working help desk in a folder."),
    "report": ("report", "report", "The agents' own report: time spent, training needs (never published)."),
    "incident": ("incident", "incident", "Major incidents: declare, update, resolve (banner and status page on the site)."),
    "problem": ("problem", "problem", "Problems behind repeated incidents: suggest, resolve with their incidents."),
    "upgrade": ("upgrade", "upgrade", "Bring the workflows, forms and pages gitdesk generated up to date."),
    "completion": ("complete", "completion", "Print the shell completion script (bash, zsh, fish)."),
}


class CliError(click.ClickException):
    """A :class:`GitdeskError` on its way out: one line on stderr, the error's exit code."""

    def __init__(self, error: GitdeskError):
        super().__init__(error.line())
        self.error = error
        self.exit_code = error.exit_code  # type: ignore[misc]  # click declares a ClassVar, yet reads it per instance

    def show(self, file=None) -> None:
        click.echo(f"gitdesk: error: {self.message}", err=True)


class LazyGroup(Group):
    """A group whose subcommands are imported on first use; core errors become CLI errors."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GitdeskError as exc:
            raise CliError(exc) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS) + sorted(self.commands)

    def get_command(self, ctx: click.Context, name: str):
        if name in self.commands:
            return self.commands[name]
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"gitdesk.cli.{module}"), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx) if name in COMMANDS]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="gitdesk", message="%(prog)s %(version)s")
def cli() -> None:
    """gitdesk: an IT help desk that lives in a git repository.

    Tickets are YAML events under tickets/, the knowledge base is Markdown under kb/, and
    helpdesk.yml holds the configuration. Run `gitdesk COMMAND --help` for details.
    """


def _wants_json(argv: list[str] | None) -> bool:
    """``--json`` among the options (before a ``--``): errors are then a JSON object too."""
    args = sys.argv[1:] if argv is None else argv
    return "--json" in (args[:args.index("--")] if "--" in args else args)


def _json_error(exc: BaseException) -> dict:
    """Write the error as one JSON object on one line of stderr (as the text mode writes one line)."""
    from gitdesk.cli.jsonout import error_object, line
    from gitdesk.textsafe import json_escape_c1

    body = error_object(exc)
    click.echo(json_escape_c1(line(body)), err=True)
    return body


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI and turn known errors into one line and an exit code
    (under ``--json``, one JSON object on stderr: :func:`gitdesk.cli.jsonout.error_object`)."""
    as_json = _wants_json(argv)
    try:
        code = cli.main(args=argv, prog_name="gitdesk", standalone_mode=False)
    except (GitdeskError, click.ClickException, click.exceptions.Abort, KeyboardInterrupt) as exc:
        if as_json:
            body = _json_error(exc.error if isinstance(exc, CliError) else exc)
            sys.exit(body["error"]["exit_code"])
        if isinstance(exc, GitdeskError):
            click.echo(f"gitdesk: error: {exc.line()}", err=True)
            sys.exit(exc.exit_code)
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        click.echo("Aborted." if isinstance(exc, click.exceptions.Abort) else "Interrupted.", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # `gitdesk ticket list | head`
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, no traceback
        if os.environ.get("GITDESK_DEBUG"):
            raise
        if as_json:
            _json_error(exc)
        else:
            click.echo(f"gitdesk: internal error: {type(exc).__name__}: {exc} (set GITDESK_DEBUG=1 for details)", err=True)
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)

