"""Acting on a ticket that is resolved, closed or merged: a warning, or a refusal without --force.

Refused without ``--force`` (one line naming the ticket and its state; nothing is written):

- ``assign`` and ``escalate``: an owner, a team or a tier for work that is over puts the ticket
  back in someone's queue while every list and report still counts it as done;
- ``set`` of fields or tags (a change of ``status`` alone is a life-cycle move, checked by the
  transitions like ``reopen``): the record of a finished ticket changes after the fact;
- ``comment`` and ``reply`` on a merged ticket: the conversation, and the requester's mail
  thread, go on in the ticket kept (issue 11).

Warned on standard error, then done: a public or internal comment on a resolved or closed
ticket (a follow-up such as "did that fix it?" is normal work, but it does not reopen the
ticket), ``link``, ``log`` (time spent after the fact is real), and ``merge`` of a closed
duplicate or into a closed ticket. Not checked: ``reopen`` (its purpose), ``rate`` (ratings
come after the resolution), ``resolve``/``close``/``pending`` (the transitions decide).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from gitdesk.errors import TransitionError

NEEDS_FORCE = frozenset({"assign", "escalate", "set"})
#: commands that need --force only on a merged ticket (refused by Desk.comment, naming the ticket kept)
MERGED_NEEDS_FORCE = frozenset({"comment", "reply"})


def state_of(ticket, config) -> str | None:
    """``merged into HD-...``, the status of a ticket that is not open, or None (open)."""
    if ticket.duplicate_of:
        return f"merged into {config.id_prefix}-{ticket.duplicate_of}"
    if ticket.status not in config.open_statuses:
        return str(ticket.status)
    return None


def check(desk, ticket_id: str, command: str, *, force: bool = False) -> None:
    """Refuse ``command`` on a finished ticket without ``force`` (see the module), or warn."""
    ticket = desk.store.get(ticket_id)
    state = state_of(ticket, desk.config)
    if state is None:
        return
    ref = ticket.ref(desk.config.id_prefix)
    doing = command in NEEDS_FORCE or (command in MERGED_NEEDS_FORCE and bool(ticket.duplicate_of))
    if doing and not force and command in MERGED_NEEDS_FORCE:
        return  # Desk.comment refuses it, naming the ticket kept
    if doing and not force:
        way = (f"work on {desk.config.id_prefix}-{ticket.duplicate_of}" if ticket.duplicate_of
               else f"gitdesk ticket reopen {ticket.id} first")
        raise TransitionError(f"{ref} is {state}: `ticket {command}` needs --force (or {way})", field="ticket")
    after = "going ahead (--force)" if doing else "it stays " + ("merged" if ticket.duplicate_of else str(ticket.status))
    click.echo(f"warning: {ref} is {state}: {after}", err=True)


def guarded(command: str, force: bool, action: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    """``action(desk, ticket_id)`` after :func:`check`."""

    def run(desk, ticket_id: str):
        check(desk, ticket_id, command, force=force)
        return action(desk, ticket_id)

    return run


def force_option(fn: Callable) -> Callable:
    return click.option("--force", is_flag=True,
                        help="Go ahead on a resolved, closed or merged ticket (otherwise refused, nothing written).")(fn)
