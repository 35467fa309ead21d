"""Driving the intake from its sources (message files, the IMAP mailbox) and committing.

Outcomes are appended to a list the caller owns as each message is done, so when a mailbox
connection fails half-way the caller still commits and reports what was taken before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from gitdesk.errors import GitdeskError, ValidationError
from gitdesk.intake.ingest import MailIntake, Outcome
from gitdesk.intake.mail import arrival_time, read_message_files
from gitdesk.repo import Repo, run_git


def intake_files(intake: MailIntake, paths: Iterable[str | Path], outcomes: list[Outcome],
                 on_outcome: Callable[[Outcome], None] | None = None) -> None:
    """Take every message of the given ``.eml``/mbox files, oldest first.

    Files can come in any order (a reply's file name may sort before its original's), so the
    messages are taken in order of arrival, the way a mailbox hands them over.
    """
    items = list(read_message_files(list(paths)))
    far = datetime.max.replace(tzinfo=timezone.utc)

    def arrival(item):
        label, raw = item
        when = None if isinstance(raw, ValidationError) else arrival_time(raw)
        return when or far

    for label, raw in sorted(items, key=arrival):
        if isinstance(raw, ValidationError):
            outcome = Outcome(label, "rejected", detail=raw.message, error=raw)
        else:
            outcome = intake.take(raw, label)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)


def intake_imap(intake: MailIntake, settings: dict, outcomes: list[Outcome], *, environ: dict | None = None,
                on_outcome: Callable[[Outcome], None] | None = None) -> None:
    """Take every unprocessed message of the mailbox, marking each once it is taken."""
    from gitdesk.intake.imap import Mailbox

    folder = settings.get("folder") or "INBOX"
    with Mailbox(settings, readonly=intake.dry_run, environ=environ) as box:
        for uid, raw in box.messages():
            source = f"imap:{folder}/{uid}"
            if isinstance(raw, ValidationError):
                outcome = Outcome(source, "rejected", detail=raw.message, error=ValidationError(raw.message, path=source, field=raw.field))
            else:
                outcome = intake.take(raw, source)
            outcomes.append(outcome)
            if not intake.dry_run:
                if outcome.processed:
                    box.mark_processed(uid)
                else:
                    box.mark_rejected(uid)
            if on_outcome:
                on_outcome(outcome)


def commit_paths(repo: Repo, paths: Iterable[Path], message: str) -> list[Path]:
    """Commit those of ``paths`` that are new or changed (others are left alone); return them."""
    if not repo.is_git:
        raise GitdeskError("--commit needs a git repository", path=str(repo.root))
    unique = []
    for p in paths:
        if p not in unique and Path(p).exists():
            unique.append(p)
    if not unique:
        return []
    root = repo.root.resolve()
    rel = [str(Path(p).resolve().relative_to(root)) for p in unique]
    status = run_git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *rel).stdout
    pending = set()
    for record in status.split("\0"):
        if len(record) > 3:
            pending.add(record[3:])
    changed = [p for p, r in zip(unique, rel, strict=True) if r in pending]
    if changed:
        repo.commit(changed, message)
    return changed


def commit_message(outcomes: list[Outcome], prefix: str) -> str:
    taken = [o for o in outcomes if o.event is not None or (o.action == "feedback" and o.paths)]
    counts: dict[str, int] = {}
    for o in taken:
        counts[o.action] = counts.get(o.action, 0) + 1
    head = "intake: " + (", ".join(f"{n} {a}" for a, n in counts.items()) or "files left by an interrupted run")
    # no addresses or subjects in the log: only the ticket and what happened to it
    lines = [f"{prefix}-{o.ticket}: {o.action}" + (" (reopened)" if o.reopened else "") if o.ticket else o.detail
             for o in taken]
    return head + ("\n\n" + "\n".join(lines) if lines else "")
