"""The one way a derived SQLite cache is opened (gitdesk.sqlitecache.open_cache)."""

from __future__ import annotations

import sqlite3

import pytest

from gitdesk.sqlitecache import open_cache

DDL = "CREATE TABLE IF NOT EXISTS rows (k TEXT PRIMARY KEY, v TEXT);"


def test_a_new_cache_gets_its_folder_an_ignore_file_and_its_version(tmp_path):
    con = open_cache(tmp_path / "deep" / "c.sqlite3", DDL, "3", synchronous="NORMAL")
    assert (tmp_path / "deep" / ".gitignore").read_text() == "*\n"
    assert con.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("3",)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert con.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    con.close()
    con = open_cache(tmp_path / "other" / "c.sqlite3", DDL, "3", wal=False, gitignore=False)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not (tmp_path / "other" / ".gitignore").exists()


def test_the_same_version_keeps_the_rows_another_rebuilds(tmp_path):
    path = tmp_path / "c.sqlite3"
    con = open_cache(path, DDL + "CREATE TABLE IF NOT EXISTS old_only (x);", "1")
    con.execute("INSERT INTO rows VALUES ('a', 'kept')")
    con.close()
    con = open_cache(path, DDL, "1")
    assert con.execute("SELECT v FROM rows").fetchall() == [("kept",)]
    con.close()
    con = open_cache(path, DDL, "2", version_key="schema")
    assert con.execute("SELECT v FROM rows").fetchall() == []
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"meta", "rows"}  # what the old version had and this one lacks is gone too
    assert con.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("2",)


def test_without_autocommit_changes_wait_for_commit(tmp_path):
    path = tmp_path / "c.sqlite3"
    con = open_cache(path, DDL, "1", autocommit=False)
    con.execute("INSERT INTO rows VALUES ('a', 'x')")
    other = open_cache(path, DDL, "1")
    assert other.execute("SELECT count(*) FROM rows").fetchone() == (0,)
    con.commit()
    assert other.execute("SELECT count(*) FROM rows").fetchone() == (1,)


def test_a_file_that_is_not_a_database_is_replaced(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    con = open_cache(path, DDL, "1")
    assert con.execute("SELECT count(*) FROM rows").fetchone() == (0,)


def test_a_locked_cache_is_reported_never_deleted(tmp_path):
    path = tmp_path / "c.sqlite3"
    holder = open_cache(path, DDL, "1", wal=False)
    holder.execute("INSERT INTO rows VALUES ('a', 'mine')")
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(sqlite3.OperationalError):
        open_cache(path, DDL, "2", timeout=0.05, wal=False)
    holder.execute("COMMIT")
    assert holder.execute("SELECT v FROM rows").fetchall() == [("mine",)]
