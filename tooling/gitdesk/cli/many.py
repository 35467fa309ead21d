"""Changing many tickets at once, the same way for every command that changes a ticket.

:func:`many_options` gives a command ``REF...``, ``--from FILE`` (``-``: standard input, with
references or the output of ``ticket list --json``) and ``--dry-run``; :func:`run_each` then
applies one change per ticket through :class:`gitdesk.operations.Desk`: each ticket is changed
on its own (one refused change does not stop the others), every ticket gets a line (or a JSON
record), and the exit code is 1 when any failed. References that name no ticket are refused
before anything changes, all of them in one message. One reference and no ``--dry-run`` prints
what the command always printed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import click

from gitdesk.cli.options import Env, echo_json
from gitdesk.errors import GitdeskError, NotFoundError, UsageError


def common_options(fn: Callable) -> Callable:
    """--repo, --as, --commit, --json (what every command that changes tickets takes)."""
    from gitdesk.cli.options import actor_option, commit_option, json_option, repo_option

    for deco in (json_option, commit_option, actor_option, repo_option):
        fn = deco(fn)
    return fn


def many_options(fn: Callable | None = None, *, complete_refs: Callable | None = None) -> Callable:
    """REF..., --from FILE, --dry-run (REF completes open tickets, or with ``complete_refs``)."""
    if fn is None:
        return lambda f: many_options(f, complete_refs=complete_refs)
    fn = click.option("--dry-run", is_flag=True, help="Show what would change; record nothing.")(fn)
    fn = click.option("--from", "from_file", type=click.File("r", encoding="utf-8"), metavar="FILE",
                      help="Read more references from FILE ('-': standard input): ids, or `ticket list --json`.")(fn)
    from gitdesk.cli import complete

    return click.argument("refs", nargs=-1, shell_complete=complete_refs or complete.tickets)(fn)


def parse_refs(text: str, source: str = "standard input") -> list[str]:
    """References from text: a JSON array (of tickets with ``id``, or of strings), or words
    separated by spaces, commas or lines (``#`` starts a comment)."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as exc:  # the ValueError json.loads raises
            raise UsageError(f"not valid JSON ({exc.msg}, line {exc.lineno})", path=source) from None
        refs = []
        for n, item in enumerate(items):
            ref = item.get("id") if isinstance(item, dict) else item
            if not isinstance(ref, str) or not ref.strip():
                raise UsageError(f"item {n} has no ticket id", path=source)
            refs.append(ref)
        return refs
    refs = []
    for line in text.splitlines():
        line = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
        refs += [w for w in line.replace(",", " ").split() if w]
    return refs


def collect(env: Env, refs: Iterable[str], from_file) -> list[str]:
    """Full ids for the references given and read, in order, once each; unknown or ambiguous
    references refuse the whole run before anything changes."""
    wanted = list(refs)
    if from_file is not None:
        wanted += parse_refs(from_file.read(), "standard input" if from_file.name == "<stdin>" else from_file.name)
    if not wanted:
        raise UsageError("give one or more ticket references (or --from - to read them from standard input)")
    store = env.store()
    ids: list[str] = []
    bad: list[str] = []
    for ref in wanted:
        try:
            tid = store.resolve(ref)
        except (NotFoundError, UsageError) as exc:
            bad.append(f"{ref!r} ({'not found' if isinstance(exc, NotFoundError) else exc.message})")
            continue
        if tid not in ids:
            ids.append(tid)
    if bad:
        raise UsageError(f"{len(bad)} of {len(wanted)} references name no single ticket: {'; '.join(bad)}; nothing changed",
                         field="ticket")
    return ids


def make_desk(env: Env, dry_run: bool = False):
    """The desk for a run; with ``dry_run`` it derives each change without writing it."""
    from gitdesk.operations import Desk

    if not dry_run:
        return Desk(env.store(), env.config, env.actor)

    from gitdesk.model.reducer import reduce_events
    from gitdesk.model.ticket import Ticket

    class PreviewDesk(Desk):
        def record(self, event):
            self.recorded.append(event)
            known = self.store.events(event.ticket) if self.store.exists(event.ticket) else []
            mine = [e for e in self.recorded if e.ticket == event.ticket]
            return Ticket(reduce_events([*known, *mine]))

    return PreviewDesk(env.store(), env.config, env.actor)


def commit(env: Env, desk, extra_paths=(), note: str | None = None) -> None:
    """Record the run's events (and ``extra_paths``, files the change wrote) as one git commit
    when ``--commit`` (or ``commit:``) asks."""
    if not (env.commit and desk.recorded):
        return
    from gitdesk.operations import describe

    paths = [*desk.written, *extra_paths]  # the GitHub store writes only internal notes and ratings
    lines = [describe(e, env.config.id_prefix) for e in desk.recorded]
    if note:
        lines.insert(0, note)
    if paths:
        env.repo.commit(paths, lines[0] if len(lines) == 1 else f"{lines[0]} (+{len(lines) - 1} more)\n\n" + "\n".join(lines))


def run_each(env: Env, ids: list[str], verb: str, action: Callable, *, as_json: bool, dry_run: bool,
             single: Callable | None = None) -> None:
    """Apply ``action(desk, ticket_id)`` to each ticket on its own and report each one.

    ``single(env, desk, ticket)``: how the command reports one ticket changed for real (its
    usual output); errors then propagate as they always did."""
    from gitdesk.cli.render import safe_text
    from gitdesk.operations import describe

    desk = make_desk(env, dry_run)
    if len(ids) == 1 and not dry_run and single is not None:
        single(env, desk, action(desk, ids[0]))
        return
    prefix = env.config.id_prefix
    results: list[dict[str, Any]] = []
    for tid in ids:
        before = len(desk.recorded)
        try:
            ticket = action(desk, tid)
        except GitdeskError as exc:
            results.append({"id": tid, "ok": False, "error": exc.line()})
            continue
        changes = [describe(e, prefix) for e in desk.recorded[before:]]
        results.append({"id": tid, "ok": True, "changes": changes, "status": ticket.status, "title": ticket.title})
    if not dry_run:
        commit(env, desk)
    failed = sum(1 for r in results if not r["ok"])
    if as_json:
        echo_json({"dry_run": dry_run, "changed": len(results) - failed, "failed": failed, "results": results})
    else:
        for r in results:
            ref = f"{prefix}-{r['id']}"
            if not r["ok"]:
                click.echo(safe_text(f"FAILED {ref}: {r['error']}"))
            elif dry_run:
                click.echo(safe_text(f"would change {ref}: {r['title']}: {'; '.join(r['changes']) or 'no change'}"))
            else:
                click.echo(safe_text(f"{verb} {ref}: {r['title']} [{r['status']}]"))
        done = "would change" if dry_run else "changed"
        click.echo(f"{len(results) - failed} {done}, {failed} failed", err=failed > 0)
    if failed:
        raise click.exceptions.Exit(1)
