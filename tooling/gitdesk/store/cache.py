"""The derived ticket cache: a local SQLite file that is never stale and never committed.

Reading 100,000 tickets' YAML takes minutes; reading them from here takes a fraction of a
second. The cache mirrors the event files (name, size, change stamp, parsed event) and the tickets
derived from them, and checks itself against the disk before every read:

- each bucket folder's mtime changes when a file in it is added, removed or renamed (new
  events, atomic writes, ``git pull``/``checkout``, deletions): a changed bucket is re-listed
  and every file in it re-stat'ed;
- a file edited in place does not touch its folder: inside a git work tree ``git status``
  (run in parallel, in C, with the index as its stat cache) names the tracked files that
  changed, and files git does not track are re-stat'ed every time; outside git every file is
  re-stat'ed;
- a file edited in place and then committed leaves ``git status`` clean: when git's index has
  changed since the last whole read, the files touched by the commits since then are re-stat'ed;
- a file's change stamp is the later of its mtime and its ctime: ``cp -p`` or ``touch -r`` can
  put an old mtime back after an edit of the same size, never an old ctime;
- stat data younger than two seconds is not trusted (timestamps are coarse), the way git
  handles "racy" index entries;
- a file whose stat data changed is read and hashed (git's blob id of its bytes): when the hash
  is the one recorded, its content is what was parsed, so only the stat data is updated. A
  cache restored into a fresh checkout (every mtime new: CI restoring ``.gitdesk/``) is thus
  refreshed by hashing the files instead of parsing them again, and is never trusted as it is.

Only tickets whose files changed are derived again. Writers hold SQLite's write lock while they
compare and update, so two processes refreshing at once cannot leave a stale row behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from gitdesk.errors import UsageError, ValidationError
from gitdesk.model.event import Event, parse_event
from gitdesk.model.ids import event_file_problem
from gitdesk.model.reducer import reduce_events
from gitdesk.model.ticket import SUMMARY_DROP, timeline
from gitdesk.sqlitecache import open_cache
from gitdesk.store.base import NO_PRIORITY, PRIORITY_RANK, Filters, requester_text
from gitdesk.yamlio import read_bytes_within

SCHEMA_VERSION = "7"  # 6: stamp_ns (the later of mtime and ctime); 7: files.oid
RACY_NS = 2_000_000_000
PARALLEL_PARSE_MIN = 4000

_DDL = """
CREATE TABLE IF NOT EXISTS buckets (bucket TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    bucket TEXT NOT NULL, name TEXT NOT NULL, ticket TEXT NOT NULL,
    size INTEGER NOT NULL, stamp_ns INTEGER NOT NULL, tracked INTEGER NOT NULL DEFAULT 0,
    event TEXT NOT NULL, oid TEXT, PRIMARY KEY (bucket, name));
CREATE INDEX IF NOT EXISTS files_ticket ON files (ticket);
CREATE INDEX IF NOT EXISTS files_untracked ON files (tracked) WHERE tracked = 0;
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, status TEXT, priority TEXT, prio_rank INTEGER, category TEXT,
    assignee TEXT, team TEXT, tier INTEGER, requester TEXT, asset TEXT, tags TEXT,
    title TEXT, created TEXT, updated TEXT, summary TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (id TEXT PRIMARY KEY, full TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS timelines (id TEXT PRIMARY KEY, timeline TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tickets_created ON tickets (created, id);
CREATE INDEX IF NOT EXISTS tickets_updated ON tickets (updated, id);
CREATE INDEX IF NOT EXISTS tickets_priority ON tickets (prio_rank, created, id);
CREATE INDEX IF NOT EXISTS tickets_status ON tickets (status);
CREATE INDEX IF NOT EXISTS tickets_external_id ON tickets (upper(json_extract(summary, '$.external.id')));
CREATE INDEX IF NOT EXISTS tickets_external_number ON tickets (json_extract(summary, '$.external.number'));
"""


def _stamp(st: os.stat_result) -> int:
    """When a file last changed: the later of its mtime and its inode change time. Tools that
    keep the mtime of a file they rewrite (``cp -p``, ``rsync -t``, ``tar``, ``touch -r``) cannot
    set the ctime, so a same-size edit in place still moves the stamp. The two-second "racy"
    rule looks at the mtime only: a chmod or a new hard link moves the ctime too, and a file
    re-read for that would be derived again for nothing."""
    return max(st.st_mtime_ns, st.st_ctime_ns)


def event_from_json(text: str) -> Event:
    return parse_event(json.loads(text))


def blob_oid(path: str | Path, max_bytes: int) -> str | None:
    """Git's blob id of the file's bytes (what ``git hash-object`` prints); None when it cannot
    be read or is over the size limit (the parse then reports why)."""
    data = read_bytes_within(path, max_bytes)
    return None if data is None else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _parse_file(args: tuple[str, str, int, tuple | None]) -> tuple[dict | None, tuple | None]:
    """Worker: read and check one event file (used in a process pool for cold builds)."""
    path, display, max_bytes, statuses = args
    from gitdesk.yamlio import load_yaml_file

    try:
        data = load_yaml_file(path, max_bytes=max_bytes, display=display)
        parse_event(data, path=display, statuses=statuses)
        return data, None
    except ValidationError as exc:
        return None, (exc.message, exc.path, exc.field)


class PendingRefresh:
    """A refresh whose git check is still running (see :meth:`TicketCache.refresh_started`)."""

    def __init__(self, cache: TicketCache, only, git_proc, changed: int):
        self.cache, self.only, self.git_proc, self.changed = cache, only, git_proc, changed

    def finish(self) -> int:
        """Wait for git; bring in what it found; the number of tickets derived again."""
        if self.git_proc is None:
            return 0
        proc, self.git_proc = self.git_proc, None
        suspects = self.cache._collect_git(proc)
        return self.cache._apply_if_dirty(self.only, suspects) if suspects else 0


class TicketCache:
    """SQLite mirror of ``tickets/``; see the module docstring for the rules."""

    def __init__(self, tickets_dir: Path, cache_file: Path, *, git_root: Path | None,
                 load_file: Callable[[Path, str], Event], max_bytes: int,
                 statuses: tuple[str, ...] | None = None):
        self.tickets_dir = tickets_dir
        self.cache_file = cache_file
        self.git_root = git_root
        self.load_file = load_file
        self.max_bytes = max_bytes
        self.statuses = statuses
        self._con: sqlite3.Connection | None = None

    # -- connection ------------------------------------------------------------------------
    @property
    def con(self) -> sqlite3.Connection:
        if self._con is None:
            self._con = add_functions(open_cache(self.cache_file, _DDL, SCHEMA_VERSION, synchronous="NORMAL"))
        return self._con

    # -- reading (every query of the ticket cache is in this module) -------------------------
    def ids_between(self, low: str, high: str, limit: int) -> list[str]:
        """Ticket ids ``low <= id < high`` (the tickets an id prefix names), at most ``limit``."""
        return [r[0] for r in self.con.execute("SELECT id FROM tickets WHERE id >= ? AND id < ? LIMIT ?", (low, high, limit))]

    def by_external(self, original: str | None, number: int | None) -> list[tuple[str, str, str]]:
        """``(id, source, original id)`` of the tickets an import or a sync recorded with this
        original id (any case) or GitHub issue number (both indexed)."""
        sql = ("SELECT id, json_extract(summary, '$.external.source'), json_extract(summary, '$.external.id') FROM tickets "
               "WHERE " + ("upper(json_extract(summary, '$.external.id')) = ?" if original is not None
                           else "json_extract(summary, '$.external.number') = ?") + " ORDER BY id LIMIT 6")
        return [(str(a), str(b), str(c)) for a, b, c in self.con.execute(sql, (original.upper() if original is not None else number,))]

    def whole(self, ticket_id: str) -> str | None:
        """The whole ticket's JSON text, None when there is no such ticket."""
        row = self.con.execute("SELECT full FROM bodies WHERE id=?", (ticket_id,)).fetchone()
        return row[0] if row else None

    def ids(self) -> list[str]:
        """Every ticket id, sorted (no disk check)."""
        return [row[0] for row in self.con.execute("SELECT id FROM tickets ORDER BY id")]

    def event_texts(self, ticket_id: str) -> list[str]:
        """The JSON of each event of one ticket, in no particular order."""
        return [r[0] for r in self.con.execute("SELECT event FROM files WHERE ticket=?", (ticket_id,))]

    def file_keys(self, ticket_id: str) -> list[tuple[str, str]]:
        """``(bucket, file name)`` of each event file of one ticket, by name."""
        return self.con.execute("SELECT bucket, name FROM files WHERE ticket=? ORDER BY name", (ticket_id,)).fetchall()

    def versions(self) -> dict[str, int]:
        """Each ticket's rowid: INSERT OR REPLACE gives a changed ticket a new one."""
        return dict(self.con.execute("SELECT id, rowid FROM tickets"))

    def bodies(self, ids: Iterable[str], chunk: int = 500) -> Iterable[tuple[str, str]]:
        """``(id, whole ticket JSON)`` for ``ids``, a chunk of them per query."""
        ids = list(ids)
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            yield from self.con.execute(f"SELECT id, full FROM bodies WHERE id IN ({','.join('?' * len(part))})", part)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    # -- scanning the disk -----------------------------------------------------------------
    def _disk_buckets(self, only: Iterable[str] | None) -> dict[str, int]:
        out: dict[str, int] = {}
        if only is None:
            try:
                entries = list(os.scandir(self.tickets_dir))
            except FileNotFoundError:
                return {}
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    out[entry.name] = entry.stat(follow_symlinks=False).st_mtime_ns
        else:
            for bucket in only:
                try:
                    st = os.stat(self.tickets_dir / bucket, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                out[bucket] = st.st_mtime_ns
        return out

    def _git_modified(self, buckets: Iterable[str] | None) -> subprocess.Popen | None:
        if self.git_root is None:
            return None
        rel = os.path.relpath(self.tickets_dir, self.git_root)
        paths = [rel] if buckets is None else [f"{rel}/{b}" for b in buckets]
        if not paths:
            return None
        return subprocess.Popen(
            ["git", "-c", "core.quotepath=off", "status", "--porcelain=v1", "-z", "--untracked-files=no",
             "--ignore-submodules", "--", *paths],
            cwd=self.git_root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        )

    def _collect_git(self, proc: subprocess.Popen | None) -> set[tuple[str, str]]:
        if proc is None:
            return set()
        out, _ = proc.communicate()
        if proc.returncode != 0:
            return set()
        return self._keys(record[3:] for record in out.decode("utf-8", "replace").split("\0") if len(record) >= 4)

    # -- refresh ---------------------------------------------------------------------------
    def refresh(self, buckets: Iterable[str] | None = None) -> int:
        """Bring the cache in line with the disk (all buckets, or only ``buckets``).

        Returns the number of tickets derived again.
        """
        pending = self.refresh_started(buckets)
        return pending.changed + pending.finish()

    def refresh_started(self, buckets: Iterable[str] | None = None) -> PendingRefresh:
        """Everything but the in-place-edit check of a whole-store read, which runs on (git
        status, in its own process) while the caller queries the cache; ``finish()`` says
        whether it found anything, so the caller queries again only then.

        A read of a few buckets (one ticket) stats every file of those buckets instead: a few
        hundred ``stat`` calls cost less than git reading an index of 400,000 entries.
        """
        only = None if buckets is None else sorted(set(buckets))
        git_proc = self._git_modified(None) if only is None else None
        try:
            index = self._index_changes() if only is None else None
            changed = self._apply_if_dirty(only, index["suspects"] if index else set())
            if index:
                self.learn_tracked(index)
        except BaseException:
            if git_proc is not None:
                git_proc.kill()
                git_proc.wait()
            raise
        return PendingRefresh(self, only, git_proc, changed)

    def _apply_if_dirty(self, only, suspects: set[tuple[str, str]] | None) -> int:
        """``suspects``: files to stat besides the usual ones; None: every file."""
        if suspects is None:
            suspects = set(self.con.execute("SELECT bucket, name FROM files"))
        plan = self._plan(only, suspects=suspects)
        if not plan["dirty"]:
            return 0
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            # redo the comparison under the write lock: another process may have done it already
            plan = self._plan(only, suspects=plan["suspects"])
            changed = self._apply(plan)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return changed

    def _plan(self, only, suspects: set[tuple[str, str]] | None = None) -> dict:
        con = self.con
        now_ns = time.time_ns()
        disk = self._disk_buckets(only)
        if only is None:
            cached = dict(con.execute("SELECT bucket, mtime_ns FROM buckets"))
        else:
            cached = {}
            for bucket in only:
                row = con.execute("SELECT mtime_ns FROM buckets WHERE bucket=?", (bucket,)).fetchone()
                if row is not None:
                    cached[bucket] = row[0]
        changed_buckets = [b for b, m in disk.items() if cached.get(b) != m]
        gone_buckets = [b for b in cached if b not in disk]
        suspects = set(suspects or ())
        # files git does not track: their folder does not change when they are edited in place
        if only is None:
            suspects.update(con.execute("SELECT bucket, name FROM files WHERE tracked = 0"))
        else:
            for bucket in only:
                suspects.update(con.execute("SELECT bucket, name FROM files WHERE tracked = 0 AND bucket=?", (bucket,)))
        if only is not None:  # a few buckets: stat every file rather than ask git
            for bucket in only:
                suspects.update(con.execute("SELECT bucket, name FROM files WHERE bucket=?", (bucket,)))
        elif self.git_root is None:  # no index to ask: every file is a suspect
            suspects.update(con.execute("SELECT bucket, name FROM files"))
        suspects = {s for s in suspects if s[0] not in changed_buckets}

        upserts: dict[tuple[str, str], os.stat_result] = {}
        deletes: set[tuple[str, str]] = set()
        for bucket in changed_buckets:
            known = {name: (size, stamp) for name, size, stamp in
                     con.execute("SELECT name, size, stamp_ns FROM files WHERE bucket=?", (bucket,))}
            seen = set()
            with os.scandir(self.tickets_dir / bucket) as it:
                for entry in it:
                    if event_file_problem(bucket, entry.name):  # wrong bucket or name: never applied (check names it)
                        continue
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    seen.add(entry.name)
                    st = entry.stat(follow_symlinks=False)
                    if known.get(entry.name) != (st.st_size, _stamp(st)) or now_ns - st.st_mtime_ns < RACY_NS:
                        upserts[(bucket, entry.name)] = st
            deletes.update((bucket, name) for name in known if name not in seen)
        known_stat = self._known_stat(suspects)
        for bucket, name in suspects:
            path = self.tickets_dir / bucket / name
            row = known_stat.get((bucket, name))
            try:
                st = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                if row is not None:
                    deletes.add((bucket, name))
                continue
            if row is None or (row[0], row[1]) != (st.st_size, _stamp(st)) or now_ns - st.st_mtime_ns < RACY_NS:
                upserts[(bucket, name)] = st
        for bucket in gone_buckets:
            deletes.update(con.execute("SELECT bucket, name FROM files WHERE bucket=?", (bucket,)))
        bucket_marks = {b: (0 if now_ns - m < RACY_NS else m) for b, m in disk.items() if b in changed_buckets}
        dirty = bool(upserts or deletes or changed_buckets or gone_buckets)
        return {"upserts": upserts, "deletes": deletes, "buckets": bucket_marks, "gone": gone_buckets,
                "dirty": dirty, "suspects": suspects, "now": now_ns, "whole": only is None}

    def _known_stat(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
        """Recorded (size, stamp) of ``keys``: per bucket in one query, not one query per file."""
        out: dict[tuple[str, str], tuple[int, int]] = {}
        for bucket in {b for b, _ in keys}:
            for name, size, stamp in self.con.execute("SELECT name, size, stamp_ns FROM files WHERE bucket=?", (bucket,)):
                if (bucket, name) in keys:
                    out[(bucket, name)] = (size, stamp)
        return out

    def _recorded_oids(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The blob ids recorded for ``keys`` (per bucket in one query)."""
        wanted = set(keys)
        out: dict[tuple[str, str], str] = {}
        for bucket in {b for b, _ in wanted}:
            for name, oid in self.con.execute("SELECT name, oid FROM files WHERE bucket=? AND oid IS NOT NULL", (bucket,)):
                if (bucket, name) in wanted:
                    out[(bucket, name)] = oid
        return out

    def _index_stamp(self) -> str | None:
        """When git's index last changed (``git add``, commit, checkout): files may have become
        tracked. None outside git."""
        if self.git_root is None:
            return None
        dotgit = self.git_root / ".git"
        index = dotgit / "index" if dotgit.is_dir() else None
        if index is None:  # a linked work tree or submodule: ask git where its index is
            proc = subprocess.run(["git", "rev-parse", "--git-path", "index"], cwd=self.git_root, capture_output=True, text=True)
            index = self.git_root / proc.stdout.strip()
        try:
            st = os.stat(index)
        except OSError:
            return None
        return f"{st.st_mtime_ns}:{st.st_size}"

    def _index_changes(self) -> dict | None:
        """What changed since the last whole read saw git's index, when it has changed since
        (``git add``, commit, checkout; None otherwise and outside git).

        ``suspects`` are the files the commits since then touched: a file edited in place and
        committed leaves neither ``git status`` nor its folder any trace, only the commit does
        (None, every file, when git cannot say: the old commit is gone).
        """
        stamp = self._index_stamp()
        if stamp is None:
            return None
        known = dict(self.con.execute("SELECT key, value FROM meta WHERE key IN ('index_stamp', 'head')"))
        if known.get("index_stamp") == stamp:
            return None
        head = (self._git_text("rev-parse", "-q", "--verify", "HEAD") or "").strip()
        old = known.get("head")
        suspects: set[tuple[str, str]] | None = set()
        if old and head and old != head:
            names = self._git_text("diff", "--name-only", "-z", "--no-renames", old, head, "--", self._rel())
            suspects = None if names is None else self._keys(names.split("\0"))
        return {"stamp": stamp, "head": head, "suspects": suspects}

    def _git_text(self, *args: str) -> str | None:
        proc = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=self.git_root, capture_output=True,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
        return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None

    def _rel(self) -> str:
        return os.path.relpath(self.tickets_dir, self.git_root).replace(os.sep, "/")

    def _keys(self, paths: Iterable[str]) -> set[tuple[str, str]]:
        """(bucket, name) of the event-file paths (relative to the git root) among ``paths``."""
        rel = self._rel() + "/"
        found: set[tuple[str, str]] = set()
        for path in paths:
            if path.startswith(rel):
                parts = path[len(rel):].split("/")
                if len(parts) == 2 and not event_file_problem(parts[0], parts[1]):
                    found.add((parts[0], parts[1]))
        return found

    def learn_tracked(self, index: dict) -> None:
        """Files first seen untracked are stat'ed on every read until git tracks them; once git's
        index has changed (``index``, from :meth:`_index_changes`), ask git which it tracks now,
        and remember the index and commit this read has taken in."""
        con = self.con
        untracked = [tuple(r) for r in con.execute("SELECT bucket, name FROM files WHERE tracked = 0")]
        now_tracked = self._tracked(untracked) if untracked else set()
        con.execute("BEGIN IMMEDIATE")
        try:
            con.executemany("UPDATE files SET tracked = 1 WHERE bucket=? AND name=?", sorted(now_tracked))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('index_stamp', ?)", (index["stamp"],))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)", (index["head"],))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _tracked(self, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        if self.git_root is None or not keys:
            return set()
        rel = self._rel()
        args = [rel] if len(keys) > 2000 else [f"{rel}/{b}/{n}" for b, n in keys]
        return self._keys((self._git_text("ls-files", "-z", "--", *args) or "").split("\0"))

    def _load_many(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Event]:
        """Read and check event files; many at once use both cores."""
        if len(keys) >= PARALLEL_PARSE_MIN and (os.cpu_count() or 1) > 1:
            jobs = [(str(self.tickets_dir / b / n), f"tickets/{b}/{n}", self.max_bytes, self.statuses) for b, n in keys]
            from gitdesk.workers import process_pool

            out: dict[tuple[str, str], Event] = {}
            with process_pool(min(4, os.cpu_count() or 1)) as pool:
                for key, job, (data, error) in zip(keys, jobs, pool.map(_parse_file, jobs, chunksize=500), strict=True):
                    if error:
                        raise ValidationError(error[0], path=error[1], field=error[2])
                    out[key] = parse_event(data, path=job[1])
            return out
        return {(b, n): self.load_file(self.tickets_dir / b / n, f"tickets/{b}/{n}") for b, n in keys}

    def _apply(self, plan: dict) -> int:
        con = self.con
        affected: set[str] = set()
        for bucket, name in plan["deletes"]:
            row = con.execute("SELECT ticket FROM files WHERE bucket=? AND name=?", (bucket, name)).fetchone()
            if row:
                affected.add(row[0])
            con.execute("DELETE FROM files WHERE bucket=? AND name=?", (bucket, name))
        keys = sorted(plan["upserts"])
        base = str(self.tickets_dir)
        oids = {key: blob_oid(os.path.join(base, key[0], key[1]), self.max_bytes) for key in keys}
        recorded = self._recorded_oids(keys)
        unchanged = {key for key in keys if oids[key] is not None and recorded.get(key) == oids[key]}
        events = self._load_many([key for key in keys if key not in unchanged])
        # a one-ticket read does not ask git (a spawn costs more than the read): files it finds
        # are taken as untracked, the safe side, until a whole-store read asks (learn_tracked)
        tracked = self._tracked(keys) if plan["whole"] else set()
        now_ns = plan["now"]
        rows, touched = [], []
        for key in keys:
            st = plan["upserts"][key]
            stamp = 0 if now_ns - st.st_mtime_ns < RACY_NS else _stamp(st)
            if key in unchanged:  # the bytes that were parsed: new stat data, same event
                touched.append((st.st_size, stamp, 1 if key in tracked else 0, key[0], key[1]))
                continue
            event = events[key]
            expected_ticket, expected_id = key[1].split(".")[:2]
            if event.ticket != expected_ticket:
                raise ValidationError(f"event is for ticket {event.ticket} but the file is named for {expected_ticket}",
                                      path=f"tickets/{key[0]}/{key[1]}", field="ticket")
            if event.id != expected_id:
                raise ValidationError(f"event id {event.id} differs from the file name", path=f"tickets/{key[0]}/{key[1]}", field="id")
            rows.append((key[0], key[1], event.ticket, st.st_size, stamp, 1 if key in tracked else 0,
                         json.dumps(event.to_dict(), ensure_ascii=False), oids[key]))
            affected.add(event.ticket)
        con.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?)", rows)
        con.executemany("UPDATE files SET size=?, stamp_ns=?, tracked=? WHERE bucket=? AND name=?", touched)
        for bucket, mark in plan["buckets"].items():
            con.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?)", (bucket, mark))
        for bucket in plan["gone"]:
            con.execute("DELETE FROM buckets WHERE bucket=?", (bucket,))
        self._derive(affected, fresh={e.id: e for e in events.values()})
        return len(affected)

    def _derive(self, ticket_ids: set[str], fresh: dict[str, Event]) -> None:
        con = self.con
        ticket_rows = []
        by_ticket: dict[str, list[Event]] = {t: [] for t in ticket_ids}
        query: Iterable[tuple[str, str]]
        if len(ticket_ids) > 500:
            query = con.execute("SELECT ticket, event FROM files")
        else:
            query = (row for t in ticket_ids for row in con.execute("SELECT ticket, event FROM files WHERE ticket=?", (t,)))
        for ticket, event_json in query:
            if ticket not in by_ticket:
                continue
            data = json.loads(event_json)
            cached = fresh.get(data["id"])
            by_ticket[ticket].append(cached if cached is not None else parse_event(data))
        for ticket_id, events in by_ticket.items():
            if not events:
                con.execute("DELETE FROM tickets WHERE id=?", (ticket_id,))
                con.execute("DELETE FROM bodies WHERE id=?", (ticket_id,))
                con.execute("DELETE FROM timelines WHERE id=?", (ticket_id,))
                continue
            ticket_rows.append(self.row_for(reduce_events(events)))
        # summaries and whole tickets live apart, so a list reads densely packed summaries only;
        # INSERT OR REPLACE gives a changed ticket a new rowid (the metrics cache's version mark)
        con.executemany("INSERT OR REPLACE INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [r[:-2] for r in ticket_rows])
        con.executemany("INSERT OR REPLACE INTO bodies VALUES (?,?)", [(r[0], r[-2]) for r in ticket_rows])
        con.executemany("INSERT OR REPLACE INTO timelines VALUES (?,?)", [(r[0], r[-1]) for r in ticket_rows])

    @staticmethod
    def row_for(t: dict) -> tuple:
        summary = {k: v for k, v in t.items() if k not in SUMMARY_DROP}
        return (
            t["id"], t.get("status"), t.get("priority"), PRIORITY_RANK.get(t.get("priority") or "", 9), t.get("category"),
            t.get("assignee"), t.get("team"), t.get("tier"), requester_text(t.get("requester")), t.get("asset"),
            " " + " ".join(t.get("tags") or []) + " ", t.get("title"), t.get("created_at"), t.get("updated_at"),
            json.dumps(summary, ensure_ascii=False, separators=(",", ":")),
            json.dumps(t, ensure_ascii=False, separators=(",", ":")),
            json.dumps(timeline(t), ensure_ascii=False, separators=(",", ":")),
        )


# -- listing: ``ticket list`` as SQL (Filters.matches is the same rules in Python) ------------

ORDER = {
    "created": "created {d}, id {d}",
    "updated": "updated {d}, id {d}",
    "priority": "prio_rank {d}, created {d}, id {d}",
    "status": "status {d}, created {d}, id {d}",
    "id": "id {d}",
    "title": "pylower(title) {d}, id {d}",
}

# columns that live beside the tickets table (see gitdesk.store.cache)
TABLES = {"full": "tickets JOIN bodies USING (id)", "summary, timeline": "tickets JOIN timelines USING (id)"}


def _pylower(value):
    return value.lower() if isinstance(value, str) else value


def add_functions(con: sqlite3.Connection) -> sqlite3.Connection:
    """``pylower``: Python's ``str.lower``, which folds every letter (SQLite's ``lower`` and
    ``LIKE`` fold only A-Z), so ``--text josé`` finds "JOSÉ" as :meth:`Filters.matches` does."""
    con.create_function("pylower", 1, _pylower, deterministic=True)
    return con


def select_sql(column: str, filters: Filters | None, sort: str, reverse: bool, limit: int | None) -> tuple[str, list]:
    """The query for ``column`` (a column of ``tickets``, ``full`` or ``summary, timeline``) of
    the tickets ``filters`` pass, sorted by ``sort``."""
    order = ORDER.get(sort)
    if order is None:
        raise UsageError(f"cannot sort by {sort!r} (use one of: {', '.join(ORDER)})", field="sort")
    where, params = where_sql(filters)
    sql = f"SELECT {column} FROM {TABLES.get(column, 'tickets')}{where} ORDER BY {order.format(d='DESC' if reverse else 'ASC')}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return sql, params


def where_sql(filters: Filters | None) -> tuple[str, list]:
    if filters is None:
        return "", []
    clauses: list[str] = []
    params: list = []

    def any_of(column: str, values: list) -> None:
        if values:
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)

    any_of("status", filters.status)
    if filters.open_only:
        any_of("status", list(filters.open_statuses))
    if filters.priority:  # a ticket without one reads as "none" (--priority none)
        clauses.append(f"coalesce(priority, ?) IN ({','.join('?' * len(filters.priority))})")
        params.extend([NO_PRIORITY, *filters.priority])
    if filters.category:
        clauses.append("(" + " OR ".join("category = ? OR category LIKE ? ESCAPE '\\'" for _ in filters.category) + ")")
        for c in filters.category:
            params.extend([c, _like_escape(c) + "/%"])
    if filters.assignee:
        clauses.append("(" + " OR ".join("pylower(assignee) LIKE ? ESCAPE '\\'" for _ in filters.assignee) + ")")
        params.extend("%" + _like_escape(a.lower()) + "%" for a in filters.assignee)
    any_of("team", filters.team)
    any_of("tier", filters.tier)
    if filters.requester:
        clauses.append("requester LIKE ? ESCAPE '\\'")
        params.append("%" + _like_escape(filters.requester.lower()) + "%")
    any_of("asset", filters.asset)
    for tag in filters.tag:
        clauses.append("tags LIKE ? ESCAPE '\\'")
        params.append("% " + _like_escape(tag) + " %")
    if filters.since:
        clauses.append("created >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append("created < ?")
        params.append(filters.until)
    if filters.channel:
        clauses.append(f"json_extract(summary, '$.channel') IN ({','.join('?' * len(filters.channel))})")
        params.extend(filters.channel)
    if filters.type:
        marks = ",".join("?" * len(filters.type))
        clauses.append(f"coalesce(json_extract(summary, '$.type'), ?) IN ({marks})")
        params.extend([filters.default_type, *filters.type])
    if filters.unassigned:
        clauses.append("assignee IS NULL")
    if filters.text:
        # the description lives only in the whole ticket
        clauses.append("(pylower(title) LIKE ? ESCAPE '\\' OR id IN (SELECT id FROM bodies "
                       "WHERE pylower(json_extract(full, '$.description')) LIKE ? ESCAPE '\\'))")
        params.extend(["%" + _like_escape(filters.text.lower()) + "%"] * 2)
    if filters.open_at:
        marks = ",".join("?" * len(filters.open_statuses))
        clauses.append(f"created <= ? AND (status IN ({marks}) OR updated > ?)")
        params.extend([filters.open_at, *filters.open_statuses, filters.open_at])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
