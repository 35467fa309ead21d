"""From a help desk repository to metrics: read the range, the tickets and the KB, then compute;
and write the ``--out`` folder (JSON, Markdown report, SVG charts).

This is the I/O around the pure :mod:`gitdesk.metrics.compute`; the command line and the site's
dashboard both call :func:`metrics_for_repo`.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from gitdesk.errors import UsageError


def parse_bound(text: str | None, zone_name: str, *, end: bool, option: str) -> datetime | None:
    """``--since``/``--until``/``--at``: see :func:`gitdesk.when.parse_when` (a date given as
    ``--until`` includes that whole day)."""
    from gitdesk.when import parse_when

    return parse_when(text, zone_name, option=option, end=end)


def metrics_for_repo(repo, config, *, since: datetime | None = None, until: datetime | None = None,
                     now: datetime | None = None, store=None, use_cache: bool = True) -> dict[str, Any]:
    """Every figure for the tickets of ``repo`` (a :class:`gitdesk.repo.Repo`).

    With the file store, per-ticket facts come from :mod:`gitdesk.metrics.cache` (only changed
    tickets are read again); the result is the same as :func:`gitdesk.metrics.compute.compute`
    over ``store.all()``, which is what other stores (and ``use_cache=False``) use.
    """
    from gitdesk.metrics.compute import _bound, aggregate_columns, compute
    from gitdesk.metrics.knowledge import kb_categories
    from gitdesk.model.event import parse_time, utcnow

    if since is not None and until is not None and since >= until:
        raise UsageError("the start of the range is not before its end", field="--since")
    if store is None:
        from gitdesk.backend import open_store

        store = open_store(repo, config)
    from gitdesk.metrics.kbfigures import kb_figures

    categories = kb_categories(repo.root, config)
    now = parse_time(now) if now is not None else utcnow()
    result = None
    if use_cache:
        from gitdesk.metrics.cache import cached_columns

        revisions = store.revisions()
        if revisions is not None:
            columns = cached_columns(store, config, now, revisions)
            result = aggregate_columns(columns, config, since=_bound(since), until=_bound(until), now=now,
                                       kb_categories=categories)
    if result is None:
        result = compute(store.all(), config, since=since, until=until, now=now, kb_categories=categories)
    result["kb"] = kb_figures(repo.root, config, store, since=_bound(since), until=_bound(until), now=now)
    return result


def render_outputs(result: dict) -> dict[str, str]:
    """``{file name: text}`` of everything ``--out`` writes."""
    from gitdesk.metrics import charts, report

    files = {"metrics.json": json.dumps(result, ensure_ascii=False, indent=2) + "\n",
             "report.md": report.markdown_report(result, chart=report.image_chart)}
    files.update(charts.render_all(result))
    return files


def write_outputs(result: dict, out_dir: str | Path) -> list[Path]:
    """Write the ``--out`` folder: every file is rendered first, then each is replaced atomically."""
    from gitdesk.errors import GitdeskError
    from gitdesk.yamlio import atomic_write

    files = render_outputs(result)
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise UsageError("exists and is not a folder", path=str(target), field="--out")
    written = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            atomic_write(target / name, text)
            written.append(target / name)
    except OSError as exc:
        raise GitdeskError(f"cannot write: {exc.strerror}", path=str(exc.filename or target)) from None
    return written
