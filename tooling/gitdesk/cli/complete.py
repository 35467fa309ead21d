"""Shell completion of the values gitdesk knows: tickets, categories, channels, agents, canned
responses and KB articles.

Each function here is a Click ``shell_complete`` callback. They read the desk the command would
read (``--repo`` if it was typed before the TAB, else ``GITDESK_REPO`` or the current folder), and
ticket references come from the store's cached index as JSON text, as the last command left it
(no check of tickets/ against the disk: that alone costs half a second on 125,000 event files),
parsed only for the few rows that match what was typed: a TAB never derives a ticket. Whatever
goes wrong (no desk here, a broken ``helpdesk.yml``) completes nothing rather than print a
traceback into the shell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import click
from click.shell_completion import CompletionItem

from gitdesk.cli.clickbase import Choice

MAX_ITEMS = 200  # a shell shows no more usefully
_ROW = re.compile(r'^\{"id":"([0-9A-HJKMNP-TV-Z]{10})"')


def _env(ctx: click.Context):
    from gitdesk.cli.options import Env

    repo_path = None
    while ctx is not None and repo_path is None:
        repo_path = ctx.params.get("repo_path")
        ctx = ctx.parent  # type: ignore[assignment]
    return Env(repo_path=repo_path)


def _quiet(fn: Callable[[click.Context, str], list[CompletionItem]]) -> Callable[..., list[CompletionItem]]:
    """A completer that completes nothing instead of failing."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            return fn(ctx, incomplete)[:MAX_ITEMS]
        except Exception:  # noqa: BLE001 - a TAB must never print a traceback into the shell
            return []

    complete.__name__ = fn.__name__
    complete.__doc__ = fn.__doc__
    return complete


def _matching(values: Iterable[str], incomplete: str, help_of: dict[str, str] | None = None) -> list[CompletionItem]:
    low = incomplete.lower()
    return [CompletionItem(v, help=(help_of or {}).get(v)) for v in values if v.lower().startswith(low)]


def ticket_candidates(env: Any, incomplete: str, *, solved: bool = False) -> list[tuple[str, str]]:
    """(reference, title) of the open tickets (``solved``: the resolved and closed ones) whose id
    starts with what was typed: the short id the list shows (``7K2M9Q``), or ``HD-7K2M9Q`` when
    the prefix was typed, most recent first."""
    import json

    from gitdesk.model.ids import normalize_ref, short_ids
    from gitdesk.store import Filters

    config = env.config
    prefix = config.id_prefix
    typed = incomplete.strip()
    with_prefix = typed.upper().startswith(f"{prefix.upper()}-")
    wanted = normalize_ref(typed, prefix) if typed not in ("", f"{prefix}-", f"{prefix.lower()}-") else ""
    if wanted is None:
        return []
    store = env.store()
    if not store.file_backed:  # a TAB never waits on GitHub
        return []
    filters = (Filters(status=list(config.closed_statuses)) if solved
               else Filters(open_only=True, open_statuses=tuple(config.open_statuses)))
    rows = []
    for row in store.list_json_rows(filters, "updated", True, None, checked=False):  # as the last command left it
        match = _ROW.match(row)
        if match and match.group(1).startswith(wanted):
            rows.append((match.group(1), row))
            if len(rows) >= MAX_ITEMS:
                break
    short = short_ids([tid for tid, _ in rows], minimum=6, among=store.known_ids())
    out = []
    for tid, row in rows:
        ref = short.get(tid, tid)
        if len(wanted) > len(ref):
            ref = tid
        out.append((f"{prefix}-{ref}" if with_prefix else ref, str(json.loads(row).get("title") or "")))
    return out


@_quiet
def tickets(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """Open tickets by short id, their titles as help."""
    return [CompletionItem(ref, help=title) for ref, title in ticket_candidates(_env(ctx), incomplete)]


@_quiet
def solved_tickets(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """Resolved and closed tickets by short id (what ``kb draft --from-ticket`` takes)."""
    return [CompletionItem(ref, help=title) for ref, title in ticket_candidates(_env(ctx), incomplete, solved=True)]


@_quiet
def categories(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """Category ids of helpdesk.yml (``network/vpn``)."""
    config = _env(ctx).config
    return _matching(config.category_ids(), incomplete, {c: getattr(config.categories[c], "name", "") or "" for c in config.category_ids()})


@_quiet
def channels(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """The channels of helpdesk.yml."""
    return _matching(_env(ctx).config.channels, incomplete)


def agents(config: Any) -> dict[str, str]:
    """Every agent of every team in helpdesk.yml -> the team(s) they are in."""
    out: dict[str, str] = {}
    for team_id, team in (config.teams or {}).items():
        for agent in (team or {}).get("agents") or []:
            out[str(agent)] = ", ".join(filter(None, [out.get(str(agent)), str(team_id)]))
    return out


@_quiet
def assignees(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """The agents of the teams in helpdesk.yml, their teams as help."""
    known = agents(_env(ctx).config)
    return _matching(sorted(known), incomplete, known)


@_quiet
def tickets_then_agents(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """REF... [ASSIGNEE]: after a first ticket, the agents too."""
    env = _env(ctx)
    found = [CompletionItem(ref, help=title) for ref, title in ticket_candidates(env, incomplete)]
    if ctx.params.get("refs"):
        known = agents(env.config)
        found += _matching(sorted(known), incomplete, known)
    return found


@_quiet
def teams(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """Team ids of helpdesk.yml, their names as help."""
    config = _env(ctx).config
    return _matching(sorted(config.teams), incomplete, {k: str((v or {}).get("name") or "") for k, v in config.teams.items()})


@_quiet
def templates(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """Canned responses (shipped and the desk's own)."""
    from gitdesk.intake import responses

    env = _env(ctx)
    return _matching(responses.available(env.repo.root, env.config), incomplete)


@_quiet
def articles(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
    """KB article paths under kb/ (``network/vpn-troubleshooting.md``)."""
    from gitdesk.kb import is_article, kb_dir

    env = _env(ctx)
    base = kb_dir(env.repo.root, env.config)
    paths = sorted(p.relative_to(base).as_posix() for p in base.rglob("*.md")
                   if not any(part.startswith(".") for part in p.relative_to(base).parts))
    return _matching([p for p in paths if is_article(p)], incomplete)


# option name (as Click stores it) -> completer, for the test that holds every command to it
BY_PARAM: dict[str, Callable[..., list[CompletionItem]]] = {
    "category": categories, "channel": channels, "assignee": assignees, "template_name": templates, "kb": articles,
}


def script(shell: str, prog_name: str = "gitdesk") -> str:
    """The completion script Click writes for ``shell`` (bash, zsh, fish)."""
    from click.shell_completion import get_completion_class

    from gitdesk.cli import cli

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - the command's Choice keeps other names out
        raise click.BadParameter(f"no completion for {shell!r}")
    return cls(cli, {}, prog_name, "_GITDESK_COMPLETE").source()


@click.command("completion")
@click.argument("shell", type=Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL: commands, options, and the desk's own values
    (open tickets by short id, categories, channels, agents, canned responses, KB articles).

    \b
    Examples:
      eval "$(gitdesk completion bash)"                    # in ~/.bashrc
      eval "$(gitdesk completion zsh)"                     # in ~/.zshrc
      gitdesk completion fish > ~/.config/fish/completions/gitdesk.fish
    """
    click.echo(script(shell), nl=False)
