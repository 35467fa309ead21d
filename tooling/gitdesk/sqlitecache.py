"""Opening a derived SQLite cache: the one place that knows how.

Every cache gitdesk keeps in SQLite (the ticket cache, the intake's Message-ID index, the GitHub
mirror, the machine-wide passage vectors) is derived from something else and can be thrown away
at any time. So each is opened the same way:

- its folder is created, with a ``.gitignore`` of ``*`` (a cache inside a work tree is never
  committed, and the ignore file ignores itself);
- the connection gets the cache's pragmas (WAL lets readers run beside one writer);
- the schema is created, and a ``meta`` table records its version: a file written by another
  version loses every table and is built again from the source;
- a file that is not a database at all (torn, overwritten) is deleted and created afresh. A busy
  or locked file is never deleted: that error reaches the caller.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

META_DDL = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"


def open_cache(path: Path, ddl: str, version: str, *, version_key: str = "schema", timeout: float = 60,
               autocommit: bool = True, wal: bool = True, synchronous: str | None = None,
               gitignore: bool = True) -> sqlite3.Connection:
    """A connection to the cache at ``path`` with schema ``ddl`` (``CREATE ... IF NOT EXISTS``
    statements) at ``version``. ``autocommit`` opens it without implicit transactions."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if gitignore:
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
    try:
        return _connect(path, ddl, version, version_key, timeout, autocommit, wal, synchronous)
    except sqlite3.OperationalError:
        raise  # busy, locked, read-only: not ours to delete
    except sqlite3.DatabaseError:  # not a database: only a cache, start again
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return _connect(path, ddl, version, version_key, timeout, autocommit, wal, synchronous)


def _connect(path: Path, ddl: str, version: str, version_key: str, timeout: float, autocommit: bool, wal: bool,
             synchronous: str | None) -> sqlite3.Connection:
    # without autocommit: sqlite3's implicit transactions (``DEFERRED``), ended by commit()
    con = sqlite3.connect(path, timeout=timeout, isolation_level=None if autocommit else "DEFERRED")
    try:
        if wal:
            con.execute("PRAGMA journal_mode=WAL")
        if synchronous:
            con.execute(f"PRAGMA synchronous={synchronous}")
        con.executescript(META_DDL + ddl)
        row = con.execute("SELECT value FROM meta WHERE key=?", (version_key,)).fetchone()
        if row is None or row[0] != version:
            _drop_all(con)
            con.executescript(META_DDL + ddl)
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (version_key, version))
            con.commit()
    except BaseException:
        con.close()
        raise
    return con


def _drop_all(con: sqlite3.Connection) -> None:
    """Every table and index of another version's schema, and its meta rows."""
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    for name in tables:
        if name != "meta":
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
    con.execute("DELETE FROM meta")
