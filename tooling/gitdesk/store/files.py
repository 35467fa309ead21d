"""The embedded default store: immutable YAML event files under ``tickets/``.

Layout: ``tickets/<first two characters of the ticket id>/<ticket id>.<event id>.yml``. One file
per change, written once through a temporary file and a hard link (so an existing name is never
replaced and a killed process leaves no partial file); no file is ever rewritten. Two clones only
ever add different files, so ``git merge`` (or a forge's merge button) cannot conflict. Bucket
folders keep directories small and let the cache notice new files with ~1,000 ``stat`` calls
instead of one per ticket.
"""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from gitdesk.config import Config
from gitdesk.errors import AmbiguousIdError, NotFoundError, UsageError, ValidationError
from gitdesk.model.event import Event, parse_event
from gitdesk.model.ids import normalize_ref
from gitdesk.model.reducer import reduce_events
from gitdesk.model.ticket import Ticket
from gitdesk.repo import Repo
from gitdesk.store.base import Filters, Revisions, TicketStore, Written
from gitdesk.store.cache import TicketCache, select_sql
from gitdesk.yamlio import atomic_write, dump_yaml, load_yaml_file

BUCKET_LEN = 2
CACHE_FILE = "cache.sqlite3"


def bucket_of(ticket_id: str) -> str:
    return ticket_id[:BUCKET_LEN]


def event_path(tickets_dir: Path, event: Event) -> Path:
    return tickets_dir / bucket_of(event.ticket) / f"{event.ticket}.{event.id}.yml"


class FileStore(TicketStore):
    """Tickets as YAML events in a folder (usually a git work tree)."""

    file_backed = True

    def __init__(self, repo: Repo, config: Config):
        self.repo = repo
        self.config = config
        self.tickets_dir = repo.tickets_dir
        self.max_bytes = int(config["limits"]["max_file_bytes"])
        self.statuses = tuple(config.statuses)
        self.cache = TicketCache(
            self.tickets_dir, repo.cache_dir / CACHE_FILE,
            git_root=repo.git_toplevel, load_file=self.load_event_file, max_bytes=self.max_bytes,
            statuses=self.statuses,
        )
        self._refreshed_all = False

    # -- files -----------------------------------------------------------------------------
    def load_event_file(self, path: Path, display: str | None = None) -> Event:
        """Read, check and return one event file; errors name the file and the field."""
        display = display or str(path)
        data = load_yaml_file(path, max_bytes=self.max_bytes, display=display)
        return parse_event(data, path=display, statuses=self.statuses)

    def write_event(self, event: Event, *, durable: bool = True) -> Path:
        """Write one new event file atomically; never replaces an existing file."""
        path = event_path(self.tickets_dir, event)
        text = dump_yaml(event.to_dict())
        if len(text.encode("utf-8")) > self.max_bytes:
            raise ValidationError(f"the change is larger than the limit of {self.max_bytes} bytes", path=str(path.relative_to(self.repo.root)))
        atomic_write(path, text, exclusive=True, durable=durable)
        return path

    # -- reading ---------------------------------------------------------------------------
    def _buckets_for_prefix(self, prefix: str) -> list[str] | None:
        if len(prefix) >= BUCKET_LEN:
            return [prefix[:BUCKET_LEN]]
        return None

    def resolve(self, ref: str) -> str:
        """A full id for an id or unambiguous prefix (``HD-7K2M``), an imported ticket's original
        id (``T-5``, ``INC0000045``: ``external.id``) or a synced GitHub issue (``#123``:
        ``external.number``). Several matches across these kinds refuse, listing them all."""
        text = (ref or "").strip()
        prefix = normalize_ref(text, self.config.id_prefix)
        if prefix is not None and len(prefix) == len(text) == 10:  # a whole id: the common case, no other lookup
            found = self._by_prefix(prefix)
            if len(found) == 1:
                return found[0]
        number = int(text[1:]) if text.startswith("#") and text[1:].isdigit() else None
        original = None if number is not None or not text else text
        # a whole id that names no ticket (a fresh id checked before use) is not worth a full refresh
        outside = self._by_external(original, number, refresh=not (prefix is not None and len(prefix) == len(text) == 10
                                                                   and prefix == text.upper()))
        if number is not None and outside:  # "#123": the GitHub issue first, then an id prefix
            prefix = None
        inside = self._by_prefix(prefix) if prefix is not None else []
        if number is None and not text.startswith("#") and prefix is None and not outside:
            raise UsageError(f"not a ticket id: {ref!r} (ids use 0-9 and A-Z without I, L, O, U; "
                             "or an imported ticket's original id)", field="ticket")
        named = {tid: f"{self.config.id_prefix}-{tid}" for tid in inside}
        for tid, source, original_id in outside:
            named[tid] = f"{self.config.id_prefix}-{tid} ({source} {original_id})"
        if not named:
            raise NotFoundError(f"no ticket matches {ref!r}", field="ticket")
        if len(named) > 1:
            shown = ", ".join(list(named.values())[:5])
            raise AmbiguousIdError(f"{ref!r} matches several tickets ({shown}{', ...' if len(named) > 5 else ''}): "
                                   "type more characters or the full id", field="ticket")
        return next(iter(named))

    def _by_prefix(self, prefix: str) -> list[str]:
        self.cache.refresh(self._buckets_for_prefix(prefix))
        return self.cache.ids_between(prefix, prefix + "~", 6)

    def _by_external(self, original: str | None, number: int | None, refresh: bool = True) -> list[tuple[str, str, str]]:
        """Tickets recorded with this original id or issue number; the whole cache is brought up
        to date (once per store, when ``refresh``) only when the cache as it is finds none."""
        if original is None and number is None:
            return []
        found = self.cache.by_external(original, number)
        if not found and refresh and not self._refreshed_all:
            self._refreshed_all = True
            self.cache.refresh()
            found = self.cache.by_external(original, number)
        return found

    def get(self, ref: str) -> Ticket:
        ticket_id = self.resolve(ref)
        whole = self.cache.whole(ticket_id)
        if whole is None:  # pragma: no cover - removed since resolve() found it
            raise NotFoundError(f"no ticket matches {ref!r}", field="ticket")
        return Ticket(json.loads(whole))

    def _query(self, column: str, filters: Filters | None, sort: str, reverse: bool, limit: int | None):
        """Rows of ``column`` for the matching tickets, from a cache checked against the disk.

        git's check for files edited in place runs while the query does; in the rare case it
        finds one, the cache takes it in and the query runs again. Whole tickets (``full``,
        hundreds of megabytes for a large desk) are streamed instead, after the check.
        ``summary, timeline`` (a tenth of that) pairs each summary with its timeline.
        """
        sql, params = select_sql(column, filters, sort, reverse, limit)  # a bad sort fails before any work
        pending = self.cache.refresh_started()
        if column == "full":
            pending.finish()
            return self.cache.con.execute(sql, params)
        try:
            rows = self.cache.con.execute(sql, params).fetchall()
        finally:
            changed = pending.finish()
        if changed:
            rows = self.cache.con.execute(sql, params).fetchall()
        return rows

    def list(self, filters: Filters | None = None, sort: str = "created", reverse: bool = False, limit: int | None = None) -> list[Ticket]:
        return [Ticket(json.loads(row[0])) for row in self._query("summary", filters, sort, reverse, limit)]

    def list_json_rows(self, filters: Filters | None = None, sort: str = "created", reverse: bool = False,
                       limit: int | None = None, *, checked: bool = True) -> builtins.list[str]:
        # the cache holds each summary as JSON text already: hand it over, do not parse (the
        # caller writes a few thousand at a time, so 100,000 tickets never become one 90 MB string)
        if not checked and self.cache.con.execute("SELECT 1 FROM tickets LIMIT 1").fetchone():
            sql, params = select_sql("summary", filters, sort, reverse, limit)
            return [row[0] for row in self.cache.con.execute(sql, params)]
        return [row[0] for row in self._query("summary", filters, sort, reverse, limit)]

    def all(self, filters: Filters | None = None) -> Iterator[Ticket]:
        for row in self._query("full", filters, "created", False, None):
            yield Ticket(json.loads(row[0]))

    def all_timelines(self, filters: Filters | None = None) -> Iterator[Ticket]:
        for summary, cut in self._query("summary, timeline", filters, "created", False, None):
            data = json.loads(summary)
            data.update(json.loads(cut))
            yield Ticket(data)

    def known_ids(self) -> builtins.list[str]:
        """Every ticket id, sorted, as of the last read (no disk check: for the id prefixes of
        rows that read has just listed)."""
        return self.cache.ids()

    def revisions(self) -> Revisions:
        """The cache's row ids: a ticket's row is replaced (a new rowid) whenever it changes; the
        cache file's identity changes when the cache is rebuilt."""
        self.list(limit=0)  # bring the cache in line with the files
        st = os.stat(self.cache.cache_file)
        return Revisions(f"{st.st_dev}:{st.st_ino}", self.cache.versions())

    def whole_tickets(self, ids: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        for ticket_id, full in self.cache.bodies(ids):
            yield ticket_id, json.loads(full)

    def all_ids(self) -> builtins.list[str]:
        return [row[0] for row in self._query("id", None, "id", False, None)]

    def events(self, ref: str) -> builtins.list[Event]:
        ticket_id = self.resolve(ref)
        return sorted((parse_event(json.loads(text)) for text in self.cache.event_texts(ticket_id)), key=lambda e: e.key)

    def event_files(self, ref: str) -> builtins.list[Path]:
        ticket_id = self.resolve(ref)
        return [self.tickets_dir / b / n for b, n in self.cache.file_keys(ticket_id)]

    def has_event(self, event: Event) -> bool:
        return event_path(self.tickets_dir, event).exists()

    def path_of(self, event: Event) -> Path:
        return event_path(self.tickets_dir, event)

    # -- writing ---------------------------------------------------------------------------
    def append(self, event: Event) -> Written:
        path = self.write_event(event)
        self.cache.refresh([bucket_of(event.ticket)])
        whole = self.cache.whole(event.ticket)
        if whole is None:  # pragma: no cover - the file was just written
            return Written(Ticket(reduce_events([event])), path)
        return Written(Ticket(json.loads(whole)), path)

    def append_many(self, events: Iterable[Event], *, durable: bool = True) -> builtins.list[Path]:
        """Write many events (imports) and refresh the cache once (``durable=False``: no fsync each)."""
        paths = []
        buckets = set()
        for event in events:
            if self.has_event(event):
                continue
            paths.append(self.write_event(event, durable=durable))
            buckets.add(bucket_of(event.ticket))
        if buckets:
            self.cache.refresh(buckets if len(buckets) < 64 else None)
        return paths
