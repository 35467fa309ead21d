"""``gitdesk import csv``: another help desk's CSV export (plain or gzip) into the event store.

Two shapes of export are understood (the mapping's ``mode``):

- ``tickets``: one row per ticket. Each row becomes an ``import`` event at the ticket's creation
  time; a resolved or closed ticket also gets a ``resolve`` and/or ``close`` event at the times
  the row gives (``resolved``/``closed`` columns, else the update time).
- ``audit``: one row per update (ServiceNow's ``sys_audit``-style logs). Rows are grouped by
  ticket id and ordered by update time (rows with the same time keep their file order). The
  ticket opens with an ``import`` event at its creation time (the ``created`` column, else the
  first update), in the initial status, with the first row's details; then every row that
  changes something (the first row's status included) becomes one event at its own update time
  (``resolve``, ``close``, ``pending``, ``reopen``, ``assign``, ``escalate``, ``tag``, ``set``...),
  carrying only what changed. Rows that change nothing add nothing.

Timestamps are kept as the source wrote them (converted to UTC). Two adjustments keep the event
order equal to the source's order, and both are visible: events of one ticket that share a time
are spaced one microsecond apart in row order (the sources record minutes or seconds), and an
update stamped before its ticket's creation is recorded at the creation time with the original
time in the event's ``reason`` (counted as ``times_adjusted``).

Re-running adds nothing twice: ticket ids are ``ticket_id_from("<source>:<id>")`` and event ids
``event_id_from(time, "<source>:<id>:<row content>")``; an event whose file exists is skipped.

Nothing is written until the whole file has been read and every event checked. A row that
cannot be read (malformed CSV, wrong number of fields, bad date, unmapped value, control
characters, a cell over the size limit...) is reported with its line number and skipped; the
rest is imported. Event files are written without an ``fsync`` each and flushed with one
``os.sync()`` at the end (100,000 fsyncs take minutes).
"""

from __future__ import annotations

import csv as _csv
import gzip
import io
import os
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gitdesk.config import Config
from gitdesk.errors import GitdeskError, UsageError, ValidationError
from gitdesk.importers.mapping import Mapping, Row, RowConverter, RowError, load_mapping
from gitdesk.model.event import MAX_TEXT, Event, format_time, parse_event
from gitdesk.model.ids import event_id_from, ticket_id_from

Progress = Callable[[str, int, int], None]
MAX_ID = 200
TICK = timedelta(microseconds=1)
MAX_LISTED = 10_000  # skipped rows listed one by one in the report (all are counted)


@dataclass
class Skipped:
    line: int
    reason: str
    kind: str
    ticket: str | None = None

    def to_dict(self) -> dict:
        out = {"line": self.line, "reason": self.reason, "kind": self.kind}
        if self.ticket is not None:
            out["ticket"] = self.ticket
        return out


@dataclass
class ImportReport:
    """What an import read, wrote and skipped (``--json`` prints :meth:`to_dict`)."""

    file: str
    mapping: str
    source: str
    mode: str
    dry_run: bool
    rows_read: int = 0
    rows_skipped: int = 0
    rows_unchanged: int = 0
    tickets: int = 0
    tickets_new: int = 0
    events: int = 0
    events_written: int = 0
    events_present: int = 0
    times_adjusted: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    skipped_by_kind: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.rows_skipped == 0

    def skip(self, line: int, reason: str, kind: str, ticket: str | None = None) -> None:
        self.rows_skipped += 1
        self.skipped_by_kind[kind] += 1
        if len(self.skipped) < MAX_LISTED:
            self.skipped.append(Skipped(line, reason, kind, ticket))

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "mapping": self.mapping, "source": self.source, "mode": self.mode,
            "dry_run": self.dry_run, "ok": self.ok,
            "rows_read": self.rows_read, "rows_imported": self.rows_read - self.rows_skipped,
            "rows_skipped": self.rows_skipped, "rows_unchanged": self.rows_unchanged,
            "tickets": self.tickets, "tickets_new": self.tickets_new,
            "events": self.events, "events_written": self.events_written, "events_present": self.events_present,
            "times_adjusted": self.times_adjusted,
            "skipped_by_reason": dict(sorted(self.skipped_by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
            "skipped": [s.to_dict() for s in sorted(self.skipped, key=lambda s: s.line)],
            "skipped_listed": min(self.rows_skipped, MAX_LISTED),
            "seconds": round(self.seconds, 3),
        }


# -- reading ---------------------------------------------------------------------------------


class _Source:
    """The export opened as text: gzip is recognised by its magic bytes, not by the name."""

    def __init__(self, path: Path, encoding: str):
        self.path = path
        try:
            self.raw = open(path, "rb")
        except FileNotFoundError:
            raise UsageError("file not found", path=str(path), field="FILE") from None
        except IsADirectoryError:
            raise UsageError("is a folder, not a CSV file", path=str(path), field="FILE") from None
        except OSError as exc:
            raise UsageError(f"cannot read: {exc.strerror}", path=str(path), field="FILE") from None
        self.size = os.fstat(self.raw.fileno()).st_size
        self.gzipped = self.raw.read(2) == b"\x1f\x8b"
        self.raw.seek(0)
        stream = gzip.GzipFile(fileobj=self.raw, mode="rb") if self.gzipped else self.raw
        self.text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")

    def position(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):  # pragma: no cover - closed or unseekable
            return 0

    def close(self) -> None:
        self.text.close()
        self.raw.close()


def read_records(source: _Source, mapping: Mapping) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """``(first line of the record, fields or None, error or None)`` for every record.

    Blank lines are not records. A record the CSV parser refuses is yielded with its error; the
    parser then carries on with the next line.
    """
    reader = _csv.reader(source.text, delimiter=mapping.delimiter, quotechar=mapping.quotechar, strict=True)
    old_limit = _csv.field_size_limit()
    _csv.field_size_limit(MAX_TEXT + 1)
    try:
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except _csv.Error as exc:
                message = str(exc)
                if "field larger than field limit" in message:
                    message = f"a cell is longer than {MAX_TEXT} characters"
                yield start, None, f"malformed CSV: {message}"
                continue
            except (EOFError, OSError, zlib.error) as exc:
                raise ValidationError(f"corrupt or truncated gzip data after line {start - 1}: {exc}",
                                      path=str(source.path)) from None
            except UnicodeDecodeError as exc:  # pragma: no cover - surrogateescape decodes everything
                raise ValidationError(f"cannot decode as {mapping.encoding}: {exc}", path=str(source.path)) from None
            if not row:
                continue
            yield start, row, None
    finally:
        _csv.field_size_limit(old_limit)


def read_rows(path: Path, mapping: Mapping, report: ImportReport, progress: Progress | None = None) -> list[Row]:
    """Every readable row of the export, converted; unreadable ones go to ``report``."""
    source = _Source(path, mapping.encoding)
    rows: list[Row] = []
    try:
        records = read_records(source, mapping)
        header = None
        for line, fields, error in records:
            if header is None:
                if fields is None:
                    raise ValidationError(f"cannot read the header: {error}", path=str(path), field=f"line {line}")
                header = [h.strip() for h in fields]
                if header and header[0].startswith("\ufeff"):
                    header[0] = header[0][1:]
                converter = RowConverter(mapping, mapping.check_header(header, str(path)))
                continue
            report.rows_read += 1
            if fields is None:  # the parser refused it, with ``error`` saying why
                report.skip(line, error or "malformed CSV", "malformed CSV")
                continue
            try:
                row = converter.convert(fields, line, report.rows_read)
            except RowError as exc:
                report.skip(line, exc.message, exc.kind)
                continue
            if len(row.ticket_key) > MAX_ID:
                report.skip(line, f"ticket id longer than {MAX_ID} characters", "bad id")
                continue
            rows.append(row)
            if progress is not None and report.rows_read % 2000 == 0:
                progress("reading", source.position(), source.size)
        if header is None:
            raise ValidationError("the file is empty (no header line)", path=str(path))
        if progress is not None:
            progress("reading", source.size, source.size)
    finally:
        source.close()
    return rows


# -- from rows to events ---------------------------------------------------------------------


class TicketBuilder:
    """The events of one ticket from its rows (see the module docstring for the rules)."""

    def __init__(self, mapping: Mapping, report: ImportReport):
        self.m = mapping
        self.report = report
        self.keep_missing = mapping.update_rows == "changes"

    def _event(self, tid: str, seed: str, at: datetime, by: str | None, action: str, **parts) -> Event:
        return Event(id=event_id_from(at, f"{self.m.source}:{seed}"), ticket=tid, at=at, by=by or self.m.actor,
                     action=action, **{k: v for k, v in parts.items() if v})

    def _creation(self, tid: str, key: str, row: Row, at: datetime, status: str | None, comment: bool = True) -> Event:
        fields = row.fields
        state = {"title": fields.get("title"), "status": status or self.m.initial_status}
        state.update((k, v) for k, v in fields.items() if v is not None and k not in state)
        if state["title"] is None:
            del state["title"]
        state["external"] = {"source": self.m.source, "id": key}
        add = {}
        if row.tags:
            add["tags"] = sorted(row.tags)
        if row.kb:
            add["kb"] = sorted(row.kb)
        note = {"body": row.comment, "public": self.m.comments_public} if row.comment and comment else None
        return self._event(tid, f"{key}:created", at, row.created_by or row.by, "import", set=state, add=add, comment=note)

    def _action(self, old_status: str | None, changes: dict, add: dict, remove: dict, comment, old_tier) -> str:
        closed = self.m.closed_statuses
        if "status" in changes:
            new = changes["status"]
            if new in closed:
                return "close" if new == "closed" else "resolve"
            if old_status in closed:
                return "reopen"
            if new in self.m.pausing_statuses:
                return "pending"
            return "set"
        if changes.get("tier") is not None and old_tier is not None and changes["tier"] > old_tier:
            return "escalate"
        if changes and set(changes) <= {"assignee", "team"}:
            return "assign"
        if not changes:
            kinds = set(add) | set(remove)
            if kinds == {"tags"}:
                return "tag"
            if kinds == {"kb"}:
                return "link"
            if not kinds and comment:
                return "comment"
        return "set"

    def audit(self, key: str, rows: list[Row]) -> list[tuple[Event, Row]]:
        """Events of one ticket from its update rows (already in update order)."""
        tid = ticket_id_from(f"{self.m.source}:{key}")
        first = rows[0]
        created = first.opened
        # the ticket opens in the initial status with the first row's details; the first row's own
        # status (and comment) is then a change at the row's time, like every later row's
        events = [(self._creation(tid, key, first, created, None, comment=False), first)]
        state = dict(first.fields)
        state["status"] = self.m.initial_status
        tags, kb = set(first.tags), set(first.kb)
        last_at = created
        seen: Counter = Counter()
        for row in rows:
            new_state = row.fields
            changes = {}
            for name, value in new_state.items():
                if value is None and (name == "status" or self.keep_missing):
                    continue  # no status (or a sparse log's empty cell): unchanged
                if state.get(name) != value:
                    changes[name] = value
            add, remove = {}, {}
            for kind, current, new in (("tags", tags, row.tags), ("kb", kb, row.kb)):
                plus = new - current
                minus = set() if self.keep_missing else current - new
                if plus:
                    add[kind] = sorted(plus)
                if minus:
                    remove[kind] = sorted(minus)
            comment = {"body": row.comment, "public": self.m.comments_public} if row.comment else None
            if not (changes or add or remove or comment):
                self.report.rows_unchanged += 1
                continue
            at, reason = row.at, None
            if at < created:
                reason = f"source time {format_time(at)} is before the ticket's creation: recorded at the creation"
                self.report.times_adjusted += 1
            if at <= last_at:
                at = last_at + TICK
            seen[row.key] += 1
            action = self._action(state.get("status"), changes, add, remove, comment, state.get("tier"))
            events.append((self._event(tid, f"{key}:{row.key}:{seen[row.key]}", at, row.by, action, set=changes,
                                       add=add, remove=remove, comment=comment, reason=reason), row))
            state.update(changes)
            tags = (tags | row.tags) - (set(remove.get("tags", ())))
            kb = (kb | row.kb) - (set(remove.get("kb", ())))
            last_at = at
        return events

    def ticket(self, key: str, row: Row) -> list[tuple[Event, Row]]:
        """Events of one ticket from its single row (tickets mode)."""
        tid = ticket_id_from(f"{self.m.source}:{key}")
        created = row.opened
        final = row.fields.get("status")
        closed = self.m.closed_statuses
        events = [(self._creation(tid, key, row, created, None if final in closed else final), row)]
        if final not in closed:
            return events
        last_at = created
        steps = []
        if final != "resolved" and row.resolved is not None and "resolved" in self.m.choices["status"]:
            steps.append(("resolved", row.resolved))
        if final == "resolved":
            steps.append(("resolved", row.resolved or row.updated or row.closed or created))
        else:
            steps.append((final, row.closed or row.updated or row.resolved or created))
        for status, at in steps:
            reason = None
            if at < created:
                reason = f"source time {format_time(at)} is before the ticket's creation: recorded at the creation"
                self.report.times_adjusted += 1
            if at <= last_at:
                at = last_at + TICK
            action = "close" if status == "closed" else "resolve"
            events.append((self._event(tid, f"{key}:status:{status}", at, row.by, action, set={"status": status},
                                       reason=reason), row))
            last_at = at
        return events


def build_events(rows: list[Row], mapping: Mapping, report: ImportReport,
                 progress: Progress | None = None) -> list[list[tuple[Event, Row]]]:
    """Group rows into tickets and turn each into its events (one list per ticket)."""
    builder = TicketBuilder(mapping, report)
    groups: dict[str, list[Row]] = {}
    for row in rows:
        group = groups.get(row.ticket_key)
        if group is None:
            groups[row.ticket_key] = [row]
        elif mapping.mode == "tickets":
            report.skip(row.line, f"ticket {row.ticket_key!r} already came on line {group[0].line} "
                                  "(tickets mode takes one row per ticket)", "duplicate id", row.ticket_key)
        else:
            group.append(row)
    out = []
    total = len(groups)
    for n, (key, group) in enumerate(groups.items(), 1):
        if mapping.mode == "audit":
            group.sort(key=lambda r: (r.updated, r.order))
            out.append(builder.audit(key, group))
        else:
            out.append(builder.ticket(key, group[0]))
        if progress is not None and n % 500 == 0:
            progress("preparing", n, total)
    report.tickets = len(out)
    return out


def check_events(tickets: list[list[tuple[Event, Row]]], config: Config, report: ImportReport) -> list[list[Event]]:
    """Check every event as the store will read it; a bad one skips its row (or its whole ticket)."""
    from gitdesk.yamlio import dump_yaml

    statuses = tuple(config.statuses)
    max_bytes = int(config["limits"]["max_file_bytes"])
    out: list[list[Event]] = []
    for pairs in tickets:
        kept: list[Event] = []
        ids: set[str] = set()
        for n, (event, row) in enumerate(pairs):
            problem = None
            data = event.to_dict()
            try:
                parse_event(data, statuses=statuses)
            except ValidationError as exc:
                problem = f"{exc.field}: {exc.message}" if exc.field else exc.message
            if problem is None and _size_hint(data) * 4 + 4096 > max_bytes:
                if len(dump_yaml(data).encode("utf-8")) > max_bytes:
                    problem = f"the change is larger than the limit of {max_bytes} bytes for one event file"
            if problem is None and event.id in ids:  # pragma: no cover - seeds differ by row content
                problem = "two rows give the same event id"
            if problem is not None:
                if n == 0:
                    report.skip(row.line, f"ticket {row.ticket_key!r} not imported: {problem}", "bad event", row.ticket_key)
                    for _, other in pairs[1:]:
                        report.skip(other.line, f"ticket {row.ticket_key!r} not imported (see line {row.line})",
                                    "bad event", row.ticket_key)
                    kept = []
                    break
                report.skip(row.line, problem, "bad event", row.ticket_key)
                continue
            ids.add(event.id)
            kept.append(event)
        if kept:
            out.append(kept)
    report.tickets = len(out)
    return out


def _size_hint(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_size_hint(v) + len(str(k)) for k, v in value.items())
    if isinstance(value, list):
        return sum(_size_hint(v) for v in value)
    return 8


# -- the whole import ------------------------------------------------------------------------


def import_csv(repo, config: Config, file: str | Path, mapping: Mapping | str | Path, *, dry_run: bool = False,
               progress: Progress | None = None, store=None) -> ImportReport:
    """Import ``file`` into ``repo``'s file store with ``mapping``; see the module docstring."""
    started = time.perf_counter()
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping, config)
    if store is None:
        from gitdesk.backend import open_store

        store = open_store(repo, config)
    if not store.file_backed:
        raise UsageError("import writes YAML events: it needs the files backend (backend: files in helpdesk.yml); "
                         "import into a files desk, then sync it to GitHub", field="backend")
    path = Path(file)
    report = ImportReport(file=str(file), mapping=mapping.path, source=mapping.source, mode=mapping.mode, dry_run=dry_run)
    rows = read_rows(path, mapping, report, progress)
    tickets = check_events(build_events(rows, mapping, report, progress), config, report)
    del rows
    report.events = sum(len(events) for events in tickets)
    report.tickets_new = sum(1 for events in tickets if not store.has_event(events[0]))
    if dry_run:
        report.events_written = 0
        report.events_present = sum(1 for events in tickets for e in events if store.has_event(e))
    else:
        written = _write(store, tickets, report.events, progress)
        report.events_written = written
        report.events_present = report.events - written
    report.seconds = time.perf_counter() - started
    return report


def _write(store, tickets: list[list[Event]], total: int, progress: Progress | None) -> int:
    """Write the events without an fsync each, then flush everything once."""

    def stream() -> Iterator[Event]:
        done = 0
        for events in tickets:
            for event in events:
                yield event
                done += 1
                if progress is not None and done % 1000 == 0:
                    progress("writing", done, total)
        if progress is not None:
            progress("writing", total, total)
            progress("indexing", 0, 0)

    paths: list | None = None  # None while writing: an interrupted write is flushed too
    try:
        paths = written = store.append_many(stream(), durable=False)
    except OSError as exc:
        raise GitdeskError(f"cannot write: {exc.strerror}", path=str(exc.filename or store.tickets_dir)) from None
    finally:
        if hasattr(os, "sync") and (paths is None or paths):
            os.sync()  # one flush for every file written (each was written without fsync)
    return len(written)
