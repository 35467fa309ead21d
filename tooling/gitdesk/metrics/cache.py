"""Per-ticket metric facts kept between runs, so ``metrics`` over 100,000 tickets stays fast.

Reading every ticket whole (the JSON of its history and comments) and evaluating its SLA clocks
costs about 0.2 ms a ticket; the figures need only a few labels and numbers per ticket
(:class:`gitdesk.metrics.compute.FactsBuilder`). This cache keeps those facts, column by column,
in ``.gitdesk/metrics-facts.bin`` (never committed) and recomputes only what changed.

When a ticket changed
    The file store's ticket cache derives a ticket again (SQLite ``INSERT OR REPLACE``) whenever
    one of its event files is added, edited or removed, and SQLite gives the new row a rowid above
    every existing one; so the rowid is a version that changes with every change, read from the
    primary-key index in a few milliseconds. Facts remember the version they were computed from.
    If the ticket cache is another file or its highest rowid went down (it was rebuilt), every
    fact is dropped.
When the clock matters
    The SLA verdict of an open ticket depends on when it is read: each fact carries the window of
    evaluation times for which it holds (``_SlaView.evaluate``); read outside it, it is recomputed.
When the rules change
    Facts are dropped when the configuration, the facts format, the Python version or the code
    that computes them (the metrics and SLA modules, by size and modification time) changes.

The file is written whole through a temporary file and a rename, so concurrent runs never see a
partial file (the last writer wins; both wrote valid facts). It is read with :mod:`marshal`
(data only, several times faster than JSON here) and its shape is checked before use. Any failure
of the cache (unreadable, malformed, read-only folder) means computing every ticket: the cache
can make metrics faster, never different. A store without row versions
(:meth:`~gitdesk.store.base.TicketStore.revisions` is None: the GitHub store) has no cache.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from gitdesk.model.event import format_time
from gitdesk.store.base import Revisions
from gitdesk.yamlio import read_bytes_within

CACHE_FILE = "metrics-facts.bin"
MAX_BYTES = 1 << 30
_CODE_MODULES = ("gitdesk.metrics.compute", "gitdesk.sla.engine", "gitdesk.sla.policy", "gitdesk.model.calendar",
                 "gitdesk.model.reducer", "gitdesk.operations", "gitdesk.kb.privacy")


#: configuration keys no fact depends on (the site, mail and GitHub settings...): editing them
#: keeps the facts; any other key (statuses, teams, bots, SLA, time zone...) drops them
_IRRELEVANT_KEYS = ("name", "language", "id_prefix", "backend", "commit", "kb", "site", "github", "mail",
                    "notifications", "responses_dir", "limits")


def fingerprint(config) -> str:
    """What the facts depend on besides each ticket: configuration, format, Python and code."""
    import importlib.util

    from gitdesk.metrics.compute import FACTS_VERSION

    relevant = {k: v for k, v in config.raw.items() if k not in _IRRELEVANT_KEYS}
    parts = [str(FACTS_VERSION), sys.version, json.dumps(relevant, sort_keys=True, default=str)]
    for name in _CODE_MODULES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        if origin:
            st = os.stat(origin)
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _read(path: Path, n_facts: int) -> dict[str, Any] | None:
    """The stored snapshot, or None when missing or not what this code writes."""
    raw = read_bytes_within(path, MAX_BYTES)
    if raw is None:
        return None
    try:
        data = marshal.loads(raw)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    ids, versions, windows, columns = (data.get(k) for k in ("ids", "versions", "windows", "columns"))
    if not (isinstance(ids, list) and isinstance(versions, list) and isinstance(windows, list)
            and isinstance(columns, list) and len(columns) == n_facts):
        return None
    n = len(ids)
    if len(versions) != n or len(windows) != n or any(not isinstance(c, list) or len(c) != n for c in columns):
        return None
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    """Replace the file through a temporary one and a rename. No fsync: after a crash a torn
    file fails :func:`_read`'s checks and is rebuilt, which is cheaper than syncing 20 MB."""
    from gitdesk.yamlio import atomic_write

    try:
        atomic_write(path, marshal.dumps(data), durable=False)
    except OSError:
        pass  # a read-only checkout still gets its figures, just not faster next time


def cached_columns(store, config, now: datetime, revisions: Revisions) -> list[list]:
    """Facts of every ticket of a store that keeps row versions (``revisions``, see
    :meth:`TicketStore.revisions`), column by column, recomputing only what changed."""
    from gitdesk.metrics.compute import N_FACTS, FactsBuilder

    versions = revisions.versions
    now_text = format_time(now)
    path = store.repo.cache_dir / CACHE_FILE
    identity = {"fingerprint": fingerprint(config), "source": revisions.source}
    high = max(versions.values(), default=0)
    data = _read(path, N_FACTS)
    if data is None or any(data.get(k) != v for k, v in identity.items()) or not isinstance(data.get("high_water"), int) \
            or data["high_water"] > high:
        data = {"ids": [], "versions": [], "windows": [], "columns": [[] for _ in range(N_FACTS)]}
    ids, old_versions, windows, columns = data["ids"], data["versions"], data["windows"], data["columns"]

    # which stored rows still hold
    keep: list[bool] = []
    stored: set[str] = set()
    for ticket_id, version, window in zip(ids, old_versions, windows, strict=True):
        ok = (versions.get(ticket_id) == version and isinstance(window, tuple) and len(window) == 2
              and window[0] <= now_text and (window[1] is None or now_text <= window[1]))
        keep.append(ok)
        if ok:
            stored.add(ticket_id)
    stale = [t for t in versions if t not in stored]
    changed = bool(stale) or not all(keep) or data.get("high_water") != high
    if not all(keep):
        ids = list(_compress(ids, keep))
        old_versions = list(_compress(old_versions, keep))
        windows = list(_compress(windows, keep))
        columns = [list(_compress(col, keep)) for col in columns]

    builder = FactsBuilder(config)
    for ticket_id, whole in store.whole_tickets(stale):
        facts = builder.facts(whole, now)
        ids.append(ticket_id)
        old_versions.append(versions[ticket_id])
        windows.append((facts.sla_from or "", facts.sla_until))
        for column, value in zip(columns, facts, strict=True):
            column.append(value)
    if changed:
        _write(path, {**identity, "high_water": high, "ids": ids, "versions": old_versions, "windows": windows,
                      "columns": columns})
    return columns


def _compress(values, mask):
    from itertools import compress

    return compress(values, mask)
