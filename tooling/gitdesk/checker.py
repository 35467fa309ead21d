"""``gitdesk check``: is this help desk repository sound?

Checks ``helpdesk.yml``, every event file (name, YAML, schema, values known to the
configuration), that every ticket has a ``new`` event, and, in a git checkout, that no
committed event file was ever modified, deleted or renamed (events are immutable). Other parts
of the package add checks with :func:`register` (e.g. response templates). Each problem is one
line naming the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitdesk.config import Config, load_config, validate_against
from gitdesk.errors import GitdeskError, ValidationError
from gitdesk.model.event import FUTURE_SLACK, Event, format_time, parse_event, utcnow
from gitdesk.model.ids import EVENT_FILE_RE, event_file_problem, is_event_id
from gitdesk.repo import Repo, run_git
from gitdesk.textsafe import visible
from gitdesk.yamlio import TMP_PREFIX, TMP_SUFFIX, is_stale_temporary, load_yaml_file

NAME_RE = EVENT_FILE_RE
ATTACHMENTS_RE = re.compile(r"^(?P<ticket>[0-9A-Z]{10})\.attachments$")
ATTACHMENT_FILE_RE = re.compile(r"^(?P<event>[0-9A-Z]{26})-[A-Za-z0-9._+-]{1,100}$")
IGNORED = {".gitkeep", "README.md", ".gitignore"}


@dataclass(frozen=True)
class Problem:
    path: str
    field: str | None
    message: str
    warning: bool = False  # reported, but fails only `gitdesk check --strict`

    def line(self) -> str:
        return visible(": ".join(p for p in (self.path, self.field, self.message) if p))


Check = Callable[[Repo, Config], Iterable[Problem]]


def _from_error(exc: GitdeskError, default_path: str) -> Problem:
    return Problem(exc.path or default_path, exc.field, exc.message)


def check_event_file(path: Path, rel: str, config: Config, max_bytes: int) -> tuple[Problem | None, Event | None]:
    """Problems of one event file, and the event when it is sound."""
    wrong = event_file_problem(path.parent.name, path.name)
    if wrong:
        return Problem(rel, None, f"{wrong}: not read as an event"), None
    match = NAME_RE.fullmatch(path.name)
    assert match is not None  # event_file_problem() above accepted the name
    try:
        data = load_yaml_file(path, max_bytes=max_bytes, display=rel)
        validate_against("event", data, path=rel)
        event = parse_event(data, path=rel, statuses=tuple(config.statuses))
    except GitdeskError as exc:
        return _from_error(exc, rel), None
    if event.ticket != match["ticket"]:
        return Problem(rel, "ticket", f"event is for {event.ticket}, file is named for {match['ticket']}"), None
    if event.id != match["event"]:
        return Problem(rel, "id", f"event id {event.id} differs from the file name"), None
    if event.at > utcnow() + FUTURE_SLACK:
        return Problem(rel, "at", f"dated {format_time(event.at)}, more than a day in the future (a wrong clock?): "
                                  "later changes are not ordered after it"), None
    known = {"category": config.category_ids(), "channel": config.channels, "team": list(config.teams)}
    for name, choices in known.items():
        value = event.set.get(name)
        if value is not None and value not in choices:
            return Problem(rel, f"set.{name}", f"unknown {name} {value!r}"), None
    return None, event


def check_tickets(repo: Repo, config: Config) -> Iterable[Problem]:
    tickets_dir = repo.tickets_dir
    if not tickets_dir.exists():
        return
    max_bytes = int(config["limits"]["max_file_bytes"])
    actions: dict[str, set[str]] = {}
    events: dict[str, list[tuple[Event, str]]] = {}
    attachment_dirs: list[tuple[Path, str, str]] = []
    for bucket in sorted(p for p in tickets_dir.iterdir()):
        rel_bucket = f"tickets/{bucket.name}"
        if bucket.name in IGNORED or bucket.name.startswith("."):
            continue
        if not bucket.is_dir():
            yield Problem(rel_bucket, None, "unexpected file: tickets/ holds only bucket folders")
            continue
        for path in sorted(bucket.iterdir()):
            rel = f"{rel_bucket}/{path.name}"
            if path.name.startswith(TMP_PREFIX) and path.name.endswith(TMP_SUFFIX):
                if is_stale_temporary(path):  # a fresh one is a write in progress
                    yield Problem(rel, None, "left-over temporary file from an interrupted write "
                                             "(safe to delete; the next write in this folder removes it)")
                continue
            folder = ATTACHMENTS_RE.match(path.name)
            if folder and path.is_dir() and not path.is_symlink():
                attachment_dirs.append((path, rel, folder["ticket"]))
                continue
            if path.is_symlink() or not path.is_file():
                yield Problem(rel, None, "not a regular file")
                continue
            problem, event = check_event_file(path, rel, config, max_bytes)
            if problem:
                yield problem
            elif event:
                actions.setdefault(event.ticket, set()).add(event.action)
                events.setdefault(event.ticket, []).append((event, rel))
    for ticket_id, seen in sorted(actions.items()):
        if "new" not in seen and "import" not in seen:
            yield Problem(f"tickets/{ticket_id[:2]}/{ticket_id}.*", None, "ticket has no 'new' event")
        yield from _check_transitions(events[ticket_id], config)
    yield from _check_attachments(attachment_dirs, actions, int(config["mail"]["attachment_max_bytes"]))


# statuses other systems set by their own workflow (an import, a GitHub issue closed and reopened)
_FOREIGN_ACTIONS = ("import", "sync")


def _check_transitions(events: list[tuple[Event, str]], config: Config) -> Iterable[Problem]:
    """Status changes, in the order the reducer applies them, that the workflow forbids: the CLI
    refuses them, but two clones can each make an allowed one and merge into a forbidden pair
    (one closes, the other later sets pending). Names both events."""
    status, since = None, None
    for event, rel in sorted(events, key=lambda pair: pair[0].key):
        new = event.set.get("status")
        if new is None or new == status:
            continue
        if status is not None and event.action not in _FOREIGN_ACTIONS and not config.can_transition(status, new):
            yield Problem(rel, "set.status", f"{status} -> {new} is not allowed by the workflow "
                                             f"({status} was set by {since}; allowed from {status}: "
                                             f"{', '.join(config.allowed_transitions(status)) or 'none'})")
        status, since = new, rel


def _check_attachments(folders, tickets: dict, max_bytes: int) -> Iterable[Problem]:
    """``<ticket>.attachments/<event id>-<safe name>``: regular files of a known ticket, in bounds."""
    for folder, rel, ticket_id in folders:
        if folder.parent.name != ticket_id[:2]:
            yield Problem(rel, None, f"attachment folder is in {folder.parent.name!r}, expected {ticket_id[:2]!r}")
        if ticket_id not in tickets:
            yield Problem(rel, None, f"attachments of an unknown ticket {ticket_id}")
        for path in sorted(folder.iterdir()):
            inner = f"{rel}/{path.name}"
            if path.is_symlink() or not path.is_file():
                yield Problem(inner, None, "attachments are regular files only (no links or folders)")
            elif not ATTACHMENT_FILE_RE.match(path.name) or not is_event_id(path.name[:26]):
                yield Problem(inner, None, "attachment name is not <event id>-<safe name>")
            elif path.stat().st_size > max_bytes:
                yield Problem(inner, None, f"attachment is larger than mail.attachment_max_bytes ({max_bytes})")


def check_history(repo: Repo, config: Config) -> Iterable[Problem]:
    """Committed event files are never modified, deleted or renamed."""
    if not repo.is_git:
        return
    top = repo.git_toplevel
    if top is None:  # is_git above, yet git vanished between the two looks
        return
    rel = Path(repo.tickets_dir).resolve().relative_to(Path(top).resolve()).as_posix()
    status = run_git(top, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--", rel, check=False).stdout
    for record in status.split("\0"):
        if len(record) > 3 and ("M" in record[:2] or "D" in record[:2] or "R" in record[:2]):
            kind = "modified" if "M" in record[:2] else ("deleted" if "D" in record[:2] else "renamed")
            yield Problem(record[3:], None, f"committed event file was {kind} (events are immutable: add a new event instead)")
    has_head = run_git(top, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0
    if not has_head:
        return
    log = run_git(top, "log", "--format=commit %h", "--diff-filter=MDR", "--name-status", "--no-renames", "--", rel, check=False).stdout
    commit = None
    for line in log.splitlines():
        if line.startswith("commit "):
            commit = line.split()[1]
        elif line and line[0] in "MDR" and "\t" in line:
            kind = {"M": "modified", "D": "deleted", "R": "renamed"}[line[0]]
            yield Problem(line.split("\t", 1)[1], None, f"event file was {kind} in commit {commit} (events are immutable)")


#: Contact details of the shipped defaults that are examples, and what each is called.
PLACEHOLDER_CONTACTS = {("site", "contacts", "phone"): "phone number", ("site", "contacts", "email"): "e-mail address",
                        ("site", "contacts", "walk-in"): "location", ("mail", "address"): "e-mail address"}


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def check_placeholder_contacts(repo: Repo, config: Config) -> Iterable[Problem]:
    """Warn when the site would publish the defaults' example phone, e-mail or location.

    A value counts as the example when it is the default, or still holds it (the example
    number with an extension added, the example location with opening hours added)."""
    from gitdesk.config import _defaults

    defaults = _defaults()
    site_raw = config.raw.get("site")
    site: dict = site_raw if isinstance(site_raw, dict) else {}
    translated_raw = site.get("translations")
    translated: dict = translated_raw if isinstance(translated_raw, dict) else {}
    places = [(keys, what, keys) for keys, what in PLACEHOLDER_CONTACTS.items()]
    places += [(keys, what, ("site", "translations", code, *keys[1:])) for code in translated
               for keys, what in PLACEHOLDER_CONTACTS.items() if keys[0] == "site"]  # a language's own texts
    for keys, what, where in places:
        example: Any = defaults
        value: Any = config.raw
        for key in keys:
            example = example.get(key) if isinstance(example, dict) else None
        for key in where:
            value = value.get(key) if isinstance(value, dict) else None
        if not isinstance(example, str) or not example or not isinstance(value, str) or not value.strip():
            continue
        if what == "phone number":
            national = _digits(example)[-10:]  # without the country code: "+44 (0)20..." is the same number
            same = len(national) >= 6 and national in _digits(value)
        elif what == "location":  # the defaults' example, or the one `gitdesk init --language` writes
            from gitdesk.languages import SUPPORTED, text

            examples = {example, *(text("desk.init_walk_in", code) for code in SUPPORTED)}
            same = any(" ".join(value.casefold().split()).startswith(" ".join(e.casefold().split())) for e in examples)
        else:
            same = value.strip().casefold() == example.casefold()
        if same:
            yield Problem("helpdesk.yml", ".".join(where), f"{value!r} is the example {what} of the defaults: "
                          "put your desk's own (or remove it) before publishing the site", warning=True)


def run_checks(repo: Repo, extra: Iterable[Check] = ()) -> tuple[list[Problem], dict]:
    """All problems, and counts for the summary line; ``extra`` checks (of services above this
    module: templates, incidents) run after the core's own, in order."""
    problems: list[Problem] = []
    try:
        config = load_config(repo.root)
    except GitdeskError as exc:
        every = getattr(exc, "problems", None)  # each schema error of the file on its own line
        if every:
            return [Problem(exc.path or "helpdesk.yml", name, message) for name, message in every], {}
        return [_from_error(exc, "helpdesk.yml")], {}
    for check in (check_tickets, check_history, check_placeholder_contacts, *extra):
        try:
            problems.extend(check(repo, config))
        except GitdeskError as exc:
            problems.append(_from_error(exc, str(repo.root)))
    files = sum(1 for _ in repo.tickets_dir.glob("[!.]*/*.yml")) if repo.tickets_dir.exists() else 0  # not .feedback/
    return problems, {"event_files": files}


__all__ = ["Check", "Problem", "run_checks", "ValidationError"]
