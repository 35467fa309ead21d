"""The site's search, per language: what gitdesk adds to Material's lunr search after a build.

- :func:`patch_search_worker`: stop words left out of queries (``assets/search-stopwords.js``
  prepended to the theme's search worker), so "no" alone finds nothing instead of every page.

The accent folding of the index is :func:`gitdesk.site.plugin.fold_search_index`; the agents'
pages are kept out of the index with Material's ``search: exclude`` (:mod:`gitdesk.site.i18n`).
"""

from __future__ import annotations

from pathlib import Path

from gitdesk.errors import GitdeskError

MARKER = "/* gitdesk (prepended to Material's search worker"


def patch_search_worker(site_dir: Path) -> int:
    """Prepend the stop-word filter to the built site's search worker(s); returns how many."""
    from gitdesk.config import package_file

    shim = package_file("site", "assets", "search-stopwords.js").read_text(encoding="utf-8")
    workers = sorted((Path(site_dir) / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    if not workers:
        raise GitdeskError("the theme's search worker was not found: cannot leave stop words out of queries",
                           path=str(Path(site_dir) / "assets" / "javascripts" / "workers"))
    for worker in workers:
        text = worker.read_text(encoding="utf-8")
        if MARKER not in text:
            worker.write_text(shim + "\n" + text, encoding="utf-8")
    return len(workers)
