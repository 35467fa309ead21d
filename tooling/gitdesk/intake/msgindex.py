"""Which ticket took which Message-ID: a small index under ``.gitdesk/`` that checks itself.

Reading every ticket to answer "was this message taken?" costs seconds on a large desk, every
run. This index (``.gitdesk/intake-index.sqlite3``, never committed) maps each Message-ID found
in an event file's ``add.message_ids`` to its ticket, and remembers which event files it has
read in each bucket folder. Before answering it compares each bucket's modification time with
the one it recorded (a file added, removed or renamed changes it: new events, ``git pull``, a
checkout) and re-lists only the buckets that changed, reading only the files it has not seen;
a bucket that changed within two seconds of being read is read again next time (timestamps are
coarse). Event files are immutable, so a file once read never needs reading again. Anything
wrong with the index file (missing, corrupt, another version) means rebuilding it from the
files. Only files that mention ``message_ids`` are parsed, so a cold build is one read of
every event file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from gitdesk.errors import ValidationError
from gitdesk.sqlitecache import open_cache
from gitdesk.yamlio import load_yaml_text

VERSION = "1"
RACY_NS = 2_000_000_000
INDEX_FILE = "intake-index.sqlite3"

_DDL = """
CREATE TABLE IF NOT EXISTS buckets (bucket TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, checked_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files (bucket TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (bucket, name));
CREATE TABLE IF NOT EXISTS mids (mid TEXT NOT NULL, ticket TEXT NOT NULL, bucket TEXT NOT NULL, name TEXT NOT NULL,
                                 PRIMARY KEY (mid, bucket, name));
CREATE INDEX IF NOT EXISTS mids_file ON mids (bucket, name);
"""


class MessageIndex:
    """Message-ID -> ticket id over the event files of ``tickets_dir`` (see the module docstring)."""

    def __init__(self, tickets_dir: Path, cache_dir: Path, *, max_bytes: int):
        self.tickets_dir = Path(tickets_dir)
        self.path = Path(cache_dir) / INDEX_FILE
        self.max_bytes = max_bytes
        self.con = self._open()
        self.stats = {"buckets": 0, "files": 0}

    def _open(self) -> sqlite3.Connection:
        return open_cache(self.path, _DDL, VERSION, version_key="version", wal=False)

    def close(self) -> None:
        self.con.close()

    # -- keeping up with the disk ------------------------------------------------------------
    def refresh(self) -> None:
        """Bring the index up to date with the event files on disk."""
        try:
            entries = list(os.scandir(self.tickets_dir))
        except FileNotFoundError:
            entries = []
        disk = {e.name: e.stat(follow_symlinks=False).st_mtime_ns for e in entries
                if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")}
        known = {b: (m, c) for b, m, c in self.con.execute("SELECT bucket, mtime_ns, checked_ns FROM buckets")}
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            for bucket in set(known) - set(disk):
                con.execute("DELETE FROM files WHERE bucket=?", (bucket,))
                con.execute("DELETE FROM mids WHERE bucket=?", (bucket,))
                con.execute("DELETE FROM buckets WHERE bucket=?", (bucket,))
            for bucket, mtime in sorted(disk.items()):
                seen = known.get(bucket)
                if seen is None or seen[0] != mtime or seen[1] - seen[0] < RACY_NS:
                    self._rescan(bucket, mtime)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _rescan(self, bucket: str, mtime_before: int) -> None:
        con = self.con
        folder = self.tickets_dir / bucket
        checked = time.time_ns()
        try:
            names = {e.name for e in os.scandir(folder)
                     if e.name.endswith(".yml") and not e.name.startswith(".") and e.is_file(follow_symlinks=False)}
        except FileNotFoundError:
            names = set()
        known = {r[0] for r in con.execute("SELECT name FROM files WHERE bucket=?", (bucket,))}
        for name in known - names:
            con.execute("DELETE FROM files WHERE bucket=? AND name=?", (bucket, name))
            con.execute("DELETE FROM mids WHERE bucket=? AND name=?", (bucket, name))
        for name in sorted(names - known):
            for mid in self._read(folder / name):
                con.execute("INSERT OR IGNORE INTO mids VALUES (?, ?, ?, ?)", (mid, name[:10], bucket, name))
            con.execute("INSERT OR IGNORE INTO files VALUES (?, ?)", (bucket, name))
            self.stats["files"] += 1
        con.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)", (bucket, mtime_before, checked))
        self.stats["buckets"] += 1

    def _read(self, path: Path) -> list[str]:
        """Message-IDs an event file adds (none for unreadable files: `gitdesk check` reports those)."""
        try:
            with open(path, "rb") as fh:
                raw = fh.read(self.max_bytes + 1)
        except OSError:
            return []
        if b"message_ids" not in raw or len(raw) > self.max_bytes:
            return []
        try:
            data = load_yaml_text(raw.decode("utf-8"), path=str(path), max_bytes=self.max_bytes)
        except (ValidationError, UnicodeDecodeError):
            return []
        add = data.get("add") if isinstance(data, dict) else None
        mids = add.get("message_ids") if isinstance(add, dict) else None
        return [m for m in mids if isinstance(m, str)] if isinstance(mids, list) else []

    # -- answering -------------------------------------------------------------------------
    def get(self, mid: str) -> str | None:
        """The ticket that took ``mid``, checked against the disk (None when no file has it)."""
        for ticket, bucket, name in self.con.execute("SELECT ticket, bucket, name FROM mids WHERE mid=?", (mid,)):
            if (self.tickets_dir / bucket / name).is_file():
                return ticket
        return None
