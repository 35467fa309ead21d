"""Options shared by many commands, and the context object that carries them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import click

from gitdesk.cli.clickbase import Choice, Group  # noqa: F401 - re-exported: every command imports from here
from gitdesk.config import Config, load_config
from gitdesk.repo import Repo, default_actor
from gitdesk.textsafe import json_escape_c1


@dataclass
class Env:
    """What a command needs: the repository, its configuration and who is acting."""

    repo_path: str | None = None
    actor_flag: str | None = None
    commit_flag: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def repo(self) -> Repo:
        return Repo.discover(self.repo_path)

    @cached_property
    def config(self) -> Config:
        config = load_config(self.repo.root)
        JSON_STATE["prefix"] = config.id_prefix  # echo_json adds ``ref`` to tickets with it
        return config

    @property
    def actor(self) -> str:
        return default_actor(self.repo, self.actor_flag)

    @property
    def commit(self) -> bool:
        return bool(self.config.get("commit")) if self.commit_flag is None else self.commit_flag

    def hold_lock(self, command: str, wait: float | None) -> None:
        """Take the desk's lock (:mod:`gitdesk.locking`) until the running command ends: from
        before its first read to after its last write (and commit)."""
        from gitdesk.locking import DEFAULT_WAIT, desk_lock

        click.get_current_context().with_resource(desk_lock(self.repo.root, command, DEFAULT_WAIT if wait is None else wait))

    def store(self):
        """The ticket store the configuration selects (files or GitHub)."""
        from gitdesk.backend import open_store

        return open_store(self.repo, self.config)


def repo_option(fn: Callable) -> Callable:
    return click.option(
        "--repo", "repo_path", type=click.Path(file_okay=False), envvar="GITDESK_REPO", show_envvar=True,
        help="Help desk repository (default: walk up from the current folder).",
    )(fn)


def actor_option(fn: Callable) -> Callable:
    return click.option("--as", "actor_flag", metavar="WHO", help="Who makes the change (default: git user.name <user.email>).")(fn)


def commit_option(fn: Callable) -> Callable:
    return click.option("--commit/--no-commit", "commit_flag", default=None, help="Record the change as a git commit (default: `commit` in helpdesk.yml); "
                        "exit 3 if the change is recorded but git could not commit it.")(fn)


def wait_option(fn: Callable) -> Callable:
    return click.option(
        "--wait", "wait", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
        help="If another run holds the desk's lock, wait this long for it (default 5), then exit 75.",
    )(fn)


def automation_options(recorded: str) -> Callable[[Callable], Callable]:
    """``--wait --json --commit --as --repo`` of a job that records as ``automation_actor``
    (``sla check --apply``, ``kb review --open-tickets``); ``recorded`` names what it records."""

    def decorate(fn: Callable) -> Callable:
        fn = repo_option(fn)
        fn = click.option("--as", "actor_flag", metavar="WHO",
                          help=f"With --commit: the commit's author (default: git's user). {recorded} are recorded as automation_actor.")(fn)
        return wait_option(json_option(commit_option(fn)))

    return decorate


def json_option(fn: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(fn)


def make_env(repo_path: str | None = None, actor_flag: str | None = None, commit_flag: bool | None = None) -> Env:
    return Env(repo_path=repo_path, actor_flag=actor_flag, commit_flag=commit_flag)


def echo_chunks(chunks: Iterable[str]) -> None:
    """Write text that arrives in pieces (a large JSON array) straight to stdout, then a newline.

    ``click.echo`` would need it as one string and scan it for colour codes (JSON has none:
    control characters are escaped)."""
    out = sys.stdout
    for chunk in chunks:
        out.write(json_escape_c1(chunk))
    out.write("\n")
    out.flush()


# the desk's id prefix once a command has read its configuration (see Env.config)
JSON_STATE: dict[str, str | None] = {"prefix": None}


def echo_json(data: Any, *, prefix: str | None = None, err: bool = False) -> None:
    """Print ``data`` as every command's JSON: one shape and layout (:mod:`gitdesk.cli.jsonout`)."""
    from gitdesk.cli.jsonout import dumps

    click.echo(json_escape_c1(dumps(data, prefix or JSON_STATE["prefix"])), err=err)


def echo_json_rows(rows: list[str], *, prefix: str | None = None) -> None:
    """Print a JSON array of compact objects given as text (cached ticket summaries) in the
    same shape and layout as :func:`echo_json`, without parsing a long one."""
    from gitdesk.cli.jsonout import rows_chunks

    echo_chunks(rows_chunks(rows, prefix or JSON_STATE["prefix"]))
