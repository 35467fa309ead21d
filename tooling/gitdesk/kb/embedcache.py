"""A machine-wide cache of passage vectors, keyed by the model and the exact text.

Embedding is the slow part of a cold index (0.1–0.8 s a page on two busy cores), and the same
article text is embedded again by every clone, every fresh CI checkout and every new desk. A
vector depends only on the model and the text, so it is kept under their hash in one SQLite
file in the user's cache folder: ``$GITDESK_CACHE_DIR``, else ``$XDG_CACHE_HOME/gitdesk``, else
``~/.cache/gitdesk``; ``GITDESK_CACHE_DIR=off`` turns it off. Like every gitdesk cache it is
derived: deleting it is safe, a row of the wrong size or with non-finite values is ignored and
recomputed, and a folder that cannot be written just means no cache.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from gitdesk.sqlitecache import open_cache

ENV = "GITDESK_CACHE_DIR"
FILE = "passage-vectors.sqlite3"
VERSION = "1"
_DDL = "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL);"


def cache_dir() -> Path | None:
    """Where the machine-wide caches live, or None when turned off."""
    explicit = os.environ.get(ENV)
    if explicit:
        return None if explicit.strip().lower() == "off" else Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gitdesk"


class CachedPassages:
    """An embedder whose ``embed_passages`` answers from the cache what it has already seen."""

    def __init__(self, model, folder: Path):
        self.model = model
        self.name = model.name
        self.dim = model.dim
        self._folder = folder
        self._con: sqlite3.Connection | None = None
        self._off = False

    def embed_queries(self, texts):
        return self.model.embed_queries(texts)

    def _connect(self) -> sqlite3.Connection | None:
        if self._con is None and not self._off:
            try:
                self._con = open_cache(self._folder / FILE, _DDL, VERSION, timeout=10, autocommit=False, gitignore=False)
            except (OSError, sqlite3.Error):
                self._off = True
        return self._con

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{self.dim}\0{text}".encode()).hexdigest()

    def embed_passages(self, texts):
        import numpy as np

        keys = [self._key(t) for t in texts]
        rows: dict[str, object] = {}
        con = self._connect()
        if con is not None:
            try:
                for start in range(0, len(keys), 500):
                    part = keys[start:start + 500]
                    marks = ",".join("?" * len(part))
                    for key, blob in con.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part):
                        vec = np.frombuffer(blob, dtype="<f4")
                        if vec.shape == (self.dim,) and np.isfinite(vec).all():
                            rows[key] = vec
            except sqlite3.Error:
                rows = {}
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in rows:
                first.setdefault(k, i)
        missing = list(first.values())  # each text once, however often it is asked for
        if missing:
            fresh = np.asarray(self.model.embed_passages([texts[i] for i in missing]), dtype=np.float32)
            for j, i in enumerate(missing):
                rows[keys[i]] = fresh[j]
            if con is not None:
                try:
                    with con:
                        con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                        [(keys[i], np.ascontiguousarray(fresh[j], dtype="<f4").tobytes()) for j, i in enumerate(missing)])
                except sqlite3.Error:
                    pass
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([np.asarray(rows[k], dtype=np.float32) for k in keys])


def with_cache(model):
    """``model`` with the machine-wide passage cache in front of it (unchanged when off)."""
    folder = cache_dir()
    return model if folder is None else CachedPassages(model, folder)
